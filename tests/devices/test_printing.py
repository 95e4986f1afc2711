"""Printing against a real, private cupsd: what comes out of the printer, what the
resident is told, and what CUPS keeps of a session afterwards (nothing)."""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cups_server import CupsServer, cups_server, text_pdf
from event_log import Events
from harness import SAMPLE_PROFILE, wait_for
from kiosk_process import line_of, run_doctor

from kiosk.devices import printer_states as states
from kiosk.devices.printing import PrintOptions, PrintService
from kiosk.events import PrinterChanged, PrintJobChanged
from kiosk.i18n import gettext_for

ENDED = ("printed", "failed", "cancelled")
# The kiosk speaks French first; every failure ends by sending the resident to the desk.
TELL_THE_DESK = "Merci de le signaler à l'accueil."


@pytest.fixture
def cups(monkeypatch: pytest.MonkeyPatch) -> Iterator[CupsServer]:
    with cups_server() as server:
        monkeypatch.setenv("CUPS_SERVER", str(server.socket))
        yield server


@pytest.fixture
def document(tmp_path: Path) -> Path:
    return text_pdf(tmp_path / "Avis d'imposition Dupont.pdf",
                    ["Page one", "Page two", "Page three"])


@pytest.fixture
def events() -> Events:
    return Events()


@contextlib.contextmanager
def running_service(events: Events, **options: Any) -> Iterator[PrintService]:
    service = PrintService(events.publish, **options)
    service.start()
    try:
        yield service
    finally:
        service.close()


@pytest.fixture
def printing(cups: CupsServer, events: Events) -> Iterator[PrintService]:
    cups.add_pdf_queue()
    with running_service(events) as service:
        yield service


def outcome(events: Events, request: int, timeout: float = 30.0) -> PrintJobChanged:
    def ended() -> list[PrintJobChanged]:
        return [e for e in events.of(PrintJobChanged)
                if e.request == request and e.stage in ENDED]

    assert wait_for(ended, timeout), events.of(PrintJobChanged)
    return ended()[0]


def stages(events: Events, request: int) -> list[str]:
    return [e.stage for e in events.of(PrintJobChanged) if e.request == request]


def printed_text(path: Path) -> tuple[int, str]:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    pages = int(next(line.split()[1] for line in info.stdout.splitlines()
                     if line.startswith("Pages:")))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    return pages, " ".join(text.split())


def wait_until_available(events: Events) -> PrinterChanged:
    assert wait_for(lambda: any(e.available for e in events.of(PrinterChanged))), events.items
    return [e for e in events.of(PrinterChanged) if e.available][-1]


def test_the_printer_is_seen_with_its_colour(printing: PrintService, events: Events) -> None:
    status = wait_until_available(events)
    assert (status.printer, status.colour, status.why_unavailable) == ("office", True, "")
    assert printing.status == status


def test_pages_and_copies_come_out_and_the_title_says_nothing_of_the_document(
    printing: PrintService, cups: CupsServer, events: Events, document: Path,
) -> None:
    wait_until_available(events)
    printing.begin_session(4821)
    request = printing.submit(document, PrintOptions(copies=2, page_ranges="2-3"),
                              pages_total=4)
    done = outcome(events, request)
    assert (done.stage, done.pages_done, done.pages_total) == ("printed", 4, 4)
    assert stages(events, request)[0] == "sent"
    pages, text = printed_text(cups.output("office"))
    assert pages == 4
    assert text == "Page two Page three Page two Page three"
    assert wait_for(lambda: "Borne 4821" in cups.page_log()), cups.page_log()
    assert "Dupont" not in cups.page_log() and "imposition" not in cups.page_log()
    assert states.job_sentence(done.stage) == gettext_for(
        "fr", "Printed: take your pages from the printer.")


def test_the_wipe_leaves_no_job_no_file_and_no_history(
    cups: CupsServer, events: Events, document: Path,
) -> None:
    cups.add_pdf_queue("office")
    cups.add_holding_queue("holding")
    with running_service(events, queue_name="office") as printing:
        wait_until_available(events)
        printing.begin_session(7)
        printed = printing.submit(document, PrintOptions(), pages_total=3)
        assert outcome(events, printed).stage == "printed"
    later = Events()  # the second service numbers its requests from 1 again
    with running_service(later, queue_name="holding") as printing:
        printing.begin_session(7)
        held = printing.submit(document, PrintOptions(), pages_total=3)
        assert wait_for(lambda: "waiting" in stages(later, held))
        assert cups.job_ids() and cups.spool_files()  # the job is really held there
        printing.purge_session()
        assert cups.job_ids() == []
        assert cups.spool_files() == []


