"""Right-to-left text made ready for Tk: shaped, wrapped, and put in visual order.

Tk 8.6 draws a string's characters from left to right in the order they are
stored, whatever their direction, and its Xft rendering does not join Arabic
letters (seen on a screenshot at 2x zoom: every letter stood in its isolated
form). So text holding right-to-left characters is prepared here before Tk sees
it:

- shaped with `arabic_reshaper`, which swaps each Arabic letter for its
  contextual form (initial, medial, final; and the lam-alef ligature) from the
  Unicode presentation forms that DejaVu Sans draws;
- wrapped in logical order at word boundaries to the room the widget has (Tk's
  own wrapping would cut the visual string, so the first line would show the end
  of the sentence);
- each line put in visual order by the Unicode bidirectional algorithm
  (`python-bidi`), with the paragraph's direction for every line, so that
  "(CAF)", numbers and Latin names stand where a reader of Arabic expects them.

Text with no right-to-left character is returned as it is: French and English
screens are drawn exactly as before. Nothing here imports Tk; the widget side is
in kiosk.ui.widgets (show_text, set_wrap).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

import arabic_reshaper
from bidi.algorithm import get_display

# Bidirectional classes of right-to-left letters and Arabic digits.
_RTL_CLASSES = frozenset({"R", "AL", "AN"})

Measure = Callable[[str], int]


def has_rtl(text: str) -> bool:
    """True when `text` holds a right-to-left character (it must go through `visual_lines`)."""
    return any(unicodedata.bidirectional(ch) in _RTL_CLASSES for ch in text)


def _first_strong_is_rtl(text: str) -> bool:
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind == "L":
            return False
        if kind in ("R", "AL"):
            return True
    return False


def paragraph_is_rtl(paragraph: str, rtl_session: bool) -> bool:
    """The direction a paragraph is laid out in.

    In a right-to-left session any paragraph holding Arabic is right-to-left even
    when it starts with a Latin name ("France Travail (وكالة التشغيل)"); a
    paragraph without any stays left-to-right (a Latin town name keeps its final
    parenthesis on the right). Otherwise its first strong letter decides, as the
    Unicode algorithm's own rule does.
    """
    if not has_rtl(paragraph):
        return False
    return rtl_session or _first_strong_is_rtl(paragraph)


@lru_cache(maxsize=2048)
def shape(text: str) -> str:
    """Arabic letters in their joined forms (a no-op on text without Arabic)."""
    return str(arabic_reshaper.reshape(text)) if has_rtl(text) else text


def visual_line(line: str, rtl: bool) -> str:
    """One already-shaped line in visual order, laid out right-to-left when `rtl`."""
    if not has_rtl(line):
        return line
    return str(get_display(line, base_dir="R" if rtl else "L"))


def wrap_words(text: str, width: int, measure: Measure) -> list[str]:
    """`text` (one paragraph, logical order) cut at spaces into lines of at most `width`
    pixels; a word longer than the width keeps a line of its own, never cut."""
    words = text.split(" ")
    lines: list[str] = []
    current = ""
    for word in words:
        candidate = f"{current} {word}" if current else word
        if not current or measure(candidate) <= width:
            current = candidate
        else:
            lines.append(current)
            current = word
    lines.append(current)
    return lines


def keep_numbers_together(text: str) -> str:
    """A space between two digits becomes a no-break space.

    Phone numbers are written in groups ("32 30", "01 23 45 67 89"). To the
    bidirectional algorithm a plain space ends a number, and in Arabic each group
    would be placed right to left, the number then reading "30 32". A no-break space
    is a common separator that joins two numbers into one (rule W4), shown left to
    right, and the wrapping never cuts it.
    """
    return _SPACE_IN_NUMBER.sub("\u00a0", text)


_SPACE_IN_NUMBER = re.compile(r"(?<=\d) (?=\d)")


def visual_lines(text: str, width: int, measure: Measure, rtl_session: bool) -> list[str]:
    """What Tk must draw, line by line from the top, for `text` in `width` pixels
    (0: no wrapping). Line breaks in `text` are kept."""
    shown: list[str] = []
    for paragraph in text.split("\n"):
        rtl = paragraph_is_rtl(paragraph, rtl_session)
        shaped = shape(keep_numbers_together(paragraph)) if has_rtl(paragraph) else paragraph
        lines = wrap_words(shaped, width, measure) if width > 0 else [shaped]
        shown.extend(visual_line(line, rtl) for line in lines)
    return shown
