"""Fixtures for the browser tests: the test site, and real guarded Chromium sessions."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_helpers import (
    BOUNDS,
    POLICIES,
    Events,
    SessionFactory,
    allowlist,
    skip_unless_policy_can_apply,
)
from harness import XScreen, kill_group
from procedure_site import Site

from kiosk.browser.session import BrowserSession


@pytest.fixture(scope="session")
def site() -> Iterator[Any]:
    """The local procedure site, for the whole run."""
    server = Site().start()
    yield server
    server.stop()





def _session_factory(site: Any, policy: dict[str, Any] | None = None
                     ) -> tuple[SessionFactory, list[BrowserSession]]:
    started: list[BrowserSession] = []

    def make(session_dir: Path) -> tuple[BrowserSession, Events]:
        events = Events()
        browser = BrowserSession(
            session_dir=session_dir, allowlist=allowlist(), language="fr",
            help_lines=("Accueil, rez-de-chaussée", "01 23 45 67 89"), bounds=BOUNDS,
            publish=events.publish, host_resolver_rules=site.rules, policy=policy,
        )
        started.append(browser)
        browser.start()
        return browser, events

    return make, started


def _stop_all(started: list[BrowserSession]) -> None:
    for browser in started:
        pid = browser.pid
        browser.close()
        if pid is not None:
            kill_group(pid)  # in case close() itself failed


@pytest.fixture(scope="module", params=list(POLICIES))
def shared(request: pytest.FixtureRequest, screen: XScreen, site: Any,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[BrowserSession, Events]]:
    """One guarded Chromium for the tests whose state does not matter, once under the
    guard alone and once under the installed policy."""
    skip_unless_policy_can_apply(request.param)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DISPLAY", screen.display)
        make, started = _session_factory(site, POLICIES[request.param]())
        try:
            yield make(tmp_path_factory.mktemp("shared-session"))
        finally:
            _stop_all(started)


@pytest.fixture
def browser(shared: tuple[BrowserSession, Events], site: Any) -> tuple[BrowserSession, Events]:
    """The shared browser with its events and the site's request log cleared."""
    session, events = shared
    events.clear()
    site.log.clear()
    return session, events


@pytest.fixture
def fresh(screen: XScreen, site: Any, tmp_path: Path,
          monkeypatch: pytest.MonkeyPatch) -> Iterator[SessionFactory]:
    """Start a browser of one's own (for crash and kill tests)."""
    monkeypatch.setenv("DISPLAY", screen.display)
    make, started = _session_factory(site)
    try:
        yield make
    finally:
        _stop_all(started)
