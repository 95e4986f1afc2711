"""One Tk root for the whole UI test session, on the private X screen."""

from __future__ import annotations

import os
import tkinter as tk
from collections.abc import Iterator

import pytest
from harness import XScreen


@pytest.fixture(scope="session")
def tk_root(screen: XScreen) -> Iterator[tk.Tk]:
    from kiosk.runner import make_root

    previous = os.environ.get("DISPLAY")
    os.environ["DISPLAY"] = screen.display
    root = make_root()  # as in production
    try:
        yield root
    finally:
        root.destroy()
        if previous is None:
            os.environ.pop("DISPLAY", None)
        else:
            os.environ["DISPLAY"] = previous

