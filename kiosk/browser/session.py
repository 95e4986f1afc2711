"""The session browser: one locked Chromium, driven over its DevTools pipe.

`BrowserSession` is what the session controller calls (see its `Browser`
protocol). All calls come from the controller's worker thread; events (blocked
pages, downloads, file choosers, a crash) go out through `publish`.
"""

from __future__ import annotations

import base64
import logging
import os
import shutil
import stat
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kiosk import settings
from kiosk.browser.blocked_page import blocked_page_html
from kiosk.browser.cdp import CdpError, CdpPipe, CdpTimeout
from kiosk.browser.chromium import START_URL, ChromiumProcess, LaunchOptions
from kiosk.browser.downloads import Downloads
from kiosk.browser.guard import Guard, is_web_url, url_host_of
from kiosk.browser.policies import guard_only_policy
from kiosk.config.allowlist import Allowlist
from kiosk.events import BrowserCrashed, Event

log = logging.getLogger(__name__)

COMMAND_TIMEOUT = 10.0
NAVIGATE_TIMEOUT = 30.0
PRINT_TIMEOUT = 30.0  # a long page takes a few seconds to lay out on paper
RAISE_WAIT_SECONDS = 2.0
XDOTOOL_TIMEOUT = 3.0
PIPE_EXIT_GRACE = 1.0
# A page that does not answer this fast when the resident asks for another is stuck.
PAGE_ANSWER_SECONDS = 1.5
PAGE_END_SECONDS = 3.0

Bounds = tuple[int, int, int, int]
# The keys the on-screen keyboard presses in a page: (Windows virtual key code, the
# text the key types). Enter types a carriage return, so that a form is sent.
PAGE_KEYS: dict[str, tuple[int, str]] = {
    "Backspace": (8, ""), "Tab": (9, ""), "Enter": (13, "\r"),
    "ArrowLeft": (37, ""), "ArrowRight": (39, ""),
}


class BrowserStartError(RuntimeError):
    """Chromium could not be started or did not come up in time."""


def accept_language(language: str) -> str:
    """Languages for Accept-Language: the resident's, then French, then English.

    Chromium adds the q-values itself, so this is a plain list.
    """
    ordered: list[str] = []
    for code in (language, language.split("-")[0], "fr", "en"):
        if code and code not in ordered:
            ordered.append(code)
    return ",".join(ordered)


def zoom_metrics(zoom: float, bounds: Bounds) -> dict[str, Any]:
    """Emulation.setDeviceMetricsOverride for a page zoomed by `zoom` in a window of `bounds`.

    The page is given a viewport `zoom` times narrower and is drawn `zoom` times
    larger: it reflows to the width it has, as with the browser's own zoom. At 1 the
    sizes are 0, which leaves the window's own.
    """
    if zoom == 1.0:
        return {"width": 0, "height": 0, "deviceScaleFactor": 0, "mobile": False}
    _x, _y, width, height = bounds
    return {"width": round(width / zoom), "height": round(height / zoom),
            "deviceScaleFactor": 0, "mobile": False, "scale": zoom}


def contrast_media(high_contrast: bool) -> dict[str, Any]:
    """Emulation.setEmulatedMedia: forced colours and "more contrast" for high contrast."""
    value = (("active", "more") if high_contrast else ("", ""))
    return {"features": [{"name": "forced-colors", "value": value[0]},
                         {"name": "prefers-contrast", "value": value[1]}]}


