"""`make soak`: many sessions in a row in one kiosk process, watching for anything that grows.

Each session opens the canary procedure (tests/procedure_site.py): the page plants
a fresh token in cookies, storage, IndexedDB, the cache, a service worker and a
download, and reports which earlier tokens it can still see. Then, on a fixed
schedule (`plan`), the session does what residents do at the kiosk: downloads its
receipt, lets a mediator in with her PIN (assisted mode), prints the page to a
private cupsd's PDF queue, scans a page from SANE's `test` backend, sends a
document back to the site through the kiosk's picker. Most sessions only open the
page and leave. It ends the way residents end them: mostly with End session from
the keyboard, some by walking away (the idle countdown), some by staying until
the session's time limit. Every SAMPLE_EVERY sessions the soak records the
shell's RSS and PSS, Chromium's PSS, open fds, threads, processes, zombies and
the session root's disk use, and searches the machine for that session's token.

It passes when no earlier token is ever seen again, none is found on disk, every
job asked for reached the printer, every scan and upload asked for arrived, and
nothing grows beyond noise after warm-up: shell RSS within 5 %, fds, threads and
processes back to their level, no zombie. Figures go to bench/soak-results.json
at every sample (a run stopped early still leaves them) and, when matplotlib is
there, a plot to bench/soak.png.

SOAK_SESSIONS (default 1000) sets the length; SOAK_MODE=production runs the kiosk
as the kiosk user with Chromium's sandbox on, as tests/kiosk_process.py does.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.common import (
    REPO,
    KioskProcess,
    XScreen,
    alive,
    pss_mib,
    rss_mib,
    running_kiosk,
    tree,
    x_screen,
)

# The tests' helpers, those of the end-to-end tests too (as e2e.*).
sys.path.insert(0, str(REPO / "tests"))

from canary import (
    PROFILE as CANARY_PROFILE,
    find_token,
    standard_roots,
)
from cups_server import CupsServer, cups_server
from e2e.test_assisted import mediators_file, unlock
from e2e.test_printing import PRINT_ITEM
from e2e.test_scanning import SCAN_ITEM_TABS, scan_one_page
from e2e.test_uploads import open_picker
from harness import wait_for
from kiosk_process import kiosk_user
from procedure_site import CANARY_HOST, Site
from sane_backend import sane_setup

RESULTS = REPO / "bench" / "soak-results.json"
PLOT = REPO / "bench" / "soak.png"
SAMPLE_EVERY = 50
WARM_UP = 100
RSS_DRIFT_LIMIT_PCT = 5.0
# The schedule: session n does each thing whose number divides n (primes, so that
# the combinations come round too). Everything else only opens the page and leaves.
DOWNLOAD_EVERY = 5
PRINT_EVERY = 7
SCAN_EVERY = 11
UPLOAD_EVERY = 13
ASSISTED_EVERY = 17
IDLE_EVERY = 20
TIME_LIMIT_EVERY = 23
# The session's time limit: every session has it, only the TIME_LIMIT_EVERY-th
# stays until it. The shortest a profile allows; the busiest session (print, scan,
# upload and assistance on a loaded machine) ends well before it.
MAX_DURATION = 60
STILL_HERE_EVERY = 5.0  # seconds between the keys of a resident who stays

# The canary profile, with room for keys typed while a page still loads, the time
# limit, and assisted mode (the mediator's idle time longer than any session).
PROFILE = CANARY_PROFILE.replace("idle_timeout = 6", "idle_timeout = 15").replace(
    "idle_warning = 4", "idle_warning = 5").replace(
    "max_duration = 0", f"max_duration = {MAX_DURATION}") + """
