"""Widgets of the shell: big buttons with a strong focus ring, tiles, a scroll area.

Plain Tk buttons are used for everything a resident presses: unlike ttk buttons
they draw a thick, coloured focus ring and wrap long labels, which is what
keyboard-only and low-vision residents need.
"""

from __future__ import annotations

import contextlib
import sys
import tkinter as tk
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from kiosk.ui import bidi
from kiosk.ui.theme import Metrics, Palette


def own_style() -> dict[str, Any]:
    """Options that keep a plain Tk widget in the kiosk's own colours.

    Once imported, ttkbootstrap restyles plain Tk widgets made afterwards unless
    told not to (and the kiosk's contrast and focus ring must win); before, Tk
    does not know the option at all.
    """
    return {"autostyle": False} if "ttkbootstrap" in sys.modules else {}


def set_toolkit_language(root: tk.Misc, lang: str) -> None:
    """Put Tk's and ttkbootstrap's own words (their msgcat catalogue: dialog buttons,
    ttkbootstrap's widgets) in the resident's language, as ttkbootstrap's
    MessageCatalog.locale does, without importing ttkbootstrap before it is needed."""
    root.tk.call("package", "require", "msgcat")
    root.tk.call("::msgcat::mclocale", lang.replace("-", "_").lower())


Anchor = Literal["nw", "n", "ne", "w", "center", "e", "sw", "s", "se"]
Justify = Literal["left", "center", "right"]


Side = Literal["left", "right", "top", "bottom"]

_MIRRORED_ANCHOR = {"nw": "ne", "ne": "nw", "w": "e", "e": "w", "sw": "se", "se": "sw"}
_MIRRORED_SIDE = {"left": "right", "right": "left"}


@dataclass(frozen=True)
class Look:
    """The palette and sizes every widget of one screen uses, and its writing direction.

    Screens are written once, in left-to-right terms ("left" is where reading
    starts); in a right-to-left language the Look mirrors them. Every side,
    anchor, sticky, justify, horizontal padding, grid column and "back" arrow a
    screen uses goes through it: `look.side("left")`, `look.anchor("w")`,
    `look.sticky("nw")`, `look.justify("left")`, `look.padx(0, 8)`,
    `look.column(i, count)`, `look.back`. label() and button() already mirror
    their own anchor and justify, and lay out right-to-left text (kiosk.ui.bidi).
    """

    palette: Palette
    metrics: Metrics
    rtl: bool = False

    def side(self, side: Side) -> Side:
        """A pack side: left and right swap in a right-to-left language."""
        return _MIRRORED_SIDE.get(side, side) if self.rtl else side  # type: ignore[return-value]

    def anchor(self, anchor: Anchor) -> Anchor:
        """An anchor (nw, w, e...): east and west swap in a right-to-left language."""
        return _MIRRORED_ANCHOR.get(anchor, anchor) if self.rtl else anchor  # type: ignore[return-value]

    def sticky(self, sticky: str) -> str:
        """A grid sticky ("nw", "nsew"...): e and w swap in a right-to-left language."""
        if not self.rtl:
            return sticky
        return sticky.translate(str.maketrans("ew", "we"))

    def justify(self, justify: Justify) -> Justify:
        """Lines of a wrapped text: left and right swap in a right-to-left language."""
        if not self.rtl or justify == "center":
            return justify
        return "right" if justify == "left" else "left"

    def padx(self, start: int, end: int) -> tuple[int, int]:
        """Horizontal padding given reading-start first, as Tk's (left, right)."""
        return (end, start) if self.rtl else (start, end)

    def column(self, index: int, count: int) -> int:
        """The grid column of the `index`-th cell of `count` in reading order."""
        return count - 1 - index if self.rtl else index

    @property
    def start(self) -> Side:
        """The side reading starts from."""
        return self.side("left")

    @property
    def end(self) -> Side:
        return self.side("right")

    @property
    def back(self) -> str:
        """The arrow of a Back button, pointing where reading came from."""
        return "→" if self.rtl else "←"

    def back_label(self, text: str) -> str:
        """A Back button's words after its arrow ("←  Back", "→  رجوع")."""
        return f"{self.back}  {text}"


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
        highlightbackground=p.outline or _parent_background(parent, p),
        takefocus=1,
        justify=look.justify("left") if anchor == "w" else "center",
        anchor=look.anchor(anchor),
        padx=m.pad * 2,
        pady=m.pad,
        cursor="hand2",
    )
    _start_showing(widget, look, text, wraplength)
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


