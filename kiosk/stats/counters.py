"""Anonymous usage counters in SQLite, per day, exported for Prometheus' textfile collector.

Privacy is enforced here, not left to the callers: only a fixed set of counter
names exists, and a label is a short lower-case token (a procedure id, an end
reason, a duration bucket). A page address, a name or a free text cannot pass
the check, so it can never reach the database or the export. Counts are kept
per calendar day (what a France Services desk reports, month by month); a few
gauges (the printer and scanner up or down, the last verified wipe) hold only
their latest value.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry
    from prometheus_client.core import Metric

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
    "partner_opened": ("partner", "Procedures opened, by the partner organisation."),
    "uploads": ("kind", "Documents given to a website through the kiosk's picker."),
    "languages_chosen": ("language", "Times a resident chose the shell's language, by code."),
    "wipes_verified": ("kind", "Session wipes whose every step and check passed."),
    "wipes_failed": ("check", "Session wipes not verified, by the first failed step or check."),
}
ALLOWED_NAMES = frozenset(COUNTERS)
#: Counters normally used without a label: exported as 0 before their first event.
ZERO_BY_DEFAULT = frozenset({"sessions_total", "pages_printed", "scans", "assisted_sessions",
                             "wipes_verified", "uploads"})
#: Gauge name -> help text. Only the latest value of each is kept.
GAUGES: dict[str, str] = {
    "printer_up": "1 when the printer can take jobs, 0 when it cannot.",
    "scanner_up": "1 when a scanner is plugged in and answering, 0 when not.",
    "last_verified_wipe_timestamp_seconds": "When the last verified session wipe ended "
                                            "(Unix time).",
}
LABEL_PATTERN = re.compile(r"[a-z0-9_.<>=-]{0,64}")

DURATION_BUCKETS: tuple[tuple[float, str], ...] = (
    (5 * 60, "<5min"),
    (15 * 60, "5-15min"),
    (30 * 60, "15-30min"),
    (60 * 60, "30-60min"),
)
LONGEST_BUCKET = ">60min"

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS daily (
        day TEXT NOT NULL,
        name TEXT NOT NULL,
        label TEXT NOT NULL,
        value INTEGER NOT NULL,
        PRIMARY KEY (day, name, label)
    )""",
    """CREATE TABLE IF NOT EXISTS gauges (
        name TEXT PRIMARY KEY,
        value REAL NOT NULL
    )""",
)
#: Counts from before they were kept per day carry this day.
UNDATED = ""
_CORRUPTION_CODES = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})

Snapshot = dict[tuple[str, str], int]  # (name, label) -> total over the days read
Daily = dict[tuple[str, str, str], int]  # (day, name, label) -> count that day


@dataclass(frozen=True)
class Stored:
    """What the counters file holds: counts per day, and the gauges' latest values."""

    daily: Daily
    gauges: dict[str, float]

    def totals(self, since: str = "") -> Snapshot:
        """Each (name, label) summed over the days from `since` (ISO date; "" = all)."""
        result: Snapshot = {}
        for (day, name, label), value in self.daily.items():
            if day >= since or not since:
                result[(name, label)] = result.get((name, label), 0) + value
        return result


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

    def __init__(self, path: Path, timeout: float = 5.0,
                 today: Callable[[], dt.date] = dt.date.today) -> None:
        self.path = path
        self.timeout = timeout  # how long to wait for a writer in another process
        self._today = today
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with self._lock:
            self._guarded(lambda db: None)

    def increment(self, name: str, label: str = "", by: int = 1) -> None:
        """Add `by` (a whole number ≥ 0) to counter `name` / `label`."""
        check_counter(name, label)
        if isinstance(by, bool) or not isinstance(by, int) or by < 0:
            raise ValueError(f"counter {name!r}: cannot add {by!r}")

        day = self._today().isoformat()

        def add(db: sqlite3.Connection) -> None:
            _add(db, day, name, label, by)

        with self._lock:
            self._guarded(add)

    def set_gauge(self, name: str, value: float) -> None:
        """Set gauge `name` (one of GAUGES) to `value`."""
        if name not in GAUGES:
            raise ValueError(f"unknown gauge {name!r}")
        number = float(value)

        def put(db: sqlite3.Connection) -> None:
            db.execute("INSERT INTO gauges (name, value) VALUES (?, ?) "
                       "ON CONFLICT (name) DO UPDATE SET value = excluded.value", (name, number))

        with self._lock:
            self._guarded(put)

    def stored(self) -> Stored:
        """Everything the file holds."""
        result: list[Stored] = []
        with self._lock:
            self._guarded(lambda db: result.append(_read_stored(db)))
        return result[0]

    def snapshot(self) -> Snapshot:
        """Every counter as {(name, label): total over all days}."""
        return self.stored().totals()

    def prometheus_text(self) -> str:
        """The counters and gauges in Prometheus text exposition format."""
        return prometheus_text(self.stored())

    def write_prometheus(self, path: Path) -> None:
        """Write the export atomically (mode 0644) for node_exporter's textfile collector."""
        write_prometheus_file(path, self.stored())

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
                for statement in _SCHEMA:
                    db.execute(statement)
                _date_old_counts(db)
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


