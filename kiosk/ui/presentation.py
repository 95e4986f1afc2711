"""The text size and contrast control: on the home screen's header, and in the
toolbar behind one Display button that opens them in a panel over the strip (four
buttons there would take the room the other items need for their words).

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
from typing import TypeVar

from kiosk.i18n import _
from kiosk.ui.widgets import (
    Look,
    button,
    frame,
    keep_touchable,
    label,
    show_text,
)

Font = tuple[str, int, str]
_T = TypeVar("_T")

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


def display_symbol() -> str:
    """The Display button's sign: a large and a small letter, as on the size buttons."""
    # Translators: the sign of the text size and contrast button, the first letter of
    # your alphabet large then small ("Aa"); one letter twice where there is no case.
    return _("Aa")


def display_caption(words: bool = True) -> str:
    """The toolbar's one button for text size and contrast; `words` False: its sign alone."""
    # Translators: toolbar button that opens the choice of text size and contrast.
    return f"{display_symbol()} " + _("Display") if words else display_symbol()


class PresentationPanel:
    """The text sizes and the contrast switch, drawn over the toolbar strip that holds
    the Display button: a frame of the strip's, not a window of its own, so that the
    browser below keeps its place. A choice applies at once and closes the panel."""

    def __init__(self, strip: tk.Frame, look: Look, choice: PresentationChoice, font: Font,
                 bg: str, fg: str, close: Callable[[], None]) -> None:
        p, m = look.palette, look.metrics
        self._close = close
        self.frame = frame(strip, bg, padx=m.pad, pady=max(2, m.pad // 2),
                           name="presentation_panel")
        # Closed first: the choice redraws the strip, the panel must not outlive it.
        closing = PresentationChoice(
            choice.text_size, choice.high_contrast,
            set_text_size=lambda size: self._then(choice.set_text_size, size),
            set_high_contrast=lambda on: self._then(choice.set_high_contrast, on))
        self.close_button = button(self.frame, look, "✕ " + _("Close"), close,
                                   kind="header", font=font, name="close_panel")
        self.close_button.configure(highlightbackground=p.outline or bg, padx=m.pad,
                                    pady=max(2, m.pad // 2), bd=2)
        self.close_button.pack(side=look.end, fill="y", padx=max(2, m.pad // 2))
        self.controls = PresentationControls(self.frame, look, closing, font, bg=bg, fg=fg,
                                             caption=True)
        self.controls.frame.pack(side=look.start, fill="y")
        self.close_button.configure(highlightcolor=p.focus)
        keep_touchable(self.close_button)
        # Over the whole strip: the items under it are out of reach until it closes.
        self.frame.place(relx=0, rely=0, relwidth=1, relheight=1)
        self.frame.lift()

    @property
    def buttons(self) -> list[tk.Button]:
        """In Tab order: the sizes, contrast, then Close."""
        return [*self.controls.buttons, self.close_button]

    @property
    def chosen(self) -> tk.Button:
        """The size in force: where the keyboard lands when the panel opens."""
        for size, widget in zip(TEXT_SIZE_STEPS, self.controls.size_buttons, strict=True):
            if size == self.controls.choice.text_size:
                return widget
        return self.controls.size_buttons[0]

    def _then(self, apply: Callable[[_T], None], value: _T) -> None:
        self._close()
        apply(value)

    def destroy(self) -> None:
        self.frame.destroy()
