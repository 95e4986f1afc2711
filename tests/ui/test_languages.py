"""The language switch: each language named in itself, and the choice reaching the
shell's words, the toolkit's (Tk's and ttkbootstrap's msgcat), the countdown, and
the terminal's default again at the wipe."""

from __future__ import annotations

import tkinter as tk

import pytest
from tk_helpers import AppMaker, QuietControl, settle, texts

from kiosk import i18n
from kiosk.app import KioskApp
from kiosk.events import CountdownTick, SessionWiped
from kiosk.session.flow import OpenProcedure
from kiosk.ui.widgets import shown_text

OWN_NAMES = {"fr": "Français", "en": "English", "es": "Español", "ar": "العربية"}
# The home screen's line under the header, in each language (the issue saw it stay
# English in Spanish and Arabic).
NEED_HELP = {
    "fr": "Besoin d'aide ? Demandez à une personne",
    "en": "Need help? Ask a person",
    "es": "¿Necesita ayuda? Pregunte a una persona",
    "ar": "هل تحتاج إلى مساعدة؟ اسأل شخصًا",
}


def language_button(app: KioskApp, lang: str) -> tk.Button:
    stack: list[tk.Misc] = [app.root]
    while stack:
        widget = stack.pop()
        if str(widget).endswith(f".lang_{lang}") and isinstance(widget, tk.Button):
            return widget
        stack.extend(widget.winfo_children())
    raise AssertionError(f"no button for {lang}")


def test_each_language_button_shows_the_languages_own_name(make_app: AppMaker) -> None:
    app = make_app()
    for lang, name in OWN_NAMES.items():
        assert shown_text(language_button(app, lang)) == name


@pytest.mark.parametrize("lang", ["en", "es", "ar"])
def test_the_chosen_language_applies_at_once_and_resets_at_the_wipe(
        make_app: AppMaker, lang: str) -> None:
    app = make_app()
    app.controller = QuietControl()
    language_button(app, lang).invoke()  # as a resident's tap
    settle(app.root)
    assert any(NEED_HELP[lang] in t for t in texts(app.root))
    assert str(app.root.tk.call("::msgcat::mclocale")) == lang
    # The idle countdown over a page, in the same language.
    app.feed(OpenProcedure("caf"))
    app.bus.publish(CountdownTick(20, "idle"))
    app.bus.drain()
    settle(app.root)
    shown = texts(app.root)
    assert i18n.gettext_for(lang, "Are you still there?") in shown
    assert app.countdown_caption.get() == i18n.ngettext_for(
        lang, "second left", "seconds left", 20)
    app.feed(SessionWiped("idle"))
    settle(app.root)
    assert any(NEED_HELP["fr"] in t for t in texts(app.root))
    assert str(app.root.tk.call("::msgcat::mclocale")) == "fr"


def test_ttkbootstraps_own_words_follow_the_language(make_app: AppMaker) -> None:
    import ttkbootstrap
    from ttkbootstrap.localization.msgcat import MessageCatalog

    app = make_app()
    ttkbootstrap.Style()  # type: ignore[no-untyped-call]  # loads its catalogues
    language_button(app, "es").invoke()
    settle(app.root)
    assert MessageCatalog.translate("Cancel") == "Cancelar"
    app.feed(SessionWiped("button"))
    settle(app.root)
    assert MessageCatalog.translate("Cancel") == "Annuler"
