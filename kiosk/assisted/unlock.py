"""Unlocking assisted mode: a PIN (and a code for mediators with a second factor) in,
an answer out. The PIN pad only renders the answers (`message` gives their text).

The PIN alone says who is unlocking. `Unlocker.attempt` reads the mediators file
at each call (a mediator just added works at once, a file gone bad makes assisted
mode unavailable) and runs scrypt once per mediator: it takes a fraction of a
second, so the pad calls it on a worker thread, never on the Tk thread.

A mediator with a second factor is unlocked in two calls: `attempt(pin)` answers
`CodeNeeded`; the pad then asks for the code and calls `attempt(pin, code)`. A
wrong code counts as a wrong PIN for the lockout.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

from kiosk import settings
from kiosk.assisted import totp
from kiosk.assisted.lockout import Lockout
from kiosk.assisted.mediators import (
    Mediator,
    MediatorsFileError,
    Problem,
    check_pin,
    find_by_pin,
    read_mediators,
)
from kiosk.errors import UserError
from kiosk.i18n import _, ngettext

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Accepted:
    """The PIN (and code) are right: ask the resident's consent for this mediator."""

    mediator: str


@dataclass(frozen=True)
class CodeNeeded:
    """The PIN is right and this mediator has a second factor: ask for the code."""

    mediator: str


@dataclass(frozen=True)
class Wrong:
    """A wrong PIN (or code): clear the pad, keep it open, say how many tries are left."""

    tries_left: int
    what: Literal["pin", "code"] = "pin"


@dataclass(frozen=True)
class Locked:
    """Too many wrong PINs: every PIN is refused until `until` (Unix time)."""

    until: float


@dataclass(frozen=True)
class Unavailable:
    """Assisted mode cannot be opened: `detail` is the sentence for the log and the doctor."""

    problem: Problem | None  # None: the file is fine but lists nobody
    detail: str


Answer = Accepted | CodeNeeded | Wrong | Locked | Unavailable


class Unlocker:
    """Checks PINs against the mediators file, under this terminal's lockout."""

    def __init__(self, mediators_file: Path | None = None, lockout: Lockout | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.mediators_file = mediators_file or settings.current().mediators_file
        self.lockout = lockout or Lockout()
        self.clock = clock
        self._lock = threading.Lock()
        self._used_steps: dict[str, int] = {}  # mediator -> last code's time step

    def availability(self) -> Unavailable | None:
        """Why assisted mode cannot be opened now, or None when it can (for the button)."""
        found = self._mediators()
        return found if isinstance(found, Unavailable) else None

    def _mediators(self) -> tuple[Mediator, ...] | Unavailable:
        try:
            mediators = read_mediators(self.mediators_file)
        except MediatorsFileError as error:
            return Unavailable(error.problem, error.message)
        if not mediators:
            return Unavailable(None, f"{self.mediators_file} lists no mediator: add one with "
                                     "'kiosk mediator add NAME'.")
        return mediators

    def current_lock(self) -> Locked | None:
        """The lock in force now, if any (the pad shows it as soon as it opens)."""
        state = self.lockout.check(self.clock())
        return Locked(state.locked_until) if state.locked_until is not None else None

    def attempt(self, pin: str, code: str | None = None) -> Answer:
        """Check `pin` (and `code`); count a failure; never log either of them."""
        with self._lock:
            return self._attempt(pin, code)

    def _attempt(self, pin: str, code: str | None) -> Answer:
        now = self.clock()
        mediators = self._mediators()
        if isinstance(mediators, Unavailable):
            log.warning("assisted mode is unavailable: %s", mediators.detail)
            return mediators
        state = self.lockout.check(now)
        if state.locked_until is not None:
            return Locked(state.locked_until)
        mediator = find_by_pin(mediators, pin) if _is_pin_shaped(pin) else None
        if mediator is None:
            return self._failure(now, "pin")
        if mediator.totp_secret is not None:
            if code is None:
                return CodeNeeded(mediator.name)
            step = totp.matching_step(mediator.totp_secret, code, now)
            if step is None or step <= self._used_steps.get(mediator.name, -1):
                return self._failure(now, "code")  # wrong, or seen already
            self._used_steps[mediator.name] = step
        self.lockout.record_success()
        log.info("assisted mode unlocked with a mediator's PIN")
        return Accepted(mediator.name)

    def _failure(self, now: float, what: Literal["pin", "code"]) -> Answer:
        state = self.lockout.record_failure(now)
        log.warning("a wrong %s was typed on the PIN pad", "PIN" if what == "pin" else "code")
        if state.locked_until is not None:
            return Locked(state.locked_until)
        return Wrong(state.tries_left, what)


def _is_pin_shaped(pin: str) -> bool:
    try:
        check_pin(pin)
    except UserError:
        return False
    return True


def message(answer: Answer) -> str:
    """What the pad says for `answer`, in the session's language ("" when nothing)."""
    if isinstance(answer, CodeNeeded):
        return _("Now type the 6-digit code shown by your authenticator app.")
    if isinstance(answer, Wrong):
        if answer.what == "code":
            return ngettext("Wrong code. {n} try left before the pad locks.",
                            "Wrong code. {n} tries left before the pad locks.",
                            answer.tries_left).format(n=answer.tries_left)
        return ngettext("Wrong PIN. {n} try left before the pad locks.",
                        "Wrong PIN. {n} tries left before the pad locks.",
                        answer.tries_left).format(n=answer.tries_left)
    if isinstance(answer, Locked):
        # Rounded up to the minute: "until 10:02" must not come before the lock ends.
        minute = math.ceil(answer.until / 60) * 60
        until = datetime.fromtimestamp(minute).strftime("%H:%M")
        return _("Too many wrong PINs. The pad is locked until {time}.").format(time=until)
    if isinstance(answer, Unavailable):
        return _("Assisted mode is not available on this terminal for now. "
                 "Everything else works as usual.")
    return ""
