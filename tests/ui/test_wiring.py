"""The kiosk wired as `kiosk run` wires it: every event handled, participants plugged in,
the toolbar drawn from items, the document picker driven by the keyboard."""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from pathlib import Path

from harness import SAMPLE_PROFILE, wait_for
from session_fakes import Notebook, make_rig
from tk_helpers import AppMaker, QuietControl, settle, texts

from kiosk.app import KioskApp
from kiosk.bus import EventBus
from kiosk.config.load import load_profile
from kiosk.events import (
    Document,
    DocumentAdded,
    Event,
    FileChooserOpened,
    PageOpened,
    SessionWiped,
    declared_events,
)
from kiosk.runner import build_services
from kiosk.session.flow import OpenProcedure
from kiosk.session.participant import Availability, ToolbarItem


def test_every_declared_event_is_handled_once_the_kiosk_is_wired(make_app: AppMaker) -> None:
    bus = EventBus()
    services = build_services(load_profile(SAMPLE_PROFILE), bus)
    try:
        make_app(bus=bus, toolbar_items=services.toolbar_items)
        assert services.stats is not None, "the statistics are part of the wiring"
        unhandled = set(declared_events()) - bus.subscribed_kinds()
        assert unhandled == set()
    finally:
        services.close()


def pump_until(app: KioskApp, bus: EventBus, done: Callable[[], bool]) -> bool:
    def step() -> bool:
        bus.drain()
        settle(app.root, 1)
        return done()

    return wait_for(step, 10)


def test_a_new_participant_plugs_in_with_its_item_and_its_wipe_step(
    make_app: AppMaker
) -> None:
    notebook = Notebook()
    rig = make_rig(participants=[notebook])
    try:
        app = make_app(bus=rig.bus, controller_factory=lambda bounds: rig.controller,
                       toolbar_items=notebook.toolbar_items())
        app.feed(OpenProcedure("caf"))
        assert pump_until(app, rig.bus, lambda: bool(rig.published.of(PageOpened)))
        assert app.toolbar is not None
        item = app.toolbar.buttons["notebook"]
        assert item.cget("text") == "✎ Notebook"
        assert list(app.toolbar.buttons)[:4] == ["home", "back", "reload", "notebook"]
        item.invoke()
        assert notebook.pressed == 1
        app.toolbar.buttons["end"].invoke()
        settle(app.root)
        assert app.shell.current is not None and app.shell.current.name == "end_confirmation"
        confirm = app.shell.current.order[1]
        assert isinstance(confirm, tk.Button)
        confirm.invoke()  # "Yes, end my session"
        assert pump_until(app, rig.bus, lambda: app.shell.current is not None
                          and app.shell.current.name == "home"
                          and bool(rig.published.of(SessionWiped)))
        assert notebook.wiped == ["forget_notes", "check"]
    finally:
        rig.controller.shutdown()


def test_a_greyed_out_item_says_why_when_pressed(make_app: AppMaker) -> None:
    pressed: list[str] = []
    printer = ToolbarItem("print", lambda: "Imprimer", "⎙", lambda: pressed.append("print"),
                          availability=lambda: Availability(
                              why_unavailable="L'imprimante n'a plus de papier."))
    app = make_app(toolbar_items=[printer])
    app.controller = QuietControl()
    app.feed(OpenProcedure("caf"))
    settle(app.root)
    assert app.toolbar is not None
    app.toolbar.buttons["print"].invoke()
    settle(app.root)
    assert pressed == []
    assert app.shell.current is not None and app.shell.current.name == "message"
    assert "L'imprimante n'a plus de papier." in texts(app.root)
    app.root.focus_get().event_generate("<Escape>")  # type: ignore[union-attr]
    settle(app.root)
    assert app.shell.current.name == "toolbar"


def downloaded(folder: Path, name: str, added_at: float) -> DocumentAdded:
    return DocumentAdded(Document(name, folder / name, "download", added_at))


def app_with_picker(make_app: AppMaker, *happened: Event) -> tuple[KioskApp, QuietControl]:
    """An app on a procedure to which `happened` (downloads, a file chooser) occurred."""
    control = QuietControl()
    app = make_app()
    app.controller = control
    app.feed(OpenProcedure("caf"))
    for event in happened:
        app.bus.publish(event)
    app.bus.drain()
    settle(app.root)
    return app, control


def test_the_picker_starts_on_the_newest_and_escape_sends_nothing(
    make_app: AppMaker, tmp_path: Path
) -> None:
    app, control = app_with_picker(
        make_app, downloaded(tmp_path, "ancien.pdf", 1.0), downloaded(tmp_path, "recent.pdf", 2.0),
        FileChooserOpened(multiple=False, accept=(".pdf",)))
    assert app.shell.current is not None and app.shell.current.name == "picker"
    focused = app.root.focus_get()
    assert focused is not None and "recent.pdf" in str(focused.cget("text"))
    focused.event_generate("<Escape>")
    settle(app.root)
    assert control.calls[-2:] == ["give ", "focus"]
    assert app.shell.current.name == "toolbar"
    # The Documents button counted both downloads without being rebuilt.
    assert app.toolbar is not None
    assert app.toolbar.buttons["documents"].cget("text").endswith("(2)")


def test_return_on_a_document_sends_it(make_app: AppMaker, tmp_path: Path) -> None:
    app, control = app_with_picker(make_app, downloaded(tmp_path, "recu.pdf", 1.0),
                                   FileChooserOpened(multiple=False))
    focused = app.root.focus_get()
    assert focused is not None
    focused.event_generate("<Return>")
    settle(app.root)
    assert "give recu.pdf" in control.calls


def test_ticks_survive_a_download_arriving_while_the_picker_is_open(
    make_app: AppMaker, tmp_path: Path
) -> None:
    app, control = app_with_picker(make_app, downloaded(tmp_path, "avis.pdf", 1.0),
                                   FileChooserOpened(multiple=True))
    focused = app.root.focus_get()
    assert focused is not None and "avis.pdf" in str(focused.cget("text"))
    focused.event_generate("<Return>")  # ticks it
    settle(app.root)
    app.bus.publish(downloaded(tmp_path, "recu.pdf", 2.0))
    app.bus.drain()
    settle(app.root)
    assert app.shell.current is not None and app.shell.current.name == "picker"
    send = [w for w in app.shell.current.order if str(w).endswith(".send")]
    assert len(send) == 1 and isinstance(send[0], tk.Button)
    send[0].invoke()
    settle(app.root)
    assert "give avis.pdf" in control.calls
