"""Anonymous usage counters in SQLite, exported for Prometheus' textfile collector.

Privacy is enforced here, not left to the callers: only a fixed set of counter
names exists, and a label is a short lower-case token (a procedure id, an end
reason, a duration bucket). A page address, a name or a free text cannot pass
the check, so it can never reach the database or the export.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sqlite3
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

log = logging.getLogger(__name__)

METRIC_PREFIX = "borne_"

#: Counter name -> (label key in the export, help text).
COUNTERS: dict[str, tuple[str, str]] = {
    "sessions_total": ("kind", "Sessions that ended (after at least one input)."),
    "session_end": ("reason", "Sessions that ended, by reason."),
    "session_duration_bucket": ("bucket", "Sessions that ended, by duration range."),
    "tiles_opened": ("procedure", "Procedures opened from the home screen."),
    "pages_printed": ("kind", "Pages printed."),
    "print_jobs": ("outcome", "Print requests, by outcome (printed, failed, cancelled)."),
    "print_failures": ("reason", "Print requests that failed, by reason."),
    "printer_problems": ("reason", "Times the printer reported a problem, by reason."),
    "scans": ("kind", "Documents scanned."),
    "assisted_sessions": ("kind", "Sessions in which a mediator unlocked assisted mode."),
    "blocked_navigations": ("reason", "Navigations refused by the allowlist."),
}
ALLOWED_NAMES = frozenset(COUNTERS)
#: Counters normally used without a label: exported as 0 before their first event.
ZERO_BY_DEFAULT = frozenset({"sessions_total", "pages_printed", "scans", "assisted_sessions"})
LABEL_PATTERN = re.compile(r"[a-z0-9_.<>=-]{0,64}")

DURATION_BUCKETS: tuple[tuple[float, str], ...] = (
    (5 * 60, "<5min"),
    (15 * 60, "5-15min"),
    (30 * 60, "15-30min"),
    (60 * 60, "30-60min"),
)
LONGEST_BUCKET = ">60min"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS counters (
    name TEXT NOT NULL,
    label TEXT NOT NULL,
    value INTEGER NOT NULL,
    PRIMARY KEY (name, label)
)
"""
_CORRUPTION_CODES = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})

Snapshot = dict[tuple[str, str], int]


def duration_bucket(seconds: float) -> str:
    """The coarse duration range a session falls in (never its exact length)."""
    for limit, name in DURATION_BUCKETS:
        if seconds < limit:
            return name
    return LONGEST_BUCKET


def check_counter(name: str, label: str) -> None:
    """Raise ValueError unless `name` is a known counter and `label` a harmless token."""
    if name not in ALLOWED_NAMES:
        raise ValueError(f"unknown counter {name!r}")
    if not isinstance(label, str) or LABEL_PATTERN.fullmatch(label) is None:
        # The label itself is not repeated: it may be exactly what must not be stored.
        raise ValueError(f"counter {name!r}: label refused (only [a-z0-9_.<>=-], at most 64)")