[assisted]
allow = ["blocked.example"]
idle_timeout = 600
journal = false
"""


class SoakError(RuntimeError):
    """The soak could not go on (the kiosk stopped answering)."""


@dataclass(frozen=True)
class Plan:
    """What session `number` does, in this order, and how it ends."""

    number: int
    download: bool
    assisted: bool
    prints: bool
    scans: bool
    uploads: bool
    ending: str  # "button", "idle" or "max_duration", as the kiosk logs it


def plan(number: int) -> Plan:
    """The fixed schedule (see the *_EVERY constants)."""
    uploads = number % UPLOAD_EVERY == 0
    assisted = number % ASSISTED_EVERY == 0
    if number % TIME_LIMIT_EVERY == 0:
        ending = "max_duration"
    elif number % IDLE_EVERY == 0 and not assisted:  # the mediator's idle time is longer
        ending = "idle"
    else:
        ending = "button"
    return Plan(number=number, download=uploads or number % DOWNLOAD_EVERY == 0,
                assisted=assisted, prints=number % PRINT_EVERY == 0,
                scans=number % SCAN_EVERY == 0, uploads=uploads, ending=ending)


@dataclass
class Tally:
    """What was asked of the kiosk, and what the printer, the scanner and the site got."""

    endings: dict[str, int] = field(
        default_factory=lambda: {"button": 0, "idle": 0, "max_duration": 0})
    downloads_asked: int = 0
    downloads: int = 0
    assisted: int = 0
    prints_asked: int = 0
    kiosk_cups_jobs: list[int] = field(default_factory=list)  # as the kiosk logged them
    cups_jobs_received: int = 0  # distinct jobs in the private cupsd's page log
    scans_asked: int = 0
    scans_delivered: int = 0  # scanned PDFs in the session's Documents
    uploads_asked: int = 0
    uploads_received: int = 0  # files the site got, byte for byte the session's document

    def matches(self) -> dict[str, bool]:
        return {
            "downloads_match": self.downloads == self.downloads_asked,
            "prints_match": (self.prints_asked == len(self.kiosk_cups_jobs)
                             == self.cups_jobs_received),
            "scans_match": self.scans_delivered == self.scans_asked,
            "uploads_match": self.uploads_received == self.uploads_asked,
        }


def threads(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Threads:"):
            return int(line.split()[1])
    return 0


def disk_use_kib(folder: Path) -> int:
    total = 0
    for path in folder.rglob("*"):
        try:
            if path.is_file() and not path.is_symlink():
                total += path.stat().st_blocks // 2
        except OSError:
            continue
    return total


def lasting_zombies(pid: int, below: dict[int, Any]) -> set[int]:
    """The zombies under `pid` that are still there a second later: a child that has
    just ended (a helper program at the end of a session) is one until its parent
    collects it, which is no leak."""
    zombies = {p for p, row in below.items() if not alive(row)}
    if not zombies:
        return zombies
    time.sleep(1.0)
    again = tree(pid)
    return {p for p in zombies if p in again and not alive(again[p])}


def sample(kiosk: KioskProcess, number: int) -> dict[str, float]:
    pid = kiosk.proc.pid
    below = tree(pid)
    live = [p for p, row in below.items() if alive(row)]
    return {
        "session": float(number),
        "shell_rss_mib": rss_mib(pid),
        "shell_pss_mib": pss_mib(pid),
        "chromium_pss_mib": sum(pss_mib(p) for p in live),
        "fds": float(len(os.listdir(f"/proc/{pid}/fd"))),
        "threads": float(threads(pid)),
        "processes": float(len(live)),
        "zombies": float(len(lasting_zombies(pid, below))),
        "session_root_kib": float(disk_use_kib(kiosk.session_root)),
    }


def leftovers_seen(site: Site, visit: int) -> list[str]:
    """What the `visit`-th canary page found of earlier sessions (cookie, storage, ...)."""
    def reports() -> list[dict[str, list[str]]]:
        with site.log.lock:
            return [r for r in site.log.reports if r["what"] == ["report"]]

    if not wait_for(lambda: len(reports()) > visit, 30):
        raise SoakError(f"the canary page of visit {visit + 1} did not report")
    return [kind for kind in reports()[visit].get("found", [""])[0].split(",") if kind]


def keyboard_holder(screen: XScreen) -> str:
    """The name of the X window that has the keyboard, for the soak's record."""
    found = screen.run("xdotool", "getwindowfocus", "getwindowname", check=False)
    return (found.stdout or found.stderr).strip()[:80]


