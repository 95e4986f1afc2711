"""One resident's session, from the pre-started browser to the wipe.

Runs every browser call and the wipe on one worker thread (the browser's pipe
is a native handle with one owner) and reports through the event bus; the Tk
thread only submits requests and never waits for them. The shell sees this
class through the `SessionControl` protocol.

The wipe is the browser's kill, then the kill of every other process started
for the session (whatever a page got started and detached: they all carry the
session's marker in their environment), then each participant's own steps (in
the order the participants were given), then the session folder and the
clipboard; every step is run, timed and checked, and `SessionWiped` says which
failed. The anonymous counters learn of the session from `SessionEnded`.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Protocol

from kiosk import i18n, settings
from kiosk.browser.reaper import kill_session_processes, session_marker, session_processes
from kiosk.bus import EventBus
from kiosk.config.allowlist import Allowlist
from kiosk.config.schema import Profile
from kiosk.errors import describe_without_data
from kiosk.events import (
    BrowserCrashed,
    BrowserReady,
    BrowserUnavailable,
    Event,
    FilesUploaded,
    PageOpened,
    PagePdfReady,
    PrintPreparationFailed,
    ProcedureOpened,
    SessionEnded,
    SessionFailed,
    SessionWiped,
)
from kiosk.session.clipboard import clear_selections, selections_empty
from kiosk.session.control import Bounds
from kiosk.session.directory import SessionDirectory, session_root, wipe_stale
from kiosk.session.idle import IdleClock, IdleTracker, IdleWatcher
from kiosk.session.input_clock import open_idle_clock
from kiosk.session.memory import return_freed_memory
from kiosk.session.participant import Participant, SessionInfo
from kiosk.session.wipe import WipeReport, WipeStep, run_wipe
from kiosk.stats.counters import duration_bucket

log = logging.getLogger(__name__)

HANG_CHECK_SECONDS = 5.0
# Seconds before starting the browser again after failed starts (then every minute).
RETRY_DELAYS = (1, 5, 15, 30, 60)
SHUTDOWN_WIPE_SECONDS = 20.0
# A wipe that could not be verified is tried again this often; the terminal stays out
# of service meanwhile.
RECHECK_SECONDS = 15.0

HelpLines = Callable[[str], tuple[str, ...]]


class Browser(Protocol):
    """What the controller needs of the session browser."""

    def start(self, timeout: float = ...) -> None: ...
    def open(self, url: str) -> None: ...
    def back(self) -> None: ...
    def reload(self) -> None: ...
    def focus(self) -> None: ...
    def set_bounds(self, bounds: Bounds) -> None: ...
    def insert_text(self, text: str) -> None: ...
    def press_key(self, name: str) -> None: ...
    def set_language(self, lang: str) -> None: ...
    def set_presentation(self, zoom: float, high_contrast: bool, bounds: Bounds) -> None: ...
    def set_chooser_files(self, paths: list[Path]) -> bool: ...
    def set_allowlist(self, allowlist: Allowlist) -> None: ...
    def leave_disallowed_page(self) -> None: ...
    def print_to_pdf(self, target: Path) -> None: ...
    def ping(self, timeout: float = ...) -> bool: ...
    def unstick_page(self, wait: float = ..., announce: bool = ...,
                     revive: bool = ...) -> bool: ...
    def interrupt(self) -> None: ...
    def close(self) -> list[int]: ...


class BrowserFactory(Protocol):
    """Makes the next session's browser (not started)."""

    def __call__(self, *, session_dir: Path, help_lines: HelpLines,
                 language: str) -> Browser: ...


