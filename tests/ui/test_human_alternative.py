"""The human alternative on a real Tk root: Help on every screen a resident can act on,
Escape back to where they were, and "Take it with me" as a QR code a phone can read."""

from __future__ import annotations

import shutil
import subprocess
import tkinter as tk
from collections.abc import Callable
from pathlib import Path

import pytest
from harness import XScreen
from PIL import Image
from tk_helpers import AppMaker, QuietControl, settle, texts

from kiosk.app import KioskApp
from kiosk.assisted.unlock import Accepted
from kiosk.events import (
    AssistedModeAsked,
    CountdownTick,
    Document,
    DocumentAdded,
    FileChooserOpened,
    PageAddressChanged,
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
from kiosk.ui.qr import qr_image
from kiosk.ui.screen import ScreenParts


def current(app: KioskApp) -> ScreenParts:
    assert app.shell.current is not None
    return app.shell.current


def named(parts: ScreenParts, name: str) -> tk.Widget | None:
    return next((w for w in parts.order if w.winfo_name() == name), None)


def press_escape(app: KioskApp) -> None:
    target = app.root.focus_get() or app.root
    target.event_generate("<KeyPress-Escape>")
    settle(app.root)


def on_page(app: KioskApp) -> None:
    app.controller = QuietControl()
    app.feed(f.OpenProcedure("caf"))
    settle(app.root)


def print_panel(app: KioskApp, pdf: Path) -> None:
    on_page(app)
    app.feed(PrintRequested())
    app.feed(PagePdfReady(pdf))
    app.feed(PrintPreviewReady(pdf, pdf, 1, ()))


def picker(app: KioskApp, pdf: Path) -> None:
    on_page(app)
    app.feed(DocumentAdded(Document("recu.pdf", pdf, "download", 1.0)))
    app.feed(FileChooserOpened(multiple=False))


def scan_panel(app: KioskApp, pdf: Path) -> None:
    app.feed(ScannersChanged((Scanner("test:0", "Noname frontend-tester"),), ""))
    on_page(app)
    app.feed(ScanRequested())


def pin_pad(app: KioskApp, pdf: Path) -> None:
    on_page(app)
    app.feed(AssistedModeAsked())


def consent(app: KioskApp, pdf: Path) -> None:
    pin_pad(app, pdf)
    app.feed(PinChecked(Accepted("Ana")))


def end_question(app: KioskApp, pdf: Path) -> None:
    on_page(app)
    app.feed(f.AskToEnd())


def documents(app: KioskApp, pdf: Path) -> None:
    on_page(app)
    app.feed(f.ShowDocuments())


def other_ways(app: KioskApp, pdf: Path) -> None:
    app.feed(f.ShowOtherWays("caf"))


def print_status(app: KioskApp, pdf: Path) -> None:
    on_page(app)
    app.feed(PrintRequested())


# screen reached -> its name, and the name shown after Back/Escape from help
SCREENS: dict[str, tuple[Callable[[KioskApp, Path], None], str]] = {
    "print_panel": (print_panel, "print_panel"),
    "print_status": (print_status, "print_status"),
    "picker": (picker, "picker"),
    "scan_choose": (scan_panel, "scan_choose"),
    "pin pad": (pin_pad, "pin pad"),
    "consent": (consent, "consent"),
    "end_confirmation": (end_question, "end_confirmation"),
    "documents": (documents, "documents"),
    "other_ways": (other_ways, "other_ways"),
}


@pytest.fixture
def pdf(tmp_path: Path) -> Path:
    path = tmp_path / "recu.pdf"
    path.write_bytes(b"%PDF-1.4\n%%EOF\n")
    return path


@pytest.mark.parametrize("screen_name", list(SCREENS))
def test_help_is_one_press_away_and_escape_comes_back(
    make_app: AppMaker, pdf: Path, screen_name: str
) -> None:
    app = make_app((1024, 768))
    reach, back_to = SCREENS[screen_name]
    reach(app, pdf)
    settle(app.root)
    assert current(app).name == screen_name
    help_button = named(current(app), "help")
    assert isinstance(help_button, tk.Button), f"no Help on {screen_name}"
    bottom = app.root.winfo_rooty() + 768
    for widget in current(app).order:
        if widget.winfo_ismapped():
            assert widget.winfo_rooty() + widget.winfo_height() <= bottom, \
                f"{widget} is below the 768 px screen's edge"
    assert help_button.winfo_height() >= 48 and help_button.winfo_width() >= 48
    help_button.invoke()
    settle(app.root)
    assert current(app).name == "help"
    assert any("32 30" in t for t in texts(app.root)) or screen_name in ("pin pad", "consent") \
        or not app.flow.procedure_id
    press_escape(app)
    assert current(app).name == back_to


def test_help_from_the_idle_countdown_leads_back_to_the_page(make_app: AppMaker) -> None:
    app = make_app((1024, 768))
    on_page(app)
    app.feed(CountdownTick(20, "idle"))
    settle(app.root)
    assert current(app).name == "countdown"
    button = named(current(app), "help")
    assert isinstance(button, tk.Button)
    button.invoke()
    settle(app.root)
    assert current(app).name == "help"
    press_escape(app)
    assert current(app).name == "toolbar"


def test_escape_on_the_countdown_is_i_am_still_here(make_app: AppMaker) -> None:
    app = make_app((1024, 768))
    on_page(app)
    app.feed(CountdownTick(20, "idle"))
    settle(app.root)
    press_escape(app)
    assert current(app).name == "toolbar"


def test_out_of_service_shows_the_desk_and_leads_nowhere(make_app: AppMaker) -> None:
    app = make_app((1024, 768))
    on_page(app)
    app.feed(f.EndSession("button"))
    app.feed(SessionWiped("button", failed_checks=("delete_session_dir",)))
    settle(app.root)
    parts = current(app)
    assert parts.name == "out_of_service"
    assert parts.order == [] and parts.escape is None
    assert any("Accueil" in t for t in texts(app.root))


def zbar(image: Path) -> str:
    found = subprocess.run(["zbarimg", "--raw", "-q", str(image)], capture_output=True,
                           text=True, timeout=30)
    return found.stdout.strip()


def shown_code(app: KioskApp, screen: XScreen, name: str, tmp_path: Path) -> Image.Image:
    """The pixels of the QR code named `name`, as the screen shows them."""
    widget = app.root.nametowidget(_path_of(app.root, name))
    app.root.update()
    shot = screen.screenshot(tmp_path / "screen.png")
    x, y = widget.winfo_rootx(), widget.winfo_rooty()
    with Image.open(shot) as image:
        return image.convert("RGB").crop((x, y, x + widget.winfo_width(),
                                          y + widget.winfo_height()))


def _path_of(root: tk.Misc, name: str) -> str:
    pending: list[tk.Misc] = [root]
    while pending:
        widget = pending.pop()
        if widget.winfo_name() == name:
            return str(widget)
        pending.extend(widget.winfo_children())
    raise AssertionError(f"nothing named {name} on screen")


def test_take_it_with_me_shows_the_page_address_without_its_personal_part(
    make_app: AppMaker, screen: XScreen, tmp_path: Path
) -> None:
    app = make_app((1024, 768))
    on_page(app)
    # What the guard reports once the page is committed (already stripped there).
    app.feed(PageAddressChanged("http://caf.borne.test/mes-droits"))
    app.feed(f.ShowHelp())
    settle(app.root)
    assert current(app).name == "help"
    assert "Scannez pour continuer chez vous" in texts(app.root)
    code = shown_code(app, screen, "take_away_qr", tmp_path)
    expected = qr_image("http://caf.borne.test/mes-droits", code.width)
    if shutil.which("zbarimg"):
        code.save(tmp_path / "take_away.png")
        assert zbar(tmp_path / "take_away.png") == "http://caf.borne.test/mes-droits"
    else:  # the same modules as the code made for the expected text
        assert list(code.getdata()) == list(expected.getdata())


def test_no_take_away_code_for_a_blocked_page_or_from_the_tiles(make_app: AppMaker) -> None:
    app = make_app((1024, 768))
    app.feed(f.ShowHelp())
    settle(app.root)
    assert "Scannez pour continuer chez vous" not in texts(app.root)
    app.feed(f.GoBack())
    on_page(app)
    app.feed(PageAddressChanged(""))  # the guard's blocked page, or the kiosk's own
    app.feed(f.ShowHelp())
    settle(app.root)
    shown = texts(app.root)
    assert "Scannez pour continuer chez vous" not in shown
    assert any("32 30" in t for t in shown), "the procedure's other ways are still there"
