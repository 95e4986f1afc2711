"""Pages that turn against the resident mid-procedure, on the real kiosk: one that asks
again as soon as its alert (or confirm) is answered, one that allocates memory until
its renderer dies. Each time the resident gets out calmly, the wipe runs fully, and the
next resident is served with nothing of the previous one.

The procedure is the canary's (tests/procedure_site.py), which plants its token in
every store, then goes on to the hostile page (/canary-then/<kind>).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from canary import open_canary_tile, reports
from e2e.test_faults import (
    assert_nothing_left,
    next_resident_finds_nothing,
    places,
    profile_file,
    the_session_folder,
)
from harness import XScreen, wait_for
from kiosk_process import KioskProcess, mode_params, running_kiosk
from procedure_site import Site

from bench.floor import FloorUnavailable, MemoryGroup, memory_group
from bench.kiosk_session import STRIP_ROWS, danger_button_position, end_button_position

pytestmark = [pytest.mark.browser, pytest.mark.display]
__all__ = ["places"]  # a fixture of the browser faults' tests, used here too


def hostile_profile(tmp_path: Path, site: Site, kind: str) -> Path:
    """The canary profile whose tile ends on the hostile page `kind`."""
    path = profile_file(tmp_path, site)
    text = path.read_text(encoding="utf-8").replace("/canary\"", f"/canary-then/{kind}\"")
    assert f"/canary-then/{kind}" in text
    path.write_text(text, encoding="utf-8")
    return path


@contextlib.contextmanager
def kiosk_on(screen: XScreen, tmp_path: Path, site: Site, places: dict[str, str], kind: str,
             mode: str, wrapper: tuple[str, ...] = (),
             env: dict[str, str] | None = None) -> Iterator[KioskProcess]:
    profile = hostile_profile(tmp_path, site, kind)
    with running_kiosk(screen, tmp_path, "--profile", str(profile), mode=mode,
                       env={**places, **(env or {})}, wrapper=wrapper) as kiosk:
        yield kiosk


def wait_for_hostile_page(kiosk: KioskProcess, site: Site, kind: str, token: str) -> None:
    assert wait_for(lambda: any(p.startswith(f"/hostile/{kind}?token={token}")
                                for p in site.log.paths("localhost")), 30)
    assert wait_for(lambda: reports(site, "planted", token), 30), site.log.reports


def end_session_by_pointer(kiosk: KioskProcess, screen: XScreen) -> int:
    """A tap on End session in the toolbar, then on "Yes, end my session"; the mark
    before. (Keys would not do: the page's next question may take the keyboard for the
    moment the shell needs to take it back, and a key typed then answers the page.)"""
    mark = len(kiosk.lines)
    screen.click(*end_button_position(screen))
    kiosk.wait_for_screen("end_confirmation", after=mark)
    # Below the strip: the toolbar's End session may still be drawn for a moment.
    assert wait_for(lambda: danger_button_position(screen, top=STRIP_ROWS) is not None, 10), \
        "no red 'Yes, end my session' on the confirmation"
    yes = danger_button_position(screen, top=STRIP_ROWS)
    assert yes is not None
    screen.click(*yes)
    return mark


def end_by_pointer_and_find_nothing(kiosk: KioskProcess, screen: XScreen, site: Site,
                                    token: str, session_dir: Path) -> None:
    """End session in the toolbar; then nothing of the session is left anywhere, and
    the next resident's page finds nothing of it."""
    mark = end_session_by_pointer(kiosk, screen)
    ending = kiosk.wait_for_log(r"ending the session \(button\)$", after=mark)
    kiosk.wait_until_ready(timeout=30, after=ending)
    assert_nothing_left(token, session_dir, kiosk, kiosk.home)
    next_resident_finds_nothing(screen, kiosk, site, after=ending)


def wait_for_dialog(kiosk: KioskProcess, site: Site, kind: str, token: str) -> int:
    """The hostile page is shown and asks its first question; the log mark of it."""
    assert wait_for(lambda: any(p.startswith(f"/hostile/{kind}?token={token}")
                                for p in site.log.paths("localhost")), 30)
    return kiosk.wait_for_log(r"a page shows a dialog \((alert|confirm)\)", timeout=15)


@pytest.mark.parametrize("mode", mode_params("production"))
@pytest.mark.parametrize("kind", ["alert-loop", "confirm-loop"])
def test_a_page_that_asks_again_and_again_lets_the_resident_end_the_session(
    screen: XScreen, site: Site, tmp_path: Path, places: dict[str, str], kind: str, mode: str
) -> None:
    """With a pointer: End session in the toolbar, whatever the page asks."""
    with kiosk_on(screen, tmp_path, site, places, kind, mode) as kiosk:
        token = open_canary_tile(screen, kiosk, site, after=0)
        wait_for_dialog(kiosk, site, kind, token)
        session_dir = the_session_folder(kiosk)
        end_by_pointer_and_find_nothing(kiosk, screen, site, token, session_dir)


