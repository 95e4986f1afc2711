"""What the kiosk does when its X server goes away (crashed, killed, restarted).

Without a display there is nothing to show a resident, and Xlib, whose default
handler for a lost connection prints a line and calls exit(1), would leave the
browser and its helpers running with no screen, and IT staff with no word of why.
The handler installed here says plainly what happened, ends every process the
kiosk started (Chromium, its helpers, anything they left behind: they are the
kiosk's descendants, as it is their subreaper), and exits with `EXIT_X_GONE`, so
that the service manager starts the whole X session again. The session's folder
stays for the start-up wipe of the next run: a full wipe here would have to run
on threads that may still be talking to the lost display.

Xlib requires the handler not to return; it is called on whichever thread first
notices the lost connection (the Tk thread, or the idle clock's).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import logging
import os
import signal
import sys

from kiosk.browser.reaper import descendants_of

log = logging.getLogger(__name__)

# The kiosk's status when its X server went away (systemd's unit restarts on it).
EXIT_X_GONE = 3

_IOErrorHandler = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p)
_installed: list[object] = []  # the handler, kept alive as long as Xlib may call it


def exit_when_the_display_goes(display: str) -> bool:
    """Install the handler for a lost X connection (process-wide, for every connection
    of libX11); False when libX11 cannot be loaded (Xlib's own handler stays)."""
    try:
        xlib = ctypes.CDLL("libX11.so.6")
    except OSError:
        found = ctypes.util.find_library("X11")
        if found is None:
            log.warning("libX11 not found: a lost X server will not be reported")
            return False
        xlib = ctypes.CDLL(found)

    def on_lost_display(_display: int | None) -> int:
        stop_without_display(display)
        return 0  # never reached: stop_without_display does not return

    handler = _IOErrorHandler(on_lost_display)
    xlib.XSetIOErrorHandler.restype = ctypes.c_void_p
    xlib.XSetIOErrorHandler.argtypes = [_IOErrorHandler]
    xlib.XSetIOErrorHandler(handler)
    _installed[:] = [handler]
    return True


def stop_without_display(display: str) -> None:
    """Log the loss, kill every descendant, and leave the process at once."""
    with contextlib.suppress(Exception):  # nothing may keep the kiosk from exiting
        log.critical("the X server is gone (display %s): stopping so that the service "
                     "manager starts the kiosk again", display)
    with contextlib.suppress(Exception):
        killed = end_descendants()
        log.info("%d process(es) started by the kiosk ended", killed)
    with contextlib.suppress(Exception):
        sys.stderr.flush()
    os._exit(EXIT_X_GONE)


def end_descendants() -> int:
    """SIGKILL every living process below this one; returns how many were sent it."""
    killed = 0
    for pid, state, _parent in descendants_of(os.getpid()):
        if state in ("Z", "X"):
            continue
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
            killed += 1
    return killed
