"""Uploads through the kiosk's own document picker, end to end.

A resident downloads a proof on a procedure site, then the site asks for a file:
the kiosk's picker shows this session's documents, the keyboard picks one, and
the site's server receives it byte for byte. Also with several files, in a frame
of another site, and in a page opened as a new window. After the wipe, the next
resident's picker is empty. Everything is done with the keyboard through xdotool
on the real kiosk (Xvfb, openbox, Chromium under the lockdown policy).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import XScreen, wait_for
from kiosk_process import KioskProcess, mode_params, ready_kiosk
from procedure_site import FORMS, PROOFS, UPLOADS, Site, profile_toml
from screenshots import check_against_reference

pytestmark = [pytest.mark.browser, pytest.mark.display]

PAGES = ["single", "several", "framed", "popup"]
PROFILE = profile_toml([(name, f"http://{UPLOADS}/{name}", [UPLOADS, FORMS])
                       for name in PAGES])
PDF_NAME, PDF_BYTES = PROOFS["/attestation.pdf"]
TXT_NAME, TXT_BYTES = PROOFS["/avis.txt"]


# The installed policy as root adds nothing here that production does not test.
@pytest.fixture(params=mode_params("guard-only", "production"))
def kiosk(request: pytest.FixtureRequest, screen: XScreen, site: Site,
          tmp_path: Path) -> Iterator[KioskProcess]:
    with ready_kiosk(screen, tmp_path, PROFILE, request.param, site.rules) as process:
        yield process


def open_page(kiosk: KioskProcess, screen: XScreen, site: Site, name: str) -> None:
    """Open the tile of upload page `name` from the home screen, by keyboard."""
    mark = len(kiosk.lines)
    screen.key(*["Tab"] * PAGES.index(name), "Return")
    kiosk.wait_for_log(f"procedure opened: {name}$", after=mark)
    assert wait_for(lambda: f"/{name}" in site.log.paths(UPLOADS), 20), site.log.paths(UPLOADS)
    kiosk.wait_for_screen("toolbar", after=mark)
    kiosk.wait_for_log("the browser window has the keyboard$", after=mark)
    time.sleep(1.0)  # the page paints


def download(kiosk: KioskProcess, screen: XScreen, keys: list[str], name: str) -> None:
    """Press `keys` on a proof link and wait until the kiosk lists the download."""
    mark = len(kiosk.lines)
    screen.key(*keys)
    kiosk.wait_for_log(f"download starting from {UPLOADS}$", after=mark)
    assert wait_for(lambda: any(p.name == name for p in session_documents(kiosk)), 10)


def session_documents(kiosk: KioskProcess) -> list[Path]:
    """The files in the Documents folder of every session folder of this kiosk."""
    return sorted(kiosk.session_root.glob("*/Documents/*"))


def open_picker(kiosk: KioskProcess, screen: XScreen, keys: list[str], offered: int) -> None:
    mark = len(kiosk.lines)
    screen.key(*keys)
    kiosk.wait_for_log(f"document picker: {offered} offered", after=mark)
    kiosk.wait_for_screen("picker", after=mark)


def test_a_downloaded_proof_is_picked_with_the_keyboard_and_received(
    kiosk: KioskProcess, screen: XScreen, site: Site, artifacts: Path
) -> None:
    open_page(kiosk, screen, site, "single")
    download(kiosk, screen, ["Return"], PDF_NAME)        # proof 0 has the keyboard
    download(kiosk, screen, ["Tab", "Return"], TXT_NAME)  # then proof 1
    open_picker(kiosk, screen, ["Tab", "space"], offered=2)  # the file input
    screen.run("xdotool", "mousemove", str(screen.width - 1), str(screen.height - 1))
    time.sleep(0.3)  # out of the way: a hovered button changes colour
    shot = screen.screenshot(artifacts / "picker-1280x1024.png")
    check_against_reference(shot, "picker-1280x1024")
    mark = len(kiosk.lines)
    screen.key("Return")  # the newest: the tax notice
    kiosk.wait_for_log(r"1 file\(s\) handed to the page$", after=mark)
    assert wait_for(lambda: site.log.uploaded(), 10)
    assert site.log.uploaded() == [(UPLOADS, TXT_NAME, TXT_BYTES)]
    kiosk.wait_for_screen("toolbar", after=mark)


def test_several_files_are_ticked_then_sent(
    kiosk: KioskProcess, screen: XScreen, site: Site
) -> None:
    open_page(kiosk, screen, site, "several")
    download(kiosk, screen, ["Return"], PDF_NAME)
    download(kiosk, screen, ["Tab", "Return"], TXT_NAME)
    open_picker(kiosk, screen, ["Tab", "space"], offered=2)
    # Tick both (Return on each), then Tab to "Send the ticked documents".
    screen.key("Return", "Tab", "Return", "Tab", "Return")
    assert wait_for(lambda: len(site.log.uploaded()) == 2, 10), site.log.uploaded()
    assert sorted(site.log.uploaded()) == sorted([(UPLOADS, PDF_NAME, PDF_BYTES),
                                                  (UPLOADS, TXT_NAME, TXT_BYTES)])


def test_a_file_input_in_a_frame_of_another_site_gets_the_picker(
    kiosk: KioskProcess, screen: XScreen, site: Site
) -> None:
    open_page(kiosk, screen, site, "framed")
    assert wait_for(lambda: "/upload-form" in site.log.paths(FORMS), 10)
    download(kiosk, screen, ["Return"], PDF_NAME)
    open_picker(kiosk, screen, ["Tab", "Tab", "space"], offered=1)  # into the frame
    screen.key("Return")
    assert wait_for(lambda: site.log.uploaded(), 10)
    assert site.log.uploaded() == [(FORMS, PDF_NAME, PDF_BYTES)]


def test_a_file_input_in_a_new_window_gets_the_picker(
    kiosk: KioskProcess, screen: XScreen, site: Site
) -> None:
    open_page(kiosk, screen, site, "popup")
    download(kiosk, screen, ["Return"], PDF_NAME)
    screen.key("Tab", "Tab", "Return")  # the button that opens the form in a new window
    assert wait_for(lambda: "/upload-form" in site.log.paths(UPLOADS), 10)
    time.sleep(1.0)  # the form paints; its input takes the keyboard (autofocus)
    open_picker(kiosk, screen, ["space"], offered=1)
    screen.key("Return")
    assert wait_for(lambda: site.log.uploaded(), 10)
    assert site.log.uploaded() == [(UPLOADS, PDF_NAME, PDF_BYTES)]


def test_the_next_resident_picker_is_empty_and_escape_gives_nothing(
    kiosk: KioskProcess, screen: XScreen, site: Site, artifacts: Path
) -> None:
    open_page(kiosk, screen, site, "single")
    download(kiosk, screen, ["Return"], PDF_NAME)
    mark = kiosk.end_session_by_keyboard(screen)
    kiosk.wait_for_log("browser ready for the next session$", after=mark)
    kiosk.wait_for_screen("home", after=mark)
    assert session_documents(kiosk) == []
    open_page(kiosk, screen, site, "single")
    open_picker(kiosk, screen, ["Tab", "Tab", "space"], offered=0)
    screen.screenshot(artifacts / "picker-empty.png")
    mark = len(kiosk.lines)
    screen.key("Escape")
    kiosk.wait_for_screen("toolbar", after=mark)
    assert site.log.uploaded() == []
