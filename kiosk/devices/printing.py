"""Printing through CUPS: one worker thread owns the connection, follows each job to
its end, and reports on the bus.

libcups (through pycups) is not safe to share between threads, and every call to
it may wait on the network or on a busy cupsd: so the Tk thread never calls it.
It only asks (`submit`, `cancel`, `refresh`) and listens to `PrinterChanged` and
`PrintJobChanged`. libcups reads $CUPS_SERVER itself, which lets the tests point
the kiosk at a private cupsd.

Privacy: a job's title is "Borne <number of this session>", never the page's title,
address or file name, and the wipe cancels and purges every job of the session,
finished ones included, so CUPS keeps neither the document nor its history.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from kiosk.bus import EventBus
from kiosk.devices import printer_states as states
from kiosk.events import (
    Event,
    PrintCancelOrdered,
    PrinterChanged,
    PrintJobChanged,
    PrintOrdered,
    PrintPreparationFailed,
    PrintPreviewAsked,
    PrintPreviewReady,
    PrintRequested,
    PrintStage,
)
from kiosk.i18n import _
from kiosk.session.participant import ALWAYS, Availability, SessionInfo, ToolbarItem
from kiosk.session.wipe import WipeStep

log = logging.getLogger(__name__)

JOB_ATTRIBUTES = ["job-state", "job-state-reasons", "job-impressions-completed"]
PRINTER_ATTRIBUTES = ["printer-state", "printer-state-reasons", "printer-is-accepting-jobs",
                      "color-supported"]
NOTIFIED_EVENTS = ["job-state-changed", "job-progress", "job-completed"]
# A job that has not printed anything for this long is cancelled (the resident is
# told, and the next resident does not get someone else's pages).
PENDING_LIMIT_S = 60.0
# A job that is printing gets more time, as not every printer reports its pages.
PRINTING_ALLOWANCE_PER_PAGE_S = 10.0
JOB_POLL_S = 0.5
PRINTER_POLL_S = 5.0
FIRST_LOOK_DELAY_S = 0.5
PURGE_TIMEOUT_S = 10.0
# IPP's "service unavailable": what libcups answers on a connection whose cupsd has
# stopped (it tries to connect again on every call, so the connection is kept).
IPP_SERVICE_UNAVAILABLE = 0x0502

Connect = Callable[[], Any]


def connect_to_cups() -> Any:
    import cups  # imported here: a machine without pycups still runs the kiosk

    return cups.Connection()


@dataclass(frozen=True)
class PrintOptions:
    """What the resident chose on the print panel."""

    copies: int = 1
    page_ranges: str = ""  # IPP syntax, "1-3,5"; "" = every page
    colour: bool = False

    def as_cups_options(self) -> dict[str, str]:
        # Collated: two copies of a 3-page form come out as two whole forms.
        options = {"copies": str(self.copies), "collate": "true",
                   "print-color-mode": "color" if self.colour else "monochrome"}
        if self.page_ranges:
            options["page-ranges"] = self.page_ranges
        return options


class _PrinterLook(NamedTuple):
    """What one look at the printer found (the fields of PrinterChanged)."""

    printer: str
    why_unavailable: str
    state: int = 0
    reasons: tuple[str, ...] = ()
    colour: bool = False
    problems: tuple[str, ...] = ()

    @property
    def available(self) -> bool:
        return not self.why_unavailable


@dataclass
class _Job:
    request: int
    cups_id: int
    pages_total: int
    last_change: float
    stage: PrintStage = "sent"
    pages_done: int = 0
    reason: str = ""
    cancel_asked: bool = False


@dataclass
class _Session:
    title: str = ""
    cups_ids: list[int] = field(default_factory=list)


class PrintService:
    """The printer of the terminal, seen from one worker thread."""

    def __init__(self, publish: Callable[[Event], None], queue_name: str = "",
                 enabled: bool = True, connect: Connect = connect_to_cups,
                 pending_limit: float = PENDING_LIMIT_S,
                 per_page_allowance: float = PRINTING_ALLOWANCE_PER_PAGE_S) -> None:
        self._publish = publish
        self._queue_name = queue_name
        self._enabled = enabled
        self._connect = connect
        self._pending_limit = pending_limit
        self._per_page_allowance = per_page_allowance
        self._connection: Any = None
        self._subscription: int | None = None
        self._next_sequence = 0
        self._inbox: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()
        self._jobs: dict[int, _Job] = {}
        self._session = _Session()
        self._purged_ids: frozenset[int] = frozenset()  # what the wipe's check looks for
        # Jobs of ended sessions that CUPS may still hold (it did not answer the purge):
        # purged again by the next attempt, until CUPS says they are gone.
        self._unpurged: set[int] = set()
        # Jobs given up while CUPS did not answer: cancelled as soon as it answers again,
        # so that nothing comes out after the resident was told nothing would.
        self._abandoned: set[int] = set()
        self._requests = 0
        self._requests_lock = threading.Lock()
        # Until the first look (a few milliseconds after start): "unknown", so that
        # the first look is always published, whatever it finds.
        self._look = _PrinterLook("", "unknown")
        self._thread = threading.Thread(target=self._run, name="printing", daemon=True)

    # -- asked from any thread -------------------------------------------------------------

    def start(self) -> None:
        self._thread.start()

    def close(self, timeout: float = 5.0) -> None:
        if self._thread.is_alive():
            self._inbox.put(None)
            self._thread.join(timeout)

    @property
    def status(self) -> PrinterChanged:
        """The last known state of the printer (also published when it changes)."""
        return PrinterChanged(*self._look)

    def refresh(self) -> None:
        """Look at the printer again now (a printer was plugged or unplugged)."""
        self._inbox.put(self._refresh_printer)

    def begin_session(self, number: int) -> None:
        title = f"Borne {number}"
        self._inbox.put(lambda: self._start_session(title))

    def submit(self, pdf: Path, options: PrintOptions, pages_total: int,
               request: int | None = None) -> int:
        """Send `pdf` to the printer; returns the request number the events will carry
        (`request`, when the caller numbers its requests itself)."""
        if request is None:
            with self._requests_lock:
                self._requests += 1
                request = self._requests
        self._inbox.put(lambda: self._send(request, pdf, options, pages_total))
        return request

    def cancel(self, request: int) -> None:
        self._inbox.put(lambda: self._cancel(request))

    def purge_session(self, timeout: float = PURGE_TIMEOUT_S) -> None:
        """Cancel and purge every job of the session; raises if CUPS still holds one.

        A wipe step: it runs on the session controller's thread and waits for the
        worker, at most `timeout` seconds.
        """
        done: Future[None] = Future()

        def purge() -> None:
            try:
                self._purge_session()
            except BaseException as error:
                done.set_exception(error)
            else:
                done.set_result(None)

        self._inbox.put(purge)
        done.result(timeout)

    def session_jobs_gone(self, timeout: float = PURGE_TIMEOUT_S) -> bool:
        """The wipe's check: CUPS knows none of the jobs the last purged session sent."""
        done: Future[bool] = Future()

        def look() -> None:
            try:
                done.set_result(self._none_left(self._purged_ids))
            except BaseException as error:
                done.set_exception(error)

        self._inbox.put(look)
        return done.result(timeout)

    # -- the worker ------------------------------------------------------------------------

    def _run(self) -> None:
        # The first look waits until the home screen is drawn: loading libcups and
        # asking CUPS would slow the kiosk's start on a two-core machine.
        next_printer_check = time.monotonic() + FIRST_LOOK_DELAY_S
        while True:
            wait = JOB_POLL_S if self._jobs else max(0.0, next_printer_check - time.monotonic())
            try:
                command = self._inbox.get(timeout=wait)
            except queue.Empty:
                command = self._no_command
            if command is None:
                self._let_go_of_cups()
                return
            self._guarded(command)
            if self._jobs:
                self._guarded(self._follow_jobs)
            if time.monotonic() >= next_printer_check:
                self._guarded(self._refresh_printer)
                next_printer_check = time.monotonic() + PRINTER_POLL_S
                if self._abandoned and self._look.why_unavailable != "cups_down":
                    self._guarded(self._cancel_abandoned)

    def _no_command(self) -> None:
        pass

    def _let_go_of_cups(self) -> None:
        if self._subscription is not None and self._connection is not None:
            try:
                self._connection.cancelSubscription(self._subscription)
            except Exception as error:
                log.info("printing: subscription left to expire (%s)", type(error).__name__)
        self._connection = None

    def _guarded(self, work: Callable[[], None]) -> None:
        try:
            work()
        except Exception:
            log.exception("printing: unexpected failure")
            self._connection = None

    def _cups(self) -> Any:
        """The connection, opened again if it was lost; None when CUPS does not answer."""
        if self._connection is None:
            try:
                self._connection = self._connect()
            except Exception as error:  # pycups raises RuntimeError on refused connections
                log.debug("printing: CUPS does not answer (%s)", type(error).__name__)
                return None
            self._subscription = None
        if self._subscription is None:
            self._subscribe(self._connection)
        return self._connection

    def _subscribe(self, connection: Any) -> None:
        """Ask CUPS to keep the news of jobs for us (pulled with getNotifications)."""
        try:
            self._subscription = int(connection.createSubscription(
                "ipp://localhost/", events=NOTIFIED_EVENTS, lease_duration=0))
            self._next_sequence = 0
        except Exception as error:
            if _cups_stopped(error):
                return  # asked again on the next call, once CUPS answers
            log.warning("printing: CUPS will not send job news (%s); jobs are followed by "
                        "their attributes alone", type(error).__name__)

    def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        """A CUPS call; a lost connection is dropped (and the error passed on)."""
        connection = self._cups()
        if connection is None:
            raise ConnectionError("CUPS does not answer")
        try:
            return getattr(connection, method)(*args, **kwargs)
        except RuntimeError:
            self._connection = None
            raise
        except Exception as error:
            if _cups_stopped(error):
                raise ConnectionError("CUPS does not answer") from error
            raise

    # -- the printer -----------------------------------------------------------------------

    def _refresh_printer(self, same_printer: bool = False) -> None:
        """Look at the printer again; `same_printer`: only at the one chosen last time
        (one request instead of three, when a job is about to be sent or followed;
        the periodic look still notices a new default or a new printer)."""
        self._set_status(self._look_at_printer(same_printer))

    def _look_at_printer(self, same_printer: bool = False) -> _PrinterLook:
        if not self._enabled:
            return _PrinterLook("", "disabled")
        try:
            name = self._look.printer if same_printer and self._look.printer else \
                self._choose_printer()
            if not name:
                return _PrinterLook("", "no_printer")
            attributes = self._call("getPrinterAttributes", name,
                                    requested_attributes=PRINTER_ATTRIBUTES)
        except ConnectionError:
            return _PrinterLook("", "cups_down")
        except Exception as error:
            log.info("printing: the printer cannot be read (%s)", type(error).__name__)
            return _PrinterLook("", "no_printer")
        state = int(attributes.get("printer-state", 0))
        reasons = tuple(attributes.get("printer-state-reasons", ()))
        why = ""
        if state == states.PRINTER_STOPPED:
            why = "paused"
        elif not attributes.get("printer-is-accepting-jobs", True):
            why = "rejecting"
        problems = tuple(problem.keyword for problem in states.parse_reasons(reasons))
        return _PrinterLook(name, why, state, reasons, bool(attributes.get("color-supported")),
                            problems)

    def _choose_printer(self) -> str:
        """The profile's queue, else CUPS's default, else the only or first printer."""
        printers: dict[str, Any] = self._call("getPrinters")
        if self._queue_name:
            return self._queue_name if self._queue_name in printers else ""
        default = self._call("getDefault")
        if default in printers:
            return str(default)
        return sorted(printers)[0] if printers else ""

    def _set_status(self, look: _PrinterLook) -> None:
        if look == self._look:
            return
        if look.why_unavailable != self._look.why_unavailable:
            log.info("printing: printer %r %s", look.printer, look.why_unavailable or "available")
        self._look = look
        self._publish(PrinterChanged(*look))

    # -- a session's jobs ------------------------------------------------------------------

    def _start_session(self, title: str) -> None:
        self._session = _Session(title)

    def _send(self, request: int, pdf: Path, options: PrintOptions, pages_total: int) -> None:
        self._refresh_printer(same_printer=True)
        if not self._look.available:
            self._report(request, "failed", 0, pages_total, self._why_not_sent())
            return
        title = self._session.title or "Borne"
        try:
            cups_id = int(self._call("printFile", self._look.printer, str(pdf), title,
                                     options.as_cups_options()))
        except ConnectionError:
            self._report(request, "failed", 0, pages_total, states.CUPS_UNREACHABLE)
            return
        except Exception as error:
            log.warning("printing: the job was refused (%s)", type(error).__name__)
            self._report(request, "failed", 0, pages_total, states.NOT_ACCEPTED)
            return
        log.info("printing: request %d is CUPS job %d (%d pages)", request, cups_id, pages_total)
        self._session.cups_ids.append(cups_id)
        job = _Job(request, cups_id, pages_total, time.monotonic())
        self._jobs[request] = job
        self._report(request, "sent", 0, pages_total)

    def _why_not_sent(self) -> str:
        why = self._look.why_unavailable
        if why == "cups_down":
            return states.CUPS_UNREACHABLE
        if why == "paused":
            return "paused"
        return states.PRINTER_GONE

    def _cancel(self, request: int) -> None:
        job = self._jobs.get(request)
        if job is None:
            return
        job.cancel_asked = True
        try:
            self._call("cancelJob", job.cups_id, purge_job=True)
        except Exception as error:
            log.info("printing: cancelling job %d: %s", job.cups_id, type(error).__name__)
        self._finish(job, "cancelled")

    def _follow_jobs(self) -> None:
        """News of the jobs from CUPS's notifications, then a look at the quiet ones.

        Notifications, not the job's attributes, tell how a job ended: with
        `PreserveJobHistory No` (the kiosk's CUPS set-up) a finished job is gone
        from CUPS at once, and only its "job-completed" notification remains.
        """
        for news in self._notifications():
            job = self._job_for(int(news.get("notify-job-id", 0)))
            if job is not None:
                self._apply(job, news)
        for job in list(self._jobs.values()):
            if time.monotonic() - job.last_change >= JOB_POLL_S * 4:
                self._look_at_job(job)

    def _job_for(self, cups_id: int) -> _Job | None:
        return next((job for job in self._jobs.values() if job.cups_id == cups_id), None)

    def _notifications(self) -> list[dict[str, Any]]:
        if self._subscription is None:
            return []
        try:
            answer = self._call("getNotifications", [self._subscription],
                                [self._next_sequence])
        except ConnectionError:
            return []
        except Exception as error:
            log.info("printing: no notifications (%s); subscribing again",
                     type(error).__name__)
            self._subscription = None
            return []
        events: list[dict[str, Any]] = list(answer.get("events", ()))
        if events:
            self._next_sequence = int(events[-1]["notify-sequence-number"]) + 1
        return events

    def _look_at_job(self, job: _Job) -> None:
        """The job's attributes, for a job CUPS said nothing of lately."""
        try:
            attributes = self._call("getJobAttributes", job.cups_id,
                                    requested_attributes=JOB_ATTRIBUTES)
        except ConnectionError:
            self._cups_gone(job)
            return
        except Exception:
            self._vanished(job)
            return
        self._apply(job, attributes)

    def _cups_gone(self, job: _Job) -> None:
        """CUPS stopped answering while the job was on its way: libcups has already
        tried to connect again, so the resident is told now rather than after the
        pending limit; the job is cancelled once CUPS answers again."""
        log.warning("printing: CUPS stopped answering during job %d", job.cups_id)
        self._abandoned.add(job.cups_id)
        self._set_status(_PrinterLook("", "cups_down"))
        self._finish(job, "failed", states.CUPS_UNREACHABLE)

    def _cancel_and_purge(self, cups_id: int) -> None:
        """Cancel job `cups_id` and drop its files from the spool; ConnectionError when
        CUPS does not answer (any other refusal: the job is already gone)."""
        try:
            self._call("cancelJob", cups_id, purge_job=True)
        except ConnectionError:
            raise
        except Exception:
            pass  # already gone

    def _cancel_abandoned(self) -> None:
        for cups_id in sorted(self._abandoned):
            try:
                self._cancel_and_purge(cups_id)
            except ConnectionError:
                return
            self._abandoned.discard(cups_id)
            log.info("printing: job %d, given up while CUPS was away, cancelled", cups_id)

    def _vanished(self, job: _Job) -> None:
        """CUPS no longer knows the job and no notification said how it ended."""
        for news in self._notifications():  # the notification may have just come
            if int(news.get("notify-job-id", 0)) == job.cups_id:
                self._apply(job, news)
        if job.request not in self._jobs:
            return
        self._refresh_printer()
        if self._subscription is None and self._look.available:
            # No notifications on this CUPS: a job that vanished from a printer still
            # there most likely printed and left no history.
            self._finish(job, "printed")
        else:
            self._finish(job, "failed", states.PRINTER_GONE)

    def _apply(self, job: _Job, news: dict[str, Any]) -> None:
        state = int(news.get("job-state", 0))
        reasons = _as_list(news.get("job-state-reasons", ()))
        pages = int(news.get("job-impressions-completed", 0) or 0)
        if state == states.JOB_COMPLETED:
            self._finish(job, "printed")
        elif state == states.JOB_CANCELED:
            self._finish(job, "cancelled" if job.cancel_asked else "failed",
                         "" if job.cancel_asked else states.job_failure_reason(reasons))
        elif state == states.JOB_ABORTED:
            self._finish(job, "failed", states.job_failure_reason(reasons))
        elif state == states.JOB_PROCESSING and not self._printer_problem():
            self._progress(job, "printing", pages, "")
            self._give_up_if_stuck(job, states.GAVE_UP_WAITING)
        else:
            self._progress(job, "waiting", pages, self._waiting_reason(state))
            self._give_up_if_stuck(job, states.GAVE_UP_WAITING)

    def _waiting_reason(self, state: int) -> str:
        if state == states.JOB_HELD:
            return "held"
        if self._look.why_unavailable == "paused":
            return "paused"
        return self._printer_problem()

    def _printer_problem(self) -> str:
        """What stops the printer now ("media-empty"...), "" when nothing does."""
        self._refresh_printer(same_printer=True)
        problems = states.parse_reasons(self._look.reasons)
        return problems[0].keyword if problems and problems[0].stops_printing else ""

    def _progress(self, job: _Job, stage: PrintStage, pages: int, reason: str) -> None:
        if (stage, pages, reason) == (job.stage, job.pages_done, job.reason):
            return
        if pages != job.pages_done or stage != job.stage:
            job.last_change = time.monotonic()
        job.stage, job.pages_done, job.reason = stage, pages, reason
        self._report(job.request, stage, pages, job.pages_total, reason)

    def _give_up_if_stuck(self, job: _Job, reason: str) -> None:
        limit = self._pending_limit
        if job.stage == "printing":
            limit += self._per_page_allowance * job.pages_total
        if time.monotonic() - job.last_change < limit:
            return
        log.warning("printing: job %d made no progress for %.0f s: cancelled", job.cups_id,
                    limit)
        try:
            self._call("cancelJob", job.cups_id, purge_job=True)
        except Exception as error:
            log.info("printing: cancelling job %d: %s", job.cups_id, type(error).__name__)
        self._finish(job, "failed", reason)

    def _finish(self, job: _Job, stage: PrintStage, reason: str = "") -> None:
        self._jobs.pop(job.request, None)
        pages = job.pages_total if stage == "printed" else job.pages_done
        log.info("printing: request %d %s %s", job.request, stage, reason)
        self._report(job.request, stage, pages, job.pages_total, reason)

    def _report(self, request: int, stage: PrintStage, pages_done: int, pages_total: int,
                reason: str = "") -> None:
        self._publish(PrintJobChanged(request, stage, pages_done, pages_total, reason))

    def _purge_session(self) -> None:
        """Every job this session sent, whatever its state, cancelled and purged; then
        CUPS is asked whether it still knows any of them."""
        session, self._session = self._session, _Session()
        self._jobs.clear()
        # A purge that failed before (CUPS was stopped) is tried again with this one.
        self._unpurged.update(session.cups_ids)
        self._purged_ids = frozenset(self._unpurged)
        if not self._unpurged:
            return
        for cups_id in sorted(self._unpurged):
            self._cancel_and_purge(cups_id)
            self._abandoned.discard(cups_id)
        self._unpurged = set(self._still_known(self._purged_ids))
        if self._unpurged:
            raise RuntimeError("CUPS still holds job(s) of the session")
        log.info("printing: %d job(s) of the session purged", len(self._purged_ids))

    def _none_left(self, cups_ids: frozenset[int]) -> bool:
        """Whether CUPS knows none of `cups_ids`, in any state (asked only when there are)."""
        return not self._still_known(cups_ids)

    def _still_known(self, cups_ids: frozenset[int]) -> frozenset[int]:
        """Those of `cups_ids` CUPS knows, in any state (asked only when there are)."""
        if not cups_ids:
            return frozenset()
        known = self._call("getJobs", which_jobs="all", requested_attributes=["job-id"])
        return cups_ids & frozenset(known)


