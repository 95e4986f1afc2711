"""The scan panel's part of the session flow, without a display or a scanner."""

from __future__ import annotations

from pathlib import Path

from kiosk.bus import EventBus
from kiosk.events import (
    Document,
    DocumentAdded,
    FileChooserOpened,
    ScanCancelOrdered,
    ScanDocumentOrdered,
    Scanner,
    ScannersChanged,
    ScanOrdered,
    ScanPage,
    ScanPageReady,
    ScanProgressed,
    ScanRequested,
    ScanSaved,
    ScanStopped,
    SessionWiped,
)
from kiosk.session import flow as f
from kiosk.session.flow import Phase
from kiosk.session.scan_flow import wants_images_only
from kiosk.stats.counters import Counters
from kiosk.stats.recorder import StatsRecorder

ONE = ScannersChanged((Scanner("test:0", "Flatbed"),), "")
TWO = ScannersChanged((Scanner("test:0", "Flatbed"), Scanner("test:1", "Office")), "")
NONE = ScannersChanged((), "no_scanner")


def page(n: int) -> ScanPageReady:
    return ScanPageReady(0, Path(f"/s/scan/page-{n}.png"), Path(f"/s/scan/preview-{n}.png"))


def phase_of(flow: f.SessionFlow) -> Phase:
    return flow.phase


def published(effects: list[f.Effect]) -> list[object]:
    return [e.event for e in effects if isinstance(e, f.Publish)]


def views(effects: list[f.Effect]) -> list[f.View]:
    return [e.view for e in effects if isinstance(e, f.Show)]


def scan_panel(scanners: ScannersChanged = ONE) -> f.SessionFlow:
    flow = f.SessionFlow()
    flow.handle(scanners)
    flow.handle(f.OpenProcedure("caf"))
    flow.handle(ScanRequested())
    return flow


def scanned(flow: f.SessionFlow, n: int) -> list[f.Effect]:
    """The page under way arrives (with the request the flow gave it)."""
    order = published(flow.handle(f.AddScanPage()) if n > 1 else [])
    request = order[0].request if order else flow._session.scan.request  # type: ignore[attr-defined]
    ready = page(n)
    return flow.handle(ScanPageReady(request, ready.image, ready.preview))


def test_scan_opens_on_the_presets_with_the_only_scanner_chosen() -> None:
    flow = scan_panel()
    assert flow.phase is Phase.SCAN
    assert flow.view == f.ScanPanelView("choose", ONE.scanners, "test:0")


def test_with_several_scanners_the_resident_chooses_one() -> None:
    flow = scan_panel(TWO)
    effects = flow.handle(f.ChooseScanner("test:1"))
    assert views(effects)[0].scanner == "test:1"  # type: ignore[attr-defined]
    assert flow.handle(f.ChooseScanner("elsewhere:0")) == []
    effects = flow.handle(f.StartScan("a4_proof"))
    assert published(effects) == [ScanOrdered(1, "test:1", "a4_proof", 1)]


def test_without_a_scanner_the_panel_says_so_calmly() -> None:
    flow = scan_panel(NONE)
    assert flow.view == f.ScanPanelView("failed", reason="no_scanner")
    assert flow.handle(f.RetryScan()) == []
    flow.handle(f.CancelScan())
    assert flow.phase is Phase.PROCEDURE


def test_a_page_with_progress_then_finish_orders_the_document() -> None:
    flow = scan_panel()
    effects = flow.handle(f.StartScan("a4_proof"))
    assert f.UpdateScanProgress(0) in effects
    assert flow.handle(ScanProgressed(1, 40)) == [f.UpdateScanProgress(40)]
    assert flow.handle(ScanProgressed(99, 50)) == [], "another scan's progress"
    effects = flow.handle(ScanPageReady(1, page(1).image, page(1).preview))
    view = views(effects)[0]
    assert isinstance(view, f.ScanPanelView) and view.stage == "review" and len(view.pages) == 1
    effects = flow.handle(f.FinishScan())
    assert published(effects) == [ScanDocumentOrdered(
        2, "a4_proof", (ScanPage(page(1).image, page(1).preview),))]
    document = Document("Scan 1 (1 page).pdf", Path("/s/Documents/Scan 1 (1 page).pdf"),
                        "scan", 5.0)
    flow.handle(DocumentAdded(document))
    effects = flow.handle(ScanSaved(2, document))
    assert views(effects) == [f.ScanPanelView("saved", ONE.scanners, "test:0", "a4_proof",
                                              document="Scan 1 (1 page).pdf")]
    assert flow.documents == (document,)
    flow.handle(f.CancelScan())
    assert flow.phase is Phase.PROCEDURE


