"""The PIN pad's lockout, per terminal: 5 wrong PINs, then every PIN waits a while.

After 5 wrong PINs the pad refuses every PIN, the right one too, for 1 minute;
after the next 5, for 5 minutes; after any 5 more, for 15 minutes each time.
A right PIN (outside a lock) starts everything again. The state lives in
KIOSK_STATE_DIR/pin-lockout.json, written atomically, so restarting the kiosk
(or pulling the plug) does not give an attacker fresh tries.

The caller passes `now`, the wall clock (tests bring their own): the pad says
"locked until 10:02", and a lock must outlast a reboot. Within one boot, though,
a lock's end is kept and checked on the boot clock (CLOCK_BOOTTIME, which no
clock setting moves): a wall clock put an hour forwards (by hand, or by NTP
after a flat CMOS battery) must not lift a lock early, nor one set back
lengthen it. After a reboot only the wall clock is left, capped at the longest
lock.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kiosk import settings
from kiosk.files import write_atomically

log = logging.getLogger(__name__)

FILE_NAME = "pin-lockout.json"
TRIES_PER_ROUND = 5
LOCK_SECONDS = (60, 5 * 60, 15 * 60)  # the last one repeats
BOOT_ID_FILE = Path("/proc/sys/kernel/random/boot_id")


def seconds_since_boot() -> float:
    """The boot clock: monotonic, counts suspended time too, untouched by clock settings."""
    return time.clock_gettime(time.CLOCK_BOOTTIME)


def current_boot_id() -> str:
    """This boot's identity (the kernel's random boot id), "" where there is none."""
    try:
        return BOOT_ID_FILE.read_text(encoding="ascii").strip()
    except OSError:
        return ""


@dataclass(frozen=True)
class LockState:
    """What the pad may do now: locked until a time, or so many tries left."""

    locked_until: float | None
    tries_left: int

    @property
    def locked(self) -> bool:
        return self.locked_until is not None


@dataclass
class _Stored:
    failures: int = 0  # wrong PINs since the last lock ended (or since the start)
    locks: int = 0  # locks since the last right PIN: picks the next lock's length
    locked_until: float = 0.0  # wall clock
    boot_id: str = ""  # the boot during which the lock started
    locked_until_boot: float = 0.0  # the same end, on that boot's boot clock


class Lockout:
    """The lockout of this terminal's PIN pad, kept in `state_dir` (KIOSK_STATE_DIR)."""

    def __init__(self, state_dir: Path | None = None, *,
                 boot_clock: Callable[[], float] = seconds_since_boot,
                 boot_id: Callable[[], str] = current_boot_id) -> None:
        self.path = (state_dir or settings.state_dir()) / FILE_NAME
        self._boot_clock = boot_clock
        self._boot_id = boot_id()
        self._state = self._load()

    def check(self, now: float) -> LockState:
        """Locked (until when), or the number of tries left before the next lock."""
        until = self._effective_until(now)
        if until is not None:
            return LockState(until, 0)
        return LockState(None, TRIES_PER_ROUND - self._state.failures)

    def record_failure(self, now: float) -> LockState:
        """Count a wrong PIN (or code); the fifth of a round starts a lock."""
        if self._effective_until(now) is not None:
            return self.check(now)  # refused while locked: it counts for nothing more
        self._state.failures += 1
        if self._state.failures >= TRIES_PER_ROUND:
            length = LOCK_SECONDS[min(self._state.locks, len(LOCK_SECONDS) - 1)]
            self._state = _Stored(failures=0, locks=self._state.locks + 1,
                                  locked_until=now + length, boot_id=self._boot_id,
                                  locked_until_boot=self._boot_clock() + length)
            log.warning("PIN pad locked for %d s after %d wrong PINs", length, TRIES_PER_ROUND)
        self._save()
        return self.check(now)

    def record_success(self) -> None:
        """A right PIN: the count and the back-off start again."""
        if self._state != _Stored():
            self._state = _Stored()
            self._save()

    def _effective_until(self, now: float) -> float | None:
        state = self._state
        if self._boot_id and state.boot_id == self._boot_id:
            # Same boot: the boot clock says how long is left; the wall clock only
            # says when that is, for the pad's "until 10:02".
            left = state.locked_until_boot - self._boot_clock()
            return now + left if left > 0 else None
        until = state.locked_until
        if until <= now:
            return None
        # A clock set back must not lock the pad for longer than the longest lock.
        return min(until, now + max(LOCK_SECONDS))

    def _load(self) -> _Stored:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            stored = _Stored(failures=int(data["failures"]), locks=int(data["locks"]),
                             locked_until=float(data["locked_until"]),
                             boot_id=str(data.get("boot_id", "")),
                             locked_until_boot=float(data.get("locked_until_boot", 0.0)))
        except FileNotFoundError:
            return _Stored()
        except (OSError, ValueError, KeyError, TypeError) as error:
            # Only the kiosk writes it; a damaged one starts over rather than
            # locking mediators out for good.
            log.warning("the PIN lockout state %s is unreadable, starting again: %s",
                        self.path, type(error).__name__)
            return _Stored()
        stored.failures = max(0, min(stored.failures, TRIES_PER_ROUND - 1))
        stored.locks = max(0, stored.locks)
        return stored

    def _save(self) -> None:
        state = self._state
        text = json.dumps({"failures": state.failures, "locks": state.locks,
                           "locked_until": state.locked_until, "boot_id": state.boot_id,
                           "locked_until_boot": state.locked_until_boot})
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(self.path, text)
        except OSError as error:
            # The lock still holds in memory until the kiosk restarts.
            log.error("cannot keep the PIN lockout state in %s: %s", self.path, error.strerror)
