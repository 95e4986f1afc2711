"""Small helpers for tests that build the shell on a real Tk root."""

from __future__ import annotations

import tkinter as tk


def settle(root: tk.Misc, rounds: int = 5) -> None:
    """Let Tk lay out and draw what was just built."""
    for _ in range(rounds):
        root.update_idletasks()
        root.update()
