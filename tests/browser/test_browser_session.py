"""The session browser with a real Chromium under Xvfb, on a local "procedure site".

Every check looks at what the resident would see (the page's address, title and
text) and at what the site's server was asked for.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import procedure_site as site_module
import pytest
from browser_helpers import (
    BLOCKED_TITLE,
    BOUNDS,
    CARD_CHECK_TITLE,
    Events,
    SessionFactory,
    allowlist,
)
from harness import XScreen, wait_for

from kiosk.browser.cdp import CdpError
from kiosk.browser.chromium import START_URL
from kiosk.browser.reaper import group_members, living, processes_naming
from kiosk.browser.session import BrowserSession, BrowserStartError
from kiosk.events import (
    BrowserCrashed,
    DocumentAdded,
    Event,
    FileChooserOpened,
    NavigationBlocked,
    ToolbarKeyPressed,
    WindowClosed,
)

pytestmark = [pytest.mark.browser, pytest.mark.display]

ALLOWED, OTHER, BLOCKED = site_module.ALLOWED, site_module.OTHER, site_module.BLOCKED
BLOCKED_MARK = site_module.BLOCKED_MARK
BROWSER = tuple[BrowserSession, Events]
DEVTOOLS_URL = "devtools://devtools/bundled/inspector.html"


def href(browser: BrowserSession) -> str:
    return str(browser.evaluate("location.href"))


def text(browser: BrowserSession) -> str:
    return str(browser.evaluate("document.body ? document.body.innerText : ''"))


def wait_for_page(browser: BrowserSession, url_start: str, timeout: float = 10.0) -> bool:
    def loaded() -> bool:
        try:
            return href(browser).startswith(url_start) and bool(
                browser.evaluate("document.readyState === 'complete'"))
        except Exception:
            return False
    return wait_for(loaded, timeout)


def click(browser: BrowserSession, element_id: str) -> None:
    """A tap on an element (with a user gesture, as a real tap has)."""
    browser.evaluate(f"document.getElementById({element_id!r}).click()", user_gesture=True)


def click_and_leave(browser: BrowserSession, element_id: str) -> None:
    """A tap on an element that takes the page elsewhere, without waiting for its result.

    When the click swaps the page's document (another site, another process),
    Chromium may answer "Inspected target navigated or closed" instead of a value:
    waiting for that answer races the navigation. The caller waits for the new page.
    """
    assert browser.cdp is not None
    browser.cdp.post("Runtime.evaluate", {
        "expression": f"document.getElementById({element_id!r}).click()",
        "userGesture": True,
    }, session_id=browser.main_session, callback=lambda _result, _error: None)


def page_targets(browser: BrowserSession) -> list[str]:
    assert browser.cdp is not None
    infos = browser.cdp.send("Target.getTargets")["targetInfos"]
    return [t["url"] for t in infos if t["type"] == "page"]


def open_start(browser: BrowserSession, site: Any) -> None:
    browser.open(site.url("/"))
    assert wait_for_page(browser, site.url("/"))


def text_when_settled(browser: BrowserSession) -> str:
    """The page's text, or "" while it is between two documents (nothing to read yet)."""
    try:
        return text(browser)
    except CdpError:
        return ""


def assert_blocked_page(browser: BrowserSession, host: str) -> None:
    assert wait_for(lambda: BLOCKED_TITLE in text_when_settled(browser), 10), text(browser)
    body = text(browser)
    assert host in body
    assert BLOCKED_MARK not in body
    assert "secret" not in body  # the host only, never the rest of the address


# -- allowed pages, storage, language --------------------------------------------------


def test_allowed_page_loads_and_keeps_cookies_and_storage(browser: BROWSER, site: Any) -> None:
    session, _ = browser
    session.open(site.url("/storage"))
    assert wait_for_page(session, site.url("/storage"))
    assert session.evaluate("document.title") == "Storage tok123"
    assert "canary=tok123" in str(session.evaluate("document.cookie"))


