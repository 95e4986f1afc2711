"""Clearing the clipboard on a real X display with real selection owners."""

from __future__ import annotations

import subprocess

import pytest
from harness import XScreen

from kiosk.session.clipboard import clear_selections, selections_empty

SELECTIONS = ("--primary", "--secondary", "--clipboard")


def put(screen: XScreen, flag: str, text: str) -> None:
    # xsel forks a helper that owns the selection until someone else takes it.
    subprocess.run(["xsel", flag, "--input"], input=text, text=True, env=screen.env,
                   check=True, timeout=10)


def read(screen: XScreen, flag: str) -> str:
    return subprocess.run(["xsel", flag, "--output"], env=screen.env, capture_output=True,
                          text=True, check=False, timeout=10).stdout


@pytest.mark.display
def test_every_selection_is_emptied(screen: XScreen) -> None:
    try:
        for flag in SELECTIONS:
            put(screen, flag, f"IBAN FR76 3000 {flag}")
        assert all(read(screen, flag) for flag in SELECTIONS)

        assert not selections_empty(screen.display)

        clear_selections(screen.display)

        assert [read(screen, flag) for flag in SELECTIONS] == ["", "", ""]
        assert selections_empty(screen.display)
        put(screen, "--secondary", "left over")
        assert not selections_empty(screen.display)
    finally:
        # Taking the selections away also ends xsel's serving helpers.
        for flag in SELECTIONS:
            subprocess.run(["xsel", flag, "--clear"], env=screen.env, check=False, timeout=10)


def test_a_broken_display_fails_loudly() -> None:
    with pytest.raises(RuntimeError, match="primary, secondary, clipboard"):
        clear_selections(":4243")
    with pytest.raises(RuntimeError, match="no X display"):
        clear_selections("")
    with pytest.raises(RuntimeError, match="could not read"):
        selections_empty(":4243")


def test_missing_xsel_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(RuntimeError, match="xsel is not installed"):
        clear_selections(":0")
