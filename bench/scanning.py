"""Scanning as a resident does it, against SANE's `test` backend, beside bare `scanimage`.

The real kiosk shows the tests' upload page (tests/procedure_site.py) with a private
SANE_CONFIG_DIR that lists only the `test` backend. Each round: F2 to the toolbar,
Tab to Scan, Return (the presets), then Return on "A4 proof" (the clock starts just
before xdotool); the panel's log line "scan panel: review" says when the preview is
drawn. Escape goes back to the page. Times come from the kiosk's millisecond log
stamps and the benchmark's wall clock, less what starting xdotool costs (measured in
the same run).

The reference, in the same run: `scanimage` alone producing the same page (the same
device, mode, resolution, area and format, with --progress), from its start to its
end.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import running_kiosk, summary, x_screen
from bench.kiosk_session import (
    BenchError,
    keyboard_to_toolbar,
    log_time,
    wait_line,
    xdotool_start_s,
)

ROUNDS = 10
SCAN_ITEM_TABS = 4  # Home, Back, Reload, Print, then Scan


def run() -> dict[str, Any]:
    # The tests' helpers (tests/ is put on the path by bench.common).
    from kiosk_process import open_tile
    from procedure_site import UPLOADS, Site, profile_toml
    from sane_backend import sane_setup

    folder = Path(tempfile.mkdtemp(prefix="borne-bench-scan-"))
    site = Site().start()
    try:
        with sane_setup() as sane, x_screen(1280, 1024) as screen:
            sane.configure(devices=1)
            profile = folder / "scanning.toml"
            profile.write_text(profile_toml([("single", f"http://{UPLOADS}/single",
                                              [UPLOADS])]), encoding="utf-8")
            env = {"KIOSK_HOST_RESOLVER_RULES": site.rules, **sane.env}
            with running_kiosk(screen, folder, "--profile", str(profile), env=env) as kiosk:
                kiosk.wait_until_ready()
                wait_line(kiosk, r"scanning: 1 scanner\(s\) found", 0, "the scanner list")
                key_cost = xdotool_start_s(screen)
                open_tile(kiosk, screen, site, ["Return"], "single", UPLOADS)
                preview = []
                page = 0  # the log line from which the page takes the keyboard back
                for _round in range(ROUNDS):
                    mark = len(kiosk.lines)
                    keyboard_to_toolbar(kiosk, screen, page)
                    screen.key(*["Tab"] * SCAN_ITEM_TABS, "Return")
                    kiosk.wait_for_screen("scan_choose", after=mark)
                    started = time.time()
                    screen.key("Return")
                    shown = wait_line(kiosk, r"scan panel: review, 1 page", mark, "the preview")
                    preview.append(log_time(kiosk.lines[shown]) - started - key_cost)
                    kiosk.wait_for_screen("scan_review", after=shown)
                    page = len(kiosk.lines)
                    screen.key("Escape")
                    kiosk.wait_for_screen("toolbar", after=shown)
            bare = [scanimage_seconds(sane.env, folder / "bare.png") for _ in range(ROUNDS)]
    finally:
        site.stop()
        shutil.rmtree(folder, ignore_errors=True)
    preview_s, bare_s = summary(preview), summary(bare)
    return {"rounds": ROUNDS, "xdotool_start_s": key_cost, "preview_s": preview_s,
            "scanimage_s": bare_s, "preview_ratio": preview_s["median"] / bare_s["median"]}


def scanimage_seconds(env: dict[str, str], output: Path) -> float:
    """Bare scanimage making the page the kiosk's "A4 proof" asks for."""
    from kiosk.devices.scanning import PRESETS, scanimage_args

    output.unlink(missing_ok=True)
    started = time.monotonic()
    done = subprocess.run(scanimage_args("test:0", PRESETS["a4_proof"], output),
                          env={**os.environ, **env}, capture_output=True, check=False,
                          timeout=60)
    if done.returncode != 0:
        raise BenchError(f"scanimage failed: {done.stderr.decode(errors='replace').strip()}")
    return time.monotonic() - started


def rows(results: dict[str, Any]) -> list[tuple[str, str, str]]:
    r = results
    return [
        ("scan: A4 proof pressed to preview shown", f"{r['preview_s']['median']:.3f} s",
         "reference x 1.2"),
        ("bare scanimage of the same page", f"{r['scanimage_s']['median']:.3f} s",
         "reference"),
        ("scan: preview / bare scanimage", f"{r['preview_ratio']:.2f}x", "<= 1.2x"),
    ]


if __name__ == "__main__":
    for line in rows(run()):
        print(*line, sep="  ")