def test_sites_see_the_residents_language(browser: BROWSER, site: Any) -> None:
    session, _ = browser
    try:
        session.set_language("ar")
        session.open(site.url("/language"))
        assert wait_for_page(session, site.url("/language"))
        assert session.evaluate("document.title") == "ar"
        assert site.log.languages(ALLOWED, "/language")[-1].startswith("ar")
    finally:
        session.set_language("fr")
    session.open(site.url("/language"))
    assert wait_for(lambda: session.evaluate("document.title") == "fr", 10)
    assert site.log.languages(ALLOWED, "/language")[-1].startswith("fr")


def test_the_blocked_page_speaks_the_residents_language(browser: BROWSER, site: Any) -> None:
    session, _ = browser
    try:
        session.set_language("es")
        open_start(session, site)
        click(session, "to-blocked")
        spanish = "Este sitio no está disponible en este terminal"
        assert wait_for(lambda: spanish in text_when_settled(session), 10), text(session)
        body = text(session)
        assert "Una persona puede ayudarle:" in body and "Volver" in body
        assert session.evaluate("document.documentElement.lang") == "es"
    finally:
        session.set_language("fr")


# -- blocked navigations ---------------------------------------------------------------


def test_link_to_blocked_host_shows_kiosk_page_and_never_reaches_it(
    browser: BROWSER, site: Any
) -> None:
    session, events = browser
    open_start(session, site)
    click(session, "to-blocked")
    assert_blocked_page(session, BLOCKED)
    assert BLOCKED not in site.log.hosts()
    assert [e.host for e in events.wait(NavigationBlocked)] == [BLOCKED]
    assert session.guard is not None and session.guard.blocked_count >= 1


def test_redirect_to_blocked_host_is_stopped_before_the_request(
    browser: BROWSER, site: Any
) -> None:
    session, events = browser
    session.open(site.url("/redirect"))
    assert_blocked_page(session, BLOCKED)
    assert site.log.paths(ALLOWED) == ["/redirect"]
    assert BLOCKED not in site.log.hosts()
    assert [e.host for e in events.of(NavigationBlocked)] == [BLOCKED]


def test_a_card_payment_check_is_explained_as_a_step_for_the_desk(
    browser: BROWSER, site: Any
) -> None:
    session, events = browser
    session.open(site.url("/"))  # something to go back to
    assert wait_for_page(session, site.url("/"))
    session.open(site.url("/card-check"))
    assert wait_for(lambda: CARD_CHECK_TITLE in text_when_settled(session), 10), text(session)
    body = text(session)
    assert BLOCKED not in body, "the resident's bank is named nowhere"
    assert BLOCKED_TITLE not in body
    assert "Accueil, rez-de-chaussée" in body
    assert BLOCKED not in site.log.hosts()
    assert [e.kind for e in events.wait(NavigationBlocked)] == ["payment"]
    # The next ordinary refusal is an ordinary blocked site again.
    events.clear()
    open_start(session, site)
    click(session, "to-blocked")
    assert_blocked_page(session, BLOCKED)
    assert [e.kind for e in events.wait(NavigationBlocked)] == ["site"]


def test_blocked_page_back_button_returns_to_the_site(browser: BROWSER, site: Any) -> None:
    session, _ = browser
    open_start(session, site)
    click_and_leave(session, "to-blocked")
    assert_blocked_page(session, BLOCKED)
    click_and_leave(session, "kiosk-back")
    assert wait_for_page(session, site.url("/"))


def test_blocked_iframe_is_replaced_and_never_requested(browser: BROWSER, site: Any) -> None:
    session, events = browser
    session.open(site.url("/iframe"))
    assert wait_for_page(session, site.url("/iframe"))
    assert wait_for(lambda: "/framed" in site.log.paths(OTHER), 10)
    assert [e.host for e in events.wait(NavigationBlocked)] == [BLOCKED]
    assert BLOCKED not in site.log.hosts()
    # The blocked frame holds the kiosk's page: read from inside the frame's own
    # target where it has one (the guard answered the request), else from the frame
    # in the page's process (the installed policy refused it first, with an error page).
    assert wait_for(lambda: BLOCKED_TITLE in blocked_frame_text(session), 10)
    assert BLOCKED_MARK not in blocked_frame_text(session)


