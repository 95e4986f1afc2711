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
        self._pages: dict[str, tk.Frame] = {}
        self._keys: list[tuple[tk.Label, Key]] = []

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
        self._pages, self._keys = {}, []
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
        self._pages = {name: self._draw_page(window, name) for name in ("symbols", "letters")}
        self._pages[self.page].tkraise()
        window.lift()
        # Said once the keys are on the screen (the X server reports the last one
        # mapped): IT staff and tests follow it, and a tap before would find no key.
        said = (f"on-screen keyboard: shown ({layout.language}, {field_kind}), "
                f"{width}x{panel}+{x}+{y + height - panel}")
        self._keys[-1][0].bind("<Map>", lambda _event: log.info(said))
        return panel

    def close(self) -> bool:
        """Put the keyboard away; True if it was shown."""
        window, self.window = self.window, None
        if window is None:
            return False
        self._pages, self._keys = {}, []
        window.destroy()
        log.info("on-screen keyboard: hidden")
        return True

    # -- keys ------------------------------------------------------------------------

    def _draw_page(self, window: tk.Toplevel, name: PageName) -> tk.Frame:
        """One page of keys, drawn once: switching pages only raises the other one (a
        tap right after the switch finds its key), Shift only changes labels."""
        assert self.layout is not None and self._look is not None
        _x, _y, width, height = self._area
        p = self._look.palette
        page = tk.Frame(window, bg=p.border, **own_style())
        page.place(x=0, y=0, width=width, height=height)
        for box in key_boxes(self.layout.page(name), width, height):
            special = box.key.kind != "char" or box.key.send == " "
            # A label, not a button: a tap is a press and a release on the key, with
            # nothing of a button's hover state (a finger's tap moves the pointer and
            # presses at once; Tk's buttons miss such a first press).
            key = tk.Label(
                page, **own_style(), text=self._label(box.key),
                font=self._look.metrics.font(max(16, int(box.height * KEY_FONT_SHARE)),
                                             bold=special),
                bg=p.background if special else p.surface, fg=p.text, relief="solid", bd=1,
                highlightthickness=0, takefocus=0, padx=0, pady=0)
            key.place(x=box.x, y=box.y, width=box.width, height=box.height)
            key.bind("<ButtonPress-1>", functools.partial(self._touched, key))
            key.bind("<ButtonRelease-1>", functools.partial(self._released, key, box.key))
            self._keys.append((key, box.key))
        return page

    def _touched(self, widget: tk.Label, _event: object) -> None:
        assert self._look is not None
        widget.configure(bg=self._look.palette.hover)  # the finger sees the key it hit

    def _released(self, widget: tk.Label, key: Key, event: tk.Event) -> None:
        assert self._look is not None
        p = self._look.palette
        lit = key.kind == "shift" and self.shifted
        special = key.kind != "char" or key.send == " "
        widget.configure(bg=p.accent if lit else (p.background if special else p.surface))
        # Released off the key (the finger slid away): nothing, as on a phone.
        if 0 <= event.x < widget.winfo_width() and 0 <= event.y < widget.winfo_height():
            self._pressed(key)

    def _relabel(self) -> None:
        """Upper or lower case on the character keys; Shift lit while it holds."""
        assert self._look is not None
        p = self._look.palette
        for button, key in self._keys:
            if key.kind == "shift":
                button.configure(bg=p.accent if self.shifted else p.background,
                                 fg=p.accent_text if self.shifted else p.text)
            elif key.kind == "char":
                button.configure(text=self._label(key))

    def _label(self, key: Key) -> str:
        if key.kind == "char" and key.send != " ":
            return key.typed(self.shifted)
        return key.label

    def _pressed(self, key: Key) -> None:
        if key.kind == "char":
            self.press(key.typed(self.shifted), "")
            if self.shifted:  # Shift holds for one character, as on a phone
                self.shifted = False
                self._relabel()
        elif key.kind == "key":
            self.press("", key.send)
        elif key.kind == "shift":
            self.shifted = not self.shifted
            self._relabel()
        elif key.kind == "page":
            self.page = "symbols" if key.send == "symbols" else "letters"
            self._pages[self.page].tkraise()
        elif key.kind == "hide":
            self.close()
            if self.put_away is not None:
                self.put_away()
