"""Faults in the middle of a resident's procedure: the browser killed, hung or its page
crashed, the kiosk itself killed. Each time the session's data is gone from the
machine, and the next resident is served with nothing of the previous one.

The procedure is the canary page (tests/procedure_site.py): it plants a fresh
token in cookies, storage, IndexedDB, the cache and a service worker, and reports
what it finds of earlier visits.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from canary import PROFILE, find_token, open_canary_tile, reports, standard_roots
from e2e.test_canary import verified_wipes
from harness import XScreen, wait_for
from kiosk_process import KioskProcess, running_kiosk
from procedure_site import Site

from bench.common import renderers
from kiosk.browser.reaper import SESSION_VARIABLE

pytestmark = [pytest.mark.browser, pytest.mark.display]


@pytest.fixture
def site() -> Iterator[Site]:
    s = Site().start()
    yield s
    s.stop()


@pytest.fixture
def places(tmp_path: Path, short_session_root: Path) -> dict[str, str]:
    """A home and a short session root."""
    home = tmp_path / "home"
    home.mkdir()
    return {"HOME": str(home), "KIOSK_SESSION_ROOT": str(short_session_root)}


def profile_file(tmp_path: Path, site: Site) -> Path:
    """The canary profile, with time enough to act before the idle countdown."""
    path = tmp_path / "profile.toml"
    text = PROFILE.format(port=site.port)
    text = text.replace("idle_timeout = 6", "idle_timeout = 300").replace(
        "idle_warning = 4", "idle_warning = 30")
    path.write_text(text, encoding="utf-8")
    return path


def marked_processes(session_dir: Path) -> list[int]:
    """Living processes started for `session_dir` (they carry its marker)."""
    entry = f"{SESSION_VARIABLE}={session_dir}".encode()
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if entry not in (proc / "environ").read_bytes().split(b"\0"):
                continue
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state not in ("Z", "X"):
            found.append(int(proc.name))
    return found


def browser_main(session_dir: Path) -> int:
    """The session's Chromium itself (not one of its helpers)."""
    for pid in marked_processes(session_dir):
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if argv and b"chrom" in Path(os.fsdecode(argv[0])).name.encode() and not any(
                a.startswith(b"--type=") for a in argv):
            return pid
    raise AssertionError(f"no browser process for {session_dir}")


def the_session_folder(kiosk: KioskProcess) -> Path:
    folders = [p for p in kiosk.session_root.iterdir() if p.is_dir()]
    assert len(folders) == 1, folders
    return folders[0]


def assert_nothing_left(token: str, session_dir: Path, kiosk: KioskProcess,
                        home: Path) -> None:
    assert not session_dir.exists(), f"{session_dir} is still there"
    assert not marked_processes(session_dir), "processes of the ended session still run"
    assert find_token(token, standard_roots(kiosk.session_root, home)) == []


def next_resident_finds_nothing(screen: XScreen, kiosk: KioskProcess, site: Site,
                                after: int) -> None:
    """The next resident opens the same procedure: its page sees nothing of the last one."""
    before = len(reports(site, "report"))
    open_canary_tile(screen, kiosk, site, after=after)
    assert wait_for(lambda: len(reports(site, "report")) > before, 30)
    assert reports(site, "report")[before]["found"] == [""], site.log.reports


@pytest.mark.parametrize("fault", ["killed", "hung"])
def test_a_browser_killed_or_hung_mid_procedure_ends_the_session_cleanly(
    screen: XScreen, site: Site, tmp_path: Path, places: dict[str, str], fault: str
) -> None:
    with running_kiosk(screen, tmp_path, "--profile", str(profile_file(tmp_path, site)),
                       env=places) as kiosk:
        token = open_canary_tile(screen, kiosk, site, after=0)
        session_dir = the_session_folder(kiosk)
        browser = browser_main(session_dir)
        mark = len(kiosk.lines)
        os.kill(browser, signal.SIGKILL if fault == "killed" else signal.SIGSTOP)
        try:
            kiosk.wait_for_log(r"ending the session \(crash\)$", timeout=30, after=mark)
            # Once the wipe is done the resident is told what happened, then goes on.
            told = kiosk.wait_for_log(r"message: session_crashed$", timeout=60, after=mark)
            kiosk.wait_for_screen("message", after=told)
            # Back (it has the keyboard once the next browser waits hidden behind).
            kiosk.wait_for_log(r"browser ready for the next session$", timeout=60, after=mark)
            screen.key("Return")
            kiosk.wait_until_ready(timeout=60, after=mark)
        finally:
            if fault == "hung":
                with contextlib.suppress(ProcessLookupError):
                    os.kill(browser, signal.SIGCONT)
        assert_nothing_left(token, session_dir, kiosk, Path(places["HOME"]))
        next_resident_finds_nothing(screen, kiosk, site, after=mark)


def test_a_crashed_page_is_explained_and_the_resident_goes_on(
    screen: XScreen, site: Site, tmp_path: Path, places: dict[str, str]
) -> None:
    with running_kiosk(screen, tmp_path, "--profile", str(profile_file(tmp_path, site)),
                       env=places) as kiosk:
        token = open_canary_tile(screen, kiosk, site, after=0)
        session_dir = the_session_folder(kiosk)
        mark = len(kiosk.lines)
        pages = renderers(browser_main(session_dir))
        assert pages, "no renderer to crash"
        for pid in pages:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        kiosk.wait_for_log(r"the resident's page crashed", timeout=30, after=mark)
        kiosk.wait_for_screen("message", after=mark)
        # Back to the tiles from the message, then the same procedure again, in the same
        # session: the browser itself still serves this resident.
        screen.key("Return")
        kiosk.wait_for_screen("home", after=mark)
        visits = len(site.log.tokens)
        screen.key("Return")
        assert wait_for(lambda: len(site.log.tokens) > visits, 30)
        assert session_dir.exists(), "the resident's session went on"
        mark = kiosk.end_session_by_keyboard(screen)
        kiosk.wait_until_ready(timeout=60, after=mark)
        assert_nothing_left(token, session_dir, kiosk, Path(places["HOME"]))
        next_resident_finds_nothing(screen, kiosk, site, after=mark)


def test_a_killed_kiosk_leaves_nothing_once_it_is_started_again(
    screen: XScreen, site: Site, tmp_path: Path, places: dict[str, str]
) -> None:
    profile = profile_file(tmp_path, site)
    with running_kiosk(screen, tmp_path, "--profile", str(profile), env=places) as first:
        # A first resident's session ends as usual: the statistics count its wipe.
        open_canary_tile(screen, first, site, after=0)
        ending = first.end_session_by_keyboard(screen)
        first.wait_for_log("browser ready for the next session$", after=ending)
        assert wait_for(lambda: verified_wipes(first, tmp_path / "before") == 1, 10)
        # The next one is in a procedure when the kiosk is killed.
        token = open_canary_tile(screen, first, site, after=ending)
        session_dir = the_session_folder(first)
        first.proc.send_signal(signal.SIGKILL)
        first.proc.wait(10)
    # What a power cut or an out-of-memory kill leaves: the folder, maybe the browser.
    assert session_dir.exists()
    with running_kiosk(screen, tmp_path, "--profile", str(profile), env=places) as second:
        second.wait_until_ready(timeout=60)
        second.wait_for_log(r"wiped 1 session folder\(s\) left by an earlier run")
        assert_nothing_left(token, session_dir, second, Path(places["HOME"]))
        # What must be kept was: the first session's counters are still there.
        assert verified_wipes(second, tmp_path / "after") >= 1
        next_resident_finds_nothing(screen, second, site, after=0)
