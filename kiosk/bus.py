"""A thread-safe event bus drained on the Tk thread.

Worker threads call `publish`; the Tk thread calls `drain` (through `after()`)
and runs subscribers there, so no subscriber ever touches Tk from another
thread and the Tk thread never waits on a worker.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

Handler = Callable[["Event"], None]
ErrorHandler = Callable[[BaseException, "Event"], None]


@dataclass(frozen=True)
class Event:
    """Something that happened: a topic such as ``"browser.crashed"`` and a payload."""

    topic: str
    data: dict[str, Any] = field(default_factory=dict)


class EventBus:
    """Queue events from any thread; deliver them on the thread that drains."""

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[Event] = queue.SimpleQueue()
        self._handlers: dict[str, list[Handler]] = defaultdict(list)
        self._lock = threading.Lock()
        self._on_error: ErrorHandler | None = None

    def publish(self, topic: str, **data: Any) -> None:
        """Queue an event; safe from any thread, never blocks."""
        self._queue.put(Event(topic, data))

    def subscribe(self, topic: str, handler: Handler) -> Callable[[], None]:
        """Call `handler` for each event of `topic`; returns a function that unsubscribes."""
        with self._lock:
            self._handlers[topic].append(handler)

        def unsubscribe() -> None:
            with self._lock:
                if handler in self._handlers[topic]:
                    self._handlers[topic].remove(handler)

        return unsubscribe

    def on_handler_error(self, handler: ErrorHandler) -> None:
        """Route exceptions raised by subscribers (instead of losing the drain loop)."""
        self._on_error = handler

    def drain(self, limit: int = 200) -> int:
        """Deliver up to `limit` queued events on the calling thread; returns how many."""
        delivered = 0
        while delivered < limit:
            try:
                event = self._queue.get_nowait()
            except queue.Empty:
                break
            self._deliver(event)
            delivered += 1
        return delivered

    def _deliver(self, event: Event) -> None:
        with self._lock:
            handlers = list(self._handlers.get(event.topic, ()))
        for handler in handlers:
            try:
                handler(event)
            except Exception as exc:  # one broken subscriber must not stop the others
                if self._on_error is None:
                    log.exception("handler for %s failed", event.topic)
                else:
                    self._on_error(exc, event)
