"""The allowlist guard: every document Chromium loads is checked over CDP first.

How it holds:
- Auto-attach with ``waitForDebuggerOnStart`` at browser level and in every page
  and frame session, so each tab, popup, out-of-process iframe and worker is
  paused until the guard has set it up; nothing runs unguarded.
- In every page and frame session, ``Fetch`` pauses each Document request (top
  level and frames, redirects included) *before it is sent*: an allowed URL is
  continued, any other is answered by the kiosk's "not available" page, so the
  blocked server is never contacted.
- Navigations Fetch never sees (``data:``, ``file:``, ``chrome:``... which
  Chromium mostly refuses by itself from a web page) are checked when they
  commit in a main frame, and replaced by the same page.
- One window: a new page target (``window.open``, ``target=_blank``) is closed
  and its address is opened in the resident's window instead, through the guard.
  The simplest rule that cannot leave a second window on screen.
- File choosers never open: they are intercepted and announced on the bus.
- A DevTools window (F12 opens one when no policy forbids it) is closed at once.
  The shipped policy blocks ``devtools://`` so it does not even open; it cannot
  set DeveloperToolsAvailability to 2, which would refuse this guard's own
  CDP attachments too.

- A refused page that is a card payment's security check (3-D Secure, on the
  resident's bank's site, which no allowlist can name) is recognised by the
  standard fields the page before it posts, and explained as a payment step that
  needs the desk; neither the page nor the log names the bank.

Downloads are not the guard's: see `kiosk.browser.downloads`.
Logs name hosts only, never a full address.
"""

from __future__ import annotations

import base64
import binascii
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus, urlsplit

from kiosk.browser.cdp import CdpError, CdpPipe
from kiosk.browser.chromium import START_URL
from kiosk.browser.take_away import strip_for_take_away
from kiosk.config.allowlist import Allowlist, normalize_host
from kiosk.events import (
    AssistedModeAsked,
    Event,
    FileChooserOpened,
    NavigationBlocked,
    PageAddressChanged,
    PageCrashed,
    PageFieldFocused,
    PrintRequested,
    ToolbarKeyPressed,
    WindowClosed,
)

log = logging.getLogger(__name__)

SETUP_TIMEOUT = 5.0
POPUP_GRACE_SECONDS = 3.0
# A page that opens its next alert, confirm or prompt this soon after the last was
# answered, this many times in a row, is asking in a loop: while a dialog is open
# no key reaches the page, F2 included, so a keyboard user could never leave it.
DIALOG_LOOP_GAP_SECONDS = 1.0
DIALOG_LOOP_COUNT = 5
HISTORY_RESET_TRIES = 20
HISTORY_RESET_DELAY = 0.1
DOCUMENT_PATTERNS = [{"urlPattern": "*", "resourceType": "Document", "requestStage": "Request"}]
# Pages that are not sites: the empty page the browser waits on, an iframe's
# inline document, and Chromium's own "no connection" page.
HARMLESS_URLS = (START_URL, "about:blank", "about:srcdoc")
HARMLESS_PREFIXES = ("chrome-error://chromewebdata/",)
DEVTOOLS_PREFIX = "devtools://"
BROWSER_UI_MARK = ".top-chrome/"
VIEW_SOURCE = "view-source:"
PAGE_TYPES = ("page",)
FRAME_TYPES = ("iframe",)
# Each page (and frame) gets a small script, in a world of its own out of the
# site's reach, that runs before the site's own listeners:
# - F2 takes a keyboard user from the page to the kiosk's toolbar (F6, the
#   browsers' "next pane" key, never reaches a page: Chromium keeps it); the site
#   never sees the key. A site could call the binding only to move the focus.
# - The right-click menu (save, print, view source, inspect, in English) shows
#   only on a text field, where it serves to copy and paste.
# - A link clicked "into a new tab or window" or "to download" (Ctrl, Shift,
#   Meta or Alt held, the middle button, Ctrl/Shift+Return, which Chromium turns
#   into such a click) is followed as a plain click instead: Chromium starts a
#   new tab's first request itself, before the guard can hold that tab.
# - A page's `window.print()` opens the kiosk's print panel, but only in answer to
#   the resident's own tap or key (the page's transient user activation, which is
#   the document's and so seen from this world too): a page cannot keep the panel
#   in front of the resident by calling it again and again.
PAGE_HELPER_WORLD = "borne-helper"
TOOLBAR_KEY_BINDING = "borneToolbarKey"
ASSISTED_KEY_BINDING = "borneAssistedKey"
PRINT_BINDING = "bornePrint"
PRINT_EVENT = "borne-print"
CARD_CHECK_BINDING = "borneCardCheck"
FIELD_FOCUS_BINDING = "borneFieldFocus"
# What a page's helper may report (a page could call the binding with anything).
FIELD_KINDS = frozenset({"text", "password", "email", "number", "tel", "search", "url",
                         "textarea", "editable"})
