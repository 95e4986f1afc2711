"""What a hostile page or a curious resident tried, under both policies.

Each test runs twice: with the guard alone (the policy of a root-run kiosk,
without the "block every other site" rule) and with the policy an installed
kiosk has, so that a protection proven here does not rest on one layer only.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import procedure_site as site_module
import pytest
from browser_helpers import BLOCKED_TITLE, BOUNDS, Events, SessionFactory
from harness import wait_for

from kiosk.browser.cdp import CdpError
from kiosk.browser.guard import DOCUMENT_PATTERNS
from kiosk.browser.session import BrowserSession
from kiosk.events import NavigationBlocked, PageCrashed

pytestmark = [pytest.mark.browser, pytest.mark.display]

ALLOWED, BLOCKED = site_module.ALLOWED, site_module.BLOCKED


@pytest.fixture(scope="module")
def held(shared: tuple[BrowserSession, Events]) -> tuple[BrowserSession, Events]:
    """The shared browser (one per policy), shown in front: clicks and full screen need
    a visible, focused window."""
    shared[0].focus()
    return shared


@pytest.fixture
def browser(held: tuple[BrowserSession, Events], site: Any) -> tuple[BrowserSession, Events]:
    session, events = held
    events.clear()
    site.log.clear()
    return session, events


def evaluate(session: BrowserSession, expression: str, timeout: float = 10.0) -> Any:
    """Evaluate with a tap's user activation, awaiting a promise."""
    assert session.cdp is not None
    result = session.cdp.send("Runtime.evaluate", {
        "expression": expression, "awaitPromise": True, "userGesture": True,
        "returnByValue": True}, session_id=session.main_session, timeout=timeout)
    return (result.get("result") or {}).get("value")


def title(session: BrowserSession) -> str:
    try:
        return str(session.evaluate("document.title"))
    except CdpError:
        return ""  # between two documents


def show(session: BrowserSession, url: str, expected_title: str) -> None:
    session.open(url)
    assert wait_for(lambda: title(session) == expected_title, 10), title(session)


def test_no_prefetch_or_prerender_can_serve_a_page(browser: tuple[BrowserSession, Events],
                                                    site: Any) -> None:
    session, _ = browser
    assert session.cdp is not None
    states: list[dict[str, Any]] = []
    session.cdp.on("Preload.preloadEnabledStateUpdated", lambda p, s: states.append(p))
    session.cdp.send("Preload.enable", session_id=session.main_session)
    try:
        show(session, site.url("/"), "Start")
        assert wait_for(lambda: bool(states), 5)
        assert states[-1]["disabledByPreference"] is True
    finally:
        session.cdp.send("Preload.disable", session_id=session.main_session)


def test_a_page_that_escaped_the_request_check_is_replaced_when_it_shows(
    browser: tuple[BrowserSession, Events], site: Any
) -> None:
    """The last layer: whatever way a document arrives (a prefetch, a prerender, the
    back/forward cache), a frame showing an off-list site is replaced."""
    session, events = browser
    assert session.cdp is not None
    show(session, site.url("/"), "Start")
    main = session.main_session
    session.cdp.send("Fetch.disable", session_id=main)  # as if the request had slipped by
    try:
        session.open(site.url("/page", host=BLOCKED))
        assert wait_for(lambda: title(session) == BLOCKED_TITLE, 10), title(session)
        assert BLOCKED in [e.host for e in events.wait(NavigationBlocked)]
    finally:
        session.cdp.send("Fetch.enable", {"patterns": DOCUMENT_PATTERNS}, session_id=main)


def test_the_blocked_page_itself_can_reach_nothing(
    browser: tuple[BrowserSession, Events], site: Any
) -> None:
    session, _ = browser
    show(session, site.url("/page", host=BLOCKED), BLOCKED_TITLE)
    outcome = evaluate(session, f"fetch('http://{BLOCKED}/from-blocked-page')"
                                ".then(() => 'reached', e => 'refused')")
    assert outcome == "refused"
    # A later page's own request marks the time by which any earlier one (the
    # blocked page's icon, say) was made.
    show(session, site.url("/"), "Start")
    assert evaluate(session, "fetch('/ready.gif').then(r => r.status)") == 200
    assert "/ready.gif" in site.log.paths(ALLOWED)
    assert BLOCKED not in site.log.hosts()


def test_the_empty_start_page_is_not_in_the_history(
    browser: tuple[BrowserSession, Events], site: Any
) -> None:
    session, _ = browser
    assert session.cdp is not None
    show(session, site.url("/"), "Start")

    def history() -> list[str]:
        assert session.cdp is not None
        found = session.cdp.send("Page.getNavigationHistory", session_id=session.main_session)
        return [entry["url"] for entry in found["entries"]]

    assert wait_for(lambda: all(url.startswith("http") for url in history()), 5), history()
    assert history()[-1] == site.url("/")


def test_a_page_cannot_cover_the_toolbar_in_full_screen(
    browser: tuple[BrowserSession, Events], site: Any
) -> None:
    session, _ = browser
    assert session.cdp is not None and session.guard is not None
    show(session, site.url("/"), "Start")
    outcome = evaluate(session, "Promise.race([document.documentElement.requestFullscreen()"
                                ".then(() => 'full', () => 'refused'), new Promise(r => "
                                "setTimeout(() => r(document.fullscreenElement ? 'full' : "
                                "'not full'), 2000))])")
    assert outcome in ("refused", "not full")
    window = session.cdp.send("Browser.getWindowForTarget",
                              {"targetId": session.guard.main_target})
    assert window["bounds"]["windowState"] == "normal"
    assert (window["bounds"]["top"], window["bounds"]["height"]) == (BOUNDS[1], BOUNDS[3])


