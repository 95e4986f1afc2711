"""Run the real `kiosk run` as a process on a private X screen, as in production.

Three run modes (`MODES`), which the end-to-end tests are parametrised over:

- ``guard-only``: as root (the test suite's user); Chromium without its sandbox,
  given the lockdown policy without the "block every other site" rule in a
  private mount namespace (the guard alone filters hosts);
- ``installed``: as root, the same with the installed kiosk's whole policy for
  the profile;
- ``production``: the installed set-up. The kiosk runs as an unprivileged
  system user (`TEST_USER`), so it keeps Chromium's sandbox and gives it no
  policy of its own: Chromium reads the machine's policy folder, which a mount
  namespace of the kiosk's fills with exactly what the package's unit writes
  there as root before each start (`python3 -I -m kiosk.browser.policies
  --install`: the lockdown and the profile's sites).

``KIOSK_TEST_MODES=production`` (a comma-separated list) runs only those modes.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from harness import REPO, XScreen, wait_for

if TYPE_CHECKING:
    from procedure_site import Site

KIOSK = str(REPO / ".venv" / "bin" / "kiosk")


class KioskProcess:
    """A running kiosk whose log lines (stderr) are collected as they come."""

    def __init__(self, proc: subprocess.Popen[str], env: dict[str, str], mode: str) -> None:
        self.proc = proc
        self.session_root = Path(env["KIOSK_SESSION_ROOT"])
        self.state_dir = Path(env["KIOSK_STATE_DIR"])
        home = env.get("HOME")
        # The kiosk user's home, where the wipe must leave nothing.
        self.home = Path(home) if home else Path.home()
        self.mode = mode
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            with self._changed:
                self.lines.append(line.rstrip("\n"))
                self._changed.notify_all()

    def log_text(self) -> str:
        with self._changed:
            return "\n".join(self.lines)

    def wait_for_log(self, pattern: str, timeout: float = 30.0, after: int = 0) -> int:
        """Wait for a log line matching `pattern` (from line `after` on); returns its index."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for index in range(after, len(self.lines)):
                    if regex.search(self.lines[index]):
                        return index
                remaining = deadline - time.monotonic()
                if remaining <= 0 or (self.proc.poll() is not None and not self._reader.is_alive()):
                    raise AssertionError(
                        f"no log line matching {pattern!r}; log:\n" + "\n".join(self.lines))
                self._changed.wait(min(remaining, 0.2))

    def wait_until_ready(self, timeout: float = 30.0, after: int = 0) -> int:
        """The home screen is drawn and the next session's browser waits behind it:
        from now on nothing else grabs the keyboard."""
        self.wait_for_screen("home", timeout, after)
        return self.wait_for_log(r"browser ready for the next session", timeout, after)

    def wait_for_screen(self, name: str, timeout: float = 30.0, after: int = 0) -> int:
        index = self.wait_for_log(rf"screen: {re.escape(name)}$", timeout, after)
        time.sleep(0.3)  # the log line is written just before Tk draws: let it draw
        return index

    def toolbar_by_f2(self, screen: XScreen) -> int:
        """From a page, F2 until the toolbar has the keyboard; returns the log mark before.

        A page that is still loading (a site's answer after an upload) has no F2
        listener yet, and a key pressed just as the browser's window is given the
        keyboard back can be lost on a busy machine: like a resident, the test
        presses F2 again."""
        mark = len(self.lines)
        for attempt in range(5):
            screen.key("F2")
            try:
                self.wait_for_log("keyboard to the toolbar$", timeout=3, after=mark)
                return mark
            except AssertionError:
                if attempt == 4:
                    raise
        return mark

    def end_session_by_keyboard(self, screen: XScreen) -> int:
        """From a page, as a keyboard user: F2 to the toolbar, back round to End session,
        Return, then "Yes, end my session" (Tab, Return). Returns the log mark before."""
        mark = self.toolbar_by_f2(screen)
        screen.key("shift+Tab", "Return")
        self.wait_for_screen("end_confirmation", after=mark)
        screen.key("Tab", "Return")
        return mark

    def stop(self) -> int:
        """SIGTERM (the kiosk wipes and exits), then SIGKILL of the group if it hangs."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self._reader.join(5)
        return self.proc.returncode


MODES = ("guard-only", "installed", "production")
# The unprivileged account of the production mode. Not `kiosk`: on a machine where
# the package is installed that is the real kiosk's account, with its own home and
# session, which tests must neither adopt nor disturb. A system user with no
# password, no home and no shell, created the first time it is needed.
TEST_USER = "borne-test"
KIOSK_PYTHON = REPO / ".venv" / "bin" / "python"
POLICY_PARENT = Path("/etc/chromium")


def selected_modes(*modes: str) -> list[str]:
    """`modes` (all of `MODES` when none is given), less those KIOSK_TEST_MODES leaves out."""
    wanted = os.environ.get("KIOSK_TEST_MODES", "")
    chosen = [m.strip() for m in wanted.split(",") if m.strip()] if wanted else list(MODES)
    unknown = set(chosen) - set(MODES)
    if unknown:
        raise ValueError(f"KIOSK_TEST_MODES: unknown mode(s) {sorted(unknown)}; known: {MODES}")
    return [m for m in (modes or MODES) if m in chosen]


def mode_params(*modes: str) -> list[object]:
    """pytest parameters for `modes`, one per selected mode (all skipped when none is)."""
    chosen = selected_modes(*modes)
    if not chosen:
        return [pytest.param(modes[0] if modes else MODES[0], id="no-selected-mode",
                             marks=pytest.mark.skip(reason="mode not in KIOSK_TEST_MODES"))]
    return list(chosen)


def skip_unless_mode_can_run(mode: str) -> None:
    """Every mode but guard-only needs root: a private mount namespace, another user."""
    if mode != "guard-only" and os.geteuid() != 0:
        pytest.skip(f"the {mode} mode is set up as root (mount namespace, another user)")
    if mode == "production":
        for program in ("unshare", "setpriv", "useradd"):
            if shutil.which(program) is None:
                pytest.skip(f"the production mode needs {program}")
        if not POLICY_PARENT.is_dir():
            pytest.skip(f"the production mode needs {POLICY_PARENT} (install chromium)")
        closed = _closed_to_others(REPO / ".venv")
        if closed is not None:
            pytest.skip(f"the production mode runs this checkout as another user: {closed} "
                        "must let others in (chmod o+x), or use a checkout outside it")


def kiosk_user() -> pwd.struct_passwd:
    """The production mode's account, created once (idempotent, safe if two runs race)."""
    try:
        return pwd.getpwnam(TEST_USER)
    except KeyError:
        pass
    for _attempt in range(10):
        result = subprocess.run(
            ["useradd", "--system", "--user-group", "--no-create-home",
             "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin",
             "--comment", "Borne tests, the unprivileged kiosk user", TEST_USER],
            capture_output=True, text=True, check=False)
        if result.returncode in (0, 9):  # 9: it exists (another run made it meanwhile)
            return pwd.getpwnam(TEST_USER)
        time.sleep(0.5)  # /etc/passwd locked by another program: try again
    raise RuntimeError(f"cannot create the user {TEST_USER}: {result.stderr.strip()}")


