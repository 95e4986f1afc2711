"""Printer and job states in a resident's words (French first)."""

from __future__ import annotations

import pytest

from kiosk import i18n
from kiosk.devices import printer_states as states
from kiosk.devices.printer_states import PrinterProblem, parse_reasons


@pytest.fixture(autouse=True)
def french() -> None:
    i18n.set_language("fr")


def test_reasons_are_parsed_worst_first_and_noise_dropped() -> None:
    problems = parse_reasons(["toner-low-report", "none", "media-empty-error",
                              "cups-waiting-for-job-completed", "door-open-warning"])
    assert [(p.keyword, p.severity) for p in problems] == [
        ("media-empty", "error"), ("door-open", "warning"), ("toner-low", "report")]
    assert problems[1].stops_printing  # an open door stops it, whatever the driver says
    assert not problems[2].stops_printing


def test_a_reason_without_suffix_is_an_error() -> None:
    assert parse_reasons(["offline"]) == (PrinterProblem("offline", "error"),)


@pytest.mark.parametrize("keyword", sorted(states.PRINTER_SENTENCES))
def test_every_known_reason_has_a_translated_sentence(keyword: str) -> None:
    french = states.printer_sentence(PrinterProblem(keyword, "error"))
    i18n.set_language("en")
    english = states.printer_sentence(PrinterProblem(keyword, "error"))
    assert english.startswith(("The ", "A ", "Paper ")) and french != english


def test_an_unknown_reason_still_sends_to_the_desk() -> None:
    assert states.printer_sentence(PrinterProblem("vendor-strange", "error")) == (
        "L'imprimante signale un problème. Merci de le signaler à l'accueil.")


def test_the_summary_names_the_worst_problem_or_a_paused_printer() -> None:
    assert states.printer_summary(parse_reasons(["media-jam-error"]), 3) == (
        "Du papier est coincé dans l'imprimante. Merci de le signaler à l'accueil.")
    assert states.printer_summary((), states.PRINTER_STOPPED) == (
        "L'imprimante a été mise en pause. Merci de le signaler à l'accueil.")
    assert states.printer_summary((), states.PRINTER_IDLE) == ""


def test_progress_and_outcomes() -> None:
    assert states.job_sentence("printing", "", 2, 3) == "Impression de la page 2 sur 3…"
    assert states.job_sentence("printing", "", 0, 3) == "Impression en cours…"
    assert states.job_sentence("waiting", "media-empty") == (
        "L'imprimante n'a plus de papier. Merci de le signaler à l'accueil.")
    assert states.job_sentence("failed", "document-format-error") == (
        "L'imprimante n'a pas pu lire ce document. Merci de le signaler à l'accueil.")


def test_the_failure_reason_prefers_what_the_document_says() -> None:
    assert states.job_failure_reason(
        ["job-completed-with-errors", "document-format-error"]) == "document-format-error"
    assert states.job_failure_reason(["aborted-by-system"]) == ""