CARD_CHECK_EVENT = "borne-card-check"
# How long after a page posts a card check's form a refused page counts as that check.
CARD_CHECK_WINDOW = 10.0
# Tells the kiosk which kind of text field has the focus ("" for none), for its
# on-screen keyboard: after each focus change and each tap (a tap on a field that
# already has the focus shows the keyboard the resident put away). Nothing is said
# while the window itself is not in front (a tap on the kiosk's own keys must not
# count as leaving the field), nor of the frame element holding a focused frame
# (the frame's own copy of this script speaks for it). Never the field's content.
PAGE_FIELD_FOCUS_SCRIPT = (
    "(() => { const kinds = ['text', 'password', 'email', 'number', 'tel', 'search', 'url'];"
    " const kindOf = el => { if (!el || el.disabled || el.readOnly) return '';"
    " if (el.isContentEditable) return 'editable';"
    " if (el.tagName === 'TEXTAREA') return 'textarea';"
    " if (el.tagName !== 'INPUT') return '';"
    " const type = (el.getAttribute('type') || 'text').toLowerCase();"
    " return kinds.includes(type) ? type : ''; };"
    " const tell = () => setTimeout(() => { if (!document.hasFocus()) return;"
    " const active = document.activeElement;"
    " if (active && /^(IFRAME|FRAME)$/.test(active.tagName)) return;"
    f" {FIELD_FOCUS_BINDING}(kindOf(active)); }}, 0);"
    " addEventListener('focusin', tell, true); addEventListener('focusout', tell, true);"
    " addEventListener('pointerup', tell, true); })();"
)
PAGE_HELPER_SCRIPT = (
    "addEventListener('keydown', e => { if (e.key === 'F2' && !e.repeat && !e.altKey"
    " && !e.ctrlKey && !e.metaKey && !e.shiftKey) {"
    f" e.preventDefault(); e.stopImmediatePropagation(); {TOOLBAR_KEY_BINDING}(''); }}"
    " }, true);"
    # Ctrl+Alt+M: a mediator asks for the PIN pad from the page (the shell has the
    # same key); `code` so that it works whatever the keyboard's layout.
    "addEventListener('keydown', e => { if (e.code === 'KeyM' && e.ctrlKey && e.altKey"
    " && !e.repeat) {"
    f" e.preventDefault(); e.stopImmediatePropagation(); {ASSISTED_KEY_BINDING}(''); }}"
    " }, true);"
    "addEventListener('contextmenu', e => { const t = e.target;"
    " if (!(t && (t.isContentEditable || /^(INPUT|TEXTAREA)$/.test(t.tagName))))"
    " e.preventDefault(); }, true);"
    "const borneNewTab = e => { const link = e.target && e.target.closest"
    " && e.target.closest('a[href], area[href]');"
    " if (!link || !(e.ctrlKey || e.shiftKey || e.metaKey || e.altKey || e.button === 1))"
    " return;"
    " e.preventDefault(); e.stopImmediatePropagation();"
    " if (e.type === 'click' || e.button === 1) link.click(); };"
    "addEventListener('click', borneNewTab, true);"
    "addEventListener('auxclick', borneNewTab, true);"
    f"document.addEventListener('{PRINT_EVENT}', () => {{"
    " if (navigator.userActivation && navigator.userActivation.isActive)"
    f" {PRINT_BINDING}(''); }}, true);"
    f"document.addEventListener('{CARD_CHECK_EVENT}', () => {CARD_CHECK_BINDING}(''), true);"
    + PAGE_FIELD_FOCUS_SCRIPT
)
# In the page's own world: window.print() (a no-op under the PrintingEnabled=false
# policy) becomes a request to the helper above. The page may undo this; then its
# print button does nothing, as before.
PAGE_PRINT_SCRIPT = (
    "try { Object.defineProperty(window, 'print', { configurable: true, writable: true,"
    f" value: function print() {{ document.dispatchEvent(new Event('{PRINT_EVENT}')); }}"
    " }); } catch (e) {}"
)
# In the page's own world: a form about to post a 3-D Secure card check's fields (by
# the submit button or by a script's form.submit()) is announced to the helper
# above. Under the installed policy Chromium refuses the bank's page before any
# request exists, so the form is the only place the check can be recognised. A page
# that fakes the announcement only changes the words of the next blocked page.
PAGE_CARD_CHECK_SCRIPT = (
    "(() => { try {"
    " const isCardCheck = form => { try { return Array.from(form.elements).some("
    "e => /^(creq|pareq|threedsmethoddata)$/i.test(e.name || '')); } catch (e) {"
    " return false; } };"
    f" const announce = form => {{ if (isCardCheck(form)) document.dispatchEvent("
    f"new Event('{CARD_CHECK_EVENT}')); }};"
    " const submit = HTMLFormElement.prototype.submit;"
    " HTMLFormElement.prototype.submit = function submit_() { announce(this);"
    " return submit.call(this); };"
    " addEventListener('submit', e => { if (e.target instanceof HTMLFormElement)"
    " announce(e.target); }, true);"
    " } catch (e) {} })();"
)
PAGE_HELPER_STEPS: list[tuple[str, dict[str, Any]]] = [
    ("Runtime.enable", {}),  # without it, Chromium never reports the binding's calls
    ("Runtime.addBinding",
     {"name": TOOLBAR_KEY_BINDING, "executionContextName": PAGE_HELPER_WORLD}),
    ("Runtime.addBinding", {"name": PRINT_BINDING, "executionContextName": PAGE_HELPER_WORLD}),
    ("Runtime.addBinding",
     {"name": ASSISTED_KEY_BINDING, "executionContextName": PAGE_HELPER_WORLD}),
    ("Runtime.addBinding",
     {"name": CARD_CHECK_BINDING, "executionContextName": PAGE_HELPER_WORLD}),
    ("Runtime.addBinding",
     {"name": FIELD_FOCUS_BINDING, "executionContextName": PAGE_HELPER_WORLD}),
    ("Page.addScriptToEvaluateOnNewDocument",
     {"source": PAGE_HELPER_SCRIPT, "worldName": PAGE_HELPER_WORLD, "runImmediately": True}),
    ("Page.addScriptToEvaluateOnNewDocument",
     {"source": PAGE_PRINT_SCRIPT, "runImmediately": True}),
    ("Page.addScriptToEvaluateOnNewDocument",
     {"source": PAGE_CARD_CHECK_SCRIPT, "runImmediately": True}),
]

