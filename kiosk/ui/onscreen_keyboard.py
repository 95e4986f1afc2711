"""The kiosk's own on-screen keyboard, docked at the foot of the screen under a page.

Why the kiosk's own and not Debian's `onboard`: onboard shows itself for a text
field through AT-SPI, which needs an accessibility bus and a session D-Bus the
locked kiosk session does not run; its window is a third program's for the
window manager to stack against Chromium's and the shell's; its menu and its
preferences dialog are a way out of the kiosk (a file chooser for themes and
layouts, a help browser) that would have to be locked down one by one; and its
layout follows the X keyboard map, not the resident's language. The kiosk
already knows, over its DevTools pipe, which field of the page has the focus,
and can type into it (`Input.insertText`) whatever the X keyboard map says, so
its own keyboard is a window of the shell's: it shows the resident's language
(AZERTY in French, QWERTY in English, ñ in Spanish, the Arabic layout), large
keys for fingers, nothing else to press, and it is tested like every screen.

The window is borderless (override-redirect): the window manager never gives
it the keyboard focus, so a tap on a key leaves the focus in the page's field.
"""

from __future__ import annotations

import functools
import logging
import tkinter as tk
from collections.abc import Callable

from kiosk.ui.keyboard_layouts import (
    Key,
    Layout,
    PageName,
    first_page_for,
    key_boxes,
    layout_for,
    panel_height_for,
)
from kiosk.ui.widgets import Look, own_style

log = logging.getLogger(__name__)

# (text to type, named key to press): exactly one is not empty.
PressKey = Callable[[str, str], None]
KEY_FONT_SHARE = 0.42  # a key's label, as a share of the key's height


class OnscreenKeyboard:
    """The docked keyboard: shown for a page's text field, hidden when the focus leaves."""

    def __init__(self, root: tk.Misc, press: PressKey,
                 put_away: Callable[[], None] | None = None) -> None:
        self.root = root
        self.press = press
        # Called when the resident puts the keyboard away with its own key.
        self.put_away = put_away
        self.window: tk.Toplevel | None = None
        self.layout: Layout | None = None
        self.page: PageName = "letters"
        self.shifted = False
        self.field_kind = ""
        self._look: Look | None = None
        self._area = (0, 0, 0, 0)

    @property
    def shown(self) -> bool:
        return self.window is not None

    def height_for(self, layout: Layout, screen_height: int) -> int:
        """The panel's height with `layout` (the same for both pages: the page above
        does not jump when the resident switches to digits)."""
        rows = max(len(layout.letters), len(layout.symbols))
        return panel_height_for(rows, screen_height)

    def show(self, look: Look, language: str, field_kind: str,
             screen: tuple[int, int, int, int]) -> int:
        """Show the keyboard of `language` at the foot of `screen` (x, y, width, height)
        for a field of `field_kind`; returns its height. Shown already: only the page
        of keys changes if the field is of another kind."""
        layout = layout_for(language)
        if self.window is not None and self.layout == layout \
                and self.field_kind == field_kind and self._look == look:
            return self._area[3]
        self.close()
        x, y, width, height = screen
        panel = self.height_for(layout, height)
        self.layout, self.field_kind, self._look = layout, field_kind, look
        self.page, self.shifted = first_page_for(field_kind), False
        self._area = (x, y + height - panel, width, panel)
        window = tk.Toplevel(self.root, bg=look.palette.border, name="onscreen_keyboard",
                             **own_style())
        window.overrideredirect(True)
        window.attributes("-topmost", True)
        window.geometry(f"{width}x{panel}+{x}+{y + height - panel}")
        self.window = window
        self._draw_keys()
        window.lift()
        log.info("on-screen keyboard: shown (%s, %s), %dx%d+%d+%d", layout.language,
                 field_kind, width, panel, x, y + height - panel)
        return panel

    def close(self) -> bool:
        """Put the keyboard away; True if it was shown."""
        window, self.window = self.window, None
        if window is None:
            return False
        window.destroy()
        log.info("on-screen keyboard: hidden")
        return True

    # -- keys ------------------------------------------------------------------------

    def _draw_keys(self) -> None:
        assert self.window is not None and self.layout is not None and self._look is not None
        for child in self.window.winfo_children():
            child.destroy()
        _x, _y, width, height = self._area
        p = self._look.palette
        for box in key_boxes(self.layout.page(self.page), width, height):
            special = box.key.kind != "char" or box.key.send == " "
            active = box.key.kind == "shift" and self.shifted
            label = self._label(box.key)
            background = p.accent if active else (p.background if special else p.surface)
            foreground = p.accent_text if active else p.text
            key = tk.Button(
                self.window, **own_style(), text=label,
                command=functools.partial(self._pressed, box.key),
                font=self._look.metrics.font(max(16, int(box.height * KEY_FONT_SHARE)),
                                             bold=special),
                bg=background, fg=foreground, activebackground=p.hover,
                activeforeground=p.text, relief="solid", bd=1, highlightthickness=0,
                takefocus=0, padx=0, pady=0)
            key.place(x=box.x, y=box.y, width=box.width, height=box.height)

    def _label(self, key: Key) -> str:
        if key.kind == "char" and key.send != " ":
            return key.typed(self.shifted)
        return key.label

    def _pressed(self, key: Key) -> None:
        if key.kind == "char":
            self.press(key.typed(self.shifted), "")
            if self.shifted:  # Shift holds for one character, as on a phone
                self.shifted = False
                self._draw_keys()
        elif key.kind == "key":
            self.press("", key.send)
        elif key.kind == "shift":
            self.shifted = not self.shifted
            self._draw_keys()
        elif key.kind == "page":
            self.page = "symbols" if key.send == "symbols" else "letters"
            self.shifted = False
            self._draw_keys()
        elif key.kind == "hide":
            self.close()
            if self.put_away is not None:
                self.put_away()
