"""A page that keeps the screen awake must not keep the resident's session alive.

A real Chromium shows a page that holds a screen wake lock and plays a muted looping
video; nobody touches anything; the kiosk's idle clock must keep counting. (The wake
lock needs a secure context: the page is served on localhost.)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from browser_helpers import SessionFactory, allowlist
from harness import XScreen, wait_for

from kiosk.browser.session import BrowserSession
from kiosk.config.allowlist import Allowlist
from kiosk.session.idle import XIdleClock
from kiosk.session.input_clock import InputIdleClock

pytestmark = [pytest.mark.browser, pytest.mark.display]


def open_awake_page(browser: BrowserSession, port: int) -> None:
    browser.set_allowlist(allowlist() | Allowlist.of(["localhost"]))
    browser.open(f"http://localhost:{port}/awake")
    assert wait_for(lambda: browser.evaluate(
        "typeof awake === 'object' && document.readyState === 'complete'") is True, 15)
    browser.focus()
    browser.evaluate("holdWakeLock(); playVideo();", user_gesture=True)


def keeps_the_screen_awake(browser: BrowserSession) -> bool:
    state = browser.evaluate("[awake.wakeLock, awake.video, !clip.paused && clip.currentTime]")
    return isinstance(state, list) and state[:2] == ["held", "playing"] and bool(state[2])


def test_a_page_keeping_the_screen_awake_does_not_reset_the_idle_clock(
        fresh: SessionFactory, site: Any, screen: XScreen, tmp_path: Path) -> None:
    browser, _ = fresh(tmp_path / "session")
    clock = InputIdleClock(screen.display)
    screen_saver = XIdleClock(screen.display)  # for the record: what the old clock saw
    try:
        open_awake_page(browser, site.port)
        assert wait_for(lambda: keeps_the_screen_awake(browser), 15), browser.evaluate(
            "JSON.stringify(awake)")
        awake_at = clock.idle_seconds()
        seen: list[tuple[float, float]] = []

        def five_more_idle_seconds() -> bool:
            seen.append((round(clock.idle_seconds(), 1), round(screen_saver.idle_seconds(), 1)))
            return clock.idle_seconds() >= awake_at + 5.0

        assert wait_for(five_more_idle_seconds, 20, interval=0.5), seen
        assert keeps_the_screen_awake(browser), "the page still holds the lock and plays"
        print("idle seconds (input clock, screen saver clock):", seen)
    finally:
        clock.close()
        screen_saver.close()