def test_three_pages_each_turnable() -> None:
    flow = scan_panel()
    flow.handle(f.StartScan("several_pages"))
    scanned(flow, 1)
    scanned(flow, 2)
    effects = scanned(flow, 3)
    assert len(views(effects)[0].pages) == 3  # type: ignore[attr-defined]
    flow.handle(f.RotateScanPage(1))
    flow.handle(f.RotateScanPage(1))
    assert flow.handle(f.RotateScanPage(7)) == []
    order = published(flow.handle(f.FinishScan()))[0]
    assert isinstance(order, ScanDocumentOrdered)
    assert [p.turns for p in order.pages] == [0, 2, 0]
    assert [p.image.name for p in order.pages] == ["page-1.png", "page-2.png", "page-3.png"]


def test_the_id_card_asks_for_its_other_side_before_finishing() -> None:
    flow = scan_panel()
    flow.handle(f.StartScan("id_card"))
    effects = scanned(flow, 1)
    view = views(effects)[0]
    assert isinstance(view, f.ScanPanelView) and view.needs_other_side
    assert flow.handle(f.FinishScan()) == [], "one side is not a card"
    orders = published(flow.handle(f.AddScanPage()))
    assert orders == [ScanOrdered(2, "test:0", "id_card", 2)]
    ready = page(2)
    flow.handle(ScanPageReady(2, ready.image, ready.preview))
    assert not flow.view.needs_other_side  # type: ignore[attr-defined]
    order = published(flow.handle(f.FinishScan()))[0]
    assert isinstance(order, ScanDocumentOrdered) and len(order.pages) == 2


def test_cancel_mid_scan_is_silent_and_late_news_is_ignored() -> None:
    flow = scan_panel()
    flow.handle(f.StartScan("a4_proof"))
    effects = flow.handle(f.CancelScan())
    assert published(effects) == [ScanCancelOrdered(1)]
    assert flow.phase is Phase.PROCEDURE
    assert flow.handle(ScanStopped(1, "cancelled")) == []
    assert flow.handle(ScanPageReady(1, page(1).image, page(1).preview)) == []
    assert flow.phase is Phase.PROCEDURE


def test_a_failure_is_shown_and_retry_goes_back_to_the_pages() -> None:
    flow = scan_panel()
    flow.handle(f.StartScan("several_pages"))
    scanned(flow, 1)
    flow.handle(f.AddScanPage())
    effects = flow.handle(ScanStopped(2, "cover_open"))
    view = views(effects)[0]
    assert isinstance(view, f.ScanPanelView)
    assert (view.stage, view.reason, len(view.pages)) == ("failed", "cover_open", 1)
    effects = flow.handle(f.RetryScan())
    assert views(effects)[0].stage == "review"  # type: ignore[attr-defined]


def test_from_the_picker_the_scan_goes_straight_to_the_page() -> None:
    flow = f.SessionFlow()
    flow.handle(ONE)
    flow.handle(f.OpenProcedure("caf"))
    shown = flow.handle(FileChooserOpened(multiple=False, accept=(".pdf",)))
    assert views(shown)[0].can_scan  # type: ignore[attr-defined]
    flow.handle(f.ScanFromPicker())
    assert flow.phase is Phase.SCAN
    flow.handle(f.StartScan("a4_proof"))
    flow.handle(ScanPageReady(1, page(1).image, page(1).preview))
    order = published(flow.handle(f.FinishScan()))[0]
    assert isinstance(order, ScanDocumentOrdered) and not order.as_jpeg
    document = Document("Scan 1 (1 page).pdf", Path("/s/Documents/s.pdf"), "scan", 5.0)
    flow.handle(DocumentAdded(document))
    effects = flow.handle(ScanSaved(2, document))
    assert effects[0] == f.GiveFiles((document.path,))
    assert phase_of(flow) is Phase.PROCEDURE
    assert flow.handle(f.CancelPicker()) == [], "the question is answered"


