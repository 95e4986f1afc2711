"""Assisted mode in the real kiosk: Ctrl+Alt+M on a page, the PIN pad, the consent,
the banner, and a host only assisted mode allows.

The kiosk runs on the tests' Xvfb against the procedure site; the mediators file
is made with `kiosk mediator add`, fed on standard input, as an administrator would.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import SAMPLE_PROFILE, XScreen, wait_for
from kiosk_process import (
    KIOSK,
    KioskProcess,
    kiosk_user,
    mode_params,
    open_tile,
    park_pointer,
    running_kiosk,
)
from procedure_site import ALLOWED, BLOCKED, Site
from screenshots import check_against_reference, count_colour

from kiosk.assisted.journal import check_chain, journal_path
from kiosk.ui.assisted import BANNER_BACKGROUND

pytestmark = [pytest.mark.browser, pytest.mark.display]

PIN = "246810"
PAGE_SAME_SCREEN = 0.02  # a web page under the toolbar: fonts differ a little from run to run
BANNER_RGB = (int(BANNER_BACKGROUND[1:3], 16), int(BANNER_BACKGROUND[3:5], 16),
              int(BANNER_BACKGROUND[5:7], 16))


def assisted_profile(tmp_path: Path, idle_timeout: int = 1200, journal: bool = False) -> Path:
    """The sample profile, with assisted mode opening the host residents are refused."""
    profile = tmp_path / "assisted.toml"
    profile.write_text(SAMPLE_PROFILE.read_text(encoding="utf-8") + f"""
[assisted]
allow = ["{BLOCKED}"]
idle_timeout = {idle_timeout}
journal = {"true" if journal else "false"}
""", encoding="utf-8")
    return profile


def mediators_file(folder: Path, group: int | None = None) -> Path:
    """Ana's PIN, in a file made by `kiosk mediator add` (0640; in the production
    mode owned by root:kiosk, as installed, in a folder the kiosk user can reach)."""
    path = folder / "mediators.toml"
    subprocess.run([KIOSK, "mediator", "add", "Ana", "--file", str(path)],
                   input=f"{PIN}\n{PIN}\n", text=True, check=True, capture_output=True,
                   env={"PATH": "/usr/bin:/bin", "KIOSK_STATE_DIR": str(folder / "state")})
    if group is not None:
        # As installed: the package's 'kiosk' group, here the test user's own.
        os.chown(path, 0, group)
        path.chmod(0o640)
    return path


@pytest.fixture
def mediators(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Path]:
    if request.node.callspec.params.get("kiosk") != "production":
        yield mediators_file(tmp_path)
        return
    folder = Path(tempfile.mkdtemp(prefix="borne-mediators-", dir="/dev/shm"))
    try:
        folder.chmod(0o755)
        yield mediators_file(folder, kiosk_user().pw_gid)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(params=mode_params("guard-only", "production"))
def kiosk(request: pytest.FixtureRequest, screen: XScreen, site: Site,
          tmp_path: Path, mediators: Path) -> Iterator[KioskProcess]:
    with running_kiosk(screen, tmp_path, "--profile", str(assisted_profile(tmp_path)),
                       "--mediators", str(mediators),
                       env={"KIOSK_HOST_RESOLVER_RULES": site.rules},
                       mode=request.param) as process:
        process.wait_until_ready()
        yield process


def type_digits(screen: XScreen, digits: str) -> None:
    screen.key(*digits, "Return")


def unlock(kiosk: KioskProcess, screen: XScreen) -> int:
    """Ctrl+Alt+M, Ana's PIN, and the resident's "Yes, I agree": the rights are on.
    Returns the log mark before the consent, for the screen that comes back."""
    mark = len(kiosk.lines)
    screen.key("ctrl+alt+m")
    kiosk.wait_for_screen("pin pad", after=mark)
    mark = len(kiosk.lines)
    type_digits(screen, PIN)
    kiosk.wait_for_screen("consent", after=mark)
    mark = len(kiosk.lines)
    screen.key("Return")
    kiosk.wait_for_log("assisted rights on$", after=mark)
    return mark


def banner_pixels(screen: XScreen, path: Path) -> int:
    """How much of the screen has the banner's own colour (no other screen uses it)."""
    park_pointer(screen)
    return count_colour(screen.screenshot(path), BANNER_RGB, tolerance=8)


