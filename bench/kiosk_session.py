"""The real kiosk as a resident uses it: tile to page, End session to a fresh home, memory,
and many sessions in a row in one kiosk process.

`kiosk run` runs on a private 1280x1024 Xvfb + openbox screen and is driven with xdotool
(keys and clicks) against the tests' procedure site on 127.0.0.1.

Clocks. Every time here is wall-clock (`time.time()`), so that three clocks agree: the
benchmark's (taken just before xdotool is started, so a figure includes a few ms to
start xdotool: see `xdotool_start_s`), the procedure site's (each request is stamped on
the server thread as it arrives) and the kiosk's (its log lines carry a millisecond
timestamp).

"Page ready". The start page of tests/procedure_site.py ("/") loads nothing once parsed,
so its request only says that navigation began. The benchmark therefore points the
"caf" tile at the site's "/bench" page, whose image is requested once the page is
parsed, the same way for any browser set-up; both the page's request and the image's
are reported. The reference is bench/session.py's bare run: the same Chromium binary
and command line, a new profile folder, opening "/bench" directly.

The toolbar's End session button is found on a screenshot of the strip: the rightmost
block of the "danger" red (#b3261e, kiosk/ui/theme.py) in the strip's rows. Should the
theme change, the computed place is used instead: the strip is `toolbar_height` =
round(3.1 * max(17, height / 44)) = 71 px high at 1280x1024, and End session is packed
last on the right, so its middle is about 60 px from the right edge.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from PIL import Image, ImageChops

from bench.common import (
    REPO,
    KioskProcess,
    ProcessRow,
    XScreen,
    alive,
    command,
    pss_mib,
    renderers,
    rss_mib,
    running_kiosk,
    summary,
    tree,
    x_screen,
)

sys.path[:0] = [str(REPO / "tests"), str(REPO / "tests" / "browser")]

from procedure_site import ALLOWED, Site, profile_toml  # noqa: E402

SAMPLE = REPO / "tests" / "data" / "sample.toml"
SCREEN = (1280, 1024)
SESSIONS_ENV = "BENCH_SESSIONS"
DEFAULT_SESSIONS = 100
BARE_RUNS = 5
MEMORY_SESSIONS = (1, 2, 3, 4, 5)  # sessions in which memory is sampled with the page open
EARLY_SESSION = 5  # RSS and fds after this session are the baseline for growth
PROGRESS_EVERY = 10

PAGE = "/bench"
PARSED = "/ready.gif"
WAIT = 30.0  # seconds for anything the kiosk or the browser should do
F2_TRIES, F2_WAIT = 5, 3.0
SETTLE = 0.4  # Tk logs a screen's name just before drawing it: let it draw
MEMORY_SETTLE = 1.0
DANGER_RED = (0xB3, 0x26, 0x1E)
STRIP_ROWS = 71  # the toolbar strip's height at 1280x1024 (see the module docstring)
LOG_STAMP = "%Y-%m-%d %H:%M:%S,%f"


class BenchError(RuntimeError):
    """The kiosk did not do what a resident expects; the message says what and where."""


# -- clocks -------------------------------------------------------------------------------


class RequestClock:
    """Arrival time of every request the site receives, stamped on the server's thread."""

    def __init__(self, site: Site) -> None:
        self._lock = threading.Lock()
        self._seen: list[tuple[float, str, str]] = []
        record = site.log.add

        def add(host: str, path: str, language: str) -> None:
            stamp = time.time()
            with self._lock:
                self._seen.append((stamp, host, path))
            record(host, path, language)

        site.log.add = add  # type: ignore[method-assign]

    def arrival(self, host: str, path: str, since: float, timeout: float = WAIT) -> float:
        """When `host` was first asked for `path` at or after `since`."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                for stamp, seen_host, seen_path in self._seen:
                    if stamp >= since and seen_host == host and seen_path == path:
                        return stamp
            if time.monotonic() > deadline:
                with self._lock:
                    recent = [(h, p) for s, h, p in self._seen if s >= since]
                raise BenchError(f"the site was not asked for http://{host}{path} within "
                                 f"{timeout:.0f} s; it was asked for: {recent or 'nothing'}")
            time.sleep(0.002)


def log_time(line: str) -> float:
    """The wall-clock time a kiosk log line was written (its asctime prefix)."""
    try:
        return datetime.strptime(line[:23], LOG_STAMP).timestamp()
    except ValueError as error:
        raise BenchError(f"a kiosk log line without a timestamp: {line!r}") from error


def wait_line(kiosk: KioskProcess, pattern: str, after: int, what: str) -> int:
    """The index of the next log line matching `pattern`, or a BenchError saying `what`."""
    try:
        return kiosk.wait_for_log(pattern, WAIT, after)
    except AssertionError as error:
        tail = "\n".join(kiosk.lines[-30:])
        raise BenchError(f"{what}: no log line matching {pattern!r} within {WAIT:.0f} s "
                         f"(kiosk {'running' if kiosk.proc.poll() is None else 'exited'}); "
                         f"last lines:\n{tail}") from error


def keyboard_to_toolbar(kiosk: KioskProcess, screen: XScreen, after: int) -> None:
    """F2 from a page, once the browser window has the keyboard (from line `after` on).

    The window takes the keyboard a moment after the toolbar is drawn, and an F2
    pressed just then can go nowhere: like a resident, press it again."""
    wait_line(kiosk, "the browser window has the keyboard$", after, "the page's keyboard")
    mark = len(kiosk.lines)
    for _ in range(F2_TRIES):
        screen.key("F2")
        try:
            kiosk.wait_for_log("keyboard to the toolbar$", F2_WAIT, mark)
            return
        except AssertionError:
            continue
    raise BenchError(f"F2 pressed {F2_TRIES} times, the toolbar never took the keyboard")


def xdotool_start_s(screen: XScreen, runs: int = 5) -> float:
    """What starting xdotool costs (it is part of every measured key press)."""
    times = []
    for _ in range(runs):
        begin = time.time()
        screen.run("xdotool", "getmouselocation")
        times.append(time.time() - begin)
    return summary(times)["median"]


# -- processes ------------------------------------------------------------------------------


def describe(pid: int, row: ProcessRow) -> str:
    ppid, state, name, group, session = row
    return f"{pid} {name} state={state} ppid={ppid} pgid={group} sid={session} " + command(pid)


def open_fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def last_browser_pid(kiosk: KioskProcess) -> int:
    """The pid of the last Chromium the kiosk started (its process group too)."""
    for line in reversed(kiosk.lines):
        found = re.search(r"chromium started, pid (\d+)", line)
        if found:
            return int(found.group(1))
    raise BenchError("the kiosk never logged 'chromium started, pid N'")


# -- the resident's gestures ----------------------------------------------------------------


def end_button_position(screen: XScreen) -> tuple[int, int]:
    """The middle of the toolbar's End session button, found on a screenshot of the strip."""
    found = danger_button_position(screen, STRIP_ROWS)
    if found is None:  # no red button on the strip: the computed place
        sys.stderr.write("bench: End session not found on the screenshot, using the "
                         "computed position\n")
        return screen.width - 60, STRIP_ROWS // 2
    return found


