"""What every screen gives the shell: its frame and its controls in Tab order."""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class ScreenParts:
    frame: tk.Frame
    order: list[tk.Widget]
    arrow_group: list[tk.Widget] | None = None
    first: tk.Widget | None = None
    on_focus: Callable[[tk.Widget], None] | None = None
    # Images must outlive the widgets that show them.
    keep: list[Any] = field(default_factory=list)
    # Words the shell may speak or log when the screen appears (never personal data).
    name: str = ""
    # What Escape does on this screen (usually Back); None: nothing.
    escape: Callable[[], None] | None = None
