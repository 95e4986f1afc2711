"""The shell's timers run on time whatever the wall clock does.

Tcl 8.6 counts `after` on the wall clock; the kiosk's own timers count on the
monotonic one. The wall clock of one Python process is set back an hour with the
preloaded shift of tests/wall_clock.py (the machine's clock is left alone).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import tkinter as tk
from collections.abc import Callable
from pathlib import Path

import pytest
from harness import XScreen
from wall_clock import OFFSET_VARIABLE, build_shift_library, set_offset

from kiosk.ui.timers import MonotonicTimers

pytestmark = pytest.mark.display

REPO = Path(__file__).resolve().parents[2]

# Ours and Tk's own `after`, both for 1.5 s from now; 0.5 s later the wall clock goes
# back an hour. The process says what fired once ours has, or after 6 s.
AFTER_A_JUMP_BACK = """
import os, time, tkinter as tk
from pathlib import Path
from kiosk.ui.timers import MonotonicTimers
from wall_clock import set_offset

root = tk.Tk()
timers = MonotonicTimers(root)
fired = []
timers.after(1500, lambda: fired.append("monotonic"))
root.after(1500, lambda: fired.append("tk"))
start = time.monotonic()
moved = False
while time.monotonic() - start < 6 and "monotonic" not in fired:
    if not moved and time.monotonic() - start > 0.5:
        set_offset(Path(os.environ["OFFSET_FILE"]), -3600)
        moved = True
    root.update()
    time.sleep(0.02)
print("fired", ",".join(fired) or "nothing")
timers.close()
root.destroy()
"""


def pump_until(root: tk.Misc, done: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            return False
        root.update()
        time.sleep(0.005)
    return True


def test_callbacks_run_in_deadline_order_on_the_tk_thread(tk_root: tk.Tk) -> None:
    timers = MonotonicTimers(tk_root)
    tk_thread = threading.current_thread()
    ran: list[tuple[str, bool]] = []

    def note(name: str) -> Callable[[], None]:
        return lambda: ran.append((name, threading.current_thread() is tk_thread))

    try:
        timers.after(120, note("late"))
        timers.after(20, note("early"))
        timers.cancel(timers.after(60, note("cancelled")))
        assert pump_until(tk_root, lambda: len(ran) == 2)
        # Past the cancelled one's deadline, and the late one's: nothing more comes.
        marker: list[bool] = []
        tk_root.after(100, lambda: marker.append(True))
        assert pump_until(tk_root, lambda: marker == [True])
    finally:
        timers.close()
    assert ran == [("early", True), ("late", True)]


def test_a_failing_callback_is_reported_and_the_others_still_run(
    tk_root: tk.Tk, monkeypatch: pytest.MonkeyPatch
) -> None:
    reported: list[type[BaseException]] = []
    monkeypatch.setattr(tk_root, "report_callback_exception",
                        lambda kind, value, tb: reported.append(kind))
    timers = MonotonicTimers(tk_root)
    ran: list[str] = []

    def fail() -> None:
        raise ValueError("a broken screen")

    try:
        timers.after(10, fail)
        timers.after(10, lambda: ran.append("next"))
        assert pump_until(tk_root, lambda: ran == ["next"])
    finally:
        timers.close()
    assert reported == [ValueError]


def test_nothing_runs_after_close(tk_root: tk.Tk) -> None:
    timers = MonotonicTimers(tk_root)
    ran: list[str] = []
    timers.after(0, lambda: ran.append("before"))
    assert pump_until(tk_root, lambda: ran == ["before"])
    timers.after(0, lambda: ran.append("after"))
    timers.close()
    # Tk's own timer, set after the close, shows the loop has turned since.
    marker: list[bool] = []
    tk_root.after(50, lambda: marker.append(True))
    assert pump_until(tk_root, lambda: marker == [True])
    assert ran == ["before"]


def test_a_jump_back_of_the_wall_clock_delays_no_timer(screen: XScreen, tmp_path: Path) -> None:
    library = build_shift_library(tmp_path)
    if library is None:
        pytest.skip("no C compiler to build the wall-clock shift (Debian package gcc)")
    offset = tmp_path / "offset"
    set_offset(offset, 0)
    env = {**os.environ, "DISPLAY": screen.display, "LD_PRELOAD": str(library),
           OFFSET_VARIABLE: str(offset), "OFFSET_FILE": str(offset),
           "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "tests")])}
    result = subprocess.run([sys.executable, "-c", AFTER_A_JUMP_BACK], env=env,
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    # Ours fired; Tk's own, due at the same moment, had not: the shift really moved
    # the clock, and that is why the shell does not use Tk's.
    assert result.stdout.splitlines()[0] == "fired monotonic", result.stdout
