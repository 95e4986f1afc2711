"""`kiosk doctor`: one line per check, with what to do when it fails.

Among them, the installed Chromium policy must hold `policies.ESSENTIAL`.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from kiosk import settings

MIN_FREE_BYTES = 500 * 1024 * 1024
REINSTALL_FIX = (
    "install the kiosk package again "
    "(it installs /etc/chromium/policies/managed/borne.json)"
)
POLICY_REWRITE_FIX = (
    "systemctl restart borne (it writes the policy from the profile), or "
    "python3 -m kiosk.browser.policies --install"
)


class Status(Enum):
    OK = "OK"
    WARN = "WARN"
    FAIL = "FAIL"


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    detail: str
    fix: str = ""

    def line(self) -> str:
        text = f"{self.status.value:<5} {self.name:<12} {self.detail}"
        return f"{text}\n      -> {self.fix}" if self.fix and self.status is not Status.OK else text


def check_display() -> Check:
    display = settings.current().display
    if not display:
        return Check("display", Status.FAIL, "DISPLAY is not set",
                     "run it in the kiosk's X session (borne.service), or set DISPLAY")
    result = _run(["xdpyinfo", "-display", display])
    if result is None or result.returncode != 0:
        return Check("display", Status.FAIL, f"{display} does not answer",
                     "check that the kiosk's X session is running (systemctl status borne)")
    return Check("display", Status.OK, f"{display} answers")


def check_window_manager() -> Check:
    if not settings.current().display:
        return Check("openbox", Status.WARN, "no display to look at")
    result = _run(["xprop", "-root", "_NET_SUPPORTING_WM_CHECK"])
    if result is None or "window id" not in result.stdout:
        return Check("openbox", Status.FAIL, "no window manager on the display",
                     "start openbox with /usr/share/borne/openbox/rc.xml in the kiosk session")
    return Check("openbox", Status.OK, "a window manager is running")


def check_tk() -> Check:
    try:
        import tkinter
    except ImportError:
        return Check("tk", Status.FAIL, "Python has no tkinter", "apt install python3-tk")
    return Check("tk", Status.OK, f"Tk {tkinter.TkVersion}")


def check_chromium() -> Check:
    # The browser `kiosk run` starts: KIOSK_CHROMIUM names it where it is not
    # /usr/bin/chromium (a bundle on another distribution).
    chromium = settings.current().chromium
    if not Path(chromium).exists():
        return Check("chromium", Status.FAIL, f"{chromium} not found",
                     "apt install chromium (or set KIOSK_CHROMIUM to the browser's path)")
    result = _run([chromium, "--version"], timeout=20)
    if result is None or result.returncode != 0:
        return Check("chromium", Status.FAIL, "chromium does not start",
                     "reinstall it: apt install --reinstall chromium")
    return Check("chromium", Status.OK, result.stdout.strip())


def check_profile(cli_path: Path | None) -> Check:
    from kiosk.config.load import choose_profile_path, load_profile
    from kiosk.errors import ProfileError

    path = choose_profile_path(cli_path)
    try:
        profile = load_profile(path)
    except ProfileError as error:
        first = error.problems[0]
        more = f" (and {len(error.problems) - 1} more)" if len(error.problems) > 1 else ""
        return Check("profile", Status.FAIL, f"{first}{more}",
                     f"run 'kiosk profile check {path}' and correct the file")
    return Check("profile", Status.OK,
                 f"{path}: {len(profile.procedures)} procedures in {len(profile.groups)} groups")


def check_policy(cli_path: Path | None) -> Check:
    ok, detail, fix = policy_status(cli_path)
    return Check("policies", Status.OK if ok else Status.FAIL, detail, fix)


def policy_dir() -> Path:
    """Where Chromium reads managed policies ($KIOSK_POLICY_DIR overrides it)."""
    return settings.current().policy_dir


def missing_lockdown(policy: dict[str, Any]) -> list[str]:
    """Names of the essential settings that are absent or differ from Borne's."""
    from kiosk.browser.policies import ESSENTIAL, ESSENTIAL_LIST_ENTRIES

    missing = [key for key, wanted in ESSENTIAL.items() if policy.get(key) != wanted]
    for key, entries in ESSENTIAL_LIST_ENTRIES.items():
        value = policy.get(key)
        if not isinstance(value, list) or not all(entry in value for entry in entries):
            missing.append(key)
    return missing


