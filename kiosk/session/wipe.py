"""Run the steps of a session wipe, every one of them, whatever fails, then check them.

A step that raised nothing is not yet proof that nothing is left: after every
step has run, each step's own check looks again, independently (the folder is
gone, no process of the session lives, the clipboard is empty, CUPS holds no
job of the session). A wipe is verified only when every step ran and every
check passed; otherwise the kiosk goes out of service until a wipe is.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from kiosk.errors import describe_without_data

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WipeStep:
    """One named part of the wipe (kill the browser, delete the folder, ...)."""

    name: str
    action: Callable[[], object]
    # Asked after every step has run: True when nothing this step erases is left.
    verify: Callable[[], bool] | None = None


@dataclass
class WipeReport:
    """Which steps failed, and how long each one took (seconds)."""

    failed_steps: list[str] = field(default_factory=list)
    durations: dict[str, float] = field(default_factory=dict)
    failed_checks: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed_steps and not self.failed_checks


def run_wipe(steps: Sequence[WipeStep]) -> WipeReport:
    """Run `steps` in order; a failing step is logged and the next ones still run.

    A browser that will not die must not keep the session folder from being
    deleted. The log names the step, the error type and where it was raised,
    never the error message: it may hold a file name or a page address of the
    resident.
    """
    report = WipeReport()
    for step in steps:
        started = time.perf_counter()
        try:
            step.action()
        except Exception as error:
            report.failed_steps.append(step.name)
            log.error("wipe step %r failed: %s", step.name, describe_without_data(error))
        report.durations[step.name] = time.perf_counter() - started
    report.failed_checks = verify_wipe(steps)
    return report


def verify_wipe(steps: Iterable[WipeStep]) -> list[str]:
    """The names of the steps whose check finds something of the session left.

    A check that raises counts as failed: a wipe that cannot be verified is not.
    """
    failed: list[str] = []
    for step in steps:
        if step.verify is None:
            continue
        try:
            clean = bool(step.verify())
        except Exception as error:
            log.error("wipe check %r could not run: %s", step.name, describe_without_data(error))
            clean = False
        if not clean:
            log.error("wipe check %r failed: something of the session is left", step.name)
            failed.append(step.name)
    return failed