def open_canary(kiosk: KioskProcess, screen: XScreen, site: Site, after: int
                ) -> tuple[str, int]:
    """Return on the home screen's only tile; the visit's token once the page planted it,
    and the visit's number (from 0)."""
    kiosk.wait_until_ready(timeout=60, after=after)
    visits = len(site.log.tokens)
    mark = len(kiosk.lines)
    screen.key("Return")
    if not wait_for(lambda: len(site.log.tokens) > visits, 30):
        raise SoakError(f"the procedure did not open (the keyboard was on "
                        f"{keyboard_holder(screen)!r})")
    token = site.log.tokens[-1]

    def planted() -> bool:
        with site.log.lock:
            return any(r["what"] == ["planted"] and r.get("token") == [token]
                       for r in site.log.reports)

    if not wait_for(planted, 30):
        raise SoakError(f"the canary page of {token} did not plant")
    kiosk.wait_for_log("the browser window has the keyboard$", after=mark)
    return token, visits


def download_receipt(kiosk: KioskProcess, screen: XScreen, token: str) -> bool:
    """Type the token into the page's field: the page then downloads a receipt."""
    def landed() -> bool:
        return any(kiosk.session_root.glob(f"*/Documents/recu-{token}.txt"))

    for _ in range(2):  # keys typed while the window takes the keyboard may go nowhere
        screen.type_text(token)
        if wait_for(landed, 10):
            return True
        screen.key("ctrl+a", "BackSpace")
    return False


def logged_since(kiosk: KioskProcess, pattern: str, mark: int) -> list[str]:
    """The log lines from `mark` on that match `pattern` (a copy: the log grows)."""
    regex = re.compile(pattern)
    return [line for line in kiosk.lines[mark:] if regex.search(line)]


def to_toolbar(kiosk: KioskProcess, screen: XScreen) -> int:
    """F2 until the toolbar has the keyboard (on Home); returns the log mark before.

    A page still loading (the site's answer after an upload) has no F2 listener yet:
    like a resident, press again."""
    mark = len(kiosk.lines)
    for _ in range(5):
        screen.key("F2")
        if wait_for(lambda: logged_since(kiosk, "keyboard to the toolbar$", mark), 3):
            return mark
    raise SoakError("F2 did not give the toolbar the keyboard")


def documents(kiosk: KioskProcess) -> list[Path]:
    """The session's documents, as its picker offers them (not the thumbnails' folder)."""
    return sorted(p for p in kiosk.session_root.glob("*/Documents/*")
                  if p.is_file() and not p.name.startswith("."))


def print_page(kiosk: KioskProcess, screen: XScreen) -> int:
    """The toolbar's Print, then Print on the panel; the CUPS job id once it printed."""
    mark = to_toolbar(kiosk, screen)
    screen.key(*["Tab"] * PRINT_ITEM, "Return")
    kiosk.wait_for_screen("print_panel", after=mark)
    mark = len(kiosk.lines)
    screen.key("Return")  # the keyboard is on Print
    done = kiosk.wait_for_log(r"printing: request \d+ printed", timeout=60, after=mark)
    [job] = logged_since(kiosk, r"printing: request \d+ is CUPS job \d+", mark)
    # "Take your pages", then back to the page on its own.
    kiosk.wait_for_screen("toolbar", timeout=30, after=done)
    found = re.search(r"CUPS job (\d+)", job)
    assert found is not None
    return int(found.group(1))


def scan_page(kiosk: KioskProcess, screen: XScreen) -> None:
    """The toolbar's Scan, an A4 page, Finish, then back to the page."""
    mark = to_toolbar(kiosk, screen)
    screen.key(*["Tab"] * SCAN_ITEM_TABS, "Return")
    kiosk.wait_for_screen("scan_choose", after=mark)
    scan_one_page(kiosk, screen)
    mark = len(kiosk.lines)
    screen.key("Return")  # Finish
    kiosk.wait_for_screen("scan_saved", after=mark)
    screen.key("Return")  # Back to the page
    kiosk.wait_for_screen("toolbar", after=mark)
    kiosk.wait_for_log("the browser window has the keyboard$", after=mark)