def test_a_paused_printer_refuses_at_once_with_its_reason(
    printing: PrintService, cups: CupsServer, events: Events, document: Path,
) -> None:
    wait_until_available(events)
    cups.pause()
    printing.refresh()
    assert wait_for(lambda: events.of(PrinterChanged)[-1].why_unavailable == "paused")
    done = outcome(events, printing.submit(document, PrintOptions(), pages_total=3))
    assert (done.stage, done.reason) == ("failed", "paused")
    assert cups.job_ids() == []
    cups.resume()
    printing.refresh()
    assert wait_for(lambda: events.of(PrinterChanged)[-1].available)


def test_a_job_that_never_starts_is_cancelled_and_purged(
    cups: CupsServer, events: Events, document: Path,
) -> None:
    cups.add_holding_queue()
    with running_service(events, pending_limit=1.0, per_page_allowance=0.0) as printing:
        wait_until_available(events)
        printing.begin_session(1)
        request = printing.submit(document, PrintOptions(), pages_total=3)
        done = outcome(events, request)
        assert (done.stage, done.reason) == ("failed", states.GAVE_UP_WAITING)
        assert states.job_sentence(done.stage, done.reason) == gettext_for(
            "fr", "The printer did not print within a minute, so the printing was cancelled. "
            "Please tell the desk.")
        assert wait_for(lambda: not cups.job_ids())
        assert cups.spool_files() == []


def test_a_printer_out_of_paper_makes_the_job_wait_with_that_reason(
    cups: CupsServer, events: Events, document: Path,
) -> None:
    cups.add_paperless_queue()
    with running_service(events) as printing:
        wait_until_available(events)
        request = printing.submit(document, PrintOptions(), pages_total=3)
        # (CUPS's filters may count the pages done before the device says it is empty.)
        assert wait_for(lambda: [e for e in events.of(PrintJobChanged) if e.request == request
                                 and (e.stage, e.reason) == ("waiting", "media-empty")],
                        20), events.of(PrintJobChanged)
        assert "media-empty" in events.of(PrinterChanged)[-1].problems
        assert states.job_sentence("waiting", "media-empty") == (
            "L'imprimante n'a plus de papier. " + TELL_THE_DESK)


@pytest.fixture
def holding(cups: CupsServer, events: Events) -> Iterator[PrintService]:
    cups.add_holding_queue()
    with running_service(events) as service:
        yield service


def test_the_resident_cancels_a_waiting_job(
    holding: PrintService, cups: CupsServer, events: Events, document: Path,
) -> None:
    wait_until_available(events)
    holding.begin_session(2)
    request = holding.submit(document, PrintOptions(), pages_total=3)
    assert wait_for(lambda: "waiting" in stages(events, request))
    holding.cancel(request)
    assert outcome(events, request).stage == "cancelled"
    assert wait_for(lambda: not cups.job_ids())
    assert cups.spool_files() == []


def test_a_queue_deleted_under_a_waiting_job_fails_it(
    holding: PrintService, cups: CupsServer, events: Events, document: Path,
) -> None:
    wait_until_available(events)
    request = holding.submit(document, PrintOptions(), pages_total=3)
    assert wait_for(lambda: "waiting" in stages(events, request))
    cups.delete_queue()
    done = outcome(events, request)
    assert done.stage == "failed"
    assert states.job_sentence(done.stage, done.reason).endswith(TELL_THE_DESK)
    holding.refresh()
    assert wait_for(lambda: events.of(PrinterChanged)[-1].why_unavailable == "no_printer")


def test_a_failing_printer_reports_a_failure(
    cups: CupsServer, events: Events, document: Path,
) -> None:
    cups.add_failing_queue()
    with running_service(events) as printing:
        wait_until_available(events)
        done = outcome(events, printing.submit(document, PrintOptions(), pages_total=3))
        assert done.stage == "failed"
        assert states.job_sentence(done.stage, done.reason).endswith(TELL_THE_DESK)


