"""Faults of the machine under a resident's session, with the real components: cupsd
stopped under a print job, the session's memory folder full while a download or a scan
is written, the X server gone.

Each time the resident is told calmly what happened, nothing of the session stays on
the machine, and the next resident is served. They run as installed (the kiosk user,
Chromium's sandbox on): the devices' faults do not depend on the browser's policy,
and that is the set-up they must be survived in.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from canary import open_canary_tile
from cups_server import CupsServer, cups_server
from e2e.test_faults import (
    assert_nothing_left,
    marked_processes,
    next_resident_finds_nothing,
    places,
    profile_file,
)
from harness import XScreen, wait_for, x_screen
from kiosk_process import KioskProcess, mode_params, open_tile, park_pointer, running_kiosk
from procedure_site import ALLOWED, BIG_NAME, PROOFS, UPLOADS, Site, profile_toml
from sane_backend import sane_setup
from screenshots import check_against_reference

from kiosk.session.display_loss import EXIT_X_GONE

pytestmark = [pytest.mark.browser, pytest.mark.display]
__all__ = ["places"]  # a fixture of the browser faults' tests, used here too

PRINT_ITEM = 3  # Home, Back, Reload, then Print


def session_folders(kiosk: KioskProcess) -> list[Path]:
    return [p for p in kiosk.session_root.iterdir() if p.is_dir()]


def the_session_folder(kiosk: KioskProcess) -> Path:
    folders = session_folders(kiosk)
    assert len(folders) == 1, folders
    return folders[0]


def no_traceback(kiosk: KioskProcess) -> None:
    assert "Traceback" not in kiosk.log_text(), "the kiosk failed unexpectedly"


# -- cupsd stopped under a job ------------------------------------------------------------

PRINT_PROFILE = profile_toml([("receipt", f"http://{ALLOWED}/receipt", [ALLOWED])])


@pytest.fixture
def cups() -> Iterator[CupsServer]:
    with cups_server() as server:
        yield server


def press_print(kiosk: KioskProcess, screen: XScreen) -> int:
    """F2 to the toolbar, Tab to Print, Return; returns the log mark before."""
    mark = kiosk.toolbar_by_f2(screen)
    screen.key(*["Tab"] * PRINT_ITEM, "Return")
    return mark


def print_the_receipt(kiosk: KioskProcess, screen: XScreen, site: Site) -> int:
    """From the home screen: the receipt's tile, Print, then Print on the panel.
    Returns the log mark before the panel's Print."""
    kiosk.wait_until_ready()
    open_tile(kiosk, screen, site, ["Return"], "receipt", ALLOWED)
    mark = press_print(kiosk, screen)
    kiosk.wait_for_screen("print_panel", after=mark)
    mark = len(kiosk.lines)
    screen.key("Return")  # the keyboard is on Print
    return mark


@pytest.mark.parametrize("mode", mode_params("production"))
def test_cupsd_stopped_under_a_job_is_told_wiped_and_printing_comes_back(
    screen: XScreen, site: Site, tmp_path: Path, cups: CupsServer, artifacts: Path, mode: str,
) -> None:
    cups.add_holding_queue()  # the job waits in the spool, really in flight
    profile = tmp_path / "printing.toml"
    profile.write_text(PRINT_PROFILE, encoding="utf-8")
    with running_kiosk(screen, tmp_path, "--profile", str(profile), mode=mode,
                       env={"KIOSK_HOST_RESOLVER_RULES": site.rules,
                            "CUPS_SERVER": str(cups.socket)}) as kiosk:
        mark = print_the_receipt(kiosk, screen, site)
        kiosk.wait_for_log("print status: waiting held$", after=mark)
        assert cups.job_ids() and cups.spool_files()
        session_dir = the_session_folder(kiosk)
        cups.stop_service()
        # Told at once, in French, that nothing was printed and to ask at the desk.
        told = kiosk.wait_for_log("print status: failed kiosk-cups-unreachable$", after=mark,
                                  timeout=15)
        kiosk.wait_for_screen("print_status", after=told)
        park_pointer(screen)
        shot = screen.screenshot(artifacts / "print-cupsd-stopped.png")
        check_against_reference(shot, "print-cupsd-stopped-1280x1024")
        # The session goes on: back to the page.
        screen.key("Return")
        kiosk.wait_for_screen("toolbar", after=told)
        assert session_dir.exists()
        # The resident leaves while cupsd is still away: the folder goes, but the job
        # cupsd keeps in its spool cannot be purged yet, so nobody is served meanwhile.
        mark = kiosk.end_session_by_keyboard(screen)
        kiosk.wait_for_log(r"the wipe is not verified \(steps: printing\.cancel and purge "
                           r"print jobs;", after=mark)
        kiosk.wait_for_screen("out_of_service", after=mark)
        assert not session_dir.exists()
        cups.start()
        kiosk.wait_for_log(r"printing: 1 job\(s\) of the session purged", after=mark,
                           timeout=40)
        kiosk.wait_until_ready(timeout=30, after=mark)
        assert cups.job_ids() == [] and cups.spool_files() == []
        # The next resident prints, on a printer that now prints at once.
        cups.run("lpadmin", "-p", "office", "-o", "job-hold-until-default=no-hold")
        kiosk.wait_for_log("printing: printer 'office' available", after=mark, timeout=15)
        mark = print_the_receipt(kiosk, screen, site)
        kiosk.wait_for_log(r"printing: request \d+ printed", after=mark)
        assert subprocess.run(["pdftotext", str(cups.output("office")), "-"],
                              capture_output=True, text=True, check=True).stdout.strip()
        no_traceback(kiosk)


