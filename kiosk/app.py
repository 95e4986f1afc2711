"""Wires the parts together: owns the Tk root, the event bus and the screens.

Everything slow (the browser, the wipe, devices) runs on worker threads and
reports through the bus; this module only reacts on the Tk thread.
"""

from __future__ import annotations

import logging
import tkinter as tk
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from kiosk import i18n
from kiosk.bus import Event, EventBus
from kiosk.config.lastgood import recall, remember
from kiosk.config.schema import Profile
from kiosk.errors import UserError
from kiosk.i18n import _
from kiosk.paths import state_dir
from kiosk.ui.home import HomeActions, build_home
from kiosk.ui.home_model import build_home as build_home_model
from kiosk.ui.screens import (
    DeskInfo,
    build_error,
    build_help,
    build_message,
    build_other_ways,
    build_out_of_service,
)
from kiosk.ui.session_screens import (
    build_countdown,
    build_documents,
    build_end_confirmation,
    seconds_caption,
)
from kiosk.ui.shell import Shell
from kiosk.ui.toolbar import ToolbarActions, build_toolbar, documents_caption
from kiosk.ui.widgets import Look

log = logging.getLogger(__name__)

BUS_INTERVAL_MS = 40
ERROR_SCREEN_MS = 3000
PRESTART_DELAY_MS = 300
FOCUS_CHECK_MS = 30


@dataclass
class SessionView:
    """What the shell remembers of the current session (reset at every wipe)."""

    active: bool = False
    browsing: bool = False
    procedure_id: str = ""
    documents: list[str] = field(default_factory=list)
    counting_down: bool = False
    countdown_kind: str = ""
    ending: bool = False


