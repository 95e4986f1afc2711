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
- COUNTDOWN: the idle or time-limit countdown is on screen.
- FAILED: a calm message after a failure; the session then ends by itself.
- ENDING: the wipe runs; only its end (`SessionWiped`) counts.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from kiosk.events import (
    BrowserCrashed,
    BrowserReady,
    BrowserUnavailable,
    CountdownCancelled,
    CountdownKind,
    CountdownTick,
    Document,
    DocumentAdded,
    Event,
    FileChooserOpened,
    PageCrashed,
    PageOpened,
    SessionExpired,
    SessionFailed,
    SessionWiped,
    TimeLimitNotice,
    ToolbarKeyPressed,
    WindowClosed,
    refuse_assignment,
)
from kiosk.session.documents import choose_for

log = logging.getLogger(__name__)


class Phase(Enum):
    HOME = "home"
    SHELL = "shell"
    PROCEDURE = "procedure"
    PICKER = "picker"
    COUNTDOWN = "countdown"
    FAILED = "failed"
    ENDING = "ending"


# -- what the resident does (the app turns presses into these) -------------------------------


# The bases are frozen dataclasses; a subclass without fields inherits their value
# semantics (equality by class, hashing, no assignment) without a decorator of its
# own: each dataclass costs about 0.3 ms to make, and the flow is imported before
# the first home screen is drawn.


@dataclass(frozen=True)
class Action:
    """Something the resident did on the shell's screens."""


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


Input = Action | Event
Action.__setattr__ = refuse_assignment  # type: ignore[method-assign]


# -- what the app shows ----------------------------------------------------------------------


@dataclass(frozen=True)
class View:
    """A screen to render."""


class HomeView(View):
    pass


class HelpView(View):
    pass


@dataclass(frozen=True)
class OtherWaysView(View):
    procedure_id: str


@dataclass(frozen=True)
class DocumentsView(View):
    documents: tuple[Document, ...]


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


@dataclass(frozen=True)
class CountdownView(View):
    kind: CountdownKind


@dataclass(frozen=True)
class MessageView(View):
    """A message; `kind` picks the words: "ending", "unavailable", "explain", "user_error"."""

    kind: str
    text: str = ""
    can_go_back: bool = False


class ErrorView(View):
    pass


# -- what the app does -----------------------------------------------------------------------


@dataclass(frozen=True)
class Effect:
    """One thing for the app to do, in order."""


View.__setattr__ = refuse_assignment  # type: ignore[method-assign]
Effect.__setattr__ = refuse_assignment  # type: ignore[method-assign]


@dataclass(frozen=True)
class Show(Effect):
    view: View


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
class GiveFiles(Effect):
    """Answer the page's file input (an empty tuple gives it nothing)."""

    paths: tuple[Path, ...]


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


class ResetForNextResident(Effect):
    """Language, text size, contrast and clipboard back to the terminal's defaults."""


@dataclass(frozen=True)
class Later(Effect):
    """Feed `input` back to the flow after `delay_ms`."""

    delay_ms: int
    input: Input


MESSAGE_MS = 3000
UNAVAILABLE_MS = 6000


@dataclass
class _Session:
    """What the flow remembers of the current session (forgotten at the wipe)."""

    active: bool = False
    procedure_id: str = ""
    in_procedure: bool = False  # Back on a shell screen returns to the page
    documents: list[Document] = field(default_factory=list)
    chooser: FileChooserOpened | None = None
    countdown: CountdownKind | None = None