def wrap_to_width(widget: tk.Button | tk.Label, margin: int, least: int = 40) -> None:
    """Wrap the widget's text to the width it really gets, whatever the layout gives it."""

    def rewrap(event: tk.Event[tk.Misc]) -> None:
        set_wrap(widget, max(least, event.width - margin), following_layout=True)

    widget.bind("<Configure>", rewrap, add="+")


WRAP_SLACK = 2  # pixels of width change that do not rewrap a text


@dataclass
class _Shown:
    """What a widget was asked to show: the logical text and the width to wrap it to."""

    text: str
    wrap: int
    rtl: bool


# Keyed by the widget itself: the entry goes with the widget.
_SHOWN: weakref.WeakKeyDictionary[tk.Misc, _Shown] = weakref.WeakKeyDictionary()


def _start_showing(widget: tk.Label | tk.Button, look: Look, text: str, wrap: int) -> None:
    _SHOWN[widget] = _Shown(text, wrap, look.rtl)
    _render(widget, _SHOWN[widget])


def show_text(widget: tk.Label | tk.Button, text: str) -> None:
    """Change what a label or button made by this module shows.

    Always use this (or `bind_text`) rather than `configure(text=...)`: right-to-left
    text is shaped, wrapped and reordered here (kiosk.ui.bidi)."""
    shown = _SHOWN.get(widget)
    if shown is None:
        _SHOWN[widget] = shown = _Shown(text, int(str(widget.cget("wraplength"))), False)
    shown.text = text
    _render(widget, shown)


def set_wrap(widget: tk.Label | tk.Button, width: int, following_layout: bool = False) -> None:
    """Wrap the widget's text to `width` pixels (instead of `configure(wraplength=...)`).

    `following_layout`: the width comes from the layout itself (wrap_to_width), which
    may answer each rewrap with a pixel more or less."""
    shown = _SHOWN.get(widget)
    if shown is None:
        _SHOWN[widget] = shown = _Shown(str(widget.cget("text")), width, False)
    if shown.wrap == width:
        return
    if following_layout and shown.wrap > 0 and 0 < width - shown.wrap <= WRAP_SLACK:
        # Columns of one uniform grid differ by a pixel, and which one gets it follows
        # what the texts ask: rewrapping on that pixel would swing the layout forever
        # (seen with Arabic titles, and with English ones at the large text size). A
        # pixel more is let go; a pixel less is followed, so nothing is ever cut.
        return
    shown.wrap = width
    _render(widget, shown)


def shown_text(widget: tk.Misc) -> str:
    """The text a widget was asked to show, in logical order (what a person reads)."""
    shown = _SHOWN.get(widget)
    return shown.text if shown is not None else str(widget.cget("text"))


def bind_text(widget: tk.Label | tk.Button, variable: tk.StringVar | tk.IntVar) -> None:
    """Show `variable`'s value, following its changes (instead of textvariable=, which
    would hand Tk the logical order). The trace goes with the widget."""

    def follow(*_args: object) -> None:
        show_text(widget, str(variable.get()))

    trace = variable.trace_add("write", follow)
    widget.bind("<Destroy>", lambda _event: _forget_trace(variable, trace), add="+")
    follow()


def _forget_trace(variable: tk.StringVar | tk.IntVar, trace: str) -> None:
    with contextlib.suppress(tk.TclError):
        variable.trace_remove("write", trace)


