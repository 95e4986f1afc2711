"""`make bench`: run every benchmark, print a table, write bench/results.json."""

from __future__ import annotations

import importlib
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
    table.extend(results.get("session_rows", []))
    for part, _ in KIOSK_PARTS:
        table.extend(results.get(f"{part}_rows", []))
        if f"{part}_error" in results:
            table.append((f"bench/{part}.py", "FAILED", "see above"))
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
    failed = False
    for name, what in KIOSK_PARTS:
        failed = run_part(results, name, what) or failed
    RESULTS.write_text(json.dumps(results, indent=2))
    width = max(len(r[0]) for r in rows(results))
    print(f"{'measure':<{width}}  {'value':>18}  target")
    for name, value, target in rows(results):
        print(f"{name:<{width}}  {value:>18}  {target}")
    print(f"\nwritten to {RESULTS}")
    return 1 if failed else 0


# The benchmarks that drive the real kiosk: module name, and what it is in a sentence.
KIOSK_PARTS = (("kiosk_session", "kiosk session"), ("printing", "printing"),
               ("scanning", "scanning"))


def run_part(results: dict[str, Any], name: str, what: str) -> bool:
    """Run bench/NAME.py and add its figures and table rows to `results`; True if it
    failed (the other benchmarks still run and print)."""
    module = importlib.import_module(f"bench.{name}")
    try:
        results[name] = module.run()
    except Exception as error:
        message = f"{type(error).__name__}: {error}"
        print(f"bench: the {what} benchmark failed: {message}", file=sys.stderr)
        results[f"{name}_error"] = message
        return True
    results[f"{name}_rows"] = module.rows(results[name])
    return False


if __name__ == "__main__":
    sys.exit(main())
