"""Text size and high contrast reach the pages, in the real Chromium: a page laid out
again for a narrower viewport drawn larger (as Ctrl+'+' does), and pages asked for
their forced colours. Looked at on the screenshots these tests save."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from browser_helpers import BOUNDS, SessionFactory
from harness import XScreen, wait_for

from kiosk.browser.session import BrowserSession


def wait_for_page(session: BrowserSession, url: str) -> bool:
    def loaded() -> bool:
        try:
            return str(session.evaluate("location.href")).startswith(url) and bool(
                session.evaluate("document.readyState === 'complete'"))
        except Exception:  # between two documents
            return False
    return wait_for(loaded, 10)


def viewport(session: BrowserSession) -> tuple[float, float]:
    width = session.evaluate("window.innerWidth")
    ratio = session.evaluate("window.devicePixelRatio")
    return float(width), float(ratio)


def forced_colours(session: BrowserSession) -> bool:
    return bool(session.evaluate("matchMedia('(forced-colors: active)').matches"))


def test_a_larger_text_size_lays_pages_out_larger_and_back(
        fresh: SessionFactory, site: Any, screen: XScreen, tmp_path: Path,
        artifacts: Path) -> None:
    session, _ = fresh(tmp_path / "session")
    session.focus()
    session.open(site.url("/form"))
    assert wait_for_page(session, site.url("/form"))
    normal_width, normal_ratio = viewport(session)
    screen.screenshot(artifacts / "page-normal.png")

    session.set_presentation(1.5, False, BOUNDS)
    assert wait_for(lambda: viewport(session)[0] < normal_width * 0.75, 10), viewport(session)
    width, ratio = viewport(session)
    # The page has two thirds of the width, and the view is drawn 1.5 times as large
    # (the `scale` of the override: CSS pixels keep their ratio, the image grows).
    assert abs(width - BOUNDS[2] / 1.5) <= 2, width
    assert ratio == normal_ratio
    screen.screenshot(artifacts / "page-very-large.png")

    # The next page of the session gets the same size.
    session.open(site.url("/storage"))
    assert wait_for_page(session, site.url("/storage"))
    assert abs(viewport(session)[0] - BOUNDS[2] / 1.5) <= 2

    session.set_presentation(1.0, False, BOUNDS)
    assert wait_for(lambda: abs(viewport(session)[0] - normal_width) <= 2, 10)


def test_high_contrast_gives_pages_forced_colours(
        fresh: SessionFactory, site: Any, screen: XScreen, tmp_path: Path,
        artifacts: Path) -> None:
    session, _ = fresh(tmp_path / "session")
    session.focus()
    session.open(site.url("/form"))
    assert wait_for_page(session, site.url("/form"))
    assert not forced_colours(session)
    session.set_presentation(1.0, True, BOUNDS)
    assert wait_for(lambda: forced_colours(session), 10)
    assert session.evaluate("matchMedia('(prefers-contrast: more)').matches") is True
    screen.screenshot(artifacts / "page-high-contrast.png")
    session.set_presentation(1.0, False, BOUNDS)
    assert wait_for(lambda: not forced_colours(session), 10)
