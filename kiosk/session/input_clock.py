"""The kiosk's idle clock: seconds since the resident last used a keyboard, pointer or screen.

Why not the X screen saver's idle counter (`XIdleClock`)? That counter is the server's
"time since the screen saver was last reset", and any client may reset it: a media
player's heartbeat, `xset s reset`, a pointer warp, a browser keeping the screen awake
for a page that holds a wake lock or plays a video (how depends on the browser and the
desktop: Chromium 156 on Xvfb only suspends the screen saver; some programs reset it on a
timer). A page must not keep a session open for the next person; only input may.

`InputIdleClock` listens to XInput2 *raw* events on the root window instead. Raw events
come straight from the input devices, before any window gets them, and since XI 2.1 they
reach the root window whichever client has the focus or a grab (the shell or Chromium).
A client can neither cause one nor hide one, except by faking input (XTEST), which is
what `xdotool` does in the tests.
"""

from __future__ import annotations

import ctypes
import logging
import os
import select
import threading
import time
from typing import Any

from kiosk.session.idle import IdleClock, IdleClockError, XIdleClock, load_library

log = logging.getLogger(__name__)

# From X11/X.h and X11/extensions/XI2.h.
_SUCCESS = 0
_GENERIC_EVENT = 35
_XI_ALL_MASTER_DEVICES = 1
_XI_RAW_KEY_PRESS = 13
_XI_RAW_KEY_RELEASE = 14
_XI_RAW_BUTTON_PRESS = 15
_XI_RAW_BUTTON_RELEASE = 16
_XI_RAW_MOTION = 17
_XI_RAW_TOUCH_BEGIN = 22
_XI_RAW_TOUCH_UPDATE = 23
_XI_RAW_TOUCH_END = 24
_KEYS_AND_POINTER = (_XI_RAW_KEY_PRESS, _XI_RAW_KEY_RELEASE, _XI_RAW_BUTTON_PRESS,
                     _XI_RAW_BUTTON_RELEASE, _XI_RAW_MOTION)
_TOUCH = (_XI_RAW_TOUCH_BEGIN, _XI_RAW_TOUCH_UPDATE, _XI_RAW_TOUCH_END)  # XI 2.2 and later


class _XIEventMask(ctypes.Structure):
    _fields_ = [
        ("deviceid", ctypes.c_int),
        ("mask_len", ctypes.c_int),
        ("mask", ctypes.POINTER(ctypes.c_ubyte)),
    ]


class _XGenericEventCookie(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("serial", ctypes.c_ulong),
        ("send_event", ctypes.c_int),
        ("display", ctypes.c_void_p),
        ("extension", ctypes.c_int),
        ("evtype", ctypes.c_int),
        ("cookie", ctypes.c_uint),
        ("data", ctypes.c_void_p),
    ]


class _XEvent(ctypes.Union):
    # Xlib's XEvent is a union padded to 24 longs; only the cookie view is read here.
    _fields_ = [("type", ctypes.c_int), ("cookie", _XGenericEventCookie),
                ("pad", ctypes.c_long * 24)]


def _declare(x11: ctypes.CDLL, xi: ctypes.CDLL) -> None:
    display, window = ctypes.c_void_p, ctypes.c_ulong
    int_p, event_p = ctypes.POINTER(ctypes.c_int), ctypes.POINTER(_XEvent)
    cookie_p = ctypes.POINTER(_XGenericEventCookie)
    signatures: list[tuple[Any, list[Any], Any]] = [
        (x11.XOpenDisplay, [ctypes.c_char_p], display),
        (x11.XCloseDisplay, [display], ctypes.c_int),
        (x11.XDefaultRootWindow, [display], window),
        (x11.XConnectionNumber, [display], ctypes.c_int),
        (x11.XQueryExtension, [display, ctypes.c_char_p, int_p, int_p, int_p], ctypes.c_int),
        (x11.XFlush, [display], ctypes.c_int),
        (x11.XPending, [display], ctypes.c_int),
        (x11.XNextEvent, [display, event_p], ctypes.c_int),
        (x11.XGetEventData, [display, cookie_p], ctypes.c_int),
        (x11.XFreeEventData, [display, cookie_p], None),
        (xi.XIQueryVersion, [display, int_p, int_p], ctypes.c_int),
        (xi.XISelectEvents, [display, window, ctypes.POINTER(_XIEventMask), ctypes.c_int],
         ctypes.c_int),
    ]
    for function, argtypes, restype in signatures:
        function.argtypes = argtypes
        function.restype = restype


def _event_mask(events: tuple[int, ...]) -> ctypes.Array[ctypes.c_ubyte]:
    """XISetMask for each event, in a buffer of XIMaskLen(highest event) bytes."""
    mask = (ctypes.c_ubyte * ((max(events) >> 3) + 1))()
    for event in events:
        mask[event >> 3] |= 1 << (event & 7)
    return mask


