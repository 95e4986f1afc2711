"""Atomic writes of the kiosk's small files."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from kiosk.files import write_atomically


def test_the_new_text_replaces_the_old_with_its_mode_and_nothing_else_is_left(
    tmp_path: Path,
) -> None:
    target = tmp_path / "state.json"
    target.write_text("old")
    os.chmod(target, 0o666)
    write_atomically(target, "nouveau contenu", mode=0o640)
    assert target.read_text(encoding="utf-8") == "nouveau contenu"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]


def test_a_failure_before_the_rename_keeps_the_old_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "mediators.toml"
    target.write_text("the old hashes")

    def refuse(fd: int) -> None:
        raise PermissionError(1, "no such group")

    with pytest.raises(PermissionError):
        write_atomically(target, "half", prepare=refuse)
    assert target.read_text() == "the old hashes"
    assert [p.name for p in tmp_path.iterdir()] == ["mediators.toml"]
