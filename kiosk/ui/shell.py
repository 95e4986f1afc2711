"""The shell's one window: full screen for screens, a strip above the browser.

Screens replace each other inside the same window (no dialogs). While a
procedure is open the window shrinks to the toolbar strip at the top of the
screen and the browser's window fills the rest; both are placed by the kiosk,
not by the resident.
"""

from __future__ import annotations

import logging
import tkinter as tk
from collections.abc import Callable
from dataclasses import dataclass, replace

from kiosk.i18n import current_language, is_rtl
from kiosk.ui.focus import FocusManager
from kiosk.ui.screen import ScreenParts
from kiosk.ui.theme import HIGH_CONTRAST, STANDARD, metrics_for
from kiosk.ui.widgets import Look

log = logging.getLogger(__name__)

ScreenBuilder = Callable[[tk.Frame, Look], ScreenParts]

WINDOWED_SIZE = (1280, 800)


@dataclass(frozen=True)
class Area:
    x: int
    y: int
    width: int
    height: int


class Shell:
    """Owns the root window's geometry and the screen shown in it."""

    def __init__(
        self, root: tk.Tk, *, fullscreen: bool, size: tuple[int, int] | None = None
    ) -> None:
        self.root = root
        self.fullscreen = fullscreen
        self.area = Area(0, 0, *size) if size else self._window_area()
        self.high_contrast = False
        self.text_scale = 1.0
        self._look = self._make_look()
        self.focus = FocusManager(root)
        self.current: ScreenParts | None = None
        self.strip = False
        # Told of each screen once it is shown and focused (Read aloud).
        self.on_screen: Callable[[ScreenParts], None] | None = None
        root.configure(bg=self.look.palette.background)
        root.title("Borne")
        # The browser's window must never cover the shell's screens.
        root.attributes("-topmost", True)
        root.protocol("WM_DELETE_WINDOW", lambda: None)  # nobody closes the kiosk
        self._apply_full_geometry()

    def _window_area(self) -> Area:
        screen_w, screen_h = self.root.winfo_screenwidth(), self.root.winfo_screenheight()
        if self.fullscreen:
            return Area(0, 0, screen_w, screen_h)
        width, height = min(WINDOWED_SIZE[0], screen_w), min(WINDOWED_SIZE[1], screen_h)
        return Area(0, 0, width, height)

    def _make_look(self) -> Look:
        palette = HIGH_CONTRAST if self.high_contrast else STANDARD
        return Look(palette, metrics_for(self.area.width, self.area.height, self.text_scale))

    @property
    def look(self) -> Look:
        """The Look of the next screen: mirrored while the session's language is written
        right to left (the language changes without a new Shell)."""
        return replace(self._look, rtl=is_rtl(current_language()))

    def set_presentation(self, *, high_contrast: bool, text_scale: float) -> None:
        """Change contrast and text size; the next screen shown uses them."""
        self.high_contrast, self.text_scale = high_contrast, text_scale
        self._look = self._make_look()
        self.root.configure(bg=self.look.palette.background)

    def show(self, build: ScreenBuilder) -> ScreenParts:
        """Replace the screen with a new one, full window."""
        if self.strip:
            self.strip = False
            self._apply_full_geometry()
        return self._replace(build)

    def show_strip(self, build: ScreenBuilder) -> ScreenParts:
        """Shrink to the toolbar strip (the browser shows below it, with the keyboard)."""
        parts = self._replace(build, take_keyboard=False)
        # Also when already a strip: its height follows the text size.
        self.strip = True
        self._apply_strip_geometry()
        return parts

    def _replace(self, build: ScreenBuilder, take_keyboard: bool = True) -> ScreenParts:
        old = self.current
        parts = build(self.root, self.look)  # type: ignore[arg-type]
        parts.frame.pack(fill="both", expand=True)
        if old is not None:
            old.frame.destroy()
        self.current = parts
        self.focus.set_controls(parts.order, arrow_group=parts.arrow_group, first=parts.first,
                                on_focus=parts.on_focus, take_keyboard=take_keyboard,
                                escape=parts.escape)
        self.root.lift()
        if self.on_screen is not None:
            self.on_screen(parts)
        # Screen names only (never what a resident typed): IT staff and tests follow the flow.
        self.root.after_idle(lambda: log.info("screen: %s", parts.name))
        return parts

    @property
    def strip_height(self) -> int:
        return self.look.metrics.toolbar_height

    def browser_area(self) -> Area:
        """Where the browser's window goes: everything under the strip."""
        a = self.area
        return Area(a.x, a.y + self.strip_height, a.width, a.height - self.strip_height)

    def _apply_full_geometry(self) -> None:
        a = self.area
        if self.fullscreen:
            self.root.geometry(f"{a.width}x{a.height}+{a.x}+{a.y}")
            self.root.attributes("-fullscreen", True)
        else:
            self.root.geometry(f"{a.width}x{a.height}+{a.x}+{a.y}")

    def _apply_strip_geometry(self) -> None:
        a = self.area
        if self.fullscreen:
            self.root.attributes("-fullscreen", False)
        self.root.geometry(f"{a.width}x{self.strip_height}+{a.x}+{a.y}")
