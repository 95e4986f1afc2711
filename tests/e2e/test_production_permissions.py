"""In the installed set-up the kiosk's own account cannot change what rules it.

Run as the production mode's unprivileged kiosk user, inside the kiosk's mount
namespace (where the machine's Chromium policy folder is the one the unit writes
as root): writing the profile, the managed policy or the mediators file fails
with "Permission denied".
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import XScreen
from kiosk_process import KioskProcess, kiosk_user, mode_params, ready_kiosk
from procedure_site import ALLOWED, Site, profile_toml

pytestmark = [pytest.mark.browser, pytest.mark.display]

PROFILE = profile_toml([("probe", f"http://{ALLOWED}/probe", [ALLOWED])])
POLICY = Path("/etc/chromium/policies/managed/borne.json")


@pytest.fixture(params=mode_params("production"))
def kiosk(request: pytest.FixtureRequest, screen: XScreen, site: Site,
          tmp_path: Path) -> Iterator[KioskProcess]:
    with ready_kiosk(screen, tmp_path, PROFILE, request.param, site.rules) as process:
        yield process


def as_the_kiosk_user(kiosk: KioskProcess, script: str) -> subprocess.CompletedProcess[str]:
    """`sh -c script` as the kiosk's user, in the kiosk's mount namespace."""
    user = kiosk_user()
    return subprocess.run(
        ["nsenter", "-t", str(kiosk.proc.pid), "-m", "setpriv", f"--reuid={user.pw_uid}",
         f"--regid={user.pw_gid}", "--init-groups", "--", "sh", "-c", script],
        env={"PATH": "/usr/bin:/bin"}, capture_output=True, text=True, timeout=60,
        check=False)


def the_profile_it_reads(kiosk: KioskProcess) -> str:
    args = [str(arg) for arg in kiosk.proc.args]  # type: ignore[union-attr]
    return args[args.index("--profile") + 1]


def test_the_kiosk_user_cannot_write_the_profile_the_policy_or_the_mediators(
    kiosk: KioskProcess, tmp_path: Path
) -> None:
    # Root's folder and file, as /etc/kiosk and `kiosk mediator add` leave them.
    folder = Path(tempfile.mkdtemp(prefix="borne-etc-", dir="/dev/shm"))
    folder.chmod(0o755)
    mediators = folder / "mediators.toml"
    mediators.write_text("[mediators]\n", encoding="utf-8")
    mediators.chmod(0o640)
    try:
        for target in (the_profile_it_reads(kiosk), str(POLICY), str(mediators)):
            # It exists and is readable as the kiosk reads it...
            seen = as_the_kiosk_user(kiosk, f'test -e "{target}"')
            assert seen.returncode == 0, target
            # ...but appending to it or replacing it is refused.
            wrote = as_the_kiosk_user(kiosk, f'echo "x" >> "{target}"')
            assert wrote.returncode != 0 and "Permission denied" in wrote.stderr, (
                target, wrote.stderr)
            replaced = as_the_kiosk_user(
                kiosk, f'echo "x" > "{target}.new" && mv "{target}.new" "{target}"')
            assert replaced.returncode != 0 and "Permission denied" in replaced.stderr, (
                target, replaced.stderr)
        # Nor can it read another account's mediators file (0640, not its group).
        read = as_the_kiosk_user(kiosk, f'cat "{mediators}"')
        assert read.returncode != 0 and "Permission denied" in read.stderr, read.stderr
    finally:
        shutil.rmtree(folder, ignore_errors=True)
