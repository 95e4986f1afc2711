"""The shell's other full-window screens: help, other ways, out of service, error."""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from dataclasses import dataclass, replace

from kiosk.config.schema import DeskDetails
from kiosk.i18n import _, gettext_for
from kiosk.ui.qr import qr_photo
from kiosk.ui.screen import ScreenParts
from kiosk.ui.widgets import Look, button, frame, image_label, label

Builder = Callable[[tk.Frame, Look], ScreenParts]
TOUCH_MIN_PX = 48  # the smallest a finger can aim at reliably


def labelled_lines(info: DeskDetails) -> list[tuple[str, str]]:
    """The desk's details with their names ("Phone:"...), those that are set."""
    # Translators: labels before the desk's name, its phone number and opening hours.
    rows = [(_("Desk:"), info.desk), (_("Phone:"), info.phone),
            (_("Opening hours:"), info.hours)]
    return [(name, value) for name, value in rows if value]


def as_text(info: DeskDetails) -> str:
    """The details as the text of a QR code the resident keeps on a phone."""
    return "\n".join(f"{name} {value}" for name, value in labelled_lines(info))


def _title(page: tk.Frame, look: Look, text: str) -> None:
    m = look.metrics
    label(page, look, text, font=m.title_font, fg=look.palette.accent,
          wraplength=int(m.width * 0.85)).pack(side="top", fill="x", pady=(m.pad * 3, m.pad * 2))


