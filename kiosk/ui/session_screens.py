"""Screens of a running session: the idle countdown, ending, documents."""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable, Collection, Sequence
from pathlib import Path

from kiosk.i18n import _, ngettext
from kiosk.ui.screen import ScreenParts
from kiosk.ui.widgets import Look, bind_text, button, frame, label


def seconds_caption(seconds_left: int) -> str:
    # Translators: under the countdown's big number, e.g. "30" then "seconds left".
    return ngettext("second left", "seconds left", seconds_left)


def build_countdown(
    parent: tk.Frame, look: Look, number: tk.StringVar, caption: tk.StringVar,
    still_here: Callable[[], None], end_now: Callable[[], None], *, max_duration: bool = False,
) -> ScreenParts:
    """A large countdown the resident cannot miss; any input cancels it.

    `number` and `caption` tick every second; the screen itself is built once, so
    the focus stays where the resident put it.
    """
    p, m = look.palette, look.metrics
    page = frame(parent, p.background, padx=m.pad * 6)
    frame(page, p.background, height=int(m.height * 0.08)).pack(side="top")
    if max_duration:
        title = _("Your session will soon reach its time limit")
        text = _("Save or print what you need now. Everything will then be erased.")
    else:
        title = _("Are you still there?")
        text = _("Without a touch, your session ends and everything you did here is erased.")
    label(page, look, title, font=m.title_font, fg=p.accent, wraplength=int(m.width * 0.85),
          anchor="center", justify="center").pack(side="top", fill="x")
    big = label(page, look, "", font=m.font(int(m.height * 0.22), bold=True), fg=p.danger,
                anchor="center", justify="center")
    bind_text(big, number)
    big.pack(side="top", fill="x", pady=m.pad)
    unit = label(page, look, "", font=m.tile_font, anchor="center", justify="center")
    bind_text(unit, caption)
    unit.pack(side="top", fill="x")
    label(page, look, text, font=m.text_font, wraplength=int(m.width * 0.8), anchor="center",
          justify="center").pack(side="top", fill="x", pady=m.pad * 2)
    row = frame(page, p.background)
    row.pack(side="top", pady=m.pad * 2)
    # Each button wraps within its half of the row: at the largest text size, side by
    # side, they would not fit on a small screen otherwise.
    half = int(m.width * 0.4)
    here = button(row, look, _("I'm still here"), still_here, kind="primary",
                  font=m.title_font, name="still_here", wraplength=half)
    here.pack(side=look.start, padx=m.pad * 2)
    end = button(row, look, _("End my session now"), end_now, font=m.tile_font, name="end_now",
                 wraplength=half)
    end.pack(side=look.start, padx=m.pad * 2)
    # Escape is "I'm still here": the way back to what the resident was doing.
    return ScreenParts(frame=page, order=[here, end], name="countdown", escape=still_here)


def build_end_confirmation(
    parent: tk.Frame, look: Look, documents: int, confirm: Callable[[], None],
    cancel: Callable[[], None],
) -> ScreenParts:
    """Asks once before erasing: documents and USB key first."""
    p, m = look.palette, look.metrics
    page = frame(parent, p.background, padx=m.pad * 6)
    frame(page, p.background, height=int(m.height * 0.1)).pack(side="top")
    label(page, look, _("End your session?"), font=m.title_font, fg=p.accent,
          wraplength=int(m.width * 0.85)).pack(side="top", fill="x", pady=(0, m.pad * 2))
    reminders = [_("Have you got your documents and your USB key?"),
                 _("Everything you did on this terminal will be erased: pages, forms, "
                   "downloads, scans.")]
    if documents:
        reminders.insert(0, ngettext("You have %d document on this terminal.",
                                     "You have %d documents on this terminal.",
                                     documents) % documents)
    for text in reminders:
        label(page, look, "•  " + text, font=m.tile_font, wraplength=int(m.width * 0.85)).pack(
            side="top", fill="x", pady=m.pad // 2)
    row = frame(page, p.background)
    row.pack(side="top", anchor=look.anchor("w"), pady=m.pad * 4)
    back = button(row, look, look.back_label(_("No, go back")),
                  cancel, font=m.tile_font, name="cancel")
    back.pack(side=look.start)
    end = button(row, look, _("Yes, end my session"), confirm, kind="danger", font=m.tile_font,
                 name="confirm")
    end.pack(side=look.start, padx=m.pad * 3)
    return ScreenParts(frame=page, order=[back, end], name="end_confirmation", escape=cancel)


def build_documents(
    parent: tk.Frame, look: Look, documents: Sequence[tuple[str, Path]],
    back: Callable[[], None], print_document: Callable[[Path], None] | None = None,
    save_to_usb: Callable[[Path], None] | None = None, savable: Collection[Path] = (),
    notice: str = "",
) -> ScreenParts:
    """This session's documents, each with a Print button when a printer is there and
    "Save to my USB key" on those in `savable` (with a key writable); `notice` says
    how the last saving went. Nothing of the real file system."""
    p, m = look.palette, look.metrics
    page = frame(parent, p.background, padx=m.pad * 6)
    label(page, look, _("Your documents"), font=m.title_font, fg=p.accent).pack(
        side="top", fill="x", pady=(m.pad * 3, m.pad))
    if notice:
        label(page, look, notice, font=m.tile_font, fg=p.accent,
              wraplength=int(m.width * 0.85)).pack(side="top", fill="x", pady=(0, m.pad))
    order: list[tk.Widget] = []
    if documents:
        label(page, look, _("Documents you downloaded during this session. They are erased "
                            "when the session ends."), wraplength=int(m.width * 0.85)).pack(
            side="top", fill="x", pady=(0, m.pad))
        for index, (name, path) in enumerate(documents):
            row = frame(page, p.background)
            row.pack(side="top", fill="x", pady=2)
            if print_document is not None:
                printer = button(row, look, "❐  " + _("Print"), _printer_of(print_document, path),
                                 font=m.text_font, name=f"print_{index}")
                printer.pack(side=look.start, padx=look.padx(0, m.pad))
                order.append(printer)
            if save_to_usb is not None and path in savable:
                saver = button(row, look, "▭  " + _("Save to my USB key"),
                               _printer_of(save_to_usb, path), font=m.text_font,
                               name=f"save_usb_{index}")
                saver.pack(side=look.start, padx=look.padx(0, m.pad))
                order.append(saver)
            label(row, look, "⬇  " + name, font=m.tile_font,
                  wraplength=int(m.width * 0.7)).pack(side=look.start, fill="x")
    else:
        label(page, look, _("No document yet. What you download from a website will be "
                            "listed here."), wraplength=int(m.width * 0.85)).pack(
            side="top", fill="x")
    back_button = button(page, look, look.back_label(_("Back")), back, kind="primary",
                         font=m.tile_font, name="back")
    back_button.pack(side="top", anchor=look.anchor("w"), pady=m.pad * 3)
    return ScreenParts(frame=page, order=[back_button, *order], name="documents", escape=back)


def _printer_of(print_document: Callable[[Path], None], path: Path) -> Callable[[], None]:
    return lambda: print_document(path)
