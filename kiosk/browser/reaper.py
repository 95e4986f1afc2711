"""The kiosk as a child subreaper: a browser's orphans come back to it.

A browser's helpers (zygote, renderers, crash handler) are re-parented when their
parent dies. Without this they would go to PID 1, out of the kiosk's sight (and
in a container, where PID 1 may never reap, stay zombies for good); with it,
`kiosk.browser.chromium.kill_process_group` finds, kills and reaps them.
"""

from __future__ import annotations

import ctypes
import logging
import os

log = logging.getLogger(__name__)

PR_SET_CHILD_SUBREAPER = 36
PR_GET_CHILD_SUBREAPER = 37


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def become_subreaper() -> bool:
    """Ask Linux to hand orphaned descendants to this process; False (logged) if refused."""
    try:
        result = _libc().prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except (OSError, AttributeError) as error:
        log.warning("cannot become a child subreaper: %s", error)
        return False
    if result != 0:
        log.warning("cannot become a child subreaper: %s", os.strerror(ctypes.get_errno()))
        return False
    return True


def is_subreaper() -> bool:
    """Whether orphaned descendants are re-parented to this process."""
    flag = ctypes.c_int(0)
    try:
        result = _libc().prctl(PR_GET_CHILD_SUBREAPER, ctypes.byref(flag), 0, 0, 0)
    except (OSError, AttributeError):
        return False
    return result == 0 and flag.value != 0
