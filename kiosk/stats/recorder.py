"""The anonymous counters as a subscriber of the bus, writing on a thread of its own.

Screens and the controller never count: they publish what happened, and this
recorder turns a few events into counter increments. The events reach it on the
publishing thread (`subscribe_now`), where it only queues them; a writer thread
does the SQLite work, so neither the Tk thread nor the session's worker ever
waits for the disk.
"""

from __future__ import annotations

import logging
import queue
import re
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from kiosk.bus import EventBus
from kiosk.events import (
    AssistanceStarted,
    FilesUploaded,
    LanguageChosen,
    NavigationBlocked,
    PrinterChanged,
    PrintJobChanged,
    ProcedureOpened,
    ScannersChanged,
    ScanSaved,
    SessionEnded,
    SessionWiped,
)
from kiosk.stats.counters import Counters

log = logging.getLogger(__name__)

Increment = tuple[str, str, int]  # counter name, label, by how much
GaugeValue = tuple[str, float]  # gauge name, its value now
T = TypeVar("T")


def increments_for_session(event: SessionEnded) -> list[Increment]:
    return [("sessions_total", "", 1), ("session_end", event.reason, 1),
            ("session_duration_bucket", event.duration_bucket, 1)]


def increments_for_tile(event: ProcedureOpened) -> list[Increment]:
    return [("tiles_opened", event.procedure_id, 1), ("partner_opened", event.partner, 1)]


def increments_for_upload(event: FilesUploaded) -> list[Increment]:
    return [("uploads", "", event.count)]


def increments_for_language(event: LanguageChosen) -> list[Increment]:
    return [("languages_chosen", counter_label(event.language), 1)]


def gauges_for_scanners(event: ScannersChanged) -> list[GaugeValue]:
    if event.why_unavailable in ("unknown", "disabled"):
        return []  # nothing known yet, or no scanning here
    return [("scanner_up", 1.0 if event.available else 0.0)]


def increments_for_wipe(event: SessionWiped) -> list[Increment]:
    if event.verified:
        return [("wipes_verified", "", 1)]
    first = (event.failed_steps or event.failed_checks)[0]
    return [("wipes_failed", counter_label(first), 1)]


def counter_label(name: str) -> str:
    """A wipe step's name as a label: "printing.cancel and purge" -> "printing.cancel_and_purge"."""
    return re.sub(r"[^a-z0-9_.-]+", "_", name.lower())[:64]


def increments_for_block(event: NavigationBlocked) -> list[Increment]:
    return [("blocked_navigations", event.kind, 1)]


def increments_for_print_job(event: PrintJobChanged) -> list[Increment]:
    if event.stage not in ("printed", "failed", "cancelled"):
        return []
    counts: list[Increment] = [("print_jobs", event.stage, 1)]
    if event.stage == "printed" and event.pages_done:
        counts.append(("pages_printed", "", event.pages_done))
    if event.stage == "failed":
        counts.append(("print_failures", event.reason or "unknown", 1))
    return counts


def increments_for_scan(event: ScanSaved) -> list[Increment]:
    """One document scanned (its name and pages say too much of the resident)."""
    return [("scans", "", 1)]


def printer_problem_counter() -> Callable[[PrinterChanged], list[Increment]]:
    """Counts each problem when it appears, not at every report while it lasts."""
    seen: set[str] = set()

    def increments(event: PrinterChanged) -> list[Increment]:
        now = set(event.problems)
        if event.why_unavailable in ("paused", "rejecting", "cups_down"):
            now.add(event.why_unavailable)
        appeared = sorted(now - seen)
        seen.clear()
        seen.update(now)
        return [("printer_problems", keyword, 1) for keyword in appeared]

    return increments


class AssistedSessionCounter:
    """`assisted_sessions` once per session that had assistance, however many mediators
    helped in it; never who (the name stays out of the counters)."""

    def __init__(self) -> None:
        self._counted = False

    def started(self, event: AssistanceStarted) -> list[Increment]:
        if self._counted:
            return []
        self._counted = True
        return [("assisted_sessions", "", 1)]

    def session_ended(self, event: SessionEnded) -> list[Increment]:
        self._counted = False
        return []


def gauges_for_wipe(event: SessionWiped) -> list[GaugeValue]:
    return [("last_verified_wipe_timestamp_seconds", time.time())] if event.verified else []


def gauges_for_printer(event: PrinterChanged) -> list[GaugeValue]:
    if event.why_unavailable in ("unknown", "disabled"):
        return []  # nothing known yet, or no printing here: no up or down to report
    return [("printer_up", 1.0 if event.available else 0.0)]


class StatsRecorder:
    """Counts sessions, tiles opened and blocked navigations from the bus."""

    def __init__(self, counters: Counters) -> None:
        self.counters = counters
        # Gauges travel as ("gauge", name, value) among the increments.
        self._queue: queue.SimpleQueue[list[tuple[str, str, float]] | None] = \
            queue.SimpleQueue()
        self._pending = 0
        self._idle = threading.Condition()
        self._thread = threading.Thread(target=self._write_loop, name="stats", daemon=True)
        self._thread.start()

    def attach(self, bus: EventBus) -> None:
        """Listen to the events that are counted."""
        bus.subscribe_now(SessionEnded, self._queued(increments_for_session))
        assisted = AssistedSessionCounter()
        bus.subscribe_now(AssistanceStarted, self._queued(assisted.started))
        bus.subscribe_now(SessionEnded, self._queued(assisted.session_ended))
        bus.subscribe_now(ProcedureOpened, self._queued(increments_for_tile))
        bus.subscribe_now(NavigationBlocked, self._queued(increments_for_block))
        bus.subscribe_now(PrintJobChanged, self._queued(increments_for_print_job))
        bus.subscribe_now(PrinterChanged, self._queued(printer_problem_counter()))
        bus.subscribe_now(FilesUploaded, self._queued(increments_for_upload))
        bus.subscribe_now(LanguageChosen, self._queued(increments_for_language))
        bus.subscribe_now(ScannersChanged, self._gauged(gauges_for_scanners))
        bus.subscribe_now(SessionWiped, self._queued(increments_for_wipe))
        bus.subscribe_now(SessionWiped, self._gauged(gauges_for_wipe))
        bus.subscribe_now(PrinterChanged, self._gauged(gauges_for_printer))
        bus.subscribe_now(ScanSaved, self._queued(increments_for_scan))

    def _queued(self, convert: Callable[[T], list[Increment]]) -> Callable[[T], None]:
        def handler(event: T) -> None:
            with self._idle:
                self._pending += 1
            self._queue.put([(name, label, float(by)) for name, label, by in convert(event)])

        return handler

    def _gauged(self, convert: Callable[[T], list[GaugeValue]]) -> Callable[[T], None]:
        def handler(event: T) -> None:
            with self._idle:
                self._pending += 1
            self._queue.put([("gauge", name, value) for name, value in convert(event)])

        return handler

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every queued count is written; False if that took longer than `timeout`."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def close(self, timeout: float = 5.0) -> None:
        """Write what is queued, then stop the writer."""
        self.flush(timeout)
        self._queue.put(None)
        self._thread.join(timeout)

    def _write_loop(self) -> None:
        while True:
            batch = self._queue.get()
            if batch is None:
                return
            for name, label, by in batch:
                try:
                    if name == "gauge":
                        self.counters.set_gauge(label, by)
                    else:
                        self.counters.increment(name, label=label, by=int(by))
                except Exception:  # counters are nice to have; nothing fails for them
                    log.exception("could not record the counter %s", name)
            with self._idle:
                self._pending -= 1
                self._idle.notify_all()