Publish = Callable[[Event], None]
# The blocked page loads nothing (no favicon, no image, no font) and sends no
# Referer: the refused host must hear nothing of the navigation it was refused.
BLOCKED_PAGE_HEADERS = [
    {"name": "Content-Type", "value": "text/html; charset=utf-8"},
    {"name": "Cache-Control", "value": "no-store"},
    {"name": "Content-Security-Policy",
     "value": "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
              "img-src data:; form-action 'none'; base-uri 'none'"},
    {"name": "Referrer-Policy", "value": "no-referrer"},
]
# The host refused, and whether the refused page is a card payment check.
BlockedHtml = Callable[[str, bool], str]
# A 3-D Secure check starts with a form the merchant's (allowed) page posts to the
# bank's server, with field names fixed by the standard: "creq" (EMV 3-D Secure 2
# challenge), "threeDSMethodData" (its silent device check), "PaReq" (version 1).
# Their names in a refused POST say what the refused page is; a GET or another
# form is an ordinary blocked site. Only the names are read, never the values.
CARD_CHECK_FIELDS = frozenset({"creq", "threedsmethoddata", "pareq"})
# A card check's form is small; a bigger body is not parsed at all.
MAX_FORM_BYTES = 64 * 1024


def posted_form(request: dict[str, Any]) -> str:
    """The body of a paused request as text ("" when there is none or it is too big)."""
    text = request.get("postData")
    if isinstance(text, str):
        return text if len(text) <= MAX_FORM_BYTES else ""
    parts: list[bytes] = []
    for entry in request.get("postDataEntries") or []:
        chunk = entry.get("bytes") if isinstance(entry, dict) else None
        if not isinstance(chunk, str):
            continue
        try:
            parts.append(base64.b64decode(chunk, validate=True))
        except (binascii.Error, ValueError):
            return ""
        if sum(len(part) for part in parts) > MAX_FORM_BYTES:
            return ""
    return b"".join(parts).decode("utf-8", "replace")


def is_card_check(request: dict[str, Any]) -> bool:
    """True when a paused request posts the fields of a 3-D Secure card check."""
    if str(request.get("method", "")).upper() != "POST":
        return False
    names = {unquote_plus(pair.partition("=")[0]).strip().lower()
             for pair in posted_form(request).split("&") if pair}
    return not names.isdisjoint(CARD_CHECK_FIELDS)


