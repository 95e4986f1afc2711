"""The monkey: random keys, chords, clicks and drags on the real kiosk, then its health.

A seeded `random.Random` draws every action, so the same seed replays the same
sequence of input (the timing follows the machine, as a resident's does). Each
action is written to the monkey's log as `seed=S step=N kind: xdotool arguments`.

The kiosk runs with a profile of two tiles (`monkey_profile`): the procedure site's
monkey page (tests/procedure_site.py: links to allowed and blocked hosts, new
windows, mailto:, file:, javascript:, chrome:// and other schemes, forms with a
file input, a download, alert, confirm, prompt and print), twice, and the canary
page (tests/canary.py). While the monkey plays, a watcher notes every process that
appears on the machine. Afterwards `run_monkey` says what went wrong, from positive
signals only:

- the kiosk process is alive, wrote no traceback and no internal error;
- the active window is the kiosk's or its browser's, and their windows cover the
  whole screen (nothing of a desktop shows);
- `xwininfo -root -tree` lists no client window but the kiosk's, at most one of
  its browser's shown, and the window manager's own;
- the procedure site was asked for no host outside the profile's allowlist;
- no program appeared but the kiosk's own (its browser and helpers, the device
  tools) and the tools this driver runs;
- the session the monkey was in ends, and one more session (the canary) finds
  nothing of any earlier one, nor is any canary token left on the machine after
  its own end.

Two entry points: tests/e2e/test_monkey.py (a minute, one fixed seed) and
`make monkey` (`python tests/monkey.py`: MONKEY_SECONDS, default 600, and
MONKEY_SEED, random unless given; MONKEY_MODE, production when this machine can
run it).
"""

from __future__ import annotations

import os
import random
import re
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from canary import find_token, reports, standard_roots
from harness import XScreen, wait_for, x_screen
from kiosk_process import POLICY_PARENT, KioskProcess, running_kiosk
from procedure_site import ALLOWED, CANARY_HOST, OTHER, Site, profile_toml

# -- the profile --------------------------------------------------------------------------

TILES = ("monkey", "monkey-again", "canary")
IDLE_TIMEOUT = 10
IDLE_WARNING = 5


def monkey_profile(port: int) -> str:
    """The monkey page (whose links lead everywhere) on two tiles, so that a random tap
    on the home screen mostly leads there, and the canary; a short idle timeout (the
    monkey's session ends by itself once the input stops), no time limit."""
    toml = profile_toml([
        ("monkey", f"http://{ALLOWED}/monkey", [ALLOWED, OTHER]),
        ("monkey-again", f"http://{ALLOWED}/monkey?again", [ALLOWED, OTHER]),
        ("canary", f"http://{CANARY_HOST}:{port}/canary", [CANARY_HOST]),
    ])
    return toml.replace("[help]", f"[session]\nidle_timeout = {IDLE_TIMEOUT}\n"
                        f"idle_warning = {IDLE_WARNING}\nmax_duration = 0\n\n[help]", 1)


ALLOWED_HOSTS = {ALLOWED, OTHER, CANARY_HOST}

# -- the actions ---------------------------------------------------------------------------