def blocked_frame_text(session: BrowserSession) -> str:
    assert session.guard is not None and session.cdp is not None
    frames = frame_targets(session, BLOCKED)
    if frames:
        frame_session = session.guard.session_for_target(frames[0]["targetId"])
        return str(evaluate_in(session, frame_session, "document.body.innerText"))
    main = session.main_session
    tree = session.cdp.send("Page.getFrameTree", session_id=main)["frameTree"]
    for child in tree.get("childFrames", []):
        frame = child["frame"]
        if BLOCKED in str(frame.get("unreachableUrl", "")):
            world = session.cdp.send("Page.createIsolatedWorld", {"frameId": frame["id"]},
                                     session_id=main)
            result = session.cdp.send("Runtime.evaluate", {
                "expression": "document.body ? document.body.innerText : ''",
                "contextId": world["executionContextId"], "returnByValue": True},
                session_id=main)
            return str(result["result"].get("value", ""))
    return ""


def console_errors(browser: BrowserSession) -> tuple[list[str], Callable[[], None]]:
    """The texts of the browser's console errors for the resident's page from now on,
    and a function that stops collecting them."""
    assert browser.cdp is not None and browser.main_session is not None
    cdp, main = browser.cdp, browser.main_session
    texts: list[str] = []

    def collect(params: dict[str, Any], session_id: str | None) -> None:
        entry = params.get("entry") or {}
        if session_id == main and entry.get("level") == "error":
            texts.append(str(entry.get("text", "")))

    cdp.on("Log.entryAdded", collect)
    cdp.send("Log.enable", session_id=main)

    def stop() -> None:
        cdp.send("Log.disable", session_id=main)

    return texts, stop


def test_link_to_local_file_does_not_show_it(browser: BROWSER, site: Any) -> None:
    session, _ = browser
    open_start(session, site)
    errors, stop = console_errors(session)
    try:
        click(session, "to-file")
        # The refusal itself, not just a page that has not moved yet: the tap
        # happened and the browser said no.
        refusal = "Not allowed to load local resource: file:///etc/passwd"
        assert wait_for(lambda: refusal in errors, 10), errors
    finally:
        stop()
    assert href(session) == site.url("/")
    assert "root:" not in text(session)


@pytest.mark.parametrize("path", ["/meta-refresh", "/post-out"])
def test_ways_out_without_a_click_are_stopped_before_the_request(
    browser: BROWSER, site: Any, path: str
) -> None:
    session, events = browser
    events.clear()
    session.open(site.url(path))
    assert_blocked_page(session, BLOCKED)
    assert BLOCKED not in site.log.hosts()
    assert [e.host for e in events.of(NavigationBlocked)] == [BLOCKED]


@pytest.mark.parametrize(("url", "secret", "host", "shown"), [
    ("file:///etc/passwd", "root:x:0:0", "", "blocked page"),
    ("data:text/html,<p>SECRET-DATA</p>", "SECRET-DATA", "", "blocked page"),
    ("chrome://version", "Command Line", "version", "blocked page"),
    # A source view is replaced by the page itself, which is on the allowlist.
    ("view-source:http://caf.borne.test/", "<h1>", ALLOWED, "the page"),
])
def test_non_web_addresses_never_show_at_top_level(
    browser: BROWSER, site: Any, url: str, secret: str, host: str, shown: str
) -> None:
    """Neither open() nor a raw navigation (as a hole in the kiosk would make) shows them."""
    session, events = browser
    open_start(session, site)
    session.open(url)
    assert wait_for(lambda: BLOCKED_TITLE in text_when_settled(session), 10), text(session)
    assert secret not in text(session)
    assert session.cdp is not None and session.main_session is not None
    open_start(session, site)
    events.clear()
    session.cdp.send("Page.navigate", {"url": url}, session_id=session.main_session)
    # The guard saw the navigation and stepped in: it says so, and shows its page
    # (or, for a source view, the page itself: a new document, not the old one).
    assert [e.host for e in events.wait(NavigationBlocked)] == [host]
    if shown == "blocked page":
        assert wait_for(lambda: BLOCKED_TITLE in text_when_settled(session), 10), \
            text(session)
    else:
        assert wait_for_page(session, site.url("/"))
    assert secret not in text(session)


