"""Start and stop the real components tests need, each by its process id."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OPENBOX_RC = REPO / "packaging" / "openbox" / "rc.xml"
# The one profile the tests run the kiosk with (the `sample_profile` fixture loads it).
SAMPLE_PROFILE = REPO / "tests" / "data" / "sample.toml"


def free_display() -> int:
    """A display number with no X server and no lock file."""
    for number in range(90, 400):
        if not Path(f"/tmp/.X{number}-lock").exists() and not Path(
            f"/tmp/.X11-unix/X{number}"
        ).exists():
            return number
    raise RuntimeError("no free X display number")


def stop_process(proc: subprocess.Popen[bytes], grace: float = 3.0) -> None:
    """Terminate, then kill, a process we started; always reaps it."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wait_for(predicate: object, timeout: float = 10.0, interval: float = 0.05) -> bool:
    """Poll `predicate()` until it is true or `timeout` passes; returns its last truth."""
    assert callable(predicate)
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(interval)


@dataclass
class XScreen:
    """A private X display with a window manager, as the kiosk has in production."""

    display: str
    width: int
    height: int
    processes: list[subprocess.Popen[bytes]]

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "DISPLAY": self.display}

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(args, env=self.env, check=check, capture_output=True, text=True)

    def screenshot(self, path: Path) -> Path:
        """Capture the whole screen into a PNG."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self.run("import", "-display", self.display, "-window", "root", str(path))
        return path

    def key(self, *keys: str) -> None:
        self.run("xdotool", "key", "--delay", "60", *keys)

    def click(self, x: int, y: int) -> None:
        self.run("xdotool", "mousemove", str(x), str(y), "click", "1")

    def type_text(self, text: str) -> None:
        self.run("xdotool", "type", "--delay", "20", text)


def _x_is_up(display: str) -> bool:
    result = subprocess.run(
        ["xdpyinfo", "-display", display], capture_output=True, check=False
    )
    return result.returncode == 0


@contextlib.contextmanager
def x_screen(
    width: int = 1280, height: int = 1024, window_manager: bool = True
) -> Iterator[XScreen]:
    """Xvfb on a free display (and openbox with the kiosk rc.xml), stopped afterwards."""
    processes: list[subprocess.Popen[bytes]] = []
    number = free_display()
    display = f":{number}"
    try:
        xvfb = subprocess.Popen(
            ["Xvfb", display, "-screen", "0", f"{width}x{height}x24", "-nolisten", "tcp",
             "-noreset"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        processes.append(xvfb)
        if not wait_for(lambda: _x_is_up(display) or xvfb.poll() is not None, 15):
            raise RuntimeError(f"Xvfb did not start on {display}")
        if xvfb.poll() is not None:
            raise RuntimeError(f"Xvfb exited on {display}")
        screen = XScreen(display, width, height, processes)
        if window_manager:
            wm = subprocess.Popen(
                ["openbox", "--config-file", str(OPENBOX_RC)],
                env=screen.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
            processes.append(wm)
            wait_for(lambda: "_NET_SUPPORTING_WM_CHECK" in screen.run(
                "xprop", "-root", check=False).stdout, 10)
        yield screen
    finally:
        for proc in reversed(processes):
            stop_process(proc)


def kill_group(pid: int) -> None:
    """Kill a process group we started (ignoring one that is already gone)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def have(program: str) -> bool:
    return shutil.which(program) is not None
