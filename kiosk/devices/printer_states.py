"""What a printer's or a print job's state means, in words a resident understands.

CUPS describes a printer with IPP keywords (`printer-state-reasons`, such as
"media-empty-error") and a job with a state number and its own keywords. Residents
need one sentence: what happened, and what to do (most often: tell the desk,
whose details the screen shows beside the sentence). Nothing here draws anything;
the sentences are translated when they are asked for, in the session's language.

The keywords and state numbers are those of IPP (RFC 8011 and the PWG's
registry), plus the "cups-" ones CUPS adds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from kiosk.events import PrintStage
from kiosk.i18n import _

Severity = Literal["error", "warning", "report"]
SEVERITY_ORDER: dict[Severity, int] = {"error": 0, "warning": 1, "report": 2}

# printer-state (RFC 8011 5.4.11)
PRINTER_IDLE, PRINTER_PROCESSING, PRINTER_STOPPED = 3, 4, 5
# job-state (RFC 8011 5.3.7)
JOB_PENDING, JOB_HELD, JOB_PROCESSING, JOB_STOPPED = 3, 4, 5, 6
JOB_CANCELED, JOB_ABORTED, JOB_COMPLETED = 7, 8, 9
JOB_ENDED = frozenset({JOB_CANCELED, JOB_ABORTED, JOB_COMPLETED})


@dataclass(frozen=True)
class PrinterProblem:
    """One printer-state reason, without its severity suffix."""

    keyword: str
    severity: Severity

    @property
    def stops_printing(self) -> bool:
        return self.severity == "error" or self.keyword in HALTING_KEYWORDS


# Reasons that stop the printer whatever severity the driver gives them.
HALTING_KEYWORDS = frozenset({
    "media-empty", "media-needed", "media-jam", "toner-empty", "marker-supply-empty",
    "door-open", "cover-open", "interlock-open", "offline", "shutdown", "paused",
    "moving-to-paused", "timed-out", "spool-area-full", "hold-new-jobs",
})
# Reasons that say nothing a resident needs to hear.
SILENT_KEYWORDS = frozenset({
    "none", "cups-waiting-for-job-completed", "cups-ipp-conformance-failure-report",
    "cups-ipp-missing-job-history", "cups-ipp-missing-job-state-reasons",
})


def parse_reasons(reasons: Iterable[str]) -> tuple[PrinterProblem, ...]:
    """The reasons worth a sentence, the most serious first."""
    problems = []
    for reason in reasons:
        keyword, severity = _split_severity(reason)
        if keyword in SILENT_KEYWORDS:
            continue
        problems.append(PrinterProblem(keyword, severity))
    problems.sort(key=lambda p: (not p.stops_printing, SEVERITY_ORDER[p.severity]))
    return tuple(problems)


def _split_severity(reason: str) -> tuple[str, Severity]:
    for severity in ("error", "warning", "report"):
        if reason.endswith("-" + severity):
            return reason[: -len(severity) - 1], severity
    # IPP: a reason without a suffix is an error.
    return reason, "error"


# -- the sentences ------------------------------------------------------------------------
#
# Each is made by a function so that it is translated in the language of the
# moment, and so that xgettext finds the literal string.


def _no_paper() -> str:
    return _("The printer has no paper. Please tell the desk.")


def _jam() -> str:
    return _("Paper is stuck in the printer. Please tell the desk.")


def _no_ink() -> str:
    return _("The printer has run out of ink or toner. Please tell the desk.")


def _low_ink() -> str:
    return _("The printer is low on ink: your pages may come out pale.")


def _open() -> str:
    return _("A cover of the printer is open. Please tell the desk.")


def _tray_missing() -> str:
    return _("A paper tray of the printer is missing. Please tell the desk.")


def _output_full() -> str:
    return _("The printer's output tray is full. Please take the pages out of it.")


def _off() -> str:
    return _("The printer is switched off or not connected. Please tell the desk.")


def _connecting() -> str:
    return _("The terminal is trying to reach the printer. Please wait a moment.")


def _paused() -> str:
    return _("The printer has been paused. Please tell the desk.")


def _no_room() -> str:
    return _("The terminal has no room left to prepare the printing. Please tell the desk.")


def _waste_full() -> str:
    return _("The printer needs servicing. Please tell the desk.")


def _other() -> str:
    return _("The printer reports a problem. Please tell the desk.")


PRINTER_SENTENCES: dict[str, Callable[[], str]] = {
    "media-empty": _no_paper,
    "media-needed": _no_paper,
    "media-low": _no_paper,  # only said when it stops printing (see `printer_sentence`)
    "media-jam": _jam,
    "toner-empty": _no_ink,
    "marker-supply-empty": _no_ink,
    "toner-low": _low_ink,
    "marker-supply-low": _low_ink,
    "developer-low": _low_ink,
    "door-open": _open,
    "cover-open": _open,
    "interlock-open": _open,
    "input-tray-missing": _tray_missing,
    "output-tray-missing": _tray_missing,
    "output-area-full": _output_full,
    "output-area-almost-full": _output_full,
    "offline": _off,
    "shutdown": _off,
    "timed-out": _off,
    "connecting-to-device": _connecting,
    "paused": _paused,
    "moving-to-paused": _paused,
    "hold-new-jobs": _paused,
    "stopped": _paused,
    "spool-area-full": _no_room,
    "marker-waste-full": _waste_full,
    "marker-waste-almost-full": _waste_full,
    "fuser-over-temp": _waste_full,
    "fuser-under-temp": _connecting,
    "opc-life-over": _waste_full,
}


def printer_sentence(problem: PrinterProblem) -> str:
    """One sentence for a printer problem, in the session's language."""
    sentence = PRINTER_SENTENCES.get(problem.keyword)
    if sentence is None:
        return _other()
    if problem.keyword == "media-low" and not problem.stops_printing:
        return _("The printer is low on paper.")
    return sentence()


