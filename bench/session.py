"""The session browser: start to first ready page, guarded vs bare Chromium, and close().

"Ready" is measured on the test site's clock: the page's image is requested once
the page is parsed, the same way for both set-ups. The bare run starts Chromium
with the same command line (and its DevTools pipe, unused) opening the page
directly: no guard, no window placement, no language set-up.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import REPO, pss_mib, x_screen

sys.path[:0] = [str(REPO / "tests"), str(REPO / "tests" / "browser")]

# The benchmark serves the tests' own procedure site.
from browser_helpers import allowlist  # noqa: E402
from procedure_site import Site  # noqa: E402

from kiosk.browser.chromium import ChromiumProcess, LaunchOptions  # noqa: E402
from kiosk.browser.reaper import group_members, living  # noqa: E402
from kiosk.browser.session import BrowserSession  # noqa: E402

BOUNDS = (0, 80, 1280, 944)
READY_TIMEOUT = 30.0


def guarded_run(site: Any, root: Path) -> dict[str, float]:
    """One BrowserSession: start(), then open() until the page is ready; then close()."""
    site.log.clear()
    browser = BrowserSession(session_dir=root, allowlist=allowlist(), language="fr",
                             help_lines=(), bounds=BOUNDS, publish=lambda event: None,
                             host_resolver_rules=site.rules)
    begin = time.perf_counter()
    try:
        browser.start()
        started = time.perf_counter()
        browser.open(site.url("/bench"))
        if not site.log.wait_for_path("/ready.gif", READY_TIMEOUT):
            raise RuntimeError("the guarded page never got ready")
        ready = time.perf_counter()
        assert browser.pid is not None
        pss = sum(pss_mib(pid) for pid in living(group_members(browser.pid)))
    finally:
        before_close = time.perf_counter()
        survivors = browser.close()
        closed = time.perf_counter()
    if survivors:
        raise RuntimeError(f"survivors after close: {survivors}")
    return {"start": started - begin, "ready": ready - begin,
            "close": closed - before_close, "pss": pss}


def bare_launch(site: Any, root: Path, path: str = "/bench") -> ChromiumProcess:
    """The kiosk's Chromium command line, opening the site's `path` directly, no guard."""
    site.log.clear()
    return ChromiumProcess.launch(
        LaunchOptions(root, BOUNDS, "fr", site.rules, start_url=site.url(path)))


def bare_stop(process: ChromiumProcess) -> None:
    """Close the unused DevTools pipe and kill the browser's whole group."""
    os.close(process.write_fd)
    os.close(process.read_fd)
    process.kill()


def bare_ready(site: Any, what: str) -> None:
    if not site.log.wait_for_path("/ready.gif", READY_TIMEOUT):
        raise RuntimeError(f"the {what} page never got ready")


def bare_run(site: Any, root: Path) -> float:
    """The same Chromium command line opening the page directly, no guard."""
    begin = time.perf_counter()
    process = bare_launch(site, root)
    try:
        bare_ready(site, "bare")
        return time.perf_counter() - begin
    finally:
        bare_stop(process)


def bare_fresh_run(site: Any, root: Path, settle: float = 1.0) -> dict[str, float]:
    """A bare Chromium as the reference of a whole session.

    "parsed": start to the page parsed; "pss": its processes' PSS (MiB) `settle`
    seconds later, the page open; "fresh": what a new session costs the plain way,
    from killing it, deleting its folder and starting another in a new folder, to
    that one's page parsed.
    """
    first, second = root / "first", root / "second"
    begin = time.perf_counter()
    process = bare_launch(site, first)
    try:
        bare_ready(site, "bare")
        parsed = time.perf_counter() - begin
        time.sleep(settle)
        pss = sum(pss_mib(pid) for pid in living(group_members(process.pid)))
        begin = time.perf_counter()
    finally:
        bare_stop(process)
    shutil.rmtree(first, ignore_errors=True)
    process = bare_launch(site, second)
    try:
        bare_ready(site, "fresh bare")
        fresh = time.perf_counter() - begin
    finally:
        bare_stop(process)
    return {"parsed": parsed, "pss": pss, "fresh": fresh}


def run(runs: int = 5) -> list[dict[str, Any]]:
    """Rows: name, value, unit, reference, ratio."""
    guarded: list[dict[str, float]] = []
    bare: list[float] = []
    site = Site().start()
    saved_display = os.environ.get("DISPLAY")
    try:
        with x_screen(1280, 1024) as screen:
            os.environ["DISPLAY"] = screen.display
            for _ in range(runs):
                with tempfile.TemporaryDirectory(prefix="bench-", dir="/tmp") as tmp:
                    bare.append(bare_run(site, Path(tmp)))
                with tempfile.TemporaryDirectory(prefix="bench-", dir="/tmp") as tmp:
                    guarded.append(guarded_run(site, Path(tmp)))
    finally:
        site.stop()
        if saved_display is None:
            os.environ.pop("DISPLAY", None)
        else:
            os.environ["DISPLAY"] = saved_display

    def median(key: str) -> float:
        return statistics.median(g[key] for g in guarded)

    bare_ready = statistics.median(bare)
    return [
        {"name": "browser start (BrowserSession.start)", "value": median("start"), "unit": "s",
         "reference": "", "ratio": None},
        {"name": "browser start to first ready page, guarded", "value": median("ready"),
         "unit": "s", "reference": "bare Chromium, same flags",
         "ratio": median("ready") / bare_ready},
        {"name": "bare Chromium start to first ready page", "value": bare_ready, "unit": "s",
         "reference": "", "ratio": None},
        {"name": "browser close() (kill group, reap, wait)", "value": median("close"),
         "unit": "s", "reference": "", "ratio": None},
        {"name": "browser PSS, one page", "value": median("pss"), "unit": "MiB",
         "reference": "", "ratio": None},
    ]


def rows(results: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """The table lines bench/__main__.py prints: (name, value, target)."""
    table = []
    for row in results:
        value = f"{row['value']:.3f} {row['unit']}" if row["unit"] == "s" else (
            f"{row['value']:.0f} {row['unit']}")
        target = f"{row['ratio']:.2f}x {row['reference']}" if row["ratio"] else "measured"
        table.append((row["name"], value, target))
    return table


if __name__ == "__main__":
    for line in rows(run()):
        print(" | ".join(line))
