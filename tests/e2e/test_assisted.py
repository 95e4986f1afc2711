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

pytestmark = [pytest.mark.browser, pytest.mark.display]

PIN = "246810"


def assisted_profile(tmp_path: Path) -> Path:
    """The sample profile, with assisted mode opening the host residents are refused."""
    profile = tmp_path / "assisted.toml"
    profile.write_text(SAMPLE_PROFILE.read_text(encoding="utf-8") + f"""
[assisted]
allow = ["{BLOCKED}"]
idle_timeout = 1200
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


def blocked_link(screen: XScreen) -> None:
    # In the page: the name field, the other allowed site, then the link to BLOCKED.
    screen.key("Tab", "Tab", "Tab", "Return")


def test_a_mediator_unlocks_the_extra_allowlist_only_while_assisting(
    kiosk: KioskProcess, screen: XScreen, site: Site, artifacts: Path
) -> None:
    open_tile(kiosk, screen, site, ["Return"], "caf", ALLOWED)
    # Ctrl+Alt+M from the page: the pad, with the keyboard on it.
    mark = len(kiosk.lines)
    screen.key("ctrl+alt+m")
    kiosk.wait_for_screen("pin pad", after=mark)
    mark = len(kiosk.lines)
    type_digits(screen, "111111")
    kiosk.wait_for_log("PIN pad: pin, Wrong$", after=mark)
    park_pointer(screen)
    screen.screenshot(artifacts / "assisted-wrong-pin-1280x1024.png")
    mark = len(kiosk.lines)
    type_digits(screen, PIN)
    kiosk.wait_for_screen("consent", after=mark)
    park_pointer(screen)
    screen.screenshot(artifacts / "assisted-consent-1280x1024.png")
    mark = len(kiosk.lines)
    screen.key("Return")  # "Yes, I agree" has the keyboard
    kiosk.wait_for_log("assisted rights on$", after=mark)
    kiosk.wait_for_log("the browser window has the keyboard$", after=mark)
    time.sleep(1.0)
    # The host only assisted mode allows now loads.
    blocked_link(screen)
    assert wait_for(lambda: BLOCKED in site.log.hosts(), 20), site.log.hosts()
    time.sleep(1.0)
    park_pointer(screen)
    screen.screenshot(artifacts / "assisted-banner-1280x1024.png")
    # End assistance: the page of the assisted-only host gives way to the blocked page.
    mark = len(kiosk.lines)
    screen.key("F2")
    kiosk.wait_for_log("keyboard to the toolbar$", after=mark)
    # Home, Back, Reload, Print, then the far side from the title: End assistance.
    screen.key("Tab", "Tab", "Tab", "Tab", "Return")
    kiosk.wait_for_log("assisted rights off$", after=mark)
    kiosk.wait_for_log(f"blocked a navigation to {BLOCKED}$", after=mark)