class InputIdleClock:
    """Seconds since the last raw keyboard, pointer or touch event on an X display.

    Opens its own connection to the display, which only its reader thread uses after
    the constructor; `close()` wakes and joins that thread, then closes the connection.
    Before the first input, the idle time counts from the clock's creation.
    """

    def __init__(self, display: str) -> None:
        self._x11 = load_library("libX11.so.6", "X11")
        self._xi = load_library("libXi.so.6", "Xi")
        _declare(self._x11, self._xi)
        self._last_input = time.monotonic()
        self._display: int | None = self._x11.XOpenDisplay(
            display.encode() if display else None)
        if not self._display:
            raise IdleClockError(f"cannot open the X display {display or '(DISPLAY unset)'!r}")
        try:
            self._opcode = self._xinput_opcode(display)
            self._select_raw_events(self._xinput2_minor(display))
        except IdleClockError:
            self._x11.XCloseDisplay(self._display)
            self._display = None
            raise
        self._wake_read, self._wake_write = os.pipe()
        self._closed = threading.Event()
        self._closing = threading.Lock()
        self._thread = threading.Thread(target=self._read_events, name="idle-input",
                                        daemon=True)
        self._thread.start()

    def _xinput_opcode(self, display: str) -> int:
        opcode, event, error = ctypes.c_int(), ctypes.c_int(), ctypes.c_int()
        if not self._x11.XQueryExtension(self._display, b"XInputExtension", ctypes.byref(opcode),
                                         ctypes.byref(event), ctypes.byref(error)):
            raise IdleClockError(f"the X display {display!r} has no XInput extension")
        return opcode.value

    def _xinput2_minor(self, display: str) -> int:
        """The XI 2 minor version both sides speak (asks for 2.2, the one with touch)."""
        major, minor = ctypes.c_int(2), ctypes.c_int(2)
        status = self._xi.XIQueryVersion(self._display, ctypes.byref(major), ctypes.byref(minor))
        # Raw events reach the root window despite grabs only from XI 2.1 on.
        if status != _SUCCESS or (major.value, minor.value) < (2, 1):
            raise IdleClockError(
                f"the X display {display!r} has no XInput 2.1 or later "
                f"(it answered {major.value}.{minor.value})")
        return minor.value

    def _select_raw_events(self, minor: int) -> None:
        # Touch events only where the server knows them: an unknown one is a fatal X error.
        mask = _event_mask(_KEYS_AND_POINTER + (_TOUCH if minor >= 2 else ()))
        selection = _XIEventMask(_XI_ALL_MASTER_DEVICES, len(mask),
                                 ctypes.cast(mask, ctypes.POINTER(ctypes.c_ubyte)))
        root = self._x11.XDefaultRootWindow(self._display)
        self._xi.XISelectEvents(self._display, root, ctypes.byref(selection), 1)
        self._x11.XFlush(self._display)

    def _read_events(self) -> None:
        connection = self._x11.XConnectionNumber(self._display)
        event = _XEvent()
        while not self._closed.is_set():
            # Xlib may already hold events it read while answering a request.
            while self._x11.XPending(self._display):
                self._x11.XNextEvent(self._display, ctypes.byref(event))
                self._note(event)
            readable, _, _ = select.select([connection, self._wake_read], [], [])
            if self._wake_read in readable:
                return

    def _note(self, event: _XEvent) -> None:
        """Record the time of a raw input event; free its data whatever it is."""
        cookie = event.cookie
        if cookie.type != _GENERIC_EVENT or cookie.extension != self._opcode:
            return
        if self._x11.XGetEventData(self._display, ctypes.byref(cookie)):
            self._last_input = time.monotonic()
            self._x11.XFreeEventData(self._display, ctypes.byref(cookie))

    def idle_seconds(self) -> float:
        """Seconds since the resident's last input (monotonic: clock changes do not count)."""
        if self._display is None:
            raise IdleClockError("the idle clock is closed")
        return time.monotonic() - self._last_input

    def close(self) -> None:
        """Stop the reader thread and close the connection to the display (idempotent)."""
        with self._closing:
            if self._display is None:
                return
            self._closed.set()
            os.write(self._wake_write, b"x")
            self._thread.join()
            self._x11.XCloseDisplay(self._display)
            self._display = None
            os.close(self._wake_read)
            os.close(self._wake_write)


def open_idle_clock(display: str) -> IdleClock:
    """The production idle clock: resident input only, or the screen saver's as a last resort.

    A server without XInput 2.1 is unlikely (Xorg has had it since 2011); the screen
    saver's counter then still ends sessions, except while something keeps it reset.
    """
    try:
        return InputIdleClock(display)
    except IdleClockError as error:
        log.warning("%s: the idle time falls back to the X screen saver's counter, "
                    "which a page keeping the screen awake may reset", error)
        return XIdleClock(display)
