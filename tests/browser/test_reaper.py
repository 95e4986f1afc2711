"""The kiosk as a subreaper: a browser's orphans come back to it and are killed and reaped.

Each case runs in a fresh Python process, since a subreaper stays one for good.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# A family shaped like Chromium's: a leader in a session of its own, a helper in
# its group, a grandchild orphaned at once (its parent exits), and a "crash
# handler" in yet another session that names the session folder on its command
# line, as Chromium's does.
SCRIPT = """
import os, subprocess, sys, time
from kiosk.browser.reaper import (
    become_subreaper, group_members, is_subreaper, kill_process_group, living, processes_naming,
)

marker, use_reaper = os.environ["MARKER"], os.environ["USE_REAPER"] == "1"
assert not is_subreaper()
if use_reaper:
    assert become_subreaper() and is_subreaper()
handler = "import time; time.sleep(100)"
leader = subprocess.Popen(
    ["sh", "-c", 'sleep 100 & (sleep 100 &) ; setsid python3 -c "$0" "$1" & wait',
     handler, marker], start_new_session=True)
me = os.getpid()

def mine():
    return {p for p, s, ppid in group_members(leader.pid) + processes_naming((marker,))
            if ppid == me}

deadline = time.monotonic() + 10
while (len(living(group_members(leader.pid))) < 3 or not processes_naming((marker,))) \\
        and time.monotonic() < deadline:
    time.sleep(0.01)
try:
    print("adopted_before", len(mine()) - 1)  # the leader is our own child anyway
    print("survivors", kill_process_group(leader.pid, timeout=5, markers=(marker,)))
    print("group_left", living(group_members(leader.pid)))
    print("handler_left", living(processes_naming((marker,))))
    def state_and_parent(pid):
        try:  # another process of the machine may end while the loop reads
            return open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[:2]
        except (FileNotFoundError, ProcessLookupError):
            return None
    zombies = [pid for pid in os.listdir("/proc")
               if pid.isdigit() and state_and_parent(pid) == ["Z", str(me)]]
    print("our_zombies", len(zombies))
finally:
    for pid in living(group_members(leader.pid) + processes_naming((marker,))):
        os.kill(pid, 9)  # whatever happened above, leave nothing running
"""


def run_family(tmp_path: Path, use_reaper: bool) -> list[str]:
    marker = str(tmp_path / "session-marker")
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60,
        check=False, start_new_session=True,
        env={**os.environ, "PYTHONPATH": str(REPO), "MARKER": marker,
             "USE_REAPER": "1" if use_reaper else "0"},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split("\n")[:5]


def test_a_subreaper_kills_and_reaps_every_stray_of_a_browser(tmp_path: Path) -> None:
    assert run_family(tmp_path, use_reaper=True) == [
        "adopted_before 1",  # the orphaned grandchild came to us
        "survivors []", "group_left []", "handler_left []",
        "our_zombies 0",  # helper, orphan and handler were all reaped, the leader too
    ]


def test_without_the_subreaper_the_orphan_goes_elsewhere(tmp_path: Path) -> None:
    # The control case: this is what become_subreaper() changes.
    lines = run_family(tmp_path, use_reaper=False)
    assert lines[0] == "adopted_before 0"
    assert lines[1:4] == ["survivors []", "group_left []", "handler_left []"]


STRAYS_SCRIPT = """
import subprocess, time
from kiosk.browser.chromium import ChromiumProcess
from kiosk.browser.reaper import become_subreaper

assert become_subreaper()
print("before", ChromiumProcess.reap_strays())
# A helper in a session of its own whose parent is already gone, as a browser's
# can be: it comes to us, and dies later, after the kill has looked.
subprocess.run(["sh", "-c", "setsid sleep 0.2 &"], check=True)
# And a child of our own, in our group, whose exit status we still want.
own = subprocess.Popen(["sh", "-c", "exit 3"])
time.sleep(1.0)
print("reaped", ChromiumProcess.reap_strays())
print("again", ChromiumProcess.reap_strays())
print("own", own.wait(5))
"""


def test_strays_of_earlier_browsers_are_reaped_but_not_our_own_children() -> None:
    result = subprocess.run(
        [sys.executable, "-c", STRAYS_SCRIPT], capture_output=True, text=True, timeout=60,
        check=False, start_new_session=True, env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:4] == ["before 0", "reaped 1", "again 0", "own 3"]


# The kiosk (a subreaper) after a page got a handler started: a process of the
# session double-forks into a session of its own, and that one starts a child
# with a cleared environment. The kiosk's own child, without the marker, stays.
SESSION_SCRIPT = """
import os, subprocess, sys, time
from kiosk.browser.reaper import (
    become_subreaper, kill_session_processes, living, processes_naming, session_marker,
)

token = os.environ["TOKEN"]
sleeper = [sys.executable, "-c", "import time; time.sleep(300)"]
assert become_subreaper()
variable, value = session_marker(token).split("=", 1)
# (setsid A &): A in a session of its own, orphaned at once; A starts B with no environment.
middle = [sys.executable, "-c",
          "import subprocess, sys, time; subprocess.Popen(['env', '-i', *sys.argv[2:]]); "
          "time.sleep(300)", token + "-detached", *sleeper, token + "-clean"]
subprocess.run(["sh", "-c", '(setsid "$@" </dev/null >/dev/null 2>&1 &)', "sh", *middle],
               env={**os.environ, variable: value}, check=True)
own = subprocess.Popen([*sleeper, token + "-kiosk-own"])
me = os.getpid()
deadline = time.monotonic() + 10
while len(living(processes_naming((token,)))) < 3 and time.monotonic() < deadline:
    time.sleep(0.01)
try:
    found = processes_naming((token + "-detached",))
    print("adopted", sum(1 for _, _, ppid in found if ppid == me))
    print("survivors", kill_session_processes(session_marker(token), timeout=5))
    print("left", [pid for pid in living(processes_naming((token,))) if pid != own.pid])
    def state_and_parent(pid):
        try:  # another process of the machine may end while the loop reads
            return open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[:2]
        except (FileNotFoundError, ProcessLookupError):
            return None
    print("our_zombies", sum(1 for pid in os.listdir("/proc")
                             if pid.isdigit() and state_and_parent(pid) == ["Z", str(me)]))
    print("own_alive", own.poll() is None)
finally:
    for pid in living(processes_naming((token,))):
        os.kill(pid, 9)
    own.wait(5)
"""


def test_the_wipe_kills_every_process_of_the_session_however_it_detached(
    tmp_path: Path
) -> None:
    result = subprocess.run(
        [sys.executable, "-c", SESSION_SCRIPT], capture_output=True, text=True, timeout=60,
        check=False, start_new_session=True,
        env={**os.environ, "PYTHONPATH": str(REPO), "TOKEN": str(tmp_path / "session")},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:5] == [
        "adopted 1",  # the detached one came to the kiosk, a subreaper
        "survivors []",
        "left []",  # the clean-environment child too: it descends from a marked one
        "our_zombies 0",
        "own_alive True",
    ]
