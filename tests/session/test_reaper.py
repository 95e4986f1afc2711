"""Killing a real process group: no member left alive, no zombie left behind."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import kill_group as kill_group_quietly
from harness import wait_for

from kiosk.session import reaper
from kiosk.session.reaper import group_members, kill_group, reap_children


def zombies_of(pgid: int) -> list[int]:
    return [pid for pid, state, _, pgrp in reaper._processes() if pgrp == pgid and state == "Z"]


@pytest.fixture
def family() -> Iterator[subprocess.Popen[bytes]]:
    """A shell that leaves two grandchildren (like a browser's helpers) in its own group."""
    proc = subprocess.Popen(
        ["sh", "-c", "sleep 100 & sleep 100 & (sleep 100 &) ; wait"], start_new_session=True
    )
    assert wait_for(lambda: len(group_members(proc.pid)) == 4, 5)
    try:
        yield proc
    finally:
        kill_group_quietly(proc.pid)
        with contextlib.suppress(ChildProcessError):
            proc.wait(5)


def test_group_members_lists_the_whole_group(family: subprocess.Popen[bytes]) -> None:
    members = group_members(family.pid)
    assert family.pid in members
    assert len(members) == 4
    assert os.getpid() not in members


def test_kill_group_leaves_no_survivor(family: subprocess.Popen[bytes]) -> None:
    survivors = kill_group(family.pid, wait=5.0)

    assert survivors == []
    assert group_members(family.pid) == []
    family.wait(5)
    assert family.returncode == -signal.SIGKILL


def test_kill_group_of_a_vanished_group_is_empty() -> None:
    proc = subprocess.Popen(["true"], start_new_session=True)
    proc.wait()
    assert kill_group(proc.pid, wait=0.5) == []


SUBREAPER_SCRIPT = """
import os, subprocess, sys, time
from kiosk.session.reaper import become_subreaper, is_subreaper, kill_group, reap_children
from kiosk.session import reaper

assert not is_subreaper()
assert become_subreaper() and is_subreaper()
# The shell exits at once: its sleeps are orphans and come back to us, not to PID 1.
shell = subprocess.Popen(["sh", "-c", "sleep 100 & sleep 100 & exit 0"], start_new_session=True)
shell.wait()
deadline = time.monotonic() + 5
def mine():
    me = reaper.os.getpid()
    return [p for p, s, ppid, g in reaper._processes() if g == shell.pid and ppid == me]
while len(mine()) < 2 and time.monotonic() < deadline:
    time.sleep(0.01)
try:
    print("adopted", len(mine()))
    print("survivors", kill_group(shell.pid, wait=5.0))
    zombies = [p for p, s, ppid, g in reaper._processes() if g == shell.pid]
    print("left", zombies)
    print("reaped_again", reap_children())
finally:
    try:
        os.killpg(shell.pid, 9)  # whatever happened above, leave nothing running
    except ProcessLookupError:
        pass
"""


def test_a_subreaper_adopts_and_reaps_the_orphans() -> None:
    result = subprocess.run(
        [sys.executable, "-c", SUBREAPER_SCRIPT], capture_output=True, text=True, timeout=30,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:4] == [
        "adopted 2", "survivors []", "left []", "reaped_again 0"]


def test_reap_children_collects_our_zombies_only() -> None:
    proc = subprocess.Popen(["true"], start_new_session=True)
    assert wait_for(lambda: zombies_of(proc.pid) == [proc.pid], 5)

    assert reap_children(pgid=proc.pid + 1_000_000) == 0
    assert zombies_of(proc.pid) == [proc.pid]
    assert reap_children(pgid=proc.pid) == 1
    assert zombies_of(proc.pid) == []
    proc.wait(1)  # Popen copes with a child reaped by someone else