class KioskApp:
    """The kiosk on one Tk root."""

    def __init__(
        self,
        root: tk.Tk,
        bus: EventBus,
        profile: Profile | None,
        *,
        fullscreen: bool,
        controller_factory: Callable[[Profile, EventBus, Shell], Any] | None = None,
        size: tuple[int, int] | None = None,
    ) -> None:
        self.root = root
        self.bus = bus
        self.profile = profile
        self.shell = Shell(root, fullscreen=fullscreen, size=size)
        self.session = SessionView()
        # The time-limit notice in the toolbar, updated without rebuilding the toolbar.
        self.toolbar_notice = tk.StringVar(master=root, value="")
        self.toolbar_documents = tk.StringVar(master=root, value="")
        # The countdown's figures, which tick without rebuilding its screen.
        self.countdown_number = tk.StringVar(master=root, value="")
        self.countdown_caption = tk.StringVar(master=root, value="")
        self._controller: Any = None
        self._controller_factory = controller_factory
        root.report_callback_exception = self._on_tk_error
        bus.on_handler_error(lambda exc, event: self.recover(exc))
        root.bind("<FocusOut>", self._on_focus_out, add="+")
        root.bind("<F2>", lambda _event: self.keyboard_to_page())
        self._subscribe()
        if profile is None:
            self.show_out_of_service()
        else:
            i18n.set_language(profile.terminal.default_language)
            remember(profile, state_dir())
            self.show_home()
            if controller_factory is not None:
                # Once the home screen is drawn: loading the session's parts and starting
                # Chromium would slow the first drawing down on a two-core machine.
                root.after(PRESTART_DELAY_MS, lambda: self.controller.prestart())
        self._pump_bus()

    @property
    def controller(self) -> Any:
        """The session controller, made on first need (None without a profile)."""
        if self._controller is None and self._controller_factory is not None \
                and self.profile is not None:
            self._controller = self._controller_factory(self.profile, self.bus, self.shell)
        return self._controller

    @controller.setter
    def controller(self, controller: Any) -> None:
        self._controller = controller

    # -- the bus -----------------------------------------------------------------------

    def _pump_bus(self) -> None:
        self.bus.drain()
        self._pump_id = self.root.after(BUS_INTERVAL_MS, self._pump_bus)

    def stop_pumping(self) -> None:
        """Stop draining the bus (an app being replaced on the same Tk root)."""
        self.root.after_cancel(self._pump_id)

    def _subscribe(self) -> None:
        topics: dict[str, Callable[[Event], None]] = {
            "session.opened": self._on_session_opened,
            "browser.window_closed": self._on_session_opened,
            "browser.toolbar_key": lambda e: self.keyboard_to_toolbar(),
            "session.ready": self._on_browser_ready,
            "session.wiped": self._on_session_wiped,
            "session.failed": self._on_session_failed,
            "browser.crashed": self._on_browser_crashed,
            "browser.download": self._on_download,
            "idle.warning": self._on_idle_warning,
            "idle.active": self._on_idle_active,
            "session.expired": lambda e: self.end_session(str(e.data.get("reason", "idle"))),
            "kiosk.error": lambda e: self.recover(None),
        }
        for topic, handler in topics.items():
            self.bus.subscribe(topic, handler)

    # -- errors ------------------------------------------------------------------------

    def _on_tk_error(
        self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        if isinstance(exc, UserError):
            log.info("shown to the resident: %s", exc.message)
            self.shell.show(lambda parent, look: build_message(parent, look, exc.message, ""))
            self.root.after(ERROR_SCREEN_MS, self.show_home)
            return
        log.error("internal error:\n%s", "".join(traceback.format_exception(exc_type, exc, tb)))
        self.recover(exc)

    def recover(self, exc: BaseException | None) -> None:
        """Show a calm screen, end the session cleanly, and start again on a fresh home."""
        if exc is not None and not isinstance(exc, UserError):
            log.error("recovering from an internal error: %r", exc)
        try:
            self.shell.show(build_error)
        except Exception:  # the screen itself may be what broke: go on regardless
            log.exception("could not show the error screen")
        if self.session.active and self.controller is not None:
            self.root.after(ERROR_SCREEN_MS, lambda: self.end_session("error"))
        else:
            self.root.after(ERROR_SCREEN_MS, self.reset_to_home)

    # -- screens -----------------------------------------------------------------------

    def desk_info(self) -> DeskInfo:
        assert self.profile is not None
        lang, fallbacks = i18n.current_language(), self.profile.terminal.languages
        h = self.profile.help
        return DeskInfo(h.desk.get(lang, fallbacks), h.phone, h.hours.get(lang, fallbacks))

    def show_out_of_service(self) -> None:
        last = recall(state_dir())
        info = None if last is None else DeskInfo(last.desk, last.phone, last.hours)
        self.shell.show(lambda parent, look: build_out_of_service(parent, look, info))

    def show_home(self) -> None:
        if self.profile is None:
            self.show_out_of_service()
            return
        model = build_home_model(self.profile, i18n.current_language())
        actions = HomeActions(
            open_procedure=self.open_procedure,
            show_other_ways=self.show_other_ways,
            show_help=self.show_help,
            set_language=self.set_language,
        )
        self.shell.show(lambda parent, look: build_home(parent, look, model, actions))

    def begin_session(self) -> None:
        """The resident did something: from now on there is something to wipe."""
        self.session.active = True
        if self.controller is not None:
            self.controller.begin()

    def back_to_session(self) -> None:
        """Where 'Back' leads: the open procedure, or the home screen."""
        if self.session.browsing:
            self.show_toolbar()
        else:
            self.show_home()

    def show_help(self) -> None:
        self.begin_session()
        back = self.back_to_session
        info = self.desk_info()
        self.shell.show(lambda parent, look: build_help(parent, look, info, back))

    def show_other_ways(self, procedure_id: str) -> None:
        assert self.profile is not None
        procedure = self.profile.procedure(procedure_id)
        lang, fallbacks = i18n.current_language(), self.profile.terminal.languages
        info = self.desk_info()

        def build(parent: tk.Frame, look: Look) -> Any:
            return build_other_ways(
                parent, look, procedure.title.get(lang, fallbacks),
                procedure.description.get(lang, fallbacks),
                procedure.other_ways.get(lang, fallbacks), info,
                open_site=lambda: self.open_procedure(procedure_id), back=self.show_home)

        self.shell.show(build)

    def set_language(self, lang: str) -> None:
        self.begin_session()
        i18n.set_language(lang)
        self.show_home()

    def show_toolbar(self) -> None:
        assert self.profile is not None
        procedure = self.profile.procedure(self.session.procedure_id)
        title = procedure.title.get(i18n.current_language(), self.profile.terminal.languages)
        actions = ToolbarActions(
            home=self.go_home,
            back=lambda: self._browser("back"),
            reload=lambda: self._browser("reload"),
            documents=self.show_documents,
            help=self.show_help,
            end_session=self.confirm_end_session,
        )
        self.toolbar_documents.set(documents_caption(len(self.session.documents)))
        self.shell.show_strip(
            lambda parent, look: build_toolbar(parent, look, actions, title,
                                               self.toolbar_documents,
                                               notice=self.toolbar_notice))
        self.session.browsing = True
        self._browser("show")

    def go_home(self) -> None:
        """Back to the tiles; the session (and its browser) stays until it is ended."""
        self.session.browsing = False
        self.show_home()

    def show_documents(self) -> None:
        names = list(self.session.documents)
        self.shell.show(lambda parent, look: build_documents(parent, look, names,
                                                             self.back_to_session))

    def confirm_end_session(self) -> None:
        count = len(self.session.documents)
        self.shell.show(lambda parent, look: build_end_confirmation(
            parent, look, count, confirm=lambda: self.end_session("button"),
            cancel=self.back_to_session))

    # -- the session -------------------------------------------------------------------

    def _browser(self, action: str, *args: Any) -> None:
        if self.controller is not None:
            getattr(self.controller, action)(*args)

    def open_procedure(self, procedure_id: str) -> None:
        """Open a tile's procedure in the session's browser."""
        assert self.profile is not None
        self.profile.procedure(procedure_id)  # an unknown id is a bug: fail loudly here
        log.info("procedure opened: %s", procedure_id)
        self.begin_session()
        self.session.procedure_id = procedure_id
        if self.controller is None:
            raise UserError(_("This procedure cannot be opened on this terminal."))
        self.show_toolbar()
        self.controller.open(procedure_id)

    def _on_session_opened(self, event: Event) -> None:
        # Also when the browser closed a window it refused: the resident's page
        # takes the keyboard back.
        if self.session.browsing:
            self._browser("focus")

    def keyboard_to_toolbar(self) -> None:
        """F2 in the page: a keyboard user reaches Home, Documents, Help, End session."""
        if self.session.browsing and self.shell.strip:
            log.info("keyboard to the toolbar")
            self.shell.focus.reclaim()

    def keyboard_to_page(self) -> None:
        """F2 in the toolbar: back to the page."""
        if self.session.browsing and self.shell.strip:
            log.info("keyboard to the page")
            self._browser("focus")

    def _on_browser_ready(self, event: Event) -> None:
        log.info("browser ready for the next session")
        self._reclaim_focus_if_lost()

    def _on_focus_out(self, _event: object) -> None:
        self.root.after(FOCUS_CHECK_MS, self._reclaim_focus_if_lost)

    def _reclaim_focus_if_lost(self) -> None:
        # The pre-started browser may grab the keyboard while it maps its window
        # behind the shell: a resident's keys must reach the screen they see.
        if not self.session.browsing and self.root.focus_get() is None:
            log.info("taking the keyboard back for the shell")
            self.shell.focus.reclaim()

    def _on_download(self, event: Event) -> None:
        self.session.documents.append(str(event.data.get("name", "")))
        self.toolbar_documents.set(documents_caption(len(self.session.documents)))

    def _on_browser_crashed(self, event: Event) -> None:
        if self.session.active:
            log.error("the browser stopped (%s): ending the session",
                      event.data.get("reason", "crash"))
            self.end_session("crash")
        elif self.controller is not None:
            self.controller.restart_browser()

    def _on_session_failed(self, event: Event) -> None:
        reason = event.data.get("reason", "unknown")
        log.error("session failed: %s", reason)
        if reason == "browser_unavailable" and not self.session.ending:
            self.session.ending = True
            self.shell.show(lambda parent, look: build_message(
                parent, look, _("This procedure cannot be opened right now."),
                _("Please ask at the desk: someone will help you.")))
            self.root.after(ERROR_SCREEN_MS * 2, self._end_after_failure)
            return
        self.end_session("error")

    def _end_after_failure(self) -> None:
        self.session.ending = False
        self.end_session("error")

    def end_session(self, reason: str) -> None:
        """Stop input, hand the wipe to the controller, wait for 'session.wiped'."""
        if self.session.ending:
            return
        log.info("ending the session (%s)", reason)
        self.session.ending = True
        self.session.browsing = False
        self.shell.show(lambda parent, look: build_message(
            parent, look, _("Ending your session…"),
            _("Everything you did on this terminal is being erased.")))
        if self.controller is None:
            self.reset_to_home()
        else:
            self.controller.end(reason)

    def _on_session_wiped(self, event: Event) -> None:
        self.reset_to_home()

    def reset_to_home(self) -> None:
        """Forget the session's choices and show a fresh home screen."""
        self.session = SessionView()
        if self.profile is not None:
            i18n.set_language(self.profile.terminal.default_language)
        self.shell.set_presentation(high_contrast=False, text_scale=1.0)
        self.toolbar_notice.set("")
        self.root.clipboard_clear()
        self.show_home()

    def _on_idle_warning(self, event: Event) -> None:
        if self.session.ending or not self.session.active:
            return
        seconds = int(event.data.get("seconds_left", 0))
        max_duration = event.data.get("kind") == "max_duration"
        if max_duration and self._is_early_notice(seconds):
            self._show_time_limit_notice(seconds)
            return
        self.countdown_number.set(str(seconds))
        self.countdown_caption.set(seconds_caption(seconds))
        kind = "max_duration" if max_duration else "idle"
        if self._countdown_shown(kind):
            return
        self.session.counting_down = True
        self.session.countdown_kind = kind
        self.shell.show(lambda parent, look: build_countdown(
            parent, look, self.countdown_number, self.countdown_caption,
            still_here=self.still_here, end_now=lambda: self.end_session("button"),
            max_duration=max_duration))

    def _countdown_shown(self, kind: str) -> bool:
        current = self.shell.current
        return (self.session.counting_down and self.session.countdown_kind == kind
                and current is not None and current.name == "countdown")

    def _is_early_notice(self, seconds_left: int) -> bool:
        """Minutes before the time limit: a line in the toolbar, not a screen in the way."""
        assert self.profile is not None
        return seconds_left > self.profile.session.idle_warning and not self.session.counting_down

    def _show_time_limit_notice(self, seconds_left: int) -> None:
        minutes, seconds = divmod(seconds_left, 60)
        self.toolbar_notice.set("◷ " + _("Your session ends in %(time)s") %
                                {"time": f"{minutes}:{seconds:02d}"})

    def still_here(self) -> None:
        # The press itself is input: the X idle clock restarts and the watcher says so.
        self._on_idle_active(Event("idle.active"))

    def _on_idle_active(self, event: Event) -> None:
        if self.session.counting_down and not self.session.ending:
            self.session.counting_down = False
            self.back_to_session()

    def shutdown(self) -> None:
        """On the way out: end any session for real (the wipe runs to completion)."""
        if self._controller is not None:
            self._controller.shutdown()
