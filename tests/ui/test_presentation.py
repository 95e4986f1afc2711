"""Text size and contrast: every screen at every size, nothing cut, every target touchable."""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from pathlib import Path

import pytest
from ui.layout_check import find_clipped, find_small_targets
from PIL import Image
from tk_helpers import AppMaker, QuietControl, settle

from kiosk import i18n
from kiosk.app import KioskApp
from kiosk.assisted.unlock import CodeNeeded
from kiosk.events import (
    CountdownTick,
    Document,
    DocumentAdded,
    FileChooserOpened,
    PagePdfReady,
    PinChecked,
    PrintPreviewReady,
    PrintRequested,
    Scanner,
    ScannersChanged,
    ScanRequested,
    SessionWiped,
)
from kiosk.session import flow as f
from kiosk.session.participant import ToolbarItem

SMALL_SCREEN = (1024, 768)
DEVICES = [ToolbarItem("print", lambda: i18n._("Print"), "❐", lambda: None),
           ToolbarItem("scan", lambda: i18n._("Scan"), "▤", lambda: None)]


def _preview(tmp_path: Path) -> Path:
    path = tmp_path / "preview-1.png"
    Image.new("RGB", (150, 212), "white").save(path)
    return path


def _to_print_panel(app: KioskApp, tmp_path: Path) -> None:
    pdf = tmp_path / "page.pdf"
    app.feed(f.OpenProcedure("caf"))
    app.feed(PrintRequested())
    app.feed(PagePdfReady(pdf))
    app.feed(PrintPreviewReady(pdf, pdf, 3, (_preview(tmp_path),)))


def _to_picker(app: KioskApp, tmp_path: Path) -> None:
    app.feed(f.OpenProcedure("caf"))
    for index in range(3):
        name = f"justificatif de domicile numéro {index}.pdf"
        app.feed(DocumentAdded(Document(name, tmp_path / name, "download", float(index))))
    app.feed(FileChooserOpened(multiple=True))


# screen name -> how to reach it from the home screen
SCREENS: dict[str, Callable[[KioskApp, Path], None]] = {
    "home": lambda app, tmp: None,
    "help": lambda app, tmp: app.feed(f.ShowHelp()),
    "other_ways": lambda app, tmp: app.feed(f.ShowOtherWays("caf")),
    "toolbar": lambda app, tmp: app.feed(f.OpenProcedure("caf")),
    "end_question": lambda app, tmp: (app.feed(f.OpenProcedure("caf")), app.feed(f.AskToEnd())),
    "documents": lambda app, tmp: (_to_picker(app, tmp), app.feed(f.CancelPicker()),
                                   app.feed(f.ShowDocuments())),
    "countdown": lambda app, tmp: (app.feed(f.OpenProcedure("caf")),
                                   app.feed(CountdownTick(20, "idle"))),
    "print_panel": _to_print_panel,
    "scan_panel": lambda app, tmp: (
        app.feed(ScannersChanged((Scanner("test:0", "Noname frontend-tester"),), "")),
        app.feed(f.OpenProcedure("caf")), app.feed(ScanRequested())),
    "picker": _to_picker,
    "pin_pad": lambda app, tmp: (app.feed(f.AssistedModeAsked()),
                                 app.feed(PinChecked(CodeNeeded("Ana")))),
    "out_of_service": lambda app, tmp: (
        app.feed(f.OpenProcedure("caf")), app.feed(f.EndSession("button")),
        app.feed(SessionWiped("button", failed_checks=("delete_session_dir",)))),
}


def _presented(make_app: AppMaker, language: str, size: str, contrast: bool) -> KioskApp:
    app = make_app(size=SMALL_SCREEN, toolbar_items=DEVICES)
    app.controller = QuietControl()
    i18n.set_language(language)
    app.feed(f.SetTextSize(size))
    if contrast:
        app.feed(f.SetHighContrast(True))
    return app


@pytest.mark.parametrize("screen_name", list(SCREENS))
@pytest.mark.parametrize("size", f.TEXT_SIZES)
@pytest.mark.parametrize("language", ["fr", "en"])
def test_nothing_is_cut_and_every_target_is_touchable(
    make_app: AppMaker, tmp_path: Path, screen_name: str, size: str, language: str,
) -> None:
    app = _presented(make_app, language, size, contrast=size == "large")
    SCREENS[screen_name](app, tmp_path)
    settle(app.root)
    assert app.shell.current is not None
    root = app.root
    # The procedure's name in the toolbar gives its room up to the buttons, by design.
    assert find_clipped(root, may_yield=("title",)) == []
    assert find_small_targets(root, 48) == []


def test_the_checker_sees_a_cut_label_and_a_small_button(tk_root: tk.Tk) -> None:
    box = tk.Frame(tk_root, width=200, height=60)
    box.pack_propagate(False)
    box.pack(side="top")
    tk.Label(box, text="A sentence far too long for the box it was given").pack(side="left")
    tk.Button(box, text="x").pack(side="left")
    settle(tk_root)
    try:
        clipped = find_clipped(box)
        assert any("cut" in line for line in clipped), clipped
        assert any("given no room" in line for line in clipped), clipped
        assert find_small_targets(tk_root, 48) != []
    finally:
        box.destroy()
