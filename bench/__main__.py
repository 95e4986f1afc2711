"""`make bench`: run every benchmark, print a table, write bench/results.json."""

from __future__ import annotations

import json
import platform
import sys
import time
from pathlib import Path
from typing import Any

from bench import shell

RESULTS = Path(__file__).resolve().parent / "results.json"


def rows(results: dict[str, Any]) -> list[tuple[str, str, str]]:
    s = results["shell"]
    table = [
        ("shell start (median)", f"{s['shell_start_s']['median']:.3f} s",
         "<= 1.0 s"),
        ("bare Tk start (median)", f"{s['bare_tk_start_s']['median']:.3f} s", "reference"),
        ("shell start / bare Tk", f"{s['shell_start_ratio']:.2f}x", "<= 3x"),
        ("shell RSS at rest", f"{s['shell_rss_mib']:.1f} MiB", "<= 80 MiB"),
        ("shell CPU at rest", f"{s['shell_cpu_at_rest_share'] * 100:.2f} % of a core", "< 1 %"),
    ]
    for name, value, target in results.get("session_rows", []):
        table.append((name, value, target))
    for name, value, target in results.get("kiosk_session_rows", []):
        table.append((name, value, target))
    for name, value, target in results.get("printing_rows", []):
        table.append((name, value, target))
    if "printing_error" in results:
        table.append(("printing (bench/printing.py)", "FAILED", "see above"))
    if "kiosk_session_error" in results:
        table.append(("kiosk sessions (bench/kiosk_session.py)", "FAILED", "see above"))
    return table


def main() -> int:
    results: dict[str, Any] = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "machine": {"cpus": __import__("os").cpu_count(), "python": platform.python_version()},
        "shell": shell.run(),
    }
    try:
        from bench import session
    except ImportError:
        session = None  # type: ignore[assignment]
    if session is not None:
        results["session"] = session.run()
        results["session_rows"] = session.rows(results["session"])
    failed = run_kiosk_sessions(results)
    failed = run_printing(results) or failed
    RESULTS.write_text(json.dumps(results, indent=2))
    width = max(len(r[0]) for r in rows(results))
    print(f"{'measure':<{width}}  {'value':>18}  target")
    for name, value, target in rows(results):
        print(f"{name:<{width}}  {value:>18}  {target}")
    print(f"\nwritten to {RESULTS}")
    return 1 if failed else 0


def run_kiosk_sessions(results: dict[str, Any]) -> bool:
    """The real kiosk driven as a resident would; True if it failed (the rest still prints)."""
    from bench import kiosk_session

    try:
        results["kiosk_session"] = kiosk_session.run()
    except Exception as error:
        message = f"{type(error).__name__}: {error}"
        print(f"bench: the kiosk session benchmark failed: {message}", file=sys.stderr)
        results["kiosk_session_error"] = message
        return True
    results["kiosk_session_rows"] = kiosk_session.rows(results["kiosk_session"])
    return False


def run_printing(results: dict[str, Any]) -> bool:
    """Print as a resident does, beside lp; True if it failed (the rest still prints)."""
    from bench import printing

    try:
        results["printing"] = printing.run()
    except Exception as error:
        message = f"{type(error).__name__}: {error}"
        print(f"bench: the printing benchmark failed: {message}", file=sys.stderr)
        results["printing_error"] = message
        return True
    results["printing_rows"] = printing.rows(results["printing"])
    return False


if __name__ == "__main__":
    sys.exit(main())
