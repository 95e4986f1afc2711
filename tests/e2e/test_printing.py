"""Printing end to end: the real kiosk, its browser, and a private cupsd.

A resident on a procedure page presses Print in the toolbar (by keyboard): the
kiosk's own panel shows the pages with the keyboard on Print, Return prints, the
printer's output holds the page's text, and the resident is told to take the
pages. The job's title never carries the page's title. With no printer, the Print
item says so at once.
"""

from __future__ import annotations

import contextlib
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from cups_server import CupsServer, cups_server
from harness import XScreen, wait_for
from kiosk_process import KioskProcess, mode_params, open_tile, park_pointer, running_kiosk
from procedure_site import ALLOWED, PROOFS, RECEIPT_TITLE, UPLOADS, Site, profile_toml
from screenshots import check_against_reference

pytestmark = [pytest.mark.browser, pytest.mark.display]

PROFILE = profile_toml([("receipt", f"http://{ALLOWED}/receipt", [ALLOWED]),
                        ("nag", f"http://{ALLOWED}/nag", [ALLOWED]),
                        ("single", f"http://{UPLOADS}/single", [UPLOADS])])
PRINT_ITEM = 3  # Home, Back, Reload, then Print


@pytest.fixture
def cups() -> Iterator[CupsServer]:
    with cups_server() as server:
        yield server


def start_kiosk(screen: XScreen, site: Site, tmp_path: Path, cups: CupsServer,
                extra: str = "", mode: str = "guard-only"
                ) -> contextlib.AbstractContextManager[KioskProcess]:
    profile = tmp_path / "printing.toml"
    profile.write_text(PROFILE + extra, encoding="utf-8")
    return running_kiosk(screen, tmp_path, "--profile", str(profile),
                         env={"KIOSK_HOST_RESOLVER_RULES": site.rules,
                              "CUPS_SERVER": str(cups.socket)}, mode=mode)


def press_print(kiosk: KioskProcess, screen: XScreen) -> int:
    """F2 to the toolbar, Tab to Print, Return; returns the log mark before."""
    mark = kiosk.toolbar_by_f2(screen)
    screen.key(*["Tab"] * PRINT_ITEM, "Return")
    return mark


def receipt_panel(kiosk: KioskProcess, screen: XScreen, site: Site) -> int:
    """From the home screen: the receipt's tile, then Print; returns the log mark
    before Print once the panel is on screen."""
    kiosk.wait_until_ready()
    open_tile(kiosk, screen, site, ["Return"], "receipt", ALLOWED)
    mark = press_print(kiosk, screen)
    kiosk.wait_for_screen("print_panel", after=mark)
    return mark


def printed_text(path: Path) -> str:
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                         check=True).stdout
    return " ".join(out.split())


@pytest.mark.parametrize("mode", mode_params("guard-only", "production"))
def test_print_the_page_with_return_and_take_the_pages(
    screen: XScreen, site: Site, tmp_path: Path, cups: CupsServer, artifacts: Path, mode: str,
) -> None:
    """Also as the installed kiosk runs: its own user, who owns (and may purge) the jobs."""
    cups.add_pdf_queue()
    with start_kiosk(screen, site, tmp_path, cups, mode=mode) as kiosk:
        kiosk.wait_until_ready()
        open_tile(kiosk, screen, site, ["Return"], "receipt", ALLOWED)
        kiosk.wait_for_log("printing: printer 'office' available")
        mark = press_print(kiosk, screen)
        kiosk.wait_for_log(r"print panel: 2 page\(s\), 20 sheet\(s\) left$", after=mark)
        kiosk.wait_for_screen("print_panel", after=mark)
        park_pointer(screen)
        shot = screen.screenshot(artifacts / "print-panel.png")
        check_against_reference(shot, "print-panel-1280x1024", same_screen=0.02)
        mark = len(kiosk.lines)
        screen.key("Return")  # the keyboard is on Print
        done = kiosk.wait_for_log(r"printing: request 1 printed", after=mark)
        kiosk.wait_for_screen("print_status", after=done)
        shot = screen.screenshot(artifacts / "print-done.png")
        check_against_reference(shot, "print-done-1280x1024")
        text = printed_text(cups.output("office"))
        assert "Premiere page du recepisse" in text and "Seconde page du recepisse" in text
        assert "Borne " in cups.page_log() and RECEIPT_TITLE not in cups.page_log()
        # "Take your pages", then back to the page on its own.
        kiosk.wait_for_screen("toolbar", after=mark, timeout=20)


def test_with_no_printer_the_item_says_why_at_once(
    screen: XScreen, site: Site, tmp_path: Path, cups: CupsServer, artifacts: Path,
) -> None:
    with start_kiosk(screen, site, tmp_path, cups) as kiosk:  # a cupsd with no queue
        kiosk.wait_until_ready()
        open_tile(kiosk, screen, site, ["Return"], "receipt", ALLOWED)
        kiosk.wait_for_log("printing: printer '' no_printer")
        mark = press_print(kiosk, screen)
        kiosk.wait_for_screen("message", after=mark)
        assert "print panel" not in kiosk.log_text()
        park_pointer(screen)
        shot = screen.screenshot(artifacts / "print-unavailable.png")
        check_against_reference(shot, "print-unavailable-1280x1024")


def test_a_pages_print_button_opens_the_panel_only_when_pressed(
    screen: XScreen, site: Site, tmp_path: Path, cups: CupsServer,
) -> None:
    cups.add_pdf_queue()
    with start_kiosk(screen, site, tmp_path, cups) as kiosk:
        kiosk.wait_until_ready()
        open_tile(kiosk, screen, site, ["Tab", "Return"], "nag", ALLOWED)
        # The page called print() four times on its own, then told the server.
        assert site.log.wait_for_path("/nagged", 20)
        assert "the page asked to print" not in kiosk.log_text()
        mark = len(kiosk.lines)
        screen.key("Return")  # the resident presses the page's own Print button
        kiosk.wait_for_log("the page asked to print$", after=mark)
        kiosk.wait_for_screen("print_panel", after=mark)
        screen.key("Escape")
        kiosk.wait_for_screen("toolbar", after=mark)
        assert kiosk.log_text().count("the page asked to print") == 1


