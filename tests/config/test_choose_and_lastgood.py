"""Which profile is used, and what is remembered of the last good one."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config.lastgood import FILE_NAME, recall, remember
from kiosk.config.load import choose_profile_path, load_profile, packaged_default_profile
from kiosk.config.schema import Profile


def test_an_explicit_path_wins_even_when_missing(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    system = tmp_path / "system.toml"
    system.write_text("schema = 1\n")
    monkeypatch.setenv("KIOSK_SYSTEM_PROFILE", str(system))
    missing = tmp_path / "typo.toml"
    # A typo in --profile must be reported, not silently replaced by another profile.
    assert choose_profile_path(missing) == missing


def test_the_system_profile_comes_before_the_default(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    system = tmp_path / "system.toml"
    monkeypatch.setenv("KIOSK_SYSTEM_PROFILE", str(system))
    assert choose_profile_path(None) == packaged_default_profile()
    system.write_text("schema = 1\n")
    assert choose_profile_path(None) == system


def test_the_packaged_default_is_a_complete_real_profile() -> None:
    profile = load_profile(packaged_default_profile())
    assert len(profile.procedures) >= 12
    groups_used = {p.group for p in profile.procedures}
    assert len(groups_used) >= 5
    for procedure in profile.procedures:
        assert procedure.start_url.startswith("https://"), procedure.id
        assert procedure.other_ways, f"{procedure.id} has no other ways"
        for lang in profile.terminal.languages:
            assert procedure.title.get(lang) != "", (procedure.id, lang)
    assert profile.help.phone
    # FranceConnect must be reachable from the procedures that log in through it.
    assert profile.allowlist().allows_url("https://app.franceconnect.gouv.fr/")


def test_remember_then_recall_the_desk(tmp_path: Path, sample_profile: Profile) -> None:
    assert recall(tmp_path) is None
    remember(sample_profile, tmp_path / "state")
    last = recall(tmp_path / "state")
    assert last is not None
    assert last.desk == "Accueil, rez-de-chaussée"
    assert last.phone == "01 23 45 67 89"
    assert "lundi" in last.hours


def test_a_damaged_memory_is_ignored(tmp_path: Path) -> None:
    (tmp_path / FILE_NAME).write_text("{not json")
    assert recall(tmp_path) is None


def test_remember_survives_a_read_only_state_dir(tmp_path: Path,
                                                sample_profile: Profile) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    remember(sample_profile, blocker / "state")  # mkdir fails: logged, not raised
    assert recall(blocker / "state") is None
