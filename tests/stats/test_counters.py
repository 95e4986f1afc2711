"""Counters in a real SQLite file: round trip, privacy, Prometheus export, damaged file."""

from __future__ import annotations

import datetime as dt
import logging
import os
import sqlite3
import stat
import threading
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from kiosk.stats.counters import (
    GAUGES,
    UNDATED,
    Counters,
    Stored,
    duration_bucket,
    prometheus_text,
    read_stored,
)


def parse_prometheus(text: str) -> dict[tuple[str, str, str], float]:
    """Read the export back with prometheus-client's own parser:
    {(sample name, label key, label value): number}; each family typed as we meant."""
    samples: dict[tuple[str, str, str], float] = {}
    for family in text_string_to_metric_families(text):
        expected = "gauge" if family.name.removeprefix("borne_") in GAUGES else "counter"
        assert family.type == expected, family.name
        for sample in family.samples:
            if sample.name.endswith("_created"):
                continue
            (key, value), = sample.labels.items() if sample.labels else (("", ""),)
            samples[(sample.name, key, value)] = sample.value
    return samples


@pytest.fixture
def counters(tmp_path: Path) -> Counters:
    return Counters(tmp_path / "state" / "stats.sqlite")


def test_round_trip_survives_reopening(counters: Counters) -> None:
    counters.increment("sessions_total")
    counters.increment("sessions_total")
    counters.increment("tiles_opened", label="caf")
    counters.increment("pages_printed", by=3)
    counters.increment("session_end", label="idle")
    counters.increment("session_duration_bucket", label=duration_bucket(400))

    again = Counters(counters.path)
    assert again.snapshot() == {
        ("sessions_total", ""): 2,
        ("tiles_opened", "caf"): 1,
        ("pages_printed", ""): 3,
        ("session_end", "idle"): 1,
        ("session_duration_bucket", "5-15min"): 1,
    }


def test_increments_from_many_threads_are_all_counted(counters: Counters) -> None:
    def work() -> None:
        for _ in range(25):
            counters.increment("scans")

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert counters.snapshot() == {("scans", ""): 100}


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("visited_urls", ""),
        ("tiles_opened", "https://www.caf.fr/?nom=dupont"),
        ("tiles_opened", "Jeanne Dupont"),
        ("session_end", "jeanne.dupont@example.org"),
        ("tiles_opened", "x" * 65),
        ("tiles_opened", "a\nb"),
        ("tiles_opened", 'caf"}'),
    ],
)
def test_anything_but_known_counters_and_plain_labels_is_refused(
    counters: Counters, name: str, label: str
) -> None:
    with pytest.raises(ValueError) as refused:
        counters.increment(name, label=label)
    if label:
        assert label not in str(refused.value)
    assert counters.snapshot() == {}


def test_negative_or_odd_amounts_are_refused(counters: Counters) -> None:
    for amount in (-1, 1.5, True):
        with pytest.raises(ValueError):
            counters.increment("pages_printed", by=amount)  # type: ignore[arg-type]
    assert counters.snapshot() == {}


def test_prometheus_text_parses_back(counters: Counters) -> None:
    counters.increment("sessions_total", by=7)
    counters.increment("session_end", label="idle", by=4)
    counters.increment("session_end", label="button", by=3)
    counters.increment("session_duration_bucket", label="<5min", by=2)
    counters.increment("session_duration_bucket", label=">60min")
    counters.increment("tiles_opened", label="caf")

    samples = parse_prometheus(counters.prometheus_text())

    assert samples == {
        ("borne_sessions_total", "", ""): 7,
        ("borne_session_end_total", "reason", "idle"): 4,
        ("borne_session_end_total", "reason", "button"): 3,
        ("borne_session_duration_bucket_total", "bucket", "<5min"): 2,
        ("borne_session_duration_bucket_total", "bucket", ">60min"): 1,
        ("borne_tiles_opened_total", "procedure", "caf"): 1,
        ("borne_pages_printed_total", "", ""): 0,
        ("borne_scans_total", "", ""): 0,
        ("borne_assisted_sessions_total", "", ""): 0,
        ("borne_wipes_verified_total", "", ""): 0,
        ("borne_uploads_total", "", ""): 0,
    }