def test_cancel_from_the_picker_returns_to_the_picker() -> None:
    flow = f.SessionFlow()
    flow.handle(ONE)
    flow.handle(f.OpenProcedure("caf"))
    flow.handle(FileChooserOpened(multiple=False, accept=("image/*",)))
    flow.handle(f.ScanFromPicker())
    flow.handle(f.StartScan("a4_proof"))
    effects = flow.handle(f.CancelScan())
    assert flow.phase is Phase.PICKER
    assert isinstance(views(effects)[0], f.PickerView)


def test_a_site_taking_only_images_gets_a_jpeg_of_one_page() -> None:
    assert wants_images_only(("image/*",)) and wants_images_only((".jpg", ".png"))
    assert not wants_images_only(()) and not wants_images_only((".pdf", "image/*"))
    flow = f.SessionFlow()
    flow.handle(ONE)
    flow.handle(f.OpenProcedure("caf"))
    flow.handle(FileChooserOpened(multiple=False, accept=("image/jpeg",)))
    flow.handle(f.ScanFromPicker())
    flow.handle(f.StartScan("several_pages"))
    effects = flow.handle(ScanPageReady(1, page(1).image, page(1).preview))
    assert not views(effects)[0].can_add_page  # type: ignore[attr-defined]
    assert flow.handle(f.AddScanPage()) == []
    order = published(flow.handle(f.FinishScan()))[0]
    assert isinstance(order, ScanDocumentOrdered) and order.as_jpeg


def test_the_picker_offers_scanning_only_with_a_scanner() -> None:
    for status in (ScannersChanged((), "disabled"), NONE):
        flow = f.SessionFlow()
        flow.handle(status)
        flow.handle(f.OpenProcedure("caf"))
        shown = flow.handle(FileChooserOpened(multiple=False))
        assert not views(shown)[0].can_scan  # type: ignore[attr-defined]
        assert flow.handle(f.ScanFromPicker()) == []
        # A scanner plugged in while the picker shows: it offers scanning at once.
        shown = flow.handle(ONE)
        assert views(shown)[0].can_scan  # type: ignore[attr-defined]


def test_the_picker_is_not_drawn_again_when_the_scanners_news_changes_nothing() -> None:
    flow = f.SessionFlow()
    flow.handle(f.OpenProcedure("caf"))
    flow.handle(FileChooserOpened(multiple=False))  # the scanners not known yet
    assert flow.handle(NONE) == []  # none found: still no "Scan a document"
    assert flow.handle(ScannersChanged((), "disabled")) == []
    assert views(flow.handle(ONE))[0].can_scan  # type: ignore[attr-defined]
    assert flow.handle(TWO) == []  # one more scanner: the picker offers the same


def test_the_toolbar_follows_the_scanners_and_the_wipe_forgets_the_pages() -> None:
    flow = scan_panel()
    flow.handle(f.CancelScan())
    assert flow.handle(NONE) == [f.RefreshToolbar()]
    flow = scan_panel()
    flow.handle(f.StartScan("a4_proof"))
    flow.handle(ScanPageReady(1, page(1).image, page(1).preview))
    flow.handle(f.EndSession("button"))
    flow.handle(SessionWiped("button"))
    assert flow._session.scan.pages == []


def test_a_saved_scan_is_counted(tmp_path: Path) -> None:
    bus = EventBus()
    recorder = StatsRecorder(Counters(tmp_path / "stats.sqlite"))
    recorder.attach(bus)
    document = Document("Scan 1 (1 page).pdf", tmp_path / "s.pdf", "scan", 1.0)
    bus.publish(ScanSaved(1, document))
    bus.publish(ScanSaved(2, document))
    assert recorder.flush()
    assert recorder.counters.snapshot()[("scans", "")] == 2
    recorder.close()