def _desk_block(page: tk.Frame, look: Look, info: DeskDetails) -> None:
    m = look.metrics
    for name, value in labelled_lines(info):
        row = frame(page, look.palette.background)
        row.pack(side="top", fill="x", pady=m.pad // 2)
        label(row, look, name, font=m.tile_font).pack(side=look.start, anchor="n")
        label(row, look, value, font=m.text_font,
              wraplength=int(m.width * 0.5)).pack(side=look.start, padx=m.pad, anchor="n")


def _qr_block(page: tk.Frame, look: Look, text: str, caption: str) -> object:
    m = look.metrics
    photo = qr_photo(text, max(160, int(m.height * 0.28)))
    box = frame(page, look.palette.background)
    box.pack(side="top", pady=m.pad * 2, anchor=look.anchor("w"))
    image_label(box, photo, name="desk_qr").pack(side=look.start)
    label(box, look, caption, font=m.text_font, wraplength=int(m.width * 0.35)).pack(
        side=look.start, padx=m.pad * 2)
    return photo


@dataclass(frozen=True)
class QrCard:
    """One QR code of the help screen: what it carries, its caption, its widget's name."""

    text: str
    caption: str
    name: str


def _qr_cards(page: tk.Frame, look: Look, cards: list[QrCard]) -> list[object]:
    """QR codes side by side, each with its caption under it."""
    m = look.metrics
    size = max(120, min(int(m.height * 0.2), int(m.width * 0.8 / len(cards)) - m.pad * 4))
    row = frame(page, look.palette.background)
    row.pack(side="top", anchor=look.anchor("w"), pady=m.pad)
    photos: list[object] = []
    for card in cards:
        photo = qr_photo(card.text, size)
        box = frame(row, look.palette.background)
        box.pack(side=look.start, anchor="n", padx=look.padx(0, m.pad * 4))
        image_label(box, photo, name=card.name).pack(side="top", anchor=look.anchor("w"))
        label(box, look, card.caption, font=m.small_font, wraplength=int(size * 1.4)).pack(
            side="top", anchor=look.anchor("w"), pady=(m.pad // 2, 0))
        photos.append(photo)
    return photos


def _page(parent: tk.Frame, look: Look) -> tk.Frame:
    page = frame(parent, look.palette.background, padx=look.metrics.pad * 6)
    return page


@dataclass(frozen=True)
class OpenProcedure:
    """What the help screen says of the procedure open behind it."""

    title: str
    other_ways: str  # "" when the profile gives none
    take_away: str  # the page's address for a phone, "" when none may be given


def build_help(
    parent: tk.Frame, look: Look, info: DeskDetails, back: Callable[[], None],
    procedure: OpenProcedure | None = None,
) -> ScreenParts:
    """The human alternative: where, how to call, when; and a QR code to keep it. With a
    procedure open: its other ways, and its page's address to continue at home."""
    m = look.metrics
    page = _page(parent, look)
    _title(page, look, _("A person can help you"))
    label(page, look, _("You do not have to do this alone. The staff at the desk can help you "
                         "or do the procedure with you."), wraplength=int(m.width * 0.85)).pack(
        side="top", fill="x", pady=(0, m.pad * 2))
    _desk_block(page, look, info)
    cards = _procedure_block(page, look, procedure) if procedure is not None else []
    keep: list[object] = []
    if labelled_lines(info):
        desk_caption = _("Scan this code with your phone to keep these details.")
        if cards:
            cards.insert(0, QrCard(as_text(info), desk_caption, "desk_qr"))
        else:
            keep.append(_qr_block(page, look, as_text(info), desk_caption))
    if cards:
        keep.extend(_qr_cards(page, look, cards))
    back_button = button(page, look, look.back_label(_("Back")), back, kind="primary",
                         font=m.tile_font,
                         name="back")
    back_button.pack(side="top", anchor=look.anchor("w"), pady=m.pad * 2)
    label(page, look, _("With a keyboard: Tab moves between the buttons, Enter chooses, and "
                        "F2 goes from a website to the kiosk's buttons and back."),
          font=m.small_font, wraplength=int(m.width * 0.85)).pack(side="top", fill="x")
    return ScreenParts(frame=page, order=[back_button], keep=keep, name="help", escape=back)


def _procedure_block(page: tk.Frame, look: Look, procedure: OpenProcedure) -> list[QrCard]:
    """The open procedure's other ways, in words; the QR codes to take them and the page."""
    m = look.metrics
    cards: list[QrCard] = []
    if procedure.other_ways:
        label(page, look, _("Other ways to do this procedure:") + " " + procedure.other_ways,
              font=m.text_font, wraplength=int(m.width * 0.85),
              name="other_ways").pack(side="top", fill="x", pady=(m.pad, 0))
        cards.append(QrCard(f"{procedure.title}\n{procedure.other_ways}",
                            _("Scan to keep the other ways."), "other_ways_qr"))
    if procedure.take_away:
        # Translators: under a QR code of the web page's address, for the resident's phone.
        cards.append(QrCard(procedure.take_away, _("Scan to continue at home"),
                            "take_away_qr"))
    return cards


def build_other_ways(
    parent: tk.Frame, look: Look, title: str, description: str, other_ways: str,
    info: DeskDetails, open_site: Callable[[], None], back: Callable[[], None],
) -> ScreenParts:
    """Other ways to do one procedure (phone, desk), and the choice to go online anyway."""
    m = look.metrics
    page = _page(parent, look)
    _title(page, look, title)
    if description:
        label(page, look, description, wraplength=int(m.width * 0.85)).pack(
            side="top", fill="x", pady=(0, m.pad))
    label(page, look, _("Other ways to do this procedure:"), font=m.tile_font).pack(
        side="top", fill="x", pady=(m.pad, m.pad // 2))
    label(page, look, other_ways, wraplength=int(m.width * 0.85)).pack(side="top", fill="x")
    keep = [_qr_block(page, look, f"{title}\n{other_ways}",
                      _("Scan this code with your phone to keep these details."))]
    if info.desk:
        label(page, look, _("Or ask at the desk:") + " " + info.desk, font=m.text_font,
              wraplength=int(m.width * 0.85)).pack(side="top", fill="x")
    row = frame(page, look.palette.background)
    row.pack(side="top", anchor=look.anchor("w"), pady=m.pad * 3)
    open_button = button(row, look, _("Open the website"), open_site, kind="primary",
                         font=m.tile_font, name="open")
    open_button.pack(side=look.start)
    back_button = button(row, look, look.back_label(_("Back")), back, font=m.tile_font, name="back")
    back_button.pack(side=look.start, padx=m.pad * 2)
    return ScreenParts(frame=page, order=[open_button, back_button], keep=keep,
                       name="other_ways", escape=back)


def build_out_of_service(
    parent: tk.Frame, look: Look, info: DeskDetails | None,
    languages: tuple[str, ...] = ("fr", "en"),
) -> ScreenParts:
    """Shown when the kiosk cannot serve (a broken profile): ask a person, nothing to press."""
    m = look.metrics
    page = _page(parent, look)
    spacer = frame(page, look.palette.background, height=int(m.height * 0.12))
    spacer.pack(side="top")
    for index, lang in enumerate(languages):
        big = index == 0
        label(page, look, gettext_for(lang, "This terminal is out of service for now."),
              font=m.title_font if big else m.tile_font, fg=look.palette.accent,
              wraplength=int(m.width * 0.85)).pack(side="top", fill="x", pady=(m.pad, 0))
        label(page, look, gettext_for(lang, "Please ask at the desk: we will help you."),
              font=m.tile_font if big else m.text_font,
              wraplength=int(m.width * 0.85)).pack(side="top", fill="x", pady=(0, m.pad * 2))
    if info is not None:
        _desk_block(page, look, info)
    return ScreenParts(frame=page, order=[], name="out_of_service")


def build_error(parent: tk.Frame, look: Look) -> ScreenParts:
    """A calm word while the shell starts again after an internal error."""
    m = look.metrics
    page = _page(parent, look)
    frame(page, look.palette.background, height=int(m.height * 0.25)).pack(side="top")
    label(page, look, _("Something went wrong."), font=m.title_font, fg=look.palette.accent,
          wraplength=int(m.width * 0.85)).pack(side="top", fill="x")
    label(page, look, _("We are starting again for you. Please wait a moment."),
          font=m.tile_font, wraplength=int(m.width * 0.85)).pack(side="top", fill="x",
                                                                 pady=m.pad * 2)
    return ScreenParts(frame=page, order=[], name="error")


def build_message(parent: tk.Frame, look: Look, title: str, text: str,
                  back: Callable[[], None] | None = None) -> ScreenParts:
    """A plain message (e.g. while the session is being wiped); with `back`, a Back button."""
    m = look.metrics
    page = _page(parent, look)
    frame(page, look.palette.background, height=int(m.height * 0.25)).pack(side="top")
    label(page, look, title, font=m.title_font, fg=look.palette.accent,
          wraplength=int(m.width * 0.85)).pack(side="top", fill="x")
    if text:
        label(page, look, text, font=m.tile_font, wraplength=int(m.width * 0.85)).pack(
            side="top", fill="x", pady=m.pad * 2)
    if back is None:
        return ScreenParts(frame=page, order=[], name="message")
    back_button = button(page, look, look.back_label(_("Back")), back, kind="primary",
                         font=m.tile_font, name="back")
    back_button.pack(side="top", anchor=look.anchor("w"), pady=m.pad * 3)
    return ScreenParts(frame=page, order=[back_button], name="message", escape=back)


def with_help_button(inner: Builder, show_help: Callable[[], None]) -> Builder:
    """`inner` under a thin bar with the Help button at its far end: the human
    alternative one tap away on every screen. The button comes last in the Tab order,
    so Shift+Tab from the screen's first control reaches it."""

    def build(parent: tk.Frame, look: Look) -> ScreenParts:
        p, m = look.palette, look.metrics
        outer = frame(parent, p.background)
        bar = frame(outer, p.background, padx=m.pad * 2, pady=max(2, m.pad // 2),
                    name="help_bar")
        bar.pack(side="top", fill="x")
        help_button = button(bar, look, "☎  " + _("Need help? Ask a person"), show_help,
                             font=m.small_font, name="help")
        help_button.configure(fg=p.accent)
        _keep_touchable(help_button)
        help_button.pack(side=look.end)
        parts = inner(outer, look)
        parts.frame.pack(side="top", fill="both", expand=True)
        groups = None if parts.arrow_group is None else [*parts.arrow_group, help_button]
        return replace(parts, frame=outer, order=[*parts.order, help_button],
                       arrow_group=groups)

    return build


def _keep_touchable(widget: tk.Button) -> None:
    """At least a finger high, whatever the text size."""
    short = TOUCH_MIN_PX - widget.winfo_reqheight()
    if short > 0:
        widget.configure(pady=int(widget.cget("pady")) + (short + 1) // 2)
