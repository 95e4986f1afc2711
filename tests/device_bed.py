"""A umockdev testbed in a process of its own, with the project's device descriptions.

There is no udev daemon nor USB bus on test machines. umockdev builds a fake
/sys and /run/udev (a testbed) from the descriptions in tests/devices/umockdev,
and its preload library, put in front of a program by `umockdev-wrapper`, shows
that program the testbed instead of the machine's devices and delivers the
testbed's events to its udev monitors. `DeviceBed` keeps the testbed and raises
the events (tests/devices/umockdev_driver.py); `wrapped` runs a program in it.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

DRIVER = Path(__file__).resolve().parent / "devices" / "umockdev_driver.py"
WRAPPER = "umockdev-wrapper"


class DeviceBed:
    """The testbed; `plug`/`unplug` return once the events are sent."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc = proc
        assert proc.stdout is not None
        first = proc.stdout.readline().split()
        if first[:1] != ["root"]:
            raise RuntimeError(f"the umockdev driver did not start: {first}")
        self.root = first[1]

    def _order(self, order: str, name: str) -> None:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(f"{order} {name}\n")
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline().strip()
        if answer != "ok":
            raise RuntimeError(f"umockdev driver: {order} {name}: {answer!r}")

    def load(self, name: str) -> None:
        """Devices already there when the program under test starts (no event)."""
        self._order("load", name)

    def plug(self, name: str) -> None:
        self._order("plug", name)

    def unplug(self, name: str) -> None:
        self._order("unplug", name)

    def env(self) -> dict[str, str]:
        """What a program started with `wrapped` needs to see this testbed."""
        return {"UMOCKDEV_DIR": self.root}


def wrapped(argv: list[str]) -> list[str]:
    """`argv` run with umockdev's preload library (in the testbed that UMOCKDEV_DIR names)."""
    return [WRAPPER, *argv]


@contextlib.contextmanager
def device_bed() -> Iterator[DeviceBed]:
    if shutil.which(WRAPPER) is None:
        pytest.skip("umockdev is not installed (make setup installs it)")
    proc = subprocess.Popen(wrapped([sys.executable, str(DRIVER)]), stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    root = ""
    try:
        bed = DeviceBed(proc)
        root = bed.root
        yield bed
    finally:
        if proc.stdin is not None:
            proc.stdin.close()  # the driver ends at the end of its input
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
        if root:
            shutil.rmtree(root, ignore_errors=True)
