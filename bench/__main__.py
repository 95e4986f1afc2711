"""`make bench`: run every benchmark, print the details, then one table; all of it into
bench/results.json.

BENCH_FLOOR=0 leaves out the hardware floor (bench/floor.py: the session loop again on
2 GiB and one CPU, about two minutes); BENCH_SESSIONS=N sets the length of the normal
session loop (bench/kiosk_session.py).
"""

from __future__ import annotations

import importlib
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

from bench import floor, shell, table

RESULTS = Path(__file__).resolve().parent / "results.json"
FLOOR_ENV = "BENCH_FLOOR"

# The benchmarks that drive the real kiosk: module name, and what it is in a sentence.
KIOSK_PARTS = (("kiosk_session", "kiosk session"), ("printing", "printing"),
               ("scanning", "scanning"), ("hotplug", "hotplug"), ("picker", "picker"))


def details(results: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Every figure beyond the table (each benchmark's own lines): measure, value, target."""
    s = results["shell"]
    lines = [
        ("shell start (median)", f"{s['shell_start_s']['median']:.3f} s", "<= 1.0 s"),
        ("bare Tk start (median)", f"{s['bare_tk_start_s']['median']:.3f} s", "reference"),
        ("shell start / bare Tk", f"{s['shell_start_ratio']:.2f}x", "<= 3x"),
        ("shell RSS at rest", f"{s['shell_rss_mib']:.1f} MiB", "<= 80 MiB"),
        ("shell CPU at rest", f"{s['shell_cpu_at_rest_share'] * 100:.2f} % of a core", "< 1 %"),
    ]
    lines.extend(results.get("session_rows", []))
    for part, _ in KIOSK_PARTS:
        lines.extend(results.get(f"{part}_rows", []))
        if f"{part}_error" in results:
            lines.append((f"bench/{part}.py", "FAILED", "see above"))
    return lines


def machine() -> dict[str, Any]:
    """What the figures came from: CPUs, memory, the load while the benchmark ran."""
    memory_kib = next(int(line.split()[1]) for line in
                      Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal:"))
    model = next((line.split(":", 1)[1].strip() for line in
                  Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.machine())
    return {"cpus": os.cpu_count(), "cpu_model": model, "memory_gib": memory_kib / 2 ** 20,
            "kernel": platform.release(), "python": platform.python_version(),
            "load_at_start": os.getloadavg()}


def machine_line(results: dict[str, Any]) -> str:
    m = results["machine"]
    start = ", ".join(f"{x:.1f}" for x in m["load_at_start"])
    end = ", ".join(f"{x:.1f}" for x in m["load_at_end"])
    return (f"{results['when']}: {m['cpus']} CPUs ({m['cpu_model']}), "
            f"{m['memory_gib']:.0f} GiB, Linux {m['kernel']}, Python {m['python']}; "
            f"load average (1, 5, 15 min) {start} at the start, {end} at the end; "
            f"{results['minutes']:.1f} min")


def floor_line(results: dict[str, Any]) -> str:
    f = results.get("floor")
    if not f:
        return f"floor: {results.get('floor_error', 'not run (BENCH_FLOOR=0)')}"
    peak = "" if f.get("peak_mib") is None else f", peak {f['peak_mib']:.0f} MiB"
    kills = "" if f.get("oom_kills") is None else f", {f['oom_kills']} out-of-memory kills"
    return (f"floor: CPU {f['cpus']} only (taskset), memory {f['memory']}, limit "
            f"{f.get('memory_limit_mib', 0):.0f} MiB{peak}{kills}; {f['sessions']} sessions "
            f"in {f['kiosk_session']['minutes']:.1f} min")


def main() -> int:
    begin = time.monotonic()
    results: dict[str, Any] = {"when": time.strftime("%Y-%m-%d %H:%M"), "machine": machine(),
                               "shell": shell.run()}
    from bench import session

    results["session"] = session.run()
    results["session_rows"] = session.rows(results["session"])
    failed = False
    for name, what in KIOSK_PARTS:
        failed = run_part(results, name, what) or failed
    if os.environ.get(FLOOR_ENV, "1") != "0":
        try:
            results["floor"] = floor.run()
        except Exception as error:
            print(f"bench: the floor failed: {type(error).__name__}: {error}", file=sys.stderr)
            results["floor_error"] = f"{type(error).__name__}: {error}"
            failed = True
    results["machine"]["load_at_end"] = os.getloadavg()
    results["minutes"] = (time.monotonic() - begin) / 60
    results["table"] = table.table(results)
    results["table_markdown"] = table.markdown(results["table"])
    RESULTS.write_text(json.dumps(results, indent=2))
    lines = details(results)
    width = max(len(r[0]) for r in lines)
    print(f"{'measure':<{width}}  {'value':>18}  target")
    for name, value, target in lines:
        print(f"{name:<{width}}  {value:>18}  {target}")
    print(f"\n{results['table_markdown']}\n\n{machine_line(results)}\n{floor_line(results)}")
    print(f"\nwritten to {RESULTS}")
    return 1 if failed else 0


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