# -- one window ------------------------------------------------------------------------


@pytest.mark.parametrize(("element", "host", "path"), [
    ("open-allowed", OTHER, "/from-open"),
    ("blank-allowed", OTHER, "/from-blank"),
    ("open-blocked", BLOCKED, "/from-open"),
    ("blank-blocked", BLOCKED, "/from-blank"),
])
def test_new_windows_open_in_the_residents_window(
    browser: BROWSER, site: Any, element: str, host: str, path: str
) -> None:
    session, _ = browser
    open_start(session, site)
    click(session, element)
    if host == BLOCKED:
        # The guard answers at the refused address; under the installed policy
        # Chromium refuses it first and the guard covers Chromium's error page.
        assert_blocked_page(session, BLOCKED)
        assert BLOCKED not in site.log.hosts()
    else:
        assert wait_for(lambda: href(session) == f"http://{host}{path}", 10), href(session)
        assert wait_for(lambda: path in text(session), 10)
    assert wait_for(lambda: len(page_targets(session)) == 1, 10), page_targets(session)


# -- downloads and file choosers -------------------------------------------------------


def test_download_lands_in_documents_under_its_name(browser: BROWSER, site: Any) -> None:
    session, events = browser
    open_start(session, site)
    click(session, "to-pdf")
    downloads = [e.document for e in events.wait(DocumentAdded)]
    target = session.documents_dir / "recu-caf.pdf"
    assert [(d.name, d.path, d.kind) for d in downloads] == [("recu-caf.pdf", target,
                                                              "download")]
    assert target.read_bytes() == site_module.PDF
    # No GUID-named leftover beside it.
    assert [p.name for p in session.documents_dir.iterdir()] == ["recu-caf.pdf"]
    assert href(session) == site.url("/")  # the page stays where it was


def test_file_chooser_is_intercepted_and_filled_by_the_kiosk(
    browser: BROWSER, site: Any
) -> None:
    session, events = browser
    session.open(site.url("/form"))
    assert wait_for_page(session, site.url("/form"))
    click(session, "upload")
    assert events.wait(FileChooserOpened) == [FileChooserOpened(multiple=False, accept=())]
    scan = session.documents_dir / "scan-1.pdf"
    scan.write_bytes(site_module.PDF)
    assert session.set_chooser_files([scan])
    assert session.evaluate("document.getElementById('upload').files[0].name") == "scan-1.pdf"


@pytest.mark.parametrize("where", ["profile", "link", "outside"])
def test_only_the_sessions_documents_can_reach_a_page(
    browser: BROWSER, site: Any, tmp_path: Path, where: str
) -> None:
    session, events = browser
    session.open(site.url("/form"))
    assert wait_for_page(session, site.url("/form"))
    events.clear()
    click(session, "upload")
    assert events.wait(FileChooserOpened)
    secret = {"profile": session.session_dir / "profile" / "Cookies-copy",
              "link": session.documents_dir / "innocent.pdf",
              "outside": tmp_path / "elsewhere.pdf"}[where]
    target = tmp_path / "target.txt"
    target.write_text("a resident's cookies")
    if where == "link":
        secret.symlink_to(target)
    else:
        secret.parent.mkdir(parents=True, exist_ok=True)
        secret.write_text("a resident's cookies")
    try:
        assert not session.set_chooser_files([secret])
        assert session.evaluate("document.getElementById('upload').files.length") == 0
    finally:
        secret.unlink()


# -- navigation commands, window, health -----------------------------------------------


def test_back_and_reload(browser: BROWSER, site: Any) -> None:
    session, _ = browser
    open_start(session, site)
    session.open(site.url("/storage"))
    assert wait_for_page(session, site.url("/storage"))
    session.back()
    assert wait_for_page(session, site.url("/"))
    before = len(site.log.paths(ALLOWED))
    session.reload()
    assert wait_for(lambda: len(site.log.paths(ALLOWED)) > before, 10)


