"""``kiosk stats`` on a real counters file, through the real command line."""

from __future__ import annotations

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
