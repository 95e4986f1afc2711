"""The home screen: the terminal's name, the procedures grouped by life situation."""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from kiosk.i18n import _, language_name
from kiosk.ui.home_model import HomeModel, tiles_per_row
from kiosk.ui.presentation import PresentationChoice, PresentationControls
from kiosk.ui.screen import ScreenParts
from kiosk.ui.widgets import (
    Look,
    ScrollArea,
    button,
    frame,
    keep_touchable,
    label,
    wrap_to_width,
)


@dataclass(frozen=True)
class HomeActions:
    open_procedure: Callable[[str], None]
    show_other_ways: Callable[[str], None]
    show_help: Callable[[], None]
    set_language: Callable[[str], None]
    presentation: PresentationChoice | None = None  # text size and contrast


def build_header(
    parent: tk.Frame, look: Look, model: HomeModel, actions: HomeActions
) -> tuple[tk.Frame, list[tk.Widget]]:
    """The band on top: who this terminal belongs to, the human help, and languages.

    The name and the help button share the first line; the languages have a line of
    their own, so that a long town name is never squeezed into a narrow column.
    """
    p, m = look.palette, look.metrics
    header = frame(parent, p.header, padx=m.pad * 2, pady=m.pad // 2)
    top = frame(header, p.header)
    top.pack(side="top", fill="x")
    # Packed before the title so that a long terminal name never hides it.
    help_button = button(top, look, "☎  " + _("Need help? Ask a person"), actions.show_help,
                         kind="primary", font=m.tile_font, name="help")
    help_button.configure(bg=p.surface, fg=p.accent, highlightbackground=p.outline or p.header)
    help_button.pack(side=look.end, padx=look.padx(m.pad, 0))
    title = label(top, look, model.terminal_name, font=m.font(round(m.text_px * 1.15), True),
                  fg=p.header_text, bg=p.header, wraplength=int(m.width * 0.5))
    title.pack(side=look.start, fill="x", expand=True)
    # Wrap the name to whatever room the button leaves, rather than clip it.
    wrap_to_width(title, margin=4, least=100)
    row = frame(header, p.header)
    row.pack(side="top", fill="x", pady=(m.pad // 2, 0))
    controls = build_language_buttons(row, look, model, actions)
    if actions.presentation is not None:
        # Always in view: on the far side of the languages, or on a line of its own
        # when both would not fit (the largest text, long words).
        presentation = PresentationControls(row, look, actions.presentation, m.small_font,
                                            bg=p.header, fg=p.header_text, caption=True)
        needed = _row_width([*controls, *presentation.frame.winfo_children()], m.pad)
        if needed <= m.width - m.pad * 4:
            presentation.frame.pack(side=look.end, fill="y")
        else:
            presentation.frame.destroy()
            line = frame(header, p.header)
            line.pack(side="top", fill="x", pady=(m.pad // 2, 0))
            presentation = PresentationControls(line, look, actions.presentation, m.small_font,
                                                bg=p.header, fg=p.header_text, caption=True)
            presentation.frame.pack(side=look.end, fill="y")
        controls.extend(presentation.buttons)
    controls.append(help_button)
    return header, controls


def _row_width(widgets: list[tk.Misc], pad: int) -> int:
    """What a row of these widgets asks for (Tk sizes buttons as they are made)."""
    return sum(w.winfo_reqwidth() + pad for w in widgets)


def build_language_buttons(
    row: tk.Frame, look: Look, model: HomeModel, actions: HomeActions
) -> list[tk.Widget]:
    """One button per language, each written in its own language."""
    p, m = look.palette, look.metrics
    if len(model.languages) < 2:
        return []
    buttons: list[tk.Widget] = []
    for lang in model.languages:
        chosen = lang == model.language
        b = button(row, look, language_name(lang), partial(actions.set_language, lang),
                   kind="normal" if chosen else "header", font=m.small_font,
                   name=f"lang_{lang}")
        b.configure(highlightbackground=p.outline or p.header, padx=m.pad,
                    pady=max(2, m.pad // 2))
        keep_touchable(b)
        b.pack(side=look.start, padx=look.padx(0, m.pad // 2))
        buttons.append(b)
    return buttons


def build_home(
    parent: tk.Frame, look: Look, model: HomeModel, actions: HomeActions
) -> ScreenParts:
    """The whole home screen; the first tile gets the focus."""
    p, m = look.palette, look.metrics
    page = frame(parent, p.background)
    header, header_controls = build_header(page, look, model, actions)
    header.pack(side="top", fill="x")
    intro = label(page, look, _("Choose what you want to do. Each button opens the official "
                                 "website."), font=m.small_font, fg=p.muted)
    intro.pack(side="top", fill="x", padx=m.pad * 3, pady=(m.pad // 2, 0))
    area = ScrollArea(page, look)
    area.pack(side="top", fill="both", expand=True, padx=m.pad * 2, pady=m.pad)
    tiles, other_ways = build_tiles(area.inner, look, model, actions)
    order: list[tk.Widget] = [*tiles, *other_ways, *header_controls]
    return ScreenParts(frame=page, order=order, arrow_group=tiles + other_ways,
                       first=tiles[0] if tiles else None,
                       on_focus=area.show_widget, name="home")


def build_tiles(
    parent: tk.Frame, look: Look, model: HomeModel, actions: HomeActions
) -> tuple[list[tk.Widget], list[tk.Widget]]:
    """One row per life situation: its name first (left, or right in Arabic), its tiles after.

    Returns the tile buttons (reading order) and the 'other ways' buttons.
    """
    p, m = look.palette, look.metrics
    heading_width = int(m.width * 0.2)
    available = m.width - heading_width - m.pad * 8
    largest = max((len(g.tiles) for g in model.groups), default=1)
    per_row = tiles_per_row(available, m.text_px * 15, largest)
    tile_width = available // per_row
    # Group names stand where reading starts, the tiles after them: in a right-to-left
    # language the names are on the right and each row of tiles fills from the right.
    heading_column, cells_column = look.column(0, 2), look.column(1, 2)
    parent.grid_columnconfigure(cells_column, weight=1)
    tiles: list[tk.Widget] = []
    other_ways: list[tk.Widget] = []
    for row, group in enumerate(model.groups):
        heading = label(parent, look, group.title, font=m.tile_font, fg=p.accent,
                        wraplength=heading_width - m.pad)
        heading.grid(row=row, column=heading_column, sticky=look.sticky("nw"), pady=(m.pad, 0),
                     padx=look.padx(0, m.pad))
        cells = frame(parent, p.background)
        cells.grid(row=row, column=cells_column, sticky="ew", pady=(m.pad // 2, m.pad // 2))
        for column in range(per_row):
            cells.grid_columnconfigure(column, weight=1, uniform="tile")
        for tile_row in range((len(group.tiles) + per_row - 1) // per_row):
            # A floor on the height (the cell's padding comes out of the row): a one-line
            # tile is still a big target.
            cells.grid_rowconfigure(tile_row, minsize=m.tile_height + 2 * (m.pad // 2))
        for index, tile in enumerate(group.tiles):
            cell, main, ways = build_tile(cells, look, tile.procedure_id, tile.title,
                                          bool(tile.other_ways), actions, tile_width)
            cell.grid(row=index // per_row, column=look.column(index % per_row, per_row),
                      sticky="nsew", padx=m.pad // 2, pady=m.pad // 2)
            tiles.append(main)
            if ways is not None:
                other_ways.append(ways)
    return tiles, other_ways


def build_tile(
    parent: tk.Frame, look: Look, procedure_id: str, title: str, has_other_ways: bool,
    actions: HomeActions, width: int,
) -> tuple[tk.Frame, tk.Button, tk.Button | None]:
    """One procedure: a big button that opens it, and a smaller one for other ways."""
    p, m = look.palette, look.metrics
    row = frame(parent, p.background)
    ways: tk.Button | None = None
    if has_other_ways:
        # Translators: button beside a procedure: how to do it without the website.
        ways = button(row, look, "☎ " + _("Other ways"),
                      lambda: actions.show_other_ways(procedure_id),
                      font=m.small_font, name=f"ways_{procedure_id}", wraplength=m.small_px * 6)
        ways.configure(padx=m.pad // 2, pady=2)
        ways.pack(side=look.end, fill="y", padx=look.padx(m.pad // 2, 0))
    main = button(row, look, title, lambda: actions.open_procedure(procedure_id),
                  font=m.tile_font, wraplength=max(80, width - m.text_px * 7), anchor="w",
                  name=f"tile_{procedure_id}")
    main.configure(pady=m.pad)
    wrap_to_width(main, margin=m.pad * 4 + m.focus_ring * 2)
    main.pack(side=look.start, fill="both", expand=True)
    return row, main, ways
