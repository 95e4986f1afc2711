"""Scanning end to end: the real kiosk, scanimage and SANE's `test` backend.

A resident scans a proof with the toolbar's Scan item, finds it in the document
picker, then scans another page from the picker itself: the site's server receives
that PDF. After End session, nothing of the scans is left. Everything is done with
the keyboard through xdotool (Xvfb, openbox, Chromium under the lockdown policy).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import XScreen, wait_for
from kiosk_process import KioskProcess, mode_params, park_pointer, running_kiosk
from procedure_site import UPLOADS, Site, profile_toml
from sane_backend import SaneSetup, sane_setup
from screenshots import check_against_reference

pytestmark = [pytest.mark.browser, pytest.mark.display]

PROFILE = profile_toml([("single", f"http://{UPLOADS}/single", [UPLOADS])])
# F2 puts the keyboard on Home; then Back, Reload, Print, Scan.
SCAN_ITEM_TABS = 4


@pytest.fixture
def sane() -> Iterator[SaneSetup]:
    with sane_setup() as setup:
        setup.configure(devices=1)
        yield setup


@pytest.fixture(params=mode_params("guard-only", "production"))
def kiosk(request: pytest.FixtureRequest, screen: XScreen, site: Site, sane: SaneSetup,
          tmp_path: Path) -> Iterator[KioskProcess]:
    profile = tmp_path / "scanning.toml"
    profile.write_text(PROFILE, encoding="utf-8")
    with running_kiosk(screen, tmp_path, "--profile", str(profile),
                       env={"KIOSK_HOST_RESOLVER_RULES": site.rules, **sane.env},
                       mode=request.param) as process:
        process.wait_until_ready()
        process.wait_for_log(r"scanning: 1 scanner\(s\) found")
        yield process


def open_page(kiosk: KioskProcess, screen: XScreen, site: Site) -> None:
    mark = len(kiosk.lines)
    screen.key("Return")
    kiosk.wait_for_log("procedure opened: single$", after=mark)
    assert wait_for(lambda: "/single" in site.log.paths(UPLOADS), 20), site.log.paths(UPLOADS)
    kiosk.wait_for_screen("toolbar", after=mark)
    kiosk.wait_for_log("the browser window has the keyboard$", after=mark)
    time.sleep(1.0)  # the page paints


def scan_one_page(kiosk: KioskProcess, screen: XScreen) -> int:
    """On the presets: Return scans an A4 proof; waits for its preview. Returns the mark."""
    mark = len(kiosk.lines)
    screen.key("Return")
    kiosk.wait_for_screen("scan_scanning", after=mark)
    kiosk.wait_for_screen("scan_review", after=mark)
    return mark


def scan_files(kiosk: KioskProcess) -> list[Path]:
    return sorted([*kiosk.session_root.glob("*/Documents/*"),
                   *kiosk.session_root.glob("*/scan/*")])


def test_a_scan_from_the_picker_reaches_the_site_and_is_wiped(
    kiosk: KioskProcess, screen: XScreen, site: Site, artifacts: Path
) -> None:
    open_page(kiosk, screen, site)
    # The toolbar's Scan: the presets, then the page's preview.
    mark = kiosk.toolbar_by_f2(screen)
    screen.key(*["Tab"] * SCAN_ITEM_TABS, "Return")
    kiosk.wait_for_screen("scan_choose", after=mark)
    scan_one_page(kiosk, screen)
    park_pointer(screen)
    shot = screen.screenshot(artifacts / "scan-panel-1280x1024.png")
    check_against_reference(shot, "scan-panel-1280x1024")
    mark = len(kiosk.lines)
    screen.key("Return")  # Finish
    kiosk.wait_for_screen("scan_saved", after=mark)
    first = [p for p in scan_files(kiosk) if p.suffix == ".pdf"]
    assert [p.name for p in first] == ["Numérisation 1 (1 page).pdf"]
    screen.key("Return")  # Back to the page
    kiosk.wait_for_screen("toolbar", after=mark)
    kiosk.wait_for_log("the browser window has the keyboard$", after=mark)
    time.sleep(0.5)
    # The page's file input: the picker offers the scan, and "Scan a document".
    mark = len(kiosk.lines)
    screen.key("Tab", "Tab", "space")
    kiosk.wait_for_log("document picker: 1 offered", after=mark)
    kiosk.wait_for_screen("picker", after=mark)
    park_pointer(screen)
    shot = screen.screenshot(artifacts / "picker-scan-1280x1024.png")
    check_against_reference(shot, "picker-scan-1280x1024")
    screen.key("Tab", "Return")  # "Scan a document"
    kiosk.wait_for_screen("scan_choose", after=mark)
    scan_one_page(kiosk, screen)
    mark = len(kiosk.lines)
    screen.key("Return")  # Finish: straight back to the page, which sends the file
    kiosk.wait_for_log(r"1 file\(s\) handed to the page$", after=mark)
    assert wait_for(lambda: site.log.uploaded(), 10)
    [(host, name, data)] = site.log.uploaded()
    assert (host, name) == (UPLOADS, "Numérisation 2 (1 page).pdf")
    sent = next(p for p in scan_files(kiosk) if p.name == name)
    assert data.startswith(b"%PDF") and data == sent.read_bytes()
    kiosk.wait_for_log("the browser window has the keyboard$", after=mark)
    # The wipe: nothing of either scan is left.
    mark = kiosk.end_session_by_keyboard(screen)
    kiosk.wait_for_log("browser ready for the next session$", after=mark)
    kiosk.wait_for_screen("home", after=mark)
    assert scan_files(kiosk) == []
