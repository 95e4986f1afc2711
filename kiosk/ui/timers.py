"""Waking the Tk loop from other threads, and timers that a clock change cannot stall.

Tcl 8.6 counts `after` delays on the wall clock: set the clock back an hour (an
NTP correction on a terminal whose battery is flat, an IT person fixing the date)
and every pending `after` waits an extra hour. The shell's timers would stop: the
service manager's watchdog pings (the kiosk would be killed mid-session), the
message screens' time-outs, the keyboard's reclaim. `MonotonicTimers` keeps the
deadlines on the monotonic clock in a thread of its own and runs each callback on
the Tk thread, woken through a pipe that Tk watches (as for the bus).
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import logging
import os
import sys
import threading
import time
import tkinter as tk
from collections import deque
from collections.abc import Callable

log = logging.getLogger(__name__)


class Wakeup:
    """Wakes the Tk loop from any thread: a byte down a pipe that Tk watches.

    Without it an event a worker publishes waits for the next look at the bus
    (up to the app's polling interval): a page scanned, a preview made, a printer
    plugged in would show that much later.
    """

    def __init__(self, root: tk.Misc, on_wake: Callable[[], None]) -> None:
        self._root = root
        self._on_wake = on_wake
        self._read, self._write = os.pipe()
        os.set_blocking(self._read, False)
        os.set_blocking(self._write, False)
        self._pending = threading.Event()  # a byte is on its way: no need for another
        root.tk.createfilehandler(self._read, tk.READABLE, self._woken)

    def wake(self) -> None:
        """From any thread: the Tk loop calls `on_wake` soon. Never blocks."""
        if self._pending.is_set():
            return
        self._pending.set()
        with contextlib.suppress(BlockingIOError, OSError):
            os.write(self._write, b"!")

    def _woken(self, _fd: int, _mask: int) -> None:
        with contextlib.suppress(BlockingIOError, OSError):
            os.read(self._read, 4096)
        self._pending.clear()  # before the call: what is queued meanwhile wakes again
        self._on_wake()

    def close(self) -> None:
        self._root.tk.deletefilehandler(self._read)
        for fd in (self._read, self._write):
            with contextlib.suppress(OSError):
                os.close(fd)


class MonotonicTimers:
    """`after` and `cancel` for the Tk thread, counted on the monotonic clock.

    Callbacks run on the Tk thread, in deadline order; one that raises is reported
    like any Tk callback (`report_callback_exception`) and the others still run.
    """

    def __init__(self, root: tk.Tk) -> None:
        self._root = root
        self._due: list[tuple[float, int, Callable[[], None]]] = []  # a heap
        self._ready: deque[tuple[int, Callable[[], None]]] = deque()
        self._numbers = itertools.count(1)
        self._changed = threading.Condition()
        self._closed = False
        self._wakeup = Wakeup(root, self._run_ready)
        self._thread = threading.Thread(target=self._watch, name="tk-timers", daemon=True)
        self._thread.start()

    def after(self, delay_ms: int, callback: Callable[[], None]) -> int:
        """Run `callback` on the Tk thread in `delay_ms` milliseconds; returns its number."""
        number = next(self._numbers)
        deadline = time.monotonic() + max(0, delay_ms) / 1000
        with self._changed:
            heapq.heappush(self._due, (deadline, number, callback))
            self._changed.notify()
        return number

    def cancel(self, number: int) -> None:
        """The callback `number` will not run (nothing happens if it already has)."""
        with self._changed:
            self._due = [entry for entry in self._due if entry[1] != number]
            heapq.heapify(self._due)
            self._ready = deque(entry for entry in self._ready if entry[0] != number)

    def close(self) -> None:
        """Stop: no callback runs after this returns."""
        with self._changed:
            self._closed = True
            self._due.clear()
            self._ready.clear()
            self._changed.notify()
        self._thread.join(timeout=2)
        self._wakeup.close()

    def _watch(self) -> None:
        with self._changed:
            while not self._closed:
                now = time.monotonic()
                moved = False
                while self._due and self._due[0][0] <= now:
                    _deadline, number, callback = heapq.heappop(self._due)
                    self._ready.append((number, callback))
                    moved = True
                if moved:
                    self._wakeup.wake()
                wait = self._due[0][0] - now if self._due else None
                self._changed.wait(wait)

    def _run_ready(self) -> None:
        while True:
            with self._changed:
                if self._closed or not self._ready:
                    return
                _number, callback = self._ready.popleft()
            try:
                callback()
            except Exception:
                self._root.report_callback_exception(*sys.exc_info())