def upload_newest(kiosk: KioskProcess, screen: XScreen, site: Site) -> bool:
    """The page's file input (after the field and the receipt link), the picker, and
    its first document (the newest); True when the site got it byte for byte."""
    held = {p.name: p.read_bytes() for p in documents(kiosk)}
    received = len(site.log.uploaded())
    open_picker(kiosk, screen, ["Tab", "Tab", "space"], offered=len(held))
    mark = len(kiosk.lines)
    screen.key("Return")
    handed = kiosk.wait_for_log(r"1 file\(s\) handed to the page$", after=mark)
    # The site's answer loads, and the browser window takes the keyboard back: a key
    # pressed before that (F2) would be undone.
    kiosk.wait_for_log("the browser window has the keyboard$", after=handed)
    if not wait_for(lambda: len(site.log.uploaded()) > received, 10):
        return False
    host, name, data = site.log.uploaded()[received]
    return host == CANARY_HOST and held.get(name) == data


def end(kiosk: KioskProcess, screen: XScreen, how: str, assisted: bool) -> int:
    """End the session as `how` says (see `Plan.ending`); the log mark before."""
    mark = len(kiosk.lines)
    if how == "button":
        if assisted:
            # Past the banner's End assistance, "?" and "Address…" to End session.
            to_toolbar(kiosk, screen)
            screen.key(*["shift+Tab"] * 4, "Return")
            kiosk.wait_for_screen("end_confirmation", after=mark)
            screen.key("Tab", "Return")
        else:
            kiosk.end_session_by_keyboard(screen)
    elif how == "max_duration":
        stay_until_the_time_limit(kiosk, screen, mark)
    kiosk.wait_for_log(rf"ending the session \({how}\)$", timeout=60, after=mark)
    kiosk.wait_for_screen("home", timeout=60, after=mark)
    return mark


def stay_until_the_time_limit(kiosk: KioskProcess, screen: XScreen, mark: int) -> None:
    """A resident who keeps using the page: a key now and then, so that only the
    session's time limit ends it."""
    deadline = time.monotonic() + MAX_DURATION + 60
    while not wait_for(lambda: logged_since(kiosk, r"ending the session \(", mark),
                       STILL_HERE_EVERY):
        if time.monotonic() > deadline:
            raise SoakError("the time limit did not end the session")
        screen.key("shift")


def printer_jobs(cups: CupsServer) -> int:
    """Distinct jobs in the private cupsd's page log (printer, user, job id, ...)."""
    return len({line.split()[2] for line in cups.page_log().splitlines()
                if len(line.split()) > 2})


def verdict(samples: list[dict[str, float]], leaks: list[str], found_on_disk: list[str],
            tally: Tally, stopped: str | None, stumbles: list[str]) -> dict[str, Any]:
    warm = next((s for s in samples if s["session"] >= WARM_UP), samples[0])
    last = samples[-1]
    drift = (last["shell_rss_mib"] - warm["shell_rss_mib"]) / warm["shell_rss_mib"] * 100
    checks: dict[str, Any] = {
        "rss_drift_pct": drift,
        "warm_up_sample": warm["session"],
        "ran_to_the_end": stopped is None,
        "no_stumble": not stumbles,
        "rss_within_limit": drift <= RSS_DRIFT_LIMIT_PCT,
        "fds_stable": last["fds"] <= warm["fds"],
        "threads_stable": last["threads"] <= warm["threads"],
        "processes_stable": last["processes"] <= warm["processes"] + 1,
        "no_zombies": all(s["zombies"] == 0 for s in samples),
        "no_token_seen_again": not leaks,
        "no_token_on_disk": not found_on_disk,
        **tally.matches(),
    }
    checks["passed"] = all(v for k, v in checks.items() if isinstance(v, bool))
    return checks


