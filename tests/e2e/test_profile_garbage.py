"""The machine's profile is replaced by garbage while the kiosk serves residents.

The profile is read once, at start: the residents of this run go on being served
from it. The next start finds the file unusable and shows the out-of-service
screen with the desk details of the last profile that loaded (kept in
KIOSK_STATE_DIR), and the log names the file and where in it the problem is.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from canary import PROFILE, open_canary_tile, reports
from harness import XScreen, wait_for
from kiosk_process import KioskProcess, park_pointer, running_kiosk
from procedure_site import Site
from screenshots import check_against_reference

from kiosk.config.lastgood import FILE_NAME

pytestmark = [pytest.mark.browser, pytest.mark.display]

# The sample profile's desk (tests/data/sample.toml), the one the reference
# out-of-service screenshot shows.
SAMPLE_HELP = """\
[help]
desk = { fr = "Accueil, rez-de-chaussée", en = "Front desk, ground floor" }
phone = "01 23 45 67 89"
hours = { fr = "du lundi au vendredi, 8 h 30 – 17 h", en = "Monday to Friday, 8:30 am – 5 pm" }
"""
# What a bad copy, a half-finished edit or a disk fault can leave; its third line
# opens a table it never closes.
# The desk's three lines change about 0.6 % of the screen's pixels: a screen without
# them must not pass for the reference.
DESK_LINES_SHARE = 0.0005
GARBAGE = 'schema = 1\n\n[terminal\nname = "Mairie"\n\x00\x01 ~~ not a profile ~~\n'


def system_profile(tmp_path: Path, site: Site) -> Path:
    """The canary procedure, with the sample's desk and time to act before the countdown."""
    text = PROFILE.format(port=site.port)
    text = text.replace('[help]\ndesk = "Accueil"\nphone = "01 23 45 67 89"\n', SAMPLE_HELP)
    text = text.replace("idle_timeout = 6", "idle_timeout = 300").replace(
        "idle_warning = 4", "idle_warning = 30")
    assert "Front desk" in text
    path = tmp_path / "etc" / "profile.toml"
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    return path


def replace_with_garbage(path: Path) -> None:
    """Replaced in one step, as an editor or a configuration tool saves."""
    temporary = path.with_name(".profile.toml.new")
    temporary.write_bytes(GARBAGE.encode("latin-1"))
    temporary.replace(path)


def page_still_answers(screen: XScreen, kiosk: KioskProcess) -> None:
    """The resident goes on: F2 to the toolbar and back to the page, both heard."""
    mark = kiosk.toolbar_by_f2(screen)
    mark = kiosk.wait_for_log("keyboard to the toolbar$", after=mark)
    screen.key("F2")
    mark = kiosk.wait_for_log("keyboard to the page$", timeout=10, after=mark)
    kiosk.wait_for_log("the browser window has the keyboard$", timeout=10, after=mark)


def test_garbage_profile_mid_session_then_out_of_service_with_the_last_good_desk(
    screen: XScreen, site: Site, tmp_path: Path, short_session_root: Path, artifacts: Path
) -> None:
    profile = system_profile(tmp_path, site)
    env = {"KIOSK_SYSTEM_PROFILE": str(profile), "KIOSK_SESSION_ROOT": str(short_session_root)}
    with running_kiosk(screen, tmp_path, env=env) as kiosk:
        token = open_canary_tile(screen, kiosk, site, after=0)
        remembered = json.loads((kiosk.state_dir / FILE_NAME).read_text(encoding="utf-8"))
        assert remembered["desk"] == "Accueil, rez-de-chaussée", remembered
        replace_with_garbage(profile)
        # This resident carries on, and ends the session as usual.
        page_still_answers(screen, kiosk)
        mark = kiosk.end_session_by_keyboard(screen)
        ended = kiosk.wait_for_log(r"ending the session \(", after=mark)
        assert kiosk.lines[ended].endswith("ending the session (button)"), kiosk.lines[ended]
        # The next resident is served too, from the profile read at start.
        before = len(reports(site, "report"))
        second = open_canary_tile(screen, kiosk, site, after=ended)
        assert second != token
        assert wait_for(lambda: len(reports(site, "report")) > before, 30)
        assert "Traceback" not in kiosk.log_text()
        # The last good desk is still the one kept: garbage never replaces it.
        assert json.loads((kiosk.state_dir / FILE_NAME).read_text(encoding="utf-8")) \
            == remembered

    # The next start (a restart by the service manager, a reboot).
    with running_kiosk(screen, tmp_path, env=env) as kiosk:
        kiosk.wait_for_screen("out_of_service")
        assert kiosk.proc.poll() is None, "the kiosk must keep running, never drop to a desktop"
        log = kiosk.log_text()
        # For IT staff: the file, and where in it (TOML's line and column).
        found = re.search(re.escape(str(profile)) + r": is not valid TOML: .*"
                          r"\(at line (\d+), column (\d+)\)", log)
        assert found, log
        assert found.group(1) == "3", found.group(0)
        assert "out of service" in log and "Traceback" not in log
        park_pointer(screen)
        shot = screen.screenshot(artifacts / "out-of-service-after-garbage.png")
        # The desk, hours and phone of the last good profile, exactly as the reference
        # screen made from the sample profile shows them.
        check_against_reference(shot, "out-of-service-1280x1024",
                                same_screen=DESK_LINES_SHARE)
