"""The watchdog pings come from the Tk loop: when the shell freezes, they stop."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import XScreen

from kiosk.runner import keep_service_manager_told, make_root
from kiosk.service import ServiceNotifier
from kiosk.ui.timers import MonotonicTimers

pytestmark = pytest.mark.display

PERIOD_USEC = 200_000  # pings every 100 ms
FREEZE_S = 1.0


class Receiver:
    """Collects (arrival time, message) from a real notify socket on a thread."""

    def __init__(self, path: Path) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(path))
        self.sock.settimeout(0.1)
        self.messages: list[tuple[float, str]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._collect, daemon=True)
        self._thread.start()

    def _collect(self) -> None:
        while not self._stop.is_set():
            try:
                data = self.sock.recv(4096)
            except TimeoutError:
                continue
            self.messages.append((time.monotonic(), data.decode()))

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[Receiver]:
    r = Receiver(tmp_path / "notify")
    yield r
    r.close()


def test_a_frozen_tk_loop_stops_the_watchdog_pings(screen: XScreen, receiver: Receiver,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(os.environ, "DISPLAY", screen.display)
    root = make_root()  # a root of its own: its timers die with it
    timers = MonotonicTimers(root)
    try:
        notifier = ServiceNotifier(receiver.sock.getsockname(), PERIOD_USEC)
        keep_service_manager_told(root, timers, notifier, "serving residents")
        frozen: list[float] = []

        def freeze() -> None:  # what a stuck callback does to the shell
            frozen.append(time.monotonic())
            time.sleep(FREEZE_S)
            frozen.append(time.monotonic())

        root.after(500, freeze)
        deadline = time.monotonic() + 2.5
        while time.monotonic() < deadline:
            root.update()
            time.sleep(0.01)
    finally:
        timers.close()
        root.destroy()

    texts = [text for _, text in receiver.messages]
    assert texts[0] == "READY=1\nSTATUS=serving residents"
    pings = [at for at, text in receiver.messages if text == "WATCHDOG=1"]
    start, end = frozen
    before = [at for at in pings if at < start]
    after = [at for at in pings if at > end]
    assert before and len(after) >= 2, receiver.messages  # alive before and after
    # Nothing while the loop was stuck (a ping already queued may land just after start).
    assert not [at for at in pings if start + 0.05 < at < end], (start, end, pings)
