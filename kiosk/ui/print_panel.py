"""The print panel, and the screen that follows a job to its end.

The panel shows the first pages, how many there are, and the few choices a
resident needs (copies, which pages, colour when the printer has it), with
what it costs of the session's sheets. The keyboard starts on Print: Return
prints everything once, the most common wish. Escape cancels.
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, cast

from kiosk.devices.printer_states import job_sentence, parse_reasons, printer_summary
from kiosk.events import PrintStage
from kiosk.i18n import _, ngettext
from kiosk.session.flow import PrintPanelView, PrintStatusView
from kiosk.ui.screen import ScreenParts
from kiosk.ui.widgets import (
    Look,
    ScrollArea,
    bind_text,
    button,
    frame,
    image_label,
    label,
    show_text,
)

PrintChoice = Callable[[int, int, int, bool], None]  # first page, last page, copies, colour
MAX_COPIES = 10


def build_print_panel(parent: tk.Frame, look: Look, view: PrintPanelView,
                      print_: PrintChoice, cancel: Callable[[], None]) -> ScreenParts:
    p, m = look.palette, look.metrics
    page = frame(parent, p.background, padx=m.pad * 6)
    label(page, look, _("Print"), font=m.title_font, fg=p.accent).pack(
        side="top", fill="x", pady=(m.pad * 3, m.pad))
    problem = printer_summary(parse_reasons(view.printer_reasons), 0)
    if problem:
        label(page, look, "⚠  " + problem, fg=p.danger, font=m.tile_font,
              wraplength=int(m.width * 0.85)).pack(side="top", fill="x", pady=(0, m.pad))
    # Packed before the body: the buttons stay on screen on a small display.
    actions = frame(page, p.background)
    actions.pack(side="bottom", anchor=look.anchor("w"), pady=m.pad * 2)
    # The preview and the choices scroll when the largest text leaves them no room.
    area = ScrollArea(page, look)
    area.pack(side="top", fill="both", expand=True)
    body = area.inner
    keep = _previews(body, look, view.previews, view.pages)
    choices = _Choices(body, look, view)
    print_button = button(actions, look, "❐  " + _("Print"), lambda: print_(*choices.value()),
                          kind="primary", font=m.tile_font, name="print")
    print_button.pack(side=look.start, padx=look.padx(0, m.pad * 2))
    cancel_button = button(actions, look, look.back_label(_("Cancel: print nothing")), cancel,
                           font=m.tile_font, name="cancel")
    cancel_button.pack(side=look.start)
    order: list[tk.Widget] = [print_button, cancel_button, *choices.buttons]
    return ScreenParts(frame=page, order=order, first=print_button, keep=keep,
                       name="print_panel", escape=cancel, on_focus=area.show_widget)


def _previews(parent: tk.Frame, look: Look, previews: Sequence[Path], pages: int) -> list[Any]:
    from PIL import Image, ImageTk

    p, m = look.palette, look.metrics
    row = frame(parent, p.background)
    row.pack(side="top", anchor=look.anchor("w"), pady=m.pad)
    keep: list[Any] = []
    for path in previews:
        try:
            with Image.open(path) as picture:
                photo = ImageTk.PhotoImage(picture.copy())
        except OSError:
            continue  # a missing picture leaves a gap, not a broken panel
        image_label(row, photo, bg=p.surface).pack(side=look.start,
                                                   padx=look.padx(0, m.pad * 2))
        keep.append(photo)
    more = pages - len(previews)
    # Translators: the length of the document to print, under its preview.
    caption = ngettext("%d page", "%d pages", pages) % pages
    if more > 0:
        caption += "  " + _("(only the first pages are shown)")
    label(parent, look, caption, font=m.tile_font).pack(side="top", anchor=look.anchor("w"))
    return keep


class _Choices:
    """Copies, pages and colour, each with big − and + buttons (no typing needed)."""

    def __init__(self, parent: tk.Frame, look: Look, view: PrintPanelView) -> None:
        self.look = look
        self.view = view
        self.copies = tk.IntVar(parent, 1)
        self.first = tk.IntVar(parent, 1)
        self.last = tk.IntVar(parent, view.pages)
        self.colour = tk.BooleanVar(parent, False)
        self.buttons: list[tk.Button] = []
        self.cost = tk.StringVar(parent)
        p, m = look.palette, look.metrics
        box = frame(parent, p.background)
        box.pack(side="top", anchor=look.anchor("w"), pady=m.pad)
        # Translators: number of printed copies, changed with - and + buttons.
        self._stepper(box, _("Copies"), self.copies, 1, MAX_COPIES, "copies")
        if view.pages > 1:
            # Translators: the first page to print, a number follows.
            self._stepper(box, _("From page"), self.first, 1, view.pages, "first")
            # Translators: the last page to print, a number follows.
            self._stepper(box, _("To page"), self.last, 1, view.pages, "last")
        if view.colour:
            self._colour_switch(box)
        cost = label(parent, look, "", wraplength=int(m.width * 0.85))
        bind_text(cost, self.cost)
        cost.pack(side="top", anchor=look.anchor("w"), pady=(m.pad, 0))
        if view.over_quota:
            label(parent, look, _over_quota_text(view.over_quota, view.sheets_left),
                  fg=p.danger, font=m.tile_font, wraplength=int(m.width * 0.85)).pack(
                side="top", anchor=look.anchor("w"), pady=(m.pad, 0))
        self._update_cost()

    def value(self) -> tuple[int, int, int, bool]:
        return self.first.get(), self.last.get(), self.copies.get(), self.colour.get()

    def _stepper(self, parent: tk.Frame, caption: str, variable: tk.IntVar, low: int,
                 high: int, name: str) -> None:
        look = self.look
        p, m = look.palette, look.metrics
        row = frame(parent, p.background)
        row.pack(side="top", anchor=look.anchor("w"), pady=m.pad // 2)
        name_label = label(row, self.look, caption, font=m.tile_font)
        name_label.configure(width=12)
        name_label.pack(side=look.start)
        minus = button(row, self.look, "−", lambda: self._step(variable, -1, low, high),
                       font=m.tile_font, name=f"{name}_less")
        minus.pack(side=look.start)
        number = label(row, self.look, "", font=m.tile_font, anchor="center")
        number.configure(textvariable=variable, width=3)
        number.pack(side=look.start, padx=m.pad)
        plus = button(row, self.look, "+", lambda: self._step(variable, 1, low, high),
                      font=m.tile_font, name=f"{name}_more")
        plus.pack(side=look.start)
        self.buttons += [minus, plus]

    def _colour_switch(self, parent: tk.Frame) -> None:
        look = self.look
        m = look.metrics
        switch = button(parent, self.look, "", self._toggle_colour, font=m.tile_font,
                        name="colour")
        switch.pack(side="top", anchor=look.anchor("w"), pady=m.pad // 2)
        self._colour_button = switch
        self._show_colour()
        self.buttons.append(switch)

    def _toggle_colour(self) -> None:
        self.colour.set(not self.colour.get())
        self._show_colour()

    def _show_colour(self) -> None:
        show_text(self._colour_button,
                  _("Colour: yes") if self.colour.get() else _("Colour: no (black and white)"))

    def _step(self, variable: tk.IntVar, by: int, low: int, high: int) -> None:
        variable.set(max(low, min(high, variable.get() + by)))
        if self.first.get() > self.last.get():  # the range stays a range
            if variable is self.first:
                self.last.set(self.first.get())
            else:
                self.first.set(self.last.get())
        self._update_cost()

    def _update_cost(self) -> None:
        sheets = (self.last.get() - self.first.get() + 1) * self.copies.get()
        self.cost.set(ngettext("This uses %(n)d sheet.", "This uses %(n)d sheets.", sheets)
                      % {"n": sheets} + " " +
                      ngettext("You can print %(n)d more sheet in this session.",
                               "You can print %(n)d more sheets in this session.",
                               self.view.sheets_left) % {"n": self.view.sheets_left})


def _over_quota_text(asked: int, left: int) -> str:
    # Translators: first half of one sentence; it goes on with "but only ... left in this session."
    return (ngettext("That needs %(asked)d sheet, ", "That needs %(asked)d sheets, ", asked)
            % {"asked": asked}
            + ngettext("but only %(left)d is left in this session. ",
                       "but only %(left)d are left in this session. ", left) % {"left": left}
            + _("Choose fewer pages or copies, or ask at the desk."))


def build_print_status(parent: tk.Frame, look: Look, view: PrintStatusView,
                       desk_lines: Sequence[str], stop_or_back: Callable[[], None]
                       ) -> ScreenParts:
    """Where the printing is, in one sentence, and the one thing to do next."""
    p, m = look.palette, look.metrics
    page = frame(parent, p.background, padx=m.pad * 6)
    frame(page, p.background, height=int(m.height * 0.2)).pack(side="top")
    label(page, look, _("Print"), font=m.title_font, fg=p.accent).pack(side="top", fill="x")
    # A failure, or a printer problem holding the job: the desk must come.
    trouble = view.stage in ("failed", "unprintable") or (
        view.stage in ("sent", "waiting") and bool(view.reason))
    label(page, look, status_sentence(view), font=m.tile_font,
          fg=p.danger if trouble else p.text, wraplength=int(m.width * 0.85)).pack(
        side="top", fill="x", pady=m.pad * 2)
    if trouble:
        for line in desk_lines:
            label(page, look, line, wraplength=int(m.width * 0.85)).pack(side="top", fill="x")
    if view.finished:
        text = look.back_label(_("Back"))
    elif view.stage == "preparing":
        text = look.back_label(_("Cancel: print nothing"))
    else:
        text = "■  " + _("Stop printing")
    action = button(page, look, text, stop_or_back, kind="primary", font=m.tile_font,
                    name="back" if view.finished else "stop")
    action.pack(side="top", anchor=look.anchor("w"), pady=m.pad * 3)
    return ScreenParts(frame=page, order=[action], name="print_status", escape=stop_or_back)


def status_sentence(view: PrintStatusView) -> str:
    if view.stage == "preparing":
        return _("Preparing the pages…")
    if view.stage == "unprintable":
        return _("This cannot be printed here. Please tell the desk.")
    return job_sentence(cast(PrintStage, view.stage), view.reason, view.pages_done,
                        view.pages_total)
