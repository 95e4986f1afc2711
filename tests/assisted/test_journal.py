"""The assistance journal: a chain that shows edits, and a purge that keeps it checkable."""

from __future__ import annotations

import json
import stat
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from kiosk.assisted.journal import (
    Assistance,
    Journal,
    check_chain,
    journal_for,
    journal_path,
    line_hash,
)
from kiosk.config.schema import Assisted

NOW = datetime(2024, 6, 1, 12, 0).astimezone()


def assistance(days_ago: int, mediator: str = "Amina", printed: int = 0) -> Assistance:
    end = NOW - timedelta(days=days_ago)
    return Assistance(mediator, end - timedelta(minutes=30), end, ("caf", "ants"), printed, 1)


def filled(tmp_path: Path, *days_ago: int, keep_days: int = 90) -> Journal:
    journal = Journal(tmp_path / "journal.jsonl", keep_days=10_000)  # nothing purged yet
    for index, days in enumerate(days_ago):
        journal.append(assistance(days, printed=index), now=NOW - timedelta(days=days))
    journal.keep_days = keep_days
    return journal


def rewrite(journal: Journal, lines: list[str]) -> None:
    journal.path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")


def test_entries_hold_ids_and_counts_and_the_chain_holds(tmp_path: Path) -> None:
    journal = filled(tmp_path, 3, 2, 1)
    lines = journal.read_lines()
    check = check_chain(lines)
    assert check.ok and [e["n"] for e in check.entries] == [1, 2, 3]
    assert check.entries[0] == {
        "kind": "assist", "n": 1, "prev": "0" * 64, "mediator": "Amina",
        "start": (NOW - timedelta(days=3, minutes=30)).isoformat(timespec="seconds"),
        "end": (NOW - timedelta(days=3)).isoformat(timespec="seconds"),
        "procedures": ["caf", "ants"], "printed": 0, "scanned": 1}
    assert json.loads(lines[2])["prev"] == line_hash(lines[1])
    assert check.head == line_hash(lines[-1])
    assert stat.S_IMODE(journal.path.stat().st_mode) == 0o600


@pytest.mark.parametrize("tamper", ["edit", "remove", "insert", "swap", "renumber-anchor"])
def test_tampering_breaks_the_chain(tmp_path: Path, tamper: str) -> None:
    journal = filled(tmp_path, 4, 3, 2, 1)
    lines = journal.read_lines()
    if tamper == "edit":
        lines[2] = lines[2].replace('"printed":1', '"printed":0')
    elif tamper == "remove":
        del lines[2]
    elif tamper == "insert":
        lines.insert(2, lines[2])
    elif tamper == "swap":
        lines[2], lines[3] = lines[3], lines[2]
    else:  # hiding the first entries behind an anchor that claims they were purged
        anchor = json.loads(lines[0])
        anchor["purged"] = 1
        lines = [json.dumps(anchor, sort_keys=True, separators=(",", ":")), *lines[2:]]
    rewrite(journal, lines)
    check = check_chain(journal.read_lines())
    assert not check.ok and check.problem is not None and check.problem.startswith("line ")


def test_the_edited_line_is_named(tmp_path: Path) -> None:
    journal = filled(tmp_path, 3, 2, 1)
    lines = journal.read_lines()
    lines[2] = lines[2].replace('"mediator":"Amina"', '"mediator":"Bob"')
    rewrite(journal, lines)
    assert check_chain(journal.read_lines()).problem == (
        "line 4 does not follow the line before it: that line was changed, removed or inserted.")


def test_purging_old_entries_keeps_the_chain_valid(tmp_path: Path) -> None:
    journal = filled(tmp_path, 100, 95, 91, 10, 5, keep_days=90)
    before = journal.read_lines()
    assert journal.purge(NOW) == 3
    after = journal.read_lines()
    assert after[1:] == before[4:]  # kept lines are never rewritten
    check = check_chain(after)
    assert check.ok, check.problem
    assert [e["n"] for e in check.entries] == [4, 5]
    assert check.anchor is not None and check.anchor["purged"] == 3
    assert check.anchor["chain_from"] == line_hash(before[3])
    assert check.anchor["previous_anchor"] == line_hash(before[0])
    # Appending goes on from there, and a second purge too.
    journal.append(assistance(0), now=NOW)
    assert journal.purge(NOW + timedelta(days=88)) == 2
    check = check_chain(journal.read_lines())
    assert check.ok and [e["n"] for e in check.entries] == [6]
    # Everything purged: the anchor alone, and the numbers still go on.
    assert journal.purge(NOW + timedelta(days=200)) == 1
    journal.append(assistance(-200), now=NOW + timedelta(days=200))
    check = check_chain(journal.read_lines())
    assert check.ok and [e["n"] for e in check.entries] == [7]


def test_appending_purges_and_an_edit_before_a_purge_stays_visible(tmp_path: Path) -> None:
    journal = filled(tmp_path, 100, 95, 40)
    lines = journal.read_lines()
    # Entry 1 edited: the break (at entry 2) is purged with it, yet it must not vanish.
    lines[1] = lines[1].replace('"scanned":1', '"scanned":9')
    rewrite(journal, lines)
    journal.append(assistance(0), now=NOW)
    check = check_chain(journal.read_lines())
    assert [e["n"] for e in check.entries] == [3, 4]
    assert check.problem is not None and "already broken when old entries were purged" in (
        check.problem)


def test_nothing_but_ids_and_counts_goes_in(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "journal.jsonl")
    with pytest.raises(ValueError):
        journal.append(Assistance("Amina", NOW, NOW, ("https://www.caf.fr/x?token=1",)))
    with pytest.raises(ValueError):
        journal.append(Assistance("Amina", NOW, NOW - timedelta(minutes=1)))
    assert journal.read_lines() == []


def test_the_journal_is_kept_only_when_the_profile_asks(tmp_path: Path) -> None:
    assert journal_for(Assisted(), tmp_path) is None
    journal = journal_for(Assisted(journal=True, journal_days=30), tmp_path)
    assert journal is not None and journal.keep_days == 30
    assert journal.path == journal_path(tmp_path) == tmp_path / "journal.jsonl"
