"""The scan panel: choose the scanner and what to scan, watch it come, check the pages.

One screen per stage of kiosk.session.scan_flow: the presets (and the scanners
when there are several), a progress bar while the scanner works, then the
previews with Rotate, Add a page and Finish. The keyboard starts on the likely
next step (the preset most asked for, "Scan the other side" for a card, Finish
for a proof, Add a page for several pages). Escape cancels, silently.
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from kiosk.devices.scanner_states import needs_the_desk, scan_sentence
from kiosk.i18n import _, ngettext
from kiosk.session.scan_flow import A4_PROOF, ID_CARD, SEVERAL_PAGES, ScanPanelView
from kiosk.ui.screen import ScreenParts
from kiosk.ui.widgets import Look, button, frame, image_label, label

PREVIEW_HEIGHT = 380


@dataclass(frozen=True)
class ScanActions:
    """What the panel's buttons do (each feeds the flow)."""

    choose_scanner: Callable[[str], None]
    start: Callable[[str], None]
    rotate: Callable[[int], None]
    add_page: Callable[[], None]
    finish: Callable[[], None]
    retry: Callable[[], None]
    cancel: Callable[[], None]


def preset_caption(preset: str) -> tuple[str, str]:
    """A preset's name and what to put on the glass."""
    if preset == ID_CARD:
        return (_("ID card, both sides on one page"),
                _("Put the card face down in the corner of the glass."))
    if preset == SEVERAL_PAGES:
        return (_("Several pages into one PDF"),
                _("Put the first page face down on the glass; you add the others one by one."))
    return (_("A4 proof (payslip, bill)"),
            _("Put the page face down on the glass, against the corner."))


def build_scan_panel(parent: tk.Frame, look: Look, view: ScanPanelView, progress: tk.IntVar,
                     actions: ScanActions, desk_lines: Sequence[str] = ()) -> ScreenParts:
    p, m = look.palette, look.metrics
    page = frame(parent, p.background, padx=m.pad * 6)
    label(page, look, _("Scan a document"), font=m.title_font, fg=p.accent).pack(
        side="top", fill="x", pady=(m.pad * 3, m.pad))
    bottom = frame(page, p.background)
    bottom.pack(side="bottom", anchor=look.anchor("w"), pady=m.pad * 2)
    body = frame(page, p.background)
    body.pack(side="top", fill="both", expand=True)
    builder = {"choose": _choose, "scanning": _scanning, "review": _review,
               "saving": _saving, "saved": _saved, "failed": _failed}[view.stage]
    order, first, keep = builder(body, bottom, look, view, progress, actions, desk_lines)
    return ScreenParts(frame=page, order=order, first=first, keep=keep,
                       name=f"scan_{view.stage}", escape=actions.cancel)


Built = tuple[list[tk.Widget], tk.Widget | None, list[Any]]


def _cancel_button(parent: tk.Frame, look: Look, actions: ScanActions,
                   text: str = "") -> tk.Button:
    widget = button(parent, look, look.back_label(text or _("Cancel: scan nothing")),
                    actions.cancel,
                    font=look.metrics.tile_font, name="cancel")
    widget.pack(side=look.start)
    return widget