class PreviewWorker:
    """One thread that makes print previews, one at a time, started on first need
    (poppler takes a few hundred milliseconds; the Tk thread never waits for it)."""

    def __init__(self) -> None:
        self._inbox: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None

    def submit(self, work: Callable[[], None]) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="print-preview",
                                            daemon=True)
            self._thread.start()
        self._inbox.put(work)

    def close(self) -> None:
        if self._thread is not None:
            self._inbox.put(None)

    def _run(self) -> None:
        while (work := self._inbox.get()) is not None:
            try:
                work()
            except Exception:
                log.exception("printing: the preview failed")


def _cups_stopped(error: Exception) -> bool:
    """Whether `error` is pycups's IPPError for a cupsd that no longer answers."""
    status = error.args[0] if type(error).__name__ == "IPPError" and error.args else None
    return status == IPP_SERVICE_UNAVAILABLE


def _as_list(value: Any) -> list[str]:
    """pycups gives a one-value IPP set as a plain string."""
    if isinstance(value, str):
        return [value]
    return [str(item) for item in value]


class PrintingParticipant:
    """Printing's part in a resident's session: the Print item, the panel's previews,
    the jobs the panel orders, and their purge at the wipe.

    It hears the shell through the bus (PrintPreviewAsked, PrintOrdered,
    PrintCancelOrdered) and answers there too, so the shell holds no reference to
    a device.
    """

    name = "printing"

    def __init__(self, service: PrintService, bus: EventBus) -> None:
        self.service = service
        self.bus = bus
        self._folder: Path | None = None
        self._previews = PreviewWorker()
        # On the publishing thread (the Tk thread): each handler only queues work for
        # a worker, and the resident's Print is not kept waiting for the next pump.
        bus.subscribe_now(PrintPreviewAsked, self._on_preview_asked)
        bus.subscribe_now(PrintOrdered, self._on_ordered)
        bus.subscribe_now(PrintCancelOrdered, lambda event: service.cancel(event.request))

    def begin(self, session: SessionInfo) -> None:
        self._folder = session.directory / "print"
        # A number that says nothing of the resident, not even the session's order.
        self.service.begin_session(int.from_bytes(os.urandom(4), "big") % 9000 + 1000)

    def toolbar_items(self) -> Sequence[ToolbarItem]:
        return (ToolbarItem("print", lambda: _("Print"), "❐",
                            lambda: self.bus.publish(PrintRequested()),
                            availability=self._availability),)

    def _availability(self) -> Availability:
        if self.service.status.available:
            return ALWAYS
        return Availability(why_unavailable=_(
            "Printing is not available at this terminal. Please ask at the desk: "
            "someone can print for you."))

    def wipe_steps(self) -> Sequence[WipeStep]:
        return (WipeStep("cancel and purge print jobs", self.service.purge_session,
                         verify=self.service.session_jobs_gone),)

    def close(self) -> None:
        self._previews.close()
        self.service.close()

    def _on_preview_asked(self, event: PrintPreviewAsked) -> None:
        folder = self._folder
        if folder is None:
            self.bus.publish(PrintPreparationFailed("document"))
            return
        self._previews.submit(lambda: self._prepare_preview(event.document, folder))

    def _prepare_preview(self, document: Path, folder: Path) -> None:
        from kiosk.devices.print_preview import (
            PreviewError,
            page_count,
            printable_pdf,
            render_previews,
        )

        try:
            pdf = printable_pdf(document, folder)
            pages = page_count(pdf)
            previews = render_previews(pdf, folder / "preview", pages)
        except PreviewError as error:
            log.warning("printing: no preview (%s)", error)
            self.bus.publish(PrintPreparationFailed("document"))
            return
        except Exception:  # the resident must not wait on "Preparing" for ever
            log.exception("printing: the preview failed")
            self.bus.publish(PrintPreparationFailed("document"))
            return
        if pages < 1:
            self.bus.publish(PrintPreparationFailed("empty"))
            return
        self.bus.publish(PrintPreviewReady(document, pdf, pages, previews))

    def _on_ordered(self, event: PrintOrdered) -> None:
        pages = event.last_page - event.first_page + 1
        options = PrintOptions(event.copies, f"{event.first_page}-{event.last_page}",
                               event.colour)
        self.service.submit(event.pdf, options, pages * event.copies, request=event.request)
