"""The PIN pad's lockout, per terminal: 5 wrong PINs, then every PIN waits a while.

After 5 wrong PINs the pad refuses every PIN, the right one too, for 1 minute;
after the next 5, for 5 minutes; after any 5 more, for 15 minutes each time.
A right PIN (outside a lock) starts everything again. The state lives in
KIOSK_STATE_DIR/pin-lockout.json, written atomically, so restarting the kiosk
(or pulling the plug) does not give an attacker fresh tries.

Times are Unix times (the wall clock, since they must survive a reboot); the
caller passes `now`, so tests bring their own clock.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

from kiosk import settings
from kiosk.files import write_atomically

log = logging.getLogger(__name__)

FILE_NAME = "pin-lockout.json"
TRIES_PER_ROUND = 5
LOCK_SECONDS = (60, 5 * 60, 15 * 60)  # the last one repeats


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
    locked_until: float = 0.0


class Lockout:
    """The lockout of this terminal's PIN pad, kept in `state_dir` (KIOSK_STATE_DIR)."""

    def __init__(self, state_dir: Path | None = None) -> None:
        self.path = (state_dir or settings.state_dir()) / FILE_NAME
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
                                  locked_until=now + length)
            log.warning("PIN pad locked for %d s after %d wrong PINs", length, TRIES_PER_ROUND)
        self._save()
        return self.check(now)

    def record_success(self) -> None:
        """A right PIN: the count and the back-off start again."""
        if self._state != _Stored():
            self._state = _Stored()
            self._save()

    def _effective_until(self, now: float) -> float | None:
        until = self._state.locked_until
        if until <= now:
            return None
        # A clock set back must not lock the pad for longer than the longest lock.
        return min(until, now + max(LOCK_SECONDS))

    def _load(self) -> _Stored:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            stored = _Stored(failures=int(data["failures"]), locks=int(data["locks"]),
                             locked_until=float(data["locked_until"]))
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
        text = json.dumps({"failures": self._state.failures, "locks": self._state.locks,
                           "locked_until": self._state.locked_until})
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(self.path, text)
        except OSError as error:
            # The lock still holds in memory until the kiosk restarts.
            log.error("cannot keep the PIN lockout state in %s: %s", self.path, error.strerror)
