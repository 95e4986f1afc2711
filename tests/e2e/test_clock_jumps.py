"""The wall clock jumps an hour forwards, then back, while residents are served.

The machine's clock is not ours to change: a small preloaded library
(tests/wall_clock.py) shifts only the wall clock of the kiosk and what it starts,
by an offset in a file the test rewrites mid-session. The monotonic clock is left
alone, as a real clock change leaves it.

What must hold: the idle countdown and the session's maximum duration count on the
monotonic clock, so a jump forward ends nothing early and a jump back delays nothing.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from canary import PROFILE, open_canary_tile
from harness import XScreen
from kiosk_process import KioskProcess, running_kiosk
from procedure_site import Site
from wall_clock import OFFSET_VARIABLE, build_shift_library, set_offset

pytestmark = [pytest.mark.browser, pytest.mark.display]

IDLE_TIMEOUT = 8
IDLE_WARNING = 5
# Long enough that only a wall-clock reading could reach it within the test; an hour's
# jump forward would, at once.
MAX_DURATION = 1800
HOUR = 3600
# The log's time stamps ("2025-01-01 12:00:00,123 INFO ...").
STAMP = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)")


@pytest.fixture
def shifted_clock() -> Iterator[dict[str, str]]:
    """The environment that preloads the wall-clock shift, and its offset file at 0."""
    folder = Path(tempfile.mkdtemp(prefix="clock-", dir="/dev/shm"))
    folder.chmod(0o755)
    library = build_shift_library(folder)
    if library is None:
        shutil.rmtree(folder, ignore_errors=True)
        pytest.skip("no C compiler to build the wall-clock shift (Debian package gcc)")
    offset = folder / "offset"
    set_offset(offset, 0)
    yield {"LD_PRELOAD": str(library), OFFSET_VARIABLE: str(offset)}
    shutil.rmtree(folder, ignore_errors=True)


def profile_file(tmp_path: Path, site: Site) -> Path:
    path = tmp_path / "profile.toml"
    text = PROFILE.format(port=site.port).replace(
        "idle_timeout = 6", f"idle_timeout = {IDLE_TIMEOUT}").replace(
        "idle_warning = 4", f"idle_warning = {IDLE_WARNING}").replace(
        "max_duration = 0", f"max_duration = {MAX_DURATION}")
    path.write_text(text, encoding="utf-8")
    return path


def stamp_of(kiosk: KioskProcess, index: int) -> datetime:
    found = STAMP.match(kiosk.lines[index])
    assert found, kiosk.lines[index]
    return datetime.strptime(found.group(1), "%Y-%m-%d %H:%M:%S")


def poke(screen: XScreen, kiosk: KioskProcess) -> int:
    """A resident's key presses on the page, which the kiosk logs: F2 takes the keyboard
    to the toolbar, a second F2 gives it back to the page; returns the index of the
    line saying the page has it again (keys pressed before then would be lost)."""
    mark = kiosk.toolbar_by_f2(screen)
    mark = kiosk.wait_for_log("keyboard to the toolbar$", after=mark)
    screen.key("F2")
    mark = kiosk.wait_for_log("keyboard to the page$", timeout=10, after=mark)
    return kiosk.wait_for_log("the browser window has the keyboard$", timeout=10, after=mark)


def poke_until_the_clock_moved(screen: XScreen, kiosk: KioskProcess, since: int,
                               forwards: bool) -> int:
    """Poke the page until the kiosk's log stamps show its wall clock an hour away from
    line `since` (the preloaded library reads its offset once a second); returns the
    index of the last poke's line: the resident's last input."""
    before = stamp_of(kiosk, since)
    for _attempt in range(20):
        index = poke(screen, kiosk)
        moved = (stamp_of(kiosk, index) - before).total_seconds()
        if (moved > HOUR - 600) if forwards else (moved < -(HOUR - 600)):
            return index
    raise AssertionError(f"the kiosk's wall clock did not move: {kiosk.lines[index]}")


def test_an_hour_forwards_and_back_changes_no_session_timing(
    screen: XScreen, site: Site, tmp_path: Path, shifted_clock: dict[str, str],
    short_session_root: Path
) -> None:
    offset_file = Path(shifted_clock[OFFSET_VARIABLE])
    env = {"KIOSK_SESSION_ROOT": str(short_session_root), **shifted_clock}
    with running_kiosk(screen, tmp_path, "--profile", str(profile_file(tmp_path, site)),
                       env=env) as kiosk:
        # A first resident opens the procedure; then the clock jumps an hour forwards.
        open_canary_tile(screen, kiosk, site, after=0)
        mark = len(kiosk.lines) - 1
        set_offset(offset_file, HOUR)
        mark = poke_until_the_clock_moved(screen, kiosk, mark, forwards=True)
        # The session goes on: it ends by the idle countdown after the resident's last
        # key, not by its maximum duration (which a wall-clock reading would have
        # found passed an hour ago).
        kiosk.wait_for_screen("countdown", timeout=IDLE_TIMEOUT + 30, after=mark)
        ended = kiosk.wait_for_log(r"ending the session \(", timeout=IDLE_WARNING + 30,
                                   after=mark)
        assert kiosk.lines[ended].endswith("ending the session (idle)"), kiosk.lines[ended]

        # The next resident; then the clock goes back the hour.
        open_canary_tile(screen, kiosk, site, after=ended)
        mark = len(kiosk.lines) - 1
        set_offset(offset_file, 0)
        mark = poke_until_the_clock_moved(screen, kiosk, mark, forwards=False)
        # Hands off: the countdown comes and the session ends, on time by the
        # monotonic clock (an hour late by the wall clock's), then a fresh home.
        kiosk.wait_for_screen("countdown", timeout=IDLE_TIMEOUT + 30, after=mark)
        ended = kiosk.wait_for_log(r"ending the session \(", timeout=IDLE_WARNING + 30,
                                   after=mark)
        assert kiosk.lines[ended].endswith("ending the session (idle)"), kiosk.lines[ended]
        kiosk.wait_until_ready(timeout=60, after=ended)