def plot(samples: list[dict[str, float]], path: Path) -> bool:
    try:
        import matplotlib  # type: ignore[import-not-found,unused-ignore]
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return False
    x = [s["session"] for s in samples]
    figure, (memory, counts) = plt.subplots(2, 1, figsize=(8, 6), sharex=True)
    for key, name in (("shell_rss_mib", "shell RSS"), ("shell_pss_mib", "shell PSS"),
                      ("chromium_pss_mib", "Chromium PSS")):
        memory.plot(x, [s[key] for s in samples], marker=".", label=name)
    memory.set_ylabel("MiB")
    memory.legend()
    memory.grid(True, alpha=0.3)
    for key in ("fds", "threads", "processes"):
        counts.plot(x, [s[key] for s in samples], marker=".", label=key)
    counts.set_xlabel("sessions")
    counts.legend()
    counts.grid(True, alpha=0.3)
    figure.suptitle(f"Borne soak: {int(x[-1])} sessions in one kiosk process")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return True


def report_progress(last: dict[str, float], count: int, leaks: int, tally: Tally) -> None:
    sys.stderr.write(
        f"soak: {int(last['session'])}/{count}, shell RSS {last['shell_rss_mib']:.1f} MiB, "
        f"Chromium PSS {last['chromium_pss_mib']:.0f} MiB, {int(last['fds'])} fds, "
        f"{int(last['threads'])} threads, {int(last['processes'])} processes, {leaks} leaks, "
        f"{tally.cups_jobs_received}/{tally.prints_asked} jobs, "
        f"{tally.scans_delivered}/{tally.scans_asked} scans, "
        f"{tally.uploads_received}/{tally.uploads_asked} uploads\n")


def load_average() -> list[float]:
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


@dataclass
class Soak:
    """One run's figures so far; `save` writes them (and the plot) as they are."""

    count: int
    mode: str
    samples: list[dict[str, float]] = field(default_factory=list)
    leaks: list[str] = field(default_factory=list)
    on_disk: list[str] = field(default_factory=list)
    tally: Tally = field(default_factory=Tally)
    done: int = 0
    stopped: str | None = None
    # Sessions where a step failed (a key lost on a loaded machine, a screen that did
    # not come): the kiosk ended them by itself and the soak went on.
    stumbles: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)
    loads: list[list[float]] = field(default_factory=list)  # at each sample
    # The longest session ended by End session, in seconds: how far the busiest
    # stays from the time limit.
    longest_by_button: float = 0.0

    def results(self) -> dict[str, Any]:
        return {
            "when": time.strftime("%Y-%m-%dT%H:%M:%S"),
            "machine": {"cpus": os.cpu_count(), "load_average_at_samples": self.loads},
            "mode": self.mode,
            "sessions": self.count,
            "sessions_done": self.done,
            "stopped": self.stopped,
            "schedule": {"download": DOWNLOAD_EVERY, "print": PRINT_EVERY, "scan": SCAN_EVERY,
                         "upload": UPLOAD_EVERY, "assisted": ASSISTED_EVERY,
                         "idle": IDLE_EVERY, "time_limit": TIME_LIMIT_EVERY,
                         "max_duration_s": MAX_DURATION},
            "tally": asdict(self.tally),
            "minutes": (time.monotonic() - self.started) / 60,
            "longest_session_by_button_s": round(self.longest_by_button, 1),
            "samples": self.samples,
            "stumbles": self.stumbles,
            "tokens_seen_again": self.leaks,
            "tokens_on_disk": self.on_disk,
            "verdict": (verdict(self.samples, self.leaks, self.on_disk, self.tally, self.stopped,
                                self.stumbles) if self.samples else {"passed": False}),
        }

    def save(self) -> bool:
        """Write the results so far; True when the plot was drawn too."""
        RESULTS.write_text(json.dumps(self.results(), indent=2))
        return bool(self.samples) and plot(self.samples, PLOT)


