"""The mediator's PIN pad: large keys, the digits masked, driven by the keyboard too.

Digit keys (the main row and the keypad) type, BackSpace erases, Return submits,
Escape closes. The digits live in this screen only: they leave it once, on
Return, and the pad is drawn anew (empty) for every answer.
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable

from kiosk.assisted.unlock import Locked, message
from kiosk.i18n import _
from kiosk.session.assisted_flow import PinPadView
from kiosk.ui.screen import ScreenParts
from kiosk.ui.widgets import Look, button, frame, label

Font = tuple[str, int, str]

MAX_DIGITS = 12
KEY_MIN_PX = 72  # keys stay well above the 48 px a finger needs
KEYPAD_NAMES = {f"KP_{d}": d for d in "0123456789"}


def build_pin_pad(parent: tk.Frame, look: Look, view: PinPadView,
                  submit: Callable[[str], None], close: Callable[[], None]) -> ScreenParts:
    """The pad for `view` (its stage, and the answer to say)."""
    p, m = look.palette, look.metrics
    page = frame(parent, p.background, padx=m.pad * 4)
    digits: list[str] = []
    shown = tk.StringVar(master=page, value="")

    if view.again:
        title = _("{name}, type your PIN again to go on assisting.").format(name=view.again)
    elif view.stage == "code":
        title = _("Type the 6-digit code")
    else:
        title = _("Mediator's PIN")
    label(page, look, title, font=m.title_font, fg=p.accent,
          wraplength=int(m.width * 0.85)).pack(side="top", fill="x", pady=(m.pad * 2, m.pad))
    said = message(view.answer) if view.answer is not None else _(
        "Type the digits, then press OK (or Return).")
    label(page, look, said, font=m.tile_font,
          fg=p.danger if isinstance(view.answer, Locked) else p.text,
          wraplength=int(m.width * 0.85), name="message").pack(side="top", fill="x")
    display = label(page, look, "", font=m.font(max(32, m.title_px), bold=True), bg=p.surface,
                    name="digits")
    display.configure(textvariable=shown, width=MAX_DIGITS + 2, relief="solid", bd=1)
    display.pack(side="top", pady=m.pad * 2)

    def typed(digit: str) -> None:
        if len(digits) < MAX_DIGITS:
            digits.append(digit)
            shown.set("●" * len(digits))

    def erase() -> None:
        if digits:
            digits.pop()
            shown.set("●" * len(digits))

    def send() -> None:
        if digits:
            entered = "".join(digits)
            digits.clear()
            shown.set("")
            submit(entered)

    grid = frame(page, p.background)
    grid.pack(side="top")
    size = max(KEY_MIN_PX, int(m.height * 0.09))
    font = m.font(max(28, m.title_px), bold=True)
    keys: list[tk.Button] = []
    layout = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "⌫", "0", "OK"]
    for index, text in enumerate(layout):
        command: Callable[[], None]
        if text == "⌫":
            command, kind, name = erase, "normal", "erase"
        elif text == "OK":
            command, kind, name = send, "primary", "ok"
        else:
            command, kind, name = _typer(typed, text), "normal", f"key{text}"
        # A fixed-size cell, the key filling it: every key the same, finger-sized.
        cell = frame(grid, p.background, width=size * 2, height=size)
        cell.grid(row=index // 3, column=index % 3, padx=m.pad // 2, pady=m.pad // 2)
        cell.pack_propagate(False)
        # Translators: the key that sends the PIN typed on the pad; keep it very short.
        caption = _("OK") if name == "ok" else text
        # The key fills a fixed cell: its text may use all of it but the rings.
        room = size * 2 - 2 * (m.focus_ring + 1) - 8
        key_font = _fitting_font(grid, caption, room, [font, m.tile_font, m.small_font])
        key = button(cell, look, caption, command, kind=kind, font=key_font, name=name)
        key.configure(padx=2)
        key.pack(fill="both", expand=True)
        keys.append(key)
    close_button = button(page, look, "✕  " + _("Close"), close, font=m.tile_font,
                          name="close")
    close_button.pack(side="top", pady=m.pad * 2)

    def on_key(event: tk.Event[tk.Misc]) -> str | None:
        digit = KEYPAD_NAMES.get(event.keysym) or (
            event.char if event.char.isdigit() and event.char.isascii() else "")
        if digit:
            typed(digit)
            return "break"
        if event.keysym == "BackSpace":
            erase()
            return "break"
        if event.keysym in ("Return", "KP_Enter"):
            if page.focus_get() is close_button:
                close()
            else:
                send()
            return "break"
        return None

    for widget in (*keys, close_button):
        widget.bind("<KeyPress>", on_key)
    ok = keys[-1]
    return ScreenParts(frame=page, order=[*keys, close_button], first=ok, name="pin pad",
                       escape=close)


def _typer(typed: Callable[[str], None], digit: str) -> Callable[[], None]:
    return lambda: typed(digit)


def _fitting_font(widget: tk.Misc, text: str, width: int, fonts: list[Font]) -> Font:
    """The first of `fonts` (largest first) in which `text` fits `width` pixels: a
    word longer than "OK" in some language stays whole on its fixed-size key."""
    for font in fonts:
        if int(widget.tk.call("font", "measure", font, text)) <= width:
            return font
    return fonts[-1]