# -- the session's folder full -------------------------------------------------------------

# Room for a session's browser profile and a few documents, not for the big statement.
SMALL_ROOT_SIZE = "48m"


@pytest.fixture
def small_root() -> Iterator[dict[str, str]]:
    """A small tmpfs as the session root (short path: Chromium's sockets live there)."""
    root = Path(tempfile.mkdtemp(prefix="full-", dir="/dev/shm"))
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={SMALL_ROOT_SIZE},mode=0700",
                    "borne-small-root", str(root)], check=True)
    try:
        yield {"KIOSK_SESSION_ROOT": str(root)}
    finally:
        subprocess.run(["umount", "--lazy", str(root)], check=False)
        shutil.rmtree(root, ignore_errors=True)


def used_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


@pytest.mark.parametrize("mode", mode_params("production"))
def test_a_download_bigger_than_the_session_folder_is_told_and_nothing_half_written_stays(
    screen: XScreen, site: Site, tmp_path: Path, small_root: dict[str, str], artifacts: Path,
    mode: str,
) -> None:
    profile = tmp_path / "big.toml"
    profile.write_text(profile_toml([("big", f"http://{UPLOADS}/big", [UPLOADS]),
                                     ("single", f"http://{UPLOADS}/single", [UPLOADS])]),
                       encoding="utf-8")
    with running_kiosk(screen, tmp_path, "--profile", str(profile), mode=mode,
                       env={**small_root, "KIOSK_HOST_RESOLVER_RULES": site.rules}) as kiosk:
        kiosk.wait_until_ready()
        open_tile(kiosk, screen, site, ["Return"], "big", UPLOADS)
        session_dir = the_session_folder(kiosk)
        mark = len(kiosk.lines)
        screen.key("Return")  # the statement's link has the keyboard
        kiosk.wait_for_log(f"download starting from {UPLOADS}$", after=mark)
        told = kiosk.wait_for_log("message: download_no_room$", after=mark, timeout=30)
        kiosk.wait_for_screen("message", after=told)
        park_pointer(screen)
        shot = screen.screenshot(artifacts / "download-no-room.png")
        check_against_reference(shot, "download-no-room-1280x1024")
        # Nothing of it is kept, nor offered among the documents; the room is back.
        documents = session_dir / "Documents"
        assert list(documents.iterdir()) == []
        assert used_bytes(kiosk.session_root) < 16 * 1024 * 1024
        screen.key("Return")  # Back, to the page
        kiosk.wait_for_screen("toolbar", after=told)
        mark = kiosk.end_session_by_keyboard(screen)
        kiosk.wait_until_ready(timeout=60, after=mark)
        assert not session_dir.exists()
        # The next resident downloads a document of ordinary size.
        open_tile(kiosk, screen, site, ["Tab", "Return"], "single", UPLOADS)
        mark = len(kiosk.lines)
        screen.key("Return")
        name = PROOFS["/attestation.pdf"][0]
        assert wait_for(lambda: [p for p in kiosk.session_root.glob("*/Documents/*")
                                 if p.name == name], 15)
        assert BIG_NAME not in kiosk.log_text()
        no_traceback(kiosk)


SCAN_ITEM_TABS = 4  # F2 puts the keyboard on Home; then Back, Reload, Print, Scan


