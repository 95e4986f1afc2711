"""A stand-in for the bus's publish: what a worker published, for assertions."""

from __future__ import annotations

import threading
from typing import TypeVar

from harness import wait_for

from kiosk.events import Event

E = TypeVar("E", bound=Event)


class Events:
    """What a BrowserSession published, for assertions (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.items: list[Event] = []

    def publish(self, event: Event) -> None:
        with self._lock:
            self.items.append(event)

    def of(self, kind: type[E]) -> list[E]:
        with self._lock:
            return [event for event in self.items if isinstance(event, kind)]

    def wait(self, kind: type[E], count: int = 1, timeout: float = 10.0) -> list[E]:
        wait_for(lambda: len(self.of(kind)) >= count, timeout)
        return self.of(kind)

    def clear(self) -> None:
        with self._lock:
            self.items.clear()
