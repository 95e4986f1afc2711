"""Pages that try to keep a resident, or to open what the kiosk refuses, on the real kiosk.

The kiosk runs on its own Xvfb with openbox and its rc.xml, driven with xdotool as a
keyboard user would: a link opened "into a new tab" with Ctrl+Return or
Shift+Return, a page that asks "leave this page?" when the resident ends the
session, a page stuck in a loop when the resident wants another procedure.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import XScreen, wait_for
from kiosk_process import KioskProcess, mode_params, running_kiosk
from procedure_site import ALLOWED, BLOCKED, Site, profile_toml

from kiosk.i18n import gettext_for

pytestmark = [pytest.mark.browser, pytest.mark.display]

BLOCKED_TITLE = gettext_for("fr", "This site is not available on this terminal")
TILES = [("start", "/"), ("stay", "/beforeunload"), ("busy", "/busy"), ("mail", "/mailto")]
PROFILE = profile_toml([(name, f"http://{ALLOWED}{path}", [ALLOWED]) for name, path in TILES])


# The installed policy as root adds nothing here that production does not test.
@pytest.fixture(params=mode_params("guard-only", "production"))
def kiosk(request: pytest.FixtureRequest, screen: XScreen, site: Site,
          tmp_path: Path) -> Iterator[KioskProcess]:
    """The kiosk with the guard alone (as root), and as installed (unprivileged, the
    machine's policy)."""
    profile = tmp_path / "hostile.toml"
    profile.write_text(PROFILE, encoding="utf-8")
    with running_kiosk(screen, tmp_path, "--profile", str(profile),
                       env={"KIOSK_HOST_RESOLVER_RULES": site.rules,
                            # the watchdog's patience, shortened: its wait is not tested
                            "KIOSK_PAGE_SILENT_SECONDS": "3"},
                       mode=request.param) as process:
        process.wait_until_ready()
        # The policy the kiosk gave the browser: "block every other site" only when
        # installed; none of its own in production (the machine's applies).
        given = [json.loads(p.read_text()) for p in process.session_root.glob("*/policy.json")]
        if request.param == "production":
            assert given == []
        else:
            assert ("*" in given[0]["URLBlocklist"]) is (request.param == "installed")
        yield process


def visible_windows(screen: XScreen) -> list[str]:
    found = screen.run("xdotool", "search", "--onlyvisible", "--name", "", check=False)
    names = [screen.run("xdotool", "getwindowname", w, check=False).stdout.strip()
             for w in found.stdout.split()]
    return sorted(name for name in names if name and name != "Openbox")


def open_tile(kiosk: KioskProcess, screen: XScreen, site: Site, name: str) -> None:
    """From the home screen (keyboard on the first tile), open tile `name`."""
    path = dict(TILES)[name]
    mark = len(kiosk.lines)
    asked = site.log.paths(ALLOWED).count(path)
    screen.key(*["Tab"] * [n for n, _ in TILES].index(name), "Return")
    kiosk.wait_for_log(f"procedure opened: {name}$", after=mark)
    assert wait_for(lambda: site.log.paths(ALLOWED).count(path) > asked, 20)
    kiosk.wait_for_screen("toolbar", after=mark)
    time.sleep(1.0)  # the page paints, the browser takes the keyboard


@pytest.mark.parametrize("keys", ["ctrl+Return", "shift+Return"])
def test_a_link_opened_into_a_new_tab_is_checked_like_any_other(
    kiosk: KioskProcess, screen: XScreen, site: Site, keys: str
) -> None:
    open_tile(kiosk, screen, site, "start")
    # In the page: the name field, the other allowed site, then the blocked link.
    # The modified key first (it opens nothing here, or the link in this window),
    # then a plain Return: once the guard's page shows for that one, whatever the
    # first key started has had its chance to ask the blocked host.
    mark = len(kiosk.lines)
    screen.key("Tab", "Tab", "Tab", keys)
    time.sleep(0.5)
    screen.key("Return")
    kiosk.wait_for_log(f"blocked a navigation to {BLOCKED}$", after=mark)
    assert len(visible_windows(screen)) == 2, visible_windows(screen)  # no new window
    assert BLOCKED not in site.log.hosts(), "the blocked site must never be asked"


def test_a_page_that_asks_to_stay_never_holds_the_end_of_the_session(
    kiosk: KioskProcess, screen: XScreen, site: Site
) -> None:
    open_tile(kiosk, screen, site, "stay")
    screen.click(screen.width // 2, screen.height // 2)  # a tap arms the page's question
    time.sleep(0.5)
    mark = kiosk.end_session_by_keyboard(screen)
    ending = kiosk.wait_for_log(r"ending the session \(button\)$", after=mark)
    kiosk.wait_for_screen("home", after=ending)
    kiosk.wait_for_log("browser ready for the next session$", after=ending)
    # The home screen is mapped again a moment after the log says so (seen once
    # empty on a busy machine): wait for it, then nothing else may show.
    assert wait_for(lambda: visible_windows(screen) == ["Borne"], 5), visible_windows(screen)


def test_a_page_stuck_in_a_loop_lets_a_keyboard_user_out(
    kiosk: KioskProcess, screen: XScreen, site: Site
) -> None:
    """A looping page answers no key, F2 included: the kiosk's watchdog ends it, says
    so, and the keyboard is on the way back to the tiles."""
    open_tile(kiosk, screen, site, "busy")
    mark = len(kiosk.lines)
    kiosk.wait_for_log("the resident's page stopped answering: ended$", after=mark)
    kiosk.wait_for_screen("message", after=mark)
    screen.key("Return")  # Back, which leads to the tiles
    kiosk.wait_for_screen("home", after=mark)
    time.sleep(0.5)
    open_tile(kiosk, screen, site, "start")
    assert wait_for(lambda: visible_windows(screen) == ["Borne", "Start"], 15), \
        visible_windows(screen)


def test_a_stuck_page_does_not_hold_the_next_tile(
    kiosk: KioskProcess, screen: XScreen, site: Site
) -> None:
    """With a pointer, before the watchdog: Home, then another tile."""
    open_tile(kiosk, screen, site, "busy")
    mark = len(kiosk.lines)
    screen.click(60, 35)  # Home, the strip's first button
    kiosk.wait_for_screen("home", after=mark)
    time.sleep(0.3)
    open_tile(kiosk, screen, site, "start")
    assert wait_for(lambda: visible_windows(screen) == ["Borne", "Start"], 15), \
        visible_windows(screen)
    # The stuck page was ended as the tile opened: the next page's settings were not
    # held up by it, and the resident was not told that anything closed by itself.
    since = "\n".join(kiosk.lines[mark:])
    assert "could not apply" not in since and "message: page_crashed" not in since, since


def test_a_page_asking_for_a_mail_client_starts_no_program(
    kiosk: KioskProcess, screen: XScreen, site: Site
) -> None:
    """A script's mailto: never reaches a program of the machine. Without the "block
    every other site" rule (guard-only), Chromium asks for a mail client and the
    session's stub answers, opening nothing; under the installed policy Chromium
    refuses the address itself, and the kiosk's page says so."""
    mark = len(kiosk.lines)
    open_tile(kiosk, screen, site, "mail")
    if kiosk.mode == "guard-only":
        def stub_asked() -> bool:
            logs = kiosk.session_root.glob("*/handlers-asked.log")
            return any("xdg-email" in log.read_text(encoding="utf-8").split() for log in logs)

        assert wait_for(stub_asked, 10), "no mail client was asked for"
    else:
        kiosk.wait_for_log("blocked a navigation to a non-web address$", after=mark)
        assert wait_for(lambda: visible_windows(screen) == sorted(["Borne", BLOCKED_TITLE]),
                        10), visible_windows(screen)