@contextmanager
def devices(mode: str) -> Iterator[tuple[CupsServer, dict[str, str], Path]]:
    """A private cupsd with a PDF queue, SANE's test backend with one scanner, and a
    mediators file with Ana's PIN: (cupsd, the kiosk's environment for them, file)."""
    with ExitStack() as stack:
        cups = stack.enter_context(cups_server())
        cups.add_pdf_queue()
        sane = stack.enter_context(sane_setup())
        sane.configure(devices=1)
        folder = Path(stack.enter_context(
            tempfile.TemporaryDirectory(prefix="soak-mediators-", dir="/dev/shm")))
        folder.chmod(0o755)  # the production kiosk user reads the file through its group
        mediators = mediators_file(folder, kiosk_user().pw_gid if mode == "production" else None)
        yield cups, {"CUPS_SERVER": str(cups.socket), **sane.env}, mediators


def one_session(kiosk: KioskProcess, screen: XScreen, site: Site, soak: Soak,
                number: int, after: int) -> tuple[str, int]:
    """Session `number` as `plan` says; its token and the log mark before its end."""
    todo, tally = plan(number), soak.tally
    token, visit = open_canary(kiosk, screen, site, after)
    soak.leaks += [f"session {number}: {kind}" for kind in leftovers_seen(site, visit)]
    if todo.download:
        tally.downloads_asked += 1
        tally.downloads += download_receipt(kiosk, screen, token)
    if todo.assisted:
        mark = unlock(kiosk, screen)
        kiosk.wait_for_log("the browser window has the keyboard$", after=mark)
        tally.assisted += 1
    if todo.prints:
        tally.prints_asked += 1
        tally.kiosk_cups_jobs.append(print_page(kiosk, screen))
    if todo.scans:
        tally.scans_asked += 1
        scan_page(kiosk, screen)
        tally.scans_delivered += sum(p.suffix == ".pdf" for p in documents(kiosk))
    if todo.uploads:
        tally.uploads_asked += 1
        tally.uploads_received += upload_newest(kiosk, screen, site)
    mark = end(kiosk, screen, todo.ending, todo.assisted)
    tally.endings[todo.ending] += 1
    return token, mark


def session_or_recover(kiosk: KioskProcess, screen: XScreen, site: Site, soak: Soak,
                       number: int, after: int) -> tuple[str, int]:
    """`one_session`; when one of its steps fails, the stumble is recorded and the
    soak waits until the kiosk ends the session on its own (idle or time limit)."""
    start = len(kiosk.lines)
    try:
        return one_session(kiosk, screen, site, soak, number, after)
    except (AssertionError, SoakError) as error:
        soak.stumbles.append(f"session {number}: {str(error).splitlines()[0][:200]}")
        sys.stderr.write(f"soak: {soak.stumbles[-1]}\n")
        if any(line.endswith("procedure opened: canary") for line in kiosk.lines[start:]):
            kiosk.wait_for_screen("home", timeout=MAX_DURATION + 60, after=start)
        # else no session began: the home screen is still there for the next one.
        token = site.log.tokens[-1] if site.log.tokens else "-"
        return token, start


