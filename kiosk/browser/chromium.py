"""The Chromium process of one session: its command line, environment, start and end.

Chromium runs in its own session and process group, with everything it writes
(profile, caches, the odd file in $HOME) inside the session directory, and its
DevTools pipe on fds 3 and 4. Ending it is a SIGKILL to the whole group followed
by waiting until no process of the group is left; the killing and reaping
themselves are `kiosk.browser.reaper`'s, which knows nothing of Chromium.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import shlex
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk import settings
from kiosk.browser.reaper import (
    KILL_WAIT_SECONDS,
    SESSION_VARIABLE,
    claim_exit_status,
    claimed_exit_statuses,
    group_members,
    is_subreaper,
    kill_process_group,
    reap_stray_children,
    release_exit_status,
)

log = logging.getLogger(__name__)

# The page the browser waits on before a tile is tapped. App mode (a window with
# no tabs, address bar or menu) only accepts a web-safe scheme, so not
# about:blank; this empty data: page is the one non-site page the guard lets by.
START_URL = "data:text/html;charset=utf-8,<!DOCTYPE html><title>Borne</title>"
MAX_TMPDIR_BYTES = 60

# The programs Chromium runs to hand something to another application, found
# through PATH (execvp): xdg-open for an external scheme and "open file",
# xdg-email for mailto: (platform_util_linux.cc, run with no dialog even for a
# script's `location.href = 'mailto:…'`); xdg-settings and xdg-mime to ask which
# application handles a scheme; kdialog and zenity for KDE's and GNOME's file
# dialogs. The rest are what xdg-open and friends delegate to on a desktop. In
# the browser's PATH each is a stub that opens nothing (see `install_handler_stubs`).
HANDLER_STUBS = (
    "xdg-open", "xdg-email", "xdg-mime", "xdg-settings", "gio", "gvfs-open",
    "kde-open", "kde-open5", "kfmclient", "gnome-open", "exo-open", "kdialog", "zenity",
    "sensible-browser", "x-www-browser", "www-browser",
)
# The system's folders, for a caller whose environment has no PATH.
FALLBACK_PATH = "/usr/local/bin:/usr/bin:/bin"

# Features that phone home, pop up bubbles or open windows of their own.
DISABLED_FEATURES = (
    "Translate",
    "MediaRouter",
    "DialMediaRouteProvider",
    "OptimizationHints",
    "AutofillServerCommunication",
    "CertificateTransparencyComponentUpdater",
    "InterestFeedContentSuggestions",
    "PrivacySandboxSettings4",
    "SidePanelPinning",
    "HardwareMediaKeyHandling",
    "GlobalMediaControls",
    "DownloadBubble",
    "DownloadBubbleV2",
    "NetworkTimeServiceQuerying",
)


@dataclass(frozen=True)
class LaunchOptions:
    """What a session's Chromium is started with."""

    session_dir: Path
    bounds: tuple[int, int, int, int]
    language: str
    host_resolver_rules: str | None = None
    start_url: str = START_URL
    # The managed policy to give this browser alone when running as root (see
    # `private_policy_prefix`); None: only the machine's own policy applies.
    policy: dict[str, Any] | None = None


# The profile's first preferences: what the managed policy also says, for the
# machines without it (development, tests) where only these keep Chromium quiet.
FIRST_PREFERENCES: dict[str, object] = {
    "translate": {"enabled": False},
    "credentials_enable_service": False,
    "profile": {"password_manager_enabled": False},
    "autofill": {"profile_enabled": False, "credit_card_enabled": False},
    "download": {"prompt_for_download": False},
}


def seed_profile(session_dir: Path) -> None:
    """Create the browser profile folder with Borne's first preferences."""
    default = profile_dir(session_dir) / "Default"
    default.mkdir(parents=True, exist_ok=True, mode=0o700)
    preferences = default / "Preferences"
    if not preferences.exists():
        preferences.write_text(json.dumps(FIRST_PREFERENCES), encoding="utf-8")


def chromium_path() -> str:
    """The Chromium launcher: $KIOSK_CHROMIUM, else the Debian one."""
    return settings.current().chromium


def running_as_root() -> bool:
    return os.geteuid() == 0


def profile_dir(session_dir: Path) -> Path:
    return session_dir / "profile"


