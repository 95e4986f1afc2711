"""The strip above the browser, drawn from a list of items.

The shell gives its own items (Home, Back, Reload, Documents, Help, End
session) and each participant adds its own (Print, Scan...) as
`kiosk.session.participant.ToolbarItem`s; this module only draws them. The
strip is refreshed in place (labels, availability) and never rebuilt while a
page is shown: rebuilding would take the keyboard from the browser.

Every item must stay on screen whatever the screen's width and the number of
devices: Tk's packer gives nothing to what it packs last when room runs out, and
Help or Documents would vanish. The strip measures its texts first and, when they
do not fit, draws them smaller, then shows the browsing items (Home, Back,
Reload) by their symbol alone, then every item on the page's side so. Help,
Documents and End session always keep their words.

Text size and contrast stand behind one Display button ("Aa"), which opens them in
a panel over the strip: it is the first to give its word up.
"""

from __future__ import annotations

import tkinter as tk
import tkinter.font as tkfont
from collections.abc import Callable, Sequence

from kiosk.i18n import _
from kiosk.session.participant import ToolbarItem
from kiosk.ui.focus import FocusManager
from kiosk.ui.presentation import PresentationChoice, PresentationPanel, display_caption
from kiosk.ui.screen import ScreenParts
from kiosk.ui.theme import Metrics
from kiosk.ui.widgets import (
    Look,
    Side,
    bind_text,
    button,
    frame,
    label,
    set_wrap,
    show_text,
    shown_text,
)

Font = tuple[str, int, str]

# Items that stand on the far side, next to End session, in this order from the edge.
END_ITEMS = ("end", "help", "documents")
# Items whose symbols everybody knows from browsers: the first to lose their words.
BROWSING_ITEMS = ("home", "back", "reload")
DISPLAY = "display"  # the button that opens text size and contrast
TOUCH_MIN_PX = 48  # the smallest a finger can aim at reliably
TICK = "✓"  # a switch that is on, when only its symbol fits
WORD_ROOM_PX = 6  # a wrap width over the longest word that Tk never breaks it in
TITLE_MIN_PX = 110  # narrower, the procedure's name would stand one letter a line


def documents_caption(count: int) -> str:
    """The Documents button's text: the count tells the resident a download arrived."""
    # Translators: toolbar button listing the files of this session; a count may follow.
    return _("Documents") + (f" ({count})" if count else "")


def _fit_title(widget: tk.Label, title: str, width: int, height: int = 0) -> None:
    if width <= 1 or not widget.winfo_exists():  # a strip being replaced
        return
    shown = title if width >= TITLE_MIN_PX else ""
    if shown_text(widget) != shown:
        show_text(widget, shown)
    # The wrap is the text's own width: the label's padding and border come on top.
    edges = 2 * sum(widget.winfo_pixels(str(widget.cget(option)))
                    for option in ("padx", "bd", "highlightthickness"))
    set_wrap(widget, max(1, width - edges))
    if shown and widget.winfo_reqheight() > height > 1:
        show_text(widget, "")  # more lines than the strip is high: left out, not cut


def layouts(items: Sequence[ToolbarItem],
            m: Metrics) -> list[tuple[Font, frozenset[str], bool]]:
    """The strip's layouts, roomiest first: a font, the items shown by their symbol
    (DISPLAY standing for the Display button), and whether words go on two lines."""
    normal = m.font(max(15, round(m.text_px * 0.85)), bold=True)
    small = m.font(max(13, round(m.text_px * 0.72)), bold=True)
    # Two lines of it, narrower paddings: the words still come before symbols alone.
    tight = m.font(max(13, round(m.text_px * 0.65)), bold=True)
    # An item without a symbol keeps its words in any layout.
    start = frozenset(item.id for item in items if item.side == "start" and item.symbol)
    display = frozenset({DISPLAY})
    browsing = display | (frozenset(BROWSING_ITEMS) & start)
    # Words on two lines come before symbols alone: a resident who cannot read a
    # symbol still reads "Imprimer".
    return [(normal, frozenset(), False), (small, frozenset(), False),
            (normal, display, False), (small, display, False), (tight, display, True),
            (small, browsing, False), (tight, browsing, True),
            (small, display | start, False), (tight, display | start, True)]


