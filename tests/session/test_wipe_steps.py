"""Every wipe step runs even when an earlier one fails; the log keeps no resident data."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest

from kiosk.session.directory import SessionDirectory, ensure_private_dir
from kiosk.session.wipe import WipeStep, run_wipe


def test_a_failing_step_does_not_stop_the_next_ones(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    root = tmp_path / "sessions"
    ensure_private_dir(root)
    directory = SessionDirectory.create(root)
    (directory.documents / "Dupont-Jeanne-avis.pdf").write_bytes(b"%PDF")
    cleared: list[str] = []

    def browser_will_not_die() -> None:
        raise RuntimeError("renderer for https://impots.gouv.fr/?nom=Dupont survived")

    def missing_file() -> None:
        open(directory.documents / "Dupont-Jeanne-avis.pdf.part")  # noqa: SIM115

    steps = [
        WipeStep("kill_browser", browser_will_not_die),
        WipeStep("delete_session_dir", directory.wipe),
        WipeStep("odd_step", missing_file),
        WipeStep("clear_clipboard", lambda: cleared.append("done")),
    ]
    with caplog.at_level(logging.ERROR):
        report = run_wipe(steps)

    assert report.failed_steps == ["kill_browser", "odd_step"]
    assert not report.ok
    assert not directory.path.exists()
    assert cleared == ["done"]
    assert list(report.durations) == [s.name for s in steps]
    logged = caplog.text
    assert "kill_browser" in logged and "RuntimeError" in logged
    assert "FileNotFoundError [errno 2]" in logged
    assert "Dupont" not in logged and "impots" not in logged


def test_a_clean_wipe_reports_nothing_failed() -> None:
    report = run_wipe([WipeStep("a", lambda: None), WipeStep("b", lambda: 42)])
    assert report.ok
    assert report.failed_steps == []


STEP_SLEEP = 0.05


def sleep_then_fail() -> None:
    time.sleep(STEP_SLEEP)
    raise OSError("still busy")


def test_each_steps_duration_covers_its_work_even_when_it_fails() -> None:
    # A lower bound only: an upper bound would flake on a loaded machine.
    report = run_wipe([
        WipeStep("slow", lambda: time.sleep(STEP_SLEEP)),
        WipeStep("slow_then_failing", sleep_then_fail),
        WipeStep("instant", lambda: None),
    ])
    assert report.failed_steps == ["slow_then_failing"]
    assert report.durations["slow"] >= STEP_SLEEP
    assert report.durations["slow_then_failing"] >= STEP_SLEEP
    assert set(report.durations) == {"slow", "slow_then_failing", "instant"}


def test_each_check_runs_after_every_step_and_a_failing_or_broken_check_is_named() -> None:
    order: list[str] = []

    def checked(name: str) -> bool:
        order.append(name)
        return True

    def broken_check() -> bool:
        raise OSError(5, "cannot look")

    report = run_wipe([
        WipeStep("a", lambda: order.append("a"), verify=lambda: checked("check a")),
        WipeStep("b", lambda: order.append("b"), verify=lambda: False),
        WipeStep("c", lambda: order.append("c"), verify=broken_check),
        WipeStep("d", lambda: order.append("d")),
    ])
    assert order == ["a", "b", "c", "d", "check a"]
    assert report.failed_steps == []
    assert report.failed_checks == ["b", "c"]
    assert not report.ok
