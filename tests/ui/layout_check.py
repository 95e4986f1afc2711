"""Looks for what a person would see as broken in a drawn screen: text cut, controls
off the window or over each other, targets too small for a finger.

Call after the screen is built and laid out (`settle`, or `update_idletasks`):

    problems = find_clipped(root)          # text cut, outside the window, overlapping
    small = find_small_targets(root, 48)   # clickable things under 48x48 px

Each problem is one line naming the widget (its Tk path) and what is wrong.
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Iterator
from tkinter import ttk

# Tk rounds a little: a pixel short is not a cut letter.
SLACK = 1
TEXT_CLASSES = (tk.Label, tk.Button, tk.Checkbutton, tk.Radiobutton, tk.Message, ttk.Label,
                ttk.Button, ttk.Checkbutton, ttk.Radiobutton)
TARGET_CLASSES = (tk.Button, tk.Checkbutton, tk.Radiobutton, tk.Entry, tk.Spinbox, tk.Scale,
                  ttk.Button, ttk.Checkbutton, ttk.Radiobutton, ttk.Entry, ttk.Spinbox,
                  ttk.Combobox, ttk.Scrollbar)


def _shown(root: tk.Misc) -> Iterator[tk.Misc]:
    """Every widget drawn on screen, parents before children."""
    for child in root.winfo_children():
        if isinstance(child, tk.Toplevel) or not child.winfo_viewable():
            continue
        yield child
        yield from _shown(child)


def _rect(widget: tk.Misc) -> tuple[int, int, int, int]:
    x, y = widget.winfo_rootx(), widget.winfo_rooty()
    return x, y, x + widget.winfo_width(), y + widget.winfo_height()


def _in_scroller(widget: tk.Misc) -> bool:
    """Inside a canvas (a scrolling area): what lies below its bottom is scrolled to."""
    parent = widget.master
    while parent is not None:
        if isinstance(parent, tk.Canvas):
            return True
        parent = parent.master
    return False


def _has_text(widget: tk.Misc) -> bool:
    try:
        return bool(str(widget.cget("text"))) or bool(str(widget.cget("image")))
    except tk.TclError:
        return False


def find_clipped(root: tk.Misc, may_yield: tuple[str, ...] = ()) -> list[str]:
    """Labels and buttons smaller than they ask to be (their text is cut), lying outside
    the window (or outside a scrolling area's width), overlapping a sibling, or left
    undrawn for want of room. `may_yield`: names of widgets designed to give their
    room up (the toolbar's title)."""
    root.update_idletasks()
    problems: list[str] = []
    window = _rect(root.winfo_toplevel())
    problems.extend(_left_without_room(root, may_yield))
    for widget in _shown(root):
        name = str(widget)
        if isinstance(widget, TEXT_CLASSES) and _has_text(widget):
            want_w, want_h = widget.winfo_reqwidth(), widget.winfo_reqheight()
            got_w, got_h = widget.winfo_width(), widget.winfo_height()
            if got_w + SLACK < want_w or got_h + SLACK < want_h:
                problems.append(f"{name}: cut, {got_w}x{got_h} of {want_w}x{want_h} "
                                f"({_text_of(widget)!r})")
        if isinstance(widget, TEXT_CLASSES + TARGET_CLASSES):
            left, top, right, bottom = _rect(widget)
            scrolled = _in_scroller(widget)
            if left < window[0] - SLACK or right > window[2] + SLACK or (
                    not scrolled and (top < window[1] - SLACK or bottom > window[3] + SLACK)):
                problems.append(f"{name}: outside the window at {left},{top}-{right},{bottom} "
                                f"({_text_of(widget)!r})")
        problems.extend(_overlaps(widget))
        problems.extend(_left_without_room(widget, may_yield))
    return problems


def _left_without_room(parent: tk.Misc, may_yield: tuple[str, ...]) -> list[str]:
    """Children packed or gridded but not drawn: Tk's packer unmaps what it has no room
    for (a control, or a text, that silently vanishes)."""
    return [f"{child}: given no room ({_text_of(child)!r})" for child in parent.winfo_children()
            if child.winfo_manager() in ("pack", "grid") and not child.winfo_ismapped()
            and child.winfo_name() not in may_yield
            and (isinstance(child, TARGET_CLASSES) or _has_text(child)
                 or child.winfo_children())]


def _overlaps(parent: tk.Misc) -> list[str]:
    """Children laid out by pack or grid that cover each other (placed ones may mean to)."""
    laid = [c for c in parent.winfo_children() if c.winfo_viewable()
            and c.winfo_manager() in ("pack", "grid")]
    found: list[str] = []
    for index, first in enumerate(laid):
        a = _rect(first)
        for second in laid[index + 1:]:
            b = _rect(second)
            if min(a[2], b[2]) - max(a[0], b[0]) > SLACK and \
                    min(a[3], b[3]) - max(a[1], b[1]) > SLACK:
                found.append(f"{first} overlaps {second}")
    return found


def find_small_targets(root: tk.Misc, minimum: int = 48) -> list[str]:
    """Everything a finger can press (buttons, fields, clickable labels) that is smaller
    than `minimum` pixels either way."""
    root.update_idletasks()
    small: list[str] = []
    for widget in _shown(root):
        clickable = isinstance(widget, TARGET_CLASSES) or any(
            "Button" in sequence for sequence in widget.bind())
        if not clickable:
            continue
        width, height = widget.winfo_width(), widget.winfo_height()
        if width < minimum or height < minimum:
            small.append(f"{widget}: {width}x{height} ({_text_of(widget)!r})")
    return small


def _text_of(widget: tk.Misc) -> str:
    try:
        return str(widget.cget("text"))[:40]
    except tk.TclError:
        return ""
