"""The kiosk on one Tk root: renders what the session flow decides.

`kiosk.session.flow.SessionFlow` decides which screen shows and what happens
next; this module turns presses into the flow's inputs, feeds it the bus's
events, and carries out the effects it answers with (draw a screen, ask the
session controller, update a figure). Everything slow runs on worker threads
and reports through the bus; this module only reacts on the Tk thread.
"""

from __future__ import annotations

import logging
import tkinter as tk
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit

from kiosk import events, i18n
from kiosk.bus import EventBus
from kiosk.config.schema import DeskDetails, Profile
from kiosk.devices.keyboards import KeyboardPresence, wants_onscreen_keyboard
from kiosk.errors import UserError
from kiosk.events import AssistedModeAsked, Event, SessionWiped
from kiosk.i18n import _
from kiosk.session import flow as f
from kiosk.session.control import Bounds, SessionControl
from kiosk.session.participant import ToolbarItem
from kiosk.ui.home import HomeActions, build_home

if TYPE_CHECKING:
    from kiosk.ui.assisted import PageBanner
from kiosk.ui.home_model import build_home as build_home_model
from kiosk.ui.onscreen_keyboard import OnscreenKeyboard
from kiosk.ui.picker import build_picker
from kiosk.ui.presentation import PresentationChoice
from kiosk.ui.print_panel import build_print_panel, build_print_status
from kiosk.ui.scan_panel import ScanActions, build_scan_panel
from kiosk.ui.screen import ScreenParts
from kiosk.ui.screens import (
    OpenProcedure,
    build_error,
    build_help,
    build_message,
    build_other_ways,
    build_out_of_service,
    with_help_button,
)
from kiosk.ui.session_screens import (
    build_countdown,
    build_documents,
    build_end_confirmation,
    seconds_caption,
)
from kiosk.ui.shell import Shell
from kiosk.ui.theme import TEXT_SCALES
from kiosk.ui.timers import MonotonicTimers, Wakeup
from kiosk.ui.toolbar import Toolbar, documents_caption
from kiosk.ui.voicing import ShellVoice, with_speech_button
from kiosk.ui.widgets import Look, set_toolkit_language

log = logging.getLogger(__name__)

BUS_INTERVAL_MS = 40
PRESTART_DELAY_MS = 300
FOCUS_CHECK_MS = 30

ControllerFactory = Callable[[Bounds], SessionControl]
Builder = Callable[[tk.Frame, Look], ScreenParts]