@pytest.mark.parametrize("mode", mode_params("production"))
def test_a_keyboard_user_gets_out_of_a_page_that_asks_in_a_loop(
    screen: XScreen, site: Site, tmp_path: Path, places: dict[str, str], mode: str
) -> None:
    """No key reaches a page while it asks, F2 included: a keyboard user answers, and the
    page asks again. After a few answers the kiosk ends the page and says so; the
    keyboard is then on the way back to the tiles."""
    kind = "alert-loop"
    with kiosk_on(screen, tmp_path, site, places, kind, mode) as kiosk:
        token = open_canary_tile(screen, kiosk, site, after=0)
        mark = wait_for_dialog(kiosk, site, kind, token)
        session_dir = the_session_folder(kiosk)
        for _answer in range(10):
            screen.key("Return")  # OK, and the page asks again
            with contextlib.suppress(AssertionError):
                kiosk.wait_for_log("a page asks again each time it is answered", 1, mark)
                break
        kiosk.wait_for_log("the resident's page stopped answering: ended$", after=mark)
        told = kiosk.wait_for_log("message: page_crashed$", after=mark)
        kiosk.wait_for_screen("message", after=told)
        assert session_dir.exists(), "the resident's session goes on"
        # Back leads to the tiles (the home screen has no toolbar): the procedure again,
        # in the same session, then End session in its toolbar.
        screen.key("Return")
        kiosk.wait_for_screen("home", after=told)
        visits = len(site.log.tokens)
        screen.key("Return")
        kiosk.wait_for_log("procedure opened: canary$", after=told)
        assert wait_for(lambda: len(site.log.tokens) > visits, 30)
        kiosk.wait_for_screen("toolbar", after=told)
        end_by_pointer_and_find_nothing(kiosk, screen, site, token, session_dir)


@pytest.mark.parametrize("mode", mode_params("production"))
def test_a_page_showing_one_alert_is_not_taken_for_a_stuck_one(
    screen: XScreen, site: Site, tmp_path: Path, places: dict[str, str], mode: str
) -> None:
    """The watchdog asks a page with an alert open nothing (it waits for the resident, it
    is not stuck): the resident reads it, answers, and the page goes on."""
    kind = "alert-once"
    with kiosk_on(screen, tmp_path, site, places, kind, mode,
                  env={"KIOSK_PAGE_SILENT_SECONDS": "1"}) as kiosk:
        token = open_canary_tile(screen, kiosk, site, after=0)
        mark = wait_for_dialog(kiosk, site, kind, token)
        # The watchdog's round sees the open dialog and leaves the page be.
        kiosk.wait_for_log("the page waits for the resident's answer: not stuck$",
                           timeout=15, after=mark)
        screen.key("Return")  # OK
        assert wait_for(lambda: reports(site, "answered", token), 10), site.log.reports
        since = "\n".join(kiosk.lines[mark:])
        assert "stopped answering" not in since and "page_crashed" not in since, since


# The kiosk and its browser share this much memory, as on a small terminal: the page
# below reaches it within seconds, and the machine running the tests keeps the rest.
MEMORY_CAP = 1024 ** 3


@pytest.fixture
def memory_cap() -> Iterator[MemoryGroup]:
    """A memory control group of MEMORY_CAP bytes for the kiosk, removed afterwards."""
    try:
        with memory_group(MEMORY_CAP) as group:
            yield group
    except FloorUnavailable as error:
        pytest.skip(f"no memory control group can be made here: {error}")


# Run as root with the guard alone: only there does the kiosk start through a wrapper,
# which puts it in the group before it starts anything.
@pytest.mark.parametrize("mode", mode_params("guard-only"))
def test_a_page_eating_all_memory_dies_alone_and_the_resident_goes_on(
    screen: XScreen, site: Site, tmp_path: Path, places: dict[str, str], mode: str,
    memory_cap: MemoryGroup
) -> None:
    kind = "memory-hog"
    into_the_group = ("sh", "-c", 'echo $$ > "$0" && exec "$@"', str(memory_cap.procs))
    with kiosk_on(screen, tmp_path, site, places, kind, mode, wrapper=into_the_group) as kiosk:
        token = open_canary_tile(screen, kiosk, site, after=0)
        wait_for_hostile_page(kiosk, site, kind, token)
        session_dir = the_session_folder(kiosk)
        crashed = kiosk.wait_for_log(r"the resident's page crashed", timeout=90)
        told = kiosk.wait_for_log("message: page_crashed$", after=crashed)
        kiosk.wait_for_screen("message", after=told)
        # The kernel ended the page's process, not the kiosk's shell nor its browser.
        assert kiosk.proc.poll() is None, "the kiosk itself was killed"
        kills = memory_cap.oom_kills()
        assert kills is None or kills >= 1, "the page did not reach the cap"
        assert session_dir.exists(), "the resident's session goes on"
        # Back to the tiles, the procedure again, then End session.
        screen.key("Return")
        kiosk.wait_for_screen("home", after=told)
        mark = len(kiosk.lines)
        screen.key("Return")
        kiosk.wait_for_log("procedure opened: canary$", after=mark)
        kiosk.wait_for_screen("toolbar", after=mark)
        end_by_pointer_and_find_nothing(kiosk, screen, site, token, session_dir)