def test_back_does_not_leave_the_first_page(fresh: SessionFactory, site: Any,
                                            tmp_path: Path) -> None:
    session, _ = fresh(tmp_path / "session")
    # The empty start page is in the history until a site shows...
    assert wait_for(lambda: history_position(session) == (0, START_URL), 10)
    open_start(session, site)
    # ...then the guard takes it out: the site's page is the first entry.
    assert wait_for(lambda: history_position(session) == (0, site.url("/")), 10)
    session.back()
    # Chromium moves its history position as soon as it accepts a history
    # navigation (before the page changes), so this reads back() at once, no wait.
    assert history_position(session) == (0, site.url("/"))
    assert href(session) == site.url("/")


def history_position(browser: BrowserSession, timeout: float = 10.0) -> tuple[int, str]:
    """The resident's page's index in its history, and that entry's address.

    While the page is between two documents Chromium may refuse to answer ("Not
    attached to an active page"): ask again until it does.
    """
    assert browser.cdp is not None
    deadline = time.monotonic() + timeout
    while True:
        try:
            history = browser.cdp.send("Page.getNavigationHistory",
                                       session_id=browser.main_session)
            break
        except CdpError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    index = int(history["currentIndex"])
    return index, str(history["entries"][index]["url"])


def test_window_is_hidden_at_start_and_shown_at_its_bounds_on_focus(
    fresh: SessionFactory, tmp_path: Path, screen: XScreen
) -> None:
    session, _ = fresh(tmp_path / "session")

    def visible_windows() -> list[str]:
        return screen.run("xdotool", "search", "--onlyvisible", "--pid", str(session.pid),
                          check=False).stdout.split()

    # Minimised by start(); the window manager does it a moment later (meanwhile the
    # window sits behind the kiosk's full-screen shell, which stays on top).
    assert wait_for(lambda: visible_windows() == [], 5), visible_windows()
    session.focus()
    assert wait_for(lambda: len(visible_windows()) == 1, 10)
    geometry = screen.run("xdotool", "getwindowgeometry", "--shell",
                          visible_windows()[0]).stdout
    values = dict(line.split("=") for line in geometry.split())
    assert (int(values["X"]), int(values["Y"]), int(values["WIDTH"]),
            int(values["HEIGHT"])) == BOUNDS
    session.set_bounds((100, 150, 800, 600))

    def geometry_now() -> str:
        # Between two states the window manager may show no window for a moment.
        shown = visible_windows()
        return screen.run("xdotool", "getwindowgeometry", "--shell",
                          shown[0]).stdout if shown else ""

    assert wait_for(lambda: "WIDTH=800" in geometry_now(), 10), geometry_now()


def test_developer_tools_window_is_closed(browser: BROWSER, site: Any,
                                          caplog: pytest.LogCaptureFixture) -> None:
    """The guard's last lock: a DevTools window that shows up anyway is closed.

    F12 and Ctrl+Shift+I never get that far here (the window manager takes the
    keys, the policy refuses devtools://), so the window is opened over the pipe.
    """
    caplog.set_level(logging.WARNING, logger="kiosk.browser.guard")
    session, events = browser
    open_start(session, site)
    assert session.cdp is not None
    session.cdp.send("Target.createTarget", {"url": DEVTOOLS_URL})
    assert events.wait(WindowClosed)
    assert wait_for(lambda: page_targets(session) == [site.url("/")], 10), \
        page_targets(session)
    # Closed as developer tools, by the rule meant for them (the one-window rule
    # would close it too, but only by luck of its address).
    assert "closing a developer tools window" in caplog.messages


def test_garbage_on_the_pipe_does_not_stop_the_browser_control(browser: BROWSER) -> None:
    session, _ = browser
    assert session.cdp is not None
    session.cdp.feed(b"not json\0[1,2]\0{\"id\": 999999, \"result\": {}}\0\xff\xfe\0"
                     b"{\"method\": 5}\0{\"id\": \"x\"}\0")
    assert session.ping()
    assert session.evaluate("1 + 1") == 2


