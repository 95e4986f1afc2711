"""The print panel's part of the session flow: the quota, the way back, refunds."""

from __future__ import annotations

from pathlib import Path

from kiosk.events import (
    Document,
    DocumentAdded,
    PagePdfReady,
    PrintCancelOrdered,
    PrinterChanged,
    PrintJobChanged,
    PrintOrdered,
    PrintPreviewAsked,
    PrintPreviewReady,
    PrintRequested,
)
from kiosk.session import flow as f
from kiosk.session.flow import Phase

PAGE_PDF = Path("/s/print/page-1.pdf")
PROOF = Document("attestation.pdf", Path("/s/Documents/attestation.pdf"), "download", 1.0)
COLOUR_PRINTER = PrinterChanged("office", "", 3, ("none",), True)


def flow_with_panel(pages: int = 3, quota: int = 10) -> f.SessionFlow:
    """A resident on a procedure who pressed Print and sees the panel."""
    flow = f.SessionFlow(sheets_per_session=quota)
    flow.handle(COLOUR_PRINTER)
    flow.handle(f.OpenProcedure("caf"))
    assert f.MakePagePdf() in flow.handle(PrintRequested())
    assert flow.handle(PagePdfReady(PAGE_PDF)) == [f.Publish(PrintPreviewAsked(PAGE_PDF))]
    flow.handle(PrintPreviewReady(PAGE_PDF, PAGE_PDF, pages, ()))
    assert isinstance(flow.view, f.PrintPanelView)
    return flow


def shown(effects: list[f.Effect]) -> list[f.View]:
    return [e.view for e in effects if isinstance(e, f.Show)]


def test_confirming_orders_the_job_and_counts_its_sheets() -> None:
    flow = flow_with_panel(pages=3, quota=10)
    effects = flow.handle(f.ConfirmPrint(2, 3, 2, colour=True))
    assert f.Publish(PrintOrdered(1, PAGE_PDF, 2, 2, 3, True)) in effects
    assert shown(effects) == [f.PrintStatusView("sent", 0, 4)]
    assert flow.sheets_left == 6


def test_a_choice_beyond_the_quota_is_refused_with_the_count() -> None:
    flow = flow_with_panel(pages=3, quota=5)
    effects = flow.handle(f.ConfirmPrint(1, 3, 2))
    assert shown(effects) == [f.PrintPanelView(3, (), 5, True, ("none",), over_quota=6)]
    assert not [e for e in effects if isinstance(e, f.Publish)]
    assert flow.sheets_left == 5


def test_nothing_printed_gives_the_sheets_back() -> None:
    flow = flow_with_panel(pages=3, quota=10)
    flow.handle(f.ConfirmPrint(1, 3, 1))
    assert flow.sheets_left == 7
    effects = flow.handle(PrintJobChanged(1, "failed", 0, 3, "kiosk-waited-too-long"))
    assert shown(effects) == [f.PrintStatusView("failed", 0, 3, "kiosk-waited-too-long")]
    assert flow.sheets_left == 10
    assert flow.handle(f.CancelPrint()) == [f.Show(f.ProcedureView("caf")),
                                            f.BrowserCall("focus")]


def test_printed_says_take_your_pages_then_returns_to_the_page() -> None:
    flow = flow_with_panel()
    flow.handle(f.ConfirmPrint(1, 3, 1))
    flow.handle(PrintJobChanged(1, "printing", 1, 3))
    assert flow.view == f.PrintStatusView("printing", 1, 3)
    effects = flow.handle(PrintJobChanged(1, "printed", 3, 3))
    later = [e for e in effects if isinstance(e, f.Later)]
    assert shown(effects) == [f.PrintStatusView("printed", 3, 3)] and later
    assert later[0].delay_ms == f.PRINTED_MS
    flow.handle(later[0].input)
    assert flow.phase is Phase.PROCEDURE
    assert flow.sheets_left == 7  # printed pages stay counted


def test_stop_while_printing_asks_the_printer_and_waits_for_its_answer() -> None:
    flow = flow_with_panel()
    flow.handle(f.ConfirmPrint(1, 1, 1))
    effects = flow.handle(f.CancelPrint())
    assert effects == [f.Publish(PrintCancelOrdered(1))]
    assert flow.phase is Phase.PRINT
    flow.handle(PrintJobChanged(1, "cancelled", 0, 1))
    assert flow.view == f.PrintStatusView("cancelled", 0, 1)


def test_a_document_prints_from_the_documents_screen_and_returns_there() -> None:
    flow = f.SessionFlow()
    flow.handle(f.OpenProcedure("caf"))
    flow.handle(DocumentAdded(PROOF))
    flow.handle(f.ShowDocuments())
    effects = flow.handle(f.PrintDocument(PROOF.path))
    assert f.Publish(PrintPreviewAsked(PROOF.path)) in effects
    assert flow.handle(f.CancelPrint()) == [f.Show(f.DocumentsView((PROOF,)))]


def test_only_the_sessions_own_documents_can_be_printed() -> None:
    flow = f.SessionFlow()
    flow.handle(f.OpenProcedure("caf"))
    flow.handle(f.ShowDocuments())
    assert flow.handle(f.PrintDocument(Path("/etc/passwd"))) == []
    assert flow.phase is Phase.SHELL


def test_a_printer_problem_appears_on_the_open_panel() -> None:
    flow = flow_with_panel()
    effects = flow.handle(PrinterChanged("office", "", 3, ("media-empty-error",), True,
                                         ("media-empty",)))
    assert shown(effects) == [f.PrintPanelView(3, (), 10, True, ("media-empty-error",))]


def test_a_late_preview_of_an_abandoned_print_is_ignored() -> None:
    flow = flow_with_panel()
    flow.handle(f.CancelPrint())
    assert flow.handle(PrintPreviewReady(PAGE_PDF, PAGE_PDF, 3, ())) == []
    assert flow.phase is Phase.PROCEDURE


def test_a_late_timeout_of_the_last_print_does_not_close_the_next_panel() -> None:
    flow = flow_with_panel()
    flow.handle(f.ConfirmPrint(1, 1, 1))
    effects = flow.handle(PrintJobChanged(1, "printed", 1, 1))
    late = next(e for e in effects if isinstance(e, f.Later)).input
    flow.handle(f.CancelPrint())  # Back before the message's time is up
    flow.handle(PrintRequested())  # and Print again
    assert flow.handle(late) == []
    assert flow.phase is Phase.PRINT


def test_a_mediators_rights_raise_the_quota_and_end_with_them() -> None:
    from kiosk.assisted.unlock import Accepted
    from kiosk.events import AssistedModeAsked, PinChecked

    flow = f.SessionFlow(sheets_per_session=5, assisted_sheets=40)
    flow.handle(f.OpenProcedure("caf"))
    assert flow.sheets_left == 5
    for step in (AssistedModeAsked(), PinChecked(Accepted("Ana")), f.AcceptAssistance()):
        flow.handle(step)
    assert flow.assisted_rights and flow.sheets_left == 40
    flow.handle(f.EndAssistance())
    assert flow.sheets_left == 5