def blocked_link(screen: XScreen) -> None:
    # In the page: the name field, the other allowed site, then the link to BLOCKED.
    screen.key("Tab", "Tab", "Tab", "Return")


def test_a_mediator_unlocks_the_extra_allowlist_only_while_assisting(
    kiosk: KioskProcess, screen: XScreen, site: Site, artifacts: Path
) -> None:
    open_tile(kiosk, screen, site, ["Return"], "caf", ALLOWED)
    # Before: the resident is refused the host, which never hears of it.
    mark = len(kiosk.lines)
    blocked_link(screen)
    kiosk.wait_for_log(f"blocked a navigation to {BLOCKED}$", after=mark)
    assert BLOCKED not in site.log.hosts()
    time.sleep(1.0)
    # Ctrl+Alt+M from the page (the blocked page here): the pad, with the keyboard on it.
    mark = len(kiosk.lines)
    screen.key("ctrl+alt+m")
    kiosk.wait_for_screen("pin pad", after=mark)
    mark = len(kiosk.lines)
    type_digits(screen, "111111")
    mark = kiosk.wait_for_log("PIN pad: pin, Wrong$", after=mark)
    kiosk.wait_for_screen("pin pad", after=mark)
    time.sleep(0.5)  # the pad paints
    park_pointer(screen)
    shot = screen.screenshot(artifacts / "assisted-wrong-pin-1280x1024.png")
    check_against_reference(shot, "assisted-wrong-pin-1280x1024")
    mark = len(kiosk.lines)
    type_digits(screen, PIN)
    kiosk.wait_for_screen("consent", after=mark)
    time.sleep(0.5)
    park_pointer(screen)
    shot = screen.screenshot(artifacts / "assisted-consent-1280x1024.png")
    check_against_reference(shot, "assisted-consent-1280x1024")
    mark = len(kiosk.lines)
    screen.key("Return")  # "Yes, I agree" has the keyboard
    kiosk.wait_for_log("assisted rights on$", after=mark)
    kiosk.wait_for_log("the browser window has the keyboard$", after=mark)
    time.sleep(1.0)
    # The host only assisted mode allows now loads.
    # The page shows the refusal of BLOCKED: the toolbar's Reload asks for it again.
    mark = kiosk.toolbar_by_f2(screen)
    screen.key("Tab", "Tab")
    screen.key("Return")  # Home, Back, Reload
    assert wait_for(lambda: BLOCKED in site.log.hosts(), 20), site.log.hosts()
    time.sleep(1.0)
    park_pointer(screen)
    shot = screen.screenshot(artifacts / "assisted-banner-1280x1024.png")
    check_against_reference(shot, "assisted-banner-1280x1024", same_screen=PAGE_SAME_SCREEN)
    # End assistance: the page of the assisted-only host gives way to the blocked page.
    # The keyboard is still on Reload: Back, Home, then the banner's End assistance.
    mark = len(kiosk.lines)
    screen.key("shift+Tab", "shift+Tab", "shift+Tab", "Return")
    kiosk.wait_for_log("assisted rights off$", after=mark)
    kiosk.wait_for_log(f"blocked a navigation to {BLOCKED}$", after=mark)


@pytest.mark.parametrize("mode", mode_params("guard-only"))
def test_the_lockout_holds_across_a_restart_of_the_kiosk(
    mode: str, screen: XScreen, site: Site, tmp_path: Path, artifacts: Path
) -> None:
    args = ("--profile", str(assisted_profile(tmp_path)),
            "--mediators", str(mediators_file(tmp_path)))
    env = {"KIOSK_HOST_RESOLVER_RULES": site.rules}
    with running_kiosk(screen, tmp_path, *args, env=env, mode=mode) as kiosk:
        kiosk.wait_until_ready()
        mark = len(kiosk.lines)
        screen.key("ctrl+alt+m")  # from the home screen
        kiosk.wait_for_screen("pin pad", after=mark)
        for _attempt in range(4):
            mark = len(kiosk.lines)
            type_digits(screen, "111111")
            kiosk.wait_for_log("PIN pad: pin, Wrong$", after=mark)
        mark = len(kiosk.lines)
        type_digits(screen, "111111")
        kiosk.wait_for_log("PIN pad: pin, Locked$", after=mark)
        mark = len(kiosk.lines)
        type_digits(screen, PIN)  # the right PIN is refused too while locked
        kiosk.wait_for_log("PIN pad: pin, Locked$", after=mark)
    with running_kiosk(screen, tmp_path, *args, env=env, mode=mode) as kiosk:
        kiosk.wait_until_ready()
        mark = len(kiosk.lines)
        screen.key("ctrl+alt+m")
        # The pad says at once that it is locked: the restart gave no fresh tries.
        mark = kiosk.wait_for_log("PIN pad: pin, Locked$", after=mark)
        kiosk.wait_for_screen("pin pad", after=mark)
        time.sleep(0.5)
        park_pointer(screen)
        shot = screen.screenshot(artifacts / "assisted-locked-1280x1024.png")
        check_against_reference(shot, "assisted-locked-1280x1024", same_screen=0.01)
        mark = len(kiosk.lines)
        type_digits(screen, PIN)
        kiosk.wait_for_log("PIN pad: pin, Locked$", after=mark)


