"""The session flow: which screen shows, and what happens next, with no Tk.

`SessionFlow` is a small state machine. It takes what the resident does (a
tile, Back, End session...) and what the workers report (events from the bus)
and answers with effects: the view to render, calls to the session controller,
figures to update. The app renders the views and carries out the effects; it
keeps no flags of its own. Every state and every input is unit-tested without a
display (`tests/session/test_flow.py`).

Phases:
- HOME: nobody is using the terminal; nothing to wipe.
- SHELL: a session runs and the resident is on one of the shell's screens
  (home, help, documents, the end question...).
- PROCEDURE: the browser shows a procedure under the toolbar.
- PICKER: the kiosk's document picker answers a page's file input.
- PRINT: the print panel, from the page's PDF being made to the job's outcome.
- SCAN: the scan panel (its handlers are in kiosk.session.scan_flow).
- COUNTDOWN: the idle or time-limit countdown is on screen.
- FAILED: a calm message after a failure; the session then ends by itself.
- ENDING: the wipe runs; only its end (`SessionWiped`) counts.
- OUT_OF_SERVICE: the wipe could not be verified; nobody may start a session until
  a later wipe is.
- PIN_PAD, CONSENT: assisted mode being unlocked (see `kiosk.session.assisted_flow`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.events import (
    AssistedModeAsked as AssistedModeAsked,
    BrowserCrashed,
    BrowserReady,
    BrowserUnavailable,
    CountdownCancelled,
    CountdownKind,
    CountdownTick,
    Document,
    DocumentAdded,
    DownloadFailed,
    FileChooserOpened,
    LanguageChosen,
    MediatorIdle as MediatorIdle,
    PageAddressChanged,
    PageCrashed,
    PageFieldFocused,
    PageOpened,
    PagePdfReady,
    PinChecked as PinChecked,
    PrintCancelOrdered,
    PrinterChanged,
    PrintJobChanged,
    PrintOrdered,
    PrintPreparationFailed,
    PrintPreviewAsked,
    PrintPreviewReady,
    PrintRequested,
    SessionExpired,
    SessionFailed,
    SessionWiped,
    ThumbnailReady,
    TimeLimitNotice,
    ToolbarKeyPressed,
    UsbDocumentsGone,
    UsbKeyChanged,
    UsbSaveAsked,
    UsbSaveFinished,
    WindowClosed,
)
from kiosk.session.assisted_flow import (
    AcceptAssistance as AcceptAssistance,
    AddressBarView as AddressBarView,
    AssistedFlow,
    ClosePinPad as ClosePinPad,
    ConsentView as ConsentView,
    DeclineAssistance as DeclineAssistance,
    EndAssistance as EndAssistance,
    MandateView as MandateView,
    OpenAddress as OpenAddress,
    OpenAddressInBrowser as OpenAddressInBrowser,
    PinPadView as PinPadView,
    SetAssistedRights as SetAssistedRights,
    ShowAddressBar as ShowAddressBar,
    ShowMandate as ShowMandate,
    SubmitPin as SubmitPin,
    _Assistance,
)
from kiosk.session.documents import choose_for
from kiosk.session.flow_types import (
    Action as Action,
    Effect as Effect,
    GiveFiles as GiveFiles,
    Input as Input,
    Phase as Phase,
    Publish as Publish,
    RefreshToolbar as RefreshToolbar,
    Show as Show,
    View as View,
)
from kiosk.session.scan_flow import (
    AddScanPage as AddScanPage,
    CancelScan as CancelScan,
    ChooseScanner as ChooseScanner,
    FinishScan as FinishScan,
    RetryScan as RetryScan,
    RotateScanPage as RotateScanPage,
    ScanFlow as ScanFlow,
    ScanFromPicker as ScanFromPicker,
    ScanPanelView as ScanPanelView,
    ScanWork as ScanWork,
    StartScan as StartScan,
    UpdateScanProgress as UpdateScanProgress,
)

log = logging.getLogger(__name__)


# -- what the resident does (the app turns presses into these) -------------------------------




@dataclass(frozen=True)
class OpenProcedure(Action):
    procedure_id: str


@dataclass(frozen=True)
class ShowOtherWays(Action):
    procedure_id: str


class ShowHelp(Action):
    pass


@dataclass(frozen=True)
class ChangeLanguage(Action):
    language: str


TEXT_SIZES = ("normal", "large", "very_large")


@dataclass(frozen=True)
class SetTextSize(Action):
    """One of the three text sizes (TEXT_SIZES), for the shell and the page's zoom."""

    size: str


@dataclass(frozen=True)
class SetHighContrast(Action):
    """The high-contrast theme on or off, for the shell and the pages' colours."""

    on: bool


class ShowDocuments(Action):
    pass


class AskToEnd(Action):
    pass


class GoHome(Action):
    """The toolbar's Home: back to the tiles, the session goes on."""


class GoBack(Action):
    """"Back" on a shell screen: to the open procedure, else to the tiles."""


class PageBack(Action):
    pass


class PageReload(Action):
    pass


class KeyboardToPage(Action):
    """F2 in the toolbar."""