def _closed_to_others(path: Path) -> Path | None:
    """The highest folder above `path` that others may not enter (e.g. /root), if any."""
    for folder in reversed(path.parents):
        if not os.stat(folder).st_mode & stat.S_IXOTH:
            return folder
    return None


# Run by `sh -c` as root in the kiosk's own mount namespace, then exec'd into the
# unprivileged kiosk: $1 the staging folder, $2 the Python with the kiosk, $3 the
# interpreter's prefix when a folder closed to others (root's home) hides it,
# else "", $4 that folder, $5 the kiosk program, $6 the profile it runs with
# ("" for the usual choice); the rest is the command to run.
_PRODUCTION_SCRIPT = r"""
set -e
stage=$1 interpreter=$2 python=$3 closed=$4 kiosk=$5 profile=$6
shift 6
# The machine's /etc/chromium as it is (Debian's master_preferences), but its
# policies: only the one the installed kiosk's unit writes as root before each
# start (ExecStartPre), the lockdown and the profile's sites.
cp -a /etc/chromium/. "$stage/etc/"
rm -rf "$stage/etc/policies"
mount -t tmpfs -o mode=0755,size=1m borne-etc-chromium /etc/chromium
cp -a "$stage/etc/." /etc/chromium/
mkdir -p /etc/chromium/policies/managed
"$interpreter" -I -m kiosk.browser.policies --install ${profile:+--profile "$profile"} \
    --output /etc/chromium/policies/managed/borne.json >&2
if [ -n "$python" ]; then
  # The tests' interpreter lives in a folder the kiosk user may not enter:
  # show it that interpreter, and nothing else of the folder.
  mount --bind "$python" "$stage/python"
  mount -t tmpfs -o mode=0755,size=1m borne-closed "$closed"
  mkdir -p "$python"
  mount --move "$stage/python" "$python"
fi
exec "$@"
"""