class KioskApp:
    """The kiosk on one Tk root."""

    def __init__(
        self,
        root: tk.Tk,
        bus: EventBus,
        profile: Profile | None,
        *,
        fullscreen: bool,
        controller_factory: ControllerFactory | None = None,
        toolbar_items: Sequence[ToolbarItem] = (),
        last_desk: DeskDetails | None = None,
        size: tuple[int, int] | None = None,
    ) -> None:
        self.root = root
        self.bus = bus
        self.profile = profile
        self.shell = Shell(root, fullscreen=fullscreen, size=size)
        self.flow = f.SessionFlow(profile.printing.pages_per_session if profile else 0,
                                  profile.assisted.pages_per_session if profile else 0)
        self.extra_items = tuple(toolbar_items)
        self.toolbar: Toolbar | None = None
        self._picker_ticked: set[Path] = set()
        self._page_banner: PageBanner | None = None
        # The time-limit notice in the toolbar, updated without rebuilding the toolbar.
        self.toolbar_notice = tk.StringVar(master=root, value="")
        # The countdown's figures, which tick without rebuilding its screen.
        self.countdown_number = tk.StringVar(master=root, value="")
        self.countdown_caption = tk.StringVar(master=root, value="")
        # The running scan's progress, which moves without rebuilding the panel.
        self.scan_progress = tk.IntVar(master=root, value=0)
        # Read aloud: the words of each screen, focus and press, asked on the bus.
        self.voice = ShellVoice(root, self.shell, bus, self.countdown_number,
                                refresh=self._redraw_toolbar_labels)
        self._controller: SessionControl | None = None
        self._controller_factory = controller_factory
        self.onscreen_keyboard = OnscreenKeyboard(
            root, lambda text, key: self.feed(f.PressPageKey(text, key)),
            put_away=self._give_the_page_its_room)
        self.keyboard_presence = KeyboardPresence()
        if profile is not None and profile.accessibility.onscreen_keyboard == "auto":
            self.keyboard_presence.refresh()
        self._prestart_id: int | None = None
        # Every delay of the shell counts on these, not on Tk's `after` (see timers.py).
        self.timers = MonotonicTimers(root)
        root.report_callback_exception = self._on_tk_error
        bus.on_handler_error(lambda exc, event: self.recover(exc))
        root.bind("<FocusOut>", self._on_focus_out, add="+")
        root.bind("<F2>", lambda _event: self.feed(f.KeyboardToPage()))
        # Ctrl+Alt+M from any of the shell's screens (a page has its own listener).
        for key in ("<Control-Alt-m>", "<Control-Alt-M>"):
            root.bind(key, lambda _event: self.feed(AssistedModeAsked()))
        self._subscribe()
        if profile is None:
            self.show_out_of_service(last_desk)
        else:
            self._use_language(profile.terminal.default_language)
            self.render(f.HomeView())
            if controller_factory is not None:
                # Once the home screen is drawn: loading the session's parts and starting
                # Chromium would slow the first drawing down on a two-core machine.
                self._prestart_id = self.timers.after(PRESTART_DELAY_MS,
                                                          self._prestart)
        self._wakeup = Wakeup(root, self._drain_now)
        bus.wake_with(self._wakeup.wake)
        self._pump_bus()

    # -- the controller ----------------------------------------------------------------

    @property
    def controller(self) -> SessionControl | None:
        """The session controller, made on first need (None without a profile)."""
        if self._controller is None and self._controller_factory is not None \
                and self.profile is not None:
            area = self.shell.browser_area()
            self._controller = self._controller_factory((area.x, area.y, area.width,
                                                         area.height))
        return self._controller

    @controller.setter
    def controller(self, controller: SessionControl | None) -> None:
        self._controller = controller

    def _prestart(self) -> None:
        self._prestart_id = None
        if self.controller is not None:
            self.controller.prestart()

    # -- the bus and the flow -------------------------------------------------------------

    def _pump_bus(self) -> None:
        self.bus.drain()
        self._pump_id = self.timers.after(BUS_INTERVAL_MS, self._pump_bus)

    def _drain_now(self) -> None:
        self.bus.drain()

    def stop_pumping(self) -> None:
        """Stop draining the bus and drop the pending prestart (an app being replaced
        on the same Tk root: its timers must not reach a controller already shut)."""
        self.bus.wake_with(None)
        self._wakeup.close()
        self.timers.close()
        self._prestart_id = None

    def _subscribe(self) -> None:
        for name in f.inputs_handled():
            kind = getattr(events, name, None)
            if isinstance(kind, type) and issubclass(kind, Event):
                self.bus.subscribe(kind, self.feed)

    def feed(self, item: f.Input) -> None:
        """Give the flow a press or an event, and carry out what it decides."""
        for effect in self.flow.handle(item):
            self._carry_out(effect)

    def _carry_out(self, effect: f.Effect) -> None:
        handler = self._effects.get(type(effect))
        if handler is None:
            raise AssertionError(f"no handler for the effect {effect!r}")
        handler(self, effect)

    def _controller_call(self, call: Callable[[SessionControl], None]) -> None:
        if self.controller is not None:
            call(self.controller)

    def _open_in_browser(self, effect: f.OpenInBrowser) -> None:
        log.info("procedure opened: %s", effect.procedure_id)
        if self.controller is None:
            self.feed(f.ShowUserError(_("This procedure cannot be opened on this terminal.")))
            return
        self.controller.open(effect.procedure_id)

    def _browser_call(self, effect: f.BrowserCall) -> None:
        calls: dict[str, Callable[[SessionControl], None]] = {
            "back": lambda c: c.back(), "reload": lambda c: c.reload(),
            "focus": lambda c: c.focus(),
        }
        self._controller_call(calls[effect.action])

    def _end_in_controller(self, effect: f.EndInController) -> None:
        if self.controller is None:
            # Nothing runs behind the shell: the wipe is only the shell's own reset.
            self.root.after_idle(lambda: self.feed(SessionWiped(effect.reason)))
        else:
            self.controller.end(effect.reason)

    def _focus_toolbar(self, effect: f.FocusToolbar) -> None:
        if self.shell.strip:
            log.info("keyboard to the toolbar")
            self.shell.focus.reclaim()
            focused = self.root.focus_get()
            if focused is not None:
                self.voice.focused(focused)

    def _update_countdown(self, effect: f.UpdateCountdown) -> None:
        self.countdown_number.set(str(effect.seconds_left))
        self.countdown_caption.set(seconds_caption(effect.seconds_left))

    def _update_notice(self, effect: f.UpdateNotice) -> None:
        if effect.seconds_left is None:
            self.toolbar_notice.set("")
            return
        minutes, seconds = divmod(effect.seconds_left, 60)
        self.toolbar_notice.set("◷ " + _("Your session ends in %(time)s") %
                                {"time": f"{minutes}:{seconds:02d}"})

    def _refresh_toolbar(self, effect: f.UpdateDocumentCount | f.RefreshToolbar) -> None:
        if self.toolbar is not None and self.toolbar.frame.winfo_exists():
            self.toolbar.refresh()
            if isinstance(effect, f.RefreshToolbar):
                log.info("toolbar: refreshed (a device changed)")

    def _redraw_toolbar_labels(self) -> None:
        if self.toolbar is not None and self.toolbar.frame.winfo_exists():
            self.toolbar.refresh()


    def _apply_presentation(self, effect: f.ApplyPresentation) -> None:
        """The shell's next screens, and the session's pages (zoom, forced colours)."""
        scale = TEXT_SCALES[effect.text_size]
        log.info("presentation: text %s, %s contrast", effect.text_size,
                 "high" if effect.high_contrast else "normal")
        self.shell.set_presentation(high_contrast=effect.high_contrast, text_scale=scale)
        area = self.shell.browser_area()
        self._controller_call(lambda c: c.set_presentation(
            scale, effect.high_contrast, (area.x, area.y, area.width, area.height)))

    def _reset_for_next_resident(self, effect: f.ResetForNextResident) -> None:
        if self.profile is not None:
            self._use_language(self.profile.terminal.default_language)
        self.shell.set_presentation(high_contrast=False, text_scale=1.0)
        self.root.clipboard_clear()

    def _page_keyboard(self, effect: f.PageKeyboard) -> None:
        """Show the on-screen keyboard under the page (the page shrinks above it), or
        put it away; a terminal with a keyboard plugged in shows none under "auto"."""
        mode = self.profile.accessibility.onscreen_keyboard if self.profile else "never"
        if mode == "auto":
            self.keyboard_presence.refresh()  # for the next field: udev is not asked here
        if not effect.field_kind or not self.shell.strip or \
                not wants_onscreen_keyboard(mode, self.keyboard_presence.plugged):
            self._close_onscreen_keyboard()
            return
        area = self.shell.browser_area()
        height = self.onscreen_keyboard.show(self.shell.look, i18n.current_language(),
                                             effect.field_kind,
                                             (area.x, area.y, area.width, area.height))
        self._controller_call(lambda c: c.place_browser(
            (area.x, area.y, area.width, area.height - height)))

    def _close_onscreen_keyboard(self) -> None:
        if self.onscreen_keyboard.close():
            self._give_the_page_its_room()

    def _give_the_page_its_room(self) -> None:
        area = self.shell.browser_area()
        self._controller_call(lambda c: c.place_browser(
            (area.x, area.y, area.width, area.height)))

    def _later(self, effect: f.Later) -> None:
        self.timers.after(effect.delay_ms, lambda: self.feed(effect.input))

    _effects: ClassVar[dict[type[f.Effect], Callable[[KioskApp, Any], None]]] = {
        f.Show: lambda app, e: app.render(e.view),
        f.BeginSession: lambda app, e: app._controller_call(lambda c: c.begin()),
        f.OpenInBrowser: _open_in_browser,
        f.BrowserCall: _browser_call,
        f.GiveFiles: lambda app, e: app._controller_call(lambda c: c.give_files(e.paths)),
        f.EndInController: _end_in_controller,
        f.RestartBrowser: lambda app, e: app._controller_call(lambda c: c.restart_browser()),
        f.FocusToolbar: _focus_toolbar,
        f.ReclaimKeyboard: lambda app, e: app._hold_keyboard(),
        f.UpdateCountdown: _update_countdown,
        f.UpdateNotice: _update_notice,
        f.UpdateDocumentCount: _refresh_toolbar,
        f.RefreshToolbar: _refresh_toolbar,
        f.MakePagePdf: lambda app, e: app._controller_call(lambda c: c.make_page_pdf()),
        f.Publish: lambda app, e: app.bus.publish(e.event),
        f.ApplyPresentation: _apply_presentation,
        f.ResetForNextResident: _reset_for_next_resident,
        f.UpdateScanProgress: lambda app, e: app.scan_progress.set(e.percent),
        f.Later: _later,
        f.PageKeyboard: _page_keyboard,
        f.TypeOnPage: lambda app, e: app._controller_call(
            lambda c: c.type_on_page(e.text, e.key)),
        f.SetAssistedRights: lambda app, e: app._controller_call(lambda c: c.set_assisted(e.on)),
        f.OpenAddressInBrowser: lambda app, e: app._open_address(e),
    }

    # -- errors ------------------------------------------------------------------------

    def _on_tk_error(
        self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        if isinstance(exc, UserError):
            log.info("shown to the resident: %s", exc.message)
            self.feed(f.ShowUserError(exc.message))
            return
        log.error("internal error:\n%s", "".join(traceback.format_exception(exc_type, exc, tb)))
        self.recover(exc)

    def recover(self, exc: BaseException | None) -> None:
        """Show a calm screen, end the session cleanly, and start again on a fresh home."""
        if exc is not None and not isinstance(exc, UserError):
            log.error("recovering from an internal error: %r", exc)
        try:
            self.feed(f.InternalError())
        except Exception:  # the screen itself may be what broke: go on regardless
            log.exception("could not show the error screen")
            self.timers.after(f.MESSAGE_MS, lambda: self.feed(f.MessageTimeout()))

    # -- rendering ---------------------------------------------------------------------

    def render(self, view: f.View) -> None:
        """Draw `view` (the toolbar strip for a procedure, else a full-window screen)."""
        self._close_page_banner()
        if not isinstance(view, f.ProcedureView):
            self._close_onscreen_keyboard()
        if isinstance(view, f.ProcedureView):
            self._show_toolbar(view.procedure_id)
            return
        builder = self._builder_for(view)
        if self.flow.help_reachable and not isinstance(view, f.HomeView):
            # Home has its own; every other screen a resident can act on gets one.
            builder = with_help_button(builder, lambda: self.feed(f.ShowHelp()))
        mediator = self.flow.assisting
        if mediator:
            from kiosk.ui.assisted import with_banner

            builder = with_banner(builder, mediator, lambda: self.feed(f.EndAssistance()),
                                  lambda: self.feed(f.ShowMandate()),
                                  suspended=not self.flow.assisted_rights)
        self.toolbar = None
        self.shell.show(builder)

    def _builder_for(self, view: f.View) -> Builder:
        back = lambda: self.feed(f.GoBack())  # noqa: E731
        if isinstance(view, f.HomeView):
            return self._home_builder()
        if isinstance(view, f.HelpView):
            info, procedure = self.desk_details(), self._open_procedure(view)
            return lambda parent, look: build_help(parent, look, info, back, procedure)
        if isinstance(view, f.OtherWaysView):
            return self._other_ways_builder(view.procedure_id)
        if isinstance(view, f.DocumentsView):
            return self._documents_builder(view)
        if isinstance(view, f.EndQuestionView):
            count = view.document_count
            return lambda parent, look: build_end_confirmation(
                parent, look, count, confirm=lambda: self.feed(f.EndSession("button")),
                cancel=back)
        if isinstance(view, f.PickerView):
            return self._picker_builder(view)
        if isinstance(view, f.CountdownView):
            return self._countdown_builder(view)
        if isinstance(view, f.MessageView):
            return self._message_builder(view)
        if isinstance(view, f.ErrorView):
            return build_error
        if isinstance(view, f.OutOfServiceView):
            info, languages = self.desk_details(), self.profile_languages()
            return lambda parent, look: build_out_of_service(parent, look, info, languages)
        if isinstance(view, f.PrintPanelView):
            return self._print_panel_builder(view)
        if isinstance(view, f.PinPadView | f.ConsentView | f.MandateView | f.AddressBarView):
            return self._assisted_builder(view)
        if isinstance(view, f.ScanPanelView):
            return self._scan_panel_builder(view)
        if isinstance(view, f.PrintStatusView):
            log.info("print status: %s %s", view.stage, view.reason or "-")
            lines = self.desk_details().lines()
            return lambda parent, look: build_print_status(
                parent, look, view, lines, lambda: self.feed(f.CancelPrint()))
        raise AssertionError(f"no screen for {view!r}")

    def _open_procedure(self, view: f.HelpView) -> OpenProcedure | None:
        """What help says of the procedure open behind it (None: no page is open)."""
        if not view.procedure_id or self.profile is None:
            return None
        procedure = self.profile.procedure(view.procedure_id)
        lang, fallbacks = i18n.current_language(), self.profile.terminal.languages
        if view.take_away:
            # The host only: the path may still say something of the resident.
            log.info("help: the page's address offered to take away (%s)",
                     urlsplit(view.take_away).hostname)
        return OpenProcedure(procedure.title.get(lang, fallbacks),
                             procedure.other_ways.get(lang, fallbacks), view.take_away)

    def _assisted_builder(self, view: f.PinPadView | f.ConsentView | f.MandateView
                          | f.AddressBarView) -> Builder:
        from kiosk.ui.assisted import build_address_bar, build_consent, build_mandate
        from kiosk.ui.pin_pad import build_pin_pad

        if isinstance(view, f.PinPadView):
            log.info("PIN pad: %s%s", view.stage,
                     f", {type(view.answer).__name__}" if view.answer is not None else "")
            return lambda parent, look: build_pin_pad(
                parent, look, view, lambda digits: self.feed(f.SubmitPin(digits)),
                lambda: self.feed(f.ClosePinPad()))
        if isinstance(view, f.ConsentView):
            mediator = view.mediator
            return lambda parent, look: build_consent(
                parent, look, mediator, lambda: self.feed(f.AcceptAssistance()),
                lambda: self.feed(f.DeclineAssistance()))
        if isinstance(view, f.AddressBarView):
            return lambda parent, look: build_address_bar(
                parent, look, lambda text: self.feed(f.OpenAddress(text)),
                lambda: self.feed(f.GoBack()))
        return lambda parent, look: build_mandate(parent, look,
                                                  lambda: self.feed(f.GoBack()))

    def _open_address(self, effect: f.OpenAddressInBrowser) -> None:
        """The mediator's address, if the allowlist with their sites takes it."""
        assert self.profile is not None
        if not self.profile.allowlist(assisted=True).allows_url(effect.url):
            log.info("address bar: an address off the allowlist was refused")
            self.feed(f.ShowUserError(_("This address is not among the sites allowed on "
                                        "this terminal, even with a mediator.")))
            return
        log.info("address bar: an allowed address opened")
        self._controller_call(lambda c: c.open_address(effect.url))

    def _assisted_item(self) -> ToolbarItem | None:
        return next((item for item in self.extra_items if item.id == "assisted"), None)

    def desk_details(self) -> DeskDetails:
        assert self.profile is not None
        terminal = self.profile.terminal
        return self.profile.help.details(i18n.current_language(), terminal.languages)

    def profile_languages(self) -> tuple[str, ...]:
        """The terminal's first two languages, for screens that speak to anybody."""
        assert self.profile is not None
        return tuple(self.profile.terminal.languages[:2])

    def show_out_of_service(self, last_desk: DeskDetails | None) -> None:
        self.shell.show(lambda parent, look: build_out_of_service(parent, look, last_desk))

    def _home_builder(self) -> Builder:
        assert self.profile is not None
        model = build_home_model(self.profile, i18n.current_language())
        actions = HomeActions(
            open_procedure=lambda pid: self.feed(f.OpenProcedure(pid)),
            show_other_ways=lambda pid: self.feed(f.ShowOtherWays(pid)),
            show_help=lambda: self.feed(f.ShowHelp()),
            set_language=self.set_language,
            presentation=self.presentation_choice(),
        )
        home: Builder = lambda parent, look: build_home(parent, look, model, actions)  # noqa: E731
        home = self._with_speech_button(home)
        item = self._assisted_item()
        if item is None or not item.availability().visible:
            return home
        from kiosk.ui.assisted import with_assisted_button

        return with_assisted_button(home, item.availability().why_unavailable, item.action)

    def _with_speech_button(self, home: Builder) -> Builder:
        item = next((i for i in self.extra_items if i.id == "speech"), None)
        if item is None or not item.availability().visible:
            return home
        return with_speech_button(home, item, lambda why: self.feed(f.ExplainUnavailable(why)))


    def presentation_choice(self) -> PresentationChoice:
        """The text size and contrast in force, and the presses that change them."""
        return PresentationChoice(
            self.flow.text_size, self.flow.high_contrast,
            set_text_size=lambda size: self.feed(f.SetTextSize(size)),
            set_high_contrast=lambda on: self.feed(f.SetHighContrast(on)))

    def set_language(self, lang: str) -> None:
        """The resident's choice: the shell's words, the toolkit's and (from the next
        page opened) the sites' change at once."""
        self._use_language(lang)
        self.feed(f.ChangeLanguage(lang))

    def _use_language(self, lang: str) -> None:
        i18n.set_language(lang)
        set_toolkit_language(self.root, lang)

    def _other_ways_builder(self, procedure_id: str) -> Builder:
        assert self.profile is not None
        procedure = self.profile.procedure(procedure_id)
        lang, fallbacks = i18n.current_language(), self.profile.terminal.languages
        info = self.desk_details()
        return lambda parent, look: build_other_ways(
            parent, look, procedure.title.get(lang, fallbacks),
            procedure.description.get(lang, fallbacks),
            procedure.other_ways.get(lang, fallbacks), info,
            open_site=lambda: self.feed(f.OpenProcedure(procedure_id)),
            back=lambda: self.feed(f.GoBack()))

    def _picker_builder(self, view: f.PickerView) -> Builder:
        # Counts only, never names: IT staff and tests follow the flow.
        log.info("document picker: %d offered, %d not accepted, %s", len(view.documents),
                 view.left_out, "several" if view.multiple else "one")
        current = self.shell.current
        if current is None or current.name != "picker":
            self._picker_ticked = set()  # a new question: nothing ticked yet
        ticked = self._picker_ticked
        return lambda parent, look: build_picker(
            parent, look, view.documents, multiple=view.multiple, accept=view.accept,
            left_out=view.left_out, send=lambda paths: self.feed(f.PickDocuments(paths)),
            cancel=lambda: self.feed(f.CancelPicker()), ticked=ticked,
            scan=(lambda: self.feed(f.ScanFromPicker())) if view.can_scan else None)

    def _documents_builder(self, view: f.DocumentsView) -> Builder:
        ordered = sorted(view.documents, key=lambda d: -d.added_at)
        documents = [(d.name, d.path) for d in ordered]
        printer = self.flow.printer
        print_document = ((lambda path: self.feed(f.PrintDocument(path)))
                          if printer is not None and printer.available else None)
        # A key's own documents are already on it: no Save button for them.
        savable = {d.path for d in ordered if d.kind != "usb"} if view.usb_writable else set()
        save = (lambda path: self.feed(f.SaveToUsb(path))) if savable else None
        notice = usb_notice_text(view.usb_notice)
        if view.usb_notice:
            log.info("documents: USB saving %s", view.usb_notice)
        return lambda parent, look: build_documents(parent, look, documents,
                                                    lambda: self.feed(f.GoBack()),
                                                    print_document, save, savable, notice)

    def _print_panel_builder(self, view: f.PrintPanelView) -> Builder:
        log.info("print panel: %d page(s), %d sheet(s) left%s", view.pages, view.sheets_left,
                 f", {view.over_quota} asked" if view.over_quota else "")
        return lambda parent, look: build_print_panel(
            parent, look, view,
            lambda first, last, copies, colour: self.feed(
                f.ConfirmPrint(first, last, copies, colour)),
            lambda: self.feed(f.CancelPrint()))

    def _scan_panel_builder(self, view: f.ScanPanelView) -> Builder:
        log.info("scan panel: %s, %d page(s)%s", view.stage, len(view.pages),
                 f", {view.reason}" if view.reason else "")
        actions = ScanActions(
            choose_scanner=lambda name: self.feed(f.ChooseScanner(name)),
            start=lambda preset: self.feed(f.StartScan(preset)),
            rotate=lambda index: self.feed(f.RotateScanPage(index)),
            add_page=lambda: self.feed(f.AddScanPage()),
            finish=lambda: self.feed(f.FinishScan()),
            retry=lambda: self.feed(f.RetryScan()),
            cancel=lambda: self.feed(f.CancelScan()))
        lines = self.desk_details().lines()
        return lambda parent, look: build_scan_panel(parent, look, view, self.scan_progress,
                                                     actions, lines)

    def _countdown_builder(self, view: f.CountdownView) -> Builder:
        return lambda parent, look: build_countdown(
            parent, look, self.countdown_number, self.countdown_caption,
            still_here=lambda: self.feed(f.StillHere()),
            end_now=lambda: self.feed(f.EndSession("button")),
            max_duration=view.kind == "max_duration")

    def _message_builder(self, view: f.MessageView) -> Builder:
        words = {
            "ending": (_("Ending your session…"),
                       _("Everything you did on this terminal is being erased.")),
            "unavailable": (_("This procedure cannot be opened right now."),
                            _("Please ask at the desk: someone will help you.")),
            "session_crashed": (_("Sorry, the procedure closed by itself"),
                                _("A problem stopped the browser. To protect your information, "
                                  "everything from your session has been erased. You can start "
                                  "again, or ask at the desk: someone will help you.")),
            "page_crashed": (_("This page stopped working"),
                             _("Please open the procedure again from the home screen. What "
                               "you had typed on it may be lost.")),
            "ending_usb": (_("Ending your session…"),
                           _("Don't forget your USB key.")),
            "usb_reminder": (_("Don't forget your USB key"),
                             _("Your session is over and everything was erased from this "
                               "terminal. Your USB key is still plugged in: take it with "
                               "you.")),
            "usb_refused": (_("USB keys can't be used on this terminal"),
                            self._desk_sentence(_(
                                "You can take your key out. To send a document from it to "
                                "a website, please ask at the desk: someone will help "
                                "you."))),
            "download_no_room": (_("This file could not be kept"),
                                 self._desk_sentence(_(
                                     "It is too big for the room this terminal gives each "
                                     "session, so it was not saved. Please ask at the desk: "
                                     "someone can print it or send it for you."))),
            "download_failed": (_("The download did not finish"),
                                _("The file was not saved. You can try again from the page, "
                                  "or ask at the desk: someone will help you.")),
            "usb_unreadable": (_("This USB key can't be read here"),
                               self._desk_sentence(_(
                                   "You can take your key out. Please ask at the desk: "
                                   "someone will help you."))),
        }
        title, text = words.get(view.kind, (view.text, ""))
        log.info("message: %s", view.kind)
        back = (lambda: self.feed(f.GoBack())) if view.can_go_back else None
        return lambda parent, look: build_message(parent, look, title, text, back)

    def _desk_sentence(self, text: str) -> str:
        """`text`, followed by where the desk is when the profile says so."""
        if self.profile is None:
            return text
        desk = self.desk_details().desk
        return text + ("\n" + _("The desk: %(desk)s") % {"desk": desk} if desk else "")

    # -- the toolbar -------------------------------------------------------------------

    def core_toolbar_items(self) -> list[ToolbarItem]:
        """The shell's own items; participants' items go between Reload and the title,
        or beside Documents for those on the far side."""
        return [
            # Translators: toolbar button back to the kiosk's first screen, not a house.
            ToolbarItem("home", lambda: _("Home"), "⌂", lambda: self.feed(f.GoHome())),
            ToolbarItem("back", lambda: _("Back"), self.shell.look.back,
                        lambda: self.feed(f.PageBack())),
            # Translators: toolbar button that loads the current web page again.
            ToolbarItem("reload", lambda: _("Reload"), "⟳",
                        lambda: self.feed(f.PageReload())),
            ToolbarItem("documents", lambda: documents_caption(len(self.flow.documents)), "⬇",
                        lambda: self.feed(f.ShowDocuments()), side="end"),
            # Translators: toolbar button to the screen that says where to find a person.
            ToolbarItem("help", lambda: _("Help"), "☎", lambda: self.feed(f.ShowHelp()),
                        side="end"),
            # Translators: toolbar button: the resident has finished; everything is then erased.
            ToolbarItem("end", lambda: _("End session"), "",
                        lambda: self.feed(f.AskToEnd()), side="end"),
        ]

    def _show_toolbar(self, procedure_id: str) -> None:
        assert self.profile is not None
        procedure = self.profile.procedure(procedure_id)
        title = procedure.title.get(i18n.current_language(), self.profile.terminal.languages)
        core = self.core_toolbar_items()
        items = [*core[:3], *self.extra_items, *core[3:]]
        def build(parent: tk.Frame, look: Look) -> ScreenParts:
            self.toolbar = Toolbar(parent, look, items, title, self.toolbar_notice,
                                   explain=lambda why: self.feed(f.ExplainUnavailable(why)),
                                   presentation=self.presentation_choice(),
                                   focus=self.shell.focus)
            return self.toolbar.parts()

        self.shell.show_strip(build)
        self._show_page_banner()

    def _show_page_banner(self) -> None:
        """While a mediator assists: the banner over the top of the page, its buttons
        after the toolbar's in the Tab order (Shift+Tab from Home reaches End assistance)."""
        mediator = self.flow.assisting
        if not mediator or self.toolbar is None:
            return
        from kiosk.ui.assisted import PageBanner

        area = self.shell.browser_area()
        self._page_banner = PageBanner(
            self.root, self.shell.look, (area.x, area.y, area.width), mediator,
            not self.flow.assisted_rights, lambda: self.feed(f.EndAssistance()),
            lambda: self.feed(f.ShowMandate()), lambda: self.feed(f.ShowAddressBar()))
        self.toolbar.after_order = list(self._page_banner.controls)
        parts = self.toolbar.parts()
        self.shell.focus.set_controls(parts.order, take_keyboard=False)

    def _close_page_banner(self) -> None:
        banner, self._page_banner = self._page_banner, None
        if banner is not None:
            banner.close()

    # -- the keyboard ------------------------------------------------------------------

    def _on_focus_out(self, _event: object) -> None:
        self.timers.after(FOCUS_CHECK_MS, self._reclaim_focus_if_lost)

    def _reclaim_focus_if_lost(self) -> None:
        # The pre-started browser may grab the keyboard while it maps its window
        # behind the shell: a resident's keys must reach the screen they see.
        if self.flow.phase is not f.Phase.PROCEDURE and self.root.focus_get() is None:
            log.info("taking the keyboard back for the shell")
            self.shell.focus.reclaim()

    def _hold_keyboard(self) -> None:
        # The pre-started browser is now minimised behind the shell: whatever Tk
        # believes, the keyboard is asked back from the X server. In the soak a
        # resident's Return on the home screen once went nowhere with no focus loss
        # seen by Tk (`_reclaim_focus_if_lost` only acts on one).
        if self.flow.phase is not f.Phase.PROCEDURE:
            self.shell.focus.reclaim()

    def shutdown(self) -> None:
        """On the way out: end any session for real (the wipe runs to completion)."""
        if self._controller is not None:
            self._controller.shutdown()


def usb_notice_text(notice: str) -> str:
    """The line the Documents screen shows about saving to the USB key."""
    return {
        "saving": _("Saving to your USB key…"),
        "saved": _("Saved on your USB key. You can take it out when you leave."),
        "full": _("Your USB key is full: the document was not saved. Please ask at the desk."),
        "refused": _("Your USB key does not accept new files: the document was not saved. "
                     "Please ask at the desk."),
        "gone": _("Your USB key is no longer there: the document was not saved. Plug it in "
                  "again and try once more."),
    }.get(notice, "")
