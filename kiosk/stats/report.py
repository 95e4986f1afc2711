"""``kiosk stats``: show the anonymous counters, optionally export them for Prometheus."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

from kiosk.settings import state_dir
from kiosk.stats.counters import COUNTERS, Snapshot, read_snapshot, write_prometheus_file

EXIT_OK = 0
EXIT_UNREADABLE = 2
DATABASE_NAME = "stats.sqlite"


def database_path() -> Path:
    """Where the kiosk keeps its counters."""
    return state_dir() / DATABASE_NAME


def print_stats(prometheus: Path | None) -> int:
    """Print the counters as a table; with `prometheus`, also write the export file there."""
    database = database_path()
    try:
        snapshot = read_snapshot(database)
    except (sqlite3.Error, OSError) as error:
        print(f"kiosk stats: cannot read {database}: {error}", file=sys.stderr)
        return EXIT_UNREADABLE
    print(format_table(snapshot, database))
    if prometheus is not None:
        try:
            write_prometheus_file(prometheus, snapshot)
        except OSError as error:
            print(f"kiosk stats: cannot write {prometheus}: {error.strerror or error}",
                  file=sys.stderr)
            return EXIT_UNREADABLE
        print(f"Prometheus export written to {prometheus}")
    return EXIT_OK


def format_table(snapshot: Snapshot, source: Path) -> str:
    """A plain-text table: counter, label (with its meaning), value."""
    lines = [f"Anonymous counters ({source})"]
    if not snapshot:
        lines.append("  no session recorded yet")
        return "\n".join(lines)
    rows = [("counter", "label", "value")]
    for (name, label), value in sorted(snapshot.items()):
        key = COUNTERS.get(name, ("label", ""))[0]
        rows.append((name, f"{key}={label}" if label else "", str(value)))
    widths = [max(len(row[i]) for row in rows) for i in range(2)]
    for name, label, shown in rows:
        lines.append(f"  {name:<{widths[0]}}  {label:<{widths[1]}}  {shown:>8}")
    return "\n".join(lines)
