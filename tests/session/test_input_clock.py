"""The input-only idle clock on a real Xvfb, driven with xdotool as a resident would."""

from __future__ import annotations

import ctypes
import logging
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from harness import XScreen, wait_for

from kiosk.session.idle import IdleClockError, XIdleClock, load_library
from kiosk.session.input_clock import InputIdleClock, open_idle_clock

pytestmark = pytest.mark.display


@pytest.fixture
def clock(screen: XScreen) -> Iterator[InputIdleClock]:
    clock = InputIdleClock(screen.display)
    yield clock
    clock.close()  # before the session's Xvfb stops under its reader thread


def idle_after_a_second(clock: InputIdleClock) -> bool:
    return wait_for(lambda: clock.idle_seconds() >= 1.0, 10)


def test_keys_clicks_and_pointer_moves_reset_it(screen: XScreen, clock: InputIdleClock) -> None:
    for action in (("key", "shift"), ("click", "1"), ("mousemove_relative", "--", "-7", "5")):
        assert idle_after_a_second(clock), "without input the idle time grows"
        screen.run("xdotool", *action)
        assert wait_for(lambda: clock.idle_seconds() < 1.0, 5), f"xdotool {action[0]}"


def test_a_client_resetting_the_screen_saver_resets_only_the_old_clock(
        screen: XScreen, clock: InputIdleClock) -> None:
    """What a page that keeps the screen awake may make its browser do (`xset s reset`).

    With XIdleClock the session never ends as long as something resets the screen
    saver; input is what must count. A pointer warp (`xdotool mousemove`) is no
    resident's input either.
    """
    old = XIdleClock(screen.display)
    try:
        assert idle_after_a_second(clock)
        assert wait_for(lambda: old.idle_seconds() >= 1.0, 10)
        screen.run("xset", "s", "reset")
        assert old.idle_seconds() < 1.0
        screen.run("xdotool", "mousemove", "321", "123")  # XWarpPointer
        assert old.idle_seconds() < 1.0
        assert clock.idle_seconds() >= 1.0
    finally:
        old.close()


def test_close_stops_it_and_is_idempotent(screen: XScreen) -> None:
    clock = InputIdleClock(screen.display)
    clock.close()
    with pytest.raises(IdleClockError, match="closed"):
        clock.idle_seconds()
    clock.close()


def test_a_missing_display_raises() -> None:
    with pytest.raises(IdleClockError, match="cannot open the X display"):
        InputIdleClock(":4242")


def _libxi_of_a_server_without_xinput2() -> SimpleNamespace:
    """libXi as a server without XInput 2 answers it (Xvfb cannot turn XInput off)."""

    def query_version(*args: object) -> int:
        return 1  # BadRequest

    def select_events(*args: object) -> int:
        raise AssertionError("no selection after a refused version")

    return SimpleNamespace(XIQueryVersion=query_version, XISelectEvents=select_events)


@pytest.fixture
def no_xinput2(monkeypatch: pytest.MonkeyPatch) -> None:
    def load(soname: str, short: str) -> ctypes.CDLL | SimpleNamespace:
        if short == "Xi":
            return _libxi_of_a_server_without_xinput2()
        return load_library(soname, short)

    monkeypatch.setattr("kiosk.session.input_clock.load_library", load)


@pytest.mark.usefixtures("no_xinput2")
def test_a_server_without_xinput2_raises(screen: XScreen) -> None:
    with pytest.raises(IdleClockError, match=r"no XInput 2\.1 or later"):
        InputIdleClock(screen.display)


@pytest.mark.usefixtures("no_xinput2")
def test_without_xinput2_the_kiosk_falls_back_to_the_screen_saver_counter(
        screen: XScreen, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        clock = open_idle_clock(screen.display)
    assert isinstance(clock, XIdleClock)
    clock.close()
    assert "no XInput 2.1" in caplog.text
    assert "falls back to the X screen saver" in caplog.text


def test_the_kiosk_uses_the_input_clock(screen: XScreen) -> None:
    clock = open_idle_clock(screen.display)
    assert isinstance(clock, InputIdleClock)
    clock.close()
