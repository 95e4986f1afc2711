"""Scanning with the real scanimage and SANE's `test` backend (a private SANE_CONFIG_DIR):
the pages and documents a resident gets, the size limit, a silent cancel, and what
they are told when the scanner fails."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from event_log import Events
from harness import wait_for
from sane_backend import WHITE, SaneSetup, sane_setup

from kiosk import i18n
from kiosk.bus import EventBus
from kiosk.devices import scanner_states as states
from kiosk.devices.scanning import ScanningParticipant, ScanService, ScanState
from kiosk.events import (
    DocumentAdded,
    Event,
    ScanDocumentOrdered,
    ScannersChanged,
    ScanOrdered,
    ScanPage,
    ScanPageReady,
    ScanProgressed,
    ScanSaved,
    ScanStopped,
)
from kiosk.i18n import gettext_for
from kiosk.session.participant import SessionInfo

SCAN_TIMEOUT = 60.0


@pytest.fixture
def sane(monkeypatch: pytest.MonkeyPatch) -> Iterator[SaneSetup]:
    with sane_setup() as setup:
        monkeypatch.setenv("SANE_CONFIG_DIR", str(setup.folder))
        yield setup


@pytest.fixture
def events() -> Events:
    return Events()


@pytest.fixture
def service(sane: SaneSetup, events: Events) -> Iterator[ScanService]:
    service = ScanService(events.publish)
    service.start()
    assert wait_for(lambda: service.status.available, 10), service.status
    try:
        yield service
    finally:
        service.close()


def ending(events: Events, request: int) -> Event:
    """The page, the saved document or the stop that ended request `request`."""

    def ended() -> list[Event]:
        return [e for e in events.items if isinstance(e, ScanPageReady | ScanSaved | ScanStopped)
                and e.request == request]

    assert wait_for(ended, SCAN_TIMEOUT), events.items
    return ended()[0]


def scan_pages(service: ScanService, events: Events, folder: Path, preset: str, count: int,
               first_request: int = 1) -> list[ScanPage]:
    pages = []
    for side in range(1, count + 1):
        request = first_request + side - 1
        service.scan(request, "test:0", preset, side, folder)
        ready = ending(events, request)
        assert isinstance(ready, ScanPageReady), ready
        pages.append(ScanPage(ready.image, ready.preview))
    return pages


def state_of(service: ScanService) -> ScanState:
    return service.state


def pdf_info(path: Path) -> dict[str, str]:
    text = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True,
                          check=True).stdout
    return {key.strip(): value.strip() for key, _sep, value in
            (line.partition(":") for line in text.splitlines())}


def test_the_scanners_are_listed_once_and_follow_a_refresh(
        sane: SaneSetup, service: ScanService, events: Events) -> None:
    assert [s.name for s in service.status.scanners] == ["test:0", "test:1"]
    assert "frontend-tester" in service.status.scanners[0].label
    sane.without_scanners()
    service.refresh()
    assert wait_for(lambda: service.status.why_unavailable == "no_scanner", 10)
    sane.with_scanners()
    service.refresh()
    assert wait_for(lambda: service.status.available, 10)
    changes = [e.why_unavailable for e in events.of(ScannersChanged)]
    assert changes == ["", "no_scanner", ""]


def test_a_disabled_scanner_is_never_probed(sane: SaneSetup, events: Events) -> None:
    service = ScanService(events.publish, enabled=False)
    service.start()
    try:
        assert events.wait(ScannersChanged)[0] == ScannersChanged((), "disabled")
    finally:
        service.close()


def test_one_page_with_progress_becomes_a_one_page_pdf(
        service: ScanService, events: Events, tmp_path: Path) -> None:
    pages = scan_pages(service, events, tmp_path / "scan", "a4_proof", 1)
    progress = [e.percent for e in events.of(ScanProgressed) if e.request == 1]
    assert progress and progress == sorted(progress) and progress[-1] == 100
    assert pages[0].preview.is_file()
    service.make_document(2, "a4_proof", tuple(pages), False, tmp_path, "Scan 1 (1 page).pdf")
    saved = ending(events, 2)
    assert isinstance(saved, ScanSaved)
    assert saved.document.kind == "scan" and saved.document.name == "Scan 1 (1 page).pdf"
    assert events.of(DocumentAdded)[-1].document == saved.document
    assert pdf_info(saved.document.path)["Pages"] == "1"
    assert service.state is ScanState.IDLE


def test_three_pages_become_one_pdf_named_plainly(
        sane: SaneSetup, events: Events, tmp_path: Path) -> None:
    bus = EventBus()
    bus.subscribe_now(DocumentAdded, events.publish)
    bus.subscribe_now(ScanSaved, events.publish)
    bus.subscribe_now(ScanPageReady, events.publish)
    bus.subscribe_now(ScanStopped, events.publish)
    service = ScanService(bus.publish)
    participant = ScanningParticipant(service, bus)
    service.start()
    try:
        i18n.set_language("en")
        participant.begin(SessionInfo(tmp_path, "en"))
        (tmp_path / "Documents").mkdir()
        pages = []
        for side in (1, 2, 3):
            bus.publish(ScanOrdered(side, "test:0", "several_pages", side))
            ready = ending(events, side)
            assert isinstance(ready, ScanPageReady), ready
            pages.append(ScanPage(ready.image, ready.preview, turns=side - 1))
        bus.publish(ScanDocumentOrdered(4, "several_pages", tuple(pages)))
        saved = ending(events, 4)
        assert isinstance(saved, ScanSaved), saved
        # French is the terminal's default language.
        assert saved.document.name == "Scan 1 (3 pages).pdf"
        assert saved.document.path.parent == tmp_path / "Documents"
        info = pdf_info(saved.document.path)
        assert info["Pages"] == "3"
        participant.wipe_steps()[0].action()
        assert service.state is ScanState.IDLE
    finally:
        i18n.set_language("fr")
        participant.close()


def test_the_id_card_puts_both_sides_on_one_a4_page(
        service: ScanService, events: Events, tmp_path: Path) -> None:
    pages = scan_pages(service, events, tmp_path / "scan", "id_card", 2)
    service.make_document(3, "id_card", tuple(pages), False, tmp_path, "card.pdf")
    saved = ending(events, 3)
    assert isinstance(saved, ScanSaved), saved
    info = pdf_info(saved.document.path)
    assert info["Pages"] == "1"
    assert info["Page size"].startswith("595") and "842" in info["Page size"], info


def test_a_jpeg_when_the_site_takes_only_images(
        service: ScanService, events: Events, tmp_path: Path) -> None:
    pages = scan_pages(service, events, tmp_path / "scan", "a4_proof", 1)
    service.make_document(2, "a4_proof", tuple(pages), True, tmp_path, "Scan 1 (1 page).jpg")
    saved = ending(events, 2)
    assert isinstance(saved, ScanSaved)
    assert saved.document.path.read_bytes()[:3] == b"\xff\xd8\xff"


def test_the_size_limit_lowers_resolution_and_quality_or_refuses(
        service: ScanService, events: Events, tmp_path: Path) -> None:
    pages = tuple(scan_pages(service, events, tmp_path / "scan", "several_pages", 3))
    service.make_document(4, "several_pages", pages, False, tmp_path, "best.pdf")
    best = ending(events, 4)
    assert isinstance(best, ScanSaved)
    best_size = best.document.path.stat().st_size
    limit = best_size // 3
    service.max_bytes = limit
    service.make_document(5, "several_pages", pages, False, tmp_path, "small.pdf")
    small = ending(events, 5)
    assert isinstance(small, ScanSaved), small
    assert small.document.path.stat().st_size <= limit
    assert pdf_info(small.document.path)["Pages"] == "3"
    service.max_bytes = 2000
    service.make_document(6, "several_pages", pages, False, tmp_path, "never.pdf")
    refused = ending(events, 6)
    assert refused == ScanStopped(6, states.TOO_LARGE)
    assert not (tmp_path / "never.pdf").exists()


def scanimage_processes() -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if command and command[0].endswith(b"scanimage") and str(os.getpid()) in (
                    (entry / "stat").read_text().split()[3],):
                found.append(entry.name)
    return found


def test_cancel_mid_scan_stops_scanimage_silently(
        sane: SaneSetup, service: ScanService, events: Events, tmp_path: Path) -> None:
    sane.configure(delay_us=100_000)
    service.scan(1, "test:0", "a4_proof", 1, tmp_path)
    assert wait_for(lambda: [e for e in events.of(ScanProgressed) if e.percent >= 1], 20)
    assert service.state is ScanState.SCANNING
    assert scanimage_processes(), "scanimage runs"
    service.cancel(1)
    assert ending(events, 1) == ScanStopped(1, states.CANCELLED)
    assert states.scan_sentence(states.CANCELLED) == "", "a cancel is not an error"
    assert state_of(service) is ScanState.IDLE
    assert scanimage_processes() == []
    assert list(tmp_path.iterdir()) == [], "nothing of the cancelled page is kept"
    # The scanner answers the next scan at once.
    sane.configure()
    assert isinstance(scan_pages(service, events, tmp_path, "a4_proof", 1, 2)[0], ScanPage)


def test_the_wipe_stops_a_running_scan(
        sane: SaneSetup, service: ScanService, events: Events, tmp_path: Path) -> None:
    sane.configure(delay_us=100_000)
    service.scan(1, "test:0", "a4_proof", 1, tmp_path)
    assert wait_for(lambda: events.of(ScanProgressed), 20)
    service.forget_session()
    assert ending(events, 1) == ScanStopped(1, states.CANCELLED)
    assert scanimage_processes() == []


@pytest.mark.parametrize(("status", "reason"), [
    ("SANE_STATUS_COVER_OPEN", states.COVER_OPEN),
    ("SANE_STATUS_NO_DOCS", states.FEEDER_EMPTY),
    ("SANE_STATUS_IO_ERROR", states.FAILED),  # still listed: not unplugged
])
def test_a_backend_failure_is_told_in_plain_words(
        sane: SaneSetup, events: Events, tmp_path: Path, status: str, reason: str,
        caplog: pytest.LogCaptureFixture) -> None:
    sane.configure(fail_with=status)
    service = ScanService(events.publish, stall_s=10.0)
    service.start()
    try:
        assert wait_for(lambda: service.status.available, 10), service.status
        request, stopped = failing_scan(service, events, tmp_path, caplog)
        assert stopped == ScanStopped(request, reason)
        assert service.state is ScanState.FAILED
    finally:
        service.close()
    assert states.scan_sentence(reason)


def failing_scan(service: ScanService, events: Events, folder: Path,
                 caplog: pytest.LogCaptureFixture) -> tuple[int, Event]:
    """Scan with a backend told to fail; the request and what ended it.

    SANE's test backend, told to fail, now and then hangs after its first progress
    line (seen on a loaded machine): the kiosk then stops it as stalled, which is not
    what these tests are about, so one such hang is given a second try."""
    for request in (1, 2):
        service.scan(request, "test:0", "a4_proof", 1, folder)
        stopped = ending(events, request)
        if "said nothing" not in caplog.text:
            break
        caplog.clear()
    return request, stopped


def test_a_scanner_gone_mid_scan_is_said_to_be_unplugged(
        sane: SaneSetup, events: Events, tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    sane.configure(fail_with="SANE_STATUS_IO_ERROR")
    service = ScanService(events.publish, stall_s=10.0)
    service.start()
    try:
        assert wait_for(lambda: service.status.available, 10), service.status
        sane.without_scanners()  # the probe after the failure no longer finds it
        request, stopped = failing_scan(service, events, tmp_path, caplog)
        assert stopped == ScanStopped(request, states.UNPLUGGED)
        assert service.status.why_unavailable == "no_scanner"
    finally:
        service.close()


def test_a_device_that_does_not_exist(service: ScanService, events: Events,
                                      tmp_path: Path) -> None:
    service.scan(1, "nothing:0", "a4_proof", 1, tmp_path)
    assert ending(events, 1) == ScanStopped(1, states.UNPLUGGED)


def test_a_failing_scanimage(sane: SaneSetup, events: Events, tmp_path: Path) -> None:
    fake = tmp_path / "scanimage"
    fake.write_text("#!/bin/sh\ncase \"$1\" in -f) printf 'fake:0\\tFake scanner\\n';; "
                    "*) echo 'scanimage: sane_start: Invalid argument' >&2; exit 4;; esac\n")
    fake.chmod(0o755)
    service = ScanService(events.publish, scanimage=str(fake))
    service.start()
    try:
        assert wait_for(lambda: service.status.available, 10)
        service.scan(1, "fake:0", "a4_proof", 1, tmp_path / "scan")
        assert ending(events, 1) == ScanStopped(1, states.FAILED)
    finally:
        service.close()


def test_a_stuck_scanner_is_stopped_and_reported(sane: SaneSetup, events: Events,
                                                 tmp_path: Path) -> None:
    fake = tmp_path / "scanimage"
    fake.write_text("#!/bin/sh\ncase \"$1\" in -f) printf 'fake:0\\tFake scanner\\n';; "
                    "*) echo 'Progress: 1.0%' >&2; exec sleep 600;; esac\n")
    fake.chmod(0o755)
    service = ScanService(events.publish, scanimage=str(fake), stall_s=1.0)
    service.start()
    try:
        assert wait_for(lambda: service.status.available, 10)
        service.scan(1, "fake:0", "a4_proof", 1, tmp_path / "scan")
        assert ending(events, 1) == ScanStopped(1, states.FAILED)
        assert events.of(ScanProgressed) == [ScanProgressed(1, 1)]
    finally:
        service.close()


def test_busy_and_its_sentence() -> None:
    # The test backend's DEVICE_BUSY was seen to hang scanimage under load: the status
    # is checked here, the sentence below.
    assert states.reason_for_exit(3, "scanimage: sane_read: Device busy") == states.BUSY
    assert states.reason_for_exit(1, "scanimage: open of device x failed") == states.UNPLUGGED
    assert states.reason_for_exit(4, "No space left on device") == states.DISK_FULL


def test_a_blank_page_is_not_kept(sane: SaneSetup, service: ScanService, events: Events,
                                  tmp_path: Path) -> None:
    sane.configure(picture=WHITE)
    service.scan(1, "test:0", "a4_proof", 1, tmp_path)
    assert ending(events, 1) == ScanStopped(1, states.BLANK)
    assert list(tmp_path.iterdir()) == []


def test_every_failure_has_a_french_sentence() -> None:
    i18n.set_language("en")
    try:
        for reason in (states.NO_SCANNER, states.BUSY, states.COVER_OPEN, states.FEEDER_EMPTY,
                       states.UNPLUGGED, states.BLANK, states.FAILED, states.DISK_FULL,
                       states.TOO_LARGE, states.JAMMED):
            english = states.scan_sentence(reason)
            assert english and gettext_for("fr", english) != english, reason
    finally:
        i18n.set_language("fr")
