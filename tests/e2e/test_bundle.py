"""The PyInstaller one-folder bundle (`make bundle`), built once, then run as IT staff
and a resident would: its version, its doctor, and its kiosk opening a procedure in
the host's Chromium and coming back home.

The bundle is built into a temporary folder with the same script as `make bundle`,
so a stale dist/ never hides a broken spec.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from harness import REPO, SAMPLE_PROFILE, XScreen
from kiosk_process import line_of, open_tile, park_pointer, run_doctor, running_kiosk
from procedure_site import ALLOWED, Site
from screenshots import check_against_reference

from kiosk import __version__

pytestmark = [pytest.mark.browser, pytest.mark.display]

BUILD_SCRIPT = REPO / "scripts" / "build-bundle.sh"


@pytest.fixture(scope="session")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled `kiosk` program, built once per test run."""
    where = tmp_path_factory.mktemp("bundle")
    started = time.monotonic()
    built = subprocess.run([str(BUILD_SCRIPT), str(where / "dist"), str(where / "work")],
                           capture_output=True, text=True, timeout=600, check=False)
    assert built.returncode == 0, built.stdout + built.stderr
    sys.stderr.write(f"bundle built in {time.monotonic() - started:.1f} s\n")
    program = where / "dist" / "borne" / "kiosk"
    assert program.is_file(), f"no {program}"
    return program


def test_the_bundle_tells_its_version(bundle: Path) -> None:
    done = subprocess.run([str(bundle), "--version"], capture_output=True, text=True,
                          timeout=60, check=False)
    assert (done.returncode, done.stdout) == (0, f"borne {__version__}\n"), done.stderr


def test_the_bundled_doctor_checks_the_host_and_finds_its_own_profile(
    bundle: Path, screen: XScreen, tmp_path: Path
) -> None:
    # No profile on the machine: the doctor falls back to the one inside the bundle.
    result = run_doctor(tmp_path, program=str(bundle), DISPLAY=screen.display,
                        KIOSK_SYSTEM_PROFILE=str(tmp_path / "no-profile.toml"))
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    for check in ("display", "openbox", "tk", "chromium", "disk"):
        assert line_of(result.stdout, check).startswith("OK"), output
    profile = line_of(result.stdout, "profile")
    assert profile.startswith("OK") and str(bundle.parent) in profile, profile
    # The private policy folder is empty: one problem, and the doctor says so.
    assert line_of(result.stdout, "policies").startswith("FAIL")
    assert result.returncode == 1, output


def library_path_of(pid: int) -> str | None:
    """LD_LIBRARY_PATH in the environment process `pid` was started with."""
    environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    for entry in environ:
        name, _, value = entry.partition(b"=")
        if name == b"LD_LIBRARY_PATH":
            return value.decode()
    return None


def test_the_bundled_kiosk_opens_a_procedure_and_comes_back_home(
    bundle: Path, screen: XScreen, site: Site, tmp_path: Path, artifacts: Path
) -> None:
    with running_kiosk(screen, tmp_path, "--profile", str(SAMPLE_PROFILE),
                       env={"KIOSK_HOST_RESOLVER_RULES": site.rules},
                       program=str(bundle)) as kiosk:
        kiosk.wait_until_ready()
        # The same home screen as the kiosk run from source: its fonts, colours and
        # French words (the compiled translations are in the bundle).
        park_pointer(screen)
        home = screen.screenshot(artifacts / "bundle-home-1280x1024.png")
        check_against_reference(home, "home-1280x1024")

        # The browser waiting behind the home screen runs with the host's libraries,
        # not the bundle's.
        started = re.search(r"chromium started, pid (\d+)$", kiosk.log_text(), re.MULTILINE)
        assert started is not None, kiosk.log_text()
        library_path = library_path_of(int(started.group(1))) or ""
        assert str(bundle.parent) not in library_path, library_path

        open_tile(kiosk, screen, site, ["Return"], "caf", ALLOWED)
        mark = kiosk.end_session_by_keyboard(screen)
        kiosk.wait_for_log(r"ending the session \(button\)$", after=mark)
        kiosk.wait_for_screen("home", after=mark)
        kiosk.wait_for_log("browser ready for the next session$", after=mark)
        assert "Traceback" not in kiosk.log_text()

        status = kiosk.stop()
    assert status == 0, "SIGTERM must stop the kiosk cleanly"
    assert list(kiosk.session_root.iterdir()) == [], "the kiosk left session folders"
