"""The session flow without a display: every phase against every input.

The table below is the flow's contract: for each phase, the inputs that move
it elsewhere. Every other (phase, input) pair must leave the phase as it is.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk.assisted.unlock import Accepted, CodeNeeded, Locked, Wrong
from kiosk.events import (
    AssistanceEnded,
    AssistanceStarted,
    AssistedModeAsked,
    BrowserCrashed,
    BrowserReady,
    BrowserUnavailable,
    CountdownCancelled,
    CountdownTick,
    DevicePlugged,
    DeviceUnplugged,
    Document,
    DocumentAdded,
    DownloadFailed,
    FileChooserOpened,
    FilesUploaded,
    LanguageChosen,
    MediatorIdle,
    NavigationBlocked,
    PageAddressChanged,
    PageCrashed,
    PageFieldFocused,
    PageOpened,
    PagePdfReady,
    PinChecked,
    PinPadOpened,
    PinSubmitted,
    PrintCancelOrdered,
    PrinterChanged,
    PrintJobChanged,
    PrintOrdered,
    PrintPreparationFailed,
    PrintPreviewAsked,
    PrintPreviewReady,
    PrintRequested,
    ProcedureOpened,
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
    SelfVoicingChanged,
    SessionEnded,
    SessionExpired,
    SessionFailed,
    SessionWiped,
    SpeechAsked,
    ThumbnailReady,
    TimeLimitNotice,
    ToolbarKeyPressed,
    UsbDocumentsGone,
    UsbKeyChanged,
    UsbSaveAsked,
    UsbSaveFinished,
    WindowClosed,
    declared_events,
)
from kiosk.session import flow as f
from kiosk.session.flow import Phase

PDF = Document("recu.pdf", Path("/s/Documents/recu.pdf"), "download", 1.0)
PHOTO = Document("photo.jpg", Path("/s/Documents/photo.jpg"), "download", 2.0)
SCANNER = Scanner("test:0", "Noname frontend-tester")
SCAN_PAGE = ScanPage(Path("/s/scan/page-1-1.png"), Path("/s/scan/preview-1-1.png"))
SCAN = Document("Scan 1 (1 page).pdf", Path("/s/Documents/Scan 1 (1 page).pdf"), "scan", 3.0)

# One instance of every input the flow can be given.
SAMPLES: list[f.Input] = [
    f.OpenProcedure("caf"), f.ShowOtherWays("caf"), f.ShowHelp(), f.ChangeLanguage("en"),
    f.SetTextSize("very_large"), f.SetHighContrast(True),
    f.ShowDocuments(), f.AskToEnd(), f.GoHome(), f.GoBack(), f.PageBack(), f.PageReload(),
    f.KeyboardToPage(), f.PressPageKey("é"), f.PressPageKey(key="Backspace"),
    PageFieldFocused("text"), PageFieldFocused(""), f.StillHere(), f.EndSession("button"),
    f.PickDocuments((PDF.path,)), f.CancelPicker(), f.ExplainUnavailable("No printer."),
    f.ShowUserError("Closed on Sundays."), f.InternalError(), f.MessageTimeout(),
    BrowserReady(), BrowserUnavailable(5), BrowserCrashed("exit -9"), PageOpened(),
    PageAddressChanged("https://www.caf.fr/"), SpeechAsked("Accueil", "fr"),
    SelfVoicingChanged(True),
    PageCrashed(),
    WindowClosed(), ToolbarKeyPressed(), NavigationBlocked("site"),
    FileChooserOpened(multiple=False), DocumentAdded(PDF), ProcedureOpened("caf"),
    ThumbnailReady(PDF.path), FilesUploaded(1), LanguageChosen("es"),
    SessionFailed("RuntimeError"), SessionEnded("button", "<5min"), SessionWiped("button"),
    TimeLimitNotice(290), CountdownTick(20, "idle"), CountdownCancelled(),
    SessionExpired("idle"),
    PrinterChanged("office", "", 3, ("none",), True), PrintJobChanged(1, "printed", 2, 2),
    PrintRequested(), f.PrintDocument(PDF.path), PagePdfReady(Path("/s/print/page-1.pdf")),
    PrintPreviewReady(PDF.path, PDF.path, 2, ()), PrintPreparationFailed("page"),
    f.ConfirmPrint(1, 2, 1), f.CancelPrint(), PrintPreviewAsked(PDF.path),
    PrintOrdered(1, PDF.path, 1, 1, 2, False), PrintCancelOrdered(1),
    AssistedModeAsked(), f.SubmitPin("123456"), PinChecked(Wrong(4)), f.ClosePinPad(),
    f.AcceptAssistance(), f.DeclineAssistance(), f.EndAssistance(), f.ShowMandate(),
    f.ShowAddressBar(), f.OpenAddress("caf.fr"),
    MediatorIdle(), PinPadOpened(), PinSubmitted("123456"), AssistanceStarted("Ana"),
    AssistanceEnded(),
    UsbKeyChanged("/sys/key", "KEY", "refused"), UsbDocumentsGone((PDF.path,)),
    DownloadFailed(no_room=True),
    f.SaveToUsb(PDF.path), UsbSaveAsked(PDF.path), UsbSaveFinished(PDF.path, "saved"),
    DevicePlugged("printer", "/sys/usb/1-1", "", "HP LaserJet", ""),
    DeviceUnplugged("printer", "/sys/usb/1-1"),
    ScannersChanged((SCANNER,), ""), ScanRequested(), f.ScanFromPicker(),
    f.ChooseScanner("test:0"), f.StartScan("a4_proof"), f.RotateScanPage(0), f.AddScanPage(),
    f.FinishScan(), f.RetryScan(), f.CancelScan(), ScanOrdered(1, "test:0", "a4_proof", 1),
    ScanCancelOrdered(1), ScanProgressed(1, 50), ScanPageReady(1, SCAN_PAGE.image,
                                                                 SCAN_PAGE.preview),
    ScanStopped(1, "cover_open"), ScanDocumentOrdered(1, "a4_proof", (SCAN_PAGE,)),
    ScanSaved(1, SCAN),
]

SETUPS: dict[Phase, list[f.Input]] = {
    Phase.HOME: [],
    Phase.SHELL: [f.ShowHelp()],
    Phase.PROCEDURE: [f.OpenProcedure("caf")],
    Phase.PICKER: [ScannersChanged((SCANNER,), ""), f.OpenProcedure("caf"),
                   FileChooserOpened(multiple=False)],
    Phase.COUNTDOWN: [f.OpenProcedure("caf"), CountdownTick(20, "idle")],
    Phase.FAILED: [f.OpenProcedure("caf"), f.InternalError()],
    Phase.ENDING: [f.OpenProcedure("caf"), f.EndSession("button")],
    Phase.PRINT: [f.OpenProcedure("caf"), PrintRequested()],
    Phase.OUT_OF_SERVICE: [f.OpenProcedure("caf"), f.EndSession("button"),
                           SessionWiped("button", failed_checks=("delete_session_dir",))],
    Phase.PIN_PAD: [AssistedModeAsked()],
    Phase.CONSENT: [AssistedModeAsked(), PinChecked(Accepted("Ana"))],
    Phase.SCAN: [ScannersChanged((SCANNER,), ""), f.OpenProcedure("caf"), ScanRequested()],
}

ENDS = {"EndSession", "SessionExpired", "BrowserCrashed", "SessionFailed"}
SHELL_SCREENS = {"ShowHelp", "ShowDocuments", "AskToEnd", "GoHome", "ExplainUnavailable"}

# phase -> {input class name: the phase it leads to}; anything else: no change.
TRANSITIONS: dict[Phase, dict[str, Phase]] = {
    Phase.HOME: {
        "OpenProcedure": Phase.PROCEDURE, "ShowOtherWays": Phase.SHELL,
        "ShowHelp": Phase.SHELL, "ChangeLanguage": Phase.SHELL,
        "SetTextSize": Phase.SHELL, "SetHighContrast": Phase.SHELL,
        "EndSession": Phase.ENDING, "SessionFailed": Phase.ENDING,
        "InternalError": Phase.FAILED, "AssistedModeAsked": Phase.PIN_PAD,
        "UsbKeyChanged": Phase.SHELL,
    },
    Phase.SHELL: {
        "OpenProcedure": Phase.PROCEDURE, "CountdownTick": Phase.COUNTDOWN,
        "AssistedModeAsked": Phase.PIN_PAD,
        "InternalError": Phase.FAILED, "SessionWiped": Phase.HOME,
        **dict.fromkeys(ENDS, Phase.ENDING),
    },
    Phase.PROCEDURE: {
        **dict.fromkeys(SHELL_SCREENS, Phase.SHELL), "ShowUserError": Phase.SHELL,
        "FileChooserOpened": Phase.PICKER, "CountdownTick": Phase.COUNTDOWN,
        "InternalError": Phase.FAILED, "SessionWiped": Phase.HOME, "PageCrashed": Phase.SHELL,
        "UsbKeyChanged": Phase.SHELL, "DownloadFailed": Phase.SHELL,
        "PrintRequested": Phase.PRINT, "ScanRequested": Phase.SCAN,
        "AssistedModeAsked": Phase.PIN_PAD,
        **dict.fromkeys(ENDS, Phase.ENDING),
    },
    Phase.SCAN: {
        "CancelScan": Phase.PROCEDURE, "PageCrashed": Phase.SHELL,
        "ShowUserError": Phase.SHELL, "CountdownTick": Phase.COUNTDOWN,
        "InternalError": Phase.FAILED, "SessionWiped": Phase.HOME,
        **dict.fromkeys(ENDS, Phase.ENDING),
    },
    Phase.PRINT: {
        "CancelPrint": Phase.PROCEDURE, "MessageTimeout": Phase.PROCEDURE,
        "PageCrashed": Phase.SHELL, "ShowUserError": Phase.SHELL,
        "CountdownTick": Phase.COUNTDOWN, "InternalError": Phase.FAILED,
        "SessionWiped": Phase.HOME, **dict.fromkeys(ENDS, Phase.ENDING),
    },
    Phase.PICKER: {
        "PickDocuments": Phase.PROCEDURE, "CancelPicker": Phase.PROCEDURE,
        "ScanFromPicker": Phase.SCAN,
        "PageCrashed": Phase.SHELL,
        "ShowUserError": Phase.SHELL, "CountdownTick": Phase.COUNTDOWN,
        "InternalError": Phase.FAILED, "SessionWiped": Phase.HOME,
        **dict.fromkeys(ENDS, Phase.ENDING),
    },
    Phase.COUNTDOWN: {
        "StillHere": Phase.PROCEDURE, "CountdownCancelled": Phase.PROCEDURE,
        "ShowHelp": Phase.SHELL, "ShowUserError": Phase.SHELL, "InternalError": Phase.FAILED,
        "SessionWiped": Phase.HOME, **dict.fromkeys(ENDS, Phase.ENDING),
    },
    Phase.FAILED: {
        "MessageTimeout": Phase.ENDING, "EndSession": Phase.ENDING,
        "SessionExpired": Phase.ENDING, "BrowserCrashed": Phase.ENDING,
        "SessionWiped": Phase.HOME,
    },
    Phase.ENDING: {"SessionWiped": Phase.HOME},
    # Only a wipe that is verified lets anybody in again.
    Phase.OUT_OF_SERVICE: {"SessionWiped": Phase.HOME},
    # Opened from the home screen, nobody's session yet: closing it, or "No", goes back.
    Phase.PIN_PAD: {
        "ClosePinPad": Phase.HOME, "ShowUserError": Phase.HOME, "SessionWiped": Phase.HOME,
        "EndSession": Phase.ENDING, "SessionFailed": Phase.ENDING,
        "InternalError": Phase.FAILED,
    },
    Phase.CONSENT: {
        "AcceptAssistance": Phase.SHELL, "DeclineAssistance": Phase.HOME,
        "ShowUserError": Phase.HOME, "SessionWiped": Phase.HOME,
        "EndSession": Phase.ENDING, "SessionFailed": Phase.ENDING,
        "InternalError": Phase.FAILED,
    },
}


def flow_in(phase: Phase) -> f.SessionFlow:
    flow = f.SessionFlow()
    for item in SETUPS[phase]:
        flow.handle(item)
    assert flow.phase is phase, f"set-up for {phase} ended in {flow.phase}"
    return flow


def of_type(effects: list[f.Effect], kind: type[f.Effect]) -> list[f.Effect]:
    return [e for e in effects if isinstance(e, kind)]


def name(item: f.Input) -> str:
    return type(item).__name__


def test_every_input_class_has_a_sample() -> None:
    actions = {c.__name__ for c in vars(f).values()
               if isinstance(c, type) and issubclass(c, f.Action) and c is not f.Action}
    events = {c.__name__ for c in declared_events()}
    assert {name(s) for s in SAMPLES} == actions | events


@pytest.mark.parametrize("phase", list(Phase))
@pytest.mark.parametrize("item", SAMPLES, ids=name)
def test_each_phase_and_input(phase: Phase, item: f.Input) -> None:
    flow = flow_in(phase)
    effects = flow.handle(item)
    expected = TRANSITIONS[phase].get(name(item), phase)
    assert flow.phase is expected, f"{phase.value} + {name(item)}"
    assert all(isinstance(e, f.Effect) for e in effects)
    # The view on record is the last one shown.
    shown = of_type(effects, f.Show)
    if shown and not isinstance(shown[-1].view, f.HelpView):  # type: ignore[attr-defined]
        assert flow.view == shown[-1].view  # type: ignore[attr-defined]
    if phase is Phase.ENDING and name(item) != "SessionWiped":
        assert effects == [] or not of_type(effects, f.Show), "nothing shows while wiping"
    ends = of_type(effects, f.EndInController)
    assert len(ends) <= 1
    if ends:
        assert flow.phase is Phase.ENDING


def drive(*items: f.Input) -> tuple[f.SessionFlow, list[f.Effect]]:
    flow = f.SessionFlow()
    effects: list[f.Effect] = []
    for item in items:
        effects = flow.handle(item)
    return flow, effects


def test_opening_a_tile_begins_the_session_once() -> None:
    flow = f.SessionFlow()
    first = flow.handle(f.OpenProcedure("caf"))
    assert first == [f.BeginSession(), f.Show(f.ProcedureView("caf")), f.OpenInBrowser("caf")]
    flow.handle(f.GoHome())
    again = flow.handle(f.OpenProcedure("impots"))
    assert of_type(again, f.BeginSession) == []
    assert f.OpenInBrowser("impots") in again


def test_back_from_help_returns_to_the_open_procedure_and_gives_it_the_keyboard() -> None:
    _, effects = drive(f.OpenProcedure("caf"), f.ShowHelp(), f.GoBack())
    assert effects == [f.Show(f.ProcedureView("caf")), f.BrowserCall("focus")]
    _, effects = drive(f.OpenProcedure("caf"), f.GoHome(), f.ShowHelp(), f.GoBack())
    assert effects == [f.Show(f.HomeView())]


def test_the_picker_lists_accepted_documents_newest_first_and_hands_one_over() -> None:
    flow, _ = drive(f.OpenProcedure("caf"), DocumentAdded(PDF), DocumentAdded(PHOTO))
    shown = flow.handle(FileChooserOpened(multiple=False, accept=()))
    assert shown == [f.Show(f.PickerView((PHOTO, PDF), False, (), 0))]
    picked = flow.handle(f.PickDocuments((PHOTO.path, PDF.path)))
    assert picked[0] == f.GiveFiles((PHOTO.path,)), "one file asked for, one given"
    assert flow.phase is Phase.PROCEDURE


def test_the_picker_filters_on_accept_and_takes_several_when_asked() -> None:
    flow, _ = drive(f.OpenProcedure("caf"), DocumentAdded(PDF), DocumentAdded(PHOTO))
    shown = flow.handle(FileChooserOpened(multiple=True, accept=(".pdf",)))
    assert shown == [f.Show(f.PickerView((PDF,), True, (".pdf",), 1))]
    picked = flow.handle(f.PickDocuments((PDF.path, PHOTO.path)))
    assert picked[0] == f.GiveFiles((PDF.path, PHOTO.path))


def test_a_document_arriving_while_the_picker_shows_joins_it() -> None:
    flow, _ = drive(f.OpenProcedure("caf"), FileChooserOpened(multiple=False))
    effects = flow.handle(DocumentAdded(PDF))
    assert effects == [f.UpdateDocumentCount(1), f.Show(f.PickerView((PDF,), False, (), 0))]


def test_a_thumbnail_made_while_the_picker_shows_is_drawn_there_only() -> None:
    flow, _ = drive(f.OpenProcedure("caf"), DocumentAdded(PDF), DocumentAdded(PHOTO),
                    FileChooserOpened(multiple=False, accept=(".pdf",)))
    assert flow.handle(ThumbnailReady(PDF.path)) == [
        f.Show(f.PickerView((PDF,), False, (".pdf",), 1))]
    assert flow.handle(ThumbnailReady(PHOTO.path)) == [], "not listed: nothing to redraw"
    flow.handle(f.CancelPicker())
    assert flow.handle(ThumbnailReady(PDF.path)) == []


def test_cancel_escape_or_the_end_give_the_page_nothing() -> None:
    _, effects = drive(f.OpenProcedure("caf"), FileChooserOpened(multiple=False),
                       f.CancelPicker())
    assert effects[0] == f.GiveFiles(())
    _, effects = drive(f.OpenProcedure("caf"), FileChooserOpened(multiple=False),
                       SessionExpired("idle"))
    assert effects[0] == f.GiveFiles(())
    assert effects[-1] == f.EndInController("idle")


def test_a_file_asked_for_when_nobody_sees_the_page_gets_nothing() -> None:
    for setup in (Phase.HOME, Phase.SHELL, Phase.COUNTDOWN):
        flow = flow_in(setup)
        assert flow.handle(FileChooserOpened(multiple=False)) == [f.GiveFiles(())]
        assert flow.phase is setup


def test_the_wipe_forgets_everything_of_the_session() -> None:
    flow, _ = drive(f.OpenProcedure("caf"), DocumentAdded(PDF), f.EndSession("button"))
    effects = flow.handle(SessionWiped("button"))
    assert effects == [f.ResetForNextResident(), f.UpdateNotice(None),
                       f.UpdateDocumentCount(0), f.Show(f.HomeView())]
    assert flow.documents == () and not flow.session_active and flow.procedure_id == ""
    assert flow.handle(f.OpenProcedure("caf"))[0] == f.BeginSession()


def test_a_browser_crash_is_explained_once_the_wipe_is_done() -> None:
    flow, _ = drive(f.OpenProcedure("caf"), BrowserCrashed("exit -9"))
    effects = flow.handle(SessionWiped("crash"))
    shown = [e.view for e in effects if isinstance(e, f.Show)]
    assert shown == [f.MessageView("session_crashed", can_go_back=True)]
    later = [e for e in effects if isinstance(e, f.Later)]
    assert later, "the message goes away by itself too"
    assert flow.handle(later[0].input) == [f.Show(f.HomeView())]
    flow, _ = drive(f.OpenProcedure("caf"), BrowserCrashed("exit -9"))
    flow.handle(SessionWiped("crash"))
    assert flow.handle(f.GoBack()) == [f.Show(f.HomeView())]
    # The next wipe, after an ordinary end, says nothing more.
    flow.handle(f.OpenProcedure("caf"))
    flow.handle(f.EndSession("button"))
    assert [e.view for e in flow.handle(SessionWiped("button"))
            if isinstance(e, f.Show)] == [f.HomeView()]


def test_a_browser_that_dies_unused_is_restarted_without_a_word() -> None:
    flow = f.SessionFlow()
    assert flow.handle(BrowserCrashed("exit -9")) == [f.RestartBrowser()]
    assert [e for e in flow.handle(SessionWiped("crash")) if isinstance(e, f.Show)] == [
        f.Show(f.HomeView())]


def test_late_documents_of_a_wiped_session_are_not_listed() -> None:
    flow, _ = drive(f.OpenProcedure("caf"), f.EndSession("button"))
    assert flow.handle(DocumentAdded(PDF)) == []
    flow.handle(SessionWiped("button"))
    assert flow.handle(DocumentAdded(PDF)) == []
    assert flow.documents == ()


def test_the_countdown_screen_is_drawn_once_and_then_ticks() -> None:
    flow, first = drive(f.OpenProcedure("caf"), CountdownTick(30, "idle"))
    assert first == [f.UpdateCountdown(30), f.Show(f.CountdownView("idle"))]
    assert flow.handle(CountdownTick(29, "idle")) == [f.UpdateCountdown(29)]
    switched = flow.handle(CountdownTick(10, "max_duration"))
    assert switched[-1] == f.Show(f.CountdownView("max_duration"))


def test_the_time_limit_notice_stays_in_the_toolbar() -> None:
    flow, effects = drive(f.OpenProcedure("caf"), TimeLimitNotice(290))
    assert effects == [f.UpdateNotice(290)]
    assert flow.phase is Phase.PROCEDURE
    assert drive(TimeLimitNotice(290))[1] == [], "no session: nothing to announce"


def test_a_browser_that_cannot_start_is_said_at_once_then_the_session_ends() -> None:
    flow, effects = drive(BrowserUnavailable(5), f.OpenProcedure("caf"))
    assert f.Show(f.MessageView("unavailable")) in effects
    assert of_type(effects, f.OpenInBrowser) == []
    later = of_type(effects, f.Later)
    assert len(later) == 1
    ended = flow.handle(later[0].input)  # type: ignore[attr-defined]
    assert ended[-1] == f.EndInController("error")
    flow.handle(SessionWiped("error"))
    flow.handle(BrowserReady())
    assert f.OpenInBrowser("caf") in flow.handle(f.OpenProcedure("caf"))


def test_a_crash_with_nobody_there_only_restarts_the_browser() -> None:
    assert drive(BrowserCrashed("exit -9"))[1] == [f.RestartBrowser()]
    _, effects = drive(f.OpenProcedure("caf"), BrowserCrashed("exit -9"))
    assert effects[-1] == f.EndInController("crash")


def test_an_internal_error_with_no_session_goes_back_home() -> None:
    flow, effects = drive(f.InternalError())
    assert effects[0] == f.Show(f.ErrorView())
    assert flow.handle(f.MessageTimeout())[-1] == f.Show(f.HomeView())
    assert flow.phase is Phase.HOME


def later_input(effects: list[f.Effect]) -> f.Input:
    for effect in effects:
        if isinstance(effect, f.Later):
            return effect.input
    raise AssertionError(f"no Later in {effects}")


def test_a_late_timeout_of_an_earlier_message_is_ignored() -> None:
    flow, first = drive(f.ShowHelp(), f.ShowUserError("x"))
    stale = later_input(first)
    flow.handle(f.GoBack())
    second = flow.handle(f.InternalError())  # a new message, with its own time
    assert flow.handle(stale) == []  # the first one's timeout cuts nothing short
    assert flow.phase is Phase.FAILED
    current = later_input(second)
    assert flow.handle(current)[-1] == f.EndInController("error")


def test_a_user_error_is_shown_then_the_resident_is_back() -> None:
    flow, effects = drive(f.ShowHelp(), f.ShowUserError("Closed on Sundays."))
    assert effects[0] == f.Show(f.MessageView("user_error", "Closed on Sundays."))
    assert flow.handle(f.MessageTimeout()) == [f.Show(f.HomeView())]
    # A resident who moved on meanwhile is not pulled back.
    flow, _ = drive(f.ShowHelp(), f.ShowUserError("x"), f.GoBack(), f.ShowHelp())
    assert flow.handle(f.MessageTimeout()) == []


def test_a_stopped_page_is_said_and_back_leads_to_the_tiles() -> None:
    flow, effects = drive(f.OpenProcedure("caf"), PageCrashed())
    assert effects == [f.Show(f.MessageView("page_crashed", can_go_back=True))]
    assert flow.handle(f.GoBack()) == [f.Show(f.HomeView())]
    assert f.OpenInBrowser("caf") in flow.handle(f.OpenProcedure("caf"))
    _, effects = drive(f.OpenProcedure("caf"), f.ShowHelp(), PageCrashed())
    assert effects == [f.Show(f.MessageView("page_crashed", can_go_back=True))]
    assert drive(f.OpenProcedure("caf"), f.GoHome(), PageCrashed())[1] == []


def test_keyboard_hand_offs_only_with_a_page_on_screen() -> None:
    _, effects = drive(f.OpenProcedure("caf"), ToolbarKeyPressed())
    assert effects == [f.FocusToolbar()]
    _, effects = drive(f.OpenProcedure("caf"), WindowClosed())
    assert effects == [f.BrowserCall("focus")]
    assert drive(f.ShowHelp(), ToolbarKeyPressed())[1] == []
    assert drive(BrowserReady())[1] == [f.ReclaimKeyboard()]


def test_the_onscreen_keyboard_follows_the_page_field_only_while_the_page_shows() -> None:
    assert drive(f.OpenProcedure("caf"), PageFieldFocused("password"))[1] == [
        f.PageKeyboard("password")]
    assert drive(f.OpenProcedure("caf"), PageFieldFocused(""))[1] == [f.PageKeyboard("")]
    assert drive(f.OpenProcedure("caf"), f.PressPageKey("É"))[1] == [f.TypeOnPage("É")]
    assert drive(f.OpenProcedure("caf"), f.PressPageKey(key="Enter"))[1] == [
        f.TypeOnPage(key="Enter")]
    # On a shell screen, the page's focus and a late tap mean nothing.
    assert drive(f.OpenProcedure("caf"), f.ShowHelp(), PageFieldFocused("text"))[1] == []
    assert drive(f.OpenProcedure("caf"), f.ShowHelp(), f.PressPageKey("a"))[1] == []


@pytest.mark.parametrize("item", [f.ShowHelp(), f.OpenProcedure("caf"), f.HomeView(),
                                  f.BeginSession(), PageOpened(), FileChooserOpened(True)],
                         ids=name)
def test_no_input_view_or_effect_takes_an_assignment(item: object) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        item.anything = 1  # type: ignore[attr-defined]


def test_every_view_and_effect_is_a_frozen_value() -> None:
    for module_value in vars(f).values():
        if isinstance(module_value, type) and issubclass(module_value, f.View | f.Effect):
            assert dataclasses.is_dataclass(module_value)
            params = getattr(module_value, "__dataclass_params__")  # noqa: B009
            assert params.frozen, module_value


def test_inputs_handled_names_real_inputs() -> None:
    known: dict[str, Callable[..., object]] = {
        c.__name__: c for c in [*declared_events(), *(
            v for v in vars(f).values() if isinstance(v, type) and issubclass(v, f.Action))]}
    assert set(f.inputs_handled()) <= set(known)


def test_a_wipe_that_is_not_verified_puts_the_terminal_out_of_service_until_one_is() -> None:
    flow, effects = drive(f.OpenProcedure("caf"), f.EndSession("button"),
                          SessionWiped("button", ("printing.purge",), ("delete_session_dir",)))
    assert flow.phase is Phase.OUT_OF_SERVICE
    assert f.Show(f.OutOfServiceView()) in effects
    assert flow.documents == () and not flow.session_active
    # Nobody may start a session meanwhile, nor an error screen lead back home.
    for item in (f.OpenProcedure("caf"), f.ShowHelp(), f.InternalError(),
                 SessionWiped("recheck", failed_checks=("delete_session_dir",))):
        flow.handle(item)
        assert flow.phase is Phase.OUT_OF_SERVICE
    effects = flow.handle(SessionWiped("recheck"))
    assert effects[-1] == f.Show(f.HomeView())
    assert flow.view == f.HomeView()


def test_a_late_recheck_does_not_disturb_a_resident() -> None:
    flow, _ = drive(f.OpenProcedure("caf"))
    assert flow.handle(SessionWiped("recheck")) == []
    assert flow.phase is Phase.PROCEDURE


# -- assisted mode -----------------------------------------------------------------------------


def assisted_on_a_page() -> f.SessionFlow:
    flow, _ = drive(f.OpenProcedure("caf"), AssistedModeAsked(), f.SubmitPin("123456"),
                    PinChecked(Accepted("Ana")), f.AcceptAssistance())
    return flow


def test_the_pad_sends_the_pin_then_the_code_with_it() -> None:
    flow, effects = drive(AssistedModeAsked())
    assert effects == [f.Show(f.PinPadView()), f.Publish(PinPadOpened())]
    assert flow.handle(f.SubmitPin("123456")) == [f.Publish(PinSubmitted("123456"))]
    effects = flow.handle(PinChecked(CodeNeeded("Ana")))
    assert effects == [f.Show(f.PinPadView("code", CodeNeeded("Ana")))]
    sent = flow.handle(f.SubmitPin("654321"))
    assert sent == [f.Publish(PinSubmitted("123456", "654321"))]
    assert "123456" not in repr(sent)  # digits never reach a log line


def test_a_wrong_pin_keeps_the_pad_open_and_says_so() -> None:
    flow, effects = drive(AssistedModeAsked(), f.SubmitPin("111111"), PinChecked(Wrong(4)))
    assert flow.phase is Phase.PIN_PAD
    assert effects == [f.Show(f.PinPadView("pin", Wrong(4)))]
    effects = flow.handle(PinChecked(Locked(1e9)))
    assert effects == [f.Show(f.PinPadView("pin", Locked(1e9)))]


def test_consent_refused_changes_nothing() -> None:
    flow, effects = drive(f.OpenProcedure("caf"), AssistedModeAsked(),
                          PinChecked(Accepted("Ana")))
    assert effects == [f.Show(f.ConsentView("Ana"))]
    effects = flow.handle(f.DeclineAssistance())
    assert effects == [f.Show(f.ProcedureView("caf")), f.BrowserCall("focus")]
    assert flow.assisting == "" and not of_type(effects, f.SetAssistedRights)


def test_consent_given_brings_the_page_back_with_the_rights() -> None:
    flow, effects = drive(f.OpenProcedure("caf"), AssistedModeAsked(),
                          PinChecked(Accepted("Ana")), f.AcceptAssistance())
    assert effects == [f.Publish(AssistanceStarted("Ana")), f.SetAssistedRights(True),
                       f.Show(f.ProcedureView("caf")), f.BrowserCall("focus")]
    assert flow.assisting == "Ana" and flow.assisted_rights


def test_consent_from_the_home_screen_begins_the_session_on_the_tiles() -> None:
    flow, effects = drive(AssistedModeAsked(), PinChecked(Accepted("Ana")),
                          f.AcceptAssistance())
    assert effects[0] == f.BeginSession()
    assert effects[-1] == f.Show(f.HomeView()) and flow.phase is Phase.SHELL


def test_end_assistance_gives_the_session_back_to_the_resident() -> None:
    flow = assisted_on_a_page()
    effects = flow.handle(f.EndAssistance())
    assert effects == [f.Publish(AssistanceEnded()), f.SetAssistedRights(False),
                       f.Show(f.ProcedureView("caf")), f.BrowserCall("focus")]
    assert flow.assisting == "" and flow.session_active and flow.phase is Phase.PROCEDURE
    assert flow.handle(f.EndAssistance()) == []


def test_the_end_of_the_session_ends_the_assistance_and_the_next_one_is_plain() -> None:
    flow = assisted_on_a_page()
    effects = flow.handle(f.EndSession("button"))
    assert f.Publish(AssistanceEnded()) in effects
    flow.handle(SessionWiped("button"))
    assert flow.assisting == "" and not flow.assisted_rights


def test_the_mediators_idle_time_suspends_the_rights_until_their_pin() -> None:
    flow = assisted_on_a_page()
    effects = flow.handle(MediatorIdle())
    assert effects == [f.SetAssistedRights(False), f.Show(f.PinPadView(again="Ana")),
                       f.Publish(PinPadOpened())]
    assert flow.assisting == "Ana" and not flow.assisted_rights
    flow.handle(f.ClosePinPad())  # the banner stays, the rights do not come back
    assert flow.phase is Phase.PROCEDURE and not flow.assisted_rights
    flow.handle(AssistedModeAsked())
    effects = flow.handle(PinChecked(Accepted("Ana")))
    assert effects == [f.SetAssistedRights(True), f.Show(f.ProcedureView("caf")),
                       f.BrowserCall("focus")]
    assert flow.assisted_rights


def test_another_mediator_after_the_idle_time_needs_the_residents_consent() -> None:
    flow = assisted_on_a_page()
    flow.handle(MediatorIdle())
    assert flow.handle(PinChecked(Accepted("Bob"))) == [f.Show(f.ConsentView("Bob"))]
    effects = flow.handle(f.AcceptAssistance())
    assert effects[:2] == [f.Publish(AssistanceEnded()), f.Publish(AssistanceStarted("Bob"))]
    assert flow.assisting == "Bob"


def test_the_pad_does_not_open_again_while_a_mediator_has_the_rights() -> None:
    flow = assisted_on_a_page()
    assert flow.handle(AssistedModeAsked()) == []
    assert flow.handle(f.ShowMandate()) == [f.Show(f.MandateView())]
# -- USB keys ----------------------------------------------------------------------------

KEY = "/sys/devices/usb1/1-1/block/sdb/sdb1"
USB_DOC = Document("attestation.pdf", Path("/s/usb/1/attestation.pdf"), "usb", 2.0, "MYKEY")


def test_a_refused_key_is_explained_once_per_session_with_a_way_back() -> None:
    flow, effects = drive(f.OpenProcedure("caf"), UsbKeyChanged(KEY, "MYKEY", "refused"))
    assert f.Show(f.MessageView("usb_refused", can_go_back=True)) in effects
    assert flow.handle(f.GoBack()) == [f.Show(f.ProcedureView("caf")), f.BrowserCall("focus")]
    flow.handle(UsbKeyChanged(KEY, "MYKEY", "gone"))
    assert flow.handle(UsbKeyChanged(KEY, "MYKEY", "refused")) == []  # plugged in again
    flow.handle(f.EndSession("button"))
    flow.handle(SessionWiped("button"))
    again = flow.handle(UsbKeyChanged(KEY, "MYKEY", "refused"))
    assert f.Show(f.MessageView("usb_refused", can_go_back=True)) in again  # a new session


def test_a_key_left_plugged_in_is_recalled_at_the_end_until_pulled_out() -> None:
    flow, _ = drive(f.OpenProcedure("caf"), UsbKeyChanged(KEY, "MYKEY", "ready"))
    assert f.Show(f.MessageView("ending_usb")) in flow.handle(f.EndSession("button"))
    effects = flow.handle(SessionWiped("button"))
    assert f.Show(f.MessageView("usb_reminder")) in effects
    assert f.Show(f.HomeView()) not in effects and flow.phase is Phase.HOME
    assert flow.handle(UsbKeyChanged(KEY, "MYKEY", "gone")) == [f.Show(f.HomeView())]
    # Without a key: the usual end.
    flow.handle(f.OpenProcedure("caf"))
    assert f.Show(f.MessageView("ending")) in flow.handle(f.EndSession("button"))
    assert f.Show(f.HomeView()) in flow.handle(SessionWiped("button"))


def test_the_reminder_gives_way_to_the_tiles_after_a_while() -> None:
    flow, _ = drive(f.OpenProcedure("caf"), UsbKeyChanged(KEY, "MYKEY", "ready"),
                    f.EndSession("button"))
    later = of_type(flow.handle(SessionWiped("button")), f.Later)
    assert [e.delay_ms for e in later] == [f.USB_REMINDER_MS]  # type: ignore[attr-defined]
    assert flow.handle(later[0].input) == [f.Show(f.HomeView())]  # type: ignore[attr-defined]


def test_a_pulled_key_takes_its_documents_out_of_the_open_picker() -> None:
    flow, _ = drive(f.OpenProcedure("caf"), UsbKeyChanged(KEY, "MYKEY", "ready"),
                    DocumentAdded(USB_DOC), DocumentAdded(PDF),
                    FileChooserOpened(multiple=False))
    assert USB_DOC in flow.view.documents  # type: ignore[attr-defined]
    effects = flow.handle(UsbDocumentsGone((USB_DOC.path,)))
    assert f.UpdateDocumentCount(1) in effects
    assert flow.view == f.PickerView((PDF,), False, (), 0)


def test_saving_to_a_writable_key_from_the_documents_screen() -> None:
    flow, _ = drive(f.OpenProcedure("caf"), DocumentAdded(PDF), f.ShowDocuments())
    assert flow.view == f.DocumentsView((PDF,), usb_writable=False)
    assert flow.handle(UsbKeyChanged(KEY, "MYKEY", "ready", writable=True)) == [
        f.Show(f.DocumentsView((PDF,), usb_writable=True))]
    assert flow.handle(f.SaveToUsb(PDF.path)) == [
        f.Publish(UsbSaveAsked(PDF.path)), f.Show(f.DocumentsView((PDF,), True, "saving"))]
    assert flow.handle(UsbSaveFinished(PDF.path, "full")) == [
        f.Show(f.DocumentsView((PDF,), True, "full"))]
    flow.handle(UsbKeyChanged(KEY, "MYKEY", "gone"))
    assert flow.view == f.DocumentsView((PDF,), usb_writable=False)


def test_the_mediator_opens_a_typed_address_over_the_page_and_only_with_rights() -> None:
    from kiosk.session.assisted_flow import typed_address

    assert typed_address("  caf.fr/mon-compte ") == "https://caf.fr/mon-compte"
    assert typed_address("http://intranet.mairie/rdv") == "http://intranet.mairie/rdv"
    assert typed_address("") == typed_address("caf .fr") == ""
    resident, _ = drive(f.OpenProcedure("caf"))
    assert resident.handle(f.ShowAddressBar()) == []  # no mediator: no address bar
    flow = assisted_on_a_page()
    assert flow.handle(f.ShowAddressBar()) == [f.Show(f.AddressBarView())]
    assert flow.handle(f.OpenAddress("   ")) == []
    effects = flow.handle(f.OpenAddress("impots.gouv.fr"))
    assert effects == [f.Show(f.ProcedureView("caf")), f.BrowserCall("focus"),
                       f.OpenAddressInBrowser("https://impots.gouv.fr")]
    flow.handle(f.ShowAddressBar())
    assert flow.handle(f.GoBack()) == [f.Show(f.ProcedureView("caf")), f.BrowserCall("focus")]
    flow.handle(f.EndAssistance())
    assert flow.handle(f.ShowAddressBar()) == []


def test_the_save_buttons_follow_the_key_s_rights_while_a_mediator_assists() -> None:
    # What UsbStorage says after AssistanceStarted / AssistanceEnded: the key becomes
    # writable, then read-only again, then (a deny profile) refused and withdrawn.
    flow = assisted_on_a_page()
    flow.handle(UsbKeyChanged(KEY, "MYKEY", "ready"))
    flow.handle(DocumentAdded(USB_DOC))
    flow.handle(DocumentAdded(PDF))
    flow.handle(f.ShowDocuments())
    assert flow.view == f.DocumentsView((USB_DOC, PDF), usb_writable=False)
    assert flow.handle(UsbKeyChanged(KEY, "MYKEY", "ready", writable=True)) == [
        f.Show(f.DocumentsView((USB_DOC, PDF), usb_writable=True))]
    assert f.Publish(AssistanceEnded()) in flow.handle(f.EndAssistance())
    assert flow.handle(UsbKeyChanged(KEY, "MYKEY", "ready", writable=False)) == [
        f.Show(f.DocumentsView((USB_DOC, PDF), usb_writable=False))]
    effects = flow.handle(UsbDocumentsGone((USB_DOC.path,)))
    assert effects[-1] == f.Show(f.DocumentsView((PDF,), usb_writable=False))


def test_a_language_chosen_is_told_to_the_statistics_by_its_code() -> None:
    _, effects = drive(f.ShowHelp(), f.GoHome(), f.ChangeLanguage("es"))
    assert effects[-1] == f.Publish(LanguageChosen("es"))


# -- the human alternative: help from every screen, and back to where the resident was ------

OVER_PHASES = [Phase.PICKER, Phase.PRINT, Phase.SCAN, Phase.PIN_PAD, Phase.CONSENT]


@pytest.mark.parametrize("phase", OVER_PHASES, ids=lambda p: p.value)
def test_help_opens_over_a_panel_and_back_returns_to_it_as_it_is_then(phase: Phase) -> None:
    flow = flow_in(phase)
    under = flow.view
    assert flow.help_reachable
    effects = flow.handle(f.ShowHelp())
    assert of_type(effects, f.Show) and isinstance(effects[-1].view, f.HelpView)  # type: ignore[attr-defined]
    assert flow.phase is phase, "the panel goes on behind help"
    assert not flow.help_reachable, "no second help over help"
    assert flow.handle(f.ShowHelp()) == []
    assert flow.handle(f.GoBack()) == [f.Show(under)]
    assert flow.phase is phase and flow.help_reachable


def test_what_the_panel_shows_meanwhile_waits_behind_help() -> None:
    flow = flow_in(Phase.PRINT)
    flow.handle(f.ShowHelp())
    # The preview is ready while the resident reads help: help stays on screen.
    effects = flow.handle(PagePdfReady(Path("/s/print/page-1.pdf")))
    effects += flow.handle(PrintPreviewReady(Path("/s/print/page-1.pdf"), PDF.path, 2, ()))
    assert of_type(effects, f.Show) == []
    back = flow.handle(f.GoBack())
    assert len(back) == 1 and isinstance(back[0].view, f.PrintPanelView)  # type: ignore[attr-defined]


def test_help_over_a_panel_gives_way_when_the_session_ends() -> None:
    flow = flow_in(Phase.PICKER)
    flow.handle(f.ShowHelp())
    effects = flow.handle(SessionExpired("max_duration"))
    assert flow.phase is Phase.ENDING
    assert f.Show(f.MessageView("ending")) in effects
    assert flow.help_reachable is False


def test_help_from_the_idle_countdown_stops_it_and_back_returns_to_the_page() -> None:
    flow = flow_in(Phase.COUNTDOWN)
    effects = flow.handle(f.ShowHelp())
    assert effects == [f.Show(f.HelpView("caf"))]
    assert flow.handle(CountdownCancelled()) == [], "the countdown is already left"
    assert flow.handle(f.GoBack()) == [f.Show(f.ProcedureView("caf")), f.BrowserCall("focus")]


def test_help_from_a_shell_screen_comes_back_to_that_screen() -> None:
    flow, _ = drive(f.OpenProcedure("caf"), DocumentAdded(PDF), f.ShowDocuments(),
                    f.ShowHelp())
    assert flow.handle(f.GoBack()) == [f.Show(f.DocumentsView((PDF,)))]
    flow.handle(f.AskToEnd())
    flow.handle(f.ShowHelp())
    assert flow.handle(f.GoBack()) == [f.Show(f.EndQuestionView(1))]
    # And from there, Back goes to the page as before.
    assert flow.handle(f.GoBack())[0] == f.Show(f.ProcedureView("caf"))


def test_help_names_the_open_procedure_and_its_page_to_take_away() -> None:
    flow, _ = drive(f.OpenProcedure("caf"),
                    PageAddressChanged("https://www.caf.fr/allocataires"))
    assert flow.handle(f.ShowHelp()) == [f.Show(f.HelpView(
        "caf", "https://www.caf.fr/allocataires"))]
    flow.handle(f.GoBack())
    # A blocked page (or the kiosk's own) has nothing to take away.
    flow.handle(PageAddressChanged(""))
    assert flow.handle(f.ShowHelp()) == [f.Show(f.HelpView("caf", ""))]
    # From the tiles, no page is open: only the desk.
    flow.handle(f.GoHome())
    assert flow.handle(f.ShowHelp()) == [f.Show(f.HelpView())]


def test_the_page_address_is_forgotten_at_the_wipe() -> None:
    flow, _ = drive(f.OpenProcedure("caf"), PageAddressChanged("https://www.caf.fr/a"),
                    f.EndSession("button"), SessionWiped("button"), f.OpenProcedure("caf"))
    assert flow.handle(f.ShowHelp()) == [f.Show(f.HelpView("caf", ""))]

def test_text_size_and_contrast_redraw_the_same_screen_and_last_until_the_wipe() -> None:
    flow, effects = drive(f.SetTextSize("large"))
    # Chosen on the home screen: a session starts, so that the wipe puts it back.
    assert of_type(effects, f.BeginSession)
    assert effects[-2:] == [f.ApplyPresentation("large", False), f.Show(f.HomeView())]
    flow.handle(f.OpenProcedure("caf"))
    effects = flow.handle(f.SetHighContrast(True))
    # From the toolbar: the page stays, the strip is drawn again in the new colours.
    assert effects == [f.ApplyPresentation("large", True), f.Show(f.ProcedureView("caf"))]
    assert flow.phase is Phase.PROCEDURE
    assert flow.handle(f.SetHighContrast(True)) == []  # already on: nothing to redraw
    assert flow.handle(f.SetTextSize("huge")) == []
    flow.handle(f.EndSession("button"))
    assert flow.handle(f.SetTextSize("normal")) == [], "nothing changes while wiping"
    effects = flow.handle(SessionWiped("button"))
    assert of_type(effects, f.ResetForNextResident)
    assert (flow.text_size, flow.high_contrast) == ("normal", False)


def test_text_size_is_not_offered_over_a_panel() -> None:
    flow, _ = drive(f.OpenProcedure("caf"), PrintRequested())
    assert flow.handle(f.SetTextSize("large")) == []
    assert flow.text_size == "normal"


def test_a_download_that_stopped_is_told_and_back_leads_to_the_page() -> None:
    flow, _ = drive(f.OpenProcedure("caf"))
    effects = flow.handle(DownloadFailed(no_room=True))
    assert f.Show(f.MessageView("download_no_room", can_go_back=True)) in effects
    assert f.UpdateDocumentCount(1) not in effects
    flow.handle(f.GoBack())
    assert flow.phase is Phase.PROCEDURE
