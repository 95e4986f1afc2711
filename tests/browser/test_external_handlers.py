"""A page never starts another program: `mailto:` and other external schemes.

The machine is made to look as if a mail client were installed: a folder on the
kiosk's PATH holds an `xdg-open`, an `xdg-email` (and the other openers) that
leave a mark and a detached child when they run, as a real handler would. The
browser must never reach them; its own stubs, first on its PATH, say they were
asked.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_helpers import SessionFactory
from harness import wait_for

from kiosk.browser.chromium import HANDLER_STUBS, handler_log
from kiosk.browser.reaper import living, processes_naming

pytestmark = [pytest.mark.browser, pytest.mark.display]

MAILTO = "mailto:someone@example.org?subject=Dossier%20CAF"
# Long enough for Chromium to hand the address to a handler, had it one.
SETTLE_SECONDS = 2.0


def install_mail_client(folder: Path, marks: Path) -> None:
    """Fake openers that leave a mark (and a detached child naming `marks`) when run."""
    folder.mkdir()
    marks.mkdir()
    for name in HANDLER_STUBS:
        opener = folder / name
        opener.write_text(
            "#!/bin/sh\n"
            f'echo "$0 $*" >> "{marks}/ran"\n'
            f'setsid sleep 300 "{marks}" </dev/null >/dev/null 2>&1 &\n'
            "exit 0\n", encoding="utf-8")
        opener.chmod(opener.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


@pytest.fixture
def mail_client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Openers that would run if reached; returns the folder where they leave marks."""
    folder, marks = tmp_path / "installed", tmp_path / "marks"
    install_mail_client(folder, marks)
    monkeypatch.setenv("PATH", f"{folder}:{os.environ['PATH']}")
    yield marks
    for pid in living(processes_naming((str(marks),))):
        os.kill(pid, 9)  # a handler that ran must not outlive the test


def on_site_page(session: Any, site: Any) -> None:
    session.open(site.url("/"))
    assert wait_for(lambda: session.evaluate("document.readyState") == "complete", 10)


@pytest.mark.parametrize("gesture", [False, True], ids=["script", "tap"])
def test_mailto_never_starts_the_mail_client(
    fresh: SessionFactory, site: Any, tmp_path: Path, mail_client: Path, gesture: bool
) -> None:
    session_dir = tmp_path / "session"
    session, _ = fresh(session_dir)
    on_site_page(session, site)
    page = str(session.evaluate("location.href"))
    session.evaluate(f"location.href = {MAILTO!r}", user_gesture=gesture)
    # The positive signal first: Chromium did ask for a handler, and got a stub.
    assert wait_for(lambda: handler_log(session_dir).exists(), 10), "no opener was asked"
    time.sleep(SETTLE_SECONDS)
    assert not (mail_client / "ran").exists(), (mail_client / "ran").read_text()
    assert living(processes_naming((str(mail_client),))) == []
    asked = handler_log(session_dir).read_text(encoding="utf-8").split()
    assert set(asked) <= set(HANDLER_STUBS)
    assert "someone" not in handler_log(session_dir).read_text(encoding="utf-8")
    # And the resident still sees the procedure, in the one window.
    assert session.evaluate("location.href") == page
    assert session.cdp is not None
    pages = [t for t in session.cdp.send("Target.getTargets")["targetInfos"]
             if t["type"] == "page"]
    assert len(pages) == 1
