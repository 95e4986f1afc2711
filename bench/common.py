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


# A process as /proc/PID/stat tells it: (ppid, state, name, process group, session).
ProcessRow = tuple[int, str, str, int, int]


def process_table() -> dict[int, ProcessRow]:
    """pid -> (ppid, state, name, process group, session) of every process."""
    table: dict[int, ProcessRow] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            text = Path(f"/proc/{entry.name}/stat").read_text(errors="replace")
        except OSError:
            continue
        name = text[text.find("(") + 1:text.rfind(")")]
        fields = text.rsplit(")", 1)[1].split()
        table[int(entry.name)] = (int(fields[1]), fields[0], name, int(fields[2]),
                                  int(fields[3]))
    return table


def tree(root: int) -> dict[int, ProcessRow]:
    """The process_table() rows of every descendant of `root`."""
    table = process_table()
    children: dict[int, list[int]] = {}
    for pid, row in table.items():
        children.setdefault(row[0], []).append(pid)
    found: dict[int, ProcessRow] = {}
    todo = [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found[child] = table[child]
            todo.append(child)
    return found


def alive(row: ProcessRow) -> bool:
    """Neither a zombie nor dead."""
    return row[1] not in ("Z", "X")


def command(pid: int) -> str:
    """The process's command line, spaces between arguments ("" once it is gone)."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    return raw.replace(b"\0", b" ").decode(errors="replace").strip()


def renderers(browser: int) -> list[int]:
    """The live renderer processes under the browser process `browser`."""
    return [pid for pid, row in tree(browser).items()
            if alive(row) and "--type=renderer" in command(pid)]


def summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "median": statistics.median(ordered),
        "min": ordered[0],
        "max": ordered[-1],
        "runs": len(ordered),
    }