def printer_summary(problems: Sequence[PrinterProblem], state: int) -> str:
    """The sentence for the most serious problem; "" when the printer is fine."""
    if problems:
        return printer_sentence(problems[0])
    if state == PRINTER_STOPPED:
        return _paused()
    return ""


# -- a job's outcome ----------------------------------------------------------------------

# The kiosk's own reasons for a job it gave up on.
GAVE_UP_WAITING = "kiosk-waited-too-long"
PRINTER_GONE = "kiosk-printer-gone"
CUPS_UNREACHABLE = "kiosk-cups-unreachable"
NOT_ACCEPTED = "kiosk-not-accepted"


def job_sentence(stage: PrintStage, reason: str = "", pages_done: int = 0,
                 pages_total: int = 0) -> str:
    """What became of a job, or how far it is, in the session's language."""
    if stage == "printed":
        return _("Printed: take your pages from the printer.")
    if stage == "cancelled":
        return _("Printing cancelled. Nothing more will come out of the printer.")
    if stage == "printing":
        if pages_total and 0 < pages_done <= pages_total:
            return _("Printing page {done} of {total}…").format(done=pages_done,
                                                                total=pages_total)
        return _("Printing…")
    if stage in ("sent", "waiting"):
        if reason and reason in PRINTER_SENTENCES:
            return printer_sentence(PrinterProblem(reason, "error"))
        if reason == "held":
            return _("Your printing is on hold. Please tell the desk.")
        return _("Your printing is waiting for the printer…")
    return _failure_sentence(reason)


def _failure_sentence(reason: str) -> str:
    if reason == GAVE_UP_WAITING:
        return _("The printer did not print within a minute, so the printing was "
                 "cancelled. Please tell the desk.")
    if reason in (PRINTER_GONE, CUPS_UNREACHABLE):
        return _("The printer can no longer be reached: nothing was printed. "
                 "Please tell the desk.")
    if reason == NOT_ACCEPTED:
        return _("The printer refused this document. Please tell the desk.")
    if reason == "document-format-error" or reason == "document-unprintable-error":
        return _("The printer could not read this document. Please tell the desk.")
    if reason in PRINTER_SENTENCES:
        return printer_sentence(PrinterProblem(reason, "error"))
    return _("The printing failed. Please tell the desk.")


def job_failure_reason(job_state_reasons: Iterable[str]) -> str:
    """The keyword that best explains why a job ended badly ("" if none says)."""
    interesting = [r for r in job_state_reasons
                   if r not in ("none", "job-completed-with-errors", "aborted-by-system",
                                "job-canceled-by-user", "processing-to-stop-point")]
    for reason in interesting:
        if reason.startswith("document-"):
            return reason
    return interesting[0] if interesting else ""