@pytest.mark.parametrize("mode", mode_params("guard-only"))
def test_the_pin_is_asked_again_after_the_mediators_idle_time(
    mode: str, screen: XScreen, site: Site, tmp_path: Path, artifacts: Path
) -> None:
    # The shortest idle time a profile may give the mediator; the resident keeps 300 s.
    args = ("--profile", str(assisted_profile(tmp_path, idle_timeout=5, journal=True)),
            "--mediators", str(mediators_file(tmp_path)))
    with running_kiosk(screen, tmp_path, *args, env={"KIOSK_HOST_RESOLVER_RULES": site.rules},
                       mode=mode) as kiosk:
        kiosk.wait_until_ready()
        mark = unlock(kiosk, screen)
        kiosk.wait_for_screen("home", after=mark)
        # Nobody touches the terminal: the rights go, the pad asks Ana's PIN again.
        mark = kiosk.wait_for_log("assisted rights off$", after=mark)
        kiosk.wait_for_log("PIN pad: pin$", after=mark)
        kiosk.wait_for_screen("pin pad", after=mark)
        # The banner stays (paused): the resident still sees who is assisting.
        assert banner_pixels(screen, artifacts / "assisted-pin-again.png") > 5000
        mark = len(kiosk.lines)
        type_digits(screen, PIN)
        # The same mediator: the rights come back without asking the resident again.
        index = kiosk.wait_for_log("assisted rights on$", after=mark)
        kiosk.wait_for_screen("home", after=mark)
        assert not any("screen: consent" in line for line in kiosk.lines[mark:index])
        # The kiosk stops while Ana assists: her entry is journaled all the same.
        state = kiosk.state_dir
        assert kiosk.stop() == 0
    check = check_chain(journal_path(state).read_text(encoding="utf-8").splitlines())
    assert check.ok, check.problem
    assert [entry["mediator"] for entry in check.entries] == ["Ana"]


def test_the_rights_are_gone_after_the_wipe(
    kiosk: KioskProcess, screen: XScreen, site: Site, artifacts: Path
) -> None:
    open_tile(kiosk, screen, site, ["Return"], "caf", ALLOWED)
    mark = unlock(kiosk, screen)
    kiosk.wait_for_log("the browser window has the keyboard$", after=mark)
    time.sleep(1.0)  # the banner over the page paints
    assert banner_pixels(screen, artifacts / "assisted-before-the-wipe.png") > 5000
    # End session, from the toolbar: Home, then back round past the banner's End
    # assistance, "?" and "Address…" to End session; then "Yes, end my session".
    mark = kiosk.toolbar_by_f2(screen)
    screen.key("shift+Tab", "shift+Tab", "shift+Tab", "shift+Tab", "Return")
    kiosk.wait_for_screen("end_confirmation", after=mark)
    screen.key("Tab", "Return")
    kiosk.wait_until_ready(after=mark)
    # The next resident's home screen: no banner.
    assert banner_pixels(screen, artifacts / "assisted-after-the-wipe.png") == 0
    # Their page cannot load the host only assisted mode allows.
    asked = len(site.log.paths(BLOCKED))
    open_tile(kiosk, screen, site, ["Return"], "caf", ALLOWED)
    mark = len(kiosk.lines)
    blocked_link(screen)
    kiosk.wait_for_log(f"blocked a navigation to {BLOCKED}$", after=mark)
    assert len(site.log.paths(BLOCKED)) == asked
