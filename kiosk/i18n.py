"""Translations for everything a resident sees.

Source strings are English; French is the first language of the kiosk and must
be complete (a test checks it). The language is per session: it is reset to the
terminal's default at every wipe.
"""

from __future__ import annotations

import gettext
import threading
from functools import cache
from pathlib import Path

DOMAIN = "kiosk"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
RTL_LANGUAGES = frozenset({"ar", "he", "fa", "ur"})

# The language's own name, shown on the language switch.
LANGUAGE_NAMES = {
    "fr": "Français",
    "en": "English",
    "es": "Español",
    "ar": "العربية",
    "de": "Deutsch",
    "it": "Italiano",
    "pt": "Português",
    "tr": "Türkçe",
    "ro": "Română",
    "uk": "Українська",
    "ru": "Русский",
}

_lock = threading.Lock()
_current = "fr"


@cache
def translation(lang: str) -> gettext.NullTranslations:
    """The catalogue for `lang`; English (the source text) when there is none."""
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)


def set_language(lang: str) -> None:
    """Switch the shell's language (the session's choice)."""
    global _current
    with _lock:
        _current = lang


def current_language() -> str:
    with _lock:
        return _current


def _(message: str) -> str:
    """Translate `message` into the session's current language."""
    return translation(current_language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translation(current_language()).ngettext(singular, plural, n)


def gettext_for(lang: str, message: str) -> str:
    """Translate into a given language (for text made off the Tk thread, e.g. browser pages)."""
    return translation(lang).gettext(message)


def ngettext_for(lang: str, singular: str, plural: str, n: int) -> str:
    return translation(lang).ngettext(singular, plural, n)


def is_rtl(lang: str) -> bool:
    return lang.split("-")[0] in RTL_LANGUAGES


def language_name(lang: str) -> str:
    return LANGUAGE_NAMES.get(lang.split("-")[0], lang)


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now."""
    return message