@dataclass(frozen=True)
class PressPageKey(Action):
    """A key of the on-screen keyboard: `text` to type, or the name of a `key` to press."""

    text: str = ""
    key: str = ""


class StillHere(Action):
    pass


@dataclass(frozen=True)
class EndSession(Action):
    reason: str  # "button" when the resident confirmed


@dataclass(frozen=True)
class PickDocuments(Action):
    paths: tuple[Path, ...]


class CancelPicker(Action):
    pass


@dataclass(frozen=True)
class PrintDocument(Action):
    """Print one of the session's documents (from the Documents screen)."""

    path: Path


@dataclass(frozen=True)
class SaveToUsb(Action):
    """Copy one of the session's documents onto the resident's USB key."""

    path: Path


@dataclass(frozen=True)
class ConfirmPrint(Action):
    """Print, as chosen on the panel: pages `first_page` to `last_page`, `copies` times."""

    first_page: int
    last_page: int
    copies: int
    colour: bool = False


class CancelPrint(Action):
    """Cancel on the print panel, or "Stop printing" while the job waits or prints."""


@dataclass(frozen=True)
class ExplainUnavailable(Action):
    """A greyed-out toolbar item was pressed: say why."""

    text: str


@dataclass(frozen=True)
class ShowUserError(Action):
    """A failure whose message is fit for the resident (shown as written)."""

    text: str


class InternalError(Action):
    """A bug: the resident sees a calm screen, the session ends, a fresh home follows."""


@dataclass(frozen=True)
class MessageTimeout(Action):
    """The time a message stays on screen is over.

    `serial` names the message it was scheduled for: a late timeout of an earlier
    message (or of the previous resident's) must not cut the one shown now short.
    None stands for "the message shown now" (a recovery that cannot know it).
    """

    serial: int | None = None




# -- what the app shows ----------------------------------------------------------------------


class HomeView(View):
    pass


@dataclass(frozen=True)
class HelpView(View):
    """The human alternative: the desk, and while a page is open that procedure's other
    ways (`procedure_id`) and its address to take away (`take_away`, "" for none)."""

    procedure_id: str = ""
    take_away: str = ""


@dataclass(frozen=True)
class OtherWaysView(View):
    procedure_id: str


@dataclass(frozen=True)
class DocumentsView(View):
    documents: tuple[Document, ...]
    usb_writable: bool = False  # "Save to my USB key" on each document
    usb_notice: str = ""  # "", "saving", or how the last saving ended (UsbSaveOutcome)


@dataclass(frozen=True)
class EndQuestionView(View):
    document_count: int


@dataclass(frozen=True)
class ProcedureView(View):
    """The toolbar strip, with the browser below it."""

    procedure_id: str


@dataclass(frozen=True)
class PickerView(View):
    documents: tuple[Document, ...]  # those the input accepts, newest first
    multiple: bool
    accept: tuple[str, ...]
    left_out: int  # the session's other documents, of a kind the input does not take
    can_scan: bool = False  # "Scan a document" is offered


@dataclass(frozen=True)
class CountdownView(View):
    kind: CountdownKind


@dataclass(frozen=True)
class MessageView(View):
    """A message; `kind` picks the words: "ending", "ending_usb" (with the USB key
    reminder), "usb_reminder", "usb_refused", "usb_unreadable", "unavailable",
    "explain", "user_error"..."""

    kind: str
    text: str = ""
    can_go_back: bool = False


class ErrorView(View):
    pass


class OutOfServiceView(View):
    """Something of the last session may be left: nobody is served until it is gone."""


@dataclass(frozen=True)
class PrintPanelView(View):
    """The print panel: the preview and the choices, with the keyboard on Print."""

    pages: int
    previews: tuple[Path, ...]
    sheets_left: int
    colour: bool  # the printer offers colour
    printer_reasons: tuple[str, ...]  # what the printer reports (IPP keywords)
    over_quota: int = 0  # sheets the last choice needed, when that is more than left


@dataclass(frozen=True)
class PrintStatusView(View):
    """Where printing is: "preparing", "unprintable", or a job's stage (see PrintStage)."""

    stage: str
    pages_done: int = 0
    pages_total: int = 0
    reason: str = ""

    @property
    def finished(self) -> bool:
        return self.stage in ("printed", "failed", "cancelled", "unprintable")


# -- what the app does -----------------------------------------------------------------------


class BeginSession(Effect):
    """Tell the controller: from now on there is something to wipe."""


@dataclass(frozen=True)
class OpenInBrowser(Effect):
    procedure_id: str


@dataclass(frozen=True)
class BrowserCall(Effect):
    """"back", "reload" or "focus" (the page takes the keyboard)."""

    action: str


@dataclass(frozen=True)
class PageKeyboard(Effect):
    """The on-screen keyboard for a page's text field of type `field_kind` ("" puts it
    away). The app decides whether this terminal shows it (the profile, a keyboard)."""

    field_kind: str


@dataclass(frozen=True)
class TypeOnPage(Effect):
    """Type `text` into the page's focused field, or press `key` there."""

    text: str = ""
    key: str = ""