def fill_up(root: Path, leave: int) -> Path:
    """A file (not the kiosk's) that leaves only `leave` bytes free in `root`."""
    filler = root / "filler"
    free = shutil.disk_usage(root).free
    with filler.open("wb") as out:
        out.truncate(0)
        out.write(b"\0" * max(0, free - leave))
    return filler


def press_scan(kiosk: KioskProcess, screen: XScreen) -> int:
    mark = kiosk.toolbar_by_f2(screen)
    screen.key(*["Tab"] * SCAN_ITEM_TABS, "Return")
    kiosk.wait_for_screen("scan_choose", after=mark)
    return mark


@pytest.mark.parametrize("mode", mode_params("production"))
def test_a_scan_with_no_room_left_is_told_and_the_next_session_scans(
    screen: XScreen, site: Site, tmp_path: Path, small_root: dict[str, str], mode: str,
) -> None:
    profile = tmp_path / "scan.toml"
    profile.write_text(profile_toml([("single", f"http://{UPLOADS}/single", [UPLOADS])]),
                       encoding="utf-8")
    with sane_setup() as sane:
        sane.configure(devices=1)
        with running_kiosk(screen, tmp_path, "--profile", str(profile), mode=mode,
                           env={**small_root, **sane.env,
                                "KIOSK_HOST_RESOLVER_RULES": site.rules}) as kiosk:
            kiosk.wait_until_ready()
            kiosk.wait_for_log(r"scanning: 1 scanner\(s\) found")
            open_tile(kiosk, screen, site, ["Return"], "single", UPLOADS)
            session_dir = the_session_folder(kiosk)
            filler = fill_up(kiosk.session_root, leave=2 * 1024 * 1024)
            press_scan(kiosk, screen)
            mark = len(kiosk.lines)
            screen.key("Return")  # an A4 page at the preset's resolution: no room for it
            kiosk.wait_for_log(r"scan panel: .*disk_full$", after=mark, timeout=30)
            assert sorted(p.name for p in (session_dir / "Documents").iterdir()) == []
            assert not list(session_dir.glob("scan/*.p*")), "half a scan was kept"
            filler.unlink()
            screen.key("Escape")
            kiosk.wait_for_screen("toolbar", after=mark)
            mark = kiosk.end_session_by_keyboard(screen)
            kiosk.wait_until_ready(timeout=60, after=mark)
            assert not session_dir.exists()
            # The next resident scans, with the room back.
            open_tile(kiosk, screen, site, ["Return"], "single", UPLOADS)
            press_scan(kiosk, screen)
            mark = len(kiosk.lines)
            screen.key("Return")
            kiosk.wait_for_screen("scan_review", after=mark, timeout=60)
            no_traceback(kiosk)


# -- the X server gone --------------------------------------------------------------------


@pytest.mark.parametrize("mode", mode_params("production"))
def test_the_x_server_gone_stops_the_kiosk_with_its_browser_and_the_restart_wipes(
    screen: XScreen, site: Site, tmp_path: Path, places: dict[str, str], mode: str,
) -> None:
    """The kiosk exits at once, with a line for IT staff and a failure status (its
    unit starts it again, with a new X), leaving no process of the session; the
    start-up wipe removes the session's folder."""
    profile = profile_file(tmp_path, site)
    with x_screen(screen.width, screen.height) as doomed, \
            running_kiosk(doomed, tmp_path, "--profile", str(profile), env=places,
                          mode=mode) as first:
        token = open_canary_tile(doomed, first, site, after=0)
        session_dir = the_session_folder(first)
        assert marked_processes(session_dir)
        xvfb = doomed.processes[0]
        xvfb.kill()
        xvfb.wait(10)
        status = first.proc.wait(15)
        first.wait_for_log(r"the X server is gone \(display :\d+\): stopping so that the "
                           r"service manager starts the kiosk again$")
        assert status == EXIT_X_GONE
        assert wait_for(lambda: not marked_processes(session_dir), 10), \
            "a process of the session outlived the kiosk"
        no_traceback(first)
    # What the kiosk leaves when X goes: the folder, which only the kiosk's wipe removes.
    assert session_dir.exists()
    with running_kiosk(screen, tmp_path, "--profile", str(profile), env=places,
                       mode=mode) as second:
        second.wait_until_ready(timeout=60)
        second.wait_for_log(r"wiped 1 session folder\(s\) left by an earlier run")
        assert_nothing_left(token, session_dir, second, Path(places["HOME"]))
        next_resident_finds_nothing(screen, second, site, after=0)