def test_gauges_are_exported_with_their_latest_value(counters: Counters) -> None:
    counters.set_gauge("printer_up", 1)
    counters.set_gauge("printer_up", 0)
    counters.set_gauge("last_verified_wipe_timestamp_seconds", 1796000000.5)
    samples = parse_prometheus(counters.prometheus_text())
    assert samples[("borne_printer_up", "", "")] == 0
    assert samples[("borne_last_verified_wipe_timestamp_seconds", "", "")] == 1796000000.5
    assert ("borne_scanner_up", "", "") not in samples  # never reported: not made up
    with pytest.raises(ValueError):
        counters.set_gauge("resident_name", 1)


def test_counts_are_kept_per_day_and_summed_in_totals(tmp_path: Path) -> None:
    days = iter([dt.date(2026, 11, 2), dt.date(2026, 11, 2), dt.date(2026, 11, 3)])
    counters = Counters(tmp_path / "stats.sqlite", today=lambda: next(days))
    for _ in range(3):
        counters.increment("partner_opened", label="caf")
    stored = read_stored(counters.path)
    assert stored.daily == {("2026-11-02", "partner_opened", "caf"): 2,
                            ("2026-11-03", "partner_opened", "caf"): 1}
    assert stored.totals() == {("partner_opened", "caf"): 3}
    assert stored.totals(since="2026-11-03") == {("partner_opened", "caf"): 1}


def test_a_file_from_before_the_days_were_kept_keeps_its_counts(tmp_path: Path) -> None:
    path = tmp_path / "stats.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE counters (name TEXT NOT NULL, label TEXT NOT NULL, "
                   "value INTEGER NOT NULL, PRIMARY KEY (name, label))")
        db.execute("INSERT INTO counters VALUES ('sessions_total', '', 41)")
    db.close()
    assert read_stored(path).totals() == {("sessions_total", ""): 41}  # read as it is

    counters = Counters(path, today=lambda: dt.date(2026, 11, 30))
    counters.increment("sessions_total")

    assert counters.stored().daily == {(UNDATED, "sessions_total", ""): 41,
                                       ("2026-11-30", "sessions_total", ""): 1}


def test_label_values_are_escaped() -> None:
    label = 'a"b\\c\nd'
    text = prometheus_text(Stored({("2026-11-30", "blocked_navigations", label): 1}, {}))
    assert parse_prometheus(text)[("borne_blocked_navigations_total", "reason", label)] == 1


def test_prometheus_file_is_written_whole_and_readable(counters: Counters, tmp_path: Path) -> None:
    counters.increment("assisted_sessions")
    target = tmp_path / "textfile" / "borne.prom"
    target.parent.mkdir()
    target.write_text("old content")
    os.chmod(target, 0o600)

    counters.write_prometheus(target)

    assert target.read_text() == counters.prometheus_text()
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert sorted(p.name for p in target.parent.iterdir()) == ["borne.prom"]


def test_a_damaged_database_is_set_aside_and_started_afresh(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "stats.sqlite"
    path.write_bytes(b"this is not a database, the disk was full" * 100)

    with caplog.at_level(logging.ERROR):
        counters = Counters(path)
        counters.increment("sessions_total")

    assert counters.snapshot() == {("sessions_total", ""): 1}
    assert "damaged" in caplog.text
    assert (tmp_path / "stats.sqlite.corrupt").read_bytes().startswith(b"this is not")


def test_a_database_damaged_while_open_is_recovered(counters: Counters) -> None:
    counters.increment("scans")
    counters.path.write_bytes(b"\0" * 100 + b"garbage" * 1000)

    counters.increment("scans")

    assert counters.snapshot() == {("scans", ""): 1}


def test_a_locked_database_is_not_mistaken_for_damage(tmp_path: Path) -> None:
    counters = Counters(tmp_path / "stats.sqlite", timeout=0.1)
    counters.increment("scans")
    blocker = sqlite3.connect(counters.path)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            counters.increment("scans")
    finally:
        blocker.rollback()
        blocker.close()
    assert counters.snapshot() == {("scans", ""): 1}
    assert not counters.path.with_name("stats.sqlite.corrupt").exists()


@pytest.mark.parametrize(
    ("seconds", "bucket"),
    [(0, "<5min"), (299.9, "<5min"), (300, "5-15min"), (899, "5-15min"), (900, "15-30min"),
     (1800, "30-60min"), (3599, "30-60min"), (3600, ">60min"), (86400, ">60min")],
)
def test_duration_buckets(seconds: float, bucket: str) -> None:
    assert duration_bucket(seconds) == bucket
