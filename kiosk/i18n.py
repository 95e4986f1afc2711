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

# The language's own name, shown on the language switch. A catalogue of another
# language names itself: it translates LANGUAGE_NAME.
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
# A folder of extra compiled catalogues (<lang>/LC_MESSAGES/kiosk.mo), looked at
# before the packaged ones: a language being tried out (KIOSK_LOCALE_DIR, handed
# over at start), or a test's pseudo-language.
_extra_dir: Path | None = None


def use_extra_catalogues(folder: Path | None) -> None:
    """Look for catalogues in `folder` first (None: only the packaged ones)."""
    global _extra_dir
    with _lock:
        _extra_dir = folder
    forget_catalogues()


@cache
def locale_dirs() -> tuple[Path, ...]:
    """Where compiled catalogues are looked for, first found first used."""
    with _lock:
        extra = _extra_dir
    return (extra, LOCALE_DIR) if extra is not None else (LOCALE_DIR,)


@cache
def translation(lang: str) -> gettext.NullTranslations:
    """The catalogue for `lang`; English (the source text) when there is none."""
    for folder in locale_dirs():
        if gettext.find(DOMAIN, folder, languages=[lang]):
            return gettext.translation(DOMAIN, folder, languages=[lang])
    return gettext.NullTranslations()


def forget_catalogues() -> None:
    """Read the catalogues again on next use."""
    locale_dirs.cache_clear()
    translation.cache_clear()


def has_catalogue(lang: str) -> bool:
    """Whether the shell has its own words in `lang` (else it shows the English source)."""
    return any(gettext.find(DOMAIN, folder, languages=[lang]) for folder in locale_dirs())


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
    """The language's name in itself ("Español"), for its button on the language switch."""
    known = LANGUAGE_NAMES.get(lang, LANGUAGE_NAMES.get(lang.split("-")[0]))
    if known:
        return known
    return gettext_for(lang, LANGUAGE_NAME) if has_catalogue(lang) else lang


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now."""
    return message


# Translators: the name of your language, written in your language (e.g. "Español",
# "العربية"). It is shown on the button that switches the kiosk to your language.
LANGUAGE_NAME = N_("English")
