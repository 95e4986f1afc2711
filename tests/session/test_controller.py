"""The session controller with a fake browser: begin, each end, participants, failures."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import wait_for
from session_fakes import Notebook, Rig, make_rig

from kiosk import i18n
from kiosk.browser.reaper import living, processes_naming, session_marker
from kiosk.events import (
    BrowserCrashed,
    BrowserReady,
    BrowserUnavailable,
    FilesUploaded,
    PageOpened,
    PagePdfReady,
    PrintPreparationFailed,
    ProcedureOpened,
    SessionEnded,
    SessionFailed,
    SessionWiped,
)
from kiosk.session import controller as controller_module
from kiosk.session.participant import SessionInfo, ToolbarItem
from kiosk.session.wipe import WipeStep


@pytest.fixture(autouse=True)
def private_sessions(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    root = tmp_path / "sessions"
    monkeypatch.setenv("KIOSK_SESSION_ROOT", str(root))
    monkeypatch.setattr(controller_module, "RETRY_DELAYS", (0.2, 0.2))
    monkeypatch.setattr(controller_module, "clear_selections", lambda display: None)
    monkeypatch.setattr(controller_module, "selections_empty", lambda display: True)
    monkeypatch.setattr(controller_module, "RECHECK_SECONDS", 0.2)
    return root


@pytest.fixture
def rigs() -> Iterator[list[Rig]]:
    made: list[Rig] = []
    yield made
    for rig in made:
        rig.controller.shutdown()


def session_folders(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if p.is_dir()) if root.exists() else []


def test_a_tile_opens_its_start_page_in_the_resident_language(rigs: list[Rig]) -> None:
    rig = make_rig()
    rigs.append(rig)
    rig.controller.prestart()
    rig.published.wait(BrowserReady)
    rig.controller.open("caf")
    rig.published.wait(PageOpened)
    browser = rig.browsers[0]
    # Not raised by the controller: the shell asks for that on PageOpened, if the
    # resident is still on the procedure.
    assert browser.calls == ["start", "language fr", "open http://caf.borne.test/"]
    assert rig.published.of(ProcedureOpened) == [ProcedureOpened("caf")]
    assert browser.help_lines("en") and browser.help_lines("fr")


@pytest.mark.parametrize("reason", ["button", "idle", "max_duration", "crash", "error"])
def test_each_end_wipes_everything_and_prepares_the_next_browser(
    rigs: list[Rig], private_sessions: Path, reason: str
) -> None:
    notebook = Notebook()
    rig = make_rig(participants=[notebook])
    rigs.append(rig)
    rig.controller.open("caf")
    rig.published.wait(PageOpened)
    assert wait_for(lambda: notebook.sessions, 5)
    first = rig.browsers[0]
    session_dir = first.session_dir
    assert (session_dir / "notebook.txt").exists()
    rig.controller.end(reason)
    wiped = rig.published.wait(SessionWiped)
    assert wiped == [SessionWiped(reason, ())]
    assert first.closed.is_set()
    assert notebook.wiped == ["forget_notes", "check"]
    assert not session_dir.exists()
    ended = rig.published.of(SessionEnded)
    assert len(ended) == 1 and ended[0].reason == reason
    rig.published.wait(BrowserReady)
    assert len(rig.browsers) == 2
    assert session_folders(private_sessions) == [rig.browsers[1].session_dir]


def test_the_wipe_order_is_browser_participants_folder_clipboard(rigs: list[Rig]) -> None:
    notebook = Notebook()
    rig = make_rig(participants=[notebook])
    rigs.append(rig)
    rig.controller.open("caf")
    rig.published.wait(PageOpened)
    rig.controller.end("button")
    rig.published.wait(SessionWiped)
    report = rig.controller.last_wipe
    assert report is not None
    assert list(report.durations) == ["kill_browser", "kill_session_processes",
                                      "notebook.forget_notes", "notebook.check",
                                      "delete_session_dir", "clear_clipboard"]


# One process that sleeps and names `token` on its command line.
SLEEPER = [sys.executable, "-c", "import time; time.sleep(300)"]


def start_detached(token: str, env: dict[str, str]) -> None:
    """What a handler started from a page may do: double fork, setsid, outlive its parent."""
    subprocess.run(["sh", "-c", '(setsid "$@" </dev/null >/dev/null 2>&1 &)', "sh",
                    *SLEEPER, token], env=env, check=True, timeout=10)
    assert wait_for(lambda: living(processes_naming((token,))), 5)


def test_the_wipe_ends_what_the_session_started_however_it_detached(
    rigs: list[Rig], tmp_path: Path
) -> None:
    rig = make_rig()
    rigs.append(rig)
    rig.controller.open("caf")
    rig.published.wait(PageOpened)
    session_dir = rig.browsers[0].session_dir
    variable, value = session_marker(session_dir).split("=", 1)
    detached = f"{tmp_path}/detached-handler"
    start_detached(detached, {**os.environ, variable: value})
    # The kiosk's own kind of child, and a process of this test run: not the session's.
    unrelated = f"{tmp_path}/unrelated"
    bystander = subprocess.Popen([*SLEEPER, unrelated])
    try:
        rig.controller.end("button")
        assert rig.published.wait(SessionWiped) == [SessionWiped("button", ())]
        assert wait_for(lambda: not living(processes_naming((detached,))), 5)
        assert bystander.poll() is None
        report = rig.controller.last_wipe
        assert report is not None and "kill_session_processes" in report.durations
    finally:
        for pid in living(processes_naming((detached,))):
            os.kill(pid, signal.SIGKILL)
        bystander.kill()
        bystander.wait(5)


def test_a_failing_participant_step_is_reported_and_the_rest_still_runs(
    rigs: list[Rig]
) -> None:
    notebook = Notebook(fail_step=True)
    rig = make_rig(participants=[notebook])
    rigs.append(rig)
    rig.controller.open("caf")
    rig.published.wait(PageOpened)
    session_dir = rig.browsers[0].session_dir
    rig.controller.end("button")
    wiped = rig.published.wait(SessionWiped)
    assert wiped == [SessionWiped("button", ("notebook.forget_notes",))]
    assert notebook.wiped == ["forget_notes", "check"]
    assert not session_dir.exists()


class Leaky:
    """A participant whose erasing seems to work, but whose check finds something left
    the first `leaks` times."""

    name = "leaky"

    def __init__(self, leaks: int) -> None:
        self.leaks = leaks
        self.erased = 0

    def begin(self, session: SessionInfo) -> None:
        pass

    def toolbar_items(self) -> list[ToolbarItem]:
        return []

    def wipe_steps(self) -> list[WipeStep]:
        return [WipeStep("erase", self._erase, verify=lambda: self.erased > self.leaks)]

    def _erase(self) -> None:
        self.erased += 1

    def close(self) -> None:
        pass


def test_a_wipe_whose_check_finds_something_left_is_redone_until_verified(
    rigs: list[Rig]
) -> None:
    leaky = Leaky(leaks=2)
    rig = make_rig(participants=[leaky])
    rigs.append(rig)
    rig.controller.open("caf")
    rig.published.wait(PageOpened)
    rig.controller.end("button")
    assert wait_for(lambda: len(rig.published.of(SessionWiped)) == 3, 10)
    assert rig.published.of(SessionWiped) == [
        SessionWiped("button", (), ("leaky.erase",)),
        SessionWiped("recheck", (), ("leaky.erase",)),
        SessionWiped("recheck"),
    ]
    assert leaky.erased == 3


def test_a_browser_that_survives_its_kill_fails_that_step_only(rigs: list[Rig]) -> None:
    rig = make_rig(survivors=[4242])
    rigs.append(rig)
    rig.controller.open("caf")
    rig.published.wait(PageOpened)
    session_dir = rig.browsers[0].session_dir
    rig.controller.end("button")
    assert rig.published.wait(SessionWiped) == [SessionWiped("button", ("kill_browser",))]
    assert not session_dir.exists()


def test_a_session_nobody_began_is_not_counted(rigs: list[Rig]) -> None:
    rig = make_rig()
    rigs.append(rig)
    rig.controller.prestart()
    rig.published.wait(BrowserReady)
    rig.controller.restart_browser()  # the hidden browser died before anyone came
    rig.published.wait(BrowserReady, count=2)
    assert rig.published.of(SessionEnded) == []
    assert rig.published.of(SessionWiped) == []  # a quiet restart: the screen stays


def test_files_chosen_in_the_picker_reach_the_browser(rigs: list[Rig], tmp_path: Path) -> None:
    rig = make_rig()
    rigs.append(rig)
    rig.controller.open("caf")
    rig.published.wait(PageOpened)
    chosen = (tmp_path / "recu.pdf",)
    rig.controller.give_files(chosen)
    assert wait_for(lambda: rig.browsers[0].files == [[chosen[0]]], 5)
    assert rig.published.wait(FilesUploaded) == [FilesUploaded(1)]  # counted, never named


def test_failed_starts_are_retried_later_then_the_session_is_ready(rigs: list[Rig]) -> None:
    rig = make_rig(fail_starts=2)
    rigs.append(rig)
    rig.controller.prestart()
    rig.published.wait(BrowserReady)
    assert len(rig.published.of(BrowserUnavailable)) == 2
    assert len(rig.browsers) == 3  # two failures, one success: no busy loop


def test_a_tile_opened_while_the_browser_cannot_start_fails_plainly(rigs: list[Rig]) -> None:
    rig = make_rig(fail_starts=50)
    rigs.append(rig)
    rig.controller.open("caf")
    failed = rig.published.wait(SessionFailed)
    assert failed[0] == SessionFailed("browser_unavailable")
    assert not any(c.startswith("open") for b in rig.browsers for c in b.calls)
    rig.controller.shutdown()
    rigs.remove(rig)
    count = len(rig.browsers)
    threading.Event().wait(0.6)  # two retry delays: a retry would have started by now
    assert len(rig.browsers) == count, "no retry may run after shutdown"


def test_a_hung_browser_is_reported(rigs: list[Rig], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(controller_module, "HANG_CHECK_SECONDS", 0.05)
    rig = make_rig()
    rigs.append(rig)
    rig.controller.prestart()
    rig.published.wait(BrowserReady)
    rig.browsers[0].ping = lambda timeout=5.0: False  # type: ignore[method-assign]
    assert rig.published.wait(BrowserCrashed) == [BrowserCrashed("hang")]


def test_shutdown_wipes_the_open_session(rigs: list[Rig], private_sessions: Path) -> None:
    notebook = Notebook()
    rig = make_rig(participants=[notebook])
    rig.controller.open("caf")
    rig.published.wait(PageOpened)
    rig.controller.shutdown()
    assert notebook.wiped == ["forget_notes", "check"]
    assert session_folders(private_sessions) == []
    ended = rig.published.of(SessionEnded)
    assert [e.reason for e in ended] == ["shutdown"]


def test_a_resident_who_chose_a_language_gets_a_browser_started_in_it(
    rigs: list[Rig], monkeypatch: pytest.MonkeyPatch
) -> None:
    rig = make_rig()
    rigs.append(rig)
    rig.controller.prestart()
    rig.published.wait(BrowserReady)
    monkeypatch.setattr(i18n, "current_language", lambda: "es")
    rig.controller.open("caf")
    rig.published.wait(PageOpened)
    first, second = rig.browsers
    assert (first.language, second.language) == ("fr", "es")
    assert first.closed.is_set() and not second.closed.is_set()
    assert second.session_dir == first.session_dir  # the same session, nothing lost
    # Once a page was shown, the browser is the resident's: no restart for a new tile.
    monkeypatch.setattr(i18n, "current_language", lambda: "en")
    rig.controller.open("msa")
    rig.published.wait(PageOpened, count=2)
    assert len(rig.browsers) == 2


def test_the_page_becomes_a_pdf_inside_the_session_folder(rigs: list[Rig]) -> None:
    rig = make_rig()
    rigs.append(rig)
    rig.controller.make_page_pdf()  # before any session: nothing to print
    assert rig.published.wait(PrintPreparationFailed) == [PrintPreparationFailed("page")]
    rig.controller.prestart()
    rig.published.wait(BrowserReady)
    rig.controller.open("caf")
    rig.published.wait(PageOpened)
    rig.controller.make_page_pdf()
    ready = rig.published.wait(PagePdfReady)
    assert len(ready) == 1 and ready[0].pdf.read_bytes().startswith(b"%PDF")
    assert ready[0].pdf.parent.parent == rig.browsers[0].session_dir
    rig.controller.end("button")
    rig.published.wait(SessionWiped)
    assert not ready[0].pdf.exists()