class Counters:
    """Counters kept in one SQLite file; safe to use from any thread.

    Each call opens its own short connection, so `kiosk stats` can read the file
    while the kiosk writes it (rollback journal, no WAL: one file to back up).
    A file that is not a readable database is set aside and started afresh.
    """

    def __init__(self, path: Path, timeout: float = 5.0) -> None:
        self.path = path
        self.timeout = timeout  # how long to wait for a writer in another process
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with self._lock:
            self._guarded(lambda db: None)

    def increment(self, name: str, label: str = "", by: int = 1) -> None:
        """Add `by` (a whole number ≥ 0) to counter `name` / `label`."""
        check_counter(name, label)
        if isinstance(by, bool) or not isinstance(by, int) or by < 0:
            raise ValueError(f"counter {name!r}: cannot add {by!r}")

        def add(db: sqlite3.Connection) -> None:
            db.execute(
                "INSERT INTO counters (name, label, value) VALUES (?, ?, ?) "
                "ON CONFLICT (name, label) DO UPDATE SET value = value + excluded.value",
                (name, label, by),
            )

        with self._lock:
            self._guarded(add)

    def snapshot(self) -> Snapshot:
        """Every counter as {(name, label): value}."""
        result: Snapshot = {}
        with self._lock:
            self._guarded(lambda db: result.update(_read_all(db)))
        return result

    def prometheus_text(self) -> str:
        """The counters in Prometheus text exposition format."""
        return prometheus_text(self.snapshot())

    def write_prometheus(self, path: Path) -> None:
        """Write the export atomically (mode 0644) for node_exporter's textfile collector."""
        write_prometheus_file(path, self.snapshot())

    # -- storage ---------------------------------------------------------------------------

    def _guarded(self, work: Callable[[sqlite3.Connection], object]) -> None:
        try:
            self._run(work)
        except sqlite3.DatabaseError as error:
            if not _is_corruption(error):
                raise
            self._set_aside_corrupt_file()
            self._run(work)

    def _run(self, work: Callable[[sqlite3.Connection], object]) -> None:
        with contextlib.closing(sqlite3.connect(self.path, timeout=self.timeout)) as db:
            db.execute("PRAGMA journal_mode = DELETE")
            with db:  # one transaction: committed on success, rolled back on error
                db.execute(_SCHEMA)
                work(db)

    def _set_aside_corrupt_file(self) -> None:
        aside = self.path.with_name(self.path.name + ".corrupt")
        log.error("the counters database %s is damaged; it is kept as %s and started afresh",
                  self.path, aside)
        os.replace(self.path, aside)
        for suffix in ("-journal", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.path.with_name(self.path.name + suffix))


def _is_corruption(error: sqlite3.DatabaseError) -> bool:
    return getattr(error, "sqlite_errorcode", None) in _CORRUPTION_CODES


def _read_all(db: sqlite3.Connection) -> Iterator[tuple[tuple[str, str], int]]:
    rows = db.execute("SELECT name, label, value FROM counters ORDER BY name, label")
    for name, label, value in rows.fetchall():
        yield (str(name), str(label)), int(value)


def read_snapshot(path: Path) -> Snapshot:
    """Read a counters file without changing it; raises sqlite3.Error or OSError if unreadable.

    A missing file means no session was counted yet: an empty snapshot.
    """
    if not path.exists():
        return {}
    uri = f"{path.resolve().as_uri()}?mode=ro"
    with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=5.0)) as db:
        try:
            return dict(_read_all(db))
        except sqlite3.OperationalError as error:
            if "no such table" in str(error):
                return {}
            raise


# -- export ---------------------------------------------------------------------------------


def metric_name(name: str) -> str:
    """``borne_<name>_total`` (without doubling an existing ``_total``)."""
    base = name if name.endswith("_total") else f"{name}_total"
    return METRIC_PREFIX + base


def escape_label_value(value: str) -> str:
    """Escape a label value for the text exposition format."""
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def prometheus_text(snapshot: Mapping[tuple[str, str], int]) -> str:
    """Every known counter with HELP and TYPE lines; plain totals default to 0."""
    lines: list[str] = []
    for name, (label_key, help_text) in sorted(COUNTERS.items()):
        metric = metric_name(name)
        lines.append(f"# HELP {metric} {help_text}")
        lines.append(f"# TYPE {metric} counter")
        samples = {label: value for (n, label), value in snapshot.items() if n == name}
        if not samples and name in ZERO_BY_DEFAULT:
            samples[""] = 0
        for label, value in sorted(samples.items()):
            if label:
                lines.append(f'{metric}{{{label_key}="{escape_label_value(label)}"}} {value}')
            else:
                lines.append(f"{metric} {value}")
    return "\n".join(lines) + "\n"


def write_prometheus_file(path: Path, snapshot: Mapping[tuple[str, str], int]) -> None:
    """Write `snapshot` to `path` through a temporary file and a rename (mode 0644).

    The temporary name does not end in ``.prom``, so the collector never reads
    a half-written file.
    """
    text = prometheus_text(snapshot)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fchmod(out.fileno(), 0o644)
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