@dataclass(frozen=True)
class EndInController(Effect):
    reason: str


class RestartBrowser(Effect):
    pass


class FocusToolbar(Effect):
    pass


class ReclaimKeyboard(Effect):
    """The shell takes the keyboard back if nothing of its own has it."""


@dataclass(frozen=True)
class UpdateCountdown(Effect):
    seconds_left: int


@dataclass(frozen=True)
class UpdateNotice(Effect):
    """The time-limit line in the toolbar; None clears it."""

    seconds_left: int | None


@dataclass(frozen=True)
class UpdateDocumentCount(Effect):
    count: int


class MakePagePdf(Effect):
    """Ask the session's browser for a PDF of the page on screen."""


@dataclass(frozen=True)
class ApplyPresentation(Effect):
    """Text size and contrast for the screens drawn from now on, and for the pages."""

    text_size: str
    high_contrast: bool


class ResetForNextResident(Effect):
    """Language, text size, contrast and clipboard back to the terminal's defaults."""


@dataclass(frozen=True)
class Later(Effect):
    """Feed `input` back to the flow after `delay_ms`."""

    delay_ms: int
    input: Input


# Screens that help opens over, the screen kept as it is behind it.
HELP_OVER_PHASES = (Phase.PICKER, Phase.PRINT, Phase.SCAN, Phase.PIN_PAD, Phase.CONSENT,
                    Phase.COUNTDOWN)

MESSAGE_MS = 3000
UNAVAILABLE_MS = 6000
PRINTED_MS = 6000  # "take your pages": long enough to read, then back to the page
USB_REMINDER_MS = 8000  # "don't forget your USB key", unless it is pulled out sooner


@dataclass
class _Session:
    """What the flow remembers of the current session (forgotten at the wipe)."""

    active: bool = False
    procedure_id: str = ""
    in_procedure: bool = False  # Back on a shell screen returns to the page
    documents: list[Document] = field(default_factory=list)
    chooser: FileChooserOpened | None = None
    countdown: CountdownKind | None = None
    sheets_used: int = 0  # counted when a job is sent, given back if nothing came out
    print_document: Path | None = None  # what the print panel is about
    print_pdf: Path | None = None
    print_pages: int = 0
    print_previews: tuple[Path, ...] = ()
    print_from_documents: bool = False
    print_request: int = 0  # the job on its way, 0 when none
    print_sheets: int = 0  # the sheets that job counts
    usb_told: set[str] = field(default_factory=set)  # USB messages shown in this session
    take_away: str = ""  # the open page's address a phone may take (PageAddressChanged)
    before_help: View | None = None  # the shell screen Help was opened from
    text_size: str = "normal"  # the resident's choices of presentation, until the wipe
    high_contrast: bool = False
    scan: ScanWork = field(default_factory=ScanWork)


