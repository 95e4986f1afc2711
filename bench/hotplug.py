"""A scanner plugged in and pulled out while a resident is on a page: udev event to
toolbar updated, beside a bare pyudev monitor seeing the same event.

The real kiosk runs under `umockdev-wrapper` in a umockdev testbed (tests/device_bed.py;
its browser without the preload, as in tests/e2e/test_hotplug.py), with a private SANE
set-up whose `test` backend lists the scanner only once it is "plugged in". Each
round: SANE is told the scanner is there, the testbed raises udev's add events (the
clock starts just before), and the kiosk's log line "toolbar: refreshed" says when the
Scan item changed; then the same for the removal. Times come from the kiosk's
millisecond log stamps and the benchmark's wall clock.

The reference, in the same run and testbed: a bare `pyudev` monitor in a process of
its own, from the same plug order to the event in its hands.
"""

from __future__ import annotations

import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench.common import running_kiosk, summary, x_screen
from bench.kiosk_session import BenchError, log_time, wait_line

ROUNDS = 8

BARE_MONITOR = """
import time, pyudev
monitor = pyudev.Monitor.from_netlink(pyudev.Context())
monitor.filter_by("usb")
monitor.start()
print("ready", flush=True)
for device in iter(monitor.poll, None):
    print(f"{time.time():.6f} {device.action}", flush=True)
"""
SETTLE_S = 0.3  # the rest of a plug's events (the device's interfaces) arrive meanwhile


def run() -> dict[str, Any]:
    from device_bed import device_bed, wrapped
    from kiosk_process import open_tile
    from procedure_site import ALLOWED, Site, profile_toml
    from sane_backend import sane_setup

    folder = Path(tempfile.mkdtemp(prefix="borne-bench-hotplug-"))
    site = Site().start()
    try:
        with sane_setup() as sane, device_bed() as bed, x_screen(1280, 1024) as screen:
            sane.configure(devices=0)

            profile = folder / "hotplug.toml"
            profile.write_text(profile_toml([("receipt", f"http://{ALLOWED}/receipt",
                                              [ALLOWED])]), encoding="utf-8")
            env = {"KIOSK_HOST_RESOLVER_RULES": site.rules, "KIOSK_CHROMIUM":
                   browser_without_umockdev(folder), **sane.env, **bed.env()}
            with running_kiosk(screen, folder, "--profile", str(profile), env=env,
                               wrapper=tuple(wrapped([]))) as kiosk:
                kiosk.wait_until_ready()
                wait_line(kiosk, "hotplug: following udev", 0, "udev followed")
                open_tile(kiosk, screen, site, ["Return"], "receipt", ALLOWED)
                kiosk_s = [kiosk_round(kiosk, bed, sane, plug) for _ in range(ROUNDS)
                           for plug in (True, False)]
            bare_s = bare_rounds(bed, wrapped)
    finally:
        site.stop()
        shutil.rmtree(folder, ignore_errors=True)
    toolbar, bare = summary(kiosk_s), summary(bare_s)
    return {"rounds": ROUNDS, "toolbar_s": toolbar, "bare_pyudev_s": bare,
            "ratio": toolbar["median"] / bare["median"]}


def browser_without_umockdev(folder: Path) -> str:
    script = folder / "chromium"
    script.write_text('#!/bin/sh\nexec env -u LD_PRELOAD /usr/bin/chromium "$@"\n',
                      encoding="utf-8")
    script.chmod(0o755)
    return str(script)


def kiosk_round(kiosk: Any, bed: Any, sane: Any, plug: bool) -> float:
    """Plug (or pull) the scanner; seconds until the toolbar shows it."""
    sane.configure(devices=1 if plug else 0)
    mark = len(kiosk.lines)
    started = time.time()
    if plug:
        bed.plug("scanner")
    else:
        bed.unplug("scanner")
    refreshed = wait_line(kiosk, "toolbar: refreshed", mark, "the toolbar after udev")
    return log_time(kiosk.lines[refreshed]) - started


def bare_rounds(bed: Any, wrapped: Any) -> list[float]:
    """A bare pyudev monitor in the same testbed: plug order to its first event."""
    proc = subprocess.Popen(wrapped([sys.executable, "-c", BARE_MONITOR]),
                            env={**_environ(), **bed.env()}, stdout=subprocess.PIPE,
                            text=True)
    assert proc.stdout is not None
    try:
        if proc.stdout.readline().strip() != "ready":
            raise BenchError("the bare pyudev monitor did not start")
        stamps: queue.SimpleQueue[float] = queue.SimpleQueue()
        reader = threading.Thread(target=_read_stamps, args=(proc.stdout, stamps),
                                  daemon=True)
        reader.start()
        times = []
        for _ in range(ROUNDS):
            for plug in (True, False):
                started = time.time()
                (bed.plug if plug else bed.unplug)("scanner")
                try:
                    times.append(stamps.get(timeout=10) - started)
                except queue.Empty:
                    raise BenchError("the bare pyudev monitor saw no event") from None
                time.sleep(SETTLE_S)
                while not stamps.empty():
                    stamps.get()
        return times
    finally:
        proc.kill()
        proc.wait(10)


def _read_stamps(stream: Any, stamps: queue.SimpleQueue[float]) -> None:
    for line in stream:
        stamps.put(float(line.split()[0]))


def _environ() -> dict[str, str]:
    import os

    return dict(os.environ)


def rows(results: dict[str, Any]) -> list[tuple[str, str, str]]:
    toolbar, bare = results["toolbar_s"], results["bare_pyudev_s"]
    return [
        ("udev event -> toolbar updated (median)", f"{toolbar['median']:.3f} s", "<= 0.2 s"),
        ("bare pyudev monitor sees it (median)", f"{bare['median']:.3f} s", "reference"),
        ("udev -> toolbar / bare pyudev", f"{results['ratio']:.1f}x",
         "(SANE's list and a redraw)"),
    ]
