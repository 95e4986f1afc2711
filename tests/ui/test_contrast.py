"""WCAG 2.2 AA contrast for every text/background pair the shell draws, in both palettes.

The pairs are listed from where the widgets use them (kiosk/ui/*.py): the palette
field used as a foreground, over the field used as its background.
"""

from __future__ import annotations

import pytest

from kiosk.ui.theme import HIGH_CONTRAST, STANDARD, Palette

TEXT = 4.5  # normal text (1.4.3)
LARGE = 3.0  # large text (18.66 px bold and over), and a control's focus ring (1.4.11)

# (foreground, background, minimum ratio, where)
PAIRS: list[tuple[str, str, float, str]] = [
    ("text", "background", TEXT, "labels on the screens"),
    ("text", "surface", TEXT, "normal buttons, tiles"),
    ("muted", "background", TEXT, "the home screen's introduction, captions"),
    ("accent", "background", TEXT, "titles and group names"),
    ("accent", "surface", TEXT, "the help button on the header"),
    ("accent_text", "accent", TEXT, "primary buttons"),
    ("danger", "background", TEXT, "warnings on the print and scan panels"),
    ("danger_text", "danger", TEXT, "End session"),
    ("header_text", "header", TEXT, "the header, the toolbar, language and size buttons"),
    ("text", "hover", TEXT, "a button while pressed (activebackground)"),
    ("border", "surface", TEXT, "a toolbar item that is unavailable (its text greyed)"),
    ("focus", "background", LARGE, "the focus ring around a control on a screen"),
    ("focus", "surface", LARGE, "the focus ring inside a white panel"),
    ("focus", "header", LARGE, "the focus ring in the header and the toolbar"),
]


def luminance(colour: str) -> float:
    """Relative luminance of a #rrggbb colour (WCAG 2.2)."""
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_formula_gives_the_known_ratios() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("palette", [STANDARD, HIGH_CONTRAST], ids=["standard", "high"])
@pytest.mark.parametrize(("fg", "bg", "minimum", "where"), PAIRS,
                         ids=[f"{fg}-on-{bg}" for fg, bg, _, _ in PAIRS])
def test_every_pair_meets_wcag_aa(palette: Palette, fg: str, bg: str, minimum: float,
                                  where: str) -> None:
    ratio = contrast(getattr(palette, fg), getattr(palette, bg))
    assert ratio >= minimum, f"{fg} on {bg} ({where}): {ratio:.2f}:1, needs {minimum}:1"