def _render(widget: tk.Label | tk.Button, shown: _Shown) -> None:
    """Hand Tk the text: as it is (Tk wraps it) unless it holds right-to-left characters;
    then shaped, wrapped by us at word boundaries and each line in visual order."""
    if bidi.has_rtl(shown.text):
        font = widget.cget("font")

        def measure(text: str) -> int:
            return int(widget.tk.call("font", "measure", font, text))

        lines = bidi.visual_lines(shown.text, shown.wrap, measure, shown.rtl)
        text, wrap = "\n".join(lines), 0
    else:
        text, wrap = shown.text, shown.wrap
    if str(widget.cget("text")) != text:
        widget.configure(text=text)
    if int(str(widget.cget("wraplength"))) != wrap:
        widget.configure(wraplength=wrap)


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
    widget = tk.Label(
        parent,
        **own_style(),
        **naming,
        font=font or look.metrics.text_font,
        fg=fg or p.text,
        bg=bg or _parent_background(parent, p),
        anchor=look.anchor(anchor),
        justify=look.justify(justify),
    )
    _start_showing(widget, look, text, wraplength)
    return widget


def frame(parent: tk.Misc, bg: str, **options: Any) -> tk.Frame:
    """A plain container in the kiosk's colours."""
    return tk.Frame(parent, bg=bg, **own_style(), **options)


def image_label(parent: tk.Misc, image: Any, bg: str = "#ffffff",
                name: str | None = None) -> tk.Label:
    naming: dict[str, Any] = {"name": name} if name else {}
    return tk.Label(parent, image=image, bg=bg, bd=0, **naming, **own_style())


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
        self._look = look
        self._canvas = tk.Canvas(
            self, bg=look.palette.background, highlightthickness=0, bd=0, takefocus=0,
            **own_style(),
        )
        self._bar: Any = None  # made when the content first overflows
        self._bar_shown_at = 0  # the canvas width when the bar last came
        self.inner = frame(self._canvas, look.palette.background)
        # Pinned to where reading starts: content too wide for the area is cut at its far
        # end (the left in a right-to-left language), never at its start.
        self._window = self._canvas.create_window(0, 0, window=self.inner,
                                                  anchor=look.anchor("nw"))
        self._canvas.pack(side=look.start, fill="both", expand=True)
        self.inner.bind("<Configure>", self._on_inner_resized)
        self._canvas.bind("<Configure>", self._on_canvas_resized)
        _route_wheel_once(self.winfo_toplevel())

    def _on_inner_resized(self, _event: object) -> None:
        region = self._canvas.bbox("all")
        if self._look.rtl and region:
            # Only the height scrolls: the view stays on the canvas's own width.
            region = (0, region[1], self._canvas.winfo_width(), region[3])
        self._canvas.configure(scrollregion=region)
        self._update_bar()

    def _on_canvas_resized(self, event: tk.Event[tk.Canvas]) -> None:
        self._canvas.itemconfigure(self._window, width=event.width)
        if self._look.rtl:
            self._canvas.coords(self._window, event.width, 0)
            self._on_inner_resized(event)
        self._update_bar()

    def _overflows(self) -> bool:
        height = self._canvas.winfo_height()
        # A height of 1 means "not laid out yet", not "too small for everything".
        return height > 1 and self.inner.winfo_reqheight() > height + 1

    def _update_bar(self) -> None:
        if self._overflows():
            bar = self._scrollbar()
            if not bar.winfo_ismapped():
                bar.pack(side=self._look.end, fill="y")
                self._bar_shown_at = self._canvas.winfo_width()
        elif self._bar is not None and self._bar.winfo_ismapped() and \
                not self._fits_only_beside_the_bar():
            self._bar.pack_forget()
            self._canvas.yview_moveto(0)

    def _fits_only_beside_the_bar(self) -> bool:
        """Content that fits only because the bar took its width would overflow again
        once it goes (wider, the texts wrap onto fewer lines... or more): the bar
        stays, rather than come and go for ever."""
        return self._canvas.winfo_width() < self._bar_shown_at

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
    """A flat ttk scrollbar in ttkbootstrap's theme, as wide as a fingertip.

    ttkbootstrap is imported and its theme built on first need: that takes a
    noticeable share of the start-up of an old PC, and most home screens fit
    without scrolling.
    """
    global _themed
    import ttkbootstrap

    if not _themed:
        style = ttkbootstrap.Style(theme=_THEME)  # type: ignore[no-untyped-call]
        # The theme's bar is 12 px wide: too thin for a finger. Its arrows set its width.
        style.configure("Vertical.TScrollbar", arrowsize=TOUCH_MIN_PX)
        _themed = True
    return ttkbootstrap.Scrollbar(parent, orient="vertical", command=command)
