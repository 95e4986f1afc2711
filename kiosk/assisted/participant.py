"""Assisted mode's part in a resident's session: the PIN checks, the Assisted mode
item, the journal, and forgetting the mediator at the wipe.

It hears the shell through the bus (`PinPadOpened`, `PinSubmitted`,
`AssistanceStarted`, `AssistanceEnded`) and answers there (`PinChecked`). PINs are
checked on a worker thread of its own: scrypt takes a fraction of a second per
mediator, and the Tk thread never waits.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

from kiosk.assisted.journal import Assistance, Journal, journal_for
from kiosk.assisted.unlock import Unavailable, Unlocker
from kiosk.bus import EventBus
from kiosk.config.schema import Assisted
from kiosk.events import (
    AssistanceEnded,
    AssistanceStarted,
    AssistedModeAsked,
    DocumentAdded,
    PinChecked,
    PinPadOpened,
    PinSubmitted,
    PrintJobChanged,
    ProcedureOpened,
)
from kiosk.i18n import _
from kiosk.session.participant import ALWAYS, Availability, SessionInfo, ToolbarItem
from kiosk.session.wipe import WipeStep

log = logging.getLogger(__name__)


@dataclass
class _Record:
    """What the journal will say of the assistance under way (names and counts only)."""

    mediator: str
    start: datetime
    procedures: list[str] = field(default_factory=list)
    printed: int = 0
    scanned: int = 0


class AssistedParticipant:
    """Assisted mode's service: see the module's docstring."""

    name = "assisted"

    def __init__(self, assisted: Assisted, bus: EventBus, unlocker: Unlocker | None = None,
                 journal: Journal | None = None) -> None:
        self.bus = bus
        self.unlocker = unlocker or Unlocker()
        self.journal = journal if journal is not None else journal_for(assisted)
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="assisted")
        self._lock = threading.Lock()
        self._record: _Record | None = None
        self._unavailable: Unavailable | None = None
        self._submit(self._look_at_mediators)
        if self.journal is not None:
            journal = self.journal
            self._submit(lambda: journal.purge(datetime.now().astimezone()))
        bus.subscribe_now(PinPadOpened, lambda event: self._submit(self._say_lock))
        bus.subscribe_now(PinSubmitted, lambda event: self._submit(lambda: self._check(event)))
        bus.subscribe_now(AssistanceStarted, self._started)
        bus.subscribe_now(AssistanceEnded, self._ended)
        bus.subscribe_now(ProcedureOpened, self._procedure_opened)
        bus.subscribe_now(PrintJobChanged, self._print_job_changed)
        bus.subscribe_now(DocumentAdded, self._document_added)

    # -- the participant ---------------------------------------------------------------

    def begin(self, session: SessionInfo) -> None:
        self._look_at_mediators()  # a file fixed or broken since: the button follows

    def toolbar_items(self) -> Sequence[ToolbarItem]:
        return (ToolbarItem("assisted", lambda: _("Assisted mode"), "",
                            lambda: self.bus.publish(AssistedModeAsked()),
                            availability=self.availability, side="end"),)

    def availability(self) -> Availability:
        """The Assisted mode buttons: hidden while a mediator assists (the banner has
        End assistance), greyed out with a sentence when the mediators file is unusable."""
        with self._lock:
            if self._record is not None:
                return Availability(visible=False)
            unavailable = self._unavailable
        if unavailable is None:
            return ALWAYS
        return Availability(why_unavailable=_(
            "Assisted mode is not available on this terminal for now. "
            "Everything else works as usual."))

    def wipe_steps(self) -> Sequence[WipeStep]:
        return (WipeStep("forget the mediator", self._forget,
                         verify=lambda: self._record is None),)

    def close(self) -> None:
        self._worker.shutdown(wait=True, cancel_futures=False)

    # -- on the worker thread ----------------------------------------------------------

    def _submit(self, work: Callable[[], object]) -> None:
        def guarded() -> None:
            try:
                work()
            except Exception:
                log.exception("assisted mode's work failed")

        try:
            self._worker.submit(guarded)
        except RuntimeError:  # the kiosk is stopping
            log.info("assisted mode is closed: nothing more is checked")

    def _look_at_mediators(self) -> None:
        unavailable = self.unlocker.availability()
        with self._lock:
            changed = unavailable != self._unavailable
            self._unavailable = unavailable
        if changed:
            log.info("assisted mode is %s", "unavailable: " + unavailable.detail
                     if unavailable else "available")

    def _say_lock(self) -> None:
        """The pad just opened: it says at once if it cannot take a PIN now."""
        self._look_at_mediators()
        answer = self._unavailable or self.unlocker.current_lock()
        if answer is not None:
            self.bus.publish(PinChecked(answer))

    def _check(self, event: PinSubmitted) -> None:
        self.bus.publish(PinChecked(self.unlocker.attempt(event.pin, event.code)))

    # -- the record of the assistance (on the publishing thread) ------------------------

    def _started(self, event: AssistanceStarted) -> None:
        with self._lock:
            self._record = _Record(event.mediator, datetime.now().astimezone())

    def _ended(self, event: AssistanceEnded) -> None:
        with self._lock:
            record, self._record = self._record, None
        if record is not None:
            self._submit(lambda: self._write_journal(record))

    def _procedure_opened(self, event: ProcedureOpened) -> None:
        with self._lock:
            if self._record is not None:
                self._record.procedures.append(event.procedure_id)

    def _print_job_changed(self, event: PrintJobChanged) -> None:
        if event.stage != "printed":
            return
        with self._lock:
            if self._record is not None:
                self._record.printed += event.pages_done

    def _document_added(self, event: DocumentAdded) -> None:
        if event.document.kind != "scan":
            return
        with self._lock:
            if self._record is not None:
                self._record.scanned += 1

    def _write_journal(self, record: _Record) -> None:
        """The journal's entry for an assistance that just ended (when there is a journal)."""
        if self.journal is None:
            return
        self.journal.append(Assistance(
            record.mediator, record.start, datetime.now().astimezone(),
            tuple(dict.fromkeys(record.procedures)), record.printed, record.scanned))

    def _forget(self) -> None:
        """The wipe: whatever the flow said, nothing of the mediator stays.

        An assistance still open here was not ended by the flow: the kiosk is
        stopping (SIGTERM) or the session failed. It is journaled now, on the wipe's
        thread, so that the entry is on disk before the kiosk exits.
        """
        with self._lock:
            record, self._record = self._record, None
        if record is None:
            return
        log.info("the wipe ends an assistance still open")
        try:
            self._write_journal(record)
        except Exception:  # the mediator is forgotten all the same: the wipe goes on
            log.exception("the assistance journal could not be written")
