"""The text size and contrast control, on the home screen's header and in the toolbar.

Three "A" of growing sizes (normal, large, very large) and a contrast switch with
words. The choice in force is shown by more than colour, for people who see
colours badly: its button is drawn pressed (sunken, in the surface's colours)
and carries a tick.
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from kiosk.i18n import _
from kiosk.ui.widgets import Look, button, frame, keep_touchable, label, show_text

Font = tuple[str, int, str]

TEXT_SIZE_STEPS = ("normal", "large", "very_large")
# Each "A" is drawn this much larger than the one before it.
A_GROWTH = (0.8, 1.0, 1.3)
CONTRAST_SYMBOL = "◐"
TICK = "✓"


@dataclass(frozen=True)
class PresentationChoice:
    """What is in force, and what the buttons do."""

    text_size: str
    high_contrast: bool
    set_text_size: Callable[[str], None]
    set_high_contrast: Callable[[bool], None]


def size_caption(size: str, chosen: bool) -> str:
    """The text of one size button: an "A", with a tick when it is the size in force."""
    # Translators: one letter drawn in three sizes on the text-size buttons; use the
    # first letter of your alphabet.
    letter = _("A")
    return f"{TICK}{letter}" if chosen else letter


def contrast_caption(on: bool, words: bool = True) -> str:
    """The contrast switch's text; `words` False: its symbol alone (a narrow toolbar)."""
    mark = TICK if on else CONTRAST_SYMBOL
    return f"{mark} " + _("High contrast") if words else mark


class PresentationControls:
    """The four buttons in a frame of their own, in the parent's colours."""

    def __init__(self, parent: tk.Misc, look: Look, choice: PresentationChoice, font: Font,
                 bg: str, fg: str, caption: bool = False) -> None:
        p, m = look.palette, look.metrics
        self.look, self.choice = look, choice
        self.frame = frame(parent, bg)
        if caption:
            label(self.frame, look, _("Text size"), font=font, fg=fg, bg=bg).pack(
                side=look.start, padx=look.padx(0, max(2, m.pad // 2)))
        self.size_buttons: list[tk.Button] = []
        for size, growth in zip(TEXT_SIZE_STEPS, A_GROWTH, strict=True):
            chosen = size == choice.text_size
            widget = button(self.frame, look, size_caption(size, chosen),
                            partial(choice.set_text_size, size),
                            kind="normal" if chosen else "header",
                            font=_grown(font, growth), name=f"size_{size}")
            widget.configure(relief="sunken" if chosen else "raised", bd=2,
                             highlightbackground=p.outline or bg, padx=max(2, m.pad // 2), pady=0)
            widget.pack(side=look.start, fill="y", padx=look.padx(0, max(2, m.pad // 3)))
            self.size_buttons.append(widget)
        on = choice.high_contrast
        self.contrast = button(self.frame, look, contrast_caption(on),
                               lambda: choice.set_high_contrast(not on),
                               kind="normal" if on else "header", font=font, name="contrast")
        self.contrast.configure(relief="sunken" if on else "raised", bd=2,
                                highlightbackground=p.outline or bg, padx=m.pad, pady=0)
        self.contrast.pack(side=look.start, fill="y", padx=look.padx(max(2, m.pad // 2), 0))
        for widget in self.buttons:
            widget.configure(highlightcolor=p.focus)
            keep_touchable(widget)

    @property
    def buttons(self) -> list[tk.Button]:
        """In Tab order: the sizes from small to large, then contrast."""
        return [*self.size_buttons, self.contrast]

    def set_font(self, font: Font, words: bool) -> None:
        """Draw them with `font` (the toolbar's layouts), the contrast switch with or
        without its words."""
        for widget, growth in zip(self.size_buttons, A_GROWTH, strict=True):
            widget.configure(font=_grown(font, growth))
        self.contrast.configure(font=font)
        show_text(self.contrast, contrast_caption(self.choice.high_contrast, words))
        for widget in self.buttons:
            keep_touchable(widget)


def _grown(font: Font, growth: float) -> Font:
    family, size, _weight = font
    # Sizes are negative (pixels) in the kiosk's fonts.
    grown = round(abs(size) * growth)
    return (family, -grown if size < 0 else grown, "bold")
