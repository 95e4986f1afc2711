"""``kiosk stats``: the anonymous counters as a table, a CSV for a monthly report, or a
Prometheus export.

The CSV is what a France Services coordinator pastes into their monthly report:
one row per day and partner organisation with the procedures opened, then one
"all" row per day with that day's totals. Counts of 1 or 2 are written "<3": a
small terminal's day could otherwise single somebody out.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import sqlite3
import sys
from pathlib import Path

from kiosk.settings import state_dir
from kiosk.stats.counters import COUNTERS, UNDATED, Stored, read_stored, write_prometheus_file

EXIT_OK = 0
EXIT_UNREADABLE = 2
DATABASE_NAME = "stats.sqlite"
SMALL_COUNT = 3  # counts under this are shown as "<3" in exports
ALL_PARTNERS = "all"
#: The CSV's day totals: column -> (counter, label or None for every label).
DAY_COLUMNS: dict[str, tuple[str, str | None]] = {
    "sessions": ("sessions_total", None),
    "pages_printed": ("pages_printed", None),
    "print_failures": ("print_failures", None),
    "scans": ("scans", None),
    "uploads": ("uploads", None),
    "assisted_sessions": ("assisted_sessions", None),
    "blocked_navigations": ("blocked_navigations", None),
    "wipes_verified": ("wipes_verified", None),
    "wipes_failed": ("wipes_failed", None),
}


def database_path() -> Path:
    """Where the kiosk keeps its counters."""
    return state_dir() / DATABASE_NAME


def parse_since(text: str | None) -> str:
    """An ISO date (YYYY-MM-DD) as given, or ValueError with a plain sentence."""
    if not text:
        return ""
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise ValueError(f'"{text}" is not a date; write it as YYYY-MM-DD, '
                         "for example 2026-11-01.") from None


def print_stats(prometheus: Path | None, since: str | None = None, as_csv: bool = False) -> int:
    """Print the counters (a table, or CSV); with `prometheus`, also write the export there."""
    try:
        first_day = parse_since(since)
    except ValueError as error:
        print(f"kiosk stats: {error}", file=sys.stderr)
        return EXIT_UNREADABLE
    database = database_path()
    try:
        stored = read_stored(database)
    except (sqlite3.Error, OSError) as error:
        print(f"kiosk stats: cannot read {database}: {error}", file=sys.stderr)
        return EXIT_UNREADABLE
    print(format_csv(stored, first_day) if as_csv else format_table(stored, database, first_day),
          end="" if as_csv else "\n")
    if prometheus is not None:
        try:
            write_prometheus_file(prometheus, stored)
        except OSError as error:
            print(f"kiosk stats: cannot write {prometheus}: {error.strerror or error}",
                  file=sys.stderr)
            return EXIT_UNREADABLE
        print(f"Prometheus export written to {prometheus}", file=sys.stderr if as_csv
              else sys.stdout)
    return EXIT_OK


def format_table(stored: Stored, source: Path, since: str = "") -> str:
    """A plain-text table of the totals: counter, label (with its meaning), value."""
    period = f" since {since}" if since else ""
    lines = [f"Anonymous counters{period} ({source})"]
    totals = stored.totals(since)
    days = sorted({day for day, _name, _label in stored.daily if day >= since or not since})
    if not totals:
        lines.append("  no session recorded yet")
        return "\n".join(lines)
    dated = [day for day in days if day != UNDATED]
    if dated:
        lines.append(f"  days: {dated[0]} to {dated[-1]}")
    rows = [("counter", "label", "value")]
    for (name, label), value in sorted(totals.items()):
        key = COUNTERS.get(name, ("label", ""))[0]
        rows.append((name, f"{key}={label}" if label else "", str(value)))
    widths = [max(len(row[i]) for row in rows) for i in range(2)]
    for name, label, shown in rows:
        lines.append(f"  {name:<{widths[0]}}  {label:<{widths[1]}}  {shown:>8}")
    return "\n".join(lines)


def shown_count(value: int) -> str:
    """A count as exported: "<3" for 1 and 2, so that a quiet day names nobody."""
    return f"<{SMALL_COUNT}" if 0 < value < SMALL_COUNT else str(value)


def format_csv(stored: Stored, since: str = "") -> str:
    """Per day: a row per partner (procedures opened), then the day's totals ("all")."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["date", "partner", "procedures_opened", *DAY_COLUMNS])
    days = sorted({day for day, _n, _l in stored.daily
                   if day != UNDATED and (not since or day >= since)})
    for day in days:
        counts = {(name, label): value for (d, name, label), value in stored.daily.items()
                  if d == day}
        opened = {label: value for (name, label), value in counts.items()
                  if name == "partner_opened"}
        for partner, value in sorted(opened.items()):
            writer.writerow([day, partner, shown_count(value), *([""] * len(DAY_COLUMNS))])
        totals = [shown_count(_day_total(counts, counter, label))
                  for counter, label in DAY_COLUMNS.values()]
        writer.writerow([day, ALL_PARTNERS, shown_count(sum(opened.values())), *totals])
    return out.getvalue()


def _day_total(counts: dict[tuple[str, str], int], counter: str, label: str | None) -> int:
    return sum(value for (name, lab), value in counts.items()
               if name == counter and (label is None or lab == label))
