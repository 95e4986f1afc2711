"""Killing a process family and reaping what it leaves: nothing here knows Chromium.

A browser's helpers (zygote, renderers, crash handler) are re-parented when their
parent dies. Without `become_subreaper` they would go to PID 1, out of the kiosk's
sight (and in a container, where PID 1 may never reap, stay zombies for good);
with it, they come back to the kiosk, and `kill_process_group` finds, kills and
reaps them. Processes are read from /proc: a family is a process group and
session, plus the sessions of processes that name one of its folders.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import time
from dataclasses import dataclass
from typing import Protocol

log = logging.getLogger(__name__)

PR_SET_CHILD_SUBREAPER = 36
PR_GET_CHILD_SUBREAPER = 37
KILL_WAIT_SECONDS = 5.0

ProcessRow = tuple[int, str, int]  # pid, state, parent pid


class WaitedProcess(Protocol):
    """A child whose exit status someone else collects (a waiter thread)."""

    @property
    def pid(self) -> int: ...

    def wait(self, timeout: float) -> int | None: ...


# -- the subreaper -------------------------------------------------------------------------


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


# -- reading /proc -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Stat:
    pid: int
    state: str
    ppid: int
    group: int
    session: int

    @property
    def row(self) -> ProcessRow:
        return (self.pid, self.state, self.ppid)


def _stat(pid: int) -> _Stat | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            text = stat.read().decode("ascii", "replace")
    except OSError:
        return None
    # After the command name, which is in parentheses and may hold spaces or ')'.
    fields = text.rsplit(")", 1)[-1].split()
    if len(fields) < 4:
        return None
    return _Stat(pid, fields[0], int(fields[1]), int(fields[2]), int(fields[3]))


def _all_pids() -> list[int]:
    return [int(entry.name) for entry in os.scandir("/proc") if entry.name.isdigit()]


def _members(groups: set[int]) -> list[_Stat]:
    """Processes whose process group or session is one of `groups`."""
    stats = (_stat(pid) for pid in _all_pids())
    return [s for s in stats if s is not None and (s.group in groups or s.session in groups)]


def group_members(group: int) -> list[ProcessRow]:
    """(pid, state, ppid) of every process whose process group or session is `group`."""
    return [member.row for member in _members({group})]


def _naming(markers: tuple[str, ...]) -> list[_Stat]:
    if not markers:
        return []
    wanted = [os.fsencode(marker) for marker in markers]
    me = os.getpid()
    found: list[_Stat] = []
    for pid in _all_pids():
        if pid == me:
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                command = cmdline.read()
        except OSError:
            continue
        if any(marker in command for marker in wanted) and (stat := _stat(pid)) is not None:
            found.append(stat)
    return found


def processes_naming(markers: tuple[str, ...]) -> list[ProcessRow]:
    """Processes (but this one) whose command line names one of `markers`, session folders.

    Chromium's crash handler starts in a session of its own, out of the browser's
    group, but names its database in the browser's home: this finds it.
    """
    return [found.row for found in _naming(markers)]


def living(members: list[ProcessRow]) -> list[int]:
    """The pids among `members` that are neither zombies nor dead."""
    return [pid for pid, state, _ in members if state not in ("Z", "X")]


# -- killing and reaping -------------------------------------------------------------------


def kill_process_group(
    group: int, timeout: float = KILL_WAIT_SECONDS, main: WaitedProcess | None = None,
    markers: tuple[str, ...] = (),
) -> list[int]:
    """SIGKILL a process group and its session, and the sessions of processes naming
    `markers`; wait until all are gone; reap those handed to the kiosk (a subreaper).

    `main`, the group's leader when a waiter thread of its own reaps it, is left
    to that thread. Returns the pids still alive after `timeout`.
    """
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(group, signal.SIGKILL)
    deadline = time.monotonic() + timeout
    spare = main.pid if main is not None else None
    groups = {group}
    ours = {os.getpgrp(), os.getsid(0)}  # never the kiosk's own, whatever names the folder
    while True:
        groups.update(found.session for found in _naming(markers) if found.session not in ours)
        members = [member.row for member in _members(groups)]
        for pid in living(members):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        _reap_adopted(members, spare)
        alive = living(members)
        if not alive:
            break
        if time.monotonic() > deadline:
            log.error("%d browser process(es) survived SIGKILL", len(alive))
            return alive
        time.sleep(0.01)
    if main is not None:
        # Its waiter thread reaps it; only then are its children handed to the kiosk.
        main.wait(max(0.0, deadline - time.monotonic()))
    _reap_late_orphans(groups, spare, deadline)
    return []


def reap_stray_children(spare: set[int]) -> int:
    """Reap this process's zombie children outside its own process group, but `spare`.

    What the kiosk itself runs (xdotool, xsel) stays in its group and is waited
    for by whoever started it; `spare` are the children whose waiter threads
    want their exit status. Returns how many were reaped.
    """
    me, mine = os.getpid(), os.getpgrp()
    strays = [s.row for s in (_stat(pid) for pid in _all_pids())
              if s is not None and s.ppid == me and s.state == "Z" and s.group != mine
              and s.pid not in spare]
    return _reap_adopted(strays, None)


def _reap_adopted(members: list[ProcessRow], spare: int | None) -> int:
    """Reap the zombies among `members` that are the kiosk's children (adopted orphans);
    `spare` is the browser's main process, which its own waiter thread reaps."""
    me = os.getpid()
    reaped = 0
    for pid, state, ppid in members:
        if state == "Z" and ppid == me and pid != spare:
            with contextlib.suppress(ChildProcessError):
                if os.waitpid(pid, os.WNOHANG)[0]:
                    reaped += 1
    return reaped


def _reap_late_orphans(groups: set[int], spare: int | None, deadline: float) -> None:
    # A helper whose parent died a moment before is handed to the kiosk just after
    # it was last looked at: without this it would stay a zombie until the next wipe.
    while time.monotonic() < deadline:
        left = [member.row for member in _members(groups)]
        if not [row for row in left if row[0] != spare] or (
                not _reap_adopted(left, spare) and not _waiting_for_parent(left)):
            return
        time.sleep(0.005)


def _waiting_for_parent(rows: list[ProcessRow]) -> bool:
    """Whether a zombie here has a parent that is itself a zombie here (it comes to us next)."""
    zombies = {pid for pid, state, _ in rows if state == "Z"}
    return any(state == "Z" and ppid in zombies for _, state, ppid in rows)