class BrowserSession:
    """One session's Chromium with the allowlist guard, downloads and crash watch."""

    def __init__(
        self,
        *,
        session_dir: Path,
        allowlist: Allowlist,
        language: str,
        help_lines: Callable[[str], tuple[str, ...]] | tuple[str, ...],
        bounds: Bounds,
        publish: Callable[[Event], None],
        host_resolver_rules: str | None = None,
        policy: dict[str, Any] | None = None,
    ) -> None:
        self.session_dir = session_dir
        self.language = language
        # The desk's details on the blocked page, in the resident's language when known.
        self.help_lines: Callable[[str], tuple[str, ...]] = (
            help_lines if callable(help_lines) else lambda _language: help_lines)
        self.bounds = bounds
        self.host_resolver_rules = host_resolver_rules
        # As root, the policy this browser gets in its private mount namespace: by
        # default the lockdown without the "block every other site" rule (the guard
        # alone filters hosts); tests also run it with the installed policy.
        self.policy = guard_only_policy() if policy is None else policy
        self._allowlist = allowlist
        self._publish = publish
        self.process: ChromiumProcess | None = None
        self.cdp: CdpPipe | None = None
        self.guard: Guard | None = None
        self.downloads: Downloads | None = None
        self._user_agent = ""
        self._window_id: int | None = None
        self._shown = False  # the window was brought out of its minimised start
        self._closing = False
        self._ready = False
        self._crash_lock = threading.Lock()
        self._unsticking = threading.Lock()
        self._crash_reported = False
        self._survivors: list[int] | None = None
        self._patient_with_dialog = False
        self.zoom, self.high_contrast = 1.0, False
        self._shown = False  # placed at its bounds (focus), not minimised

    @property
    def documents_dir(self) -> Path:
        return self.session_dir / "Documents"

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    @property
    def main_session(self) -> str | None:
        return self.guard.main_session if self.guard is not None else None

    # -- start and stop ------------------------------------------------------------------

    def start(self, timeout: float = 30.0) -> None:
        """Start Chromium on an empty page, guarded, minimised; returns when it is ready.

        `focus()` shows it at `bounds`.
        """
        if self.process is not None:
            raise BrowserStartError("this browser session was already started")
        options = LaunchOptions(self.session_dir, self.bounds, self.language,
                                self.host_resolver_rules, policy=self.policy)
        try:
            self.process = ChromiumProcess.launch(options)
        except OSError as error:
            raise BrowserStartError(f"cannot start Chromium: {error}") from error
        self.cdp = CdpPipe(self.process.write_fd, self.process.read_fd,
                           on_close=self._pipe_closed)
        self.cdp.start()
        self.process.on_exit(self._process_exited)
        self.downloads = Downloads(self.cdp, self._publish, self.documents_dir)
        self.guard = Guard(self.cdp, self._allowlist, self._blocked_html, self._publish)
        self.guard.on_dialog_loop = self._end_dialog_loop
        try:
            # Downloads first: the guard's install lets the first page run.
            self.downloads.install()
            self.guard.install(timeout)
            version = self.cdp.send("Browser.getVersion", timeout=COMMAND_TIMEOUT)
            self._user_agent = str(version.get("userAgent", ""))
            self._apply_language()
            self._window_id = self._find_window()
            self._apply_bounds()
            self.hide()
        except CdpError as error:
            self.close()
            raise BrowserStartError(f"Chromium did not get ready: {error}") from error
        with self._crash_lock:
            self._ready = True
            exited = self.process.returncode
        if exited is not None:  # it died between the last answer and now
            self._report_crash(f"exit {exited}")

    def interrupt(self) -> None:
        """Make every browser call in progress fail now (any thread): the session ends.

        A page that holds a "leave this page?" question, loops or hangs could
        otherwise keep the wipe waiting behind a command that has not answered.
        """
        self._closing = True
        if self.cdp is not None:
            self.cdp.abandon("the session is ending")

    def close(self) -> list[int]:
        """Kill the browser's whole process group; return pids that survived (normally none)."""
        if self._survivors is not None:
            return self._survivors
        self._closing = True
        if self.cdp is not None:
            self.cdp.close()
        survivors = self.process.kill() if self.process is not None else []
        if self.cdp is not None:
            self.cdp.wait_closed(1.0)
        self._survivors = survivors
        return survivors

    # -- crash watch ---------------------------------------------------------------------

    def _process_exited(self, code: int) -> None:
        if not self._closing:
            self._report_crash(f"exit {code}")

    def _pipe_closed(self) -> None:
        if self._closing:
            return
        code = self.process.wait(PIPE_EXIT_GRACE) if self.process is not None else None
        if not self._closing:
            self._report_crash("pipe" if code is None else f"exit {code}")

    def _report_crash(self, reason: str) -> None:
        """Publish browser.crashed once, and only for a browser that was ready.

        A start that fails raises BrowserStartError instead: reporting a crash then
        would make the shell restart a browser that cannot start, again and again.
        """
        with self._crash_lock:
            if self._crash_reported or not self._ready or self._closing:
                return
            self._crash_reported = True
        log.error("the browser stopped (%s)", reason)
        try:
            self._publish(BrowserCrashed(reason))
        except Exception:
            log.exception("publishing browser.crashed failed")

    # -- navigation ----------------------------------------------------------------------

    def unstick_page(self, wait: float = PAGE_ANSWER_SECONDS, announce: bool = False,
                     revive: bool = False) -> bool:
        """If the resident's page does not answer within `wait` seconds (a loop, a hang),
        end its process so that what the resident asks next (Back, Reload, another
        tile) can happen. True when a stuck page was ended.

        With `announce`, the end is reported as `PageCrashed`: the watchdog uses it,
        when nobody asked for anything and the keyboard is stuck in the page (its
        F2 listener cannot run either). With `revive` (or `announce`), the empty start
        page is loaded into the ended one, so that it answers commands again at once.
        """
        with self._unsticking:  # the worker and the watchdog may both ask
            return self._unstick(wait, announce, revive)

    def _end_dialog_loop(self) -> None:
        """A page that asks again as soon as its dialog is answered holds a keyboard user
        (no key reaches a page while it asks, F2 included): it is ended and the resident
        told, as a page that stopped answering is."""
        with self._unsticking:
            if self.process is None or self._closing:
                return
            self._end_resident_page("the page asked in a loop", announce=True, revive=True)

    def _unstick(self, wait: float, announce: bool, revive: bool) -> bool:
        cdp, main = self._page()
        guard = self._require_guard()
        if guard.dialog_open(main):
            # Not stuck: waiting for the resident's answer to an alert or confirm.
            if not announce:
                guard.dismiss_dialog(main)
            elif not self._patient_with_dialog:
                self._patient_with_dialog = True  # said once per wait, not every round
                log.info("the page waits for the resident's answer: not stuck")
            return False
        self._patient_with_dialog = False
        try:
            cdp.send("Runtime.evaluate", {"expression": "0"}, session_id=main, timeout=wait)
            return False
        except CdpTimeout:
            pass
        except CdpError:
            return False  # between two documents: not stuck
        if self.process is None or guard.dialog_open(main):
            return False
        return self._end_resident_page("the page did not answer", announce=announce,
                                       revive=revive or announce)

    def _end_resident_page(self, why: str, announce: bool, revive: bool) -> bool:
        """Kill the resident page's renderers; True when there were some to kill."""
        if self.process is None:
            return False
        guard = self._require_guard()
        ended = guard.expect_page_end(announce=announce, revive=revive)
        killed = self.process.kill_renderers()
        log.warning("%s: its %d process(es) ended", why, killed)
        # What comes next (a navigation) is refused while Chromium still thinks the
        # page is alive: wait until it has seen the end.
        if not killed or not ended.wait(PAGE_END_SECONDS):
            guard.forget_page_end(ended)
            if killed:
                log.warning("Chromium did not report the ended page's end")
        return killed > 0

    def open(self, url: str) -> None:
        """Show `url` in the resident's window (the guard decides whether it may load)."""
        self.unstick_page()
        cdp, main = self._page()
        if not is_web_url(url) and not self._require_guard().permitted(url):
            self._require_guard().navigate_main(url)
            return
        try:
            result = cdp.send("Page.navigate", {"url": url}, session_id=main,
                              timeout=NAVIGATE_TIMEOUT)
        except CdpError as error:
            log.warning("opening a page on %s did not finish: %s", url_host_of(url), error)
            return
        if result.get("errorText"):
            log.warning("opening a page on %s failed: %s", url_host_of(url), result["errorText"])

    def back(self) -> None:
        """The previous page of this session; nothing when there is none."""
        self.unstick_page()
        cdp, main = self._page()
        try:
            history = cdp.send("Page.getNavigationHistory", session_id=main,
                               timeout=COMMAND_TIMEOUT)
            index = int(history.get("currentIndex", 0))
            entries = history.get("entries") or []
            if index <= 0 or index >= len(entries):
                return
            previous = entries[index - 1]
            if str(previous.get("url", "")) in (START_URL, "about:blank"):
                return  # the empty page before the first site is not a page to go back to
            cdp.send("Page.navigateToHistoryEntry", {"entryId": previous["id"]},
                     session_id=main, timeout=NAVIGATE_TIMEOUT)
        except (CdpError, KeyError, TypeError, ValueError) as error:
            log.warning("going back failed: %s", error)

    def reload(self) -> None:
        """Load the current page again."""
        self.unstick_page()
        cdp, main = self._page()
        try:
            cdp.send("Page.reload", {}, session_id=main, timeout=NAVIGATE_TIMEOUT)
        except CdpError as error:
            log.warning("reloading failed: %s", error)

    def print_to_pdf(self, target: Path) -> None:
        """The page on screen as an A4 PDF, as its own print style sheet lays it out.

        Backgrounds are left out (ink, and legibility on paper); headers and
        footers too: they would print the page's address and title.
        """
        cdp, main = self._page()
        result = cdp.send("Page.printToPDF", {
            "paperWidth": 8.27, "paperHeight": 11.69, "printBackground": False,
            "displayHeaderFooter": False, "preferCSSPageSize": True,
            "marginTop": 0.4, "marginBottom": 0.4, "marginLeft": 0.4, "marginRight": 0.4,
        }, session_id=main, timeout=PRINT_TIMEOUT)
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        target.write_bytes(base64.b64decode(result["data"]))

    # -- window ------------------------------------------------------------------------

    def focus(self) -> None:
        """Show the browser window at its bounds, in front, with the keyboard focus."""
        cdp, main = self._page()
        self._shown = True
        self._apply_bounds()
        self._shown = True
        guard = self._require_guard()
        for method, params, session in (
            ("Page.bringToFront", {}, main),
            ("Target.activateTarget", {"targetId": guard.main_target or ""}, None),
        ):
            try:
                cdp.send(method, params, session_id=session, timeout=COMMAND_TIMEOUT)
            except CdpError as error:
                log.warning("%s failed: %s", method, error)
        self._raise_x_window()

    def hide(self) -> None:
        """Minimise the window: the pre-started browser waits out of sight of the home screen."""
        if self._window_id is None:
            return
        self._shown = False
        try:
            self._require_cdp().send("Browser.setWindowBounds", {
                "windowId": self._window_id, "bounds": {"windowState": "minimized"},
            }, timeout=COMMAND_TIMEOUT)
        except CdpError as error:
            log.warning("cannot hide the browser window: %s", error)

    def set_bounds(self, bounds: Bounds) -> None:
        """Move the window to (x, y, width, height): the area below the kiosk's toolbar.

        A window still minimised since its start keeps the bounds for `focus()`:
        placing it would show it.
        """
        self.bounds = bounds
        if self.cdp is not None and self._shown:
            # Already in the normal state: asking for it again raises the window
            # over the shell's own (the on-screen keyboard) for a moment.
            self._apply_bounds(restore=False)
        if self.guard is not None and self.zoom != 1.0:
            self._apply_presentation()  # a zoomed page's viewport follows the window

    def _find_window(self) -> int | None:
        cdp = self._require_cdp()
        target = self._require_guard().main_target
        try:
            result = cdp.send("Browser.getWindowForTarget", {"targetId": target},
                              timeout=COMMAND_TIMEOUT)
        except CdpError as error:
            log.warning("cannot find the browser window: %s", error)
            return None
        window = result.get("windowId")
        return window if isinstance(window, int) else None

    def _apply_bounds(self, restore: bool = True) -> None:
        if self._window_id is None:
            self._window_id = self._find_window()
        if self._window_id is None:
            return
        x, y, width, height = self.bounds
        cdp = self._require_cdp()
        # Position and size are only accepted in the "normal" state.
        place = {"left": x, "top": y, "width": width, "height": height}
        for bounds in ({"windowState": "normal"}, place) if restore else (place,):
            try:
                cdp.send("Browser.setWindowBounds",
                         {"windowId": self._window_id, "bounds": bounds},
                         timeout=COMMAND_TIMEOUT)
            except CdpError as error:
                log.warning("cannot place the browser window: %s", error)

    def _raise_x_window(self) -> None:
        """Raise and activate Chromium's X window (the window manager keeps it in place)."""
        xdotool = shutil.which("xdotool")
        if xdotool is None or self.process is None or not settings.current().display:
            return
        try:
            # A window just brought back from minimised is mapped a moment later:
            # look again until it shows, else the keyboard stays where it was.
            deadline = time.monotonic() + RAISE_WAIT_SECONDS
            windows = self._visible_windows(xdotool)
            while not windows and time.monotonic() < deadline:
                time.sleep(0.05)
                windows = self._visible_windows(xdotool)
            if not windows:
                log.warning("the browser window did not show: the keyboard stays put")
            for window in windows:
                # --sync: wait until the window manager has really made it active, so
                # that "has the keyboard" below is true when it is said.
                subprocess.run([xdotool, "windowactivate", "--sync", window],
                               capture_output=True, timeout=XDOTOOL_TIMEOUT, check=False)
            if windows:
                # For IT staff and tests: from now on the resident's keys reach the page.
                log.info("the browser window has the keyboard")
        except (OSError, subprocess.TimeoutExpired) as error:
            log.warning("cannot raise the browser window: %s", error)

    def _visible_windows(self, xdotool: str) -> list[str]:
        assert self.process is not None
        found = subprocess.run(
            [xdotool, "search", "--onlyvisible", "--pid", str(self.process.pid)],
            capture_output=True, text=True, timeout=XDOTOOL_TIMEOUT, check=False)
        return found.stdout.split()

    # -- the on-screen keyboard -----------------------------------------------------------

    def insert_text(self, text: str) -> None:
        """Type `text` into the page's focused field, as a keyboard's characters would.

        The text is never logged: it may be a password.
        """
        cdp, main = self._page()
        try:
            cdp.send("Input.insertText", {"text": text}, session_id=main,
                     timeout=COMMAND_TIMEOUT)
        except CdpError as error:
            log.warning("the page did not take the on-screen keyboard's text: %s",
                        type(error).__name__)

    def press_key(self, name: str) -> None:
        """Press and release one of `PAGE_KEYS` (Backspace, Enter, Tab, arrows) in the page."""
        code, text = PAGE_KEYS[name]
        cdp, main = self._page()
        common = {"key": name, "code": name, "windowsVirtualKeyCode": code,
                  "nativeVirtualKeyCode": code}
        down = {"type": "keyDown", "text": text} if text else {"type": "rawKeyDown"}
        try:
            for params in ({**common, **down}, {**common, "type": "keyUp"}):
                cdp.send("Input.dispatchKeyEvent", params, session_id=main,
                         timeout=COMMAND_TIMEOUT)
        except CdpError as error:
            log.warning("the page did not take the key %s: %s", name, type(error).__name__)


    # -- presentation --------------------------------------------------------------------

    def set_presentation(self, zoom: float, high_contrast: bool, bounds: Bounds) -> None:
        """Zoom every page (as Ctrl+'+' would: the page is laid out again, larger) and
        ask pages for their high-contrast colours; the window takes `bounds` (the strip
        above it grows with the text) if it is shown, else when it is."""
        self.zoom, self.high_contrast = zoom, high_contrast
        self.bounds = bounds
        if self.guard is None:
            return
        if self._shown:
            self._apply_bounds()
        self._apply_presentation()

    def _apply_presentation(self) -> None:
        guard = self._require_guard()
        if self.zoom == 1.0:
            # Back to the window's own size, whatever it becomes (the on-screen
            # keyboard shrinks it): no override at all, rather than one of today's size.
            guard.drop_page_setting("Emulation.setDeviceMetricsOverride",
                                    "Emulation.clearDeviceMetricsOverride")
        else:
            guard.set_page_setting("Emulation.setDeviceMetricsOverride",
                                   zoom_metrics(self.zoom, self.bounds))
        guard.set_page_setting("Emulation.setEmulatedMedia",
                               contrast_media(self.high_contrast))

    # -- language and allowlist ----------------------------------------------------------

    def set_language(self, lang: str) -> None:
        """Make sites see the resident's language (Accept-Language, navigator, Intl)."""
        self.language = lang
        if self.guard is not None:
            self._apply_language()

    def _apply_language(self) -> None:
        guard = self._require_guard()
        if self._user_agent:
            guard.set_page_setting("Emulation.setUserAgentOverride", {
                "userAgent": self._user_agent,
                "acceptLanguage": accept_language(self.language),
            })
        guard.set_page_setting("Emulation.setLocaleOverride", {"locale": self.language})

    def set_allowlist(self, allowlist: Allowlist) -> None:
        """Replace the allowlist (assisted mode widens it); applies to the next navigation."""
        self._allowlist = allowlist
        if self.guard is not None:
            self.guard.allowlist = allowlist

    @property
    def allowlist(self) -> Allowlist:
        return self._allowlist

    def leave_disallowed_page(self) -> None:
        """After the allowlist narrowed (assisted mode ended): a page or frame that it no
        longer admits is loaded again, and the guard answers it with the blocked page."""
        cdp, main = self._page()
        guard = self._require_guard()
        try:
            tree = cdp.send("Page.getFrameTree", session_id=main, timeout=COMMAND_TIMEOUT)
        except CdpError as error:
            log.warning("could not look at the page's frames: %s", error)
            return
        if all(guard.permitted(url) for url in _frame_urls(tree.get("frameTree") or {})):
            return
        log.info("the page showed a site assisted mode allowed: loading it again")
        self.reload()

    # -- health --------------------------------------------------------------------------

    def ping(self, timeout: float = 5.0) -> bool:
        """True when the browser answers a trivial command within `timeout`."""
        if self.cdp is None or self._closing:
            return False
        try:
            self.cdp.send("Browser.getVersion", timeout=timeout)
        except CdpError:
            return False
        return True

    # -- file uploads (the kiosk's picker answers an intercepted file chooser) -----------

    def set_chooser_files(self, paths: list[Path]) -> bool:
        """Give the file input that asked these files (none: it gets nothing); False if no
        input waits.

        Only the session's documents may leave: a path outside its Documents folder
        (the browser profile's cookies sit in the session folder too), or a symbolic
        link, is a bug or an attack, and nothing is given then. The page gets the
        resolved paths, so nothing can be swapped in between the check and the read.
        """
        guard = self._require_guard()
        chooser = guard.take_file_chooser()
        if chooser is None:
            return False
        if not paths:
            return True
        checked = [self._document(path) for path in paths]
        if any(found is None for found in checked):
            log.error("refused to hand the page a file that is not one of the session's "
                      "documents")
            return False
        try:
            self._require_cdp().send("DOM.setFileInputFiles", {
                "files": [str(found) for found in checked],
                "backendNodeId": chooser.backend_node_id,
            }, session_id=chooser.session_id, timeout=COMMAND_TIMEOUT)
        except CdpError as error:
            log.warning("cannot hand files to the page: %s", error)
            return False
        return True

    def _document(self, path: Path) -> Path | None:
        """`path` resolved, if it is a regular file (no link) in the Documents folder."""
        try:
            if stat.S_ISLNK(os.lstat(path).st_mode):
                return None
            resolved = path.resolve(strict=True)
        except OSError:
            return None
        folder = self.documents_dir.resolve()
        return resolved if resolved.is_file() and resolved.parent == folder else None

    # -- helpers -------------------------------------------------------------------------

    def evaluate(self, expression: str, timeout: float = COMMAND_TIMEOUT,
                 user_gesture: bool = False) -> Any:
        """The value of a JavaScript expression in the resident's page.

        `user_gesture` makes it count as a tap (popups are only allowed after one).
        """
        cdp, main = self._page()
        result = cdp.send("Runtime.evaluate", {
            "expression": expression, "returnByValue": True, "userGesture": user_gesture,
        }, session_id=main, timeout=timeout)
        return (result.get("result") or {}).get("value")

    def _blocked_html(self, host: str, card_check: bool = False) -> str:
        return blocked_page_html(host, self.help_lines(self.language), self.language,
                                 card_check)

    def _require_cdp(self) -> CdpPipe:
        if self.cdp is None:
            raise CdpError("the browser is not started")
        return self.cdp

    def _require_guard(self) -> Guard:
        if self.guard is None:
            raise CdpError("the browser is not started")
        return self.guard

    def _page(self) -> tuple[CdpPipe, str]:
        cdp = self._require_cdp()
        main = self._require_guard().main_session
        if main is None:
            raise CdpError("the browser has no page")
        return cdp, main


def _frame_urls(node: dict[str, Any]) -> list[str]:
    """The addresses of a frame tree's frames (the page's own first)."""
    frame = node.get("frame") or {}
    urls = [str(frame.get("url", ""))] if frame.get("url") else []
    for child in node.get("childFrames") or []:
        urls.extend(_frame_urls(child))
    return urls