@contextlib.contextmanager
def production_run(user: pwd.struct_passwd, profile: str) -> Iterator[tuple[Path, list[str]]]:
    """A folder for one production run (state, sessions, home, profile copies, owned
    by `user`) and the command prefix that starts a program as that run's kiosk,
    with the machine's policy installed for `profile` ("": the usual choice)."""
    # In memory, as an installed kiosk's sessions are (/run/user/UID or /dev/shm).
    shm = Path("/dev/shm")
    base = Path(tempfile.mkdtemp(prefix="borne-prod-", dir=shm if shm.is_dir() else None))
    try:
        base.chmod(0o755)
        for name in ("state", "sessions", "home"):
            (base / name).mkdir(mode=0o700)
            os.chown(base / name, user.pw_uid, user.pw_gid)
        (base / "etc").mkdir(mode=0o700)
        (base / "python").mkdir(mode=0o700)
        interpreter = Path(sys.base_prefix).resolve()
        closed = _closed_to_others(interpreter)
        # Slave, not private: mounts the machine makes later (a USB key mounted by
        # borne-usb.service) still reach the kiosk, as in the real unit's namespace;
        # the kiosk's own mounts never leave it.
        prefix = [
            "unshare", "--mount", "--propagation", "slave",
            "sh", "-c", _PRODUCTION_SCRIPT, "borne-production",
            str(base), str(KIOSK_PYTHON),
            str(interpreter) if closed else "", str(closed or ""), KIOSK, profile,
            "setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--init-groups",
            "--",
        ]
        yield base, prefix
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _readable_copy(arg: str, base: Path) -> str:
    """An argument naming a file the kiosk user may not reach (under the tests' private
    temporary folders), as a copy it can read; any other argument as it is."""
    path = Path(arg)
    if not path.is_absolute() or not path.is_file() or _closed_to_others(path) is None:
        return arg
    copy = base / "files" / path.name
    copy.parent.mkdir(exist_ok=True)
    shutil.copyfile(path, copy)
    copy.chmod(0o644)
    return str(copy)


@contextlib.contextmanager
def running_kiosk(
    screen: XScreen, tmp: Path, *args: str, env: dict[str, str] | None = None,
    mode: str = "guard-only", program: str = KIOSK, wrapper: tuple[str, ...] = (),
) -> Iterator[KioskProcess]:
    """`kiosk run ARGS` on `screen` in run `mode` (see `MODES`), with private state and
    session folders under `tmp` (under a folder of its own in the production mode).

    `env` adds to the kiosk's environment; a KIOSK_SESSION_ROOT or HOME in it is
    used as given (in the production mode, given to the kiosk user). `program` is
    the kiosk to run: the virtual environment's, or a bundle's; `wrapper` a command
    prefix it runs through (guard-only and installed modes).
    """
    if mode not in MODES:
        raise ValueError(f"unknown run mode {mode!r}")
    skip_unless_mode_can_run(mode)
    if mode == "production":
        user = kiosk_user()
        profile = args[args.index("--profile") + 1] if "--profile" in args else ""
        with production_run(user, profile) as (base, prefix):
            args = tuple(_readable_copy(a, base) for a in args)
            extra = dict(env or {})
            for name in ("KIOSK_SESSION_ROOT", "HOME"):
                if name in extra:
                    os.chown(extra[name], user.pw_uid, user.pw_gid)
            # A plain environment, as a service manager gives the kiosk user's session.
            full_env = {
                "PATH": "/usr/local/bin:/usr/bin:/bin",
                "LANG": os.environ.get("LANG", "C.UTF-8"),
                "USER": user.pw_name,
                "LOGNAME": user.pw_name,
                "HOME": str(base / "home"),
                # The tests' Xvfb runs without -auth (no access control for local
                # clients), so another user connects with no cookie to hand over.
                "DISPLAY": screen.display,
                "KIOSK_STATE_DIR": str(base / "state"),
                "KIOSK_SESSION_ROOT": str(base / "sessions"),
                "PYTHONUNBUFFERED": "1",
                "PYTHONDONTWRITEBYTECODE": "1",
                **extra,
            }
            argv = [*prefix, program, "run", *args]
            with _kiosk(argv, full_env, mode) as kiosk:
                yield kiosk
        return
    (tmp / "state").mkdir(exist_ok=True)
    (tmp / "sessions").mkdir(exist_ok=True, mode=0o700)
    full_env = {
        **os.environ,
        "DISPLAY": screen.display,
        "KIOSK_STATE_DIR": str(tmp / "state"),
        "KIOSK_SESSION_ROOT": str(tmp / "sessions"),
        "KIOSK_ROOT_POLICY": mode,
        "PYTHONUNBUFFERED": "1",
        **(env or {}),
    }
    with _kiosk([*wrapper, program, "run", *args], full_env, mode) as kiosk:
        yield kiosk