def test_a_downloaded_pdf_prints_as_it_is_from_the_documents_screen(
    screen: XScreen, site: Site, tmp_path: Path, cups: CupsServer,
) -> None:
    cups.add_pdf_queue()
    name = PROOFS["/attestation.pdf"][0]
    with start_kiosk(screen, site, tmp_path, cups) as kiosk:
        kiosk.wait_until_ready()
        open_tile(kiosk, screen, site, ["Tab", "Tab", "Return"], "single", UPLOADS)
        mark = len(kiosk.lines)
        screen.key("Return")  # the first proof link has the keyboard: a PDF download
        kiosk.wait_for_log(f"download starting from {UPLOADS}$", after=mark)
        assert wait_for(lambda: [p for p in kiosk.session_root.glob("*/Documents/*")
                                 if p.name == name], 10)
        mark = kiosk.toolbar_by_f2(screen)
        screen.key("shift+Tab", "shift+Tab", "shift+Tab", "Return")  # Documents
        kiosk.wait_for_screen("documents", after=mark)
        screen.key("Tab", "Return")  # Back has the keyboard; Print is next
        kiosk.wait_for_log(r"print panel: 1 page\(s\)", after=mark)
        kiosk.wait_for_screen("print_panel", after=mark)
        screen.key("Return")
        kiosk.wait_for_log("printing: request 1 printed", after=mark)
        # The site's one-page PDF came out as one page (the printer fits it to its paper).
        info = subprocess.run(["pdfinfo", str(cups.output("office"))], capture_output=True,
                              text=True, check=True).stdout
        assert re.search(r"^Pages:\s+1$", info, re.MULTILINE), info
        kiosk.wait_for_screen("documents", after=mark, timeout=20)  # back where it began


def test_the_quota_and_an_empty_printer_are_said_plainly(
    screen: XScreen, site: Site, tmp_path: Path, cups: CupsServer, artifacts: Path,
) -> None:
    cups.add_paperless_queue()
    with start_kiosk(screen, site, tmp_path, cups,
                     "\n[printing]\npages_per_session = 1\n") as kiosk:
        receipt_panel(kiosk, screen, site)
        mark = len(kiosk.lines)
        screen.key("Return")  # both pages: one sheet too many
        kiosk.wait_for_log(r"print panel: 2 page\(s\), 1 sheet\(s\) left, 2 asked$", after=mark)
        kiosk.wait_for_screen("print_panel", after=mark)
        park_pointer(screen)
        shot = screen.screenshot(artifacts / "print-quota.png")
        check_against_reference(shot, "print-quota-1280x1024", same_screen=0.02)
        # "To page −" (Print, Cancel, copies −/+, from −/+, then it), back to Print.
        mark = len(kiosk.lines)
        screen.key(*["Tab"] * 6, "Return", *["shift+Tab"] * 6, "Return")
        kiosk.wait_for_log("print status: waiting media-empty$", after=mark)
        kiosk.wait_for_screen("print_status", after=mark)
        shot = screen.screenshot(artifacts / "print-no-paper.png")
        check_against_reference(shot, "print-no-paper-1280x1024")
        mark = len(kiosk.lines)
        screen.key("Return")  # Stop printing
        kiosk.wait_for_log("print status: cancelled -$", after=mark)
        assert wait_for(lambda: not cups.job_ids())


@pytest.mark.parametrize("mode", mode_params("guard-only", "production"))
def test_the_wipe_purges_a_job_still_waiting(
    screen: XScreen, site: Site, tmp_path: Path, cups: CupsServer, mode: str,
) -> None:
    """The kiosk stops (its last wipe) while the resident's job waits in the spool:
    the job and its files go, also as the installed kiosk's own unprivileged user."""
    cups.add_holding_queue()  # it keeps jobs, as behind a printer waiting for a release
    with start_kiosk(screen, site, tmp_path, cups, mode=mode) as kiosk:
        mark = receipt_panel(kiosk, screen, site)
        screen.key("Return")
        kiosk.wait_for_log("print status: waiting held$", after=mark)
        assert cups.job_ids() and cups.spool_files()  # the resident's pages, in the spool
        assert kiosk.stop() == 0
        assert "printing: 1 job(s) of the session purged" in kiosk.log_text()
        assert "wipe step 'cancel and purge print jobs' failed" not in kiosk.log_text()
    assert cups.job_ids() == [] and cups.spool_files() == []


def test_the_resident_stops_a_waiting_job_and_goes_back_to_the_page(
    screen: XScreen, site: Site, tmp_path: Path, cups: CupsServer,
) -> None:
    cups.add_holding_queue()
    with start_kiosk(screen, site, tmp_path, cups) as kiosk:
        mark = receipt_panel(kiosk, screen, site)
        screen.key("Return")
        waiting = kiosk.wait_for_log("print status: waiting held$", after=mark)
        kiosk.wait_for_screen("print_status", after=waiting)
        screen.key("Return")  # "Stop printing" has the keyboard
        cancelled = kiosk.wait_for_log("print status: cancelled -$", after=waiting)
        kiosk.wait_for_screen("print_status", after=cancelled)
        assert wait_for(lambda: not cups.job_ids()) and cups.spool_files() == []
        screen.key("Return")  # Back
        kiosk.wait_for_screen("toolbar", after=cancelled)
