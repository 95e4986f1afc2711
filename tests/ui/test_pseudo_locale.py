"""The shell under a pseudo-language: every message wrapped in ⟦…⟧ and 40 % longer.

Made at test time from the code's messages (not committed) and found through
KIOSK_LOCALE_DIR. Any word on a screen outside the markers is either profile data
(terminal, procedures, desk) or a string that skipped gettext. Screenshots go to
the test's artifacts folder.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import catalogues
import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from harness import SAMPLE_PROFILE, XScreen
from tk_helpers import AppMaker, QuietControl, settle, texts
from ui.layout_check import find_clipped

from kiosk import i18n
from kiosk.app import KioskApp
from kiosk.events import CountdownTick, Scanner
from kiosk.session import flow as f

PSEUDO = "qps"  # a private-use language code: no real catalogue has it
OPEN, CLOSE = "⟦", "⟧"
ACCENTED = str.maketrans("aeiouAEIOUcnyCNY", "àéîõûÀÉÎÕÛçñýÇÑÝ")
MARKED = re.compile(f"{OPEN}[^{CLOSE}]*{CLOSE}")


def pseudo(text: str) -> str:
    """`text` accented outside its placeholders, marked, and 40 % longer."""
    parts = re.split(f"({catalogues.PLACEHOLDER.pattern})", text)
    body = "".join(part if catalogues.PLACEHOLDER.fullmatch(part) else part.translate(ACCENTED)
                   for part in parts)
    return f"{OPEN}{body}{'·' * math.ceil(len(text) * 0.4)}{CLOSE}"


@pytest.fixture
def pseudo_locale(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    catalogue = Catalog(locale="en", domain="kiosk")
    for message in catalogues.extract():
        if message.id:
            ids = (message.id,) if isinstance(message.id, str) else tuple(message.id)
            catalogue.add(message.id, tuple(pseudo(i) for i in ids) if len(ids) > 1
                          else pseudo(ids[0]))
    folder = tmp_path / "locale" / PSEUDO / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / "kiosk.mo").open("wb") as stream:
        write_mo(stream, catalogue)
    i18n.use_extra_catalogues(tmp_path / "locale")
    yield PSEUDO
    i18n.use_extra_catalogues(None)


def profile_texts() -> list[str]:
    """Every string of the sample profile (shown as written), longest first."""
    found: list[str] = ["Français", "English", "Español", "العربية"]

    def walk(value: Any) -> None:
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(tomllib.loads(SAMPLE_PROFILE.read_text(encoding="utf-8")))
    return sorted({t for t in found if t.strip()}, key=len, reverse=True)


def unmarked_words(app: KioskApp) -> list[str]:
    """The visible texts with words neither marked nor from the profile."""
    known = profile_texts()
    wrong = []
    for shown in texts(app.root):
        rest = MARKED.sub("", shown)
        for text in known:
            rest = rest.replace(text, "")
        if any(ch.isalpha() for ch in rest):
            wrong.append(shown)
    return wrong


SCREENS: list[tuple[str, list[f.View | f.Input]]] = [
    ("home", [f.HomeView()]),
    ("help", [f.HelpView()]),
    ("other-ways", [f.OtherWaysView("caf")]),
    ("toolbar", [f.OpenProcedure("caf")]),
    ("end-question", [f.OpenProcedure("caf"), f.AskToEnd()]),
    ("countdown", [f.OpenProcedure("caf"), CountdownTick(20, "idle")]),
    ("documents", [f.DocumentsView(())]),
    ("picker", [f.PickerView((), multiple=True, accept=(".pdf", "image/*"), left_out=2,
                             can_scan=True)]),
    ("error", [f.ErrorView()]),
    ("print-panel", [f.OpenProcedure("caf"), f.PrintPanelView(
        pages=3, previews=(), sheets_left=20, colour=True, printer_reasons=())]),
    ("print-status", [f.OpenProcedure("caf"), f.PrintStatusView("printing", 1, 3)]),
    ("scan-panel", [f.OpenProcedure("caf"), f.ScanPanelView(
        "choose", (Scanner("test:0", "Flatbed"),), "test:0")]),
    ("scan-failed", [f.OpenProcedure("caf"), f.ScanPanelView("failed", reason="no_scanner")]),
    ("pin-pad", [f.PinPadView()]),
    ("consent", [f.ConsentView("Camille")]),
]


@pytest.mark.parametrize(("name", "steps"), SCREENS, ids=[s[0] for s in SCREENS])
def test_every_word_of_the_shell_is_translated(
        make_app: AppMaker, pseudo_locale: str, screen: XScreen, artifacts: Path,
        name: str, steps: list[f.View | f.Input]) -> None:
    app = make_app((1024, 768))
    app.controller = QuietControl()
    app.set_language(pseudo_locale)
    settle(app.root)
    for step in steps:
        if isinstance(step, f.View):
            app.render(step)
        else:
            app.feed(step)
            app.bus.drain()
        settle(app.root)
    shown = texts(app.root)
    assert any(OPEN in t for t in shown), shown  # the pseudo-language is in use
    screen.screenshot(artifacts / f"pseudo-{name}.png")
    assert not unmarked_words(app), f"not through gettext on {name}: {unmarked_words(app)}"
    # 40 % longer words everywhere: still nothing cut nor overlapping.
    assert find_clipped(app.root, may_yield=("title",)) == []


def test_the_out_of_service_screen_speaks_the_terminals_first_languages(
        make_app: AppMaker, pseudo_locale: str, screen: XScreen, artifacts: Path) -> None:
    # Nobody has chosen a language on this screen: it speaks the profile's first two
    # (French, English), whatever the last resident chose, and through gettext.
    app = make_app((1024, 768))
    app.set_language(pseudo_locale)
    app.show_out_of_service(app.desk_details())
    settle(app.root)
    screen.screenshot(artifacts / "pseudo-out-of-service.png")
    messages = [m.id for m in catalogues.extract() if isinstance(m.id, str) and m.id]
    translated = {i18n.gettext_for(lang, m) for lang in app.profile_languages()
                  for m in messages}
    assert [t for t in unmarked_words(app) if t not in translated] == []
