"""A resident's whole way through the real kiosk: tile, procedure, blocked site,
shortcuts that would leave it, End session.

The kiosk runs on the tests' shared 1280x1024 Xvfb with openbox and the kiosk's
rc.xml, its pre-started Chromium under the lockdown policy, against the local
procedure site (the profile's *.borne.test hosts mapped to it). Everything is
done with xdotool, as a keyboard or a finger would.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import SAMPLE_PROFILE, XScreen, wait_for
from kiosk_process import (
    KIOSK,
    KioskProcess,
    mode_params,
    open_tile,
    park_pointer,
    running_kiosk,
)
from procedure_site import ALLOWED, BLOCKED, Site
from screenshots import check_against_reference, colour_centre

from kiosk.i18n import gettext_for

pytestmark = [pytest.mark.browser, pytest.mark.display]

BLOCKED_TITLE = gettext_for("fr", "This site is not available on this terminal")
DANGER_RED = (0xB3, 0x26, 0x1E)  # the End session button (kiosk/ui/theme.py)
TOOLBAR_ROWS = 80  # the strip is 71 px high at 1280x1024
# A web page under the toolbar: font rendering differs a little from run to run.
PAGE_SAME_SCREEN = 0.02

# Every shortcut that opens, saves, prints, shows source or tools, or closes
# something in a browser or a desktop. None may change what the resident sees.
ESCAPE_KEYS = [
    "ctrl+n", "ctrl+t", "ctrl+shift+n", "ctrl+o", "ctrl+s", "ctrl+p", "ctrl+u", "ctrl+j",
    "ctrl+h", "ctrl+shift+o", "ctrl+shift+b", "ctrl+shift+delete", "F11", "F12",
    "ctrl+shift+i", "ctrl+shift+j", "ctrl+shift+c", "ctrl+shift+m", "alt+Home", "alt+F4",
    "ctrl+w", "ctrl+shift+w", "ctrl+F4", "ctrl+q", "ctrl+shift+q", "ctrl+alt+F1",
    "ctrl+alt+BackSpace", "super", "alt+Tab", "alt+F2", "ctrl+Escape", "ctrl+l", "alt+d",
    "F6", "F7", "F10", "shift+F10", "Menu", "shift+Escape",
]  # F2 is the kiosk's own: it moves the keyboard to the toolbar (tested below)


# The installed policy as root adds nothing here that production does not test.
@pytest.fixture(params=mode_params("guard-only", "production"))
def kiosk(request: pytest.FixtureRequest, screen: XScreen, site: Site,
          tmp_path: Path) -> Iterator[KioskProcess]:
    with running_kiosk(screen, tmp_path, "--profile", str(SAMPLE_PROFILE),
                       env={"KIOSK_HOST_RESOLVER_RULES": site.rules},
                       mode=request.param) as process:
        process.wait_until_ready()
        yield process


def visible_windows(screen: XScreen) -> list[str]:
    """The names of the mapped top-level windows (the shell is "Borne"), but the
    window manager's own (a tiny window it keeps to say it is there)."""
    found = screen.run("xdotool", "search", "--onlyvisible", "--name", "", check=False)
    names = []
    for window in found.stdout.split():
        name = screen.run("xdotool", "getwindowname", window, check=False).stdout.strip()
        if name and name != "Openbox":
            names.append(name)
    return sorted(names)


def focused_window(screen: XScreen) -> str:
    return screen.run("xdotool", "getwindowfocus", "getwindowname", check=False).stdout.strip()


def test_third_tile_opens_with_tab_and_return_under_the_toolbar(
    kiosk: KioskProcess, screen: XScreen, site: Site, artifacts: Path
) -> None:
    # caf and msa (family), then ameli (health): the third tile in reading order.
    open_tile(kiosk, screen, site, ["Tab", "Tab", "Return"], "ameli", "ameli.borne.test")
    assert "caf.borne.test" not in site.log.hosts()
    assert focused_window(screen) != "Borne", "the page must have the keyboard"
    park_pointer(screen)
    shot = screen.screenshot(artifacts / "procedure-1280x1024.png")
    check_against_reference(shot, "procedure-1280x1024", same_screen=PAGE_SAME_SCREEN)


def kiosk_stats(kiosk: KioskProcess) -> str:
    """What `kiosk stats` prints for the kiosk's private state folder."""
    env = {**os.environ, "KIOSK_STATE_DIR": str(kiosk.state_dir)}
    done = subprocess.run([KIOSK, "stats"], env=env, capture_output=True, text=True,
                          check=True)
    return done.stdout


