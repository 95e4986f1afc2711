"""The scan panel's part of the session flow (Phase.SCAN), with no Tk.

`ScanFlow` is a mixin of `kiosk.session.flow.SessionFlow`: its `_on_<Input>`
handlers are found by the flow's `handle` like the others. The panel goes
through stages: "choose" (the scanner when there are several, and a preset),
"scanning" (a live progress bar, Cancel), "review" (the pages' previews,
Rotate, Add a page, Finish), "saving", then "saved" (opened from the toolbar) or
straight back to the page that asked (opened from the document picker: the new
scan is given to the page's file input). "failed" says what went wrong.

The devices do the work (kiosk.devices.scanning, through the bus: ScanOrdered,
ScanCancelOrdered, ScanDocumentOrdered); this module only decides.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal

from kiosk.events import (
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
)
from kiosk.session.flow_types import (
    Action,
    Effect,
    GiveFiles,
    Phase,
    Publish,
    RefreshToolbar,
    Show,
    View,
)

if TYPE_CHECKING:
    from kiosk.events import FileChooserOpened

ScanStage = Literal["choose", "scanning", "review", "saving", "saved", "failed"]
ID_CARD, A4_PROOF, SEVERAL_PAGES = "id_card", "a4_proof", "several_pages"
PRESETS = (ID_CARD, A4_PROOF, SEVERAL_PAGES)


# -- what the resident does on the panel --------------------------------------------------


class ScanFromPicker(Action):
    """"Scan a document" in the document picker."""


@dataclass(frozen=True)
class ChooseScanner(Action):
    name: str


@dataclass(frozen=True)
class StartScan(Action):
    preset: str


@dataclass(frozen=True)
class RotateScanPage(Action):
    """A quarter turn clockwise of page `index` (from 0)."""

    index: int


class AddScanPage(Action):
    """Scan one more page (or the ID card's other side)."""


class FinishScan(Action):
    pass


class RetryScan(Action):
    """After a failure: back to the pages scanned so far, or to the presets."""


class CancelScan(Action):
    """Cancel (a running scan stops, silently), or Back once the scan is saved."""


# -- what the panel shows ----------------------------------------------------------------


@dataclass(frozen=True)
class ScanPanelView(View):
    stage: ScanStage
    scanners: tuple[Scanner, ...] = ()
    scanner: str = ""
    preset: str = ""
    pages: tuple[ScanPage, ...] = ()
    reason: str = ""  # a keyword of kiosk.devices.scanner_states, when failed
    as_jpeg: bool = False
    document: str = ""  # the saved document's name
    from_picker: bool = False

    @property
    def needs_other_side(self) -> bool:
        """An ID card with only its front scanned."""
        return self.preset == ID_CARD and len(self.pages) == 1

    @property
    def can_add_page(self) -> bool:
        """A JPEG holds one page: more pages only into a PDF (a card's back always)."""
        if self.needs_other_side:
            return True
        return not self.as_jpeg


@dataclass(frozen=True)
class UpdateScanProgress(Effect):
    """The progress bar of the running scan (the panel is not drawn again)."""

    percent: int


def wants_images_only(accept: tuple[str, ...]) -> bool:
    """Whether a file input takes images and no PDF: then the scan is a JPEG."""
    if not accept:
        return False
    takes_pdf = any(token in (".pdf", "application/pdf") for token in accept)
    takes_jpeg = any(token in (".jpg", ".jpeg", "image/jpeg", "image/*") for token in accept)
    return takes_jpeg and not takes_pdf


@dataclass
class ScanWork:
    """What the flow remembers of the scan under way (forgotten at the wipe)."""

    stage: ScanStage = "choose"
    request: int = 0  # the operation under way (a side, or the document)
    scanner: str = ""
    preset: str = ""
    pages: list[ScanPage] = field(default_factory=list)
    from_picker: bool = False
    as_jpeg: bool = False
    reason: str = ""
    document: str = ""


class ScanFlow:
    """The scanning part of the session flow (see the module's docstring)."""

    # The flow's own, declared for the type checker (SessionFlow provides them).
    phase: Phase
    view: View
    scanners: ScannersChanged = ScannersChanged((), "unknown")
    _scan_requests: int = 0

    # Given by SessionFlow: declared for the type checker only.
    _chooser: Callable[[], FileChooserOpened | None]
    _forget_chooser: Callable[[], None]
    _scan_work: Callable[[], ScanWork]
    _new_scan_work: Callable[[], ScanWork]
    _to_procedure: Callable[[], list[Effect]]
    _return: Callable[[], list[Effect]]
    _picker_view: Callable[[], View]

    # -- helpers ---------------------------------------------------------------------------

    @property
    def scanning_offered(self) -> bool:
        """Whether "Scan a document" shows in the picker: only with a scanner there
        (the picker follows when one is plugged or unplugged)."""
        return self.scanners.available

    def _scan_view(self) -> ScanPanelView:
        work = self._scan_work()
        return ScanPanelView(work.stage, self.scanners.scanners, work.scanner, work.preset,
                             tuple(work.pages), work.reason, work.as_jpeg, work.document,
                             work.from_picker)

    def _show_scan(self, stage: ScanStage | None = None) -> list[Effect]:
        work = self._scan_work()
        if stage is not None:
            work.stage = stage
        return [Show(self._scan_view())]

    def _open_scan(self, from_picker: bool, as_jpeg: bool) -> list[Effect]:
        work = self._new_scan_work()
        work.from_picker, work.as_jpeg = from_picker, as_jpeg
        self.phase = Phase.SCAN
        if not self.scanners.available:
            work.reason = "no_scanner"
            return self._show_scan("failed")
        work.scanner = self.scanners.scanners[0].name
        return self._show_scan("choose")

    def _next_request(self) -> int:
        self._scan_requests += 1
        work = self._scan_work()
        work.request = self._scan_requests
        return work.request

    def _scan_side(self) -> list[Effect]:
        work = self._scan_work()
        request = self._next_request()
        return [Publish(ScanOrdered(request, work.scanner, work.preset, len(work.pages) + 1)),
                *self._show_scan("scanning"), UpdateScanProgress(0)]

    def _leave_scan(self) -> list[Effect]:
        work = self._scan_work()
        if work.from_picker and self._chooser() is not None:
            self.phase = Phase.PICKER
            return [Show(self._picker_view())]
        return self._return()

    def _this_scan(self, request: int, *stages: ScanStage) -> bool:
        work = self._scan_work()
        return self.phase is Phase.SCAN and request == work.request and work.stage in stages

    # -- the resident's actions ----------------------------------------------------------

    def _on_ScanRequested(self, event: ScanRequested) -> list[Effect]:
        if self.phase is not Phase.PROCEDURE:
            return []
        return self._open_scan(from_picker=False, as_jpeg=False)

    def _on_ScanFromPicker(self, action: ScanFromPicker) -> list[Effect]:
        chooser = self._chooser()
        if self.phase is not Phase.PICKER or chooser is None or not self.scanning_offered:
            return []
        return self._open_scan(from_picker=True, as_jpeg=wants_images_only(chooser.accept))

    def _on_ChooseScanner(self, action: ChooseScanner) -> list[Effect]:
        work = self._scan_work()
        if self.phase is not Phase.SCAN or work.stage != "choose" or action.name not in {
                s.name for s in self.scanners.scanners}:
            return []
        work.scanner = action.name
        return self._show_scan()

    def _on_StartScan(self, action: StartScan) -> list[Effect]:
        work = self._scan_work()
        if self.phase is not Phase.SCAN or work.stage != "choose" or action.preset not in PRESETS \
                or not work.scanner:
            return []
        work.preset, work.pages = action.preset, []
        return self._scan_side()

    def _on_AddScanPage(self, action: AddScanPage) -> list[Effect]:
        if self.phase is not Phase.SCAN or self._scan_work().stage != "review" \
                or not self._scan_view().can_add_page:
            return []
        return self._scan_side()

    def _on_RotateScanPage(self, action: RotateScanPage) -> list[Effect]:
        work = self._scan_work()
        if self.phase is not Phase.SCAN or work.stage != "review" \
                or not 0 <= action.index < len(work.pages):
            return []
        page = work.pages[action.index]
        work.pages[action.index] = replace(page, turns=(page.turns + 1) % 4)
        return self._show_scan()

    def _on_FinishScan(self, action: FinishScan) -> list[Effect]:
        work = self._scan_work()
        if self.phase is not Phase.SCAN or work.stage != "review" or not work.pages \
                or self._scan_view().needs_other_side:
            return []
        request = self._next_request()
        return [Publish(ScanDocumentOrdered(request, work.preset, tuple(work.pages),
                                            work.as_jpeg)),
                *self._show_scan("saving")]

    def _on_RetryScan(self, action: RetryScan) -> list[Effect]:
        work = self._scan_work()
        if self.phase is not Phase.SCAN or work.stage != "failed" or not self.scanners.available:
            return []
        work.reason = ""
        if work.scanner not in {s.name for s in self.scanners.scanners}:
            work.scanner, work.pages = self.scanners.scanners[0].name, []
        return self._show_scan("review" if work.pages else "choose")

    def _on_CancelScan(self, action: CancelScan) -> list[Effect]:
        if self.phase is not Phase.SCAN:
            return []
        work = self._scan_work()
        effects: list[Effect] = []
        if work.stage in ("scanning", "saving"):
            effects.append(Publish(ScanCancelOrdered(work.request)))
        work.stage, work.request = "choose", 0  # late news of this scan is ignored
        return [*effects, *self._leave_scan()]

    # -- what the scanning worker reports ---------------------------------------------------

    def _on_ScannersChanged(self, event: ScannersChanged) -> list[Effect]:
        self.scanners = event
        if self.phase is Phase.PROCEDURE:
            return [RefreshToolbar()]
        if self.phase is Phase.PICKER:
            # Drawn again only when "Scan a document" comes or goes: a picker rebuilt
            # for nothing can lose a key the resident presses at that moment.
            view = self._picker_view()
            return [] if view == self.view else [Show(view)]
        work = self._scan_work()
        if self.phase is Phase.SCAN and work.stage == "choose":
            names = [s.name for s in event.scanners]
            if not names:
                work.reason = "no_scanner"
                return self._show_scan("failed")
            if work.scanner not in names:
                work.scanner = names[0]
            return self._show_scan()
        return []

    def _on_ScanProgressed(self, event: ScanProgressed) -> list[Effect]:
        if not self._this_scan(event.request, "scanning"):
            return []
        return [UpdateScanProgress(event.percent)]

    def _on_ScanPageReady(self, event: ScanPageReady) -> list[Effect]:
        if not self._this_scan(event.request, "scanning"):
            return []
        self._scan_work().pages.append(ScanPage(event.image, event.preview))
        return self._show_scan("review")

    def _on_ScanStopped(self, event: ScanStopped) -> list[Effect]:
        if not self._this_scan(event.request, "scanning", "saving") \
                or event.reason == "cancelled":
            return []
        self._scan_work().reason = event.reason
        return self._show_scan("failed")

    def _on_ScanSaved(self, event: ScanSaved) -> list[Effect]:
        if not self._this_scan(event.request, "saving"):
            return []
        work = self._scan_work()
        work.document, work.pages = event.document.name, []
        if work.from_picker and self._chooser() is not None:
            self._forget_chooser()
            work.stage = "choose"
            return [GiveFiles((event.document.path,)), *self._to_procedure()]
        return self._show_scan("saved")