class SessionController:
    """Owns the session directory, the browser and the participants' session state."""

    def __init__(
        self,
        profile: Profile,
        bus: EventBus,
        *,
        display: str,
        browser_factory: BrowserFactory,
        participants: Sequence[Participant] = (),
        idle_clock_factory: Callable[[], IdleClock] | None = None,
    ) -> None:
        self.profile = profile
        self.bus = bus
        self.display = display
        self.browser_factory = browser_factory
        self.participants = tuple(participants)
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="session")
        self._directory: SessionDirectory | None = None
        self._pdf_count = 0
        self._browser: Browser | None = None
        self._browser_language: str | None = None
        self._browser_used = False
        self._started_at: float | None = None
        self._idle_clock_factory = idle_clock_factory or (lambda: open_idle_clock(display))
        self._watcher: IdleWatcher | None = None
        self._stop_hang_check = threading.Event()
        self._failed_starts = 0
        self._retry: threading.Timer | None = None
        self._recheck: threading.Timer | None = None
        self._unverified: list[WipeStep] = []
        self._closed = False
        self.last_wipe: WipeReport | None = None
        self._last_steps: list[WipeStep] = []
        self._assisted = False  # the mediator's rights, until "End assistance" or the wipe
        self._presentation: tuple[float, bool, Bounds] | None = None  # until the wipe
        self._submit(self._recover_stale_sessions)

    # -- requests from the shell (Tk thread): queue and return at once --------------------

    def prestart(self) -> None:
        """Start the next session's browser in the background (blank, hidden)."""
        self._submit(self._prepare_if_idle)

    def begin(self) -> None:
        """The resident did something: the session (and its idle clock) starts now."""
        if self._started_at is None:
            self._started_at = time.monotonic()
            self._start_idle_watch()
            language = i18n.current_language()
            self._submit(lambda: self._begin_participants(language))

    def open(self, procedure_id: str) -> None:
        """Show a procedure's start page in the session's browser."""
        self.begin()
        procedure = self.profile.procedure(procedure_id)
        url = procedure.start_url
        language = i18n.current_language()
        self.bus.publish(ProcedureOpened(procedure_id, procedure.partner))
        self._submit(lambda: self._open(url, language))

    def open_address(self, url: str) -> None:
        """Show an address a mediator typed (the app checked it; the guard checks again)."""
        language = i18n.current_language()
        self._submit(lambda: self._open(url, language))

    def back(self) -> None:
        self._submit(lambda: self._with_browser(lambda b: b.back()))

    def reload(self) -> None:
        self._submit(lambda: self._with_browser(lambda b: b.reload()))

    def focus(self) -> None:
        """Show the browser in front, with the keyboard."""
        self._submit(lambda: self._with_browser(lambda b: b.focus()))

    def place_browser(self, bounds: Bounds) -> None:
        """Move the browser's window (the on-screen keyboard takes the foot of the screen)."""
        self._submit(lambda: self._with_browser(lambda b: b.set_bounds(bounds)))

    def type_on_page(self, text: str = "", key: str = "") -> None:
        """The on-screen keyboard: type `text` into the page's field, or press `key`
        (a name of kiosk.browser.session.PAGE_KEYS)."""
        if key:
            self._submit(lambda: self._with_browser(lambda b: b.press_key(key)))
        elif text:
            self._submit(lambda: self._with_browser(lambda b: b.insert_text(text)))

    def give_files(self, paths: tuple[Path, ...]) -> None:
        """Answer the page's file input with `paths` (nothing when empty)."""
        chosen = list(paths)
        self._submit(lambda: self._with_browser(lambda b: self._hand_files(b, chosen)))

    def make_page_pdf(self) -> None:
        """The page on screen as a PDF in the session's folder (PagePdfReady), to print."""
        self._submit(self._make_page_pdf)

    def set_presentation(self, zoom: float, high_contrast: bool, bounds: Bounds) -> None:
        """The pages' zoom and contrast follow the shell's text size and contrast; the
        browser's window takes `bounds` (under the strip, whose height follows the text).

        Remembered until the wipe: a browser started again in the session gets them too."""
        self._presentation = (zoom, high_contrast, bounds)
        self._submit(lambda: self._with_browser(self._apply_presentation))

    def _apply_presentation(self, browser: Browser) -> None:
        if self._presentation is not None:
            browser.set_presentation(*self._presentation)

    def set_assisted(self, on: bool) -> None:
        """The `[assisted]` rights on or off: the extra allowlist and idle time.

        Off, a page (or a frame) that only assisted mode allowed is replaced by the
        blocked page: the resident keeps the session, not the mediator's sites.
        """
        self._assisted = on
        watcher = self._watcher
        if watcher is not None:
            s = self.profile.session
            watcher.assist(IdleTracker(self.profile.assisted.idle_timeout, s.idle_warning,
                                       s.max_duration) if on else None)
        log.info("assisted rights %s", "on" if on else "off")
        self._submit(lambda: self._with_browser(lambda b: self._apply_allowlist(b, on)))

    def _apply_allowlist(self, browser: Browser, assisted: bool) -> None:
        browser.set_allowlist(self.profile.allowlist(assisted))
        if not assisted and self._browser_used:
            browser.leave_disallowed_page()

    def end(self, reason: str) -> None:
        """Wipe everything of this session, then prepare the next one.

        The browser is interrupted first, from here: work queued before the end
        (a tile tapped, Back) then fails at once instead of waiting for a page.
        """
        self._stop_idle_watch()
        self._interrupt_browser()
        self._assisted = False  # the next session's browser starts with the resident's list
        self._presentation = None  # and with the terminal's text size and colours
        started, self._started_at = self._started_at, None
        self._submit(lambda: self._end(reason, started))

    def restart_browser(self) -> None:
        """The pre-started browser died while nobody used it: start a fresh one."""
        self._submit(lambda: self._end("crash", None, quiet=True))

    def shutdown(self) -> None:
        """Wipe now and stop the worker (the kiosk is stopping)."""
        self._stop_idle_watch()
        self._interrupt_browser()
        self._closed = True
        self._cancel_retry()
        if self._recheck is not None:
            self._recheck.cancel()
        started, self._started_at = self._started_at, None
        future = self._submit(lambda: self._wipe("shutdown", started))
        try:
            future.result(timeout=SHUTDOWN_WIPE_SECONDS)
        except Exception:
            log.exception("the last wipe failed")
        self._worker.shutdown(wait=True, cancel_futures=True)

    def _interrupt_browser(self) -> None:
        self._stop_hang_check.set()  # an interrupted browser is no hang to report
        browser = self._browser
        if browser is not None:
            try:
                browser.interrupt()
            except Exception:  # the wipe kills it anyway
                log.exception("could not interrupt the browser")

    # -- on the worker thread -----------------------------------------------------------

    def _submit(self, work: Callable[[], object]) -> Future[None]:
        def guarded() -> None:
            try:
                work()
            except Exception as error:
                log.exception("session work failed")
                self.bus.publish(SessionFailed(type(error).__name__))

        return self._worker.submit(guarded)

    def _recover_stale_sessions(self) -> None:
        wiped = wipe_stale(session_root())
        if wiped:
            log.warning("wiped %d session folder(s) left by an earlier run (power cut?)", wiped)

    def _prepare(self) -> None:
        """A fresh directory and a browser started on a blank page, hidden behind the shell.

        When the browser cannot start, the attempt is retried later with a growing
        delay instead of at once: a broken Chromium must not spin the CPU.
        """
        self._cancel_retry()
        if self._closed:
            return  # the kiosk is stopping: its last wipe must not find a new browser
        try:
            self._start_fresh_browser()
        except Exception:
            log.exception("the session browser could not be started")
            self._discard_failed_start()
            self._schedule_retry()
            return
        self._failed_starts = 0
        self._start_hang_check()
        self.bus.publish(BrowserReady())

    def _start_fresh_browser(self, language: str | None = None) -> None:
        directory = self._session_directory()
        language = language or self.profile.terminal.default_language
        self._browser = self.browser_factory(
            session_dir=directory.path, language=language,
            help_lines=self._help_lines,
        )
        self._browser_language, self._browser_used = language, False
        self._browser.start()

    def _speak_the_residents_language(self, language: str) -> None:
        """Chromium's own words (its rare dialogs) follow the language it started in:
        a resident who chose another one before the first page gets a browser
        started in theirs. Nothing of the session is in the browser yet."""
        if self._browser is None or self._browser_used or language == self._browser_language:
            return
        log.info("starting the browser again in the resident's language")
        self._stop_hang_check.set()
        browser, self._browser = self._browser, None
        self._kill_browser(browser)
        try:
            self._start_fresh_browser(language)
        except Exception:
            log.exception("the browser could not start in the resident's language")
            self._discard_failed_start()
            return
        self._start_hang_check()

    def _help_lines(self, language: str) -> tuple[str, ...]:
        """The desk's details in `language`, for the browser's blocked page."""
        return self.profile.help.details(language, self.profile.terminal.languages).lines()

    def _session_directory(self) -> SessionDirectory:
        if self._directory is None:
            self._directory = SessionDirectory.create(session_root())
        return self._directory

    def _discard_failed_start(self) -> None:
        """Wipe what a failed start left (a half-started browser, its folder)."""
        report = self._wipe("start_failed", None)
        if report.failed_steps:
            log.error("cleaning up after a failed browser start failed: %s",
                      ", ".join(report.failed_steps))

    def _schedule_retry(self) -> None:
        self._failed_starts += 1
        delay = RETRY_DELAYS[min(self._failed_starts, len(RETRY_DELAYS)) - 1]
        log.warning("starting the browser again in %d s (attempt %d failed)",
                    delay, self._failed_starts)
        self.bus.publish(BrowserUnavailable(delay))
        timer = threading.Timer(delay, self._retry_now)
        timer.daemon = True
        self._retry = timer
        timer.start()

    def _retry_now(self) -> None:
        if self._closed:
            return
        # The worker may have stopped in between: the kiosk is closing then.
        with contextlib.suppress(RuntimeError):
            self._submit(self._prepare_if_idle)

    def _prepare_if_idle(self) -> None:
        if self._browser is None and not self._closed:
            self._prepare()

    def _cancel_retry(self) -> None:
        retry, self._retry = self._retry, None
        if retry is not None:
            retry.cancel()

    def _begin_participants(self, language: str) -> None:
        info = SessionInfo(self._session_directory().path, language)
        for participant in self.participants:
            try:
                participant.begin(info)
            except Exception:  # one device must not keep the resident from the others
                log.exception("participant %s could not begin the session", participant.name)

    def _with_browser(self, action: Callable[[Browser], object]) -> None:
        if self._browser is not None:
            action(self._browser)

    def _hand_files(self, browser: Browser, paths: list[Path]) -> None:
        if not browser.set_chooser_files(paths):
            log.warning("the page no longer waits for a file")
        else:
            log.info("%d file(s) handed to the page", len(paths))
            if paths:
                self.bus.publish(FilesUploaded(len(paths)))

    def _make_page_pdf(self) -> None:
        browser, directory = self._browser, self._directory
        if browser is None or directory is None or self._started_at is None:
            self.bus.publish(PrintPreparationFailed("page"))
            return
        self._pdf_count += 1
        target = directory.path / "print" / f"page-{self._pdf_count}.pdf"
        try:
            browser.print_to_pdf(target)
        except Exception as error:  # a page that cannot be laid out is not a session failure
            log.warning("the page could not be made into a PDF: %s", describe_without_data(error))
            self.bus.publish(PrintPreparationFailed("page"))
            return
        self.bus.publish(PagePdfReady(target))

    def _open(self, url: str, language: str) -> None:
        if self._started_at is None:
            return  # the session ended while this waited: nothing to open for anyone
        if self._browser is None:
            self._prepare()
        self._speak_the_residents_language(language)
        if self._started_at is None:
            return  # ended while the browser started: it must not come up over the wipe
        if self._browser is None:
            self.bus.publish(SessionFailed("browser_unavailable"))
            return
        self._browser_used = True
        # A page left stuck in a loop (the resident went Home from it) would make each
        # page setting below wait out its timeout: end it first, at once.
        self._browser.unstick_page(revive=True)
        if self._assisted:  # a browser started again for the resident's language
            self._browser.set_allowlist(self.profile.allowlist(assisted=True))
        self._apply_presentation(self._browser)  # likewise
        self._browser.set_language(language)
        self._browser.open(url)
        # Not raised from here: the shell asks for it (PageOpened) only if the
        # resident is still on the procedure, not on a screen they moved to meanwhile.
        self.bus.publish(PageOpened())

    def _end(self, reason: str, started: float | None, quiet: bool = False) -> None:
        report = self._wipe(reason, started)
        if not quiet or not report.ok:
            self._report_wipe(reason, report)
        self._prepare()
        # By now the home screen has replaced the session's screens and their pictures.
        return_freed_memory()

    def _report_wipe(self, reason: str, report: WipeReport) -> None:
        """Say how the wipe went; one that is not verified is tried again until it is."""
        self.bus.publish(SessionWiped(reason, tuple(report.failed_steps),
                                      tuple(report.failed_checks)))
        if report.ok:
            self._unverified = []
            return
        log.error("the wipe is not verified (steps: %s; checks: %s): out of service until "
                  "it is", ", ".join(report.failed_steps) or "-",
                  ", ".join(report.failed_checks) or "-")
        failed = set(report.failed_steps) | set(report.failed_checks)
        self._unverified = [step for step in self._last_steps if step.name in failed]
        self._schedule_recheck()

    def _schedule_recheck(self) -> None:
        if self._closed:
            return
        timer = threading.Timer(RECHECK_SECONDS, self._recheck_now)
        timer.daemon = True
        self._recheck = timer
        timer.start()

    def _recheck_now(self) -> None:
        if self._closed:
            return
        with contextlib.suppress(RuntimeError):  # the worker stopped: the kiosk is closing
            self._submit(self._wipe_again)

    def _wipe_again(self) -> None:
        """Run the failed steps of the last wipe again, and check them."""
        steps, self._unverified = self._unverified, []
        if not steps or self._closed:
            return
        self._last_steps = steps
        self._report_wipe("recheck", run_wipe(steps))

    def _wipe(self, reason: str, started: float | None) -> WipeReport:
        self._stop_hang_check.set()
        browser, self._browser = self._browser, None
        directory, self._directory = self._directory, None
        marker = session_marker(directory.path) if directory else None
        steps = [
            WipeStep("kill_browser", lambda: self._kill_browser(browser)),
            WipeStep("kill_session_processes", lambda: self._kill_session_processes(directory),
                     verify=lambda: marker is None or not session_processes(marker)),
            *(step for p in self.participants for step in self._steps_of(p)),
            WipeStep("delete_session_dir", lambda: directory.wipe() if directory else None,
                     verify=lambda: directory is None or not directory.path.exists()),
            WipeStep("clear_clipboard", lambda: clear_selections(self.display),
                     verify=lambda: selections_empty(self.display)),
        ]
        self._last_steps = steps
        report = run_wipe(steps)
        self.last_wipe = report
        log.info("wipe (%s): %s", reason, ", ".join(
            f"{name} {seconds * 1000:.0f} ms" for name, seconds in report.durations.items()))
        if started is not None:
            bucket = duration_bucket(time.monotonic() - started)
            self.bus.publish(SessionEnded(reason, bucket))
        return report

    @staticmethod
    def _steps_of(participant: Participant) -> list[WipeStep]:
        try:
            return [WipeStep(f"{participant.name}.{step.name}", step.action, step.verify)
                    for step in participant.wipe_steps()]
        except Exception:
            log.exception("participant %s gave no wipe steps", participant.name)
            return [WipeStep(f"{participant.name}.steps", _raise_missing_steps)]

    def _kill_browser(self, browser: Browser | None) -> None:
        if browser is None:
            return
        survivors = browser.close()
        if survivors:
            raise RuntimeError(f"{len(survivors)} browser process(es) survived the kill")

    @staticmethod
    def _kill_session_processes(directory: SessionDirectory | None) -> None:
        # Runs on the worker thread, as the kiosk's own helpers (xdotool, xsel)
        # do: none of them is running now, and none carries the marker anyway.
        if directory is None:
            return
        survivors = kill_session_processes(session_marker(directory.path))
        if survivors:
            raise RuntimeError(f"{len(survivors)} session process(es) survived the kill")

    # -- idle and hang watching -------------------------------------------------------------

    def _start_idle_watch(self) -> None:
        s = self.profile.session
        try:
            clock = self._idle_clock_factory()
        except Exception:
            log.exception("no X idle clock: idle timeout is off for this session")
            return
        tracker = IdleTracker(s.idle_timeout, s.idle_warning, s.max_duration)
        self._watcher = IdleWatcher(clock, tracker, self.bus.publish)
        self._watcher.start()

    def _stop_idle_watch(self) -> None:
        watcher, self._watcher = self._watcher, None
        if watcher is not None:
            watcher.stop()

    @staticmethod
    def _end_a_stuck_page(browser: Browser) -> None:
        """A page that answers nothing for seconds (and shows no dialog waiting for the
        resident) holds the keyboard too (F2 cannot reach the toolbar): it is ended and
        the resident told."""
        try:
            browser.unstick_page(wait=settings.current().page_silent_seconds, announce=True)
        except Exception:  # the watchdog must go on watching
            log.exception("could not check whether the page answers")

    def _start_hang_check(self) -> None:
        self._stop_hang_check = threading.Event()
        stop = self._stop_hang_check
        browser = self._browser

        def loop() -> None:
            while not stop.wait(HANG_CHECK_SECONDS):
                if browser is None:
                    return
                if not browser.ping(timeout=HANG_CHECK_SECONDS):
                    if not stop.is_set():
                        log.error("the browser does not answer: ending the session")
                        self.bus.publish(BrowserCrashed("hang"))
                    return
                if self._browser_used and not stop.is_set():
                    self._end_a_stuck_page(browser)

        threading.Thread(target=loop, name="hang-check", daemon=True).start()


