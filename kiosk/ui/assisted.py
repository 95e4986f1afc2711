"""Assisted mode's screens: the resident's consent, the mandate reminder, the banner.

The banner ("Assisted by NAME", "?" and "End assistance") tops every full-window
screen while a mediator assists; above a page, the toolbar strip carries it.
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from dataclasses import replace

from kiosk.i18n import _
from kiosk.ui.screen import ScreenParts
from kiosk.ui.widgets import Look, button, frame, label

AIDANTS_CONNECT = "https://aidantsconnect.beta.gouv.fr/"
BANNER_BACKGROUND = "#6a1b9a"  # its own colour: no screen of the kiosk uses it
BANNER_TEXT = "#ffffff"

Builder = Callable[[tk.Frame, Look], ScreenParts]


def consent_question(mediator: str) -> str:
    return _("{name}, mediator, will help you. They may see what is on screen and act "
             "with you. Do you agree?").format(name=mediator)


def assisted_by(mediator: str) -> str:
    return _("Assisted by {name}").format(name=mediator)


def mandate_reminder() -> str:
    return _("A mediator may help you and act with you here. To act for you on your own "
             "accounts (CAF, taxes, health insurance...), the law asks for a signed "
             "mandate, called Aidants Connect. Ask the mediator about it: {address}"
             ).format(address=AIDANTS_CONNECT)


def build_consent(parent: tk.Frame, look: Look, mediator: str, accept: Callable[[], None],
                  decline: Callable[[], None]) -> ScreenParts:
    """The question, with the keyboard on "Yes, I agree" (Return accepts)."""
    p, m = look.palette, look.metrics
    page = frame(parent, p.background, padx=m.pad * 6)
    frame(page, p.background, height=int(m.height * 0.2)).pack(side="top")
    label(page, look, consent_question(mediator), font=m.title_font, fg=p.accent,
          wraplength=int(m.width * 0.8), name="question").pack(side="top", fill="x")
    row = frame(page, p.background)
    row.pack(side="top", pady=m.pad * 4)
    yes = button(row, look, "✓  " + _("Yes, I agree"), accept, kind="primary",
                 font=m.tile_font, name="yes")
    # Translators: answer to: the mediator may see the screen and act with you, do you agree?
    no = button(row, look, "✕  " + _("No"), decline, font=m.tile_font, name="no")
    yes.pack(side=look.start, padx=m.pad * 2, ipadx=m.pad * 2, ipady=m.pad)
    no.pack(side=look.start, padx=m.pad * 2, ipadx=m.pad * 2, ipady=m.pad)
    return ScreenParts(frame=page, order=[yes, no], first=yes, name="consent", escape=decline)


def build_mandate(parent: tk.Frame, look: Look, back: Callable[[], None]) -> ScreenParts:
    p, m = look.palette, look.metrics
    page = frame(parent, p.background, padx=m.pad * 6)
    # Translators: title: a mediator doing a procedure for the resident needs a signed mandate.
    label(page, look, _("Acting on your behalf"), font=m.title_font, fg=p.accent).pack(
        side="top", fill="x", pady=(m.pad * 3, m.pad * 2))
    label(page, look, mandate_reminder(), font=m.tile_font, wraplength=int(m.width * 0.8),
          justify="left", anchor=look.anchor("w"), name="reminder").pack(side="top", fill="x")
    back_button = button(page, look, look.back_label(_("Back")), back, kind="primary",
                         font=m.tile_font, name="back")
    back_button.pack(side="top", anchor=look.anchor("w"), pady=m.pad * 3)
    return ScreenParts(frame=page, order=[back_button], name="mandate", escape=back)


def build_address_bar(parent: tk.Frame, look: Look, open_address: Callable[[str], None],
                      back: Callable[[], None]) -> ScreenParts:
    """A field where the mediator types an address (Return opens it, Escape goes back).

    Only sites of the terminal's allowlist, with the mediator's own, open: the app
    checks, and the browser's guard and policy would refuse the others anyway."""
    p, m = look.palette, look.metrics
    page = frame(parent, p.background, padx=m.pad * 6)
    label(page, look, _("Open an address"), font=m.title_font, fg=p.accent).pack(
        side="top", fill="x", pady=(m.pad * 3, m.pad))
    label(page, look, _("For the mediator: only the sites allowed on this terminal open."),
          wraplength=int(m.width * 0.8)).pack(side="top", fill="x", pady=(0, m.pad * 2))
    field = tk.Entry(page, font=m.tile_font, bg=p.surface, fg=p.text, relief="solid", bd=1,
                     highlightthickness=m.focus_ring, highlightcolor=p.focus,
                     insertbackground=p.text, name="address")
    field.pack(side="top", fill="x", ipady=m.pad)
    row = frame(page, p.background)
    row.pack(side="top", anchor=look.anchor("w"), pady=m.pad * 3)
    # Translators: button that opens the web address typed by the mediator.
    open_button = button(row, look, _("Open"), lambda: open_address(field.get()),
                         kind="primary", font=m.tile_font, name="open")
    open_button.pack(side=look.start)
    back_button = button(row, look, look.back_label(_("Back")), back, font=m.tile_font, name="back")
    back_button.pack(side=look.start, padx=m.pad * 2)
    field.bind("<Return>", lambda _event: open_address(field.get()))
    return ScreenParts(frame=page, order=[field, open_button, back_button], first=field,
                       name="address_bar", escape=back)


