"""The idle timeout: how long since the last input, and when the session must end.

`XIdleClock` asks the X server (MIT-SCREEN-SAVER extension) how long the whole
display has been without keyboard or pointer input, whichever window had it:
the shell's or the browser's. Any client can reset that counter, though, so the
kiosk uses `input_clock.InputIdleClock` (resident input only) and this one only
when the server lacks XInput 2. `IdleTracker` is the pure rule that turns the idle
time and the session's age into a state; `IdleWatcher` polls on a thread and publishes.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from kiosk.events import (
    CountdownCancelled,
    CountdownKind,
    CountdownTick,
    Event,
    MediatorIdle,
    SessionExpired,
    TimeLimitNotice,
)

log = logging.getLogger(__name__)

class IdleClockError(RuntimeError):
    """The X idle time cannot be read (library, display or extension missing)."""


# -- the X clock ----------------------------------------------------------------------------


class _ScreenSaverInfo(ctypes.Structure):
    _fields_ = [
        ("window", ctypes.c_ulong),
        ("state", ctypes.c_int),
        ("kind", ctypes.c_int),
        ("til_or_since", ctypes.c_ulong),
        ("idle", ctypes.c_ulong),
        ("event_mask", ctypes.c_ulong),
    ]


# The Debian package of each X library an idle clock loads.
_PACKAGES = {"X11": "libx11-6", "Xss": "libxss1", "Xi": "libxi6"}


def load_library(soname: str, short: str) -> ctypes.CDLL:
    """An X library by its soname (or whatever `find_library(short)` finds)."""
    try:
        return ctypes.CDLL(soname)
    except OSError:
        found = ctypes.util.find_library(short)
        if found is None:
            raise IdleClockError(
                f"{soname} is missing: install the Debian package {_PACKAGES[short]}"
            ) from None
        return ctypes.CDLL(found)


class XIdleClock:
    """Milliseconds since the last input on an X display, through libXss.

    Opens its own connection to the display once; call `close()` when done.
    Use it from one thread at a time.
    """

    def __init__(self, display: str) -> None:
        self._x11 = load_library("libX11.so.6", "X11")
        self._xss = load_library("libXss.so.1", "Xss")
        self._declare()
        name = display.encode() if display else None
        self._display = self._x11.XOpenDisplay(name)
        if not self._display:
            raise IdleClockError(f"cannot open the X display {display or '(DISPLAY unset)'!r}")
        self._lock = threading.Lock()
        event_base, error_base = ctypes.c_int(), ctypes.c_int()
        if not self._xss.XScreenSaverQueryExtension(
            self._display, ctypes.byref(event_base), ctypes.byref(error_base)
        ):
            self.close()
            raise IdleClockError(f"the X display {display!r} has no MIT-SCREEN-SAVER extension")
        self._root = self._x11.XDefaultRootWindow(self._display)
        self._info = ctypes.cast(self._xss.XScreenSaverAllocInfo(),
                                 ctypes.POINTER(_ScreenSaverInfo))
        if not self._info:
            self.close()
            raise IdleClockError("out of memory for the X screen saver info")

    def _declare(self) -> None:
        x11, xss = self._x11, self._xss
        x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
        x11.XOpenDisplay.restype = ctypes.c_void_p
        x11.XCloseDisplay.argtypes = [ctypes.c_void_p]
        x11.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
        x11.XDefaultRootWindow.restype = ctypes.c_ulong
        x11.XFree.argtypes = [ctypes.c_void_p]
        xss.XScreenSaverQueryExtension.argtypes = [
            ctypes.c_void_p, ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_int)]
        xss.XScreenSaverAllocInfo.restype = ctypes.c_void_p
        xss.XScreenSaverQueryInfo.argtypes = [
            ctypes.c_void_p, ctypes.c_ulong, ctypes.POINTER(_ScreenSaverInfo)]

    def idle_seconds(self) -> float:
        """Seconds since the last keyboard or pointer input on the display."""
        with self._lock:
            if not self._display:
                raise IdleClockError("the idle clock is closed")
            if not self._xss.XScreenSaverQueryInfo(self._display, self._root, self._info):
                raise IdleClockError("the X server did not answer the idle query")
            return float(self._info.contents.idle) / 1000.0

    def close(self) -> None:
        """Free the query buffer and close the connection to the display (idempotent)."""
        with getattr(self, "_lock", threading.Lock()):
            info = getattr(self, "_info", None)
            if info:
                self._x11.XFree(info)
            self._info = ctypes.POINTER(_ScreenSaverInfo)()  # NULL
            if self._display:
                self._x11.XCloseDisplay(self._display)
                self._display = None


# -- the rule -------------------------------------------------------------------------------


@dataclass(frozen=True)
class IdleActive:
    """Nothing to show."""


@dataclass(frozen=True)
class IdleNotice:
    """The time limit draws near: a line in the toolbar, the page stays usable."""

    seconds_left: int


@dataclass(frozen=True)
class IdleWarning:
    """The countdown is on screen: the session ends in `seconds_left` unless..."""

    seconds_left: int
    kind: CountdownKind


@dataclass(frozen=True)
class IdleExpired:
    """The session must end now."""

    reason: CountdownKind


IdleState = IdleActive | IdleNotice | IdleWarning | IdleExpired


# Seconds of notice before a session reaches its time limit.
MAX_DURATION_NOTICE = 300


@dataclass(frozen=True)
class IdleTracker:
    """When the notice and the countdown show, and when the session ends.

    After `idle_timeout` seconds without input, a countdown of `idle_warning` seconds;
    input cancels it. With `max_duration` (0 = no limit) the session ends at that age
    whatever the input, announced `MAX_DURATION_NOTICE` seconds before (half the
    limit when it is shorter), so the resident has time to print or save: first as a
    notice in the toolbar, then, for the last `idle_warning` seconds, as the countdown.
    """

    idle_timeout: float
    idle_warning: float
    max_duration: float = 0

    @property
    def max_duration_notice(self) -> float:
        return min(MAX_DURATION_NOTICE, self.max_duration / 2)

    def state(self, idle: float, elapsed: float) -> IdleState:
        """The state for `idle` seconds without input in a session `elapsed` seconds old."""
        limited = self.max_duration > 0
        if limited and elapsed >= self.max_duration:
            return IdleExpired("max_duration")
        idle_left = self.idle_timeout + self.idle_warning - idle
        if idle_left <= 0:
            return IdleExpired("idle")
        warnings: list[tuple[float, CountdownKind]] = []
        if idle >= self.idle_timeout:
            warnings.append((idle_left, "idle"))
        if limited and elapsed >= self.max_duration - self.max_duration_notice:
            warnings.append((self.max_duration - elapsed, "max_duration"))
        if not warnings:
            return IdleActive()
        left, kind = min(warnings)
        # Rounded up: the countdown reads 30 … 1, never 0 before the end.
        seconds = max(1, math.ceil(left))
        if kind == "max_duration" and left > self.idle_warning:
            return IdleNotice(seconds)
        return IdleWarning(seconds, kind)


# -- the watcher ----------------------------------------------------------------------------


class IdleClock(Protocol):
    def idle_seconds(self) -> float: ...


Publish = Callable[[Event], None]


class IdleWatcher:
    """Polls the idle clock on a daemon thread and publishes on the bus.

    Events: `TimeLimitNotice` and `CountdownTick` each time the displayed second
    changes; `CountdownCancelled` once when input ends a countdown;
    `SessionExpired` once, after which the watcher stops. The watcher owns the
    clock: it closes it (if it has ``close``) when it stops.
    """

    def __init__(
        self,
        clock: IdleClock,
        tracker: IdleTracker,
        publish: Publish,
        interval: float = 0.5,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.clock = clock
        self.tracker = tracker
        self.publish = publish
        self.interval = interval
        self.monotonic = monotonic
        self._started_at = monotonic()
        self._shown: IdleState = IdleActive()
        self._expired = False
        self._clock_failing = False
        self._stop = threading.Event()
        self._publishing = threading.Lock()
        self._thread: threading.Thread | None = None
        self._resident_tracker = tracker
        self._mediator_timeout: float | None = None
        self._idle_offset = 0.0  # idle time that no longer counts (see `assist`)

    def assist(self, tracker: IdleTracker | None) -> None:
        """Assisted mode's idle rules (`tracker`), or the resident's again (None).

        While a mediator assists, `tracker` gives the session's idle time, and once
        nobody has touched the terminal for its `idle_timeout` the watcher publishes
        `MediatorIdle` instead of a countdown: the mediator's rights are suspended.
        The resident's rules then apply, counted from that moment, so that a
        resident who comes back is not met by a session already over.
        """
        with self._publishing:
            self.tracker = tracker or self._resident_tracker
            self._mediator_timeout = tracker.idle_timeout if tracker else None

    def start(self) -> None:
        """Start polling; the session's age counts from now."""
        self._started_at = self.monotonic()
        self._thread = threading.Thread(target=self._run, name="idle-watch", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop polling (idempotent); nothing is published after it returns."""
        with self._publishing:
            self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=max(2.0, 2 * self.interval))

    @property
    def expired(self) -> bool:
        return self._expired

    def poll(self) -> IdleState | None:
        """Read the clock once and publish what changed; None if stopped or the clock failed."""
        if self._stop.is_set():
            return None
        try:
            idle = self.clock.idle_seconds()
        except Exception:
            if not self._clock_failing:  # once, not twice a second
                log.exception("the idle clock failed")
            self._clock_failing = True
            return None
        self._clock_failing = False
        with self._publishing:
            # A session ended by the resident must not be ended again by a late tick.
            if self._stop.is_set():
                return None
            idle = self._counted(idle)
            if self._mediator_timeout is not None and idle >= self._mediator_timeout:
                self._suspend_mediator(idle)
                return None
            state = self.tracker.state(idle, self.monotonic() - self._started_at)
            self._publish_change(state)
        return state

    def _counted(self, idle: float) -> float:
        if idle < self._idle_offset:
            self._idle_offset = 0.0  # somebody touched the terminal since
        return idle - self._idle_offset

    def _suspend_mediator(self, idle: float) -> None:
        self._mediator_timeout = None
        self.tracker = self._resident_tracker
        self._idle_offset += idle
        self.publish(MediatorIdle())

    def _publish_change(self, state: IdleState) -> None:
        previous, self._shown = self._shown, state
        if state == previous:
            return
        if isinstance(previous, IdleWarning) and not isinstance(state, IdleWarning | IdleExpired):
            self.publish(CountdownCancelled())
        if isinstance(state, IdleExpired):
            self._expired = True
            self._stop.set()
            self.publish(SessionExpired(state.reason))
        elif isinstance(state, IdleWarning):
            self.publish(CountdownTick(state.seconds_left, state.kind))
        elif isinstance(state, IdleNotice):
            self.publish(TimeLimitNotice(state.seconds_left))

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                self.poll()
                if self._stop.wait(self.interval):
                    break
        finally:
            self._close_clock()

    def _close_clock(self) -> None:
        close = getattr(self.clock, "close", None)
        if callable(close):
            try:
                close()
            except Exception:
                log.exception("could not close the idle clock")