def danger_button_position(screen: XScreen, rows: int | None = None, top: int = 0
                           ) -> tuple[int, int] | None:
    """The middle of the block of the theme's "danger" red in `rows` rows of the screen
    from row `top` (all of them by default): End session in the toolbar, "Yes, end my
    session" on its confirmation. None when there is no such block."""
    height = rows or screen.height - top
    raw = subprocess.run(
        ["import", "-display", screen.display, "-window", "root", "-crop",
         f"{screen.width}x{height}+0+{top}", "-depth", "8", "rgb:-"],
        env=screen.env, capture_output=True, check=False, timeout=20).stdout
    if len(raw) < screen.width * height * 3:
        return None
    shot = Image.frombytes("RGB", (screen.width, height), raw[:screen.width * height * 3])
    # Red where the shot is exactly the danger colour, black elsewhere.
    away = ImageChops.difference(shot, Image.new("RGB", shot.size, DANGER_RED)).convert("L")
    box = away.point(lambda value: 255 if value == 0 else 0).getbbox()
    if box is None or (box[2] - box[0]) * (box[3] - box[1]) < 200:
        return None
    return (box[0] + box[2]) // 2, top + (box[1] + box[3]) // 2


def bench_profile(folder: Path) -> Path:
    """sample.toml with the "caf" tile on the site's page that reports itself parsed."""
    text = SAMPLE.read_text(encoding="utf-8")
    old = f'start_url = "http://{ALLOWED}/"'
    if old not in text:
        raise BenchError(f"{SAMPLE} has no line {old!r} any more: update bench/kiosk_session.py")
    path = folder / "bench-profile.toml"
    path.write_text(text.replace(old, f'start_url = "http://{ALLOWED}{PAGE}"', 1),
                    encoding="utf-8")
    return path


