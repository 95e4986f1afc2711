"""The production mode of the end-to-end tests is what it claims to be.

As root, the kiosk's Chromium runs without its sandbox, under the policy the kiosk
gives it in a private mount namespace. In the production mode
(`kiosk_process.MODES`) the kiosk and every process of its browser run as the
unprivileged test user, the pages run in Chromium's sandbox (a seccomp filter and
a user namespace of their own), the kiosk gives the browser no policy, and the
one Chromium obeys is the machine's: the packaged file and the profile's sites.
The same test runs under guard-only to show that each check tells the two apart.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import REPO, XScreen, wait_for
from kiosk_process import (
    KIOSK,
    KioskProcess,
    kiosk_user,
    mode_params,
    ready_kiosk,
)
from procedure_site import ALLOWED, Site, profile_toml

PACKAGED_POLICY = REPO / "packaging" / "chromium" / "borne.json"

pytestmark = [pytest.mark.browser, pytest.mark.display]

PROFILE = profile_toml([("probe", f"http://{ALLOWED}/probe", [ALLOWED])])
MANAGED = Path("etc/chromium/policies/managed")


@pytest.fixture(params=mode_params("guard-only", "production"))
def kiosk(request: pytest.FixtureRequest, screen: XScreen, site: Site,
          tmp_path: Path) -> Iterator[KioskProcess]:
    with ready_kiosk(screen, tmp_path, PROFILE, request.param, site.rules) as process:
        yield process


def descendants(pid: int) -> list[int]:
    """Every living process below `pid` (zombies left out)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[0] != "Z":
                children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], list(children.get(pid, []))
    while todo:
        child = todo.pop()
        found.append(child)
        todo.extend(children.get(child, []))
    return found


def status(pid: int) -> dict[str, str]:
    lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    return {key: value.strip() for key, _, value in (line.partition(":") for line in lines)}


def command_line(pid: int) -> str:
    """The process's command line, arguments separated by spaces (Chromium's helpers
    rewrite theirs into one string)."""
    return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").replace("\0", " ")


def window_names(screen: XScreen) -> list[str]:
    found = screen.run("xdotool", "search", "--onlyvisible", "--name", "", check=False)
    return [screen.run("xdotool", "getwindowname", w, check=False).stdout.strip()
            for w in found.stdout.split()]


def as_the_kiosk(kiosk: KioskProcess, screen: XScreen,
                 *argv: str) -> subprocess.CompletedProcess[str]:
    """Run `argv` as the running kiosk's user, in its mount namespace, with its settings."""
    user = kiosk_user()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(kiosk.home), "DISPLAY": screen.display,
           "KIOSK_STATE_DIR": str(kiosk.state_dir),
           "KIOSK_SESSION_ROOT": str(kiosk.session_root)}
    return subprocess.run(
        ["nsenter", "-t", str(kiosk.proc.pid), "-m", "setpriv", f"--reuid={user.pw_uid}",
         f"--regid={user.pw_gid}", "--init-groups", "--", *argv],
        env=env, capture_output=True, text=True, timeout=120, check=False)


def test_the_browser_runs_unprivileged_sandboxed_under_the_machine_policy(
    kiosk: KioskProcess, screen: XScreen
) -> None:
    production = kiosk.mode == "production"
    mark = len(kiosk.lines)
    screen.key("Return")
    kiosk.wait_for_log("procedure opened: probe$", after=mark)
    # The page writes what it sees of the policy into its title.
    assert wait_for(lambda: any(n.startswith("PDF viewer ") for n in window_names(screen)),
                    20), window_names(screen)
    # AlwaysOpenPdfExternally: a lockdown policy applies (in production, the machine's).
    assert "PDF viewer off" in window_names(screen)

    processes = descendants(kiosk.proc.pid)
    # The browser and its helpers (not its crash handlers, which take no sandbox flag).
    browsers = [pid for pid in processes
                if command_line(pid).startswith("/usr/lib/chromium/chromium ")]
    renderers = [pid for pid in browsers if " --type=renderer " in command_line(pid)]
    assert browsers and renderers, [command_line(pid)[:80] for pid in processes]
    uid = kiosk_user().pw_uid if production else 0
    for pid in [kiosk.proc.pid, *processes]:
        real, effective, saved, filesystem = status(pid)["Uid"].split()
        assert {real, effective, saved, filesystem} == {str(uid)}, command_line(pid)[:80]
    for pid in browsers:
        assert (" --no-sandbox " in f"{command_line(pid)} ") is not production, command_line(pid)
    own_user_namespace = os.readlink(f"/proc/{kiosk.proc.pid}/ns/user")
    for pid in renderers:
        # The sandbox: a seccomp-bpf filter, and a user namespace of its own.
        assert (status(pid)["Seccomp"] == "2") is production, status(pid)["Seccomp"]
        assert (os.readlink(f"/proc/{pid}/ns/user") != own_user_namespace) is production

    # Which policy: one the kiosk wrote for the browser, or the machine's files as
    # the browser sees them (through its mount namespace).
    given = list(kiosk.session_root.glob("*/policy.json"))
    seen = Path(f"/proc/{browsers[0]}/root") / MANAGED
    files = sorted(path.name for path in seen.iterdir())
    if production:
        assert given == []
        # What the package's unit writes before each start: the lockdown and the sites.
        assert files == ["borne.json"]
        installed = json.loads((seen / "borne.json").read_text(encoding="utf-8"))
        packaged = json.loads(PACKAGED_POLICY.read_text(encoding="utf-8"))
        assert {k: v for k, v in installed.items() if k != "URLAllowlist"} == {
            k: v for k, v in packaged.items() if k != "URLAllowlist"}
        assert f".{ALLOWED}" in installed["URLAllowlist"]
        # Logged before the browser starts, so before "browser ready" was awaited.
        assert "running as root" not in kiosk.log_text()
        # What IT staff would see: kiosk doctor, as the kiosk user, finds nothing wrong.
        run_args = [str(arg) for arg in kiosk.proc.args]  # type: ignore[union-attr]
        profile = run_args[run_args.index("--profile") + 1]  # the copy the kiosk reads
        doctor = as_the_kiosk(kiosk, screen, KIOSK, "doctor", "--profile", profile)
        assert doctor.returncode == 0, doctor.stdout + doctor.stderr
        assert "locks Chromium down" in doctor.stdout and "policies" in doctor.stdout
        assert "is in memory (tmpfs)" in doctor.stdout  # the sessions, as installed
    else:
        assert len(given) == 1 and files == ["borne.json"]
        assert "running as root: Chromium starts without its sandbox" in kiosk.log_text()
