"""``kiosk stats`` on a real counters file, through the real command line."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import subprocess
import sys
from pathlib import Path

from kiosk.stats.counters import Counters

REPO = Path(__file__).resolve().parents[2]


def kiosk(state_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk", *args], capture_output=True, text=True, timeout=60,
        cwd=REPO, env={**os.environ, "KIOSK_STATE_DIR": str(state_dir)}, check=False,
    )


def test_stats_prints_a_table_and_writes_the_export(tmp_path: Path) -> None:
    counters = Counters(tmp_path / "stats.sqlite")
    counters.increment("sessions_total", by=5)
    counters.increment("tiles_opened", label="caf", by=2)
    prom = tmp_path / "borne.prom"

    result = kiosk(tmp_path, "stats", "--prometheus", str(prom))

    assert result.returncode == 0, result.stderr
    rows = [line.split() for line in result.stdout.splitlines()]
    assert ["sessions_total", "5"] in rows
    assert ["tiles_opened", "procedure=caf", "2"] in rows
    assert prom.read_text() == counters.prometheus_text()


def test_stats_without_any_session_yet(tmp_path: Path) -> None:
    result = kiosk(tmp_path, "stats")
    assert result.returncode == 0, result.stderr
    assert "no session recorded yet" in result.stdout


def test_an_unreadable_database_gives_one_line_and_status_2(tmp_path: Path) -> None:
    (tmp_path / "stats.sqlite").write_bytes(b"garbage" * 500)

    result = kiosk(tmp_path, "stats")

    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "cannot read" in result.stderr
    assert (tmp_path / "stats.sqlite").read_bytes() == b"garbage" * 500  # left for IT staff


def dated_counters(path: Path, *days: dt.date) -> Counters:
    clock = iter(days)
    return Counters(path, today=lambda: next(clock))


def test_the_csv_has_a_row_per_day_and_partner_then_the_days_totals(tmp_path: Path) -> None:
    first, second = dt.date(2026, 11, 2), dt.date(2026, 11, 3)
    counters = dated_counters(tmp_path / "stats.sqlite", *[first] * 9, *[second] * 2)
    for _ in range(4):
        counters.increment("partner_opened", label="caf")
    counters.increment("partner_opened", label="dgfip")
    counters.increment("sessions_total", by=5)
    counters.increment("pages_printed", by=7)
    counters.increment("wipes_verified", by=2)
    counters.increment("wipes_failed", label="delete_session_dir")
    counters.increment("partner_opened", label="ants")
    counters.increment("sessions_total")

    result = kiosk(tmp_path, "stats", "--csv")

    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    by_day = [(r["date"], r["partner"], r["procedures_opened"]) for r in rows]
    assert by_day == [("2026-11-02", "caf", "4"), ("2026-11-02", "dgfip", "<3"),
                      ("2026-11-02", "all", "5"), ("2026-11-03", "ants", "<3"),
                      ("2026-11-03", "all", "<3")]
    totals = rows[2]
    assert (totals["sessions"], totals["pages_printed"], totals["wipes_verified"],
            totals["wipes_failed"], totals["scans"]) == ("5", "7", "<3", "<3", "0")

    since = kiosk(tmp_path, "stats", "--csv", "--since", "2026-11-03")
    assert [line.split(",")[:2] for line in since.stdout.splitlines()[1:]] == [
        ["2026-11-03", "ants"], ["2026-11-03", "all"]]


def test_a_date_that_is_not_one_is_refused_in_one_sentence(tmp_path: Path) -> None:
    result = kiosk(tmp_path, "stats", "--since", "last monday")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        'kiosk stats: "last monday" is not a date; write it as YYYY-MM-DD, '
        "for example 2026-11-01."]
