"""Read aloud from the shell: the toggle on the home screen, then what takes the focus
spoken in the resident's language, through the real speech service (WAV files)."""

from __future__ import annotations

import tkinter as tk
from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import wait_for
from tk_helpers import AppMaker, QuietControl, settle

from kiosk.app import KioskApp
from kiosk.bus import EventBus
from kiosk.devices.speech import SpeechParticipant, SpeechService, WavSink
from kiosk.session.flow import OpenProcedure
from kiosk.ui.widgets import shown_text


@pytest.fixture
def speech(tmp_path: Path) -> Iterator[tuple[SpeechParticipant, EventBus, Path]]:
    bus = EventBus()
    folder = tmp_path / "speech"
    service = SpeechService(WavSink(folder))
    service.start()
    participant = SpeechParticipant(service, bus)
    yield participant, bus, folder
    participant.close()


def spoken(folder: Path) -> list[tuple[str, str]]:
    """(language, words) of each text said so far, in order; only whole WAV files count."""
    said = []
    for wav in sorted(folder.glob("*.wav")):
        words = wav.with_suffix(".txt").read_text(encoding="utf-8")
        said.append((wav.stem.split("-", 1)[1], words))
    return said


def until_said(app: KioskApp, bus: EventBus, folder: Path, wanted: tuple[str, str]) -> bool:
    def step() -> bool:
        bus.drain()
        settle(app.root, 1)
        return folder.exists() and wanted in spoken(folder)

    return wait_for(step, 20)


def home_button(app: KioskApp, name: str) -> tk.Button:
    assert app.shell.current is not None
    found = [w for w in app.shell.current.order if w.winfo_name() == name]
    assert found, f"no {name} button on the home screen"
    assert isinstance(found[0], tk.Button)
    return found[0]


def test_read_aloud_says_the_tile_that_takes_the_focus_in_the_session_language(
        make_app: AppMaker, speech: tuple[SpeechParticipant, EventBus, Path]) -> None:
    participant, bus, folder = speech
    app = make_app(bus=bus, toolbar_items=participant.toolbar_items())
    home_button(app, "lang_en").invoke()
    settle(app.root)
    toggle = home_button(app, "speech")
    assert toggle.cget("text") == "🔊 Read aloud: off"
    assert toggle.winfo_height() >= 48 and toggle.winfo_width() >= 48
    toggle.invoke()
    assert toggle.cget("text") == "🔊 Read aloud: on"
    assert until_said(app, bus, folder, ("en", "Read aloud is on."))
    assert app.shell.current is not None and app.shell.current.arrow_group
    tiles = app.shell.current.arrow_group
    tiles[0].focus_force()
    settle(app.root)
    tiles[0].event_generate("<Tab>")  # the resident moves to the next tile
    settle(app.root)
    assert app.root.focus_get() is tiles[1]
    assert until_said(app, bus, folder, ("en", str(tiles[1].cget("text"))))


def test_read_aloud_in_the_toolbar_and_a_procedure_title_spoken(
        make_app: AppMaker, speech: tuple[SpeechParticipant, EventBus, Path]) -> None:
    participant, bus, folder = speech
    app = make_app(bus=bus, toolbar_items=participant.toolbar_items())
    home_button(app, "speech").invoke()  # in French, the terminal's language
    assert until_said(app, bus, folder, ("fr", "La lecture à voix haute est activée."))
    app.controller = QuietControl()
    app.feed(OpenProcedure("caf"))
    settle(app.root)
    assert app.toolbar is not None
    item = app.toolbar.buttons["speech"]
    # Its words say its state, and it is drawn sunken while on.
    assert shown_text(item) == "🔊 Lecture à voix haute : activée"
    assert item.cget("relief") == "sunken"
    assert item.winfo_height() >= 48 and item.winfo_width() >= 48
    assert until_said(app, bus, folder, ("fr", "Allocations familiales (CAF)"))
    item.invoke()
    settle(app.root)
    assert not participant.on
    assert wait_for(lambda: (bus.drain(), shown_text(item))[1]
                    == "🔊 Lecture à voix haute : désactivée", 5)
    assert item.cget("relief") == "raised"
