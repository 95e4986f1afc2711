"""The assistance journal: who assisted, when, for which procedures; kept only when the
profile says `[assisted] journal = true`, and only `journal_days` days.

One JSON object per line in KIOSK_STATE_DIR/journal.jsonl. A line holds the
mediator's name, the start and end of the assistance, the ids of the procedures
opened and the pages printed and scanned: never an address, a resident's name or
anything typed.

How tampering shows. Each entry carries `prev`, the SHA-256 of the line before it,
and `n`, a running number: an edited, removed or inserted line breaks the chain
at the next line. The first line is always an *anchor*: it says how many entries
were purged before it (`purged`), the hash of the last purged line, which the
first entry's `prev` still holds (`chain_from`), and the hash of the anchor it
replaced (`previous_anchor`). Purging old entries therefore never rewrites a kept
line: it drops a prefix of the file and writes a new anchor in front, so what
remains checks exactly as before. What a chain cannot show by itself (the whole
file rewritten with fresh hashes, or its last lines cut off) the system log
shows: each append logs the entry's number and the chain's new head, each purge
the new anchor's hash, and `kiosk mediator journal` prints both for comparison.
A signing key on the terminal would add nothing: whoever can rewrite the journal
can read that key too.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from kiosk import settings
from kiosk.assisted.mediators import check_name
from kiosk.config.schema import Assisted
from kiosk.files import write_atomically

log = logging.getLogger(__name__)

FILE_NAME = "journal.jsonl"
ZERO_HASH = "0" * 64
PROCEDURE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")  # the profile's ids, never an address
ENTRY_KEYS = frozenset({"kind", "n", "prev", "mediator", "start", "end", "procedures",
                        "printed", "scanned"})
ANCHOR_KEYS = frozenset({"kind", "at", "purged", "chain_from", "previous_anchor",
                         "chain_was_valid"})


@dataclass(frozen=True)
class Assistance:
    """One assisted session, as the journal keeps it."""

    mediator: str
    start: datetime
    end: datetime
    procedures: tuple[str, ...] = ()
    pages_printed: int = 0
    pages_scanned: int = 0


@dataclass(frozen=True)
class ChainCheck:
    """The result of checking a journal: its entries, and where the chain breaks if it does."""

    entries: tuple[dict[str, Any], ...]
    anchor: dict[str, Any] | None
    problem: str | None  # one sentence; None when the chain holds
    head: str  # SHA-256 of the last line (compare with the system log)

    @property
    def ok(self) -> bool:
        return self.problem is None


def line_hash(line: str) -> str:
    """The SHA-256 (hex) of one line, without its newline: what the next line's `prev` holds."""
    return hashlib.sha256(line.encode("utf-8")).hexdigest()


def _encode(record: dict[str, Any]) -> str:
    # One canonical form, so a line's hash depends on its content only.
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _when(moment: datetime) -> str:
    return moment.astimezone().isoformat(timespec="seconds")


def journal_path(state_dir: Path | None = None) -> Path:
    """Where the journal is: KIOSK_STATE_DIR/journal.jsonl."""
    return (state_dir or settings.state_dir()) / FILE_NAME


def journal_for(assisted: Assisted, state_dir: Path | None = None) -> Journal | None:
    """The journal when the profile asks for one (`[assisted] journal = true`), else None."""
    if not assisted.journal:
        return None
    return Journal(journal_path(state_dir), keep_days=assisted.journal_days)


