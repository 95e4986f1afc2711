"""Read aloud, the shell's side: what to say when a screen shows, a control takes the
focus or is pressed, and the idle countdown runs.

The shell has two places where everything passes: the shell shows each screen
(`Shell.on_screen`) and the focus manager moves the focus (`FocusManager.on_any_focus`);
presses are heard on the root window. This module listens there and asks for the
words on the bus (SpeechAsked), in the session's language; the speech service,
a participant, speaks them. Nothing is asked while Read aloud is off.
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from dataclasses import replace

from kiosk import i18n
from kiosk.bus import EventBus
from kiosk.events import SelfVoicingChanged, SpeechAsked
from kiosk.session.participant import ToolbarItem
from kiosk.ui.screen import ScreenParts
from kiosk.ui.session_screens import seconds_caption
from kiosk.ui.shell import Shell
from kiosk.ui.widgets import Look, button, show_text

Builder = Callable[[tk.Frame, Look], ScreenParts]

# The idle countdown is said in full when it appears, then only at these steps.
COUNTDOWN_STEPS = frozenset({30, 20, 10, 5})
SPOKEN_WIDGETS = (tk.Button, tk.Checkbutton, tk.Radiobutton, tk.Label)


def words_of(widget: tk.Misc) -> str:
    """What a control or a label says (its text; nothing for a picture or a field)."""
    if not isinstance(widget, SPOKEN_WIDGETS):
        return ""
    return str(widget.cget("text")).strip()


def screen_words(frame: tk.Misc) -> list[str]:
    """The texts of a screen's labels in the order they were made: its title and
    message. What scrolls (tiles, a list of files) is left to the focus, one at a time."""
    found: list[str] = []
    for child in frame.winfo_children():
        if isinstance(child, tk.Canvas):
            continue
        if isinstance(child, tk.Label):
            text = words_of(child)
            if text:
                found.append(text)
        found.extend(screen_words(child))
    return found


class ShellVoice:
    """Asks for the words of what the resident meets, while Read aloud is on."""

    def __init__(self, root: tk.Misc, shell: Shell, bus: EventBus, countdown: tk.StringVar,
                 refresh: Callable[[], None]) -> None:
        self.bus = bus
        self.shell = shell
        self.on = False
        self._countdown = countdown
        self._refresh = refresh
        shell.on_screen = self.screen_shown
        shell.focus.on_any_focus = self.focused
        root.bind("<ButtonPress-1>", self._pressed, add="+")
        countdown.trace_add("write", lambda *_args: self._countdown_ticked())
        bus.subscribe(SelfVoicingChanged, self._changed)

    def say(self, text: str) -> None:
        if self.on and text:
            self.bus.publish(SpeechAsked(text, i18n.current_language()))

    def screen_shown(self, parts: ScreenParts) -> None:
        """A new screen: its title and message, then the control that has the focus."""
        words = screen_words(parts.frame)
        focused = parts.frame.focus_get()
        if focused is not None and str(focused).startswith(str(parts.frame)):
            words.append(words_of(focused))
        self.say(". ".join(w.rstrip(".") for w in words if w))

    def focused(self, widget: tk.Misc) -> None:
        self.say(words_of(widget))

    def _pressed(self, event: tk.Event) -> None:
        widget = event.widget
        if isinstance(widget, tk.Button | tk.Checkbutton):
            self.say(words_of(widget))

    def _countdown_ticked(self) -> None:
        current = self.shell.current
        value = self._countdown.get()
        if current is None or current.name != "countdown" or not value.isdigit():
            return  # its first figure is said with the screen
        seconds = int(value)
        if seconds in COUNTDOWN_STEPS:
            self.say(f"{seconds} {seconds_caption(seconds)}")

    def _changed(self, event: SelfVoicingChanged) -> None:
        self.on = event.on
        self._refresh()


def with_speech_button(inner: Builder, item: ToolbarItem,
                       explain: Callable[[str], None]) -> Builder:
    """The home screen with the Read aloud toggle beside "Need help? Ask a person"."""

    def build(parent: tk.Frame, look: Look) -> ScreenParts:
        parts = inner(parent, look)
        help_button = next((w for w in parts.order if w.winfo_name() == "help"), None)
        if help_button is None:
            return parts
        m = look.metrics

        def caption() -> str:
            return f"{item.symbol} {item.label()}"

        def press() -> None:
            why = item.availability().why_unavailable
            if why:
                explain(why)
                return
            item.action()
            show_text(toggle, caption())

        toggle = button(help_button.master, look, caption(), press, font=m.small_font,
                        name="speech")
        toggle.configure(highlightbackground=look.palette.outline or look.palette.header,
                         padx=m.pad,
                         pady=max(2, m.pad // 2))
        # Placed right after the help button in the packing order, before the terminal's
        # name: the name wraps to the room left, the toggle keeps its words.
        toggle.pack(side=look.end, padx=look.padx(m.pad, 0), fill="y", after=help_button)
        at = parts.order.index(help_button)
        return replace(parts, order=[*parts.order[:at], toggle, *parts.order[at:]])

    return build