class SessionFlow(ScanFlow, AssistedFlow):
    """The state machine; `handle` is its only door."""

    def __init__(self, sheets_per_session: int = 20, assisted_sheets: int = 0) -> None:
        self.phase = Phase.HOME
        self.view: View = HomeView()
        self.browser_available = True
        self.printer: PrinterChanged | None = None
        self.sheets_per_session = sheets_per_session
        self.assisted_sheets = assisted_sheets  # the quota while a mediator's rights are on
        self._message_serial = 0
        self._requests = 0
        self._session = _Session()
        self._assistance = _Assistance()
        # Help opened over a screen that must stay as it is behind it (the picker, the
        # print or scan panel, the PIN pad...): the phase it was opened over.
        self._help_over: Phase | None = None
        # The USB keys plugged in now (they outlive sessions: a key left behind is
        # still there when the next session starts), by sys path.
        self.usb_keys: dict[str, UsbKeyChanged] = {}
        # A message the resident must see once the wipe is done ("" for none).
        self._tell_after_wipe = ""

    # -- what the app may read ---------------------------------------------------------------

    @property
    def session_active(self) -> bool:
        return self._session.active

    @property
    def procedure_id(self) -> str:
        return self._session.procedure_id

    @property
    def help_reachable(self) -> bool:
        """Whether a Help press leads to the help screen now (a screen offers it then)."""
        phases = (Phase.HOME, Phase.SHELL, Phase.PROCEDURE, *HELP_OVER_PHASES)
        return self.phase in phases and self._help_over is None \
            and not isinstance(self.view, HelpView)

    @property
    def documents(self) -> tuple[Document, ...]:
        return tuple(self._session.documents)

    @property
    def text_size(self) -> str:
        return self._session.text_size

    @property
    def high_contrast(self) -> bool:
        return self._session.high_contrast

    # -- the door ----------------------------------------------------------------------------

    def handle(self, item: Input) -> list[Effect]:
        """What `item` leads to, as effects in order (the phase changes with them)."""
        method = getattr(self, "_on_" + type(item).__name__, None)
        if method is None:
            return []
        over = self._help_over
        effects: list[Effect] = method(item)
        if over is not None and self._help_over is not None:
            if self.phase is over:
                return self._behind_help(effects)
            self._help_over = None  # the phase moved on (the session ends...): help goes
        for effect in effects:
            if isinstance(effect, Show) and not (
                    self._help_over is not None and isinstance(effect.view, HelpView)):
                self.view = effect.view
        return effects

    def _behind_help(self, effects: list[Effect]) -> list[Effect]:
        """While help is over a screen, that screen changes behind it, unseen: Back from
        help shows it as it is then."""
        kept: list[Effect] = []
        for effect in effects:
            if isinstance(effect, Show) and not isinstance(effect.view, HelpView):
                self.view = effect.view
            else:
                kept.append(effect)
        return kept

    # -- helpers -------------------------------------------------------------------------------

    def _busy(self) -> bool:
        """Ending, failed or out of service: nothing the resident does counts any more."""
        return self.phase in (Phase.ENDING, Phase.FAILED, Phase.OUT_OF_SERVICE)

    def _begin(self) -> list[Effect]:
        if self._session.active:
            return []
        self._session.active = True
        return [BeginSession()]

    def _to_shell(self, view: View, *, leave_procedure: bool = False) -> list[Effect]:
        effects = self._begin()
        if leave_procedure:
            self._session.in_procedure = False
        self.phase = Phase.SHELL
        return [*effects, Show(view)]

    def _to_procedure(self) -> list[Effect]:
        self.phase = Phase.PROCEDURE
        self._session.in_procedure = True
        self._session.countdown = None
        return [Show(ProcedureView(self._session.procedure_id)), BrowserCall("focus")]

    def _return(self) -> list[Effect]:
        """Back where the resident was: the procedure, else the tiles."""
        if self._session.in_procedure and self._session.procedure_id:
            return self._to_procedure()
        self._session.countdown = None
        self.phase = Phase.SHELL if self._session.active else Phase.HOME
        return [Show(HomeView())]

    def _end(self, reason: str) -> list[Effect]:
        if self.phase in (Phase.ENDING, Phase.OUT_OF_SERVICE):
            return []
        log.info("ending the session (%s)", reason)
        dropped = self._drop_chooser()
        self.phase = Phase.ENDING
        kind = "ending_usb" if self.usb_keys else "ending"
        return [*dropped, *self.assistance_over(), Show(MessageView(kind)),
                EndInController(reason)]

    def _documents_view(self, usb_notice: str = "") -> DocumentsView:
        writable = any(key.writable for key in self.usb_keys.values())
        return DocumentsView(self.documents, writable, usb_notice)

    def _drop_chooser(self) -> list[Effect]:
        if self._session.chooser is None:
            return []
        self._session.chooser = None
        return [GiveFiles(())]

    def _fail(self, view: View, delay_ms: int) -> list[Effect]:
        dropped = self._drop_chooser()
        self.phase = Phase.FAILED
        return [*dropped, Show(view), Later(delay_ms, self._timeout_for_this_message())]

    def _picker_view(self) -> PickerView:
        chooser = self._session.chooser
        assert chooser is not None
        choice = choose_for(self._session.documents, chooser.accept)
        return PickerView(choice.documents, chooser.multiple, chooser.accept, choice.left_out,
                          self.scanning_offered)

    def _chooser(self) -> FileChooserOpened | None:
        return self._session.chooser

    def _forget_chooser(self) -> None:
        self._session.chooser = None

    def _scan_work(self) -> ScanWork:
        return self._session.scan

    def _new_scan_work(self) -> ScanWork:
        self._session.scan = ScanWork()
        return self._session.scan

    # -- the resident's actions ----------------------------------------------------------------

    def _on_OpenProcedure(self, action: OpenProcedure) -> list[Effect]:
        if self._busy() or self.phase in (Phase.COUNTDOWN, Phase.PICKER, Phase.PRINT,
                                          Phase.PIN_PAD, Phase.CONSENT, Phase.SCAN):
            return []
        effects = self._begin()
        self._session.procedure_id = action.procedure_id
        if not self.browser_available:
            return [*effects, *self._fail(MessageView("unavailable"), UNAVAILABLE_MS)]
        self.phase = Phase.PROCEDURE
        self._session.in_procedure = True
        # The controller shows the browser and gives it the keyboard once the page is asked for.
        return [*effects, Show(ProcedureView(action.procedure_id)),
                OpenInBrowser(action.procedure_id)]

    def _on_ShowOtherWays(self, action: ShowOtherWays) -> list[Effect]:
        if self.phase not in (Phase.HOME, Phase.SHELL):
            return []
        return self._to_shell(OtherWaysView(action.procedure_id))

    def _help_view(self) -> HelpView:
        session = self._session
        if not (session.in_procedure and session.procedure_id):
            return HelpView()
        return HelpView(session.procedure_id, session.take_away)

    def _on_ShowHelp(self, action: ShowHelp) -> list[Effect]:
        if self._help_over is not None or isinstance(self.view, HelpView):
            return []
        if self.phase is Phase.COUNTDOWN and self._session.countdown == "idle":
            # Asking for help is being here: the idle countdown stops, as with
            # "I'm still here", and Back from help goes where the resident was.
            self._session.countdown = None
            return self._to_shell(self._help_view())
        if self.phase in HELP_OVER_PHASES:
            self._help_over = self.phase
            return [Show(self._help_view())]
        if self.phase not in (Phase.HOME, Phase.SHELL, Phase.PROCEDURE):
            return []
        self._session.before_help = self.view if self.phase is Phase.SHELL else None
        return self._to_shell(self._help_view())

    def _on_PageAddressChanged(self, event: PageAddressChanged) -> list[Effect]:
        if self._session.active and not self._busy():
            self._session.take_away = event.address
        return []

    def _on_ChangeLanguage(self, action: ChangeLanguage) -> list[Effect]:
        if self.phase not in (Phase.HOME, Phase.SHELL):
            return []
        return [*self._to_shell(HomeView()), Publish(LanguageChosen(action.language))]

    def _on_SetTextSize(self, action: SetTextSize) -> list[Effect]:
        if action.size not in TEXT_SIZES or action.size == self._session.text_size:
            return []
        return self._change_presentation(action.size, self._session.high_contrast)

    def _on_SetHighContrast(self, action: SetHighContrast) -> list[Effect]:
        if action.on == self._session.high_contrast:
            return []
        return self._change_presentation(self._session.text_size, action.on)

    def _change_presentation(self, text_size: str, high_contrast: bool) -> list[Effect]:
        """The same screen again, drawn in the new size or colours.

        Offered on the home screen and in the toolbar; a choice made on the home
        screen starts a session, so that the wipe puts it back for the next resident.
        """
        if self.phase not in (Phase.HOME, Phase.SHELL, Phase.PROCEDURE):
            return []
        self._session.text_size, self._session.high_contrast = text_size, high_contrast
        effects = [*self._begin(), ApplyPresentation(text_size, high_contrast)]
        if self.phase is Phase.HOME:
            self.phase = Phase.SHELL
        return [*effects, Show(self.view)]

    def _on_ShowDocuments(self, action: ShowDocuments) -> list[Effect]:
        if self.phase not in (Phase.SHELL, Phase.PROCEDURE):
            return []
        return self._to_shell(self._documents_view())

    def _on_AskToEnd(self, action: AskToEnd) -> list[Effect]:
        if self.phase not in (Phase.SHELL, Phase.PROCEDURE):
            return []
        return self._to_shell(EndQuestionView(len(self._session.documents)))

    def _on_GoHome(self, action: GoHome) -> list[Effect]:
        if self.phase not in (Phase.SHELL, Phase.PROCEDURE):
            return []
        return self._to_shell(HomeView(), leave_procedure=True)

    def _on_GoBack(self, action: GoBack) -> list[Effect]:
        if self._help_over is not None:
            self._help_over = None
            return [Show(self.view)]  # the screen help was over, as it is now
        if self.phase is Phase.HOME and isinstance(self.view, MessageView):
            return [Show(HomeView())]  # a word said after the wipe: on to the tiles
        if self.phase is not Phase.SHELL:
            return []
        before, self._session.before_help = self._session.before_help, None
        if isinstance(self.view, HelpView) and before is not None:
            if isinstance(before, DocumentsView):
                before = self._documents_view()  # documents may have come meanwhile
            return [Show(before)]
        return self._return()

    def _on_PageBack(self, action: PageBack) -> list[Effect]:
        return [BrowserCall("back")] if self.phase is Phase.PROCEDURE else []

    def _on_PageReload(self, action: PageReload) -> list[Effect]:
        return [BrowserCall("reload")] if self.phase is Phase.PROCEDURE else []

    def _on_KeyboardToPage(self, action: KeyboardToPage) -> list[Effect]:
        if self.phase is not Phase.PROCEDURE:
            return []
        log.info("keyboard to the page")
        return [BrowserCall("focus")]

    def _on_PressPageKey(self, action: PressPageKey) -> list[Effect]:
        if self.phase is not Phase.PROCEDURE:
            return []  # a tap that came after the page went out of sight
        return [TypeOnPage(action.text, action.key)]

    def _on_PageFieldFocused(self, event: PageFieldFocused) -> list[Effect]:
        # Only over the page: on the shell's screens the page's focus means nothing.
        return [PageKeyboard(event.kind)] if self.phase is Phase.PROCEDURE else []

    def _on_StillHere(self, action: StillHere) -> list[Effect]:
        if self.phase is not Phase.COUNTDOWN:
            return []
        return self._return()

    def _on_EndSession(self, action: EndSession) -> list[Effect]:
        if self.phase is Phase.ENDING:
            return []
        return self._end(action.reason)

    def _on_PickDocuments(self, action: PickDocuments) -> list[Effect]:
        if self.phase is not Phase.PICKER or self._session.chooser is None:
            return []
        chooser, self._session.chooser = self._session.chooser, None
        paths = action.paths if chooser.multiple else action.paths[:1]
        return [GiveFiles(paths), *self._to_procedure()]

    def _on_CancelPicker(self, action: CancelPicker) -> list[Effect]:
        if self.phase is not Phase.PICKER:
            return []
        return [*self._drop_chooser(), *self._to_procedure()]

    def _on_ExplainUnavailable(self, action: ExplainUnavailable) -> list[Effect]:
        if self.phase not in (Phase.SHELL, Phase.PROCEDURE):
            return []
        return self._to_shell(MessageView("explain", action.text, can_go_back=True))

    def _on_ShowUserError(self, action: ShowUserError) -> list[Effect]:
        if self._busy():
            return []
        dropped = self._drop_chooser()
        self.phase = Phase.SHELL if self._session.active else Phase.HOME
        self._session.in_procedure = False
        return [*dropped, Show(MessageView("user_error", action.text)),
                Later(MESSAGE_MS, self._timeout_for_this_message())]

    def _on_InternalError(self, action: InternalError) -> list[Effect]:
        if self.phase in (Phase.ENDING, Phase.OUT_OF_SERVICE):
            return []
        return self._fail(ErrorView(), MESSAGE_MS)

    def _timeout_for_this_message(self) -> MessageTimeout:
        self._message_serial += 1
        return MessageTimeout(self._message_serial)

    def _on_MessageTimeout(self, action: MessageTimeout) -> list[Effect]:
        if action.serial is not None and action.serial != self._message_serial:
            return []  # the timeout of a message that is gone
        if self.phase is Phase.PRINT:
            return self._leave_print()
        if self.phase is Phase.FAILED:
            if self._session.active:
                self.phase = Phase.SHELL  # lets _end run
                return self._end("error")
            return self._reset()
        if isinstance(self.view, MessageView) and self.view.kind == "user_error":
            return self._return()
        if isinstance(self.view, MessageView) and self.view.kind in ("usb_reminder",
                                                                     "session_crashed"):
            return [Show(HomeView())]
        return []

    # -- what the workers report ---------------------------------------------------------------

    def _on_BrowserReady(self, event: BrowserReady) -> list[Effect]:
        log.info("browser ready for the next session")
        self.browser_available = True
        return [] if self.phase is Phase.PROCEDURE else [ReclaimKeyboard()]

    def _on_BrowserUnavailable(self, event: BrowserUnavailable) -> list[Effect]:
        self.browser_available = False
        return []

    def _on_PageOpened(self, event: PageOpened) -> list[Effect]:
        return [BrowserCall("focus")] if self.phase is Phase.PROCEDURE else []

    def _on_WindowClosed(self, event: WindowClosed) -> list[Effect]:
        # The closed window may have had the keyboard; the page takes it back.
        return [BrowserCall("focus")] if self.phase is Phase.PROCEDURE else []

    def _on_PageCrashed(self, event: PageCrashed) -> list[Effect]:
        """The page stopped (it crashed, or the kiosk ended it when it stopped answering):
        the resident is told, with the keyboard on a way back to the tiles. Reloading
        it would start a page that loops all over again."""
        if not self._session.in_procedure or self._busy():
            return []
        self._session.in_procedure = False
        if self.phase is Phase.COUNTDOWN:
            return []  # the countdown stays; its end, or a touch, leads to the tiles
        dropped = self._drop_chooser()
        self.phase = Phase.SHELL
        return [*dropped, Show(MessageView("page_crashed", can_go_back=True))]

    def _on_ToolbarKeyPressed(self, event: ToolbarKeyPressed) -> list[Effect]:
        return [FocusToolbar()] if self.phase is Phase.PROCEDURE else []

    def _on_FileChooserOpened(self, event: FileChooserOpened) -> list[Effect]:
        if self.phase not in (Phase.PROCEDURE, Phase.PICKER):
            # Nobody sees the page now (a page script asking on its own): no answer.
            return [GiveFiles(())]
        self._session.chooser = event
        self.phase = Phase.PICKER
        return [Show(self._picker_view())]

    def _on_DocumentAdded(self, event: DocumentAdded) -> list[Effect]:
        if self.phase is Phase.ENDING or not self._session.active:
            return []  # a late download of a session being wiped
        self._session.documents.append(event.document)
        effects: list[Effect] = [UpdateDocumentCount(len(self._session.documents))]
        if self.phase is Phase.PICKER:
            effects.append(Show(self._picker_view()))
        return effects

    def _on_DownloadFailed(self, event: DownloadFailed) -> list[Effect]:
        """Told on a screen with Back to the page; nothing joins the documents."""
        if self.phase is not Phase.PROCEDURE or not self._session.active:
            return []  # a late event of a session being wiped, or a screen in the way
        kind = "download_no_room" if event.no_room else "download_failed"
        return self._to_shell(MessageView(kind, can_go_back=True))

    def _on_ThumbnailReady(self, event: ThumbnailReady) -> list[Effect]:
        if self.phase is not Phase.PICKER or event.document not in {
                d.path for d in self._picker_view().documents}:
            return []
        return [Show(self._picker_view())]  # the same list, now with that picture

    def _on_TimeLimitNotice(self, event: TimeLimitNotice) -> list[Effect]:
        if not self._session.active or self._busy():
            return []
        return [UpdateNotice(event.seconds_left)]

    def _on_CountdownTick(self, event: CountdownTick) -> list[Effect]:
        if not self._session.active or self._busy():
            return []
        effects: list[Effect] = [UpdateCountdown(event.seconds_left)]
        if self.phase is Phase.COUNTDOWN and self._session.countdown == event.kind:
            return effects
        dropped = self._drop_chooser()
        self._session.countdown = event.kind
        self.phase = Phase.COUNTDOWN
        return [*dropped, *effects, Show(CountdownView(event.kind))]

    def _on_CountdownCancelled(self, event: CountdownCancelled) -> list[Effect]:
        if self.phase is not Phase.COUNTDOWN:
            return []
        return self._return()

    def _on_SessionExpired(self, event: SessionExpired) -> list[Effect]:
        if not self._session.active:
            return []
        return self._end(event.reason)

    def _on_BrowserCrashed(self, event: BrowserCrashed) -> list[Effect]:
        if self.phase is Phase.ENDING:
            return []
        if not self._session.active:
            return [RestartBrowser()]
        log.error("the browser stopped (%s): ending the session", event.reason)
        self._tell_after_wipe = "session_crashed"
        return self._end("crash")

    def _on_SessionFailed(self, event: SessionFailed) -> list[Effect]:
        if self._busy():
            return []
        log.error("session failed: %s", event.reason)
        if event.reason == "browser_unavailable":
            return self._fail(MessageView("unavailable"), UNAVAILABLE_MS)
        return self._end("error")

    # -- printing ------------------------------------------------------------------------

    @property
    def sheets_left(self) -> int:
        quota = self.sheets_per_session
        if self.assisted_rights:
            quota = max(quota, self.assisted_sheets)
        return max(0, quota - self._session.sheets_used)

    def _open_print(self, from_documents: bool) -> list[Effect]:
        session = self._session
        session.print_document, session.print_pdf, session.print_pages = None, None, 0
        session.print_previews, session.print_request = (), 0
        session.print_from_documents = from_documents
        self._message_serial += 1  # a late "printed" timeout must not close this panel
        self.phase = Phase.PRINT
        return [Show(PrintStatusView("preparing"))]

    def _leave_print(self) -> list[Effect]:
        self._session.print_request = 0
        if self._session.print_from_documents:
            return self._to_shell(self._documents_view())
        return self._return()

    def _panel_view(self, over_quota: int = 0) -> PrintPanelView:
        printer, session = self.printer, self._session
        return PrintPanelView(session.print_pages, session.print_previews, self.sheets_left,
                              bool(printer and printer.colour),
                              printer.reasons if printer else (), over_quota)

    def _on_PrintRequested(self, event: PrintRequested) -> list[Effect]:
        if self.phase is not Phase.PROCEDURE:
            return []
        return [*self._open_print(from_documents=False), MakePagePdf()]

    def _on_PrintDocument(self, action: PrintDocument) -> list[Effect]:
        if self.phase is not Phase.SHELL or action.path not in {
                d.path for d in self._session.documents}:
            return []
        effects = self._open_print(from_documents=True)
        self._session.print_document = action.path
        return [*effects, Publish(PrintPreviewAsked(action.path))]

    def _on_PagePdfReady(self, event: PagePdfReady) -> list[Effect]:
        if self.phase is not Phase.PRINT or self._session.print_document is not None:
            return []
        self._session.print_document = event.pdf
        return [Publish(PrintPreviewAsked(event.pdf))]

    def _on_PrintPreviewReady(self, event: PrintPreviewReady) -> list[Effect]:
        session = self._session
        if self.phase is not Phase.PRINT or event.document != session.print_document \
                or session.print_pdf is not None:
            return []
        session.print_pdf, session.print_pages = event.pdf, event.pages
        session.print_previews = event.previews
        return [Show(self._panel_view())]

    def _on_PrintPreparationFailed(self, event: PrintPreparationFailed) -> list[Effect]:
        if self.phase is not Phase.PRINT or self._session.print_pdf is not None:
            return []
        return [Show(PrintStatusView("unprintable", reason=event.reason))]

    def _on_ConfirmPrint(self, action: ConfirmPrint) -> list[Effect]:
        session = self._session
        if self.phase is not Phase.PRINT or session.print_pdf is None or session.print_request:
            return []
        first = max(1, min(action.first_page, session.print_pages))
        last = max(first, min(action.last_page, session.print_pages))
        copies = max(1, action.copies)
        sheets = (last - first + 1) * copies
        if sheets > self.sheets_left:
            return [Show(self._panel_view(over_quota=sheets))]
        self._requests += 1
        session.print_request, session.print_sheets = self._requests, sheets
        session.sheets_used += sheets
        colour = action.colour and bool(self.printer and self.printer.colour)
        return [Publish(PrintOrdered(self._requests, session.print_pdf, copies, first, last,
                                     colour)),
                Show(PrintStatusView("sent", 0, sheets))]

    def _on_CancelPrint(self, action: CancelPrint) -> list[Effect]:
        if self.phase is not Phase.PRINT:
            return []
        view = self.view
        if self._session.print_request and not (
                isinstance(view, PrintStatusView) and view.finished):
            # The job says when it is cancelled; the screen follows then.
            return [Publish(PrintCancelOrdered(self._session.print_request))]
        return self._leave_print()

    def _on_PrintJobChanged(self, event: PrintJobChanged) -> list[Effect]:
        session = self._session
        if not session.print_request or event.request != session.print_request:
            return []
        view = PrintStatusView(event.stage, event.pages_done, event.pages_total, event.reason)
        if not view.finished:
            return [Show(view)] if self.phase is Phase.PRINT else []
        if event.stage != "printed" and event.pages_done == 0:
            session.sheets_used -= session.print_sheets  # nothing came out: not counted
        session.print_sheets = 0
        if self.phase is not Phase.PRINT:
            session.print_request = 0
            return []
        effects: list[Effect] = [Show(view)]
        if event.stage == "printed":
            effects.append(Later(PRINTED_MS, self._timeout_for_this_message()))
        return effects

    def _on_PrinterChanged(self, event: PrinterChanged) -> list[Effect]:
        self.printer = event
        if self.phase is Phase.PROCEDURE:
            return [RefreshToolbar()]
        if self.phase is Phase.PRINT and isinstance(self.view, PrintPanelView):
            return [Show(self._panel_view(self.view.over_quota))]
        return []

    def _on_SessionWiped(self, event: SessionWiped) -> list[Effect]:
        if event.reason == "recheck" and self.phase is not Phase.OUT_OF_SERVICE:
            return []
        if not event.verified:
            # Nothing of a resident may reach the next one: nobody is served.
            self._session = _Session()
            self._assistance = _Assistance()
            self.phase = Phase.OUT_OF_SERVICE
            return [ResetForNextResident(), UpdateNotice(None), UpdateDocumentCount(0),
                    Show(OutOfServiceView())]
        told, self._tell_after_wipe = self._tell_after_wipe, ""
        effects = self._reset()
        if self.usb_keys:
            # The resident may be walking away: the key is theirs, say so before the tiles.
            told = "usb_reminder"
        if not told:
            return effects
        # The resident did not choose this end (a crash) or may be walking away (a key
        # left in): a word before the tiles, with a way on at once.
        return [*effects[:-1], Show(MessageView(told, can_go_back=told == "session_crashed")),
                Later(USB_REMINDER_MS, self._timeout_for_this_message())]

    # -- USB keys ------------------------------------------------------------------------

    def _on_UsbKeyChanged(self, event: UsbKeyChanged) -> list[Effect]:
        if event.state == "gone":
            self.usb_keys.pop(event.sys_path, None)
            if isinstance(self.view, MessageView) and self.view.kind == "usb_reminder" \
                    and not self.usb_keys:
                return [Show(HomeView())]
        else:
            self.usb_keys[event.sys_path] = event
        if event.state in ("refused", "unreadable"):
            return self._tell_about_usb("usb_" + event.state)
        if self.phase is Phase.SHELL and isinstance(self.view, DocumentsView):
            return [Show(self._documents_view())]  # Save buttons come or go
        return []

    def _tell_about_usb(self, kind: str) -> list[Effect]:
        """The key can't be used: said once per session, on a screen with Back."""
        if kind in self._session.usb_told or \
                self.phase not in (Phase.HOME, Phase.SHELL, Phase.PROCEDURE):
            return []
        self._session.usb_told.add(kind)
        return self._to_shell(MessageView(kind, can_go_back=True))

    def _on_UsbDocumentsGone(self, event: UsbDocumentsGone) -> list[Effect]:
        gone = set(event.paths)
        session = self._session
        if not any(d.path in gone for d in session.documents):
            return []
        session.documents = [d for d in session.documents if d.path not in gone]
        effects: list[Effect] = [UpdateDocumentCount(len(session.documents))]
        if self.phase is Phase.PICKER:
            effects.append(Show(self._picker_view()))
        elif self.phase is Phase.SHELL and isinstance(self.view, DocumentsView):
            effects.append(Show(self._documents_view()))
        return effects

    def _on_SaveToUsb(self, action: SaveToUsb) -> list[Effect]:
        if self.phase is not Phase.SHELL or not isinstance(self.view, DocumentsView) \
                or action.path not in {d.path for d in self._session.documents}:
            return []
        return [Publish(UsbSaveAsked(action.path)), Show(self._documents_view("saving"))]

    def _on_UsbSaveFinished(self, event: UsbSaveFinished) -> list[Effect]:
        if self.phase is not Phase.SHELL or not isinstance(self.view, DocumentsView):
            return []
        return [Show(self._documents_view(event.outcome))]

    def _reset(self) -> list[Effect]:
        self._session = _Session()
        effects = self.assistance_over()  # a wipe without an end before it (a failure)
        self.phase = Phase.HOME
        return [*effects, ResetForNextResident(), UpdateNotice(None), UpdateDocumentCount(0),
                Show(HomeView())]


def inputs_handled() -> Sequence[str]:
    """The names of every input class the flow reacts to (for the tests)."""
    return sorted(name[4:] for name in dir(SessionFlow) if name.startswith("_on_"))