class Toolbar:
    """The drawn strip: one button per visible item, refreshed in place."""

    def __init__(self, parent: tk.Frame, look: Look, items: Sequence[ToolbarItem], title: str,
                 notice: tk.StringVar, explain: Callable[[str], None],
                 focus: FocusManager, presentation: PresentationChoice | None = None) -> None:
        p, m = look.palette, look.metrics
        self.look = look
        self._focus = focus
        # Controls over the page that follow the strip's in the Tab order (a mediator's).
        self.after_order: list[tk.Widget] = []
        self.items = [item for item in items if item.availability().visible]
        self._explain = explain
        self.frame = frame(parent, p.header, padx=m.pad, pady=max(2, m.pad // 2))
        self.font, self.symbol_only, _wrapped = layouts(self.items, m)[0]
        self.buttons: dict[str, tk.Button] = {}
        start = [item for item in self.items if item.side == "start"]
        end = sorted((item for item in self.items if item.side == "end"), key=_end_rank)
        # Home stands where reading starts (the right in Arabic), End session at the far end.
        for item in start:
            self._add(item, look.start)
        for item in end:
            self._add(item, look.end)
        # Text size and contrast, next to the far side's items: always in view.
        self.presentation = presentation
        self.display: tk.Button | None = None
        self.panel: PresentationPanel | None = None
        if presentation is not None:
            self.display = button(self.frame, look, display_caption(), self.open_panel,
                                  font=self.font, name=DISPLAY)
            self.display.configure(highlightbackground=p.outline or p.header, padx=m.pad,
                                   pady=max(2, m.pad // 2))
            self.display.pack(side=look.end, fill="y", padx=max(2, m.pad // 2))
        # The time limit drawing near, in the toolbar's own colours so that the
        # empty label of the rest of the time is invisible.
        warning = label(self.frame, look, "", font=self.font, fg=p.header_text, bg=p.header,
                        anchor="e")
        bind_text(warning, notice)
        warning.pack(side=look.end, padx=m.pad)
        title_label = label(self.frame, look, title, font=m.small_font, fg=p.header_text,
                            bg=p.header, anchor="center", justify="center", name="title")
        title_label.pack(side=look.start, fill="both", expand=True, padx=m.pad)
        # The procedure's name gets the room the buttons leave: wrapped to it, not cut,
        # and left out when that room is too narrow for a word a line.
        title_label.bind("<Configure>",
                         lambda event: _fit_title(title_label, title, event.width,
                                                   event.height))
        self._fit_in(m)

    @property
    def order(self) -> list[tk.Widget]:
        """Tab order: the start items, then the far side from the title outwards."""
        start = [self.buttons[i.id] for i in self.items if i.side == "start"]
        end = [self.buttons[i.id] for i in sorted(
            (i for i in self.items if i.side == "end"), key=_end_rank, reverse=True)]
        middle = [self.display] if self.display is not None else []
        return [*start, *middle, *end, *self.after_order]

    def open_panel(self) -> None:
        """The Display button: text size and contrast over the strip, the keyboard on the
        size in force; Escape or Close gives the strip back, the keyboard on Display."""
        if self.presentation is None or self.panel is not None:
            return
        p = self.look.palette
        self.panel = PresentationPanel(self.frame, self.look, self.presentation, self.font,
                                       bg=p.header, fg=p.header_text, close=self.close_panel)
        self._focus.set_controls(list(self.panel.buttons), escape=self.close_panel,
                                 first=self.panel.chosen, take_keyboard=False)
        self._focus.focus(self.panel.chosen)  # said aloud like a move of the resident's

    def close_panel(self) -> None:
        """Back to the strip's items, the keyboard on the Display button."""
        panel, self.panel = self.panel, None
        if panel is None:
            return
        panel.destroy()
        order = self.order
        self._focus.set_controls(order, first=self.display, take_keyboard=False)
        if self.display is not None:
            self._focus.focus(self.display)

    def _add(self, item: ToolbarItem, side: Side) -> None:
        p, m = self.look.palette, self.look.metrics
        kind = "danger" if item.id == "end" else "normal"
        widget = button(self.frame, self.look, "", lambda: self._press(item), kind=kind,
                        font=self.font, name=item.id)
        widget.configure(highlightbackground=p.outline or p.header, padx=m.pad,
                         pady=max(2, m.pad // 2))
        widget.pack(side=side, padx=max(2, m.pad // 2), fill="y")
        self.buttons[item.id] = widget

    def _fit_in(self, m: Metrics) -> None:
        """The first layout whose buttons, as Tk sizes them, all fit in the width
        (the last one when none does: the largest text on a small screen)."""
        documents = self.buttons.get("documents")
        for font, symbol_only, wrapped in layouts(self.items, m):
            self.font, self.symbol_only = font, symbol_only
            for widget in self._all_buttons():
                widget.configure(font=font)
                set_wrap(widget, 0)
            self.refresh(count_room=documents is not None)
            if self.display is not None:
                show_text(self.display, display_caption(words=DISPLAY not in symbol_only))
            if wrapped:
                self._wrap_words(m)
            else:
                self._keep_touchable(m)
            if self._fits(m):
                break
        self.refresh()

    def _fits(self, m: Metrics) -> bool:
        gap = 2 * max(2, m.pad // 2)
        needed = sum(w.winfo_reqwidth() + gap for w in self._all_buttons())
        return needed + 2 * m.pad <= m.width  # the title gives way first (_fit_title)

    def _wrap_words(self, m: Metrics) -> None:
        """The items that keep their words put them on two lines (the strip is two
        lines of the small font high)."""
        for widget in self._all_buttons():
            text = shown_text(widget)
            if " " in text.strip():
                # Never narrower than its longest word: a word is not cut in two.
                measure = tkfont.Font(font=widget.cget("font")).measure
                longest = max(measure(word) for word in text.split())
                # Tk breaks a line up to 3 px before the measured width: room to spare.
                set_wrap(widget, max(TOUCH_MIN_PX, longest + WORD_ROOM_PX,
                                     widget.winfo_reqwidth() // 2))
        self._keep_touchable(m, pad=max(2, m.pad // 2))

    def _all_buttons(self) -> list[tk.Button]:
        extra = [self.display] if self.display is not None else []
        return [*self.buttons.values(), *extra]

    def _keep_touchable(self, m: Metrics, pad: int | None = None) -> None:
        """A button shown by its symbol alone stays a finger wide (TOUCH_MIN_PX);
        `pad`: the buttons' side padding, m.pad unless told."""
        padx = m.pad if pad is None else pad
        for widget in self._all_buttons():
            widget.configure(padx=padx)
            short = TOUCH_MIN_PX - widget.winfo_reqwidth()
            if short > 0:
                widget.configure(padx=padx + (short + 1) // 2)

    def _press(self, item: ToolbarItem) -> None:
        why = item.availability().why_unavailable
        if why:
            self._explain(why)  # a greyed-out button still answers: it says why
        else:
            item.action()

    def refresh(self, count_room: bool = False) -> None:
        """Labels and availability again (a document arrived, a printer came or went).

        `count_room`: Documents is drawn with a count, to measure the room it takes
        once a document arrives."""
        p = self.look.palette
        for item in self.items:
            widget = self.buttons[item.id]
            pressed = item.pressed is not None and item.pressed()
            text = item.symbol + (TICK if pressed else "") if item.id in self.symbol_only \
                else f"{item.symbol} {item.label()}".strip()
            if count_room and item.id == "documents" and not text.endswith(")"):
                text += " (9)"
            if shown_text(widget) != text:
                show_text(widget, text)
            enabled = not item.availability().why_unavailable
            normal_fg = p.danger_text if item.id == "end" else p.text
            widget.configure(fg=normal_fg if enabled else p.border,
                             relief="sunken" if pressed else "raised")

    def parts(self) -> ScreenParts:
        order = self.order
        return ScreenParts(frame=self.frame, order=order, first=order[0] if order else None,
                           name="toolbar")


def _end_rank(item: ToolbarItem) -> int:
    """Far-side items: End session at the edge, then Help, Documents, then the others."""
    return END_ITEMS.index(item.id) if item.id in END_ITEMS else len(END_ITEMS)
