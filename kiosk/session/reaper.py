"""Kill a session's whole process group and make sure nothing of it is left.

A browser's helpers (zygote, renderers, crash handler) are re-parented when their
parent dies and stay zombies until someone reaps them. The kiosk makes itself a
child subreaper so that they come back to it, and reaps them at once instead of
waiting for PID 1. Zombies hold no memory and no files, so they count as gone.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import time
from collections.abc import Collection
from pathlib import Path

log = logging.getLogger(__name__)

PR_SET_CHILD_SUBREAPER = 36
PR_GET_CHILD_SUBREAPER = 37
PROC = Path("/proc")
_GONE_STATES = frozenset({"Z", "X", "x"})


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


def reap_children(pgid: int | None = None, spare: Collection[int] = ()) -> int:
    """Collect our zombie children (of process group `pgid` only, if given); returns how many.

    Only zombies are waited for, one by one, so a running child is never taken from
    the code that waits for it. Pids in `spare` are left for their owner (a
    ``subprocess.Popen`` that wants its exit status).
    """
    reaped = 0
    me = os.getpid()
    for pid, state, ppid, pgrp in _processes():
        if ppid != me or state != "Z" or pid in spare or (pgid is not None and pgrp != pgid):
            continue
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            continue  # someone else reaped it first
        if done:
            reaped += 1
    return reaped


def group_members(pgid: int) -> list[int]:
    """Living (not zombie) processes of process group `pgid`."""
    return [pid for pid, state, _, pgrp in _processes()
            if pgrp == pgid and state not in _GONE_STATES]


def kill_group(pgid: int, wait: float = 2.0) -> list[int]:
    """SIGKILL process group `pgid`, reap it, and return the members still alive after `wait`.

    The group leader (pid `pgid`) is not reaped here: whoever started it holds its
    ``Popen`` and its exit status. As a zombie it already counts as gone.
    """
    deadline = time.monotonic() + wait
    while True:
        _signal_group(pgid)
        reap_children(pgid, spare=(pgid,))
        survivors = group_members(pgid)
        if not survivors:
            # The last deaths handed their zombie children to us: collect them too.
            reap_children(pgid, spare=(pgid,))
            return []
        if time.monotonic() >= deadline:
            log.error("%d process(es) of group %d survived SIGKILL", len(survivors), pgid)
            return survivors
        time.sleep(0.01)


def _signal_group(pgid: int) -> None:
    # Sent again on every round: a member may have been forking when the first one landed.
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    except PermissionError:
        log.error("not allowed to kill process group %d", pgid)


def _processes() -> list[tuple[int, str, int, int]]:
    """(pid, state, parent pid, process group) of every process we can see."""
    found = []
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            line = (entry / "stat").read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue  # gone meanwhile
        parsed = _parse_stat(line)
        if parsed is not None:
            found.append(parsed)
    return found


def _parse_stat(line: str) -> tuple[int, str, int, int] | None:
    # The command name is in parentheses and may itself contain spaces or ')'.
    head, _, tail = line.rpartition(")")
    fields = tail.split()
    if not head or len(fields) < 3:
        return None
    try:
        return int(head.split(" (", 1)[0]), fields[0], int(fields[1]), int(fields[2])
    except ValueError:
        return None