# Chromium's own calls home that flags and policies leave on: measured with
# --log-net-log on Chromium 156, an idle guarded browser asked
# accounts.google.com (ListAccounts, five times a minute, despite BrowserSignin
# 0), update.googleapis.com (despite --disable-component-update and
# ComponentUpdatesEnabled false) and clients2.google.com (network time). Their
# names resolve to nothing in the kiosk's browser. Other Google hosts are left
# alone: procedure sites use reCAPTCHA and Google's fonts.
UNREACHABLE_HOSTS = ("accounts.google.com", "update.googleapis.com", "clients2.google.com")


def resolver_rules(extra: str | None) -> str:
    """--host-resolver-rules: the tests' mappings first (first match wins), then the
    hosts that must never be reached."""
    rules = [f"MAP {host} ~NOTFOUND" for host in UNREACHABLE_HOSTS]
    return ", ".join([extra, *rules] if extra else rules)


def command_line(options: LaunchOptions, executable: str | None = None) -> list[str]:
    """The full argument vector, executable first."""
    x, y, width, height = options.bounds
    args = [
        executable or chromium_path(),
        "--remote-debugging-pipe",
        f"--user-data-dir={profile_dir(options.session_dir)}",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-breakpad",
        "--disable-crash-reporter",
        "--disable-domain-reliability",
        "--disable-client-side-phishing-detection",
        "--disable-default-apps",
        "--disable-extensions",
        "--disable-notifications",
        "--disable-search-engine-choice-screen",
        f"--disable-features={','.join(DISABLED_FEATURES)}",
        "--noerrdialogs",
        "--deny-permission-prompts",
        "--metrics-recording-only",
        "--password-store=basic",
        "--use-mock-keychain",
        "--disable-session-crashed-bubble",
        "--hide-crash-restore-bubble",
        "--force-renderer-accessibility",
        f"--lang={options.language}",
        f"--window-position={x},{y}",
        f"--window-size={width},{height}",
    ]
    args.append(f"--host-resolver-rules={resolver_rules(options.host_resolver_rules)}")
    if running_as_root():
        # Chromium refuses to start as root with its sandbox. Only development
        # and test machines run the kiosk as root; the kiosk user keeps it.
        args.append("--no-sandbox")
    # App mode: a window with no tabs, address bar or menu; the kiosk's toolbar
    # gives Home, Back and Reload instead.
    args.append(f"--app={options.start_url}")
    return args


POLICY_PARENT = Path("/etc/chromium")
# Run by `sh -c`: $0 is /etc/chromium, $1 the policy file, the rest Chromium's argv.
_POLICY_SCRIPT = ('mount -t tmpfs -o mode=0755,size=1m borne-policy "$0" '
                  '&& mkdir -p "$0/policies/managed" '
                  '&& cp "$1" "$0/policies/managed/borne.json" && shift && exec "$@"')


def private_policy_prefix(session_dir: Path, policy: dict[str, Any] | None) -> list[str]:
    """A command prefix that gives Chromium `policy` in a mount namespace of its own.

    Chromium reads managed policies only from /etc/chromium/policies. An
    installed kiosk runs unprivileged and gets them from its package; as root
    (development, tests, CI) the kiosk instead mounts a private /etc/chromium
    for this browser alone, so that the lockdown is the real one without
    touching the machine's files. Empty when that is not possible or wanted.
    """
    if policy is None or not running_as_root() or not settings.current().private_policy:
        return []
    unshare, sh = shutil.which("unshare"), shutil.which("sh")
    if unshare is None or sh is None or not POLICY_PARENT.is_dir():
        log.warning("cannot give Chromium a private policy (no unshare or %s)", POLICY_PARENT)
        return []
    policy_file = session_dir / "policy.json"
    policy_file.write_text(json.dumps(policy), encoding="utf-8")
    return [unshare, "--mount", "--propagation", "private", sh, "-c", _POLICY_SCRIPT,
            str(POLICY_PARENT), str(policy_file)]


def handler_stub_dir(session_dir: Path) -> Path:
    return session_dir / "no-handlers"


def handler_log(session_dir: Path) -> Path:
    """The file where the stubs write which of them Chromium ran, one name a line."""
    return session_dir / "handlers-asked.log"


def install_handler_stubs(session_dir: Path) -> Path:
    """Fill the session's stub folder (first on the browser's PATH); returns it.

    A page must never start a program: a mail client started by `mailto:` would
    show the resident's address outside the kiosk and could outlive the session.
    Each stub writes its own name (never its arguments: they hold the resident's
    data) to `handler_log` and fails, which Chromium takes as "no handler".
    """
    folder = handler_stub_dir(session_dir)
    folder.mkdir(exist_ok=True, mode=0o700)
    log_file = shlex.quote(str(handler_log(session_dir)))
    for name in HANDLER_STUBS:
        stub = folder / name
        stub.write_text(f"#!/bin/sh\n# Borne: a page may not start {name}.\n"
                        f"echo {name} >> {log_file}\nexit 1\n", encoding="utf-8")
        stub.chmod(0o700)
    return folder


