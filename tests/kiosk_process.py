"""Run the real `kiosk run` as a process on a private X screen, as in production."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from harness import REPO, XScreen, wait_for

if TYPE_CHECKING:
    from procedure_site import Site

KIOSK = str(REPO / ".venv" / "bin" / "kiosk")


class KioskProcess:
    """A running kiosk whose log lines (stderr) are collected as they come."""

    def __init__(self, proc: subprocess.Popen[str], session_root: Path) -> None:
        self.proc = proc
        self.session_root = session_root
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            with self._changed:
                self.lines.append(line.rstrip("\n"))
                self._changed.notify_all()

    def log_text(self) -> str:
        with self._changed:
            return "\n".join(self.lines)

    def wait_for_log(self, pattern: str, timeout: float = 30.0, after: int = 0) -> int:
        """Wait for a log line matching `pattern` (from line `after` on); returns its index."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for index in range(after, len(self.lines)):
                    if regex.search(self.lines[index]):
                        return index
                remaining = deadline - time.monotonic()
                if remaining <= 0 or (self.proc.poll() is not None and not self._reader.is_alive()):
                    raise AssertionError(
                        f"no log line matching {pattern!r}; log:\n" + "\n".join(self.lines))
                self._changed.wait(min(remaining, 0.2))

    def wait_until_ready(self, timeout: float = 30.0, after: int = 0) -> int:
        """The home screen is drawn and the next session's browser waits behind it:
        from now on nothing else grabs the keyboard."""
        self.wait_for_screen("home", timeout, after)
        return self.wait_for_log(r"browser ready for the next session", timeout, after)

    def wait_for_screen(self, name: str, timeout: float = 30.0, after: int = 0) -> int:
        index = self.wait_for_log(rf"screen: {re.escape(name)}$", timeout, after)
        time.sleep(0.3)  # the log line is written just before Tk draws: let it draw
        return index

    def end_session_by_keyboard(self, screen: XScreen) -> int:
        """From a page, as a keyboard user: F2 to the toolbar, back round to End session,
        Return, then "Yes, end my session" (Tab, Return). Returns the log mark before."""
        mark = len(self.lines)
        screen.key("F2")
        self.wait_for_log("keyboard to the toolbar$", after=mark)
        screen.key("shift+Tab", "Return")
        self.wait_for_screen("end_confirmation", after=mark)
        screen.key("Tab", "Return")
        return mark

    def stop(self) -> int:
        """SIGTERM (the kiosk wipes and exits), then SIGKILL of the group if it hangs."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self._reader.join(5)
        return self.proc.returncode


@contextlib.contextmanager
def running_kiosk(
    screen: XScreen, tmp: Path, *args: str, env: dict[str, str] | None = None,
    program: str = KIOSK,
) -> Iterator[KioskProcess]:
    """`kiosk run ARGS` on `screen`, with private state and session folders under `tmp`.

    `program` is the kiosk to run: the virtual environment's, or a bundle's."""
    (tmp / "state").mkdir(exist_ok=True)
    (tmp / "sessions").mkdir(exist_ok=True, mode=0o700)
    full_env = {
        **os.environ,
        "DISPLAY": screen.display,
        "KIOSK_STATE_DIR": str(tmp / "state"),
        "KIOSK_SESSION_ROOT": str(tmp / "sessions"),
        "PYTHONUNBUFFERED": "1",
        **(env or {}),
    }
    proc = subprocess.Popen(
        [program, "run", *args], env=full_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        text=True, start_new_session=True,
    )
    kiosk = KioskProcess(proc, tmp / "sessions")
    try:
        yield kiosk
    finally:
        kiosk.stop()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # anything it left behind
        sys.stderr.write(kiosk.log_text()[-4000:] + "\n")


def park_pointer(screen: XScreen) -> None:
    """Out of the way of screenshots (a hovered button changes colour)."""
    screen.run("xdotool", "mousemove", str(screen.width - 1), str(screen.height - 1))


def open_tile(kiosk: KioskProcess, screen: XScreen, site: Site, keys: list[str],
              procedure: str, host: str) -> None:
    """Press `keys` on the home screen and wait until `procedure`'s page is shown."""
    mark = len(kiosk.lines)
    asked = len(site.log.paths(host))
    screen.key(*keys)
    kiosk.wait_for_log(f"procedure opened: {procedure}$", after=mark)
    assert wait_for(lambda: len(site.log.paths(host)) > asked, 20), site.log.hosts()
    kiosk.wait_for_screen("toolbar", after=mark)
    time.sleep(1.0)  # the page paints, the browser takes the keyboard


def run_doctor(tmp_path: Path, *args: str, program: str = KIOSK,
               **env: str) -> subprocess.CompletedProcess[str]:
    """`kiosk doctor ARGS` with private state, session and policy folders under
    `tmp_path`, no display unless `env` gives one; `program` as for `running_kiosk`."""
    base = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    sessions = tmp_path / "sessions"
    sessions.mkdir(mode=0o700, exist_ok=True)
    full_env = {**base, "KIOSK_STATE_DIR": str(tmp_path / "state"),
                "KIOSK_SESSION_ROOT": str(sessions),
                "KIOSK_POLICY_DIR": str(tmp_path / "policies"), **env}
    return subprocess.run([program, "doctor", *args], env=full_env, capture_output=True,
                          text=True, timeout=120, check=False)


def line_of(output: str, name: str) -> str:
    """The doctor's line for the check `name`, with its "->" fix line if any."""
    lines = output.splitlines()
    for index, line in enumerate(lines):
        if line.split()[1:2] == [name]:
            follow = lines[index + 1] if index + 1 < len(lines) else ""
            return line + ("\n" + follow if follow.strip().startswith("->") else "")
    raise AssertionError(f"no line for {name} in:\n{output}")
