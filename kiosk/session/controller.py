"""One resident's session, from the pre-started browser to the wipe.

Runs every browser call and the wipe on one worker thread (the browser's pipe
is a native handle with one owner) and reports through the event bus; the Tk
thread only submits requests and never waits for them.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Protocol

from kiosk import i18n
from kiosk.bus import EventBus
from kiosk.config.schema import Profile
from kiosk.session.clipboard import clear_selections
from kiosk.session.directory import SessionDirectory, session_root, wipe_stale
from kiosk.session.idle import IdleTracker, IdleWatcher, XIdleClock
from kiosk.session.wipe import WipeReport, WipeStep, run_wipe
from kiosk.stats.counters import Counters, duration_bucket
from kiosk.stats.report import database_path

log = logging.getLogger(__name__)

HANG_CHECK_SECONDS = 5.0
# Seconds before starting the browser again after failed starts (then every minute).
RETRY_DELAYS = (1, 5, 15, 30, 60)


class Browser(Protocol):
    """What the controller needs of the session browser."""

    def start(self, timeout: float = ...) -> None: ...
    def open(self, url: str) -> None: ...
    def back(self) -> None: ...
    def reload(self) -> None: ...
    def focus(self) -> None: ...
    def set_bounds(self, bounds: tuple[int, int, int, int]) -> None: ...
    def set_language(self, lang: str) -> None: ...
    def ping(self, timeout: float = ...) -> bool: ...
    def close(self) -> list[int]: ...


BrowserFactory = Callable[..., Browser]


class SessionController:
    """Owns the session directory and browser; the shell talks to it through requests."""

    def __init__(
        self,
        profile: Profile,
        bus: EventBus,
        *,
        bounds: tuple[int, int, int, int],
        display: str,
        browser_factory: BrowserFactory,
        counters: Counters | None,
        idle_clock_factory: Callable[[], Any] | None = None,
    ) -> None:
        self.profile = profile
        self.bus = bus
        self.bounds = bounds
        self.display = display
        self.browser_factory = browser_factory
        self.counters = counters
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="session")
        self._directory: SessionDirectory | None = None
        self._browser: Browser | None = None
        self._started_at: float | None = None
        self._ending = False
        self._idle_clock_factory = idle_clock_factory or (lambda: XIdleClock(display))
        self._watcher: IdleWatcher | None = None
        self._stop_hang_check = threading.Event()
        self._hang_thread: threading.Thread | None = None
        self._failed_starts = 0
        self._retry: threading.Timer | None = None
        self._closed = False
        self._submit(self._recover_stale_sessions)

    def prestart(self) -> None:
        """Start the next session's browser in the background (blank, hidden)."""
        self._submit(self._prepare_if_idle)

    # -- requests from the shell (Tk thread): queue and return at once --------------------

    def begin(self) -> None:
        """The resident did something: the session (and its idle clock) starts now."""
        if self._started_at is None:
            self._started_at = time.monotonic()
            self._start_idle_watch()

    def open(self, procedure_id: str) -> None:
        self.begin()
        url = self.profile.procedure(procedure_id).start_url
        language = i18n.current_language()
        if self.counters is not None:
            self._count("tiles_opened", label=procedure_id)
        self._submit(lambda: self._open(url, language))

    def back(self) -> None:
        self._submit(lambda: self._with_browser(lambda b: b.back()))

    def reload(self) -> None:
        self._submit(lambda: self._with_browser(lambda b: b.reload()))

    def show(self) -> None:
        self._submit(lambda: self._with_browser(lambda b: b.focus()))

    def focus(self) -> None:
        self.show()

    def end(self, reason: str) -> None:
        """Wipe everything of this session, then prepare the next one."""
        self._stop_idle_watch()
        started, self._started_at = self._started_at, None
        self._submit(lambda: self._end(reason, started))

    def restart_browser(self) -> None:
        """The pre-started browser died while nobody used it: start a fresh one."""
        self._submit(lambda: self._end("crash", None, quiet=True))

    def shutdown(self) -> None:
        """Wipe now and stop the worker (the kiosk is stopping)."""
        self._stop_idle_watch()
        self._closed = True
        self._cancel_retry()
        started, self._started_at = self._started_at, None
        future = self._submit(lambda: self._wipe("shutdown", started))
        try:
            future.result(timeout=20)
        except Exception:
            log.exception("the last wipe failed")
        self._worker.shutdown(wait=True, cancel_futures=True)

    # -- on the worker thread -----------------------------------------------------------

    def _submit(self, work: Callable[[], object]) -> Future[None]:
        def guarded() -> None:
            try:
                work()
            except Exception as error:
                log.exception("session work failed")
                self.bus.publish("session.failed", reason=type(error).__name__)

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
        try:
            self._start_fresh_browser()
        except Exception:
            log.exception("the session browser could not be started")
            self._discard_failed_start()
            self._schedule_retry()
            return
        self._failed_starts = 0
        self._start_hang_check()
        self.bus.publish("session.ready")

    def _start_fresh_browser(self) -> None:
        self._directory = SessionDirectory.create(session_root())
        self._browser = self.browser_factory(
            session_dir=self._directory.path,
            allowlist=self.profile.allowlist(),
            language=self.profile.terminal.default_language,
            help_lines=self._help_lines(self.profile.terminal.default_language),
            bounds=self.bounds,
            publish=self.bus.publish,
        )
        self._browser.start()

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
        self.bus.publish("browser.unavailable", retry_in=delay)
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

    def _help_lines(self, language: str) -> tuple[str, ...]:
        h, fallbacks = self.profile.help, self.profile.terminal.languages
        parts = [h.desk.get(language, fallbacks), h.phone, h.hours.get(language, fallbacks)]
        return tuple(part for part in parts if part)

    def _with_browser(self, action: Callable[[Browser], None]) -> None:
        if self._browser is not None:
            action(self._browser)

    def _open(self, url: str, language: str) -> None:
        if self._browser is None:
            self._prepare()
        if self._browser is None:
            self.bus.publish("session.failed", reason="browser_unavailable")
            return
        self._browser.set_language(language)
        self._browser.open(url)
        self._browser.focus()
        self.bus.publish("session.opened")

    def _end(self, reason: str, started: float | None, quiet: bool = False) -> None:
        report = self._wipe(reason, started)
        if not quiet:
            self.bus.publish("session.wiped", reason=reason, failed=report.failed_steps)
        self._prepare()

    def _wipe(self, reason: str, started: float | None) -> WipeReport:
        self._stop_hang_check_thread()
        browser, self._browser = self._browser, None
        directory, self._directory = self._directory, None
        steps = [
            WipeStep("kill_browser", lambda: self._kill_browser(browser)),
            WipeStep("delete_session_dir", lambda: directory.wipe() if directory else None),
            WipeStep("clear_clipboard", lambda: clear_selections(self.display)),
            WipeStep("record_counters", lambda: self._record_end(reason, started)),
        ]
        return run_wipe(steps)

    def _kill_browser(self, browser: Browser | None) -> None:
        if browser is None:
            return
        survivors = browser.close()
        if survivors:
            raise RuntimeError(f"{len(survivors)} browser process(es) survived the kill")

    def _record_end(self, reason: str, started: float | None) -> None:
        if self.counters is None or started is None:
            return
        self._count("sessions_total")
        self._count("session_end", label=reason)
        self._count("session_duration_bucket",
                    label=duration_bucket(time.monotonic() - started))

    def _count(self, name: str, label: str = "") -> None:
        assert self.counters is not None
        try:
            self.counters.increment(name, label=label)
        except Exception:  # counters are nice to have; a session never fails for them
            log.exception("could not record the counter %s", name)

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

    def _start_hang_check(self) -> None:
        self._stop_hang_check = threading.Event()
        stop = self._stop_hang_check
        browser = self._browser

        def loop() -> None:
            while not stop.wait(HANG_CHECK_SECONDS):
                if browser is not None and not browser.ping(timeout=HANG_CHECK_SECONDS):
                    if not stop.is_set():
                        log.error("the browser does not answer: ending the session")
                        self.bus.publish("browser.crashed", reason="hang")
                    return

        self._hang_thread = threading.Thread(target=loop, name="hang-check", daemon=True)
        self._hang_thread.start()

    def _stop_hang_check_thread(self) -> None:
        self._stop_hang_check.set()


def make_controller(profile: Profile, bus: EventBus, shell: Any) -> SessionController:
    """The production controller: real Chromium, real counters, the X idle clock."""
    from kiosk.browser.session import BrowserSession

    area = shell.browser_area()
    rules = os.environ.get("KIOSK_HOST_RESOLVER_RULES") or None

    def browser_factory(**options: Any) -> Browser:
        return BrowserSession(host_resolver_rules=rules, **options)

    try:
        counters: Counters | None = Counters(database_path())
    except Exception:
        log.exception("anonymous counters are off: their database cannot be opened")
        counters = None
    return SessionController(
        profile, bus,
        bounds=(area.x, area.y, area.width, area.height),
        display=os.environ.get("DISPLAY", ""),
        browser_factory=browser_factory,
        counters=counters,
    )