def _add(db: sqlite3.Connection, day: str, name: str, label: str, by: int) -> None:
    db.execute(
        "INSERT INTO daily (day, name, label, value) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (day, name, label) DO UPDATE SET value = value + excluded.value",
        (day, name, label, by),
    )


def _date_old_counts(db: sqlite3.Connection) -> None:
    """Move the counts of a file written before the days were kept into `daily`."""
    old = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'counters'")
    if old.fetchone() is None:
        return
    for name, label, value in db.execute("SELECT name, label, value FROM counters").fetchall():
        _add(db, UNDATED, str(name), str(label), int(value))
    db.execute("DROP TABLE counters")


def _read_stored(db: sqlite3.Connection) -> Stored:
    daily = {(str(day), str(name), str(label)): int(value) for day, name, label, value in
             db.execute("SELECT day, name, label, value FROM daily ORDER BY day, name, label")}
    gauges = {str(name): float(value) for name, value in
              db.execute("SELECT name, value FROM gauges ORDER BY name")}
    return Stored(daily, gauges)


def read_stored(path: Path) -> Stored:
    """Read a counters file without changing it; raises sqlite3.Error or OSError if unreadable.

    A missing file means no session was counted yet: nothing stored. A file from
    before the days were kept is read with its counts undated.
    """
    if not path.exists():
        return Stored({}, {})
    uri = f"{path.resolve().as_uri()}?mode=ro"
    with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=5.0)) as db:
        tables = {str(row[0]) for row in
                  db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "daily" in tables:
            return _read_stored(db)
        if "counters" in tables:
            rows = db.execute("SELECT name, label, value FROM counters").fetchall()
            return Stored({(UNDATED, str(n), str(lb)): int(v) for n, lb, v in rows}, {})
        return Stored({}, {})


# -- export ---------------------------------------------------------------------------------


def metric_name(name: str) -> str:
    """``borne_<name>`` (prometheus-client adds ``_total`` to counters)."""
    return METRIC_PREFIX + name.removesuffix("_total")


class _StoredCollector:
    """Hands prometheus-client the stored values as metric families."""

    def __init__(self, stored: Stored) -> None:
        self.stored = stored

    def collect(self) -> Iterator[Metric]:
        # Here, not at the top: prometheus-client takes ~80 ms to import (http.server and
        # all), which the kiosk's start must not pay; only the export needs it.
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

        totals = self.stored.totals()
        for name, (label_key, help_text) in sorted(COUNTERS.items()):
            samples = {label: value for (n, label), value in totals.items() if n == name}
            if not samples and name in ZERO_BY_DEFAULT:
                samples[""] = 0
            labelled = any(samples)
            family = CounterMetricFamily(metric_name(name), help_text,
                                         labels=[label_key] if labelled else None)
            for label, value in sorted(samples.items()):
                family.add_metric([label] if labelled else [], value)
            yield family
        for name, help_text in sorted(GAUGES.items()):
            if name in self.stored.gauges:
                yield GaugeMetricFamily(METRIC_PREFIX + name, help_text,
                                        value=self.stored.gauges[name])


def _registry(stored: Stored) -> CollectorRegistry:
    from prometheus_client import CollectorRegistry

    registry = CollectorRegistry(auto_describe=False)
    registry.register(_StoredCollector(stored))
    return registry


def prometheus_text(stored: Stored) -> str:
    """Every known counter with HELP and TYPE lines (plain totals default to 0), and the
    gauges that have a value."""
    from prometheus_client import generate_latest

    return generate_latest(_registry(stored)).decode("utf-8")


def write_prometheus_file(path: Path, stored: Stored) -> None:
    """Write the export to `path` through a temporary file and a rename, readable by the
    collector whatever the writer's umask (mode 0644).

    prometheus-client's temporary name does not end in ``.prom``, so the collector
    never reads a half-written file.
    """
    from prometheus_client import write_to_textfile

    write_to_textfile(str(path), _registry(stored))
    os.chmod(path, 0o644)