def test_a_link_out_of_the_allowlist_shows_the_kiosk_page(
    kiosk: KioskProcess, screen: XScreen, site: Site, artifacts: Path
) -> None:
    open_tile(kiosk, screen, site, ["Return"], "caf", ALLOWED)
    # In the page: the name field, the other allowed site, then the blocked link.
    mark = len(kiosk.lines)
    screen.key("Tab", "Tab", "Tab", "Return")
    kiosk.wait_for_log(f"blocked a navigation to {BLOCKED}$", after=mark)
    time.sleep(1.0)  # the kiosk's page paints
    assert BLOCKED not in site.log.hosts(), "the blocked site must never be asked"
    assert visible_windows(screen) == sorted(["Borne", BLOCKED_TITLE]), "the same one window"
    # IT staff see it in the anonymous counters, without the address.
    assert wait_for(lambda: "blocked_navigations  reason=site" in kiosk_stats(kiosk), 10)
    assert BLOCKED not in kiosk_stats(kiosk)
    park_pointer(screen)
    shot = screen.screenshot(artifacts / "blocked-1280x1024.png")
    check_against_reference(shot, "blocked-1280x1024", same_screen=PAGE_SAME_SCREEN)
    # The page's own Back button (it has the focus) returns to the procedure.
    screen.key("Return")
    assert wait_for(lambda: visible_windows(screen) == ["Borne", "Start"], 10), \
        visible_windows(screen)


def test_no_shortcut_leads_out_of_the_procedure(
    kiosk: KioskProcess, screen: XScreen, site: Site, artifacts: Path
) -> None:
    open_tile(kiosk, screen, site, ["Return"], "caf", ALLOWED)
    before = visible_windows(screen)
    assert before == ["Borne", "Start"], before
    mark = len(kiosk.lines)
    # Four shortcuts at a time, each followed by Escape as a resident would press it
    # (whatever one might have opened), then one look: a failure names the four.
    for first in range(0, len(ESCAPE_KEYS), 4):
        keys = ESCAPE_KEYS[first:first + 4]
        screen.key(*[pressed for key in keys for pressed in (key, "Escape")])
        time.sleep(0.4)
        assert kiosk.proc.poll() is None, f"the kiosk stopped after one of {keys}"
        assert visible_windows(screen) == before, f"after {keys}: {visible_windows(screen)}"
        # A folded popup hands the keyboard to the window manager for a moment, until
        # the kiosk gives it back to the page: on a busy machine that moment is longer.
        assert wait_for(lambda: focused_window(screen) == "Start", 5), \
            f"the page lost the keyboard after {keys}: {focused_window(screen)}"
    park_pointer(screen)
    screen.screenshot(artifacts / "after-shortcuts.png")
    log = "\n".join(kiosk.lines[mark:])
    assert "ending the session" not in log and "browser stopped" not in log, log
    assert "Traceback" not in kiosk.log_text()
    assert set(site.log.hosts()) <= {ALLOWED}, site.log.hosts()


def test_end_session_asks_once_then_wipes_to_a_fresh_home(
    kiosk: KioskProcess, screen: XScreen, site: Site, artifacts: Path
) -> None:
    open_tile(kiosk, screen, site, ["Return"], "caf", ALLOWED)
    park_pointer(screen)
    strip = screen.screenshot(artifacts / "strip.png")
    button = colour_centre(strip, DANGER_RED, bottom=TOOLBAR_ROWS)
    assert button is not None, "no End session button in the toolbar"
    assert button[0] > screen.width // 2, button  # it stands apart on the right

    mark = len(kiosk.lines)
    screen.click(*button)
    kiosk.wait_for_screen("end_confirmation", after=mark)
    time.sleep(0.5)
    park_pointer(screen)
    shot = screen.screenshot(artifacts / "end-confirmation-1280x1024.png")
    check_against_reference(shot, "end-confirmation-1280x1024")
    assert focused_window(screen) == "Borne", "the question must have the keyboard"

    mark = len(kiosk.lines)
    screen.key("Tab", "Return")  # from "No, go back" to "Yes, end my session"
    kiosk.wait_for_log(r"ending the session \(button\)$", after=mark)
    kiosk.wait_for_screen("home", after=mark)
    kiosk.wait_for_log("browser ready for the next session$", after=mark)
    assert kiosk.proc.poll() is None
    assert focused_window(screen) == "Borne"


def test_f2_takes_the_keyboard_from_the_page_to_the_toolbar_and_back(
    kiosk: KioskProcess, screen: XScreen, site: Site
) -> None:
    open_tile(kiosk, screen, site, ["Return"], "caf", ALLOWED)
    assert focused_window(screen) == "Start"
    screen.key("F12")  # a refused developer tools window first: F2 must still work
    time.sleep(1.0)
    mark = len(kiosk.lines)
    screen.key("F2")
    kiosk.wait_for_log("keyboard to the toolbar$", after=mark)
    assert wait_for(lambda: focused_window(screen) == "Borne", 5), focused_window(screen)
    screen.key("F2")  # and back to the page
    kiosk.wait_for_log("keyboard to the page$", after=mark)
    assert wait_for(lambda: focused_window(screen) == "Start", 5), focused_window(screen)
    # From the page to End session with the keyboard alone: F2, then backwards
    # from Home round to the last button.
    mark = len(kiosk.lines)
    screen.key("F2")
    kiosk.wait_for_log("keyboard to the toolbar$", after=mark)
    screen.key("shift+Tab", "Return")
    kiosk.wait_for_screen("end_confirmation", after=mark)