def test_a_leave_this_page_question_never_holds_the_resident(
    browser: tuple[BrowserSession, Events], site: Any
) -> None:
    session, _ = browser
    show(session, site.url("/beforeunload"), "Stay")
    evaluate(session, "document.body.click(); 'tapped'")  # the page is used: it may ask
    show(session, site.url("/"), "Start")


def test_a_crashed_page_is_announced_and_the_next_page_opens(
    browser: tuple[BrowserSession, Events], site: Any
) -> None:
    session, events = browser
    assert session.cdp is not None
    show(session, site.url("/"), "Start")
    session.cdp.post("Page.crash", session_id=session.main_session)
    assert events.wait(PageCrashed) == [PageCrashed()]
    # The crashed page is replaced by the empty start page (it answers again), and
    # what the resident opens next comes up.
    assert wait_for(lambda: "Borne" in title(session), 10), title(session)
    session.open(site.url("/"))
    assert wait_for(lambda: title(session) == "Start", 10), title(session)


def test_ending_never_waits_for_a_busy_page(
    fresh: SessionFactory, site: Any, tmp_path: Path
) -> None:
    session, _ = fresh(tmp_path / "session")
    show(session, site.url("/busy"), "Busy")
    outcome: list[str] = []

    def ask_the_page() -> None:
        try:
            session.evaluate("document.title", timeout=60)
            outcome.append("answered")
        except CdpError:
            outcome.append("interrupted")

    assert wait_for(lambda: not answers(session), 10), "the page should be in its loop"
    asking = threading.Thread(target=ask_the_page)
    asking.start()
    session.interrupt()
    asking.join(10)
    assert outcome == ["interrupted"]
    assert session.close() == []


def answers(session: BrowserSession) -> bool:
    try:
        session.evaluate("1", timeout=0.5)
    except CdpError:
        return False
    return True


def page_targets(session: BrowserSession) -> list[str]:
    assert session.cdp is not None
    found = session.cdp.send("Target.getTargets")["targetInfos"]
    return [t["url"] for t in found if t["type"] == "page"]


def link_centre(session: BrowserSession, element: str) -> tuple[float, float]:
    box = session.evaluate(f"(() => {{ const r = document.getElementById({element!r})"
                           ".getBoundingClientRect(); return [r.x + r.width / 2, "
                           "r.y + r.height / 2]; })()")
    return float(box[0]), float(box[1])


# CDP's modifier bits: Alt 1, Ctrl 2, Meta 4, Shift 8.
@pytest.mark.parametrize(("button", "modifiers"), [
    ("left", 2), ("left", 8), ("middle", 0), ("left", 4), ("left", 1)],
    ids=["ctrl", "shift", "middle", "meta", "alt"])
def test_a_new_tab_click_on_a_blocked_link_never_reaches_it(
    browser: tuple[BrowserSession, Events], site: Any, button: str, modifiers: int
) -> None:
    session, events = browser
    assert session.cdp is not None
    show(session, site.url("/"), "Start")
    # Chromium drops input sent to a page before its first frame is drawn.
    assert evaluate(session, "new Promise(r => requestAnimationFrame(() => "
                             "requestAnimationFrame(() => r(document.readyState))))") == "complete"
    x, y = link_centre(session, "to-blocked")
    for kind in ("mousePressed", "mouseReleased"):
        session.cdp.send("Input.dispatchMouseEvent", {
            "type": kind, "x": x, "y": y, "button": button, "clickCount": 1,
            "modifiers": modifiers}, session_id=session.main_session)
    # The link is followed in the resident's window, as a plain click: the guard
    # answers with its page, and no new tab ever asked the blocked host.
    assert wait_for(lambda: title(session) == BLOCKED_TITLE, 10), title(session)
    assert BLOCKED in [e.host for e in events.wait(NavigationBlocked)]
    assert BLOCKED not in site.log.hosts(), site.log.requests
    assert len(page_targets(session)) == 1


def test_a_page_stuck_in_a_loop_lets_the_resident_go_back(
    browser: tuple[BrowserSession, Events], site: Any
) -> None:
    session, events = browser
    show(session, site.url("/"), "Start")
    show(session, site.url("/busy"), "Busy")
    assert wait_for(lambda: not answers(session), 10), "the page should be in its loop"
    session.back()  # the kiosk's Back: the stuck page's process is ended first
    assert wait_for(lambda: title(session) == "Start", 10), title(session)
    assert events.of(PageCrashed) == []  # the kiosk's own doing, not a crash to announce
    show(session, site.url("/busy"), "Busy")
    assert wait_for(lambda: not answers(session), 10)
    session.open(site.url("/storage"))  # another tile
    assert wait_for(lambda: title(session).startswith("Storage"), 10), title(session)


def test_a_page_waiting_on_the_residents_answer_is_not_taken_for_stuck(
    browser: tuple[BrowserSession, Events], site: Any
) -> None:
    session, events = browser
    assert session.cdp is not None and session.guard is not None
    show(session, site.url("/"), "Start")
    main = session.main_session
    assert main is not None
    session.cdp.post("Runtime.evaluate", {"expression": "confirm('Confirmez-vous ?')",
                                          "userGesture": True}, session_id=main)
    assert wait_for(lambda: session.guard is not None and session.guard.dialog_open(main), 10)
    # The watchdog: the page answers nothing while the question is open, yet it is
    # the resident's to answer, not a hang.
    assert session.unstick_page(wait=0.5, announce=True) is False
    assert events.of(PageCrashed) == []
    assert session.guard.dialog_open(main)
    # The resident asks for something else (Back, a tile): the question goes, as
    # with Cancel, and the page answers again, the same page.
    assert session.unstick_page(wait=0.5) is False
    assert wait_for(lambda: answers(session), 10)
    assert title(session) == "Start"