def url_host_of(url: str) -> str:
    """The host of `url` for logs and the blocked page ("" when it has none)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return ""
    if parts.scheme.lower() == "blob":
        return url_host_of(url[len("blob:"):])
    try:
        return normalize_host(host) if host else ""
    except ValueError:
        return host


def is_permitted(url: str, allowlist: Allowlist) -> bool:
    """True when the resident may see `url` as a document."""
    if url in HARMLESS_URLS or url.startswith(HARMLESS_PREFIXES):
        return True
    if url[:5].lower() == "blob:":
        # A blob made by an allowed page (a PDF receipt built in the browser)
        # carries that page's origin.
        return allowlist.allows_url(url[5:])
    return allowlist.allows_url(url)


def is_web_url(url: str) -> bool:
    return url[:7].lower() == "http://" or url[:8].lower() == "https://"


@dataclass
class _Target:
    target_id: str
    kind: str
    popup: bool = False
    popup_handled: bool = False


@dataclass(frozen=True)
class FileChooser:
    """A file input the resident activated (for the kiosk's own picker)."""

    session_id: str
    backend_node_id: int
    mode: str


class Guard:
    """Keeps one Chromium on the allowlist, in one window, with its file choosers announced."""

    def __init__(
        self,
        cdp: CdpPipe,
        allowlist: Allowlist,
        blocked_html: BlockedHtml,
        publish: Publish,
    ) -> None:
        self.cdp = cdp
        self._allowlist = allowlist
        self._blocked_html = blocked_html
        self._publish = publish
        self._lock = threading.Lock()
        self._targets: dict[str, _Target] = {}
        self._main_session: str | None = None
        self._main_target: str | None = None
        self._main_ready = threading.Event()
        self._page_settings: dict[str, dict[str, Any]] = {}
        self.blocked_count = 0
        self.file_chooser: FileChooser | None = None
        # Addresses the guard answered with the blocked page: their commit is expected.
        self._served_blocked: set[str] = set()
        self._history_reset = False
        self._page_end_expected: threading.Event | None = None
        self._announce_page_end = False
        self._revive_page_end = False
        self._dialogs_open: set[str] = set()
        # Per page: when its last dialog was answered, and how many came back at once.
        self._dialog_answered_at: dict[str, float] = {}
        self._dialog_streak: dict[str, int] = {}
        # Called (on a thread of its own) when a page asks in a loop.
        self.on_dialog_loop: Callable[[], None] | None = None
        self._card_check_until = 0.0

    # -- set-up --------------------------------------------------------------------------

    def install(self, timeout: float) -> None:
        """Subscribe, turn on auto-attach; wait for the resident's page."""
        handlers: dict[str, Callable[[dict[str, Any], str | None], None]] = {
            "Target.attachedToTarget": self._attached,
            "Target.detachedFromTarget": self._detached,
            "Target.targetCreated": self._target_seen,
            "Target.targetInfoChanged": self._target_seen,
            "Fetch.requestPaused": self._request_paused,
            "Page.frameNavigated": self._frame_navigated,
            "Page.fileChooserOpened": self._file_chooser_opened,
            "Page.javascriptDialogOpening": self._dialog_opening,
            "Page.javascriptDialogClosed": self._dialog_closed,
            "Runtime.bindingCalled": self._binding_called,
            "Target.targetCrashed": self._target_crashed,
        }
        for event, handler in handlers.items():
            self.cdp.on(event, handler)
        self.cdp.send("Target.setDiscoverTargets", {"discover": True}, timeout=SETUP_TIMEOUT)
        self.cdp.send("Target.setAutoAttach", {
            "autoAttach": True, "waitForDebuggerOnStart": True, "flatten": True,
        }, timeout=SETUP_TIMEOUT)
        if not self._main_ready.wait(timeout):
            raise CdpError("the browser's page did not appear in time")

    @property
    def main_session(self) -> str | None:
        with self._lock:
            return self._main_session

    @property
    def main_target(self) -> str | None:
        with self._lock:
            return self._main_target

    @property
    def allowlist(self) -> Allowlist:
        with self._lock:
            return self._allowlist

    @allowlist.setter
    def allowlist(self, allowlist: Allowlist) -> None:
        with self._lock:
            self._allowlist = allowlist

    def permitted(self, url: str) -> bool:
        return is_permitted(url, self.allowlist)

    def set_page_setting(self, method: str, params: dict[str, Any]) -> None:
        """Apply a command to every page now and to each new one (language, for instance)."""
        with self._lock:
            self._page_settings[method] = params
            sessions = [s for s, t in self._targets.items() if t.kind in PAGE_TYPES
                        and not t.popup]
        for session_id in sessions:
            self._apply_setting(session_id, method, params)

    def drop_page_setting(self, method: str, undo: str) -> None:
        """Stop applying `method` to new pages, and `undo` it on every page now."""
        with self._lock:
            if self._page_settings.pop(method, None) is None:
                return  # never applied: nothing to undo
            sessions = [s for s, t in self._targets.items() if t.kind in PAGE_TYPES
                        and not t.popup]
        for session_id in sessions:
            self._apply_setting(session_id, undo, {})

    def _apply_setting(self, session_id: str, method: str, params: dict[str, Any]) -> None:
        try:
            if method == "Emulation.setLocaleOverride":
                # Chromium refuses a second override until the first is cleared.
                self.cdp.send(method, {}, session_id=session_id, timeout=SETUP_TIMEOUT)
            self.cdp.send(method, params, session_id=session_id, timeout=SETUP_TIMEOUT)
        except CdpError as error:
            log.warning("could not apply %s to a page: %s", method, error)

    # -- targets -------------------------------------------------------------------------

    def _attached(self, params: dict[str, Any], parent_session: str | None) -> None:
        session_id = params.get("sessionId")
        info = params.get("targetInfo") or {}
        if not isinstance(session_id, str) or not isinstance(info, dict):
            return
        kind = str(info.get("type", ""))
        url = str(info.get("url", ""))
        if kind in PAGE_TYPES and BROWSER_UI_MARK in url:
            kind = "browser_ui"  # Chromium's own interface, shown as a page by some versions
        target = _Target(str(info.get("targetId", "")), kind)
        with self._lock:
            first_page = kind in PAGE_TYPES and self._main_session is None
            target.popup = kind in PAGE_TYPES and not first_page
            if first_page:
                self._main_session, self._main_target = session_id, target.target_id
            self._targets[session_id] = target
        if kind in PAGE_TYPES:
            self._set_up_page(session_id, target, url)
            if first_page:
                self._main_ready.set()
        elif kind in FRAME_TYPES:
            self._set_up_frame(session_id)
        else:
            # Workers and the like only load subresources; they run as usual.
            self._resume(session_id)

    def _set_up_page(self, session_id: str, target: _Target, url: str) -> None:
        if target.popup and url and url not in HARMLESS_URLS:
            self._fold_popup(session_id, target, url)
            return
        # Only browser-side commands before the page runs: a paused renderer does
        # not answer Page.enable until it is resumed.
        guard_steps: list[tuple[str, dict[str, Any]]] = [
            ("Target.setAutoAttach",
             {"autoAttach": True, "waitForDebuggerOnStart": True, "flatten": True}),
            ("Fetch.enable", {"patterns": DOCUMENT_PATTERNS}),
        ]
        if not self._run_steps(session_id, guard_steps):
            # Fail closed: a page the guard does not watch never runs.
            self._close_target(target.target_id)
            return
        self._resume(session_id)
        if target.popup:
            # A new window is never shown for long: its first document request
            # is folded into the resident's window, and a blank one is closed.
            timer = threading.Timer(
                POPUP_GRACE_SECONDS, lambda: self._close_blank_popup(session_id, target))
            timer.daemon = True
            timer.start()
            return
        page_steps: list[tuple[str, dict[str, Any]]] = [
            ("Page.enable", {}),
            ("Page.setInterceptFileChooserDialog", {"enabled": True}),
            *PAGE_HELPER_STEPS,
        ]
        self._run_steps(session_id, page_steps)
        with self._lock:
            settings = list(self._page_settings.items())
        for method, params in settings:
            self._apply_setting(session_id, method, params)

    def _set_up_frame(self, session_id: str) -> None:
        steps: list[tuple[str, dict[str, Any]]] = [
            ("Target.setAutoAttach",
             {"autoAttach": True, "waitForDebuggerOnStart": True, "flatten": True}),
            ("Fetch.enable", {"patterns": DOCUMENT_PATTERNS}),
        ]
        if not self._run_steps(session_id, steps):
            return  # the frame stays paused: an empty frame rather than an unguarded one
        self._resume(session_id)
        # A frame of another site has its own process and its own file chooser.
        self._run_steps(session_id, [
            ("Page.enable", {}),
            ("Page.setInterceptFileChooserDialog", {"enabled": True}),
            *PAGE_HELPER_STEPS,
        ])

    def _run_steps(self, session_id: str, steps: list[tuple[str, dict[str, Any]]]) -> bool:
        for method, params in steps:
            try:
                self.cdp.send(method, params, session_id=session_id, timeout=SETUP_TIMEOUT)
            except CdpError as error:
                log.error("could not guard a new target (%s): %s", method, error)
                return False
        return True

    def _resume(self, session_id: str) -> None:
        self.cdp.post("Runtime.runIfWaitingForDebugger", session_id=session_id)

    def _target_seen(self, params: dict[str, Any], session_id: str | None) -> None:
        """Close DevTools windows (F12 works when no policy forbids it); end source views."""
        info = params.get("targetInfo") or {}
        url = str(info.get("url", "")) if isinstance(info, dict) else ""
        target_id = str(info.get("targetId", "")) if isinstance(info, dict) else ""
        popup = self._popup_by_target(target_id)
        if popup is not None and url and url not in HARMLESS_URLS:
            # A new window got an address (even one the policy refuses, which
            # Fetch never sees): show it in the resident's window instead.
            self._fold_popup(popup[0], popup[1], url)
        elif url.startswith(DEVTOOLS_PREFIX):
            log.warning("closing a developer tools window")
            self._close_target(target_id)
        elif url[:12].lower() == VIEW_SOURCE and target_id == self.main_target:
            # Only the target's address tells a source view from the page itself
            # (its frame reports the inner address): show the page instead.
            self._count_blocked(url_host_of(url[12:]))
            self.navigate_main(url[12:])

    def _detached(self, params: dict[str, Any], parent_session: str | None) -> None:
        session_id = params.get("sessionId")
        with self._lock:
            target = self._targets.pop(session_id, None) if isinstance(session_id, str) else None
            if session_id == self._main_session:
                log.warning("the resident's page went away")
        if target is not None:
            log.debug("target detached: %s", target.kind)

    def _popup_by_target(self, target_id: str) -> tuple[str, _Target] | None:
        with self._lock:
            for session_id, target in self._targets.items():
                if target.popup and target.target_id == target_id:
                    return session_id, target
        return None

    def session_for_target(self, target_id: str) -> str | None:
        """The CDP session attached to a target (a frame, a page), if any."""
        with self._lock:
            for session_id, target in self._targets.items():
                if target.target_id == target_id:
                    return session_id
        return None

    def _close_target(self, target_id: str) -> None:
        """Close a window the resident did not ask for, then say so: it may have had the
        keyboard, which the window manager then gives to no one."""
        if target_id:
            self.cdp.post("Target.closeTarget", {"targetId": target_id},
                          callback=lambda *_: self._announce(WindowClosed()))

    # -- popups --------------------------------------------------------------------------

    def _fold_popup(self, session_id: str, target: _Target, url: str) -> None:
        """Open a popup's address in the resident's window and close the popup."""
        with self._lock:
            if target.popup_handled:
                return
            target.popup_handled = True
        self._close_target(target.target_id)
        if is_web_url(url):
            log.info("a new window for %s is shown in the kiosk's window", url_host_of(url))
            self.navigate_main(url)
        else:
            # Chromium's own windows (a new tab, devtools, settings): just closed.
            log.info("closed a new window on a non-web address")

    def _close_blank_popup(self, session_id: str, target: _Target) -> None:
        with self._lock:
            if target.popup_handled or session_id not in self._targets:
                return
            target.popup_handled = True
        log.info("closing a new window that stayed blank")
        self._close_target(target.target_id)

    def navigate_main(self, url: str) -> None:
        """Send the resident's page to `url` without waiting (the guard checks it)."""
        main = self.main_session
        if main is None:
            return
        if is_web_url(url):
            # Fetch pauses the request and decides, as for a click.
            self.cdp.post("Page.navigate", {"url": url}, session_id=main)
        elif self.permitted(url):
            self.cdp.post("Page.navigate", {"url": url}, session_id=main)
        else:
            self._count_blocked(url_host_of(url))
            self.show_blocked_in_main(url_host_of(url))

    def show_blocked_in_main(self, host: str) -> None:
        """Replace the resident's page with the blocked page (for non-web addresses)."""
        main = self.main_session
        if main is None:
            return

        def replace(result: dict[str, Any] | None, error: CdpError | None) -> None:
            frame = ((result or {}).get("frameTree") or {}).get("frame") or {}
            if error is None and frame.get("id"):
                self.cdp.post("Page.setDocumentContent",
                              {"frameId": frame["id"], "html": self._blocked_html(host, False)},
                              session_id=main)

        self.cdp.post("Page.getFrameTree", session_id=main, callback=replace)

    # -- the checks ----------------------------------------------------------------------

    def _request_paused(self, params: dict[str, Any], session_id: str | None) -> None:
        request_id = params.get("requestId")
        request = params.get("request") or {}
        url = request.get("url") if isinstance(request, dict) else None
        if not isinstance(request_id, str):
            return
        try:
            if not isinstance(url, str) or not isinstance(request, dict):
                raise ValueError("a paused request without an address")
            self._decide(request_id, url, request, session_id)
        except Exception:
            # Never leave a request paused (the page would hang), never let it
            # through unchecked: refuse it.
            log.exception("could not check a navigation; refusing it")
            self.cdp.post("Fetch.failRequest", {"requestId": request_id,
                                                "errorReason": "BlockedByClient"},
                          session_id=session_id)

    def _decide(self, request_id: str, url: str, request: dict[str, Any],
                session_id: str | None) -> None:
        with self._lock:
            target = self._targets.get(session_id or "")
        if target is not None and target.popup:
            self.cdp.post("Fetch.failRequest", {"requestId": request_id,
                                                "errorReason": "Aborted"}, session_id=session_id)
            self._fold_popup(session_id or "", target, url)
            return
        if self.permitted(url):
            self.cdp.post("Fetch.continueRequest", {"requestId": request_id},
                          session_id=session_id)
            return
        host = url_host_of(url)
        card_check = self._take_card_check() or is_card_check(request)
        html = self._blocked_html(host, card_check)
        body = base64.b64encode(html.encode("utf-8")).decode("ascii")
        with self._lock:
            self._served_blocked.add(url)
        self.cdp.post("Fetch.fulfillRequest", {
            "requestId": request_id,
            "responseCode": 200,
            "responseHeaders": BLOCKED_PAGE_HEADERS,
            "body": body,
        }, session_id=session_id)
        self._count_blocked(host, card_check)

    def _take_card_check(self) -> bool:
        """Whether a page just posted a card check's form (then forget it)."""
        with self._lock:
            pending = time.monotonic() < self._card_check_until
            self._card_check_until = 0.0
        return pending

    def _count_blocked(self, host: str, card_check: bool = False) -> None:
        with self._lock:
            self.blocked_count += 1
        if card_check:
            # The bank's host would tell who banks where: the log says what it was.
            log.info("blocked a card payment check (3-D Secure): it needs the desk")
            self._announce(NavigationBlocked("payment", host))
            return
        log.info("blocked a navigation to %s", host or "a non-web address")
        self._announce(NavigationBlocked("site" if host else "address", host))

    def _binding_called(self, params: dict[str, Any], session_id: str | None) -> None:
        if params.get("name") == TOOLBAR_KEY_BINDING:
            self._announce(ToolbarKeyPressed())
        elif params.get("name") == ASSISTED_KEY_BINDING:
            self._announce(AssistedModeAsked())
        elif params.get("name") == PRINT_BINDING:
            log.info("the page asked to print")
            self._announce(PrintRequested())
        elif params.get("name") == FIELD_FOCUS_BINDING:
            kind = str(params.get("payload", ""))
            self._announce(PageFieldFocused(kind if kind in FIELD_KINDS else ""))
        elif params.get("name") == CARD_CHECK_BINDING:
            with self._lock:
                self._card_check_until = time.monotonic() + CARD_CHECK_WINDOW

    def _announce(self, event: Event) -> None:
        """Publish, never letting a failing subscriber break the guard."""
        try:
            self._publish(event)
        except Exception:
            log.exception("publishing %s failed", type(event).__name__)

    def _frame_navigated(self, params: dict[str, Any], session_id: str | None) -> None:
        """The last check: what a frame shows once a navigation is done.

        Fetch pauses every document request before it is sent; this catches what
        arrives by another way (a page served from a prefetch or a prerender, the
        back/forward cache, a scheme Fetch never sees) and replaces it.
        """
        frame = params.get("frame") or {}
        if not isinstance(frame, dict) or session_id is None:
            return
        url = str(frame.get("url", "")) + str(frame.get("urlFragment", ""))
        top = not frame.get("parentId")
        if top and session_id == self.main_session:
            self._tell_take_away_address(url)
        if is_web_url(url):
            self._check_web_commit(session_id, frame, url, top)
        elif url.startswith(HARMLESS_PREFIXES):
            # Chromium's own error page, in a frame as at the top: the policy refused it.
            self._explain_error_page(session_id, frame.get("id"),
                                     str(frame.get("unreachableUrl") or ""))
        elif top:
            self._check_other_commit(session_id, frame, url)

    def _tell_take_away_address(self, url: str) -> None:
        """What "Take it with me" may offer now: only an allowed site's address, stripped
        of anything personal; never the kiosk's own pages (blocked page, start page)."""
        address = strip_for_take_away(url) if self.permitted(url) else None
        self._announce(PageAddressChanged(address or ""))

    def _check_web_commit(self, session_id: str, frame: dict[str, Any], url: str,
                          top: bool) -> None:
        if self.permitted(url):
            if top and session_id == self.main_session:
                self._forget_the_start_page(session_id)
            return
        bare = url.split("#", 1)[0]
        with self._lock:
            served = bare in self._served_blocked
            self._served_blocked.discard(bare)
        if served:
            return  # the guard's own blocked page, committed at the refused address
        host = url_host_of(url)
        log.warning("a page on %s arrived without passing the request check: replaced", host)
        self._count_blocked(host)
        self._replace_frame(session_id, frame.get("id"), host)

    def _check_other_commit(self, session_id: str, frame: dict[str, Any], url: str) -> None:
        if self.permitted(url):
            return
        host = url_host_of(url)
        self._count_blocked(host)
        self._replace_frame(session_id, frame.get("id"), host)

    def _replace_frame(self, session_id: str, frame_id: object, host: str,
                       card_check: bool = False) -> None:
        if isinstance(frame_id, str):
            self.cdp.post("Page.setDocumentContent",
                          {"frameId": frame_id, "html": self._blocked_html(host, card_check)},
                          session_id=session_id)

    def _forget_the_start_page(self, session_id: str, tries: int = HISTORY_RESET_TRIES) -> None:
        """Once a site shows, the empty page before it leaves the history: Back (or a
        page's history.back()) can then never land on it.

        Right after a commit that changed process, Chromium may still answer "not
        attached to an active page": the reset is tried again a moment later.
        """
        with self._lock:
            if self._history_reset:
                return

        def done(result: dict[str, Any] | None, error: CdpError | None) -> None:
            if error is None:
                with self._lock:
                    self._history_reset = True
            elif tries > 1 and not self.cdp.closed:
                retry = threading.Timer(HISTORY_RESET_DELAY,
                                        lambda: self._forget_the_start_page(session_id, tries - 1))
                retry.daemon = True
                retry.start()
            else:
                log.warning("the empty start page stays in the history: %s", error)

        self.cdp.post("Page.resetNavigationHistory", session_id=session_id, callback=done)

    def _dialog_opening(self, params: dict[str, Any], session_id: str | None) -> None:
        """A page's "leave this page?" question is always answered yes: a resident who
        ends the session or opens another tile must never be held by a page. Other
        dialogs (alert, confirm, prompt) are the resident's to answer; while one is
        open the page answers no command, which must not pass for a hang."""
        if params.get("type") == "beforeunload" and session_id is not None:
            log.info("a page asked to stay before unloading: leaving anyway")
            self.cdp.post("Page.handleJavaScriptDialog", {"accept": True},
                          session_id=session_id)
            return
        if session_id is None:
            return
        now = time.monotonic()
        with self._lock:
            self._dialogs_open.add(session_id)
            answered = self._dialog_answered_at.get(session_id)
            again = answered is not None and now - answered < DIALOG_LOOP_GAP_SECONDS
            streak = self._dialog_streak.get(session_id, 0) + 1 if again else 1
            self._dialog_streak[session_id] = streak
            on_loop = self.on_dialog_loop
        if streak == 1:
            log.info("a page shows a dialog (%s): it waits for the resident's answer",
                     params.get("type", "?"))
        elif streak == DIALOG_LOOP_COUNT and on_loop is not None:
            log.warning("a page asks again each time it is answered: ending it")
            # Not on the pipe's reader thread: ending the page waits for its answers.
            threading.Thread(target=on_loop, name="dialog-loop", daemon=True).start()

    def _dialog_closed(self, params: dict[str, Any], session_id: str | None) -> None:
        with self._lock:
            self._dialogs_open.discard(session_id or "")
            if session_id is not None:
                self._dialog_answered_at[session_id] = time.monotonic()

    def dialog_open(self, session_id: str) -> bool:
        """Whether a page's alert, confirm or prompt waits for the resident."""
        with self._lock:
            return session_id in self._dialogs_open

    def dismiss_dialog(self, session_id: str) -> None:
        """The resident asked for something else (Back, a tile): the dialog goes, as
        if they had pressed Cancel."""
        self.cdp.post("Page.handleJavaScriptDialog", {"accept": False}, session_id=session_id)
        with self._lock:
            self._dialogs_open.discard(session_id)

    def expect_page_end(self, announce: bool = False, revive: bool = False) -> threading.Event:
        """The kiosk itself ends the resident's stuck page: that end is no crash to
        announce (unless `announce`); with `revive`, the start page is loaded into it
        once it has ended. The event returned is set once Chromium says the page has
        ended; `forget_page_end` drops the expectation if it never does."""
        ended = threading.Event()
        with self._lock:
            self._page_end_expected = ended
            self._announce_page_end = announce
            self._revive_page_end = revive
        return ended

    def forget_page_end(self, ended: threading.Event) -> None:
        with self._lock:
            if self._page_end_expected is ended:
                self._page_end_expected = None

    def _target_crashed(self, params: dict[str, Any], session_id: str | None) -> None:
        if str(params.get("targetId", "")) != self.main_target:
            return
        with self._lock:
            expected, self._page_end_expected = self._page_end_expected, None
            announce, revive = self._announce_page_end, self._revive_page_end
            # A dialog dies with its page: none waits for the resident any more.
            for page in (session_id, self._main_session):
                if page is not None:
                    self._dialogs_open.discard(page)
                    self._dialog_streak.pop(page, None)
        if expected is not None:
            if revive:
                self._revive_main_page()
            expected.set()
            if announce:
                log.warning("the resident's page stopped answering: ended")
                self._announce(PageCrashed())
            return
        log.error("the resident's page crashed (%s)", params.get("status", "?"))
        self._announce(PageCrashed())
        self._revive_main_page()

    def _revive_main_page(self) -> None:
        """A crashed page answers no command until something is loaded in it again: the
        language set for the next tile would wait seconds for it. The empty start page
        gives it a live process at once (the resident is told meanwhile)."""
        main = self.main_session
        if main is not None:
            self.cdp.post("Page.navigate", {"url": START_URL}, session_id=main)

    def _explain_error_page(self, session_id: str, frame_id: object, failed_url: str) -> None:
        """Put the kiosk's page over Chromium's "blocked by your organization" page.

        With the policy installed, Chromium itself refuses a site off the allowlist
        before any request exists for Fetch to pause, and shows its own error page;
        the frame then names the address it could not load.
        """
        if not isinstance(frame_id, str) or not failed_url or self.permitted(failed_url):
            return  # a real network error (the site is down): Chromium's page says so
        host = url_host_of(failed_url)
        card_check = self._take_card_check()
        self._count_blocked(host, card_check)
        self._replace_frame(session_id, frame_id, host, card_check)

    # -- file choosers -------------------------------------------------------------------

    def _file_chooser_opened(self, params: dict[str, Any], session_id: str | None) -> None:
        """Hold on to the input that asked, read what it accepts, and ask the kiosk's picker."""
        node = params.get("backendNodeId")
        multiple = str(params.get("mode", "selectSingle")) == "selectMultiple"
        if session_id is None or not isinstance(node, int):
            log.warning("a file chooser without its input: nothing to answer")
            return
        chooser = FileChooser(session_id, node, "selectMultiple" if multiple else "selectSingle")
        with self._lock:
            self.file_chooser = chooser

        def announce(result: dict[str, Any] | None, error: CdpError | None) -> None:
            accept = parse_accept(_attribute(result, "accept")) if error is None else ()
            self._announce(FileChooserOpened(multiple, accept))

        self.cdp.post("DOM.describeNode", {"backendNodeId": node}, session_id=session_id,
                      callback=announce)

    def take_file_chooser(self) -> FileChooser | None:
        """The input waiting for files, which it no longer waits for once taken."""
        with self._lock:
            chooser, self.file_chooser = self.file_chooser, None
        return chooser


def parse_accept(attribute: str) -> tuple[str, ...]:
    """The tokens of an accept attribute, lower-cased, in order, without duplicates."""
    seen: list[str] = []
    for token in attribute.split(","):
        cleaned = token.strip().lower()
        if cleaned and cleaned not in seen:
            seen.append(cleaned)
    return tuple(seen)


def _attribute(described: dict[str, Any] | None, name: str) -> str:
    """An attribute of a node from DOM.describeNode (its list alternates names and values)."""
    node = (described or {}).get("node") or {}
    attributes = node.get("attributes") if isinstance(node, dict) else None
    if not isinstance(attributes, list):
        return ""
    for index in range(0, len(attributes) - 1, 2):
        if str(attributes[index]).lower() == name:
            return str(attributes[index + 1])
    return ""
