"""Assisted mode's participant on a real bus, with a real mediators file, lockout and
journal: the PIN checked on its own thread, the journal written when an assistance
ends (or when the wipe finds one still open), and purged when the kiosk starts."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from harness import wait_for

from kiosk.assisted.journal import Assistance, Journal, check_chain
from kiosk.assisted.lockout import Lockout
from kiosk.assisted.mediators import add_mediator
from kiosk.assisted.participant import AssistedParticipant
from kiosk.assisted.unlock import Accepted, Locked, Unlocker, Wrong
from kiosk.bus import EventBus
from kiosk.config.schema import Assisted
from kiosk.events import (
    AssistanceEnded,
    AssistanceStarted,
    Document,
    DocumentAdded,
    PinChecked,
    PinPadOpened,
    PinSubmitted,
    PrintJobChanged,
    ProcedureOpened,
)
from kiosk.session.wipe import run_wipe

PIN = "482913"


class Answers:
    """The PinChecked answers, with the name of the thread each one came from."""

    def __init__(self, bus: EventBus) -> None:
        self.got: list[tuple[object, str]] = []
        self.lock = threading.Lock()
        bus.subscribe_now(PinChecked, self._heard)

    def _heard(self, event: PinChecked) -> None:
        with self.lock:
            self.got.append((event.answer, threading.current_thread().name))

    def count(self) -> int:
        with self.lock:
            return len(self.got)


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    return Journal(tmp_path / "state" / "journal.jsonl", keep_days=90)


@pytest.fixture
def participant(tmp_path: Path, journal: Journal) -> Iterator[tuple[AssistedParticipant, EventBus]]:
    mediators = tmp_path / "mediators.toml"
    add_mediator(mediators, "Amina", PIN, with_totp=False, today=date(2024, 5, 2))
    (tmp_path / "state").mkdir(exist_ok=True)
    bus = EventBus()
    unlocker = Unlocker(mediators, Lockout(tmp_path / "state"))
    assisted = AssistedParticipant(Assisted(journal=True), bus, unlocker, journal)
    yield assisted, bus
    assisted.close()


def entries(journal: Journal) -> tuple[dict[str, Any], ...]:
    check = check_chain(journal.read_lines())
    assert check.ok, check.problem
    return check.entries


def scan(name: str, kind: str = "scan") -> Document:
    return Document(name, Path("/nowhere") / name, kind, time.monotonic())  # type: ignore[arg-type]


def test_pins_are_checked_on_the_participants_own_thread(
    participant: tuple[AssistedParticipant, EventBus]
) -> None:
    _, bus = participant
    answers = Answers(bus)
    bus.publish(PinSubmitted("111111"))
    bus.publish(PinSubmitted(PIN))
    assert wait_for(lambda: answers.count() == 2)
    assert [answer for answer, _ in answers.got] == [Wrong(4), Accepted("Amina")]
    assert all(thread.startswith("assisted") for _, thread in answers.got)


def test_a_pad_opened_while_the_terminal_is_locked_says_so_at_once(
    participant: tuple[AssistedParticipant, EventBus]
) -> None:
    _, bus = participant
    answers = Answers(bus)
    for _attempt in range(5):
        bus.publish(PinSubmitted("111111"))
    assert wait_for(lambda: answers.count() == 5)
    bus.publish(PinPadOpened())
    assert wait_for(lambda: answers.count() == 6)
    assert isinstance(answers.got[-1][0], Locked)


def test_the_journal_says_who_helped_for_which_procedures_and_how_many_pages(
    participant: tuple[AssistedParticipant, EventBus], journal: Journal
) -> None:
    assisted, bus = participant
    bus.publish(ProcedureOpened("before", "caf"))  # not assisted yet: not in the entry
    bus.publish(AssistanceStarted("Amina"))
    bus.publish(ProcedureOpened("caf-rsa", "caf"))
    bus.publish(ProcedureOpened("ants-id", "ants"))
    bus.publish(ProcedureOpened("caf-rsa", "caf"))
    bus.publish(PrintJobChanged(1, "printing", 1, 3))
    bus.publish(PrintJobChanged(1, "printed", 3, 3))
    bus.publish(PrintJobChanged(2, "failed", 0, 2))
    bus.publish(DocumentAdded(scan("scan-1.pdf")))
    bus.publish(DocumentAdded(scan("scan-2.pdf")))
    bus.publish(DocumentAdded(scan("download.pdf", "download")))
    bus.publish(AssistanceEnded())
    bus.publish(ProcedureOpened("after", "caf"))  # the assistance is over
    assisted.close()  # waits for the worker, which writes the entry

    [entry] = entries(journal)
    assert entry["mediator"] == "Amina"
    assert entry["procedures"] == ["caf-rsa", "ants-id"]
    assert entry["printed"] == 3
    assert entry["scanned"] == 2
    assert str(entry["start"]) <= str(entry["end"])


def test_the_wipe_journals_an_assistance_the_flow_did_not_end(
    participant: tuple[AssistedParticipant, EventBus], journal: Journal
) -> None:
    # The kiosk stops (SIGTERM) while Amina assists: the shutdown's wipe, not the
    # flow, ends the assistance, and its entry must be there before the kiosk exits.
    assisted, bus = participant
    bus.publish(AssistanceStarted("Amina"))
    bus.publish(ProcedureOpened("caf-rsa", "caf"))
    bus.publish(PrintJobChanged(4, "printed", 2, 2))

    report = run_wipe(assisted.wipe_steps())

    assert report.ok, report
    [entry] = entries(journal)  # written by the wipe step itself: no waiting
    assert (entry["mediator"], entry["procedures"], entry["printed"]) == ("Amina", ["caf-rsa"], 2)
    assert assisted.availability().visible  # the Assisted mode button is back
    # The flow ending it afterwards (a late AssistanceEnded) writes nothing more.
    bus.publish(AssistanceEnded())
    assisted.close()
    assert len(entries(journal)) == 1


def test_the_journal_is_purged_of_old_entries_when_the_kiosk_starts(
    tmp_path: Path, journal: Journal
) -> None:
    now = datetime.now().astimezone()
    journal.keep_days = 10_000  # nothing purged while filling it
    for days_ago in (120, 95, 10):
        end = now - timedelta(days=days_ago)
        journal.append(Assistance("Amina", end - timedelta(minutes=20), end, ("caf-rsa",)),
                       now=end)
    assert len(entries(journal)) == 3
    journal.keep_days = 90
    mediators = tmp_path / "mediators.toml"
    add_mediator(mediators, "Amina", PIN, with_totp=False, today=date(2024, 5, 2))

    assisted = AssistedParticipant(Assisted(journal=True, journal_days=90), EventBus(),
                                   Unlocker(mediators, Lockout(tmp_path / "state")), journal)
    assisted.close()  # waits for the start's work, the purge among it

    [kept] = entries(journal)
    assert kept["end"] == (now - timedelta(days=10)).isoformat(timespec="seconds")