def scratch_dir(session_dir: Path) -> Path:
    """Chromium's TMPDIR: in the session, unless that path is too long for its sockets.

    Chromium puts a unix socket at TMPDIR/org.chromium.Chromium.XXXXXX/SingletonSocket
    and dies when that path passes the 107-byte limit; a deep session folder
    (test runs) then gets a private folder in the system's temporary folder,
    which `ChromiumProcess.kill` deletes.
    """
    inside = session_dir / "tmp"
    if len(os.fsencode(inside)) <= MAX_TMPDIR_BYTES:
        return inside
    return Path(tempfile.mkdtemp(prefix="borne-"))


def environment(
    session_dir: Path, base: dict[str, str] | None = None, tmp: Path | None = None
) -> dict[str, str]:
    """The browser's environment: the caller's, with every home-like folder in the session
    the stubs of `install_handler_stubs` first on PATH, and the session's marker
    (`kiosk.browser.reaper.session_marker`), which every process it starts inherits.

    The system's folders stay after the stubs: Debian's /usr/bin/chromium is a
    shell script that needs grep, tr and the like.
    """
    env = dict(os.environ if base is None else base)
    stubs = install_handler_stubs(session_dir)
    env["PATH"] = f"{stubs}{os.pathsep}{env.get('PATH') or FALLBACK_PATH}"
    # What the wipe finds every process of this session by, however it detached.
    env[SESSION_VARIABLE] = str(session_dir)
    home = session_dir / "home"
    folders = {
        "HOME": home,
        "XDG_CONFIG_HOME": home / ".config",
        "XDG_CACHE_HOME": home / ".cache",
        "XDG_DATA_HOME": home / ".local" / "share",
        "XDG_STATE_HOME": home / ".local" / "state",
        "TMPDIR": tmp or session_dir / "tmp",
    }
    for name, path in folders.items():
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        env[name] = str(path)
    runtime = session_dir / "runtime"
    runtime.mkdir(exist_ok=True, mode=0o700)
    os.chmod(runtime, 0o700)  # XDG_RUNTIME_DIR must be private or programs ignore it
    env["XDG_RUNTIME_DIR"] = str(runtime)
    # Chromium's launcher script adds flags from this variable; ours are complete.
    env.pop("CHROMIUM_FLAGS", None)
    env.pop("CHROME_WRAPPER", None)
    return env


def _is_renderer(pid: int) -> bool:
    try:
        return b"--type=renderer" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def interface_language(language: str) -> dict[str, str]:
    """The variables that set Chromium's own words (its rare dialogs and menus).

    On Linux Chromium follows LANGUAGE (then LANG), not --lang, and has words for
    other languages than English only with Debian's chromium-l10n installed. The
    C.UTF-8 locale keeps the character set right without needing a generated locale.
    """
    return {"LANGUAGE": language, "LANG": "C.UTF-8"}