class SessionFlow:
    """The state machine; `handle` is its only door."""

    def __init__(self) -> None:
        self.phase = Phase.HOME
        self.view: View = HomeView()
        self.browser_available = True
        self._message_serial = 0
        self._session = _Session()

    # -- what the app may read ---------------------------------------------------------------

    @property
    def session_active(self) -> bool:
        return self._session.active

    @property
    def procedure_id(self) -> str:
        return self._session.procedure_id

    @property
    def documents(self) -> tuple[Document, ...]:
        return tuple(self._session.documents)

    # -- the door ----------------------------------------------------------------------------

    def handle(self, item: Input) -> list[Effect]:
        """What `item` leads to, as effects in order (the phase changes with them)."""
        method = getattr(self, "_on_" + type(item).__name__, None)
        if method is None:
            return []
        effects: list[Effect] = method(item)
        for effect in effects:
            if isinstance(effect, Show):
                self.view = effect.view
        return effects

    # -- helpers -------------------------------------------------------------------------------

    def _busy(self) -> bool:
        """Ending or failed: nothing the resident does counts any more."""
        return self.phase in (Phase.ENDING, Phase.FAILED)

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
        if self.phase is Phase.ENDING:
            return []
        log.info("ending the session (%s)", reason)
        dropped = self._drop_chooser()
        self.phase = Phase.ENDING
        return [*dropped, Show(MessageView("ending")), EndInController(reason)]

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
        return PickerView(choice.documents, chooser.multiple, chooser.accept, choice.left_out)

    # -- the resident's actions ----------------------------------------------------------------

    def _on_OpenProcedure(self, action: OpenProcedure) -> list[Effect]:
        if self._busy() or self.phase in (Phase.COUNTDOWN, Phase.PICKER):
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

    def _on_ShowHelp(self, action: ShowHelp) -> list[Effect]:
        if self.phase not in (Phase.HOME, Phase.SHELL, Phase.PROCEDURE):
            return []
        return self._to_shell(HelpView())

    def _on_ChangeLanguage(self, action: ChangeLanguage) -> list[Effect]:
        if self.phase not in (Phase.HOME, Phase.SHELL):
            return []
        return self._to_shell(HomeView())

    def _on_ShowDocuments(self, action: ShowDocuments) -> list[Effect]:
        if self.phase not in (Phase.SHELL, Phase.PROCEDURE):
            return []
        return self._to_shell(DocumentsView(self.documents))

    def _on_AskToEnd(self, action: AskToEnd) -> list[Effect]:
        if self.phase not in (Phase.SHELL, Phase.PROCEDURE):
            return []
        return self._to_shell(EndQuestionView(len(self._session.documents)))

    def _on_GoHome(self, action: GoHome) -> list[Effect]:
        if self.phase not in (Phase.SHELL, Phase.PROCEDURE):
            return []
        return self._to_shell(HomeView(), leave_procedure=True)

    def _on_GoBack(self, action: GoBack) -> list[Effect]:
        if self.phase is not Phase.SHELL:
            return []
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
        if self.phase is Phase.ENDING:
            return []
        return self._fail(ErrorView(), MESSAGE_MS)

    def _timeout_for_this_message(self) -> MessageTimeout:
        self._message_serial += 1
        return MessageTimeout(self._message_serial)

    def _on_MessageTimeout(self, action: MessageTimeout) -> list[Effect]:
        if action.serial is not None and action.serial != self._message_serial:
            return []  # the timeout of a message that is gone
        if self.phase is Phase.FAILED:
            if self._session.active:
                self.phase = Phase.SHELL  # lets _end run
                return self._end("error")
            return self._reset()
        if isinstance(self.view, MessageView) and self.view.kind == "user_error":
            return self._return()
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
        return self._end("crash")

    def _on_SessionFailed(self, event: SessionFailed) -> list[Effect]:
        if self._busy():
            return []
        log.error("session failed: %s", event.reason)
        if event.reason == "browser_unavailable":
            return self._fail(MessageView("unavailable"), UNAVAILABLE_MS)
        return self._end("error")

    def _on_SessionWiped(self, event: SessionWiped) -> list[Effect]:
        return self._reset()

    def _reset(self) -> list[Effect]:
        self._session = _Session()
        self.phase = Phase.HOME
        return [ResetForNextResident(), UpdateNotice(None), UpdateDocumentCount(0),
                Show(HomeView())]


def inputs_handled() -> Sequence[str]:
    """The names of every input class the flow reacts to (for the tests)."""
    return sorted(name[4:] for name in dir(SessionFlow) if name.startswith("_on_"))
