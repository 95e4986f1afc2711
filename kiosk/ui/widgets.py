"""Widgets of the shell: big buttons with a strong focus ring, tiles, a scroll area.

Plain Tk buttons are used for everything a resident presses: unlike ttk buttons
they draw a thick, coloured focus ring and wrap long labels, which is what
keyboard-only and low-vision residents need.
"""

from __future__ import annotations

import sys
import tkinter as tk
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from kiosk.ui.theme import Metrics, Palette


def own_style() -> dict[str, Any]:
    """Options that keep a plain Tk widget in the kiosk's own colours.

    Once imported, ttkbootstrap restyles plain Tk widgets made afterwards unless
    told not to (and the kiosk's contrast and focus ring must win); before, Tk
    does not know the option at all.
    """
    return {"autostyle": False} if "ttkbootstrap" in sys.modules else {}

Anchor = Literal["nw", "n", "ne", "w", "center", "e", "sw", "s", "se"]
Justify = Literal["left", "center", "right"]


@dataclass(frozen=True)
class Look:
    """The palette and sizes every widget of one screen uses."""

    palette: Palette
    metrics: Metrics


def button(
    parent: tk.Misc,
    look: Look,
    text: str,
    command: Callable[[], None],
    *,
    kind: str = "normal",
    font: tuple[str, int, str] | None = None,
    wraplength: int = 0,
    anchor: Anchor = "center",
    name: str | None = None,
) -> tk.Button:
    """A focusable button; kind is "normal", "primary", "danger" or "header"."""
    p, m = look.palette, look.metrics
    colours = {
        "normal": (p.surface, p.text),
        "primary": (p.accent, p.accent_text),
        "danger": (p.danger, p.danger_text),
        "header": (p.header, p.header_text),
    }[kind]
    background, foreground = colours
    naming: dict[str, Any] = {"name": name} if name else {}
    widget = tk.Button(
        parent,
        **own_style(),
        **naming,
        text=text,
        command=command,
        font=font or m.text_font,
        bg=background,
        fg=foreground,
        activebackground=p.hover,
        activeforeground=p.text,
        relief="solid",
        bd=1,
        highlightthickness=m.focus_ring,
        highlightcolor=p.focus,
        highlightbackground=_parent_background(parent, p),
        takefocus=1,
        wraplength=wraplength,
        justify="left" if anchor == "w" else "center",
        anchor=anchor,
        padx=m.pad * 2,
        pady=m.pad,
        cursor="hand2",
    )
    return widget


TOUCH_MIN_PX = 48  # the smallest a finger can aim at reliably