def test_no_printer_then_one_is_plugged_in(cups: CupsServer, events: Events) -> None:
    with running_service(events) as printing:
        assert wait_for(lambda: printing.status.why_unavailable == "no_printer")
        cups.add_pdf_queue("usb-printer")
        printing.refresh()  # what hotplug does when a printer appears
        assert wait_until_available(events).printer == "usb-printer"


def test_cupsd_stopped_under_a_waiting_job_fails_it_and_the_purge_waits_for_its_return(
    cups: CupsServer, events: Events, document: Path,
) -> None:
    """The resident hears at once that nothing will print; the job, which cupsd keeps in
    its spool over the stop, is purged once cupsd is back, and printing works again."""
    cups.add_holding_queue()
    with running_service(events) as printing:
        wait_until_available(events)
        printing.begin_session(7)
        held = printing.submit(document, PrintOptions(), pages_total=3)
        assert wait_for(lambda: "waiting" in stages(events, held))
        cups.stop_service()
        done = outcome(events, held, timeout=10)
        assert (done.stage, done.reason) == ("failed", states.CUPS_UNREACHABLE)
        assert states.job_sentence(done.stage, done.reason).endswith(TELL_THE_DESK)
        assert wait_for(lambda: printing.status.why_unavailable == "cups_down")
        with pytest.raises(ConnectionError):
            printing.purge_session()  # the session ends while cupsd is away
        with pytest.raises(ConnectionError):
            printing.session_jobs_gone()  # the wipe's check cannot pass either
        cups.start()
        assert cups.job_ids() and cups.spool_files()  # cupsd kept the resident's job
        printing.purge_session()  # the wipe's second try
        assert printing.session_jobs_gone()
        assert cups.job_ids() == [] and cups.spool_files() == []
        assert wait_for(lambda: printing.status.available, 15)
        printing.begin_session(8)
        again = printing.submit(document, PrintOptions(), pages_total=3)
        assert wait_for(lambda: "waiting" in stages(events, again))


def test_cups_not_running_says_so_and_sends_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, events: Events, document: Path,
) -> None:
    monkeypatch.setenv("CUPS_SERVER", str(tmp_path / "no-cupsd.sock"))
    with running_service(events) as printing:
        assert wait_for(lambda: printing.status.why_unavailable == "cups_down")
        done = outcome(events, printing.submit(document, PrintOptions(), pages_total=3))
        assert (done.stage, done.reason) == ("failed", states.CUPS_UNREACHABLE)
        printing.purge_session()  # nothing was sent: nothing to purge, no error


def test_printing_disabled_by_the_profile(events: Events) -> None:
    with running_service(events, enabled=False) as printing:
        assert wait_for(lambda: printing.status.why_unavailable == "disabled")
        assert events.of(PrinterChanged)[0].why_unavailable == "disabled"


def test_the_profile_queue_is_used_and_only_it(cups: CupsServer, events: Events) -> None:
    cups.add_pdf_queue("office")
    cups.add_pdf_queue("accueil")
    with running_service(events, queue_name="accueil") as printing:
        assert wait_until_available(events).printer == "accueil"
    cups.delete_queue("accueil")
    with running_service(events, queue_name="accueil") as printing:
        assert wait_for(lambda: printing.status.why_unavailable == "no_printer")


def test_kiosk_doctor_tells_it_staff_about_the_printer(cups: CupsServer, tmp_path: Path) -> None:
    def printing_line() -> str:
        done = run_doctor(tmp_path, "--profile", str(SAMPLE_PROFILE),
                          CUPS_SERVER=str(cups.socket))
        return line_of(done.stdout, "printing")

    assert printing_line().startswith("WARN  printing     CUPS has no printer\n      -> plug")
    cups.add_pdf_queue()
    assert printing_line() == "OK    printing     office is ready"
    cups.pause()
    assert printing_line().splitlines() == ["WARN  printing     office is paused",
                                            "      -> cupsenable office"]
    cups.stop()
    assert printing_line().startswith("WARN  printing     CUPS does not answer")
