"""`make soak`: many sessions in a row in one kiosk process, watching for anything that grows.

Each session opens the canary procedure (tests/procedure_site.py): the page plants
a fresh token in cookies, storage, IndexedDB, the cache, a service worker and a
download, and reports which earlier tokens it can still see. The session then ends
the way residents end them: mostly with End session from the keyboard, every
IDLE_EVERY-th by walking away (the idle countdown). Every SAMPLE_EVERY sessions
the soak records the shell's RSS and PSS, Chromium's PSS, open fds, threads,
processes, zombies and the session root's disk use, and searches the machine for
the previous session's token.

It passes when no earlier token is ever seen again, none is found on disk, and
nothing grows beyond noise after warm-up: shell RSS within 5 %, fds, threads and
processes back to their level, no zombie. Figures go to bench/soak-results.json
and, when matplotlib is there, a plot to bench/soak.png.

SOAK_SESSIONS (default 1000) sets the length; SOAK_MODE=production runs the kiosk
as the kiosk user with Chromium's sandbox on, as tests/kiosk_process.py does.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
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

sys.path[:0] = [str(REPO / "tests"), str(REPO / "tests" / "e2e")]

from canary import (  # noqa: E402
    PROFILE as CANARY_PROFILE,
    find_token,
    standard_roots,
)
from harness import wait_for  # noqa: E402
from procedure_site import Site  # noqa: E402

RESULTS = REPO / "bench" / "soak-results.json"
PLOT = REPO / "bench" / "soak.png"
SAMPLE_EVERY = 50
IDLE_EVERY = 20
DOWNLOAD_EVERY = 5
WARM_UP = 100
RSS_DRIFT_LIMIT_PCT = 5.0

# The canary profile, with room for keys typed while a page still loads.
PROFILE = CANARY_PROFILE.replace("idle_timeout = 6", "idle_timeout = 15").replace(
    "idle_warning = 4", "idle_warning = 5")


class SoakError(RuntimeError):
    """The soak could not go on (the kiosk stopped answering)."""


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
        "zombies": float(len(below) - len(live)),
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


def open_canary(kiosk: KioskProcess, screen: XScreen, site: Site, after: int) -> str:
    """Return on the home screen's only tile; the visit's token once the page planted it."""
    kiosk.wait_until_ready(timeout=60, after=after)
    visits = len(site.log.tokens)
    mark = len(kiosk.lines)
    screen.key("Return")
    if not wait_for(lambda: len(site.log.tokens) > visits, 30):
        raise SoakError("the procedure did not open")
    token = site.log.tokens[-1]

    def planted() -> bool:
        with site.log.lock:
            return any(r["what"] == ["planted"] and r.get("token") == [token]
                       for r in site.log.reports)

    if not wait_for(planted, 30):
        raise SoakError(f"the canary page of {token} did not plant")
    kiosk.wait_for_log("the browser window has the keyboard$", after=mark)
    return token


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


def end(kiosk: KioskProcess, screen: XScreen, number: int) -> tuple[str, int]:
    """End the session as a resident would; the way it ended and the log mark before."""
    mark = len(kiosk.lines)
    if number % IDLE_EVERY == 0:
        kiosk.wait_for_log(r"ending the session \(idle\)$", timeout=60, after=mark)
        how = "idle"
    else:
        kiosk.end_session_by_keyboard(screen)
        kiosk.wait_for_log(r"ending the session \(button\)$", timeout=30, after=mark)
        how = "button"
    kiosk.wait_for_screen("home", timeout=60, after=mark)
    return how, mark


def report_progress(last: dict[str, float], count: int, leaks: int) -> None:
    sys.stderr.write(
        f"soak: {int(last['session'])}/{count}, shell RSS {last['shell_rss_mib']:.1f} MiB, "
        f"Chromium PSS {last['chromium_pss_mib']:.0f} MiB, {int(last['fds'])} fds, "
        f"{int(last['threads'])} threads, {int(last['processes'])} processes, {leaks} leaks\n")


def verdict(samples: list[dict[str, float]], leaks: list[str], found_on_disk: list[str]
            ) -> dict[str, Any]:
    warm = next((s for s in samples if s["session"] >= WARM_UP), samples[0])
    last = samples[-1]
    drift = (last["shell_rss_mib"] - warm["shell_rss_mib"]) / warm["shell_rss_mib"] * 100
    checks = {
        "rss_drift_pct": drift,
        "rss_within_limit": drift <= RSS_DRIFT_LIMIT_PCT,
        "fds_stable": last["fds"] <= warm["fds"],
        "threads_stable": last["threads"] <= warm["threads"],
        "processes_stable": last["processes"] <= warm["processes"] + 1,
        "no_zombies": all(s["zombies"] == 0 for s in samples),
        "no_token_seen_again": not leaks,
        "no_token_on_disk": not found_on_disk,
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


def run(count: int, mode: str) -> dict[str, Any]:
    site = Site().start()
    samples: list[dict[str, float]] = []
    leaks: list[str] = []
    on_disk: list[str] = []
    endings = {"button": 0, "idle": 0}
    downloads = 0
    started = time.monotonic()
    sessions = Path(tempfile.mkdtemp(prefix="soak-", dir="/dev/shm"))
    home = Path(tempfile.mkdtemp(prefix="soak-home-"))
    try:
        with x_screen(1280, 1024) as screen, tempfile.TemporaryDirectory(prefix="soak-") as tmp:
            folder = Path(tmp)
            profile = folder / "profile.toml"
            profile.write_text(PROFILE.format(port=site.port), encoding="utf-8")
            env = ({} if mode == "production"
                   else {"HOME": str(home), "KIOSK_SESSION_ROOT": str(sessions)})
            with running_kiosk(screen, folder, "--profile", str(profile), env=env,
                               mode=mode) as kiosk:
                kiosk.wait_until_ready(timeout=60)
                samples.append(sample(kiosk, 0))
                mark = 0
                for number in range(1, count + 1):
                    token = open_canary(kiosk, screen, site, mark)
                    leaks += [f"session {number}: {kind}"
                              for kind in leftovers_seen(site, number - 1)]
                    if number % DOWNLOAD_EVERY == 0:
                        downloads += download_receipt(kiosk, screen, token)
                    how, mark = end(kiosk, screen, number)
                    endings[how] += 1
                    if number % SAMPLE_EVERY == 0 or number == count:
                        kiosk.wait_until_ready(timeout=60, after=mark)
                        samples.append(sample(kiosk, number))
                        roots = standard_roots(kiosk.session_root, home)
                        on_disk += [str(p) for p in find_token(token, roots)]
                        report_progress(samples[-1], count, len(leaks))
    finally:
        site.stop()
        shutil.rmtree(sessions, ignore_errors=True)
        shutil.rmtree(home, ignore_errors=True)
    return {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "machine": {"cpus": os.cpu_count()},
        "mode": mode,
        "sessions": count,
        "endings": endings,
        "downloads": downloads,
        "minutes": (time.monotonic() - started) / 60,
        "samples": samples,
        "tokens_seen_again": leaks,
        "tokens_on_disk": on_disk,
        "verdict": verdict(samples, leaks, on_disk),
    }


def main() -> int:
    count = int(os.environ.get("SOAK_SESSIONS", "1000"))
    mode = os.environ.get("SOAK_MODE", "guard-only")
    results = run(count, mode)
    RESULTS.write_text(json.dumps(results, indent=2))
    drew = plot(results["samples"], PLOT)
    v = results["verdict"]
    first, last = results["samples"][0], results["samples"][-1]
    print(f"{count} sessions ({results['endings']}, {results['downloads']} downloads) "
          f"in {results['minutes']:.1f} min, mode {mode}")
    for key in ("shell_rss_mib", "shell_pss_mib", "chromium_pss_mib", "fds", "threads",
                "processes", "zombies", "session_root_kib"):
        print(f"  {key:<18} {first[key]:>9.1f} -> {last[key]:>9.1f}")
    print(f"  RSS drift after {WARM_UP} sessions: {v['rss_drift_pct']:+.1f} % "
          f"(limit {RSS_DRIFT_LIMIT_PCT} %)")
    print(f"  tokens seen again: {len(results['tokens_seen_again'])}, "
          f"on disk: {len(results['tokens_on_disk'])}")
    print(f"written to {RESULTS}" + (f" and {PLOT}" if drew else ""))
    print("PASSED" if v["passed"] else f"FAILED: {v}")
    return 0 if v["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
