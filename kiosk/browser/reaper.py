"""Killing a process family and reaping what it leaves: nothing here knows Chromium.

A browser's helpers (zygote, renderers, crash handler) are re-parented when their
parent dies. Without `become_subreaper` they would go to PID 1, out of the kiosk's
sight (and in a container, where PID 1 may never reap, stay zombies for good);
with it, they come back to the kiosk, and `kill_process_group` finds, kills and
reaps them. Processes are read from /proc: a family is a process group and
session, plus the sessions of processes that name one of its folders.

`kill_session_processes` then ends whatever else a session started, however it
detached: every process whose environment carries the session's marker.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import threading
import time
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Protocol

log = logging.getLogger(__name__)

PR_SET_CHILD_SUBREAPER = 36
PR_GET_CHILD_SUBREAPER = 37
KILL_WAIT_SECONDS = 5.0
# Set in the environment of everything started for a session (see session_marker).
SESSION_VARIABLE = "BORNE_SESSION"

ProcessRow = tuple[int, str, int]  # pid, state, parent pid


class WaitedProcess(Protocol):
    """A child whose exit status someone else collects (a waiter thread)."""

    @property
    def pid(self) -> int: ...

    def wait(self, timeout: float) -> int | None: ...


# -- children whose exit status a waiter thread collects ------------------------------------

_claimed: set[int] = set()
_claimed_lock = threading.Lock()


def claim_exit_status(pid: int) -> None:
    """A thread of ours will wait for this child: nobody else may reap it."""
    with _claimed_lock:
        _claimed.add(pid)


def release_exit_status(pid: int) -> None:
    with _claimed_lock:
        _claimed.discard(pid)


def claimed_exit_statuses() -> frozenset[int]:
    with _claimed_lock:
        return frozenset(_claimed)


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


def session_marker(session_dir: object) -> str:
    """The environment entry that marks a process as started for this session."""
    return f"{SESSION_VARIABLE}={session_dir}"


def _carries(pid: int, entry: bytes) -> bool:
    """Whether `entry` is one of the process's environment entries (exactly)."""
    try:
        with open(f"/proc/{pid}/environ", "rb") as environ:
            return entry in environ.read().split(b"\0")
    except OSError:  # gone, or not ours to read
        return False


def _below(roots: Iterable[int], stats: list[_Stat]) -> list[_Stat]:
    """The processes under `roots` (their children, those children's...), by PPid."""
    children: dict[int, list[_Stat]] = {}
    for stat in stats:
        children.setdefault(stat.ppid, []).append(stat)
    found: list[_Stat] = []
    todo = list(roots)
    seen = set(todo)
    while todo:
        for child in children.get(todo.pop(), []):
            if child.pid not in seen:
                seen.add(child.pid)
                found.append(child)
                todo.append(child.pid)
    return found


def descendants_of(pid: int) -> list[ProcessRow]:
    """(pid, state, ppid) of every process below `pid`, found by walking /proc PPid."""
    stats = [s for s in (_stat(p) for p in _all_pids()) if s is not None]
    return [found.row for found in _below([pid], stats)]


def _ancestors(pid: int) -> set[int]:
    chain: set[int] = set()
    while pid > 0 and pid not in chain:
        chain.add(pid)
        stat = _stat(pid)
        pid = stat.ppid if stat is not None else 0
    return chain


def _session_family(entry: bytes, never: set[int]) -> dict[int, _Stat]:
    """Living processes carrying `entry` in their environment, and everything below them."""
    stats = [s for s in (_stat(p) for p in _all_pids()) if s is not None]
    marked = [s for s in stats
              if s.pid not in never and s.state not in ("Z", "X") and _carries(s.pid, entry)]
    below = _below((s.pid for s in marked), stats)
    return {s.pid: s for s in marked + below
            if s.pid not in never and s.state not in ("Z", "X")}