def keep_touchable(widget: tk.Button, minimum: int = TOUCH_MIN_PX) -> None:
    """Pad `widget` until it asks for at least `minimum` pixels each way."""
    short_w = minimum - widget.winfo_reqwidth()
    short_h = minimum - widget.winfo_reqheight()
    if short_w > 0:
        widget.configure(padx=int(widget.cget("padx")) + (short_w + 1) // 2)
    if short_h > 0:
        widget.configure(pady=int(widget.cget("pady")) + (short_h + 1) // 2)


def wrap_to_width(widget: tk.Button | tk.Label, margin: int) -> None:
    """Wrap the widget's text to the width it really gets, whatever the layout gives it."""

    def rewrap(event: tk.Event[tk.Misc]) -> None:
        width = max(40, event.width - margin)
        if int(widget.cget("wraplength")) != width:
            widget.configure(wraplength=width)

    widget.bind("<Configure>", rewrap, add="+")


def _parent_background(parent: tk.Misc, palette: Palette) -> str:
    try:
        return str(parent.cget("bg"))
    except tk.TclError:
        return palette.background


def label(
    parent: tk.Misc,
    look: Look,
    text: str,
    *,
    font: tuple[str, int, str] | None = None,
    wraplength: int = 0,
    fg: str | None = None,
    bg: str | None = None,
    anchor: Anchor = "w",
    justify: Justify = "left",
    name: str | None = None,
) -> tk.Label:
    p = look.palette
    naming: dict[str, Any] = {"name": name} if name else {}
    return tk.Label(
        parent,
        **own_style(),
        **naming,
        text=text,
        font=font or look.metrics.text_font,
        fg=fg or p.text,
        bg=bg or _parent_background(parent, p),
        wraplength=wraplength,
        anchor=anchor,
        justify=justify,
    )


def frame(parent: tk.Misc, bg: str, **options: Any) -> tk.Frame:
    """A plain container in the kiosk's colours."""
    return tk.Frame(parent, bg=bg, **own_style(), **options)


def image_label(parent: tk.Misc, image: Any, bg: str = "#ffffff") -> tk.Label:
    return tk.Label(parent, image=image, bg=bg, bd=0, **own_style())


_WHEEL_ROUTED: weakref.WeakSet[tk.Misc] = weakref.WeakSet()


def _route_wheel_once(root: tk.Misc) -> None:
    """One wheel binding per Tk root, for every scroll area to come.

    The wheel goes to the widget under the pointer (a tile, a label), so it is bound
    on "all"; one binding per area would pile up with every screen built, each
    left calling a destroyed area.
    """
    if root in _WHEEL_ROUTED:
        return
    _WHEEL_ROUTED.add(root)
    for sequence in ("<Button-4>", "<Button-5>"):
        root.bind_all(sequence, _scroll_area_under_pointer, add="+")


def _scroll_area_under_pointer(event: tk.Event[tk.Misc]) -> None:
    widget: Any = event.widget
    while isinstance(widget, tk.Misc) and not isinstance(widget, ScrollArea):
        widget = widget.master
    if isinstance(widget, ScrollArea) and widget.winfo_exists():
        widget.scroll_by_wheel(event)


class ScrollArea(tk.Frame):
    """A vertically scrolling area whose content follows the keyboard focus."""

    def __init__(self, parent: tk.Misc, look: Look) -> None:
        super().__init__(parent, bg=look.palette.background, **own_style())
        self._canvas = tk.Canvas(
            self, bg=look.palette.background, highlightthickness=0, bd=0, takefocus=0,
            **own_style(),
        )
        self._bar: Any = None  # made when the content first overflows
        self.inner = frame(self._canvas, look.palette.background)
        self._window = self._canvas.create_window(0, 0, window=self.inner, anchor="nw")
        self._canvas.pack(side="left", fill="both", expand=True)
        self.inner.bind("<Configure>", self._on_inner_resized)
        self._canvas.bind("<Configure>", self._on_canvas_resized)
        _route_wheel_once(self.winfo_toplevel())

    def _on_inner_resized(self, _event: object) -> None:
        self._canvas.configure(scrollregion=self._canvas.bbox("all"))
        self._update_bar()

    def _on_canvas_resized(self, event: tk.Event[tk.Canvas]) -> None:
        self._canvas.itemconfigure(self._window, width=event.width)
        self._update_bar()

    def _overflows(self) -> bool:
        height = self._canvas.winfo_height()
        # A height of 1 means "not laid out yet", not "too small for everything".
        return height > 1 and self.inner.winfo_reqheight() > height + 1

    def _update_bar(self) -> None:
        if self._overflows():
            bar = self._scrollbar()
            if not bar.winfo_ismapped():
                bar.pack(side="right", fill="y")
        elif self._bar is not None and self._bar.winfo_ismapped():
            self._bar.pack_forget()
            self._canvas.yview_moveto(0)

    def _scrollbar(self) -> Any:
        if self._bar is None:
            self._bar = themed_scrollbar(self, self._canvas.yview)
            self._canvas.configure(yscrollcommand=self._bar.set)
        return self._bar

    def scroll_by_wheel(self, event: tk.Event[tk.Misc]) -> None:
        if self._overflows():
            self._canvas.yview_scroll(-2 if event.num == 4 else 2, "units")

    def show_widget(self, widget: tk.Misc) -> None:
        """Scroll so that `widget` (inside this area) is fully visible."""
        if not self._overflows():
            return
        total = max(1, self.inner.winfo_reqheight())
        top = widget.winfo_rooty() - self.inner.winfo_rooty()
        bottom = top + widget.winfo_height()
        view_top = self._canvas.canvasy(0)
        view_bottom = view_top + self._canvas.winfo_height()
        if top < view_top:
            self._canvas.yview_moveto(max(0, top - 20) / total)
        elif bottom > view_bottom:
            self._canvas.yview_moveto((bottom + 20 - self._canvas.winfo_height()) / total)


_THEME = "flatly"
_themed = False


def themed_scrollbar(parent: tk.Misc, command: Callable[..., Any]) -> Any:
    """A large, flat ttk scrollbar in ttkbootstrap's theme.

    ttkbootstrap is imported and its theme built on first need: that takes a
    noticeable share of the start-up of an old PC, and most home screens fit
    without scrolling.
    """
    global _themed
    import ttkbootstrap

    if not _themed:
        ttkbootstrap.Style(theme=_THEME)  # type: ignore[no-untyped-call]
        _themed = True
    return ttkbootstrap.Scrollbar(parent, orient="vertical", command=command)
