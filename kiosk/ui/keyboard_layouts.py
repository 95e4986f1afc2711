"""The on-screen keyboard's layouts and the geometry of their keys, with no Tk.

A layout has two pages: letters (the language's own: AZERTY in French, QWERTY
in English, QWERTY with ñ in Spanish, the Arabic PC layout) and digits with
symbols (the same for every language: forms ask for Latin digits). The panel
(`kiosk.ui.onscreen_keyboard`) draws the keys where `key_boxes` puts them; the
tests use the same function to know where to tap.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# What a key does: type its text, press a named key in the page (`send` is the
# DOM key name: Backspace, Enter, Tab, ArrowLeft, ArrowRight), or act on the panel.
KeyKind = Literal["char", "key", "shift", "page", "hide"]
PageName = Literal["letters", "symbols"]
# The DOM names of the keys the kiosk presses in the page (not typed as text).
NAMED_KEYS = ("Backspace", "Enter", "Tab", "ArrowLeft", "ArrowRight")
# A key is never smaller than this on either side (touch targets, WCAG 2.5.8 and more).
MIN_KEY_PX = 48
GAP_PX = 6


@dataclass(frozen=True)
class Key:
    """One key: `label` is what it shows, `send` what it types or the key it presses."""

    label: str
    send: str
    kind: KeyKind = "char"
    width: float = 1.0  # in key units of its row

    def typed(self, shifted: bool) -> str:
        """The text a character key types (upper case while Shift is on)."""
        return self.send.upper() if shifted and len(self.send) == 1 else self.send


@dataclass(frozen=True)
class Layout:
    """A language's keyboard: rows of keys for each page."""

    language: str
    letters: tuple[tuple[Key, ...], ...]
    symbols: tuple[tuple[Key, ...], ...]
    has_shift: bool = True

    def page(self, name: PageName) -> tuple[tuple[Key, ...], ...]:
        return self.letters if name == "letters" else self.symbols


@dataclass(frozen=True)
class KeyBox:
    """Where a key is drawn, in pixels inside the panel."""

    key: Key
    x: int
    y: int
    width: int
    height: int

    @property
    def centre(self) -> tuple[int, int]:
        return self.x + self.width // 2, self.y + self.height // 2


def chars(text: str) -> tuple[Key, ...]:
    """A key for each character of `text` (spaces separate nothing: each one is a key)."""
    return tuple(Key(c, c) for c in text)


def words(*labels: str) -> tuple[Key, ...]:
    """A key for each of `labels` (for keys that type more than one character)."""
    return tuple(Key(label, label) for label in labels)


BACKSPACE = Key("⌫", "Backspace", "key", 1.5)
ENTER = Key("↵", "Enter", "key", 1.5)
SHIFT = Key("⇧", "", "shift", 1.5)
TAB = Key("⇥", "Tab", "key", 1.5)
LEFT = Key("◀", "ArrowLeft", "key")
RIGHT = Key("▶", "ArrowRight", "key")
SPACE = Key("␣", " ", "char", 5.0)
HIDE = Key("⌨▾", "", "hide", 1.5)
TO_SYMBOLS = Key("123 ?", "symbols", "page", 1.5)
TO_LETTERS = Key("ABC", "letters", "page", 1.5)
ARABIC_TO_LETTERS = Key("أ ب ت", "letters", "page", 1.5)


def _bottom_row(to_other: Key, *extra: Key) -> tuple[Key, ...]:
    return (to_other, *extra, SPACE, LEFT, RIGHT, HIDE)


SYMBOLS_ROWS: tuple[tuple[Key, ...], ...] = (
    (*chars("1234567890"), BACKSPACE),
    (TAB, *chars("@.-_/:;()"), ENTER),
    (*chars("+=€%&?!\"'#*,"),),
)


def _symbols(to_letters: Key = TO_LETTERS) -> tuple[tuple[Key, ...], ...]:
    return (*SYMBOLS_ROWS, _bottom_row(to_letters))


FRENCH = Layout(
    "fr",
    letters=(
        (*chars("azertyuiop"), BACKSPACE),
        (*chars("qsdfghjklm"), ENTER),
        (SHIFT, *chars("wxcvbn"), *chars(",.'-")),
        (*chars("éèêàçùâôîëï"),),
        _bottom_row(TO_SYMBOLS, Key("@", "@")),
    ),
    symbols=_symbols(),
)

ENGLISH = Layout(
    "en",
    letters=(
        (*chars("qwertyuiop"), BACKSPACE),
        (*chars("asdfghjkl'"), ENTER),
        (SHIFT, *chars("zxcvbnm,.-")),
        _bottom_row(TO_SYMBOLS, Key("@", "@")),
    ),
    symbols=_symbols(),
)

SPANISH = Layout(
    "es",
    letters=(
        (*chars("qwertyuiop"), BACKSPACE),
        (*chars("asdfghjklñ"), ENTER),
        (SHIFT, *chars("zxcvbnm,.-")),
        (*chars("áéíóúü¿¡"),),
        _bottom_row(TO_SYMBOLS, Key("@", "@")),
    ),
    symbols=_symbols(),
)

# The Arabic PC layout (as printed on keyboards sold in Arabic-speaking countries),
# without its Shift level (diacritics, rarely typed in forms): no Shift key at all.
ARABIC = Layout(
    "ar",
    letters=(
        (*chars("ضصثقفغعهخحجد"), BACKSPACE),
        (*chars("شسيبلاتنمكط"), ENTER),
        (*chars("ئءؤر"), *words("لا"), *chars("ىةوزظ"), *chars("،.")),
        _bottom_row(TO_SYMBOLS, Key("@", "@")),
    ),
    symbols=_symbols(ARABIC_TO_LETTERS),
    has_shift=False,
)

LAYOUTS: dict[str, Layout] = {layout.language: layout
                              for layout in (FRENCH, ENGLISH, SPANISH, ARABIC)}


def layout_for(language: str) -> Layout:
    """The layout of the session's language (French, the terminal's default, otherwise)."""
    return LAYOUTS.get(language.split("-")[0].lower(), FRENCH)


def first_page_for(field_kind: str) -> PageName:
    """A field for a number or a phone number opens on the digits."""
    return "symbols" if field_kind in ("number", "tel") else "letters"


def key_boxes(rows: tuple[tuple[Key, ...], ...], width: int, height: int,
              gap: int = GAP_PX) -> list[KeyBox]:
    """Every key of `rows` placed in a panel of `width` x `height` pixels.

    Rows share the height equally; in a row, keys share the width by their
    `width` units, and the row is centred when it holds fewer units than the
    widest row (so keys keep one size across rows).
    """
    if not rows:
        return []
    units = max(sum(k.width for k in row) for row in rows)
    unit = (width - gap) / units
    row_height = (height - gap) / len(rows)
    boxes: list[KeyBox] = []
    for index, row in enumerate(rows):
        used = sum(k.width for k in row) * unit
        x = gap + (width - gap - used) / 2
        y = gap + index * row_height
        for key in row:
            w = key.width * unit
            boxes.append(KeyBox(key, round(x), round(y), round(w - gap),
                                round(row_height - gap)))
            x += w
    return boxes


def panel_height_for(rows: int, screen_height: int) -> int:
    """The panel's height: keys of at least MIN_KEY_PX, about 70 px on a 1024 px screen,
    and never more than 45 % of the screen (the page must stay in sight)."""
    key = max(MIN_KEY_PX, min(80, screen_height * 7 // 100))
    return min(rows * (key + GAP_PX) + GAP_PX, screen_height * 45 // 100)