def session_processes(marker: str) -> list[int]:
    """The living processes of a session (see `kill_session_processes` for the rule)."""
    return sorted(_session_family(os.fsencode(marker), _ancestors(os.getpid())))


# -- killing and reaping -------------------------------------------------------------------


def _late_sessions(markers: tuple[str, ...], known: set[int]) -> set[int]:
    """Sessions of living processes naming `markers` that are not among `known`: one
    that moved to a session of its own (setsid) after the last look escaped it."""
    return {found.session for found in _naming(markers)
            if found.session not in known and found.state not in ("Z", "X")}


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
        if not alive and not _late_sessions(markers, groups | ours):
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


def kill_session_processes(
    marker: str, timeout: float = KILL_WAIT_SECONDS, spare: Collection[int] | None = None,
) -> list[int]:
    """SIGKILL every process started for a session, however it detached; wait, reap.

    The rule: a process is the session's when `marker` (see `session_marker`) is
    one of its environment entries, or when it descends from one that is. Every
    program inherits its parent's environment through fork and exec, setsid, a
    double fork or nohup alike, so the browser's helpers and whatever they start
    carry the marker wherever they end up: re-parented to this process (a child
    subreaper) or to PID 1, in any process group or session. The kiosk's own
    helpers (xdotool, xsel), and a test runner's X server, never carry it, so the
    rule needs neither timing nor a list of what to spare; walking PPid from the
    marked processes also catches a child started with a cleared environment
    while its parent lives. What it cannot see: a process whose environment the
    kiosk's user may not read (another user's; a non-dumpable one, such as
    Chromium's sandboxed renderers, which the browser's group kill ends).

    Scans until one finds nothing left alive, so a child forked during the kill
    is caught by the next scan. Zombies count as gone; those handed to this
    process are reaped, but `spare` (default: `claimed_exit_statuses()`), whose
    waiter threads want their status. Returns the pids still alive after `timeout`.
    """
    entry = os.fsencode(marker)
    spared = claimed_exit_statuses() if spare is None else frozenset(spare)
    never = _ancestors(os.getpid())  # never this process, nor what runs it
    deadline = time.monotonic() + timeout
    killed: set[int] = set()
    while True:
        found = _session_family(entry, never)
        for pid in found:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        killed.update(found)
        rows = _rows(killed)
        _reap_adopted(rows, spared)
        alive = sorted(set(living(rows)) | set(found))
        if not found and not alive:
            break
        if time.monotonic() > deadline:
            log.error("%d session process(es) survived SIGKILL", len(alive))
            return alive
        time.sleep(0.01)
    _reap_handed_over(killed, spared, deadline)
    return []


def _rows(pids: Iterable[int]) -> list[ProcessRow]:
    return [stat.row for stat in (_stat(pid) for pid in pids) if stat is not None]


def _reap_handed_over(pids: set[int], spare: Collection[int], deadline: float) -> None:
    # A zombie whose parent, one of ours, was just reaped comes to us a moment
    # later (we are a subreaper): reap until none is on its way.
    me = os.getpid()
    while time.monotonic() < deadline:
        rows = _rows(pids)
        ours = {pid for pid, state, ppid in rows if state == "Z" and ppid == me}
        on_the_way = any(state == "Z" and ppid in ours for _, state, ppid in rows)
        if not _reap_adopted(rows, spare) and not on_the_way:
            return
        time.sleep(0.005)


def reap_stray_children(spare: Collection[int]) -> int:
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


def _reap_adopted(members: list[ProcessRow], spare: int | Collection[int] | None) -> int:
    """Reap the zombies among `members` that are the kiosk's children (adopted orphans);
    `spare` is the browser's main process (or processes), which a waiter thread reaps."""
    me = os.getpid()
    spared = {spare} if isinstance(spare, int) else set(spare or ())
    reaped = 0
    for pid, state, ppid in members:
        if state == "Z" and ppid == me and pid not in spared:
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
