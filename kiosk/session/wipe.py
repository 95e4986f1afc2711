"""Run the steps of a session wipe, every one of them, whatever fails."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from kiosk.errors import describe_without_data

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WipeStep:
    """One named part of the wipe (kill the browser, delete the folder, ...)."""

    name: str
    action: Callable[[], object]


@dataclass
class WipeReport:
    """Which steps failed, and how long each one took (seconds)."""

    failed_steps: list[str] = field(default_factory=list)
    durations: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.failed_steps


def run_wipe(steps: Iterable[WipeStep]) -> WipeReport:
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
    return report
