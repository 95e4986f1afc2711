"""Keyboard focus for a screen: Tab order, arrow keys, Return and Space.

One handler is bound on the root window, so every screen gets the same keys;
each screen only declares its controls in order.
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from functools import partial

from kiosk.ui.navigation import Direction, Rect, neighbor, next_in_order

# Widgets a resident types into: taking the keyboard back leaves them the focus.
TEXT_FIELDS = frozenset({"Entry", "TEntry", "Text", "Spinbox", "TSpinbox"})


class FocusManager:
    """Moves the focus among the current screen's controls."""

    def __init__(self, root: tk.Misc) -> None:
        self._root = root
        self._order: list[tk.Widget] = []
        self._arrow_group: list[tk.Widget] = []
        self._on_focus: Callable[[tk.Widget], None] | None = None
        self._escape: Callable[[], None] | None = None
        # Told of every focus the resident moves (Read aloud), not of a screen's first.
        self.on_any_focus: Callable[[tk.Widget], None] | None = None
        root.bind("<Escape>", self._on_escape)
        root.bind("<Tab>", lambda e: self._tab(backwards=False))
        root.bind("<ISO_Left_Tab>", lambda e: self._tab(backwards=True))
        root.bind("<Shift-Tab>", lambda e: self._tab(backwards=True))
        for direction in Direction:
            root.bind(f"<{direction.value}>", partial(self._on_arrow, direction))
        root.bind("<Return>", self._activate)
        root.bind("<KP_Enter>", self._activate)

    def set_controls(
        self,
        order: list[tk.Widget],
        *,
        arrow_group: list[tk.Widget] | None = None,
        on_focus: Callable[[tk.Widget], None] | None = None,
        first: tk.Widget | None = None,
        take_keyboard: bool = True,
        escape: Callable[[], None] | None = None,
    ) -> None:
        """Declare the screen's controls in Tab order and give the first one the focus
        (unless another window, the browser, is to keep the keyboard)."""
        self._order = order
        self._arrow_group = arrow_group if arrow_group is not None else order
        self._on_focus = on_focus
        self._escape = escape
        target = first or (order[0] if order else None)
        if target is not None and take_keyboard:
            self.focus(target, moved=False)

    def focus(self, widget: tk.Widget, moved: bool = True) -> None:
        """Give `widget` the focus; `moved`: the resident moved it (not a new screen)."""
        # focus_force: the kiosk window must hold the keyboard even if the window
        # manager has not given it yet (at start-up, or after the browser had it).
        widget.focus_force()
        if self._on_focus is not None:
            self._on_focus(widget)
        if moved and self.on_any_focus is not None:
            self.on_any_focus(widget)

    def reclaim(self) -> None:
        """Take the keyboard back (a window started behind the shell may have taken it),
        keeping the control or the text field that had the focus, else the screen's
        first control."""
        focused = self._root.focus_get()
        keep = focused in self._order or (
            focused is not None and focused.winfo_class() in TEXT_FIELDS)
        target = focused if keep else (self._order[0] if self._order else None)
        if target is not None:
            target.focus_force()

    def current_index(self, group: list[tk.Widget]) -> int:
        focused = self._root.focus_get()
        for index, widget in enumerate(group):
            if widget is focused:
                return index
        return -1

    def _tab(self, backwards: bool) -> str:
        live = [w for w in self._order if w.winfo_exists()]
        if live:
            current = self.current_index(live)
            if current < 0:
                current = len(live) if backwards else -1
            self.focus(live[next_in_order(len(live), current, backwards)])
        return "break"

    def _on_arrow(self, direction: Direction, _event: object) -> str | None:
        return self._arrow(direction)

    def _arrow(self, direction: Direction) -> str | None:
        group = [w for w in self._arrow_group if w.winfo_exists() and w.winfo_ismapped()]
        current = self.current_index(group)
        if current < 0:
            return None  # let the focused widget (e.g. a text field) have the key
        rects = [
            Rect(w.winfo_rootx(), w.winfo_rooty(), w.winfo_width(), w.winfo_height())
            for w in group
        ]
        self.focus(group[neighbor(rects, current, direction)])
        return "break"

    def _on_escape(self, _event: object) -> str | None:
        if self._escape is None:
            return None
        self._escape()
        return "break"

    def _activate(self, _event: object) -> str | None:
        focused = self._root.focus_get()
        if isinstance(focused, tk.Button):
            focused.invoke()
            return "break"
        return None