@contextlib.contextmanager
def ready_kiosk(screen: XScreen, tmp: Path, profile_text: str, mode: str,
                host_rules: str) -> Iterator[KioskProcess]:
    """The kiosk on a profile written from `profile_text`, its sites mapped to the local
    test site by `host_rules`, once its home screen is drawn and its browser ready."""
    profile = tmp / "profile.toml"
    profile.write_text(profile_text, encoding="utf-8")
    with running_kiosk(screen, tmp, "--profile", str(profile),
                       env={"KIOSK_HOST_RESOLVER_RULES": host_rules}, mode=mode) as process:
        process.wait_until_ready()
        yield process


@contextlib.contextmanager
def _kiosk(argv: list[str], env: dict[str, str], mode: str) -> Iterator[KioskProcess]:
    proc = subprocess.Popen(
        argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        text=True, start_new_session=True,
    )
    kiosk = KioskProcess(proc, env, mode)
    try:
        yield kiosk
    finally:
        kiosk.stop()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # anything it left behind
        sys.stderr.write(kiosk.log_text()[-4000:] + "\n")


def park_pointer(screen: XScreen) -> None:
    """Out of the way of screenshots (a hovered button changes colour)."""
    screen.run("xdotool", "mousemove", str(screen.width - 1), str(screen.height - 1))


def open_tile(kiosk: KioskProcess, screen: XScreen, site: Site, keys: list[str],
              procedure: str, host: str) -> None:
    """Press `keys` on the home screen and wait until `procedure`'s page is shown."""
    mark = len(kiosk.lines)
    asked = len(site.log.paths(host))
    screen.key(*keys)
    kiosk.wait_for_log(f"procedure opened: {procedure}$", after=mark)
    assert wait_for(lambda: len(site.log.paths(host)) > asked, 20), site.log.hosts()
    kiosk.wait_for_screen("toolbar", after=mark)
    kiosk.wait_for_log("the browser window has the keyboard$", after=mark)
    time.sleep(1.0)  # the page paints


def run_doctor(tmp_path: Path, *args: str, program: str = KIOSK,
               wrapper: tuple[str, ...] = (), **env: str) -> subprocess.CompletedProcess[str]:
    """`kiosk doctor ARGS` with private state, session and policy folders under
    `tmp_path`, no display unless `env` gives one; `program` as for `running_kiosk`,
    run through `wrapper` (a command prefix) if given."""
    base = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    sessions = tmp_path / "sessions"
    sessions.mkdir(mode=0o700, exist_ok=True)
    # SANE with no backend unless the test gives its own: probing every backend of
    # the machine takes seconds a run and tells nothing the other checks' tests look at.
    no_backend = tmp_path / "sane-none"
    no_backend.mkdir(exist_ok=True)
    (no_backend / "dll.conf").write_text("", encoding="utf-8")
    full_env = {**base, "KIOSK_STATE_DIR": str(tmp_path / "state"),
                "KIOSK_SESSION_ROOT": str(sessions),
                "KIOSK_POLICY_DIR": str(tmp_path / "policies"),
                "SANE_CONFIG_DIR": str(no_backend), **env}
    return subprocess.run([*wrapper, program, "doctor", *args], env=full_env, capture_output=True,
                          text=True, timeout=120, check=False)


def line_of(output: str, name: str) -> str:
    """The doctor's line for the check `name`, with its "->" fix line if any."""
    lines = output.splitlines()
    for index, line in enumerate(lines):
        if line.split()[1:2] == [name]:
            follow = lines[index + 1] if index + 1 < len(lines) else ""
            return line + ("\n" + follow if follow.strip().startswith("->") else "")
    raise AssertionError(f"no line for {name} in:\n{output}")