def _raise_missing_steps() -> None:
    # A participant that cannot say how to wipe itself is a failed step, reported as such.
    raise RuntimeError("the participant's wipe steps could not be listed")


def make_browser_factory(bounds: Bounds, allowlist: Allowlist, publish: Callable[[Event], None],
                         host_resolver_rules: str | None,
                         installed_policy_as_root: bool = False,
                         policy_allowlist: Allowlist | None = None) -> BrowserFactory:
    """The production browser: a guarded Chromium below the toolbar.

    As root (development, tests) each browser gets the guard-only policy in a
    mount namespace of its own, unless asked for the installed kiosk's policy.
    """
    from kiosk.browser.policies import profile_policy
    from kiosk.browser.session import BrowserSession

    # The policy admits `policy_allowlist` (assisted mode's hosts too, as installed):
    # the guard holds the session to `allowlist` until assisted mode widens it.
    policy = profile_policy(policy_allowlist or allowlist) if installed_policy_as_root else None

    def factory(*, session_dir: Path, help_lines: HelpLines, language: str) -> Browser:
        return BrowserSession(session_dir=session_dir, allowlist=allowlist, language=language,
                              help_lines=help_lines, bounds=bounds, publish=publish,
                              host_resolver_rules=host_resolver_rules, policy=policy)

    return factory
