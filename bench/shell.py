"""Shell start (process start to the home screen drawn and idle), RSS and CPU at rest."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import REPO, cpu_seconds, rss_mib, running_kiosk, summary, x_screen

SAMPLE = REPO / "tests" / "data" / "sample.toml"
BARE_TK = (
    "import tkinter, sys\n"
    "root = tkinter.Tk()\n"
    "tkinter.Label(root, text='ready').pack()\n"
    "root.after_idle(lambda: (sys.stderr.write('ready\\n'), sys.stderr.flush(), root.destroy()))\n"
    "root.mainloop()\n"
)


def bare_tk_start(display: str) -> float:
    """Seconds from spawning a bare Tk window to its first idle moment."""
    env = {"DISPLAY": display, "PATH": "/usr/bin:/bin"}
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", BARE_TK], env=env, stderr=subprocess.PIPE,
                            text=True)
    assert proc.stderr is not None
    proc.stderr.readline()
    elapsed = time.perf_counter() - start
    proc.wait()
    return elapsed


def kiosk_start(screen: Any, runs: int) -> tuple[list[float], float, float]:
    """Start times, then RSS (MiB) and CPU share at rest of the last run."""
    times: list[float] = []
    rss = cpu = 0.0
    for run in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            with running_kiosk(screen, Path(tmp), "--profile", str(SAMPLE)) as kiosk:
                kiosk.wait_for_log(r"screen: home$")
                times.append(time.perf_counter() - start)
                if run == runs - 1:
                    time.sleep(2)  # let start-up work settle before measuring rest
                    rss = rss_mib(kiosk.proc.pid)
                    before = cpu_seconds(kiosk.proc.pid)
                    time.sleep(10)
                    cpu = (cpu_seconds(kiosk.proc.pid) - before) / 10
    return times, rss, cpu


def run(runs: int = 5) -> dict[str, Any]:
    with x_screen(1280, 1024) as screen:
        bare = [bare_tk_start(screen.display) for _ in range(runs)]
        times, rss, cpu = kiosk_start(screen, runs)
    bare_s, kiosk_s = summary(bare), summary(times)
    return {
        "shell_start_s": kiosk_s,
        "bare_tk_start_s": bare_s,
        "shell_start_ratio": kiosk_s["median"] / bare_s["median"],
        "shell_rss_mib": rss,
        "shell_cpu_at_rest_share": cpu,
    }
