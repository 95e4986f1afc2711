"""`kiosk doctor`: one line per check, a fix for each failure, a non-zero status."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from harness import SAMPLE_PROFILE, XScreen
from kiosk_process import line_of, run_doctor


def test_without_a_display_the_doctor_says_what_to_do(tmp_path: Path) -> None:
    result = run_doctor(tmp_path, "--profile", str(SAMPLE_PROFILE))
    assert result.returncode == 1
    display = line_of(result.stdout, "display")
    assert display.startswith("FAIL") and "DISPLAY is not set" in display and "->" in display
    assert line_of(result.stdout, "profile").startswith("OK")
    assert "Traceback" not in result.stdout + result.stderr


def test_on_a_screen_display_and_window_manager_pass(tmp_path: Path, screen: XScreen) -> None:
    result = run_doctor(tmp_path, "--profile", str(SAMPLE_PROFILE), DISPLAY=screen.display)
    assert line_of(result.stdout, "display").startswith("OK")
    assert line_of(result.stdout, "openbox").startswith("OK")
    assert line_of(result.stdout, "chromium").startswith("OK")
    assert line_of(result.stdout, "tk").startswith("OK")


def test_a_broken_profile_and_missing_policies_are_failures(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    sample = SAMPLE_PROFILE.read_text(encoding="utf-8")
    broken.write_text(sample.replace("schema = 1", "schema = 9"), encoding="utf-8")
    result = run_doctor(tmp_path, "--profile", str(broken))
    assert result.returncode == 1
    profile = line_of(result.stdout, "profile")
    assert profile.startswith("FAIL") and "schema" in profile
    assert f"kiosk profile check {broken}" in profile
    assert line_of(result.stdout, "policies").startswith("FAIL")


def test_leftover_sessions_are_reported(tmp_path: Path) -> None:
    leftover = tmp_path / "sessions" / "session-left-by-a-power-cut"
    leftover.mkdir(parents=True)
    result = run_doctor(tmp_path, "--profile", str(SAMPLE_PROFILE))
    assert line_of(result.stdout, "sessions").startswith("WARN")
    assert "1 leftover" in line_of(result.stdout, "sessions")


def test_the_browser_checked_is_the_one_kiosk_run_starts(tmp_path: Path) -> None:
    # Another distribution's Chromium lives elsewhere (KIOSK_CHROMIUM).
    browser = tmp_path / "chromium-browser"
    browser.write_text("#!/bin/sh\necho 'Chromium 1.2.3 of another distribution'\n",
                       encoding="utf-8")
    browser.chmod(0o755)
    result = run_doctor(tmp_path, "--profile", str(SAMPLE_PROFILE),
                        KIOSK_CHROMIUM=str(browser))
    assert line_of(result.stdout, "chromium") == (
        "OK    chromium     Chromium 1.2.3 of another distribution")
    missing = run_doctor(tmp_path, "--profile", str(SAMPLE_PROFILE),
                         KIOSK_CHROMIUM=str(tmp_path / "absent"))
    chromium = line_of(missing.stdout, "chromium")
    assert chromium.startswith("FAIL") and "KIOSK_CHROMIUM" in chromium


def test_the_kiosk_logs_when_the_machine_policy_refuses_its_sites(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import kiosk.browser.chromium
    from kiosk.browser.policies import install_for_profile
    from kiosk.runner import warn_if_policy_refuses_sites

    monkeypatch.setattr(kiosk.browser.chromium, "running_as_root", lambda: False)
    monkeypatch.setenv("KIOSK_POLICY_DIR", str(tmp_path))
    packaged = Path(__file__).resolve().parent.parent / "packaging" / "chromium" / "borne.json"
    (tmp_path / "borne.json").write_bytes(packaged.read_bytes())  # the lockdown alone
    with caplog.at_level(logging.ERROR, logger="kiosk.runner"):
        warn_if_policy_refuses_sites(SAMPLE_PROFILE)
    assert "Chromium refuses them" in caplog.text and "systemctl restart borne" in caplog.text
    caplog.clear()
    assert install_for_profile(SAMPLE_PROFILE, tmp_path / "borne.json") == 0  # as the unit does
    with caplog.at_level(logging.ERROR, logger="kiosk.runner"):
        warn_if_policy_refuses_sites(SAMPLE_PROFILE)
    assert caplog.text == ""


def test_the_mediators_check_counts_them_or_says_why_assisted_mode_is_unavailable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import date

    from kiosk.assisted.mediators import add_mediator
    from kiosk.doctor import check_mediators

    path = tmp_path / "mediators.toml"

    def mediators_line(*args: str) -> str:
        result = run_doctor(tmp_path, "--profile", str(SAMPLE_PROFILE), *args,
                            KIOSK_MEDIATORS=str(path))
        assert "Traceback" not in result.stdout + result.stderr
        return line_of(result.stdout, "mediators")

    # The whole doctor for the first and last cases (each run looks for scanners too,
    # seconds); the same check in this process for the cases between.
    missing = mediators_line()
    assert missing.startswith("WARN") and "assisted mode is unavailable" in missing
    assert f"{path} does not exist" in missing
    monkeypatch.setenv("KIOSK_MEDIATORS", str(path))
    add_mediator(path, "Amina", "482913", with_totp=False, today=date(2024, 5, 2))
    add_mediator(path, "Bob", "7654321", with_totp=True, today=date(2024, 5, 2))
    assert check_mediators().line() == (
        f"OK    mediators    2 mediator(s) in {path}, 1 with a second factor")
    path.chmod(0o644)
    loose = check_mediators().line()
    assert loose.startswith("FAIL") and f"chmod 0640 {path}" in loose
    path.write_text("[mediators.Amina\n", encoding="utf-8")
    path.chmod(0o640)
    corrupted = check_mediators().line()
    assert corrupted.startswith("FAIL") and "not a valid mediators file" in corrupted
    folder = tmp_path / "folder"
    folder.mkdir()
    unreadable = mediators_line("--mediators", str(folder))  # the option wins
    assert unreadable.startswith("FAIL") and f"{folder} is a folder" in unreadable
