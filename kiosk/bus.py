"""A thread-safe event bus drained on the Tk thread.

Worker threads call `publish` with an event declared in `kiosk.events`; the Tk
thread calls `drain` (through `after()`) and runs subscribers there, so no
subscriber ever touches Tk from another thread and the Tk thread never waits on
a worker. A subscriber that must not wait for the Tk thread (the statistics,
which write to disk on a thread of their own) uses `subscribe_now`: it is called
on the publishing thread and must only hand the event on.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections import defaultdict
from collections.abc import Callable
from typing import Any, TypeVar

from kiosk.events import Event, declared_events

log = logging.getLogger(__name__)

E = TypeVar("E", bound=Event)
ErrorHandler = Callable[[BaseException, Event], None]
_AnyHandler = Callable[[Any], None]

DECLARED: frozenset[type[Event]] = frozenset(declared_events())


class UndeclaredEvent(TypeError):
    """An event class that `kiosk.events` does not declare: a programming error."""


def _check_declared(kind: type[Any]) -> None:
    if kind not in DECLARED:
        raise UndeclaredEvent(f"{kind!r} is not declared in kiosk.events")


class EventBus:
    """Queue events from any thread; deliver them on the thread that drains."""

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[Event] = queue.SimpleQueue()
        self._handlers: dict[type[Event], list[_AnyHandler]] = defaultdict(list)
        self._immediate: dict[type[Event], list[_AnyHandler]] = defaultdict(list)
        self._lock = threading.Lock()
        self._on_error: ErrorHandler | None = None
        self._waker: Callable[[], None] | None = None

    def publish(self, event: Event) -> None:
        """Queue an event; safe from any thread, never blocks."""
        _check_declared(type(event))
        self._call_immediate(event)
        self._queue.put(event)
        waker = self._waker
        if waker is not None:
            waker()

    def wake_with(self, waker: Callable[[], None] | None) -> None:
        """Call `waker` (from the publishing thread; quick, never blocking) after each
        event is queued, so that the draining thread can drain at once. None: no more."""
        self._waker = waker

    def subscribe(self, kind: type[E], handler: Callable[[E], None]) -> Callable[[], None]:
        """Call `handler` on the draining thread for each event of class `kind`.

        Returns a function that unsubscribes.
        """
        return self._add(self._handlers, kind, handler)

    def subscribe_now(self, kind: type[E], handler: Callable[[E], None]) -> Callable[[], None]:
        """Call `handler` on the publishing thread, at once; it must be quick and thread-safe."""
        return self._add(self._immediate, kind, handler)

    def subscribed_kinds(self) -> frozenset[type[Event]]:
        """The event classes somebody listens to (for the test that each one is handled)."""
        with self._lock:
            return frozenset(k for table in (self._handlers, self._immediate)
                             for k, handlers in table.items() if handlers)

    def _add(self, table: dict[type[Event], list[_AnyHandler]], kind: type[E],
             handler: Callable[[E], None]) -> Callable[[], None]:
        _check_declared(kind)
        with self._lock:
            table[kind].append(handler)

        def unsubscribe() -> None:
            with self._lock:
                if handler in table[kind]:
                    table[kind].remove(handler)

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

    def _call_immediate(self, event: Event) -> None:
        with self._lock:
            handlers = list(self._immediate.get(type(event), ()))
        for handler in handlers:
            try:
                handler(event)
            except Exception:  # a publisher must never fail because of a listener
                log.exception("immediate handler for %s failed", type(event).__name__)

    def _deliver(self, event: Event) -> None:
        with self._lock:
            handlers = list(self._handlers.get(type(event), ()))
        for handler in handlers:
            try:
                handler(event)
            except Exception as exc:  # one broken subscriber must not stop the others
                if self._on_error is None:
                    log.exception("handler for %s failed", type(event).__name__)
                else:
                    self._on_error(exc, event)