def run(soak: Soak) -> None:
    site = Site().start()
    sessions = Path(tempfile.mkdtemp(prefix="soak-", dir="/dev/shm"))
    home = Path(tempfile.mkdtemp(prefix="soak-home-"))
    try:
        with x_screen(1280, 1024) as screen, tempfile.TemporaryDirectory(prefix="soak-") as tmp, \
                devices(soak.mode) as (cups, device_env, mediators):
            folder = Path(tmp)
            profile = folder / "profile.toml"
            profile.write_text(PROFILE.format(port=site.port), encoding="utf-8")
            env = ({} if soak.mode == "production"
                   else {"HOME": str(home), "KIOSK_SESSION_ROOT": str(sessions)})
            paper = cups.root / "out"  # what the printer printed left the kiosk
            with running_kiosk(screen, folder, "--profile", str(profile),
                               "--mediators", str(mediators), env={**env, **device_env},
                               mode=soak.mode) as kiosk:
                try:
                    kiosk.wait_until_ready(timeout=60)
                    kiosk.wait_for_log("printing: printer 'office' available")
                    kiosk.wait_for_log(r"scanning: 1 scanner\(s\) found")
                    soak.samples.append(sample(kiosk, 0))
                    soak.loads.append(load_average())
                    soak.save()
                    mark = 0
                    for number in range(1, soak.count + 1):
                        begun = time.monotonic()
                        token, mark = session_or_recover(kiosk, screen, site, soak, number,
                                                         mark)
                        if plan(number).ending == "button":
                            soak.longest_by_button = max(soak.longest_by_button,
                                                         time.monotonic() - begun)
                        soak.done = number
                        if number % SAMPLE_EVERY == 0 or number == soak.count:
                            kiosk.wait_until_ready(timeout=60, after=mark)
                            soak.tally.cups_jobs_received = printer_jobs(cups)
                            soak.samples.append(sample(kiosk, number))
                            soak.loads.append(load_average())
                            roots = standard_roots(kiosk.session_root, home)
                            soak.on_disk += [str(p) for p in find_token(token, roots)
                                             if not p.is_relative_to(paper)]
                            report_progress(soak.samples[-1], soak.count, len(soak.leaks),
                                            soak.tally)
                            soak.save()
                except Exception as error:  # keep the figures so far, say why it stopped
                    soak.stopped = f"session {soak.done + 1}: {type(error).__name__}: " + \
                        str(error)[:300]
                    sys.stderr.write(traceback.format_exc()[-3000:] + "\n")
                    sys.stderr.write("kiosk log tail:\n" + kiosk.log_text()[-4000:] + "\n")
                soak.tally.cups_jobs_received = printer_jobs(cups)
    finally:
        site.stop()
        shutil.rmtree(sessions, ignore_errors=True)
        shutil.rmtree(home, ignore_errors=True)


def main() -> int:
    count = int(os.environ.get("SOAK_SESSIONS", "1000"))
    mode = os.environ.get("SOAK_MODE", "guard-only")
    soak = Soak(count, mode)
    try:
        run(soak)
    except BaseException as error:  # also Ctrl+C: the figures so far are written
        soak.stopped = soak.stopped or f"{type(error).__name__}: {error}"[:300]
        soak.save()
        raise
    drew = soak.save()
    results = soak.results()
    v, tally = results["verdict"], soak.tally
    first, last = soak.samples[0], soak.samples[-1]
    print(f"{soak.done}/{count} sessions ({tally.endings}, {tally.assisted} assisted) "
          f"in {results['minutes']:.1f} min, mode {mode}"
          + (f", stopped: {soak.stopped}" if soak.stopped else ""))
    for key in ("shell_rss_mib", "shell_pss_mib", "chromium_pss_mib", "fds", "threads",
                "processes", "zombies", "session_root_kib"):
        print(f"  {key:<18} {first[key]:>9.1f} -> {last[key]:>9.1f}")
    print(f"  RSS drift after {WARM_UP} sessions: {v['rss_drift_pct']:+.1f} % "
          f"(limit {RSS_DRIFT_LIMIT_PCT} %)")
    print(f"  downloads {tally.downloads}/{tally.downloads_asked}, print jobs at the printer "
          f"{tally.cups_jobs_received} (kiosk: {len(tally.kiosk_cups_jobs)}) of "
          f"{tally.prints_asked} asked, scans {tally.scans_delivered}/{tally.scans_asked}, "
          f"uploads {tally.uploads_received}/{tally.uploads_asked}")
    print(f"  tokens seen again: {len(soak.leaks)}, on disk: {len(soak.on_disk)}, "
          f"stumbles: {len(soak.stumbles)}")
    print(f"written to {RESULTS}" + (f" and {PLOT}" if drew else ""))
    print("PASSED" if v["passed"] else f"FAILED: {v}")
    return 0 if v["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
