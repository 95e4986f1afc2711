"""The strip above the browser: the resident's way home, back, to help, and out."""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from kiosk.i18n import _
from kiosk.ui.screen import ScreenParts
from kiosk.ui.widgets import Look, button, frame, label


@dataclass(frozen=True)
class ToolbarActions:
    home: Callable[[], None]
    back: Callable[[], None]
    reload: Callable[[], None]
    documents: Callable[[], None]
    help: Callable[[], None]
    end_session: Callable[[], None]


def _wrap_to(widget: tk.Label, width: int) -> None:
    if width > 1 and int(widget.cget("wraplength")) != width:
        widget.configure(wraplength=width)


def documents_caption(count: int) -> str:
    """The Documents button's text: the count tells the resident a download arrived."""
    return "⬇ " + _("Documents") + (f" ({count})" if count else "")


def build_toolbar(
    parent: tk.Frame, look: Look, actions: ToolbarActions, title: str,
    documents: tk.StringVar, notice: tk.StringVar | None = None,
) -> ScreenParts:
    """One row of big buttons; 'End session' stands apart on the far side.

    `documents` and `notice` change while the strip is shown (a download, the time
    limit drawing near): rebuilding it would take the keyboard from the browser.
    """
    p, m = look.palette, look.metrics
    bar = frame(parent, p.header, padx=m.pad, pady=max(2, m.pad // 2))
    font = m.font(max(15, round(m.text_px * 0.85)), bold=True)

    def add(text: str, command: Callable[[], None], name: str,
            side: Literal["left", "right"] = "left",
            kind: str = "normal") -> tk.Button:
        b = button(bar, look, text, command, kind=kind, font=font, name=name)
        b.configure(highlightbackground=p.header, padx=m.pad, pady=max(2, m.pad // 2))
        b.pack(side=side, padx=max(2, m.pad // 2), fill="y")
        return b

    order: list[tk.Widget] = [
        add("⌂ " + _("Home"), actions.home, "home"),
        add("← " + _("Back"), actions.back, "back"),
        add("⟳ " + _("Reload"), actions.reload, "reload"),
    ]
    end = add(_("End session"), actions.end_session, "end", side="right", kind="danger")
    help_button = add("☎ " + _("Help"), actions.help, "help", side="right")
    docs = add("", actions.documents, "documents", side="right")
    docs.configure(textvariable=documents)
    if notice is not None:
        # The time limit drawing near, in the toolbar's own colours so that the
        # empty label of the rest of the time is invisible.
        warning = label(bar, look, "", font=font, fg=p.header_text, bg=p.header, anchor="e")
        warning.configure(textvariable=notice)
        warning.pack(side="right", padx=m.pad)
    title_label = label(bar, look, title, font=m.small_font, fg=p.header_text, bg=p.header,
                        anchor="center", justify="center")
    title_label.pack(side="left", fill="both", expand=True, padx=m.pad)
    # The procedure's name gets the room the buttons leave: wrapped to it, not cut.
    title_label.bind("<Configure>", lambda event: _wrap_to(title_label, event.width))
    order += [docs, help_button, end]
    return ScreenParts(frame=bar, order=order, first=order[0], name="toolbar")