LETTERS = "abcdefghijklmnopqrstuvwxyz0123456789"
SINGLE_KEYS = (
    "Tab", "Return", "Escape", "space", "BackSpace", "Delete", "Up", "Down", "Left",
    "Right", "Home", "End", "Prior", "Next", "super", "Menu", "Insert",
    *(f"F{n}" for n in range(1, 13)),
)
# The shortcuts a resident may know, each a way out on a desktop.
KNOWN_CHORDS = (
    "ctrl+n", "ctrl+t", "ctrl+shift+n", "ctrl+shift+t", "ctrl+o", "ctrl+s", "ctrl+p",
    "ctrl+u", "ctrl+shift+i", "ctrl+shift+j", "ctrl+shift+c", "ctrl+shift+Delete",
    "ctrl+h", "ctrl+j", "ctrl+d", "ctrl+f", "ctrl+g", "ctrl+l", "ctrl+k", "ctrl+e",
    "ctrl+w", "ctrl+q", "ctrl+shift+q", "ctrl+shift+w", "ctrl+F4", "ctrl+Tab",
    "ctrl+plus", "ctrl+minus", "ctrl+0", "ctrl+a", "ctrl+c", "ctrl+v", "ctrl+x",
    "ctrl+Return", "shift+Return", "alt+Return", "alt+F4", "alt+Tab", "alt+shift+Tab",
    "alt+Left", "alt+Right", "alt+Home", "alt+F", "alt+e", "alt+space", "alt+F2",
    "ctrl+alt+F1", "ctrl+alt+F2", "ctrl+alt+t", "ctrl+alt+Delete", "ctrl+alt+BackSpace",
    "ctrl+Escape", "shift+Escape", "shift+F10", "super+e", "super+r", "super+d",
    "super+l", "F11", "F12", "F5", "ctrl+F5", "ctrl+r", "F6", "F10", "F7",
)
MODIFIERS = ("ctrl", "alt", "shift", "super")
BUTTONS = (1, 1, 1, 2, 3)  # mostly left, as fingers and mice are
# How often each kind of action comes (out of their sum).
WEIGHTS = {"key": 30, "chord": 20, "known": 8, "click": 30, "drag": 7, "type": 5}


@dataclass(frozen=True)
class Action:
    """One step of the monkey: its number, its kind, and the xdotool arguments it runs."""

    step: int
    kind: str
    args: tuple[str, ...]

    def describe(self, seed: int) -> str:
        return f"seed={seed} step={self.step} {self.kind}: {' '.join(self.args)}"


def actions(seed: int, width: int, height: int) -> Iterator[Action]:
    """The endless sequence of actions that `seed` gives on a `width`x`height` screen."""
    rng = random.Random(seed)
    kinds = list(WEIGHTS)
    weights = list(WEIGHTS.values())
    step = 0
    while True:
        kind = rng.choices(kinds, weights)[0]
        yield Action(step, kind, _draw(rng, kind, width, height))
        step += 1


def _draw(rng: random.Random, kind: str, width: int, height: int) -> tuple[str, ...]:
    def point() -> tuple[str, str]:
        return str(rng.randrange(width)), str(rng.randrange(height))

    if kind == "key":
        key = rng.choice(SINGLE_KEYS) if rng.random() < 0.6 else rng.choice(LETTERS)
        return ("key", key)
    if kind == "chord":
        mods = rng.sample(MODIFIERS, rng.randint(1, 3))
        key = rng.choice((*SINGLE_KEYS, *LETTERS))
        return ("key", "+".join([*mods, key]))
    if kind == "known":
        return ("key", rng.choice(KNOWN_CHORDS))
    if kind == "click":
        button = str(rng.choice(BUTTONS))
        repeat = "2" if rng.random() < 0.2 else "1"
        return ("mousemove", *point(), "click", "--repeat", repeat, button)
    if kind == "drag":
        button = str(rng.choice(BUTTONS))
        return ("mousemove", *point(), "mousedown", button, "mousemove", *point(),
                "mouseup", button)
    text = "".join(rng.choice(LETTERS + " .@/:") for _ in range(rng.randint(1, 12)))
    return ("type", "--delay", "15", text)


def release_everything(screen: XScreen) -> None:
    """No modifier or button stays down after the monkey (a failed command may leave one)."""
    screen.run("xdotool", "keyup", "ctrl", "alt", "shift", "super", check=False)
    for button in ("1", "2", "3"):
        screen.run("xdotool", "mouseup", button, check=False)


# -- what appears on the machine ----------------------------------------------------------

# Programs the kiosk runs itself (its browser and its helpers, the device tools,
# the mount namespace set-up of the production mode), by executable name.
KIOSK_PROGRAMS = {
    "chromium", "chrome_crashpad_handler", "chrome-sandbox", "python3", "python3.11",
    "kiosk", "scanimage", "lp", "lpstat", "lpoptions", "cancel", "unshare", "setpriv",
    "sh", "dash", "mount", "umount", "espeak-ng", "pdftoppm", "pdfinfo", "xset", "xdotool",
}


