"""Small helpers for tests that build the shell on a real Tk root."""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.ui.widgets import shown_text

if TYPE_CHECKING:
    from kiosk.app import KioskApp

# make_app(size=(1280, 1024), profile=SAMPLE_PROFILE, bus=None, **KioskApp options)
AppMaker = Callable[..., "KioskApp"]


def settle(root: tk.Misc, rounds: int = 5) -> None:
    """Let Tk lay out and draw what was just built."""
    for _ in range(rounds):
        root.update_idletasks()
        root.update()


def texts(widget: tk.Misc) -> list[str]:
    """Every text shown by a widget and its children, in creation order, as a person
    reads it (right-to-left text in its logical order, not the order Tk draws it)."""
    found: list[str] = []
    try:
        text = shown_text(widget)
        if text:
            found.append(text)
    except tk.TclError:
        pass
    for child in widget.winfo_children():
        found.extend(texts(child))
    return found


class QuietControl:
    """Records the shell's requests; the browser side is tested with real Chromium elsewhere."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def prestart(self) -> None:
        self.calls.append("prestart")

    def begin(self) -> None:
        self.calls.append("begin")

    def open(self, procedure_id: str) -> None:
        self.calls.append(f"open {procedure_id}")

    def back(self) -> None:
        self.calls.append("back")

    def reload(self) -> None:
        self.calls.append("reload")

    def focus(self) -> None:
        self.calls.append("focus")

    def place_browser(self, bounds: tuple[int, int, int, int]) -> None:
        self.calls.append("place {} {} {} {}".format(*bounds))

    def type_on_page(self, text: str = "", key: str = "") -> None:
        self.calls.append(f"type {text}" if text else f"key {key}")

    def give_files(self, paths: tuple[Path, ...]) -> None:
        self.calls.append("give " + ",".join(p.name for p in paths))

    def make_page_pdf(self) -> None:
        self.calls.append("page pdf")

    def end(self, reason: str) -> None:
        self.calls.append(f"end {reason}")

    def restart_browser(self) -> None:
        self.calls.append("restart")

    def set_assisted(self, on: bool) -> None:
        self.calls.append(f"assisted {'on' if on else 'off'}")

    def set_presentation(self, zoom: float, high_contrast: bool,
                         bounds: tuple[int, int, int, int]) -> None:
        self.calls.append(f"presentation {zoom} {'high' if high_contrast else 'normal'} "
                          f"{bounds[1]}")

    def open_address(self, url: str) -> None:
        self.calls.append(f"address {url}")

    def shutdown(self) -> None:
        self.calls.append("shutdown")
