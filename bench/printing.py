"""Printing as a resident does it, against a private cupsd, beside plain `lp`.

The real kiosk shows the tests' two-page receipt (tests/procedure_site.py). Each
round: F2 to the toolbar, Tab to Print, Return (the clock starts just before
xdotool); the panel's log line says when the preview is drawn; Return on the
panel prints, and the kiosk's log line "request N is CUPS job M" says when CUPS
accepted the job. Times come from the kiosk's millisecond log stamps and the
benchmark's wall clock, as in bench/kiosk_session.py, less what starting xdotool
costs (measured in the same run).

The reference, in the same run: `lp` sending the same two-page PDF to the same
queue (from its start to its "request id" answer, when CUPS has accepted it).
"""

from __future__ import annotations

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
PRINT_ITEM_TABS = 3  # Home, Back, Reload, then Print


def run() -> dict[str, Any]:
    # The tests' helpers (tests/ is put on the path by bench.common).
    from cups_server import cups_server
    from kiosk_process import open_tile
    from procedure_site import ALLOWED, Site, profile_toml

    folder = Path(tempfile.mkdtemp(prefix="borne-bench-print-"))
    site = Site().start()
    try:
        with cups_server() as cups, x_screen(1280, 1024) as screen:
            cups.add_pdf_queue()
            profile = folder / "printing.toml"
            profile.write_text(profile_toml([("receipt", f"http://{ALLOWED}/receipt",
                                              [ALLOWED])]), encoding="utf-8")
            env = {"KIOSK_HOST_RESOLVER_RULES": site.rules, "CUPS_SERVER": str(cups.socket)}
            with running_kiosk(screen, folder, "--profile", str(profile), env=env) as kiosk:
                kiosk.wait_until_ready()
                key_cost = xdotool_start_s(screen)
                open_tile(kiosk, screen, site, ["Return"], "receipt", ALLOWED)
                preview, accepted = [], []
                kept_pdf = folder / "receipt.pdf"
                page = 0  # the log line from which the page takes the keyboard back
                for round_number in range(1, ROUNDS + 1):
                    mark = len(kiosk.lines)
                    keyboard_to_toolbar(kiosk, screen, page)
                    started = time.time()
                    screen.key(*["Tab"] * PRINT_ITEM_TABS, "Return")
                    panel = wait_line(kiosk, r"print panel: 2 page", mark, "the print panel")
                    preview.append(log_time(kiosk.lines[panel]) - started - key_cost)
                    if round_number == 1:
                        shutil.copyfile(next(kiosk.session_root.glob("*/print/page-*.pdf")),
                                        kept_pdf)
                    kiosk.wait_for_screen("print_panel", after=panel)
                    started = time.time()
                    screen.key("Return")
                    job = wait_line(kiosk, rf"printing: request {round_number} is CUPS job",
                                    mark, "the job")
                    accepted.append(log_time(kiosk.lines[job]) - started - key_cost)
                    done = wait_line(kiosk, rf"printing: request {round_number} printed",
                                     job, "the printed job")
                    kiosk.wait_for_screen("print_status", after=done)
                    page = len(kiosk.lines)
                    screen.key("Return")  # Back to the page
                    kiosk.wait_for_screen("toolbar", after=done)
            bare = [lp_seconds(cups.env, kept_pdf) for _ in range(ROUNDS)]
    finally:
        site.stop()
        shutil.rmtree(folder, ignore_errors=True)
    accepted_s, lp_s = summary(accepted), summary(bare)
    return {"rounds": ROUNDS, "xdotool_start_s": key_cost, "preview_s": summary(preview),
            "accepted_s": accepted_s, "lp_s": lp_s,
            "accepted_ratio": accepted_s["median"] / lp_s["median"]}


def lp_seconds(env: dict[str, str], pdf: Path) -> float:
    started = time.monotonic()
    done = subprocess.run(["lp", "-d", "office", "-t", "Borne bench", str(pdf)], env=env,
                          capture_output=True, text=True, check=False, timeout=30)
    if done.returncode != 0:
        raise BenchError(f"lp failed: {done.stderr.strip()}")
    return time.monotonic() - started


def rows(results: dict[str, Any]) -> list[tuple[str, str, str]]:
    r = results
    return [
        ("print: Print pressed to preview shown (2 pages)",
         f"{r['preview_s']['median']:.3f} s", "<= 1 s"),
        ("print: Print on the panel to job accepted",
         f"{r['accepted_s']['median']:.3f} s", "<= 1 s"),
        ("bare lp of the same PDF, to job accepted", f"{r['lp_s']['median']:.3f} s",
         "reference"),
        ("print: job accepted / bare lp", f"{r['accepted_ratio']:.2f}x", "<= 2x"),
    ]


if __name__ == "__main__":
    for line in rows(run()):
        print(*line, sep="  ")
