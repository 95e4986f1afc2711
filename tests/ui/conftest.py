"""One Tk root for the whole UI test session, on the private X screen, and apps on it."""

from __future__ import annotations

import os
import tkinter as tk
from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import SAMPLE_PROFILE, XScreen
from tk_helpers import AppMaker, settle

from kiosk import i18n
from kiosk.app import KioskApp
from kiosk.bus import EventBus
from kiosk.config.load import load_profile
from kiosk.session import controller as controller_module


@pytest.fixture(scope="session")
def tk_root(screen: XScreen) -> Iterator[tk.Tk]:
    from kiosk.runner import make_root

    previous = os.environ.get("DISPLAY")
    os.environ["DISPLAY"] = screen.display
    root = make_root()  # as in production
    try:
        yield root
    finally:
        root.destroy()
        if previous is None:
            os.environ.pop("DISPLAY", None)
        else:
            os.environ["DISPLAY"] = previous



@pytest.fixture
def make_app(tk_root: tk.Tk, tmp_path: Path,
             monkeypatch: pytest.MonkeyPatch) -> Iterator[AppMaker]:
    """Make kiosk apps on the shared root, with private state and session folders."""
    monkeypatch.setenv("KIOSK_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("KIOSK_SESSION_ROOT", str(tmp_path / "sessions"))
    monkeypatch.setattr(controller_module, "clear_selections", lambda display: None)
    monkeypatch.setattr(controller_module, "selections_empty", lambda display: True)
    made: list[KioskApp] = []

    def make(size: tuple[int, int] = (1280, 1024), profile: Path = SAMPLE_PROFILE,
             bus: EventBus | None = None, **options: object) -> KioskApp:
        app = KioskApp(tk_root, bus or EventBus(), load_profile(profile), fullscreen=False,
                       size=size, **options)  # type: ignore[arg-type]
        made.append(app)
        settle(tk_root)
        return app

    yield make
    for app in made:
        app.stop_pumping()
        if app.shell.current is not None:
            app.shell.current.frame.destroy()
    # Whatever a test's screens left packed on the shared root would take the next
    # test's room (a toolbar strip is only as high as the window).
    for leftover in tk_root.pack_slaves():
        leftover.destroy()
    i18n.set_language("fr")