class ChromiumProcess:
    """A started Chromium: its pid (= process group = session id) and DevTools pipe ends.

    `write_fd` and `read_fd` are the kiosk's ends of the DevTools pipes; the
    caller hands them to a CdpPipe, which owns them from then on.
    """

    def __init__(
        self, pid: int, write_fd: int, read_fd: int, scratch: Path | None = None,
        session_dir: Path | None = None,
    ) -> None:
        self.pid = pid
        # Its exit status is the waiter thread's: never reaped by anyone else.
        claim_exit_status(pid)
        self.scratch = scratch
        # What the browser's strays name on their command line (see processes_naming).
        self.markers = tuple(str(path) for path in (session_dir, scratch) if path is not None)
        self.write_fd = write_fd
        self.read_fd = read_fd
        self.returncode: int | None = None
        self._exited = threading.Event()
        self._on_exit: Callable[[int], None] | None = None
        self._lock = threading.Lock()
        self._waiter = threading.Thread(target=self._wait, name="chromium-wait", daemon=True)
        self._waiter.start()

    def kill_renderers(self) -> int:
        """SIGKILL every page process of this browser (not the browser itself); how many.

        A page stuck in a loop answers nothing, not even a reload: its process must
        go, and the browser shows the page again in a new one.
        """
        killed = 0
        for pid, _state, _parent in group_members(self.pid):
            if pid != self.pid and _is_renderer(pid):
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
                    killed += 1
        return killed

    @classmethod
    def reap_strays(cls) -> int:
        """Reap the zombies handed to the kiosk (a subreaper) by earlier browsers.

        The kill reaps what it sees; a helper that dies a moment later is left as a
        zombie. Those are the kiosk's children outside its own process group (what
        the kiosk itself runs, xdotool or xsel, stays in it), but the browsers whose
        waiter thread wants their exit status.
        """
        if not is_subreaper():
            return 0  # then our only children are those we started and wait for ourselves
        return reap_stray_children(claimed_exit_statuses())

    @classmethod
    def launch(cls, options: LaunchOptions, env: dict[str, str] | None = None) -> ChromiumProcess:
        """Start Chromium with its DevTools pipe on fds 3 (commands) and 4 (replies)."""
        reaped = cls.reap_strays()
        if reaped:
            log.info("reaped %d helper(s) of earlier browsers", reaped)
        if running_as_root():
            log.warning("running as root: Chromium starts without its sandbox")
        session_dir = options.session_dir
        seed_profile(session_dir)
        tmp = scratch_dir(session_dir)
        child_env = environment(session_dir, env, tmp)
        child_env.update(interface_language(options.language))
        outside = tmp if not tmp.is_relative_to(session_dir) else None
        argv = private_policy_prefix(session_dir, options.policy) + command_line(options)
        commands_r, commands_w = os.pipe()
        replies_r, replies_w = os.pipe()
        # Move the child's ends above 4 first, so dup2 onto 3 and 4 never
        # overwrites one end with the other whatever numbers os.pipe() gave.
        child_in = fcntl.fcntl(commands_r, fcntl.F_DUPFD_CLOEXEC, 10)
        child_out = fcntl.fcntl(replies_w, fcntl.F_DUPFD_CLOEXEC, 10)
        os.close(commands_r)
        os.close(replies_w)
        log_path = session_dir / "chromium.log"
        try:
            pid = os.posix_spawn(
                argv[0], argv, child_env,
                file_actions=[
                    (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                    (os.POSIX_SPAWN_OPEN, 1, str(log_path),
                     os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600),
                    (os.POSIX_SPAWN_DUP2, 1, 2),
                    (os.POSIX_SPAWN_DUP2, child_in, 3),
                    (os.POSIX_SPAWN_DUP2, child_out, 4),
                ],
                setsid=True,
                setsigdef=(signal.SIGPIPE, signal.SIGINT, signal.SIGTERM),
            )
        except OSError:
            os.close(commands_w)
            os.close(replies_r)
            if outside is not None:
                shutil.rmtree(outside, ignore_errors=True)
            raise
        finally:
            os.close(child_in)
            os.close(child_out)
        log.info("chromium started, pid %d", pid)
        return cls(pid, commands_w, replies_r, outside, session_dir)

    # -- exit watching -------------------------------------------------------------------

    def on_exit(self, callback: Callable[[int], None]) -> None:
        """Call callback(returncode) on the waiter thread when the browser process ends."""
        with self._lock:
            self._on_exit = callback
            code = self.returncode
        if code is not None:
            callback(code)

    def wait(self, timeout: float) -> int | None:
        """The exit code (negative: killed by that signal), or None if still running."""
        self._exited.wait(timeout)
        return self.returncode

    def _wait(self) -> None:
        while True:
            try:
                _, status = os.waitpid(self.pid, 0)
            except InterruptedError:
                continue
            except ChildProcessError:
                status = None
            break
        release_exit_status(self.pid)
        code = os.waitstatus_to_exitcode(status) if status is not None else -1
        with self._lock:
            self.returncode = code
            callback = self._on_exit
        self._exited.set()
        log.info("chromium (pid %d) ended: %d", self.pid, code)
        if callback is not None:
            try:
                callback(code)
            except Exception:
                log.exception("the browser exit handler failed")

    # -- kill ----------------------------------------------------------------------------

    def kill(self, timeout: float = KILL_WAIT_SECONDS) -> list[int]:
        """SIGKILL every process of the browser's group and session; wait until none is left.

        Zombies count as gone (those re-parented to the kiosk, a child subreaper,
        are reaped here). Returns the pids still alive after `timeout`.
        """
        survivors = kill_process_group(self.pid, timeout, main=self, markers=self.markers)
        if self.scratch is not None and not survivors:
            shutil.rmtree(self.scratch, ignore_errors=True)
        return survivors

