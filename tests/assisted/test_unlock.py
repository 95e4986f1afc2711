"""Unlocking: right and wrong PINs, the lockout and its back-off across restarts, TOTP."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from kiosk.assisted import totp
from kiosk.assisted.lockout import Lockout, LockState
from kiosk.assisted.mediators import Problem, add_mediator
from kiosk.assisted.unlock import (
    Accepted,
    CodeNeeded,
    Locked,
    Unavailable,
    Unlocker,
    Wrong,
    message,
)
from kiosk.i18n import set_language

PIN, OTHER, WRONG = "482913", "7654321", "111111"
T0 = 1_700_000_000.0


class Clock:
    """The wall clock (`now`) and the boot clock, which moves with it except when the
    wall clock is set (`set_wall_clock`)."""

    def __init__(self) -> None:
        self.now = T0
        self.wall_jumps = 0.0

    def __call__(self) -> float:
        return self.now

    def since_boot(self) -> float:
        return 100.0 + self.now - T0 - self.wall_jumps

    def set_wall_clock(self, by: float) -> None:
        self.now += by
        self.wall_jumps += by


BOOT = "3f1c-boot"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def mediators_file(tmp_path: Path) -> Path:
    path = tmp_path / "mediators.toml"
    add_mediator(path, "Amina", PIN, with_totp=False, today=date(2024, 5, 2))
    add_mediator(path, "Bob", OTHER, with_totp=False, today=date(2024, 5, 2))
    return path


def unlocker(tmp_path: Path, mediators_file: Path, clock: Clock) -> Unlocker:
    """A fresh object on the same state folder: what a restart of the kiosk gives."""
    return Unlocker(mediators_file, lockout(tmp_path / "state", clock), clock=clock)


def lockout(state: Path, clock: Clock, boot: str = BOOT) -> Lockout:
    return Lockout(state, boot_clock=clock.since_boot, boot_id=lambda: boot)


def test_the_pin_says_who_unlocks(tmp_path: Path, mediators_file: Path, clock: Clock) -> None:
    pad = unlocker(tmp_path, mediators_file, clock)
    assert pad.availability() is None
    assert pad.attempt(OTHER) == Accepted("Bob")
    assert pad.attempt(PIN) == Accepted("Amina")


def test_wrong_pins_count_down_then_lock_even_the_right_one(
    tmp_path: Path, mediators_file: Path, clock: Clock
) -> None:
    pad = unlocker(tmp_path, mediators_file, clock)
    answers = [pad.attempt(pin) for pin in (WRONG, "12", "abcdef", WRONG)]
    assert answers == [Wrong(4), Wrong(3), Wrong(2), Wrong(1)]
    assert pad.attempt(WRONG) == Locked(T0 + 60)
    assert pad.attempt(PIN) == Locked(T0 + 60)
    assert pad.current_lock() == Locked(T0 + 60)
    clock.now = T0 + 60
    assert pad.current_lock() is None
    assert pad.attempt(PIN) == Accepted("Amina")


def test_the_lock_and_its_back_off_survive_a_restart(
    tmp_path: Path, mediators_file: Path, clock: Clock
) -> None:
    for expected in (60, 300, 900, 900):
        start = clock.now
        for _ in range(5):
            last = unlocker(tmp_path, mediators_file, clock).attempt(WRONG)  # a restart each
        assert last == Locked(start + expected)
        restarted = unlocker(tmp_path, mediators_file, clock)
        assert restarted.attempt(PIN) == Locked(start + expected)
        clock.now = start + expected
    # A right PIN once the lock is over starts everything again.
    assert unlocker(tmp_path, mediators_file, clock).attempt(PIN) == Accepted("Amina")
    assert lockout(tmp_path / "state", clock).check(clock.now) == LockState(None, 5)
    for _ in range(5):
        last = unlocker(tmp_path, mediators_file, clock).attempt(WRONG)
    assert last == Locked(clock.now + 60)


def test_after_a_reboot_a_clock_set_back_does_not_lock_longer_than_the_longest_lock(
    tmp_path: Path, clock: Clock
) -> None:
    pad = lockout(tmp_path, clock)
    for _ in range(5):
        pad.record_failure(T0)
    rebooted = lockout(tmp_path, clock, boot="another-boot")
    assert rebooted.check(T0 - 86400) == LockState(T0 - 86400 + 900, 0)
    # The wall clock is all there is after a reboot: the lock ends by it.
    assert rebooted.check(T0 + 59) == LockState(T0 + 60, 0)
    assert rebooted.check(T0 + 60) == LockState(None, 5)


@pytest.mark.parametrize("jump", [3600, -3600])
def test_a_wall_clock_jump_neither_lifts_nor_lengthens_a_lock(
    tmp_path: Path, mediators_file: Path, clock: Clock, jump: int
) -> None:
    pad = unlocker(tmp_path, mediators_file, clock)
    for _ in range(5):
        pad.attempt(WRONG)
    clock.now += 20
    clock.set_wall_clock(jump)
    # Forty seconds of the lock are left, and shown from the wall clock as it now is;
    # a restart of the kiosk changes nothing.
    assert pad.attempt(PIN) == Locked(clock.now + 40)
    assert unlocker(tmp_path, mediators_file, clock).current_lock() == Locked(clock.now + 40)
    clock.now += 40
    assert unlocker(tmp_path, mediators_file, clock).attempt(PIN) == Accepted("Amina")


def test_a_damaged_lockout_state_starts_again(tmp_path: Path) -> None:
    (tmp_path / "pin-lockout.json").write_text("{not json", encoding="utf-8")
    assert Lockout(tmp_path).check(T0) == LockState(None, 5)  # the machine's own clocks


@pytest.mark.parametrize("damage", ["missing", "world-readable", "corrupted", "empty"])
def test_an_unusable_mediators_file_makes_assisted_mode_unavailable(
    tmp_path: Path, mediators_file: Path, clock: Clock, damage: str
) -> None:
    if damage == "missing":
        mediators_file.unlink()
    elif damage == "world-readable":
        mediators_file.chmod(0o644)
    elif damage == "corrupted":
        mediators_file.write_text("[mediators.Amina\n", encoding="utf-8")
    else:
        mediators_file.write_text("", encoding="utf-8")
    pad = unlocker(tmp_path, mediators_file, clock)
    answer = pad.attempt(PIN)
    assert isinstance(answer, Unavailable) and pad.availability() == answer
    expected = {"missing": Problem.MISSING, "world-readable": Problem.PERMISSIONS,
                "corrupted": Problem.CORRUPTED, "empty": None}[damage]
    assert answer.problem is expected and str(mediators_file) in answer.detail
    # Nothing counted against the terminal while it was unavailable.
    assert lockout(tmp_path / "state", clock).check(clock.now) == LockState(None, 5)


def test_a_second_factor_is_asked_after_the_pin(tmp_path: Path, clock: Clock) -> None:
    path = tmp_path / "mediators.toml"
    mediator, _ = add_mediator(path, "Amina", PIN, with_totp=True, today=date(2024, 5, 2))
    assert mediator.totp_secret is not None
    key = totp.decode_secret(mediator.totp_secret)
    pad = unlocker(tmp_path, path, clock)
    assert pad.attempt(PIN) == CodeNeeded("Amina")
    right = totp.code_at(key, clock.now)
    wrong = "000000" if right != "000000" else "999999"
    assert pad.attempt(PIN, wrong) == Wrong(4, "code")
    assert pad.attempt(WRONG, right) == Wrong(3, "pin")
    assert pad.attempt(PIN, right) == Accepted("Amina")
    # The same code again (someone looked over the mediator's shoulder): refused.
    assert pad.attempt(PIN, right) == Wrong(4, "code")
    clock.now += 30
    assert pad.attempt(PIN, totp.code_at(key, clock.now)) == Accepted("Amina")


def test_what_the_pad_says(tmp_path: Path) -> None:
    until = datetime(2024, 5, 2, 10, 1, 30).timestamp()
    try:
        set_language("en")
        assert message(Wrong(1)) == "Wrong PIN. 1 try left before the pad locks."
        assert message(Wrong(3, "code")) == "Wrong code. 3 tries left before the pad locks."
        assert message(Locked(until)) == ("Too many wrong PINs. The pad is locked until 10:02.")
        set_language("fr")
        assert message(Wrong(2)) == (
            "Code PIN erroné. Encore 2 essais avant le verrouillage du clavier.")
        assert "mode accompagné n'est pas disponible" in message(Unavailable(None, ""))
        assert message(Accepted("Amina")) == ""
    finally:
        set_language("fr")