def policy_status(cli_path: Path | None = None) -> tuple[bool, str, str]:
    """(ok, detail, fix) about the installed policy file, for `kiosk doctor`.

    With a profile (the one `kiosk run` would use, from `cli_path` or the usual
    places), also fails when the folder's policies, read together as Chromium
    does, do not allow all of its sites (see `kiosk.browser.policies`).
    """
    from kiosk.browser.policies import POLICY_FILE_NAME, read_policy_dir

    path = policy_dir() / POLICY_FILE_NAME
    policy, detail, fix = _read_installed_policy(path)
    if policy is None:
        return False, detail, fix
    if policy.get("DeveloperToolsAvailability") == 2:
        return False, (
            f"{path} sets DeveloperToolsAvailability to 2, which also forbids the kiosk's own "
            "control of the browser: every page would stay blank"), REINSTALL_FIX
    missing = missing_lockdown(policy)
    if missing:
        return False, f"{path} lacks lockdown settings: {', '.join(missing)}", REINSTALL_FIX
    uncovered = _profile_sites_not_allowed(read_policy_dir(path.parent), cli_path)
    if uncovered:
        # The policy blocks every site it does not list: Chromium itself would
        # refuse these, whatever the CDP guard allows.
        shown = ", ".join(uncovered[:5]) + (" ..." if len(uncovered) > 5 else "")
        return False, (
            f"{path} does not list these sites of the profile, so Chromium refuses them: "
            f"{shown}"), POLICY_REWRITE_FIX
    return True, f"{path} locks Chromium down", ""


def _read_installed_policy(path: Path) -> tuple[dict[str, Any] | None, str, str]:
    """(policy, "", "") from the installed file, or (None, detail, fix) when it is unusable."""
    if not path.exists():
        return None, f"{path} is missing", REINSTALL_FIX
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return None, f"{path} cannot be read: {error}", (
            f"make {path} readable by everyone (chmod 644), or " + REINSTALL_FIX)
    try:
        policy = json.loads(text)
    except ValueError as error:
        return None, f"{path} is not valid JSON ({error})", REINSTALL_FIX
    if not isinstance(policy, dict):
        return None, f"{path} does not hold a JSON object", REINSTALL_FIX
    return policy, "", ""


def _profile_sites_not_allowed(policy: dict[str, Any], cli_path: Path | None) -> list[str]:
    """Profile patterns missing from the policy's URLAllowlist (empty when no profile loads)."""
    from kiosk.browser.policies import url_filter

    try:
        from kiosk.config.load import choose_profile_path, load_profile
    except ImportError:
        return []
    try:
        profile = load_profile(choose_profile_path(cli_path))
        allowlist = profile.allowlist(assisted=True)
    except Exception:  # a bad profile is the profile check's business, not this one's
        return []
    listed = policy.get("URLAllowlist")
    entries = set(listed) if isinstance(listed, list) else set()
    return [str(p) for p in allowlist.patterns if url_filter(p) not in entries]


def check_printing(cli_path: Path | None) -> Check:
    """CUPS answers and the profile's printer (or CUPS's default) is there and ready.

    A warning, not a failure: a terminal without a printer still serves residents
    (its Print item says printing is not available).
    """
    from kiosk.config.load import choose_profile_path, load_profile
    from kiosk.errors import ProfileError

    try:
        printing = load_profile(choose_profile_path(cli_path)).printing
    except ProfileError:
        return Check("printing", Status.WARN, "not checked: the profile does not load")
    if not printing.enabled:
        return Check("printing", Status.OK, "off in the profile")
    try:
        import cups

        connection = cups.Connection()
        printers: dict[str, Any] = connection.getPrinters()
        default = connection.getDefault()
    except ImportError:
        return Check("printing", Status.WARN, "pycups is missing", "apt install python3-cups")
    except RuntimeError:
        return Check("printing", Status.WARN, "CUPS does not answer",
                     "apt install cups; systemctl enable --now cups")
    name = printing.queue or default or (sorted(printers)[0] if printers else "")
    if not name or name not in printers:
        missing = f"no queue {printing.queue!r}" if printing.queue else "no printer"
        return Check("printing", Status.WARN, f"CUPS has {missing}",
                     "plug the printer in (CUPS finds USB and network printers itself), "
                     "or add it with lpadmin")
    state = printers[name].get("printer-state", 0)
    if state == 5:
        return Check("printing", Status.WARN, f"{name} is paused", f"cupsenable {name}")
    return Check("printing", Status.OK, f"{name} is ready")


def check_mediators() -> Check:
    """The mediators file: how many mediators, or why assisted mode is unavailable.

    A missing file is a warning (a terminal may do without assisted mode); a
    file that is there but cannot be used is a failure (someone meant it to work,
    or its hashes are open to every user).
    """
    from kiosk.assisted.mediators import MediatorsFileError, Problem, read_mediators

    path = settings.current().mediators_file
    try:
        mediators = read_mediators(path)
    except MediatorsFileError as error:
        status = Status.WARN if error.problem is Problem.MISSING else Status.FAIL
        return Check("mediators", status, f"assisted mode is unavailable: {error.message}")
    if not mediators:
        return Check("mediators", Status.WARN,
                     f"assisted mode is unavailable: {path} lists no mediator",
                     "kiosk mediator add NAME")
    with_code = sum(1 for m in mediators if m.has_totp)
    return Check("mediators", Status.OK,
                 f"{len(mediators)} mediator(s) in {path}, {with_code} with a second factor")


SANE_LIST_TIMEOUT_S = 15.0  # probing every SANE backend can take seconds


