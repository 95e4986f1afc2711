"""Stand-ins for the controller's collaborators where a test is about its own decisions.

The real browser is tested with Chromium in tests/browser and tests/e2e; here a
fake one records what it was asked and can be told to fail.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from browser_helpers import Events
from harness import SAMPLE_PROFILE

from kiosk.bus import EventBus
from kiosk.config.allowlist import Allowlist
from kiosk.config.load import load_profile
from kiosk.session.controller import HelpLines, SessionController
from kiosk.session.participant import Participant, SessionInfo, ToolbarItem
from kiosk.session.wipe import WipeStep


class FakeBrowser:
    """Records calls; `fail_start` makes start() raise, `survivors` what close() returns."""

    def __init__(self, session_dir: Path, help_lines: HelpLines, fail_start: bool = False,
                 survivors: Sequence[int] = (), language: str = "fr") -> None:
        self.session_dir = session_dir
        self.language = language
        self.help_lines = help_lines
        self.fail_start = fail_start
        self.survivors = list(survivors)
        self.calls: list[str] = []
        self.files: list[list[Path]] = []
        self.closed = threading.Event()

    def start(self, timeout: float = 30.0) -> None:
        self.calls.append("start")
        if self.fail_start:
            raise RuntimeError("chromium exited with status -6")

    def open(self, url: str) -> None:
        self.calls.append(f"open {url}")

    def set_language(self, lang: str) -> None:
        self.calls.append(f"language {lang}")

    def set_presentation(self, zoom: float, high_contrast: bool,
                         bounds: tuple[int, int, int, int]) -> None:
        self.calls.append(f"presentation {zoom} {'high' if high_contrast else 'normal'}")

    def focus(self) -> None:
        self.calls.append("focus")

    def back(self) -> None:
        self.calls.append("back")

    def set_bounds(self, bounds: tuple[int, int, int, int]) -> None:
        self.calls.append("bounds {} {} {} {}".format(*bounds))

    def insert_text(self, text: str) -> None:
        self.calls.append(f"type {text}")

    def press_key(self, name: str) -> None:
        self.calls.append(f"key {name}")

    def reload(self) -> None:
        self.calls.append("reload")

    def set_chooser_files(self, paths: list[Path]) -> bool:
        self.files.append(paths)
        return True

    def set_allowlist(self, allowlist: Allowlist) -> None:
        self.calls.append("allowlist " + " ".join(sorted(p.host for p in allowlist.patterns)))

    def leave_disallowed_page(self) -> None:
        self.calls.append("leave disallowed page")

    def print_to_pdf(self, target: Path) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(b"%PDF-1.4 fake page\n")

    def ping(self, timeout: float = 5.0) -> bool:
        return True

    def unstick_page(self, wait: float = 1.5, announce: bool = False,
                     revive: bool = False) -> bool:
        return False

    def interrupt(self) -> None:
        self.calls.append("interrupt")

    def close(self) -> list[int]:
        self.calls.append("close")
        self.closed.set()
        return self.survivors


@dataclass
class Notebook:
    """A tiny participant: one toolbar item, two wipe steps, and what it saw."""

    name: str = "notebook"
    fail_step: bool = False
    sessions: list[SessionInfo] = field(default_factory=list)
    wiped: list[str] = field(default_factory=list)
    pressed: int = 0

    def begin(self, session: SessionInfo) -> None:
        self.sessions.append(session)
        (session.directory / "notebook.txt").write_text("the resident's notes")

    def toolbar_items(self) -> list[ToolbarItem]:
        return [ToolbarItem("notebook", lambda: "Notebook", "✎", self.press)]

    def press(self) -> None:
        self.pressed += 1

    def close(self) -> None:
        pass

    def wipe_steps(self) -> list[WipeStep]:
        return [WipeStep("forget_notes", self._forget), WipeStep("check", self._check)]

    def _forget(self) -> None:
        self.wiped.append("forget_notes")
        if self.fail_step:
            raise OSError(5, "the notes would not go")

    def _check(self) -> None:
        self.wiped.append("check")


@dataclass
class Rig:
    controller: SessionController
    bus: EventBus
    published: Events
    browsers: list[FakeBrowser]

    def pump(self) -> None:
        self.bus.drain()


def make_rig(*, fail_starts: int = 0, survivors: Sequence[int] = (),
             participants: Sequence[Participant] = ()) -> Rig:
    """A controller on the sample profile with fake browsers (the first `fail_starts` fail)."""
    from kiosk.events import declared_events

    bus = EventBus()
    published = Events()
    for kind in declared_events():
        bus.subscribe_now(kind, published.publish)
    browsers: list[FakeBrowser] = []
    lock = threading.Lock()

    def factory(*, session_dir: Path, help_lines: HelpLines, language: str) -> FakeBrowser:
        with lock:
            browser = FakeBrowser(session_dir, help_lines,
                                  fail_start=len(browsers) < fail_starts, survivors=survivors,
                                  language=language)
            browsers.append(browser)
        return browser

    controller = SessionController(load_profile(SAMPLE_PROFILE), bus, display="",
                                   browser_factory=factory, participants=participants,
                                   idle_clock_factory=_no_clock)
    return Rig(controller, bus, published, browsers)


class _StillClock:
    """An idle clock that sees input all the time: no countdown in these tests."""

    def idle_seconds(self) -> float:
        return 0.0


def _no_clock() -> _StillClock:
    return _StillClock()
