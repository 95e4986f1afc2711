"""A whole session with the keyboard alone: the real kiosk, its browser and a private cupsd.

Home → tile → page → toolbar and back into the page → print → help (with the page's
address to take away) → end, every step by xdotool keys, the focus ring in sight at
each stop, and Escape going back wherever there is a back.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from cups_server import CupsServer, cups_server
from harness import XScreen, wait_for
from kiosk_process import KioskProcess, open_tile, park_pointer, running_kiosk
from PIL import Image
from procedure_site import ALLOWED, Site, profile_toml
from screenshots import count_colour

from kiosk.ui.theme import STANDARD

pytestmark = [pytest.mark.browser, pytest.mark.display]

FOCUS_RING = (int(STANDARD.focus[1:3], 16), int(STANDARD.focus[3:5], 16),
              int(STANDARD.focus[5:7], 16))
PROFILE = profile_toml([("receipt", f"http://{ALLOWED}/receipt", [ALLOWED])])
PRINT_ITEM = 3  # Home, Back, Reload, then Print
HELP_FROM_HOME_ITEM = 2  # backwards from Home: End session, then Help


@pytest.fixture
def cups() -> Iterator[CupsServer]:
    with cups_server() as server:
        yield server


def ring_in(shot: Path, box: tuple[int, int, int, int] | None = None) -> int:
    """How many pixels of the focus ring's colour `shot` shows (in `box` if given)."""
    if box is None:
        return count_colour(shot, FOCUS_RING)
    part = shot.with_name(shot.stem + "-part.png")
    with Image.open(shot) as image:
        image.crop(box).save(part)
    return count_colour(part, FOCUS_RING)


def toolbar_by_f2(kiosk: KioskProcess, screen: XScreen) -> int:
    return kiosk.toolbar_by_f2(screen)


def codes_in(shot: Path) -> list[str]:
    found = subprocess.run(["zbarimg", "--raw", "-q", str(shot)], capture_output=True,
                           text=True, timeout=60)
    return found.stdout.split("\n")


def test_a_whole_session_with_the_keyboard_alone(
    screen: XScreen, site: Site, tmp_path: Path, cups: CupsServer, artifacts: Path,
) -> None:
    cups.add_pdf_queue()
    profile = tmp_path / "keyboard.toml"
    profile.write_text(PROFILE, encoding="utf-8")
    with running_kiosk(screen, tmp_path, "--profile", str(profile),
                       env={"KIOSK_HOST_RESOLVER_RULES": site.rules,
                            "CUPS_SERVER": str(cups.socket)}) as kiosk:
        kiosk.wait_until_ready()
        park_pointer(screen)  # out of sight: nothing but keys from here on
        home = screen.screenshot(artifacts / "keyboard-home.png")
        assert ring_in(home) > 400, "the first tile shows the focus ring"

        # Home → tile: Return on the first tile; the page has the keyboard.
        open_tile(kiosk, screen, site, ["Return"], "receipt", ALLOWED)
        kiosk.wait_for_log("printing: printer 'office' available")
        strip = (0, 0, screen.width, 120)

        # Into the toolbar and back into the page, twice: no trap either way.
        for _ in range(2):
            mark = toolbar_by_f2(kiosk, screen)
            shot = screen.screenshot(artifacts / "keyboard-toolbar.png")
            assert ring_in(shot, strip) > 100, "the toolbar's first item shows the ring"
            screen.key("F2")  # from the toolbar: back into the page
            kiosk.wait_for_log("the browser window has the keyboard$", after=mark)

        # Print from the toolbar; Escape on the panel goes back to the page.
        mark = toolbar_by_f2(kiosk, screen)
        screen.key(*["Tab"] * PRINT_ITEM, "Return")
        kiosk.wait_for_screen("print_panel", after=mark)
        shot = screen.screenshot(artifacts / "keyboard-print-panel.png")
        assert ring_in(shot) > 100, "Print shows the focus ring"
        mark = len(kiosk.lines)
        screen.key("Escape")
        kiosk.wait_for_screen("toolbar", after=mark)
        kiosk.wait_for_log("the browser window has the keyboard$", after=mark)

        # And again, printing for real with Return.
        mark = toolbar_by_f2(kiosk, screen)
        screen.key(*["Tab"] * PRINT_ITEM, "Return")
        kiosk.wait_for_screen("print_panel", after=mark)
        mark = len(kiosk.lines)
        screen.key("Return")
        printed = kiosk.wait_for_log("printing: request 1 printed", after=mark)
        kiosk.wait_for_screen("print_status", after=printed)
        screen.key("Escape")  # "take your pages": Escape is Back
        kiosk.wait_for_screen("toolbar", after=printed)
        kiosk.wait_for_log("the browser window has the keyboard$", after=printed)

        # Help from the toolbar: the desk, and the page's address to take home.
        mark = toolbar_by_f2(kiosk, screen)
        screen.key(*["shift+Tab"] * HELP_FROM_HOME_ITEM, "Return")
        kiosk.wait_for_screen("help", after=mark)
        shot = screen.screenshot(artifacts / "keyboard-help.png")
        assert ring_in(shot) > 100, "Back shows the focus ring"
        assert f"http://{ALLOWED}/receipt" in codes_in(shot)
        mark = len(kiosk.lines)
        screen.key("Escape")
        kiosk.wait_for_screen("toolbar", after=mark)
        kiosk.wait_for_log("the browser window has the keyboard$", after=mark)

        # End: F2, End session, "Yes, end my session"; a fresh home for the next one.
        mark = kiosk.end_session_by_keyboard(screen)
        kiosk.wait_for_log(r"wipe \(button\): ", after=mark)
        kiosk.wait_for_screen("home", after=mark)
        # The next browser, started behind the home screen, may take the keyboard for a
        # moment as it maps its window; the shell takes it back (logged) at once.
        home = artifacts / "keyboard-home-again.png"
        assert wait_for(lambda: ring_in(screen.screenshot(home)) > 400, 10), \
            "the next resident finds the ring on the first tile"