def press(browser: BrowserSession, key: str, code: int) -> None:
    """A real key press in the resident's page (trusted, as from a keyboard)."""
    assert browser.cdp is not None and browser.guard is not None
    for kind in ("rawKeyDown", "keyUp"):
        browser.cdp.send("Input.dispatchKeyEvent", {
            "type": kind, "key": key, "code": key, "windowsVirtualKeyCode": code,
        }, session_id=browser.guard.main_session)


def right_click(browser: BrowserSession, x: float, y: float) -> None:
    assert browser.cdp is not None and browser.guard is not None
    for kind in ("mousePressed", "mouseReleased"):
        browser.cdp.send("Input.dispatchMouseEvent", {
            "type": kind, "x": x, "y": y, "button": "right", "clickCount": 1,
        }, session_id=browser.guard.main_session)


def test_the_right_click_menu_is_kept_for_text_fields_only(
    fresh: SessionFactory, site: Any, tmp_path: Path
) -> None:
    # Its own browser: a menu left open would stay in the way of other tests.
    session, _ = fresh(tmp_path / "session")
    open_start(session, site)
    session.focus()  # shown: a minimised window gets no clicks
    session.evaluate("window.menus = []; addEventListener('contextmenu', "
                     "e => menus.push(e.target.tagName + ':' + e.defaultPrevented))")
    box = session.evaluate("JSON.stringify(document.getElementById('name')"
                           ".getBoundingClientRect())")
    field = json.loads(str(box))
    right_click(session, 600, 500)  # the page's background
    right_click(session, field["x"] + 5, field["y"] + 5)  # the name field
    assert wait_for(lambda: session.evaluate("menus.length") == 2, 5), \
        session.evaluate("menus.join(',')")
    assert session.evaluate("menus.join(',')") == "HTML:true,INPUT:false"


def test_f2_in_the_page_is_announced_and_hidden_from_the_site(
    browser: BROWSER, site: Any
) -> None:
    session, events = browser
    open_start(session, site)
    session.evaluate("window.seen = []; addEventListener('keydown', e => seen.push(e.key))")
    session.focus()  # keys go to the page only when its window has the focus
    assert wait_for(lambda: session.evaluate("document.hasFocus()") is True, 10)
    press(session, "F2", 113)
    assert events.wait(ToolbarKeyPressed) == [ToolbarKeyPressed()]
    press(session, "a", 65)
    # The site sees its own keys, never the kiosk's.
    assert wait_for(lambda: session.evaluate("seen.join(',')") == "a", 5), \
        session.evaluate("seen.join(',')")
    assert session.evaluate("typeof borneToolbarKey") == "undefined"


# -- end of life -----------------------------------------------------------------------


def test_close_leaves_no_process_and_reports_no_crash(
    fresh: SessionFactory, site: Any, tmp_path: Path
) -> None:
    session, events = fresh(tmp_path / "session")
    open_start(session, site)
    assert session.pid is not None
    before = [pid for pid, _, _ in group_members(session.pid)]
    assert len(before) > 3  # browser, zygotes, renderer, GPU/utility helpers...
    # Chromium's crash handlers run outside its group (the flags above do not stop
    # them, and the one that does breaks its network service): found by the folder
    # they name, they go with it.
    folder = (str(tmp_path / "session"),)
    assert [row for row in processes_naming(folder) if row[0] not in before]
    assert session.close() == []
    assert living(processes_naming(folder)) == []
    assert living(group_members(session.pid)) == []
    for pid in before:
        state = _state(pid)
        assert state in (None, "Z"), (pid, state)
    time.sleep(0.3)
    assert events.of(BrowserCrashed) == []
    assert not session.ping()
    assert session.close() == []  # a second close is harmless


def test_killed_browser_is_reported_once(fresh: SessionFactory, tmp_path: Path) -> None:
    session, events = fresh(tmp_path / "session")
    assert session.pid is not None
    os.kill(session.pid, signal.SIGKILL)
    crashes = events.wait(BrowserCrashed)
    time.sleep(1.5)  # both the exit and the end of the pipe have been seen by now
    assert events.of(BrowserCrashed) == crashes == [BrowserCrashed("exit -9")]
    assert not session.ping()
    assert session.close() == []
    assert living(group_members(session.pid)) == []


