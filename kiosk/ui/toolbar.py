"""The strip above the browser, drawn from a list of items.

The shell gives its own items (Home, Back, Reload, Documents, Help, End
session) and each participant adds its own (Print, Scan...) as
`kiosk.session.participant.ToolbarItem`s; this module only draws them. The
strip is refreshed in place (labels, availability) and never rebuilt while a
page is shown: rebuilding would take the keyboard from the browser.
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable, Sequence

from kiosk.i18n import _
from kiosk.session.participant import ToolbarItem
from kiosk.ui.screen import ScreenParts
from kiosk.ui.widgets import Look, button, frame, label

# Items that stand on the far side, next to End session, in this order from the edge.
END_ITEMS = ("end", "help", "documents")


def documents_caption(count: int) -> str:
    """The Documents button's text: the count tells the resident a download arrived."""
    return _("Documents") + (f" ({count})" if count else "")


def _wrap_to(widget: tk.Label, width: int) -> None:
    if width > 1 and int(widget.cget("wraplength")) != width:
        widget.configure(wraplength=width)


class Toolbar:
    """The drawn strip: one button per visible item, refreshed in place."""

    def __init__(self, parent: tk.Frame, look: Look, items: Sequence[ToolbarItem], title: str,
                 notice: tk.StringVar, explain: Callable[[str], None]) -> None:
        p, m = look.palette, look.metrics
        self.look = look
        self.items = [item for item in items if item.availability().visible]
        self._explain = explain
        self.frame = frame(parent, p.header, padx=m.pad, pady=max(2, m.pad // 2))
        self.font = m.font(max(15, round(m.text_px * 0.85)), bold=True)
        self.buttons: dict[str, tk.Button] = {}
        start = [item for item in self.items if item.side == "start"]
        end = sorted((item for item in self.items if item.side == "end"), key=_end_rank)
        for item in start:
            self._add(item, "left")
        for item in end:
            self._add(item, "right")
        # The time limit drawing near, in the toolbar's own colours so that the
        # empty label of the rest of the time is invisible.
        warning = label(self.frame, look, "", font=self.font, fg=p.header_text, bg=p.header,
                        anchor="e")
        warning.configure(textvariable=notice)
        warning.pack(side="right", padx=m.pad)
        title_label = label(self.frame, look, title, font=m.small_font, fg=p.header_text,
                            bg=p.header, anchor="center", justify="center")
        title_label.pack(side="left", fill="both", expand=True, padx=m.pad)
        # The procedure's name gets the room the buttons leave: wrapped to it, not cut.
        title_label.bind("<Configure>", lambda event: _wrap_to(title_label, event.width))
        self.refresh()

    @property
    def order(self) -> list[tk.Widget]:
        """Tab order: the start items, then the far side from the title outwards."""
        start = [self.buttons[i.id] for i in self.items if i.side == "start"]
        end = [self.buttons[i.id] for i in sorted(
            (i for i in self.items if i.side == "end"), key=_end_rank, reverse=True)]
        return [*start, *end]

    def _add(self, item: ToolbarItem, side: str) -> None:
        p, m = self.look.palette, self.look.metrics
        kind = "danger" if item.id == "end" else "normal"
        widget = button(self.frame, self.look, "", lambda: self._press(item), kind=kind,
                        font=self.font, name=item.id)
        widget.configure(highlightbackground=p.header, padx=m.pad, pady=max(2, m.pad // 2))
        widget.pack(side=side, padx=max(2, m.pad // 2), fill="y")  # type: ignore[arg-type]
        self.buttons[item.id] = widget

    def _press(self, item: ToolbarItem) -> None:
        why = item.availability().why_unavailable
        if why:
            self._explain(why)  # a greyed-out button still answers: it says why
        else:
            item.action()

    def refresh(self) -> None:
        """Labels and availability again (a document arrived, a printer came or went)."""
        p = self.look.palette
        for item in self.items:
            widget = self.buttons[item.id]
            text = f"{item.symbol} {item.label()}".strip()
            if widget.cget("text") != text:
                widget.configure(text=text)
            enabled = not item.availability().why_unavailable
            normal_fg = p.danger_text if item.id == "end" else p.text
            widget.configure(fg=normal_fg if enabled else p.border)

    def parts(self) -> ScreenParts:
        order = self.order
        return ScreenParts(frame=self.frame, order=order, first=order[0] if order else None,
                           name="toolbar")


def _end_rank(item: ToolbarItem) -> int:
    """Far-side items: End session at the edge, then Help, Documents, then the others."""
    return END_ITEMS.index(item.id) if item.id in END_ITEMS else len(END_ITEMS)