def _text(parent: tk.Frame, look: Look, text: str, **options: Any) -> None:
    label(parent, look, text, wraplength=int(look.metrics.width * 0.85), **options).pack(
        side="top", fill="x", pady=look.metrics.pad // 2)


def _choose(body: tk.Frame, bottom: tk.Frame, look: Look, view: ScanPanelView,
            progress: tk.IntVar, actions: ScanActions, desk_lines: Sequence[str]) -> Built:
    m = look.metrics
    order: list[tk.Widget] = []
    if len(view.scanners) > 1:
        _text(body, look, _("Which scanner?"), font=m.tile_font)
        row = frame(body, look.palette.background)
        row.pack(side="top", anchor=look.anchor("w"), pady=(0, m.pad * 2))
        for index, scanner in enumerate(view.scanners):
            mark = "◉" if scanner.name == view.scanner else "○"
            choice = button(row, look, f"{mark}  {scanner.label}",
                            _chooser(actions, scanner.name), font=m.text_font,
                            name=f"scanner_{index}")
            choice.pack(side=look.start, padx=look.padx(0, m.pad))
            order.append(choice)
    _text(body, look, _("What do you want to scan?"), font=m.tile_font)
    presets = []
    for preset in (ID_CARD, A4_PROOF, SEVERAL_PAGES):
        title, hint = preset_caption(preset)
        widget = button(body, look, f"{title}\n{hint}", _starter(actions, preset),
                        font=m.tile_font, anchor="w", wraplength=int(m.width * 0.8),
                        name=f"preset_{preset}")
        widget.pack(side="top", fill="x", pady=m.pad // 2)
        presets.append(widget)
    cancel = _cancel_button(bottom, look, actions)
    return [*presets, *order, cancel], presets[1], []


def _chooser(actions: ScanActions, name: str) -> Callable[[], None]:
    return lambda: actions.choose_scanner(name)


def _starter(actions: ScanActions, preset: str) -> Callable[[], None]:
    return lambda: actions.start(preset)


def _scanning(body: tk.Frame, bottom: tk.Frame, look: Look, view: ScanPanelView,
              progress: tk.IntVar, actions: ScanActions, desk_lines: Sequence[str]) -> Built:
    from tkinter import ttk

    m = look.metrics
    side = len(view.pages) + 1
    if view.preset == ID_CARD:
        what = _("Scanning the front of the card…") if side == 1 else \
            _("Scanning the back of the card…")
    else:
        what = _("Scanning page %d…") % side
    _text(body, look, what, font=m.tile_font)
    bar = ttk.Progressbar(body, orient="horizontal", mode="determinate", maximum=100,
                          variable=progress, length=int(m.width * 0.6), takefocus=0)
    bar.pack(side="top", anchor=look.anchor("w"), pady=m.pad * 2, ipady=m.pad)
    percent = label(body, look, "", font=m.tile_font)
    percent.configure(textvariable=progress)
    percent.pack(side="top", anchor=look.anchor("w"))
    _text(body, look, _("Do not lift the cover until the scan is over."))
    cancel = _cancel_button(bottom, look, actions, _("Cancel the scan"))
    return [cancel], cancel, []


def _previews(parent: tk.Frame, look: Look, view: ScanPanelView,
              actions: ScanActions) -> tuple[list[tk.Widget], list[Any]]:
    from PIL import Image, ImageTk

    p, m = look.palette, look.metrics
    row = frame(parent, p.background)
    row.pack(side="top", anchor=look.anchor("w"), pady=m.pad)
    keep: list[Any] = []
    rotators: list[tk.Widget] = []
    height = PREVIEW_HEIGHT if len(view.pages) <= 3 else PREVIEW_HEIGHT * 3 // len(view.pages)
    for index, scanned in enumerate(view.pages):
        cell = frame(row, p.background)
        cell.pack(side=look.start, padx=look.padx(0, m.pad * 2), anchor="n")
        try:
            with Image.open(scanned.preview) as picture:
                shown = picture.rotate(-90 * scanned.turns, expand=True)
                shown.thumbnail((height, height))
                photo = ImageTk.PhotoImage(shown)
        except OSError:
            continue  # a missing picture leaves a gap, not a broken panel
        image_label(cell, photo, bg=p.surface).pack(side="top")
        keep.append(photo)
        # Translators: button that turns a scanned page a quarter turn.
        rotate = button(cell, look, "↻  " + _("Rotate"), _rotator(actions, index),
                        font=m.text_font, name=f"rotate_{index}")
        rotate.pack(side="top", pady=m.pad // 2)
        rotators.append(rotate)
    return rotators, keep


def _rotator(actions: ScanActions, index: int) -> Callable[[], None]:
    return lambda: actions.rotate(index)


def _review(body: tk.Frame, bottom: tk.Frame, look: Look, view: ScanPanelView,
            progress: tk.IntVar, actions: ScanActions, desk_lines: Sequence[str]) -> Built:
    m = look.metrics
    rotators, keep = _previews(body, look, view, actions)
    if view.needs_other_side:
        _text(body, look, _("Now turn the card over, in the same corner."), font=m.tile_font)
    else:
        pages = len(view.pages) if view.preset != ID_CARD else 1
        _text(body, look, ngettext("%d page scanned.", "%d pages scanned.", pages) % pages,
              font=m.tile_font)
    order: list[tk.Widget] = []
    add = finish = None
    if view.can_add_page:
        text = _("Scan the other side") if view.needs_other_side else _("Add a page")
        add = button(bottom, look, "+  " + text, actions.add_page,
                     kind="primary" if view.needs_other_side else "normal",
                     font=m.tile_font, name="add_page")
        add.pack(side=look.start, padx=look.padx(0, m.pad * 2))
        order.append(add)
    if not view.needs_other_side:
        # Translators: button: the scanned document is complete.
        finish = button(bottom, look, "✓  " + _("Finish"), actions.finish, kind="primary",
                        font=m.tile_font, name="finish")
        finish.pack(side=look.start, padx=look.padx(0, m.pad * 2))
        order.append(finish)
    order.append(_cancel_button(bottom, look, actions))
    first = add if view.needs_other_side or (view.preset == SEVERAL_PAGES and add) else finish
    return [*order, *rotators], first or order[0], keep


def _saving(body: tk.Frame, bottom: tk.Frame, look: Look, view: ScanPanelView,
            progress: tk.IntVar, actions: ScanActions, desk_lines: Sequence[str]) -> Built:
    _text(body, look, _("Making your document…"), font=look.metrics.tile_font)
    cancel = _cancel_button(bottom, look, actions)
    return [cancel], cancel, []


def _saved(body: tk.Frame, bottom: tk.Frame, look: Look, view: ScanPanelView,
           progress: tk.IntVar, actions: ScanActions, desk_lines: Sequence[str]) -> Built:
    m = look.metrics
    _text(body, look, _("Your scan is ready: %(name)s") % {"name": view.document},
          font=m.tile_font)
    _text(body, look, _("It is in your documents: a website that asks for a file can take it "
                        "from there. It is erased when your session ends."))
    back = button(bottom, look, look.back_label(_("Back")), actions.cancel, kind="primary",
                  font=m.tile_font, name="back")
    back.pack(side=look.start)
    return [back], back, []


def _failed(body: tk.Frame, bottom: tk.Frame, look: Look, view: ScanPanelView,
            progress: tk.IntVar, actions: ScanActions, desk_lines: Sequence[str]) -> Built:
    p, m = look.palette, look.metrics
    _text(body, look, scan_sentence(view.reason), font=m.tile_font, fg=p.danger)
    if needs_the_desk(view.reason):
        for line in desk_lines:
            _text(body, look, line)
    order: list[tk.Widget] = []
    if view.reason != "no_scanner":
        retry = button(bottom, look, "⟳  " + _("Try again"), actions.retry, kind="primary",
                       font=m.tile_font, name="retry")
        retry.pack(side=look.start, padx=look.padx(0, m.pad * 2))
        order.append(retry)
    order.append(_cancel_button(bottom, look, actions, _("Back")))
    return order, order[0], []
