"""Shared pieces of the benchmarks: a private X screen, process figures, statistics."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from harness import XScreen, x_screen  # noqa: E402
from kiosk_process import KioskProcess, running_kiosk  # noqa: E402

__all__ = ["REPO", "KioskProcess", "XScreen", "running_kiosk", "x_screen"]

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def pss_mib(pid: int) -> float:
    """Proportional set size: shared pages split among their users (fair for many processes)."""
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0.0
    for line in text.splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def descendants(pid: int) -> list[int]:
    result = subprocess.run(["ps", "-e", "-o", "pid=,ppid="], capture_output=True, text=True,
                            check=True)
    children: dict[int, list[int]] = {}
    for line in result.stdout.split("\n"):
        if line.strip():
            child, parent = (int(x) for x in line.split())
            children.setdefault(parent, []).append(child)
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "median": statistics.median(ordered),
        "min": ordered[0],
        "max": ordered[-1],
        "runs": len(ordered),
    }