def with_banner(inner: Builder, mediator: str, end: Callable[[], None],
                reminder: Callable[[], None], suspended: bool) -> Builder:
    """`inner` under the banner; the banner's buttons come last in the Tab order."""

    def build(parent: tk.Frame, look: Look) -> ScreenParts:
        m = look.metrics
        outer = frame(parent, look.palette.background)
        strip = frame(outer, BANNER_BACKGROUND, padx=m.pad, pady=max(2, m.pad // 2),
                      name="banner")
        strip.pack(side="top", fill="x")
        text = assisted_by(mediator)
        if suspended:
            text += " — " + _("paused: PIN needed")
        label(strip, look, text, font=m.tile_font, fg=BANNER_TEXT, bg=BANNER_BACKGROUND,
              name="assisted_by").pack(side=look.start, padx=m.pad)
        end_button = button(strip, look, _("End assistance"), end, kind="danger",
                            font=m.small_font, name="end_assistance")
        end_button.pack(side=look.end, padx=m.pad // 2)
        help_button = button(strip, look, "?", reminder, font=m.small_font, name="mandate")
        help_button.pack(side=look.end, padx=m.pad // 2)
        parts = inner(outer, look)
        parts.frame.pack(side="top", fill="both", expand=True)
        return replace(parts, frame=outer, order=[*parts.order, help_button, end_button],
                       arrow_group=None if parts.arrow_group is None else
                       [*parts.arrow_group, help_button, end_button])

    return build


class PageBanner:
    """The banner above a page: a borderless window of the shell's, kept on top, just
    under the toolbar strip. The page cannot draw over it, nor move it."""

    def __init__(self, root: tk.Misc, look: Look, area: tuple[int, int, int],
                 mediator: str, suspended: bool, end: Callable[[], None],
                 reminder: Callable[[], None], address: Callable[[], None]) -> None:
        x, y, width = area
        m = look.metrics
        self.window = tk.Toplevel(root, bg=BANNER_BACKGROUND, name="assisted_banner")
        self.window.overrideredirect(True)
        self.window.attributes("-topmost", True)
        text = assisted_by(mediator)
        if suspended:
            text += " — " + _("paused: PIN needed")
        # Wrapped, so that a long name or language never pushes the buttons off the banner.
        label(self.window, look, text, font=m.small_font, fg=BANNER_TEXT,
              bg=BANNER_BACKGROUND, wraplength=width // 2, justify="left",
              name="assisted_by").pack(side=look.start, padx=m.pad)
        self.end_button = button(self.window, look, _("End assistance"), end, kind="danger",
                                 font=m.small_font, name="end_assistance")
        self.end_button.configure(pady=2)
        self.end_button.pack(side=look.end, padx=m.pad // 2, pady=2)
        self.help_button = button(self.window, look, "?", reminder, font=m.small_font,
                                  name="mandate")
        self.help_button.configure(pady=2)
        self.help_button.pack(side=look.end, padx=m.pad // 2, pady=2)
        self.address_button = button(self.window, look, _("Address…"), address,
                                     font=m.small_font, name="address")
        self.address_button.configure(pady=2, state="normal" if not suspended else "disabled")
        self.address_button.pack(side=look.end, padx=m.pad // 2, pady=2)
        for widget in self.controls:
            # The shell's keys (Tab, Return, F2...) are bound on the main window: its
            # tag makes them work on the banner's buttons too.
            tags = widget.bindtags()
            widget.bindtags((tags[0], tags[1], str(root), *tags[2:]))
        self.window.update_idletasks()
        self.window.geometry(f"{width}x{self.window.winfo_reqheight()}+{x}+{y}")

    @property
    def controls(self) -> list[tk.Widget]:
        return [self.address_button, self.help_button, self.end_button]

    def close(self) -> None:
        self.window.destroy()


def with_assisted_button(inner: Builder, why_unavailable: str,
                         press: Callable[[], None]) -> Builder:
    """The home screen with an Assisted mode button at its foot; greyed out, with the
    sentence that says why, when assisted mode cannot be opened (residents go on as usual)."""

    def build(parent: tk.Frame, look: Look) -> ScreenParts:
        p, m = look.palette, look.metrics
        outer = frame(parent, p.background)
        foot = frame(outer, p.background, padx=m.pad * 2, pady=max(2, m.pad // 2),
                     name="assisted_foot")
        foot.pack(side="bottom", fill="x")
        parts = inner(outer, look)
        parts.frame.pack(side="top", fill="both", expand=True)
        if why_unavailable:
            assisted = button(foot, look, _("Assisted mode"), lambda: None,
                              font=m.small_font, name="assisted")
            assisted.configure(fg=p.border)
            label(foot, look, why_unavailable, font=m.small_font, fg=p.muted,
                  wraplength=int(m.width * 0.6), name="assisted_why").pack(
                side=look.end, padx=m.pad)
        else:
            assisted = button(foot, look, _("Assisted mode"), press,
                              font=m.small_font, name="assisted")
        assisted.pack(side=look.end)
        # Before the last control (Help): Shift+Tab from the first tile still reaches Help.
        order = [*parts.order[:-1], assisted, *parts.order[-1:]]
        return replace(parts, frame=outer, order=order)

    return build