def udev_devices() -> list[Any]:
    """The scanners, printers and USB storage udev knows now (DevicePlugged events)."""
    import pyudev

    from kiosk.devices.hotplug import WATCHED_SUBSYSTEMS, classify

    context = pyudev.Context()
    return [event for subsystem in WATCHED_SUBSYSTEMS
            for device in context.list_devices(subsystem=subsystem)
            for event in classify(device.sys_path, dict(device.properties))]


def sane_devices(timeout: float = SANE_LIST_TIMEOUT_S) -> list[str] | None:
    """SANE's device list (`scanimage -L`), "name (vendor model)"; None if it did not
    answer in time or is missing."""
    result = _run(["scanimage", "-L"], timeout)
    if result is None:
        return None
    found = []
    for line in result.stdout.splitlines():
        match = re.match(r"device [`'](.+?)' is an? (.*)$", line.strip())
        if match:
            found.append(f"{match.group(1)} ({match.group(2)})")
    return found


def _labels(events: list[Any], kind: str) -> list[str]:
    return [event.label or event.sys_path for event in events if event.kind == kind]


def check_scanners(devices: list[Any] | None) -> Check:
    """USB scanners udev recognised, and the scanners SANE lists (network ones too)."""
    sane = sane_devices()
    seen = _labels(devices or [], "scanner")
    parts = [f"udev: {', '.join(seen)}"] if seen else []
    if sane:
        parts.append(f"SANE: {', '.join(sane)}")
    if sane is None:
        parts.append("SANE did not answer (scanimage -L)")
    if not seen and not sane:
        where = "udev sees no USB scanner" if devices is not None else "udev cannot be read"
        return Check("scanners", Status.WARN, f"none: {where}; " + "; ".join(
            parts or ["SANE lists none"]),
            "plug the scanner in; scanimage -L must list it (install its SANE driver, "
            "or sane-airscan for a driverless one)")
    return Check("scanners", Status.OK, "; ".join(parts))


def check_usb_printers(devices: list[Any] | None) -> Check:
    """USB printers udev recognised (network printers are CUPS's: see `printing`)."""
    if devices is None:
        return Check("usb-printers", Status.WARN, "udev cannot be read",
                     "check that systemd-udevd runs (systemctl status systemd-udevd)")
    seen = _labels(devices, "printer")
    if not seen:
        return Check("usb-printers", Status.OK,
                     "none: udev sees no USB printer (a network printer is not listed here)")
    return Check("usb-printers", Status.OK, ", ".join(seen))


def _udev_or_none() -> list[Any] | None:
    try:
        return udev_devices()
    except Exception:  # no udev (a container) or no pyudev: the checks say so
        return None


def check_disk() -> Check:
    from kiosk.settings import state_dir

    target = _existing_parent(state_dir())
    usage = shutil.disk_usage(target)
    if usage.free < MIN_FREE_BYTES:
        return Check("disk", Status.FAIL, f"only {usage.free // 2**20} MiB free on {target}",
                     "free some space (journalctl --vacuum-size=100M, apt clean)")
    return Check("disk", Status.OK, f"{usage.free // 2**20} MiB free on {target}")


def check_sessions() -> Check:
    from kiosk.session.directory import find_stale, is_tmpfs, session_root

    root = session_root()
    stale = find_stale(root)
    if stale:
        return Check("sessions", Status.WARN,
                     f"{len(stale)} leftover session folder(s) in {root} (power cut?)",
                     "they are wiped when the kiosk starts; restart it: systemctl restart borne")
    if not is_tmpfs(root):
        return Check("sessions", Status.WARN, f"{root} is on disk, not in memory (tmpfs)",
                     "mount a tmpfs there, or let systemd give the kiosk user /run/user/UID")
    return Check("sessions", Status.OK, f"{root} is in memory (tmpfs), nothing left over")


def _existing_parent(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _run(args: list[str], timeout: float = 5) -> subprocess.CompletedProcess[str] | None:
    try:
        return subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None


def _guarded(name: str, check: Callable[[], Check]) -> Check:
    try:
        return check()
    except Exception as error:  # a broken check must not hide the others
        return Check(name, Status.FAIL, f"the check itself failed: {error}")


def _device_checks() -> list[Check]:
    devices = _udev_or_none()
    return [_guarded("scanners", lambda: check_scanners(devices)),
            _guarded("usb-printers", lambda: check_usb_printers(devices))]


def run_doctor(cli_path: Path | None) -> int:
    """Print every check; exit status 1 when any failed."""
    checks = [
        _guarded("display", check_display),
        _guarded("openbox", check_window_manager),
        _guarded("tk", check_tk),
        _guarded("chromium", check_chromium),
        _guarded("profile", lambda: check_profile(cli_path)),
        _guarded("policies", lambda: check_policy(cli_path)),
        _guarded("printing", lambda: check_printing(cli_path)),
        _guarded("mediators", check_mediators),
        *_device_checks(),
        _guarded("disk", check_disk),
        _guarded("sessions", check_sessions),
    ]
    for check in checks:
        print(check.line())
    failed = [c for c in checks if c.status is Status.FAIL]
    print(f"{len(failed)} problem(s) found." if failed else "Everything looks right.")
    return 1 if failed else 0