def _stat_fields(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def _ancestors(pid: int) -> Iterator[int]:
    while pid > 1:
        fields = _stat_fields(pid)
        if fields is None:
            return
        pid = int(fields[1])
        yield pid


def _display_of(pid: int) -> str:
    try:
        environ = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return ""
    for entry in environ.split(b"\0"):
        if entry.startswith(b"DISPLAY="):
            return entry[8:].decode(errors="replace")
    return ""


def _executable(pid: int) -> str:
    try:
        return Path(os.readlink(f"/proc/{pid}/exe")).name.removesuffix(" (deleted)")
    except OSError:
        return ""


def _cmdline(pid: int) -> list[str]:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


@dataclass
class ProcessWatch:
    """Every process that appears while the monkey plays: those under the kiosk by
    program, and any other on the kiosk's display that this driver did not start."""

    kiosk_pid: int
    display: str
    started: Counter[str] = field(default_factory=Counter)
    strangers: list[str] = field(default_factory=list)
    handler_stubs: Counter[str] = field(default_factory=Counter)
    _seen: set[tuple[int, str]] = field(default_factory=set)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> ProcessWatch:
        self._look(record=False)  # what was there before
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        self._look(record=True)

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            self._look(record=True)

    def _look(self, record: bool) -> None:
        me = os.getpid()
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            pid = int(entry.name)
            fields = _stat_fields(pid)
            if fields is None or fields[0] == "Z":
                continue
            key = (pid, fields[19])
            if key in self._seen:
                continue
            self._seen.add(key)
            if record:
                self._judge(pid, me)

    def _judge(self, pid: int, me: int) -> None:
        lineage = set(_ancestors(pid))
        program = _executable(pid)
        if not program:
            return  # already gone
        if self.kiosk_pid in lineage:
            command = _cmdline(pid)
            stub = next((Path(a).name for a in command[1:2] if "/no-handlers/" in a), "")
            if stub:
                self.handler_stubs[stub] += 1  # the kiosk's own stand-in: it opens nothing
            elif program in KIOSK_PROGRAMS:
                self.started[program] += 1
            else:
                self.strangers.append(f"{program} (pid {pid}) under the kiosk: "
                                      f"{' '.join(command)[:200]}")
        elif me not in lineage and pid != self.kiosk_pid and \
                _display_of(pid) == self.display:
            self.strangers.append(f"{program} (pid {pid}) on the kiosk's display: "
                                  f"{' '.join(_cmdline(pid))[:200]}")


def descendants(pid: int) -> set[int]:
    """Every living process below `pid`."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat_fields(int(entry.name))
            if fields is not None and fields[0] != "Z":
                children.setdefault(int(fields[1]), []).append(int(entry.name))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


# -- the windows ---------------------------------------------------------------------------

# A client window in `xwininfo -root -tree`: id, name, then (instance class).
TREE_LINE = re.compile(r'^\s*(0x[0-9a-f]+) (?:"(.*)"|\(has no name\)): '
                       r'\((?:"(.*?)" "(.*?)"|"(.*?)" \(none\))?\)\s+(\d+)x(\d+)\+(-?\d+)\+(-?\d+)'
                       r'\s+\+(-?\d+)\+(-?\d+)')
KIOSK_CLASS = "Borne"
BROWSER_CLASS = "Chromium"
WINDOW_MANAGER_INSTANCES = {"OPENBOX_FOCUS_CYCLE_POPUP"}


@dataclass(frozen=True)
class Window:
    """A client window (one with a WM_CLASS) and where it is on the screen."""

    id: str
    name: str
    instance: str
    klass: str
    x: int
    y: int
    width: int
    height: int
    viewable: bool


def client_windows(screen: XScreen) -> list[Window]:
    """Every window with a WM_CLASS in `xwininfo -root -tree`, mapped or not."""
    tree = screen.run("xwininfo", "-root", "-tree", check=False).stdout
    found = []
    for line in tree.splitlines():
        match = TREE_LINE.match(line)
        if match is None:
            continue
        ident, name, instance, klass, lone_instance = match.group(1, 2, 3, 4, 5)
        if instance is None and lone_instance is None:
            continue  # no WM_CLASS: an inner or helper window, never a client's frame
        width, height, x, y = (int(v) for v in match.group(6, 7, 10, 11))
        state = screen.run("xwininfo", "-id", ident, check=False).stdout
        found.append(Window(ident, name or "", instance or lone_instance or "", klass or "",
                            x, y, width, height, "IsViewable" in state))
    return found


def _pid_of(screen: XScreen, window: str) -> int | None:
    out = screen.run("xprop", "-id", window, "_NET_WM_PID", check=False).stdout
    found = re.search(r"= (\d+)", out)
    return int(found.group(1)) if found else None


def window_problems(screen: XScreen, kiosk_pid: int) -> list[str]:
    """What is wrong with the windows: any of another program, a second browser window
    shown, a browser window of a process not the kiosk's, a desktop showing through."""
    problems = []
    ours = descendants(kiosk_pid) | {kiosk_pid}
    windows = client_windows(screen)
    shown_browsers = []
    for window in windows:
        if window.klass == KIOSK_CLASS:
            continue
        if window.instance in WINDOW_MANAGER_INSTANCES or window.name == "Openbox":
            continue
        if window.klass != BROWSER_CLASS:
            problems.append(f"a window of another program: {window}")
            continue
        pid = _pid_of(screen, window.id)
        if pid is not None and pid not in ours:
            problems.append(f"a browser window of a process not the kiosk's ({pid}): {window}")
        if window.viewable and window.width > 10 and window.height > 10:
            shown_browsers.append(window)
    if len(shown_browsers) > 1:
        problems.append(f"{len(shown_browsers)} browser windows shown: {shown_browsers}")
    shown = [w for w in windows if w.viewable and w.klass in (KIOSK_CLASS, BROWSER_CLASS)]
    uncovered = _uncovered_point(shown, screen.width, screen.height)
    if uncovered is not None:
        problems.append(f"the desktop shows at {uncovered}: {shown}")
    active = screen.run("xdotool", "getactivewindow", check=False).stdout.strip()
    by_id = {int(w.id, 16): w for w in windows}
    front = by_id.get(int(active)) if active.isdigit() else None
    if front is None or front.klass not in (KIOSK_CLASS, BROWSER_CLASS):
        problems.append(f"the window in front is not the kiosk's: {active or 'none'} {front}")
    return problems


def _uncovered_point(windows: list[Window], width: int, height: int
                     ) -> tuple[int, int] | None:
    """A point of the screen that no window covers (on a 16-pixel grid), if any."""
    for y in range(0, height, 16):
        for x in range(0, width, 16):
            if not any(w.x <= x < w.x + w.width and w.y <= y < w.y + w.height
                       for w in windows):
                return x, y
    return None


# -- the run -------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What the monkey did and what was found."""

    seed: int
    seconds: float = 0.0
    actions: int = 0
    by_kind: Counter[str] = field(default_factory=Counter)
    sessions: int = 0
    procedures: Counter[str] = field(default_factory=Counter)
    blocked: int = 0
    problems: list[str] = field(default_factory=list)
    programs: Counter[str] = field(default_factory=Counter)
    handler_stubs: Counter[str] = field(default_factory=Counter)
    hosts: set[str] = field(default_factory=set)

    def summary(self) -> str:
        lines = [
            f"monkey: seed {self.seed}, {self.seconds:.0f} s, {self.actions} actions "
            f"({dict(self.by_kind)}), {self.sessions} sessions ended, "
            f"procedures opened {dict(self.procedures)}, {self.blocked} navigations blocked",
            f"  hosts asked: {sorted(self.hosts)}",
            f"  programs under the kiosk: {dict(self.programs)}; "
            f"handler stubs run: {dict(self.handler_stubs)}",
        ]
        lines += [f"  PROBLEM: {p}" for p in self.problems] or ["  no problem found"]
        return "\n".join(lines)


def play(screen: XScreen, kiosk: KioskProcess, seed: int, seconds: float,
         log: Callable[[str], None], outcome: Outcome) -> None:
    """Send the seed's actions for `seconds` (stops early if the kiosk dies)."""
    started = time.monotonic()
    for action in actions(seed, screen.width, screen.height):
        if time.monotonic() - started >= seconds or kiosk.proc.poll() is not None:
            break
        log(action.describe(seed))
        screen.run("xdotool", *action.args, check=False)
        outcome.actions += 1
        outcome.by_kind[action.kind] += 1
    release_everything(screen)
    outcome.seconds = time.monotonic() - started


def settle(kiosk: KioskProcess, mark: int) -> None:
    """The monkey's session ends by itself (idle); the home screen is ready again.

    When the monkey stopped outside any session (on the home screen with nothing
    open), no idle ending comes: the home screen then must already be there."""
    try:
        ending = kiosk.wait_for_log(r"ending the session \(",
                                    timeout=IDLE_TIMEOUT + IDLE_WARNING + 30, after=mark)
    except AssertionError:
        screens = re.findall(r"screen: (\S+)$", kiosk.log_text(), re.MULTILINE)
        assert screens and screens[-1] == "home", \
            f"no idle ending and not on the home screen (last screens {screens[-5:]})"
        return
    kiosk.wait_until_ready(timeout=60, after=ending)


def open_canary(screen: XScreen, kiosk: KioskProcess, site: Site) -> str:
    """From a fresh home screen, the canary tile by keyboard; the visit's token."""
    mark = len(kiosk.lines)
    visits = len(site.log.tokens)
    screen.key(*["Tab"] * TILES.index("canary"), "Return")
    kiosk.wait_for_log("procedure opened: canary$", after=mark)
    assert wait_for(lambda: len(site.log.tokens) > visits, 30), "the canary did not open"
    token = site.log.tokens[-1]
    assert wait_for(lambda: reports(site, "planted", token), 30), site.log.reports
    kiosk.wait_for_log("the browser window has the keyboard$", after=mark)
    return token


def final_session(screen: XScreen, kiosk: KioskProcess, site: Site, outcome: Outcome) -> None:
    """One more session: the canary finds nothing of the earlier ones, and after it ends
    no canary token (the monkey's visits and its own) is left on the machine."""
    earlier = list(site.log.tokens)
    token = open_canary(screen, kiosk, site)
    visit = reports(site, "report")[-1]
    if visit.get("found") != [""]:
        outcome.problems.append(f"the next session found leftovers: {visit}")
    mark = kiosk.end_session_by_keyboard(screen)
    ending = kiosk.wait_for_log(r"ending the session \(button\)$", after=mark)
    kiosk.wait_until_ready(timeout=60, after=ending)
    wipe = kiosk.wait_for_log(r"wipe \(button\)", after=ending)
    if "not verified" in kiosk.lines[wipe]:
        outcome.problems.append(f"the wipe was not verified: {kiosk.lines[wipe]}")
    roots = standard_roots(kiosk.session_root, home=kiosk.home)
    for each in [*earlier, token]:
        left = find_token(each, roots)
        if left:
            outcome.problems.append(f"canary token {each} left in {left}")


def check_log(kiosk: KioskProcess, outcome: Outcome) -> None:
    text = kiosk.log_text()
    outcome.sessions = len(re.findall(r"ending the session \(", text))
    outcome.procedures = Counter(re.findall(r"procedure opened: (\S+)$", text, re.MULTILINE))
    outcome.blocked = len(re.findall(r"blocked a navigation to ", text))
    for marker in ("Traceback", "internal error", "out of service", "not verified"):
        if marker in text:
            lines = [line for line in kiosk.lines if marker in line][:3]
            outcome.problems.append(f"the kiosk's log says {marker!r}: {lines}")


def run_monkey(screen: XScreen, kiosk: KioskProcess, site: Site, seed: int, seconds: float,
               log: Callable[[str], None]) -> Outcome:
    """Play, then check everything (see the module's docstring); returns what was found."""
    outcome = Outcome(seed)
    kiosk.wait_until_ready(timeout=60)
    watch = ProcessWatch(kiosk.proc.pid, screen.display).start()
    try:
        play(screen, kiosk, seed, seconds, log, outcome)
    finally:
        watch.stop()
    mark = len(kiosk.lines)
    outcome.programs = watch.started
    outcome.handler_stubs = watch.handler_stubs
    outcome.problems += [f"a program appeared: {s}" for s in watch.strangers]
    if kiosk.proc.poll() is not None:
        outcome.problems.append(f"the kiosk died (exit {kiosk.proc.returncode})")
        check_log(kiosk, outcome)
        return outcome
    # A window being closed by the kiosk (a popup it folds into its own) may still
    # be there for a moment after the last key: wait until the windows are right.
    problems: list[str] = []

    def windows_right() -> bool:
        problems[:] = window_problems(screen, kiosk.proc.pid)
        return not problems

    if not wait_for(windows_right, 15, interval=0.5):
        outcome.problems += problems
    outcome.hosts = site.log.hosts()
    outside = outcome.hosts - ALLOWED_HOSTS
    if outside:
        outcome.problems.append(f"requests reached hosts outside the allowlist: {outside}")
    settle(kiosk, mark)
    final_session(screen, kiosk, site, outcome)
    if kiosk.proc.poll() is not None:
        outcome.problems.append(f"the kiosk died (exit {kiosk.proc.returncode})")
    check_log(kiosk, outcome)
    return outcome


def kiosk_env(mode: str, site: Site, folder: Path) -> dict[str, str]:
    """The kiosk's environment: the site's host rules; outside the production mode (which
    makes the kiosk user's own) a home and a short session root of the run's own, so that
    the token search looks at them and not at the caller's home."""
    env = {"KIOSK_HOST_RESOLVER_RULES": site.rules}
    if mode != "production":
        home = folder / "home"
        home.mkdir(exist_ok=True)
        # Chromium's sockets must fit in 107 bytes: a short session root.
        sessions = tempfile.mkdtemp(prefix="monkey-", dir="/dev/shm")
        env |= {"HOME": str(home), "KIOSK_SESSION_ROOT": sessions}
    return env


def choose_mode() -> str:
    """Production (the kiosk user, Chromium's sandbox, the installed policy) when this
    machine can run it, else the guard alone."""
    wanted = os.environ.get("MONKEY_MODE")
    if wanted:
        return wanted
    can = os.geteuid() == 0 and POLICY_PARENT.is_dir() and all(
        Path(p).exists() for p in ("/usr/bin/unshare", "/usr/bin/setpriv"))
    return "production" if can else "guard-only"


def main() -> int:
    """`make monkey`: MONKEY_SECONDS (600) of a seed's input (MONKEY_SEED, else random)."""
    seconds = float(os.environ.get("MONKEY_SECONDS", "600"))
    seed = int(os.environ.get("MONKEY_SEED") or random.SystemRandom().randrange(10**9))
    mode = choose_mode()
    print(f"monkey: seed {seed} (replay: MONKEY_SEED={seed} make monkey), {seconds:.0f} s, "
          f"mode {mode}", flush=True)
    log_path = Path(tempfile.gettempdir()) / f"monkey-{seed}.log"
    site = Site().start()
    try:
        with x_screen(1280, 1024) as screen, \
                tempfile.TemporaryDirectory(prefix="monkey-") as tmp, \
                log_path.open("w", encoding="utf-8") as steps:
            folder = Path(tmp)
            profile = folder / "monkey.toml"
            profile.write_text(monkey_profile(site.port), encoding="utf-8")

            def log(line: str) -> None:
                steps.write(line + "\n")
                steps.flush()

            env = kiosk_env(mode, site, folder)
            try:
                with running_kiosk(screen, folder, "--profile", str(profile), env=env,
                                   mode=mode) as kiosk:
                    outcome = run_monkey(screen, kiosk, site, seed, seconds, log)
            finally:
                if "KIOSK_SESSION_ROOT" in env:
                    shutil.rmtree(env["KIOSK_SESSION_ROOT"], ignore_errors=True)
    finally:
        site.stop()
    print(outcome.summary())
    print(f"every action: {log_path}")
    return 1 if outcome.problems else 0


if __name__ == "__main__":
    sys.exit(main())
