"""The mediators file: every way it can be unusable, in one sentence; how it is written."""

from __future__ import annotations

import grp
import os
import stat
from datetime import date
from pathlib import Path

import pytest

from kiosk.assisted import mediators
from kiosk.assisted.mediators import (
    Mediator,
    MediatorsFileError,
    PinHash,
    Problem,
    add_mediator,
    find_by_pin,
    read_mediators,
    write_mediators,
)

PIN = "482913"


def written(tmp_path: Path, *names: str) -> Path:
    path = tmp_path / "mediators.toml"
    for index, name in enumerate(names):
        add_mediator(path, name, f"{PIN}{index}", with_totp=False, today=date(2024, 5, 2))
    return path


def problem_of(path: Path) -> MediatorsFileError:
    with pytest.raises(MediatorsFileError) as caught:
        read_mediators(path)
    message = caught.value.message
    assert "\n" not in message and message.endswith(".") and str(path) in message
    return caught.value


def test_a_missing_file(tmp_path: Path) -> None:
    error = problem_of(tmp_path / "none.toml")
    assert error.problem is Problem.MISSING and "kiosk mediator add" in error.message


def test_an_unreadable_file(tmp_path: Path) -> None:
    (tmp_path / "folder").mkdir()
    assert problem_of(tmp_path / "folder").problem is Problem.UNREADABLE


@pytest.mark.parametrize(("text", "detail"), [
    (b"\xff\xfe[mediators]", "UTF-8"),
    (b"[mediators.Amina\n", "TOML"),
    (b"[others]\n", "unknown table"),
    (b'[mediators.Amina]\nadded = "yesterday"\n', "added is not a date"),
    (b"[mediators.Amina]\nadded = 2024-05-02\n", "salt is missing"),
], ids=["binary", "toml", "table", "date", "salt"])
def test_a_corrupted_file(tmp_path: Path, text: bytes, detail: str) -> None:
    path = tmp_path / "mediators.toml"
    path.write_bytes(text)
    path.chmod(0o600)
    error = problem_of(path)
    assert error.problem is Problem.CORRUPTED and detail in error.message


def test_absurd_scrypt_parameters_are_a_corruption(tmp_path: Path) -> None:
    path = written(tmp_path, "Amina")
    path.write_text(path.read_text(encoding="utf-8").replace("n = 16384", "n = 1073741824"),
                    encoding="utf-8")
    assert "power of two" in problem_of(path).message


def test_a_file_open_to_every_user_is_refused(tmp_path: Path) -> None:
    path = written(tmp_path, "Amina")
    path.chmod(0o644)
    error = problem_of(path)
    assert error.problem is Problem.PERMISSIONS
    assert "0644" in error.message and f"chmod 0640 {path}" in error.message
    assert [m.name for m in read_mediators(path, check_permissions=False)] == ["Amina"]


def test_written_0640_to_the_kiosk_group_when_there_is_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    try:
        group = grp.getgrnam("nogroup")
    except KeyError:
        pytest.skip("this machine has no 'nogroup' group to stand for the kiosk's")
    if os.geteuid() != 0:
        pytest.skip("giving a file to another group needs root")
    monkeypatch.setattr(mediators, "KIOSK_GROUP", "nogroup")
    result = write_mediators(tmp_path / "m.toml", ())
    info = (tmp_path / "m.toml").stat()
    assert stat.S_IMODE(info.st_mode) == 0o640 and info.st_gid == group.gr_gid
    assert (result.mode, result.group) == (0o640, "nogroup")
    assert "mode 0640, group nogroup" in result.describe()


def test_written_0600_without_a_kiosk_group(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mediators, "KIOSK_GROUP", "no-such-group-for-borne")
    result = write_mediators(tmp_path / "m.toml", ())
    assert stat.S_IMODE((tmp_path / "m.toml").stat().st_mode) == 0o600
    assert result.group is None and "only its owner can read it" in result.describe()


def test_names_round_trip_and_pins_are_found_by_their_hash(tmp_path: Path) -> None:
    names = ('Zoé "la" Dupont', "O'Neil \\ Jr", "محمد")
    path = written(tmp_path, *names)
    read = read_mediators(path)
    assert [m.name for m in read] == list(names)
    assert all(PIN not in line for line in path.read_text(encoding="utf-8").splitlines())
    assert find_by_pin(read, f"{PIN}1") == read[1]
    assert find_by_pin(read, "000000") is None


def test_older_parameters_still_verify(tmp_path: Path) -> None:
    # An entry written with other scrypt parameters keeps working.
    salt = b"0123456789abcdef"
    weaker = PinHash(salt, mediators._scrypt(PIN, salt, 2**12, 8, 2, 32), n=2**12, r=8, p=2)
    path = tmp_path / "m.toml"
    write_mediators(path, (Mediator("Amina", date(2020, 1, 1), weaker),))
    (read,) = read_mediators(path)
    assert (read.pin.n, read.pin.p) == (2**12, 2) and read.pin.matches(PIN)