def tap_first_tile(kiosk: KioskProcess, screen: XScreen, clock: RequestClock
                   ) -> dict[str, float]:
    """Return on the home screen (the first tile has the focus) until the page is parsed."""
    mark = len(kiosk.lines)
    tap = time.time()
    screen.key("Return")
    requested = clock.arrival(ALLOWED, PAGE, tap)
    parsed = clock.arrival(ALLOWED, PARSED, tap)
    wait_line(kiosk, r"procedure opened: caf$", mark, "tapping the first tile")
    wait_line(kiosk, r"screen: toolbar$", mark, "showing the toolbar")
    return {"tap_to_request": requested - tap, "tap_to_parsed": parsed - tap}


def end_session(kiosk: KioskProcess, screen: XScreen, button: tuple[int, int]
                ) -> dict[str, float]:
    """Click End session, Tab to "Yes, end my session", Return; until the next browser."""
    mark = len(kiosk.lines)
    screen.click(*button)
    wait_line(kiosk, r"screen: end_confirmation$", mark,
              f"clicking End session at {button}")
    time.sleep(SETTLE)
    screen.key("Tab")  # from "No, go back" to "Yes, end my session"
    time.sleep(0.15)
    mark = len(kiosk.lines)
    confirm = time.time()
    screen.key("Return")
    ending = wait_line(kiosk, r"ending the session \(button\)$", mark,
                       "confirming with Tab, Return")
    home = wait_line(kiosk, r"screen: home$", ending, "the fresh home screen")
    ready = wait_line(kiosk, r"browser ready for the next session$", ending,
                      "the next session's browser")
    return {"confirm_to_home": log_time(kiosk.lines[home]) - confirm,
            "confirm_to_ready": log_time(kiosk.lines[ready]) - confirm}


# Pages that try to hold a resident who wants to leave (tests/procedure_site.py), and how
# each is made hostile once shown: a tap (a "leave this page?" question needs one), or
# nothing (a busy loop starts by itself), or SIGSTOP of every renderer (a hung page).
HOSTILE_PAGES = (("stay", "/beforeunload", "tap"), ("busy", "/busy", "none"),
                 ("hung", "/", "stop_renderers"))


def hostile_profile(folder: Path) -> Path:
    """One tile per hostile page, in HOSTILE_PAGES' order."""
    path = folder / "hostile-profile.toml"
    path.write_text(profile_toml([(name, f"http://{ALLOWED}{page}", [ALLOWED])
                                  for name, page, _ in HOSTILE_PAGES]), encoding="utf-8")
    return path


