"""Text size and contrast: every screen at every size, nothing cut, every target touchable."""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from pathlib import Path

import pytest
from harness import XScreen
from PIL import Image
from screenshots import check_against_reference
from tk_helpers import AppMaker, QuietControl, settle
from ui.layout_check import find_clipped, find_small_targets

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


def _to_print_panel(tmp_path: Path) -> list[f.Input]:
    pdf = tmp_path / "page.pdf"
    return [f.OpenProcedure("caf"), PrintRequested(), PagePdfReady(pdf),
            PrintPreviewReady(pdf, pdf, 3, (_preview(tmp_path),))]


def _to_picker(tmp_path: Path) -> list[f.Input]:
    added: list[f.Input] = [
        DocumentAdded(Document(f"justificatif de domicile numéro {index}.pdf",
                               tmp_path / f"{index}.pdf", "download", float(index)))
        for index in range(3)]
    return [f.OpenProcedure("caf"), *added, FileChooserOpened(multiple=True)]


SCANNER = Scanner("test:0", "Noname frontend-tester")
# screen name -> what leads there from the home screen
SCREENS: dict[str, Callable[[Path], list[f.Input]]] = {
    "home": lambda tmp: [],
    "help": lambda tmp: [f.ShowHelp()],
    "other_ways": lambda tmp: [f.ShowOtherWays("caf")],
    "toolbar": lambda tmp: [f.OpenProcedure("caf")],
    "end_question": lambda tmp: [f.OpenProcedure("caf"), f.AskToEnd()],
    "documents": lambda tmp: [*_to_picker(tmp), f.CancelPicker(), f.ShowDocuments()],
    "countdown": lambda tmp: [f.OpenProcedure("caf"), CountdownTick(20, "idle")],
    "print_panel": _to_print_panel,
    "scan_panel": lambda tmp: [ScannersChanged((SCANNER,), ""), f.OpenProcedure("caf"),
                               ScanRequested()],
    "picker": _to_picker,
    "pin_pad": lambda tmp: [f.AssistedModeAsked(), PinChecked(CodeNeeded("Ana"))],
    "out_of_service": lambda tmp: [
        f.OpenProcedure("caf"), f.EndSession("button"),
        SessionWiped("button", failed_checks=("delete_session_dir",))],
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
@pytest.mark.parametrize("language", ["fr", "en", "es", "ar"])
def test_nothing_is_cut_and_every_target_is_touchable(
    make_app: AppMaker, tmp_path: Path, screen_name: str, size: str, language: str,
) -> None:
    app = _presented(make_app, language, size, contrast=size == "large")
    for item in SCREENS[screen_name](tmp_path):
        app.feed(item)
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
    sentence = tk.Label(box, text="A sentence far too long for the box it was given")
    sentence.pack(side="left")
    tk.Button(box, text="x").pack(side="left")
    settle(tk_root)
    try:
        clipped = find_clipped(box)
        assert any("cut" in line for line in clipped), clipped
        assert any("given no room" in line for line in clipped), clipped
        sentence.destroy()
        settle(tk_root)
        assert find_clipped(box) == []
        assert [line for line in find_small_targets(box, 48) if "x" in line]
    finally:
        box.destroy()


@pytest.mark.parametrize(("name", "size", "contrast", "items"), [
    ("home-very-large-1024x768", "very_large", False, []),
    ("toolbar-very-large-1024x768", "very_large", False, [f.OpenProcedure("caf")]),
    ("home-high-contrast-1024x768", "normal", True, []),
    ("display-panel-1024x768", "normal", False, [f.OpenProcedure("caf")]),
])
def test_screenshots(make_app: AppMaker, screen: XScreen, artifacts: Path, name: str, size: str,
                     contrast: bool, items: list[f.Input]) -> None:
    app = _presented(make_app, "fr", size, contrast)
    for item in items:
        app.feed(item)
    if name.startswith("display-panel"):
        settle(app.root)
        _open_display_panel(app)
    app.root.event_generate("<Motion>", warp=True, x=1000, y=700)  # no pointer over a button
    settle(app.root)
    shot = screen.screenshot(artifacts / f"{name}-screen.png")
    with Image.open(shot) as whole:
        whole.crop((0, 0, *SMALL_SCREEN)).save(artifacts / f"{name}.png")
    check_against_reference(artifacts / f"{name}.png", name)


def _open_display_panel(app: KioskApp) -> None:
    """Opens the panel from the keyboard, as a resident without a mouse would."""
    assert app.toolbar is not None and app.toolbar.display is not None
    app.shell.focus.focus(app.toolbar.display)
    settle(app.root)
    app.toolbar.display.event_generate("<Return>")
    settle(app.root)


def _windows(app: KioskApp) -> list[str]:
    return [str(w) for w in app.root.winfo_children() if isinstance(w, tk.Toplevel)]


def test_the_display_panel_opens_from_the_keyboard_and_escape_closes_it(
        make_app: AppMaker) -> None:
    app = _presented(make_app, "fr", "normal", contrast=False)
    app.feed(f.OpenProcedure("caf"))
    settle(app.root)
    windows = _windows(app)
    _open_display_panel(app)
    assert app.toolbar is not None and app.toolbar.panel is not None
    panel = app.toolbar.panel
    assert _windows(app) == windows, "a frame over the strip, not a window of its own"
    assert panel.frame.winfo_ismapped()
    assert app.root.focus_get() is panel.chosen
    assert panel.chosen.cget("text") == "✓A"  # the size in force
    texts_shown = [b.cget("text") for b in panel.buttons]
    assert "◐ Contraste élevé" in texts_shown and "✕ Fermer" in texts_shown
    for widget in panel.buttons:
        assert widget.winfo_width() >= 48 and widget.winfo_height() >= 48, str(widget)
    # Tab goes round the panel's buttons only.
    for _step in panel.buttons:
        app.root.focus_get().event_generate("<Tab>")  # type: ignore[union-attr]
        settle(app.root)
        assert app.root.focus_get() in panel.buttons
    app.root.focus_get().event_generate("<Escape>")  # type: ignore[union-attr]
    settle(app.root)
    assert app.toolbar.panel is None and not panel.frame.winfo_exists()
    assert app.root.focus_get() is app.toolbar.display
    assert app.flow.text_size == "normal"


def test_a_size_chosen_in_the_display_panel_applies_at_once_and_closes_it(
        make_app: AppMaker) -> None:
    app = _presented(make_app, "fr", "normal", contrast=False)
    app.feed(f.OpenProcedure("caf"))
    settle(app.root)
    _open_display_panel(app)
    assert app.toolbar is not None and app.toolbar.panel is not None
    panel = app.toolbar.panel
    large = panel.controls.size_buttons[1]
    large.focus_force()
    large.event_generate("<Return>")
    settle(app.root)
    assert app.flow.text_size == "large"
    assert not panel.frame.winfo_exists()
    assert app.toolbar is not None and app.toolbar.panel is None
    assert app.shell.current is not None and app.shell.current.name == "toolbar"
    _open_display_panel(app)
    assert app.toolbar.panel is not None
    app.toolbar.panel.controls.contrast.invoke()
    settle(app.root)
    assert app.flow.high_contrast and app.toolbar.panel is None


@pytest.mark.parametrize("size", f.TEXT_SIZES)
@pytest.mark.parametrize("language", ["fr", "en", "es", "ar"])
def test_the_display_panel_is_not_cut_and_is_mirrored(
        make_app: AppMaker, size: str, language: str) -> None:
    app = _presented(make_app, language, size, contrast=False)
    app.feed(f.OpenProcedure("caf"))
    settle(app.root)
    _open_display_panel(app)
    assert app.toolbar is not None and app.toolbar.panel is not None
    panel = app.toolbar.panel
    assert find_clipped(panel.frame) == []
    assert find_small_targets(panel.frame, 48) == []
    smallest, close = panel.controls.size_buttons[0], panel.close_button
    # Close at the far end: the right, the left in Arabic.
    assert (close.winfo_rootx() < smallest.winfo_rootx()) == (language == "ar")
