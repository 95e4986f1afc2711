"""A browser that will not start: the controller retries with a delay and never spins."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from harness import wait_for

from kiosk.bus import Event, EventBus
from kiosk.config.schema import Profile
from kiosk.session import controller as controller_module
from kiosk.session.controller import SessionController


class Browser:
    """Stands in for Chromium where the test is about the controller's own decisions."""

    def __init__(self, fail: bool) -> None:
        self.fail = fail
        self.opened: list[str] = []

    def start(self, timeout: float = 30.0) -> None:
        if self.fail:
            raise RuntimeError("chromium exited with status -6")

    def open(self, url: str) -> None:
        self.opened.append(url)

    def set_language(self, lang: str) -> None: ...
    def focus(self) -> None: ...
    def back(self) -> None: ...
    def reload(self) -> None: ...
    def set_bounds(self, bounds: tuple[int, int, int, int]) -> None: ...
    def ping(self, timeout: float = 5.0) -> bool:
        return True

    def close(self) -> list[int]:
        return []


@pytest.fixture
def events(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[Event]:
    monkeypatch.setenv("KIOSK_SESSION_ROOT", str(tmp_path / "sessions"))
    monkeypatch.setattr(controller_module, "RETRY_DELAYS", (0.2, 0.2))
    monkeypatch.setattr(controller_module, "clear_selections", lambda display: None)
    return []


def make_controller(profile: Profile, events: list[Event],
                    outcomes: list[bool]) -> tuple[SessionController, list[Browser]]:
    bus = EventBus()
    lock = threading.Lock()
    for topic in ("session.ready", "browser.unavailable", "session.failed", "session.opened"):
        bus.subscribe(topic, events.append)
    made: list[Browser] = []

    def factory(**options: Any) -> Browser:
        with lock:
            fail = outcomes.pop(0) if outcomes else False
        browser = Browser(fail)
        made.append(browser)
        return browser

    controller = SessionController(profile, bus, bounds=(0, 80, 800, 600),
                                   display="", browser_factory=factory, counters=None,
                                   idle_clock_factory=lambda: None)
    return controller, made


def topics(events: list[Event]) -> list[str]:
    return [e.topic for e in events]


def delivered(bus: EventBus, events: list[Event], topic: str) -> bool:
    bus.drain()
    return topic in topics(events)


def test_failed_starts_are_retried_later_then_the_session_is_ready(
    events: list[Event], sample_profile: Profile
) -> None:
    controller, made = make_controller(sample_profile, events, outcomes=[True, True, False])
    bus = controller.bus
    controller.prestart()
    try:
        assert wait_for(lambda: delivered(bus, events, "session.ready"), timeout=10)
        assert topics(events).count("browser.unavailable") == 2
        assert len(made) == 3  # two failures, one success: no busy loop
    finally:
        controller.shutdown()


def test_a_tile_opened_while_the_browser_cannot_start_fails_plainly(
    events: list[Event], sample_profile: Profile
) -> None:
    controller, made = make_controller(sample_profile, events, outcomes=[True] * 20)
    bus = controller.bus
    try:
        controller.open("caf")
        assert wait_for(lambda: delivered(bus, events, "session.failed"), timeout=10)
        failed = next(e for e in events if e.topic == "session.failed")
        assert failed.data["reason"] == "browser_unavailable"
        assert not any(b.opened for b in made)
    finally:
        controller.shutdown()
    count = len(made)
    threading.Event().wait(0.6)
    assert len(made) == count, "no retry may run after shutdown"
