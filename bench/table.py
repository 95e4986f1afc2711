"""The one table of `make bench`: each measure beside its reference from the same run.

Every line: Borne's median with its smallest and largest run and the number of runs,
what it is compared with and that reference's median (min-max), the ratio of the
medians, and, for the session loop, the same under the hardware floor (bench/floor.py).
The lines come in the order issue 14 lists them.
"""

from __future__ import annotations

from typing import Any

# (key in the results, measure, unit, Borne's figure, the reference's, what the reference is)
LINES: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("shell", "shell start to home screen", "s", "shell_start_s", "bare_tk_start_s",
     "bare Tk window to idle"),
    ("kiosk_session", "tile tap to page parsed", "s", "tap_to_parsed_s", "bare_parsed_s",
     "bare Chromium start to page parsed"),
    ("kiosk_session", "End session confirmed to fresh home", "s", "confirm_to_home_s",
     "bare_fresh_s", "bare Chromium killed, folder deleted, new one to page parsed"),
    ("kiosk_session", "memory per session (shell + Chromium PSS, page open)", "MiB",
     "memory_mib.total_pss", "bare_pss_mib", "bare Chromium PSS, same page"),
    ("kiosk_session", "idle CPU (shell + waiting browser)", "%", "idle_cpu_pct",
     "bare_idle_cpu_pct", "bare Tk window + bare Chromium on a blank page"),
    ("printing", "Print on the panel to job accepted", "s", "accepted_s", "lp_s",
     "lp of the same PDF to request id"),
    ("scanning", "scan pressed to preview shown", "s", "preview_s", "scanimage_s",
     "scanimage of the same page"),
    ("hotplug", "udev event to toolbar updated", "s", "toolbar_s", "bare_pyudev_s",
     "bare pyudev monitor sees it"),
    ("picker", "picker with 20 thumbnails drawn", "s", "picker_s", "bare_tk_s",
     "bare Tk, same rows and pictures"),
)
FLOOR_PART = "kiosk_session"


def figure(results: dict[str, Any] | None, dotted: str) -> dict[str, float] | None:
    """The summary (median, min, max, runs) at `dotted` in `results`, if it is there."""
    value: Any = results
    for key in dotted.split("."):
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value if isinstance(value, dict) and "median" in value else None


def ratio(mine: dict[str, float] | None, reference: dict[str, float] | None) -> float | None:
    if mine is None or reference is None or reference["median"] <= 0:
        return None
    return mine["median"] / reference["median"]


def table(results: dict[str, Any]) -> list[dict[str, Any]]:
    """The table's lines as plain data (written into bench/results.json)."""
    floor = (results.get("floor") or {}).get(FLOOR_PART)
    lines = []
    for part, measure, unit, mine_key, reference_key, reference in LINES:
        mine = figure(results.get(part), mine_key)
        theirs = figure(results.get(part), reference_key)
        line: dict[str, Any] = {
            "measure": measure, "unit": unit, "figure": mine, "reference": reference,
            "reference_figure": theirs, "ratio": ratio(mine, theirs),
            "failed": f"{part}_error" in results,
        }
        if part == FLOOR_PART and floor is not None:
            floor_mine, floor_theirs = figure(floor, mine_key), figure(floor, reference_key)
            line.update(floor_figure=floor_mine, floor_reference_figure=floor_theirs,
                        floor_ratio=ratio(floor_mine, floor_theirs))
        lines.append(line)
    return lines


def number(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value:.3f}"
    if unit == "%":
        return f"{value:.1f}"
    return f"{value:.0f}"


def spread(summary: dict[str, float] | None, unit: str, runs: bool = True) -> str:
    """'0.412 s (0.398-0.450, 5 runs)'."""
    if summary is None:
        return "-"
    low, high = number(summary["min"], unit), number(summary["max"], unit)
    count = f", {summary['runs']:.0f} runs" if runs else ""
    return f"{number(summary['median'], unit)} {unit} ({low}-{high}{count})"


def times(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def markdown(lines: list[dict[str, Any]]) -> str:
    """The table as Markdown, as printed by `make bench` and shown in the README."""
    out = ["| Measure | Borne: median (min-max, runs) | Reference, same run | "
           "Reference: median (min-max) | Ratio | 2 GiB, 1 CPU: Borne | "
           "2 GiB, 1 CPU: reference | 2 GiB, 1 CPU: ratio |",
           "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for line in lines:
        unit = line["unit"]
        if line["failed"] and line["figure"] is None:
            out.append(f"| {line['measure']} | FAILED (see above) | {line['reference']} "
                       "| - | - | - | - | - |")
            continue
        floor = "- | - | -"
        if line.get("floor_figure") is not None:
            floor = (f"{spread(line['floor_figure'], unit)} | "
                     f"{spread(line['floor_reference_figure'], unit, runs=False)} | "
                     f"{times(line['floor_ratio'])}")
        out.append(f"| {line['measure']} | {spread(line['figure'], unit)} | "
                   f"{line['reference']} | {spread(line['reference_figure'], unit, False)} "
                   f"| {times(line['ratio'])} | {floor} |")
    return "\n".join(out)