def make_hostile(kiosk: KioskProcess, screen: XScreen, how: str) -> None:
    if how == "tap":
        screen.click(screen.width // 2, screen.height // 2)
    elif how == "stop_renderers":
        for pid in renderers(last_browser_pid(kiosk)):
            os.kill(pid, 19)  # SIGSTOP: the page neither runs nor answers
    time.sleep(1.0)  # the loop has started, the question is armed


def hostile_ends(kiosk: KioskProcess, screen: XScreen, clock: RequestClock
                 ) -> dict[str, float]:
    """End session behind each hostile page, confirmed to the fresh home (seconds)."""
    button: tuple[int, int] | None = None
    times: dict[str, float] = {}
    for index, (name, path, how) in enumerate(HOSTILE_PAGES):
        mark = len(kiosk.lines)
        tap = time.time()
        screen.key(*["Tab"] * index, "Return")
        clock.arrival(ALLOWED, path, tap)
        wait_line(kiosk, r"screen: toolbar$", mark, f"opening the {name} page")
        time.sleep(1.0)  # the page paints
        make_hostile(kiosk, screen, how)
        button = button or end_button_position(screen)
        times[name] = end_session(kiosk, screen, button)["confirm_to_home"]
        time.sleep(SETTLE)
    return times


def session_memory(kiosk: KioskProcess) -> dict[str, float]:
    """The shell's RSS and PSS and its descendants' PSS (the session's Chromium), in MiB."""
    pid = kiosk.proc.pid
    browsers = [p for p, row in tree(pid).items() if alive(row)]
    shell_pss = pss_mib(pid)
    chromium_pss = sum(pss_mib(p) for p in browsers)
    return {"shell_rss": rss_mib(pid), "shell_pss": shell_pss, "chromium_pss": chromium_pss,
            "chromium_processes": float(len(browsers)), "total_pss": shell_pss + chromium_pss}


def leftovers(kiosk: KioskProcess, session_dir: Path | None) -> dict[str, Any]:
    """Descendants of the kiosk beyond the pre-started browser's process group or session
    (what the kiosk kills): live ones, and zombies nobody reaped.

    Chromium's crash handlers put themselves in sessions of their own; a live one whose
    database is in the pre-started session's folder is counted apart, as that browser's.
    """
    group = last_browser_pid(kiosk)

    def survey() -> tuple[dict[int, Any], dict[int, Any], dict[int, Any]]:
        rows = tree(kiosk.proc.pid)
        mine = {p: r for p, r in rows.items() if group in (r[3], r[4])}
        handlers = {p: r for p, r in rows.items() if p not in mine and alive(r)
                    and session_dir is not None and str(session_dir) in command(p)}
        extra = {p: r for p, r in rows.items() if p not in mine and p not in handlers}
        return mine, handlers, extra

    members, handlers, extra = survey()
    for _ in range(3):  # an xdotool the kiosk runs for a moment is not a leak: look again
        if not any(alive(r) for r in extra.values()):
            break
        time.sleep(1.0)
        members, handlers, extra = survey()
    return {
        "browser_group": group,
        "browser_processes": sum(1 for r in members.values() if alive(r)),
        "browser_outside_group": [describe(p, r) for p, r in handlers.items()],
        "extra_live": [describe(p, r) for p, r in extra.items() if alive(r)],
        "zombies": [describe(p, r) for p, r in {**extra, **members}.items() if not alive(r)],
    }


def zombie_count(pid: int) -> int:
    return sum(1 for row in tree(pid).values() if not alive(row))


# -- the runs -----------------------------------------------------------------------------


def sessions_wanted() -> int:
    value = os.environ.get(SESSIONS_ENV, str(DEFAULT_SESSIONS))
    try:
        count = int(value)
    except ValueError as error:
        raise BenchError(f"{SESSIONS_ENV}={value!r} is not a number of sessions") from error
    if count < 1:
        raise BenchError(f"{SESSIONS_ENV} must be at least 1, not {count}")
    return count


@contextmanager
def display_for_chromium(display: str) -> Iterator[None]:
    """The bare runs start Chromium with this process's environment: point it at the screen."""
    saved = os.environ.get("DISPLAY")
    os.environ["DISPLAY"] = display
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("DISPLAY", None)
        else:
            os.environ["DISPLAY"] = saved


def bare_runs(site: Site, clock: RequestClock, screen: XScreen) -> dict[str, list[float]]:
    """bench/session.py's bare Chromium opening the same page: request and parsed times,
    its PSS with the page open, and a fresh one started the plain way after it."""
    from bench.session import bare_fresh_run

    runs: dict[str, list[float]] = {"requested": [], "parsed": [], "pss": [], "fresh": []}
    with display_for_chromium(screen.display):
        for _ in range(BARE_RUNS):
            with tempfile.TemporaryDirectory(prefix="bench-", dir="/tmp") as tmp:
                begin = time.time()
                run = bare_fresh_run(site, Path(tmp), settle=MEMORY_SETTLE)
                for key in ("parsed", "pss", "fresh"):
                    runs[key].append(run[key])
                runs["requested"].append(clock.arrival(ALLOWED, PAGE, begin) - begin)
    return runs


# -- idle CPU -----------------------------------------------------------------------------

IDLE_WINDOWS = 5
IDLE_WINDOW_S = 3.0
IDLE_SETTLE = 3.0  # start-up work (fonts, caches, the first paint) done
BARE_TK_IDLE = (
    "import tkinter, sys\n"
    "root = tkinter.Tk()\n"
    "root.geometry('1280x1024+0+0')\n"
    "tkinter.Label(root, text='ready').pack()\n"
    "root.after_idle(lambda: (print('ready', flush=True)))\n"
    "root.mainloop()\n"
)


def on_cpu_seconds(pid: int) -> float:
    """Time the process's live threads have run, to the nanosecond (schedstat), where
    /proc/PID/stat counts in 10 ms ticks: too coarse for a few seconds at rest."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            total += int((task / "schedstat").read_text().split()[0])
        except (OSError, IndexError, ValueError):
            continue  # the thread ended meanwhile
    return total / 1e9


def tree_cpu_seconds(roots: list[int]) -> dict[int, float]:
    """CPU seconds used so far by each live process of `roots` and their descendants."""
    pids = set(roots)
    for root in roots:
        pids.update(pid for pid, row in tree(root).items() if alive(row))
    used: dict[int, float] = {}
    for pid in pids:
        try:
            used[pid] = on_cpu_seconds(pid)
        except OSError:
            continue  # gone meanwhile
    return used


def idle_shares(roots: list[int]) -> list[float]:
    """Percent of one core that `roots` and their descendants use, per window."""
    time.sleep(IDLE_SETTLE)
    shares = []
    for _ in range(IDLE_WINDOWS):
        before, begin = tree_cpu_seconds(roots), time.perf_counter()
        time.sleep(IDLE_WINDOW_S)
        after, elapsed = tree_cpu_seconds(roots), time.perf_counter() - begin
        used = sum(after[pid] - before[pid] for pid in after if pid in before)
        shares.append(used / elapsed * 100)
    return shares


def bare_idle(site: Site, screen: XScreen) -> list[float]:
    """The reference at rest: a bare Tk window beside a bare Chromium on a blank page
    (the kiosk's command line), in percent of a core per window."""
    from bench.session import BOUNDS
    from kiosk.browser.chromium import ChromiumProcess, LaunchOptions

    tk = subprocess.Popen([sys.executable, "-c", BARE_TK_IDLE], env=screen.env,
                          stdout=subprocess.PIPE, text=True)
    try:
        assert tk.stdout is not None
        tk.stdout.readline()
        with display_for_chromium(screen.display), \
                tempfile.TemporaryDirectory(prefix="bench-", dir="/tmp") as tmp:
            browser = ChromiumProcess.launch(LaunchOptions(Path(tmp), BOUNDS, "fr",
                                                           site.rules))
            try:
                return idle_shares([tk.pid, browser.pid])
            finally:
                os.close(browser.write_fd)
                os.close(browser.read_fd)
                browser.kill()
    finally:
        tk.kill()
        tk.wait(10)


def stray_scratch_folders() -> int:
    """Chromium scratch folders outside a session (see kiosk/browser/chromium.py)."""
    return len(list(Path(tempfile.gettempdir()).glob("borne-*")))


def many_sessions(kiosk: KioskProcess, screen: XScreen, clock: RequestClock, count: int,
                  sessions_root: Path) -> dict[str, Any]:
    """`count` sessions in a row, each timed; memory, RSS and fds sampled on the way."""
    taps: list[dict[str, float]] = []
    ends: list[dict[str, float]] = []
    memory: list[dict[str, float]] = []
    checkpoints: dict[int, dict[str, float]] = {}
    button: tuple[int, int] | None = None
    pid = kiosk.proc.pid
    for number in range(1, count + 1):
        taps.append(tap_first_tile(kiosk, screen, clock))
        time.sleep(SETTLE)
        if button is None:
            button = end_button_position(screen)
        if number in MEMORY_SESSIONS:
            time.sleep(MEMORY_SETTLE)
            memory.append(session_memory(kiosk))
        ends.append(end_session(kiosk, screen, button))
        time.sleep(SETTLE)  # the shell takes the keyboard back from the new browser
        if number in (min(EARLY_SESSION, count), count):
            time.sleep(MEMORY_SETTLE)
            checkpoints[number] = {"rss": rss_mib(pid), "fds": float(open_fds(pid)),
                                   "zombies": float(zombie_count(pid))}
        if number % PROGRESS_EVERY == 0 or number == count:
            sys.stderr.write(f"bench: {number}/{count} sessions, shell RSS "
                             f"{rss_mib(pid):.1f} MiB, {open_fds(pid)} fds, "
                             f"{zombie_count(pid)} zombies\n")
    folders = sorted(sessions_root.iterdir())
    left = leftovers(kiosk, folders[0] if len(folders) == 1 else None)
    left["session_root_entries"] = [p.name for p in folders]
    return {"taps": taps, "ends": ends, "memory": memory, "checkpoints": checkpoints,
            "leftovers": left, "end_button": list(button or ())}


def hostile_run(screen: XScreen, site: Site, clock: RequestClock, folder: Path
                ) -> dict[str, float]:
    """A kiosk of its own on the hostile pages' profile: End session behind each."""
    folder.mkdir()
    with running_kiosk(screen, folder, "--profile", str(hostile_profile(folder)),
                       env={"KIOSK_HOST_RESOLVER_RULES": site.rules}) as kiosk:
        wait_line(kiosk, r"browser ready for the next session$", 0,
                  "the first pre-started browser")
        time.sleep(SETTLE)
        return hostile_ends(kiosk, screen, clock)


def pick(rows: list[dict[str, float]], key: str) -> list[float]:
    return [row[key] for row in rows]


def run(count: int | None = None, hostile_pages: bool = True) -> dict[str, Any]:
    """Every measure of this module (see `rows` for the table): `count` sessions in a row
    (BENCH_SESSIONS by default), then End session behind each hostile page if asked."""
    count = count or sessions_wanted()
    site = Site().start()
    clock = RequestClock(site)
    stray_before = stray_scratch_folders()
    try:
        with x_screen(*SCREEN) as screen, tempfile.TemporaryDirectory(prefix="bench-") as tmp:
            folder = Path(tmp)
            xdotool = xdotool_start_s(screen)
            bare = bare_runs(site, clock, screen)
            bare_idle_pct = bare_idle(site, screen)
            profile = bench_profile(folder)
            with running_kiosk(screen, folder, "--profile", str(profile),
                               env={"KIOSK_HOST_RESOLVER_RULES": site.rules}) as kiosk:
                wait_line(kiosk, r"screen: home$", 0, "the first home screen")
                wait_line(kiosk, r"browser ready for the next session$", 0,
                          "the first pre-started browser")
                idle_pct = idle_shares([kiosk.proc.pid])
                runs = many_sessions(kiosk, screen, clock, count, folder / "sessions")
            after_stop = sorted(p.name for p in (folder / "sessions").iterdir())
            hostile = (hostile_run(screen, site, clock, folder / "hostile") if hostile_pages
                       else {})
    finally:
        site.stop()
    taps, ends = runs["taps"], runs["ends"]
    memory = runs["memory"]
    early, last = runs["checkpoints"][min(EARLY_SESSION, count)], runs["checkpoints"][count]
    tap_parsed = summary(pick(taps, "tap_to_parsed"))
    bare_parsed = summary(bare["parsed"])
    return {
        "sessions": count,
        "xdotool_start_s": xdotool,
        "tap_to_request_s": summary(pick(taps, "tap_to_request")),
        "tap_to_parsed_s": tap_parsed,
        "bare_request_s": summary(bare["requested"]),
        "bare_parsed_s": bare_parsed,
        "tap_ratio": tap_parsed["median"] / bare_parsed["median"],
        "bare_fresh_s": summary(bare["fresh"]),
        "confirm_to_home_s": summary(pick(ends, "confirm_to_home")),
        "confirm_to_ready_s": summary(pick(ends, "confirm_to_ready")),
        "memory_mib": {key: summary(pick(memory, key)) for key in memory[0]},
        "bare_pss_mib": summary(bare["pss"]),
        "idle_cpu_pct": summary(idle_pct),
        "bare_idle_cpu_pct": summary(bare_idle_pct),
        "early_session": min(EARLY_SESSION, count),
        "rss_early_mib": early["rss"],
        "rss_last_mib": last["rss"],
        "rss_growth_pct": (last["rss"] - early["rss"]) / early["rss"] * 100,
        "fds_early": int(early["fds"]),
        "fds_last": int(last["fds"]),
        "zombies_early": int(early["zombies"]),
        "zombies_last": int(last["zombies"]),
        "leftovers": runs["leftovers"],
        "session_root_after_stop": after_stop,
        "stray_scratch_folders": stray_scratch_folders() - stray_before,
        "end_button": runs["end_button"],
        "hostile_confirm_to_home_s": hostile,
    }


def rows(results: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The table lines bench/__main__.py prints: (measure, value, target)."""
    r = results
    n, early = r["sessions"], r["early_session"]
    mem = {key: value["median"] for key, value in r["memory_mib"].items()}
    left = r["leftovers"]

    def seconds(key: str) -> str:
        return f"{r[key]['median']:.3f} s"

    return [
        ("kiosk: tile tap to page parsed (median)", seconds("tap_to_parsed_s"), "<= 0.3 s"),
        ("kiosk: tile tap to page requested", seconds("tap_to_request_s"), "measured"),
        ("bare Chromium start to page parsed", seconds("bare_parsed_s"), "reference"),
        ("tile tap / bare Chromium start", f"{r['tap_ratio']:.2f}x", "<= 0.5x"),
        ("End session confirmed to fresh home", seconds("confirm_to_home_s"),
         "<= 1.5 s (else: reboot)"),
        ("End session confirmed to next browser", seconds("confirm_to_ready_s"), "<= 1.5 s"),
        *((f"End session to fresh home, {name} page", f"{value:.3f} s", "<= 0.5 s")
          for name, value in r["hostile_confirm_to_home_s"].items()),
        ("session: shell RSS / PSS", f"{mem['shell_rss']:.0f} / {mem['shell_pss']:.0f} MiB",
         "measured"),
        (f"session: Chromium PSS ({mem['chromium_processes']:.0f} proc.)",
         f"{mem['chromium_pss']:.0f} MiB", "measured"),
        ("session: shell + Chromium PSS", f"{mem['total_pss']:.0f} MiB", "<= 600 MiB"),
        (f"shell RSS after {early} / {n} sessions",
         f"{r['rss_early_mib']:.1f} / {r['rss_last_mib']:.1f} MiB", "measured"),
        (f"shell RSS growth, {early} to {n} sessions", f"{r['rss_growth_pct']:+.1f} %",
         "<= 5 %"),
        (f"kiosk open fds after {early} / {n} sessions", f"{r['fds_early']} / {r['fds_last']}",
         "no growth"),
        ("live processes beyond the next browser", str(len(left["extra_live"])), "0"),
        ("next browser's crash handlers (outside its group)",
         str(len(left["browser_outside_group"])), "killed with it"),
        (f"zombies under the kiosk after {early} / {n} sessions",
         f"{r['zombies_early']} / {r['zombies_last']}", "0"),
        ("session folders after the last wipe", str(len(left["session_root_entries"])), "1"),
        ("session folders after the kiosk stops", str(len(r["session_root_after_stop"])), "0"),
    ]


def main(argv: list[str] | None = None, report: Callable[[str], None] = print) -> None:
    """`python -m bench.kiosk_session [--sessions N] [--no-hostile] [--json FILE]`: this
    benchmark alone; with --json its figures go to FILE (bench/floor.py reads them)."""
    parser = argparse.ArgumentParser(prog="python -m bench.kiosk_session")
    parser.add_argument("--sessions", type=int, default=None)
    parser.add_argument("--no-hostile", action="store_true")
    parser.add_argument("--json", type=Path, default=None)
    options = parser.parse_args(argv)
    results = run(options.sessions, hostile_pages=not options.no_hostile)
    if options.json is not None:
        options.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
        return
    for line in rows(results):
        report(" | ".join(line))
    report(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
