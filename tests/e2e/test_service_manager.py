"""The real kiosk under a service manager: READY once the home screen is up, then
watchdog pings; the browser it starts cannot speak to the service manager."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import SAMPLE_PROFILE, XScreen, wait_for
from kiosk_process import running_kiosk
from procedure_site import Site

from kiosk.browser.reaper import SESSION_VARIABLE

pytestmark = [pytest.mark.browser, pytest.mark.display]


@pytest.fixture
def notify_socket(tmp_path: Path) -> Iterator[socket.socket]:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(tmp_path / "notify"))
    sock.settimeout(30)
    yield sock
    sock.close()


def descendants(pid: int) -> list[int]:
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(text.rsplit(")", 1)[1].split()[1])
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        children = [child for child, p in parents.items() if p == parent]
        found.extend(children)
        frontier.extend(children)
    return found


def environment_names(pid: int) -> set[str]:
    try:
        raw = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return set()
    return {entry.split(b"=", 1)[0].decode() for entry in raw.split(b"\0") if entry}


def test_ready_then_pings_and_the_browser_never_inherits_the_socket(
    screen: XScreen, site: Site, tmp_path: Path, notify_socket: socket.socket,
) -> None:
    env = {"KIOSK_HOST_RESOLVER_RULES": site.rules,
           "NOTIFY_SOCKET": notify_socket.getsockname(), "WATCHDOG_USEC": "1000000"}
    with running_kiosk(screen, tmp_path, "--profile", str(SAMPLE_PROFILE), env=env) as kiosk:
        first = notify_socket.recv(4096).decode()
        assert first == "READY=1\nSTATUS=serving residents"
        pings = [notify_socket.recv(4096).decode() for _ in range(3)]
        assert pings == ["WATCHDOG=1"] * 3
        kiosk.wait_until_ready()

        def browser_processes() -> list[int]:
            return [pid for pid in descendants(kiosk.proc.pid)
                    if SESSION_VARIABLE in environment_names(pid)]

        assert wait_for(browser_processes, timeout=30)
        browser = browser_processes()
        leaked = {pid: names & {"NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"}
                  for pid in browser if (names := environment_names(pid))}
        assert not any(leaked.values()), leaked
        kiosk.stop()
        # Pings queued meanwhile come first; recv times out if STOPPING never comes.
        while notify_socket.recv(4096).decode() != "STOPPING=1":
            pass