def _state(pid: int) -> str | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[0]


@pytest.mark.parametrize("program", ["/nonexistent/chromium", "/bin/false"])
def test_a_browser_that_cannot_start_raises_and_reports_no_crash(
    program: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KIOSK_CHROMIUM", program)
    events = Events()
    session = BrowserSession(session_dir=tmp_path, allowlist=allowlist(), language="fr",
                             help_lines=(), bounds=BOUNDS, publish=events.publish)
    with pytest.raises(BrowserStartError):
        session.start(timeout=10)
    time.sleep(0.3)
    assert events.items == []
    assert session.close() == []


def test_file_chooser_in_a_frame_of_another_site_is_intercepted(
    browser: BROWSER, site: Any
) -> None:
    session, events = browser
    session.open(site.url("/framed-upload"))
    assert wait_for_page(session, site.url("/framed-upload"))
    assert wait_for(lambda: "/upload" in site.log.paths(site_module.FORMS), 10)
    assert session.cdp is not None and session.guard is not None
    assert wait_for(lambda: bool(frame_targets(session, site_module.FORMS)), 10)
    frame_session = session.guard.session_for_target(
        frame_targets(session, site_module.FORMS)[0]["targetId"])
    assert wait_for(
        lambda: evaluate_in(session, frame_session, "document.readyState") == "complete", 10)
    session.cdp.send("Runtime.evaluate", {
        "expression": "document.getElementById('upload').click()", "userGesture": True,
    }, session_id=frame_session)
    assert events.wait(FileChooserOpened) == [FileChooserOpened(multiple=False, accept=())]
    scan = session.documents_dir / "scan-2.pdf"
    scan.write_bytes(site_module.PDF)
    assert session.set_chooser_files([scan])
    name = evaluate_in(session, frame_session, "document.getElementById('upload').files[0].name")
    assert name == "scan-2.pdf"


def frame_targets(browser: BrowserSession, host: str) -> list[dict[str, Any]]:
    """The out-of-process frames showing a page of `host`."""
    assert browser.cdp is not None
    infos: list[dict[str, Any]] = browser.cdp.send("Target.getTargets")["targetInfos"]
    return [t for t in infos if t["type"] == "iframe" and t["url"].startswith(f"http://{host}/")]


def evaluate_in(browser: BrowserSession, session_id: str | None, expression: str) -> Any:
    """A JavaScript value inside a frame's own target."""
    assert browser.cdp is not None
    result = browser.cdp.send("Runtime.evaluate", {
        "expression": expression, "returnByValue": True}, session_id=session_id)
    return result["result"].get("value")


def test_a_failing_subscriber_never_leaves_a_page_hanging(
    screen: XScreen, site: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISPLAY", screen.display)

    def broken_publish(event: Event) -> None:
        raise RuntimeError("subscriber bug")

    session = BrowserSession(session_dir=tmp_path, allowlist=allowlist(), language="fr",
                             help_lines=(), bounds=BOUNDS, publish=broken_publish,
                             host_resolver_rules=site.rules)
    try:
        session.start()
        session.open(site.url("/redirect"))
        assert_blocked_page(session, BLOCKED)
    finally:
        assert session.close() == []


def test_chromium_is_started_in_the_session_language(fresh: SessionFactory,
                                                     tmp_path: Path) -> None:
    """Chromium's own words (a site's confirm() dialog, a chooser) follow LANGUAGE on
    Linux, not --lang; seen on screenshots: "caf.borne.test indique", "Annuler"."""
    session, _ = fresh(tmp_path / "session")
    assert session.pid is not None
    environ = Path(f"/proc/{session.pid}/environ").read_bytes().split(b"\0")
    assert b"LANGUAGE=fr" in environ
    assert Path("/usr/lib/chromium/locales/fr.pak").exists(), "chromium-l10n is installed"