class Journal:
    """The append-only journal file, purged of entries older than `keep_days`."""

    def __init__(self, path: Path, keep_days: int = 90) -> None:
        self.path = path
        self.keep_days = keep_days
        self._lock = threading.Lock()

    def append(self, assistance: Assistance, now: datetime | None = None) -> None:
        """Add one assisted session at the end (purging old entries first)."""
        record = _entry_fields(assistance)
        with self._lock:
            self._purge(now or datetime.now().astimezone())
            lines = self._lines_or_new_anchor(now or datetime.now().astimezone())
            number, prev = _next_link(lines)
            line = _encode({"kind": "assist", "n": number, "prev": prev, **record})
            self._append_line(line)
        log.info("assistance journal: entry %d written, chain head %s", number,
                 line_hash(line)[:16])

    def purge(self, now: datetime) -> int:
        """Drop the entries that ended more than `keep_days` ago; how many were dropped."""
        with self._lock:
            return self._purge(now)

    def read_lines(self) -> list[str]:
        """The journal's lines (none when it does not exist)."""
        try:
            return self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []

    def _lines_or_new_anchor(self, now: datetime) -> list[str]:
        lines = self.read_lines()
        if lines:
            return lines
        anchor = _encode({"kind": "anchor", "at": _when(now), "purged": 0,
                          "chain_from": ZERO_HASH, "previous_anchor": ZERO_HASH,
                          "chain_was_valid": True})
        self._replace([anchor])
        return [anchor]

    def _purge(self, now: datetime) -> int:
        lines = self.read_lines()
        if len(lines) < 2:
            return 0
        cutoff = now - timedelta(days=self.keep_days)
        old = 0
        for line in lines[1:]:
            if not _ended_before(line, cutoff):
                break
            old += 1
        if old == 0:
            return 0
        check = check_chain(lines)
        if not check.ok:
            # The entries must go all the same (they are kept only so long); the
            # new anchor says the chain was already broken, so it stays visible.
            log.error("assistance journal: the chain was broken before purging: %s",
                      check.problem)
        last_dropped = _decode(lines[old])
        anchor = _encode({"kind": "anchor", "at": _when(now), "purged": int(last_dropped["n"]),
                          "chain_from": line_hash(lines[old]),
                          "previous_anchor": line_hash(lines[0]),
                          "chain_was_valid": check.ok and _decode(lines[0]).get(
                              "chain_was_valid", False) is True})
        self._replace([anchor, *lines[old + 1:]])
        log.info("assistance journal: %d old entries purged, new anchor %s", old,
                 line_hash(anchor)[:16])
        return old

    def _append_line(self, line: str) -> None:
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, (line + "\n").encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)

    def _replace(self, lines: list[str]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(self.path, "".join(line + "\n" for line in lines))


def _next_link(lines: list[str]) -> tuple[int, str]:
    """The next entry's number and `prev`: after an anchor, its `chain_from`."""
    try:
        last = _decode(lines[-1])
        if last.get("kind") == "anchor":
            return int(last["purged"]) + 1, str(last["chain_from"])
        return int(last["n"]) + 1, line_hash(lines[-1])
    except (ValueError, KeyError, TypeError):
        # A damaged last line: chained all the same; the check will show the damage.
        return len(lines), line_hash(lines[-1])


def _ended_before(line: str, cutoff: datetime) -> bool:
    try:
        entry = _decode(line)
        return (entry.get("kind") == "assist" and isinstance(entry.get("n"), int)
                and datetime.fromisoformat(entry["end"]) < cutoff)
    except (ValueError, KeyError, TypeError):
        return False  # a damaged line stops the purge there: nothing after it is dropped


def _entry_fields(assistance: Assistance) -> dict[str, Any]:
    """The entry's fields, after checking that nothing but ids and counts goes in."""
    check_name(assistance.mediator)
    for procedure in assistance.procedures:
        if not PROCEDURE_ID.match(procedure):
            raise ValueError("a journal entry holds procedure ids only")
    if min(assistance.pages_printed, assistance.pages_scanned) < 0:
        raise ValueError("page counts cannot be negative")
    if assistance.end < assistance.start:
        raise ValueError("an assistance cannot end before it starts")
    return {"mediator": assistance.mediator, "start": _when(assistance.start),
            "end": _when(assistance.end), "procedures": list(assistance.procedures),
            "printed": assistance.pages_printed, "scanned": assistance.pages_scanned}


def _decode(line: str) -> dict[str, Any]:
    value = json.loads(line)
    if not isinstance(value, dict):
        raise ValueError("a line is not a JSON object")
    return value


def check_chain(lines: list[str]) -> ChainCheck:
    """Check the anchor, each entry's `prev` and the running numbers."""
    if not lines:
        return ChainCheck((), None, None, ZERO_HASH)
    head = line_hash(lines[-1])
    try:
        records = [_decode(line) for line in lines]
    except ValueError:
        bad = next(i for i, line in enumerate(lines, 1) if not _parses(line))
        return ChainCheck((), None, f"line {bad} is not a journal line.", head)
    anchor = records[0]
    if anchor.get("kind") != "anchor" or set(anchor) != ANCHOR_KEYS:
        return ChainCheck((), None, "the first line is not the journal's anchor.", head)
    entries = tuple(records[1:])
    problem = _first_break(lines, records)
    if problem is None and anchor["chain_was_valid"] is not True:
        problem = (f"the chain was already broken when old entries were purged on "
                   f"{anchor['at']}.")
    return ChainCheck(entries, anchor, problem, head)


def _parses(line: str) -> bool:
    try:
        _decode(line)
    except ValueError:
        return False
    return True


def _first_break(lines: list[str], records: list[dict[str, Any]]) -> str | None:
    expected_prev = str(records[0]["chain_from"])
    expected_n = int(records[0]["purged"]) + 1
    for index, record in enumerate(records[1:], start=1):
        where = f"line {index + 1}"
        if record.get("kind") != "assist" or set(record) != ENTRY_KEYS:
            return f"{where} is not a journal entry."
        if record["prev"] != expected_prev:
            return (f"{where} does not follow the line before it: that line was changed, "
                    "removed or inserted.")
        if record["n"] != expected_n:
            return f"{where} is entry {record['n']} where entry {expected_n} was expected."
        expected_prev = line_hash(lines[index])
        expected_n += 1
    return None
