"""`kiosk run`: load the profile, recover a stale session, start the shell."""

from __future__ import annotations

import logging
import os
import signal
import sys
import tkinter as tk
from pathlib import Path

from kiosk.bus import EventBus
from kiosk.config.load import choose_profile_path, load_profile
from kiosk.config.schema import Profile
from kiosk.errors import ProfileError

log = logging.getLogger(__name__)

EXIT_NO_DISPLAY = 2


def load_or_report(cli_path: Path | None) -> Profile | None:
    """The profile, or None after logging every problem for IT staff."""
    path = choose_profile_path(cli_path)
    try:
        profile = load_profile(path)
    except ProfileError as error:
        log.error("the profile cannot be used, the kiosk shows 'out of service':")
        for problem in error.problems:
            log.error("  %s", problem)
        return None
    log.info("profile %s: %d procedures", path, len(profile.procedures))
    return profile


def make_root() -> tk.Tk:
    # A plain Tk root: the kiosk draws its own widgets; ttkbootstrap themes the few
    # ttk ones (scroll bars) and is loaded when the first of them is made.
    return tk.Tk(className="Borne")


def run_kiosk(profile: Path | None, windowed: bool) -> int:
    """Run until stopped (SIGTERM or SIGINT); the session is wiped on the way out."""
    if not os.environ.get("DISPLAY"):
        print("kiosk run: no display (DISPLAY is not set). Start it from the kiosk's X "
              "session, or use 'make run', which starts a virtual screen.", file=sys.stderr)
        return EXIT_NO_DISPLAY
    from kiosk.app import KioskApp
    from kiosk.browser.reaper import become_subreaper
    from kiosk.session.controller import make_controller

    become_subreaper()
    loaded = load_or_report(profile)
    try:
        root = make_root()
    except tk.TclError as error:
        print(f"kiosk run: cannot open the display {os.environ['DISPLAY']}: {error}",
              file=sys.stderr)
        return EXIT_NO_DISPLAY
    bus = EventBus()
    app = KioskApp(root, bus, loaded, fullscreen=not windowed, controller_factory=make_controller)
    stop_on_signals(root)
    try:
        root.mainloop()
    finally:
        app.shutdown()
    return 0


def stop_on_signals(root: tk.Tk) -> None:
    """SIGTERM/SIGINT end the main loop (the handler runs between Tk callbacks)."""

    def handle(signum: int, _frame: object) -> None:
        log.info("signal %d: stopping", signum)
        root.after(0, root.quit)

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)
