"""The kiosk's messages to the service manager, received on a real unix socket."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk import settings
from kiosk.service import LONGEST_PING_INTERVAL_MS, ServiceNotifier


@pytest.fixture
def listener(tmp_path: Path) -> Iterator[socket.socket]:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(tmp_path / "notify"))
    sock.settimeout(5)
    yield sock
    sock.close()


def test_ready_alive_and_stopping_arrive_as_datagrams(listener: socket.socket) -> None:
    notifier = ServiceNotifier(listener.getsockname(), watchdog_usec=None)
    notifier.ready("serving residents")
    notifier.alive()
    notifier.stopping()
    received = [listener.recv(4096).decode() for _ in range(3)]
    assert received == ["READY=1\nSTATUS=serving residents", "WATCHDOG=1", "STOPPING=1"]


def test_an_abstract_socket_address_is_understood() -> None:
    name = f"borne-test-{uuid.uuid4().hex}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind("\0" + name)
        sock.settimeout(5)
        assert ServiceNotifier("@" + name, None).send("WATCHDOG=1")
        assert sock.recv(4096) == b"WATCHDOG=1"


def test_the_link_is_taken_out_of_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTIFY_SOCKET", "/run/systemd/notify")
    monkeypatch.setenv("WATCHDOG_USEC", "30000000")
    monkeypatch.setenv("WATCHDOG_PID", "1")
    notifier = ServiceNotifier.take_from_environment()
    assert notifier == ServiceNotifier("/run/systemd/notify", 30_000_000)
    # What the browser would inherit from now on:
    assert not {"NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"} & set(os.environ)
    assert settings.take_service_manager_link() == (None, None)


def test_ping_interval_is_half_the_period_within_bounds() -> None:
    assert ServiceNotifier("/x", 4_000_000).ping_interval_ms() == 2000
    assert ServiceNotifier("/x", 300_000_000).ping_interval_ms() == LONGEST_PING_INTERVAL_MS
    assert ServiceNotifier("/x", None).ping_interval_ms() is None
    assert ServiceNotifier(None, 4_000_000).ping_interval_ms() is None


def test_outside_a_service_manager_nothing_is_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    notifier = ServiceNotifier.take_from_environment()
    assert not notifier.enabled
    assert notifier.send("READY=1") is False


def test_a_garbled_watchdog_period_means_no_pings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTIFY_SOCKET", "/run/systemd/notify")
    monkeypatch.setenv("WATCHDOG_USEC", "soon")
    assert ServiceNotifier.take_from_environment().ping_interval_ms() is None


def test_a_vanished_socket_is_logged_not_raised(tmp_path: Path,
                                                caplog: pytest.LogCaptureFixture) -> None:
    assert ServiceNotifier(str(tmp_path / "gone"), None).send("WATCHDOG=1") is False
    assert "cannot tell the service manager 'WATCHDOG=1'" in caplog.text
