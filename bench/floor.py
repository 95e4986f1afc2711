"""The hardware floor: the session loop on 2 GiB of memory and one CPU.

bench/kiosk_session.py (its bare Chromium references, the kiosk at rest, then
FLOOR_SESSIONS sessions in a row) runs in a child process that is held, with
everything it starts (Xvfb, openbox, the kiosk, Chromium, xdotool), to:

- FLOOR_MEMORY of memory, by a control group made by hand. `systemd-run --scope -p
  MemoryMax=2G` would do the same where systemd is the init; the benchmark does not
  need it. With cgroup v2 the group is a child of this process's own group, the
  memory controller enabled in that group's cgroup.subtree_control, and memory.max
  written; where the memory controller is mounted as cgroup v1 (as on hybrid
  machines and in some containers), memory.limit_in_bytes. The group's peak use and
  out-of-memory kills are reported beside the figures.
- one CPU (FLOOR_CPU), by `taskset`: the affinity is inherited by every process the
  child starts.

A machine where no memory group can be made runs the floor on one CPU only and says
why; an address-space limit (RLIMIT_AS) is no substitute, Chromium reserves far more
address space than it uses and does not start under one.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.common import REPO

FLOOR_MEMORY = 2 * 1024 ** 3
FLOOR_CPU = "0"
FLOOR_SESSIONS = 20
CGROUP_ROOT = Path("/sys/fs/cgroup")
GROUP_NAME = "borne-bench-floor"
TIMEOUT_S = 900


class FloorUnavailable(RuntimeError):
    """No memory group can be made here; the message says exactly why."""


@dataclass(frozen=True)
class MemoryGroup:
    """A control group holding the floor's processes to a memory limit."""

    path: Path
    version: int  # 2 or 1

    @property
    def procs(self) -> Path:
        return self.path / "cgroup.procs"

    def limit_bytes(self) -> int:
        name = "memory.max" if self.version == 2 else "memory.limit_in_bytes"
        return int((self.path / name).read_text().strip())

    def peak_bytes(self) -> int | None:
        """The most the group used (memory.peak needs Linux 5.19 with cgroup v2)."""
        name = "memory.peak" if self.version == 2 else "memory.max_usage_in_bytes"
        try:
            return int((self.path / name).read_text().strip())
        except (OSError, ValueError):
            return None

    def oom_kills(self) -> int | None:
        """Processes the kernel killed for want of memory in the group."""
        name = "memory.events" if self.version == 2 else "memory.oom_control"
        try:
            text = (self.path / name).read_text()
        except OSError:
            return None
        for line in text.splitlines():
            key, _, value = line.partition(" ")
            if key == "oom_kill":
                return int(value)
        return None


def own_group(controller: str | None) -> str:
    """This process's group path: in the cgroup v2 tree (None), or in the v1 hierarchy
    that carries `controller`."""
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        if controller is None and controllers == "":
            return path
        if controller is not None and controller in controllers.split(","):
            return path
    raise FloorUnavailable(f"/proc/self/cgroup names no {controller or 'cgroup v2'} group")


def v2_root() -> Path | None:
    """Where the cgroup v2 tree is mounted with a memory controller, if anywhere."""
    for root in (CGROUP_ROOT, CGROUP_ROOT / "unified"):
        controllers = root / "cgroup.controllers"
        if controllers.exists() and "memory" in controllers.read_text().split():
            return root
    return None


def make_v2_group(root: Path, limit: int) -> MemoryGroup:
    parent = root / own_group(None).lstrip("/")
    subtree = parent / "cgroup.subtree_control"
    if "memory" not in subtree.read_text().split():
        try:
            subtree.write_text("+memory")
        except OSError as error:
            # The "no internal processes" rule: a group with processes of its own
            # (other than the root) cannot hand controllers down to children.
            raise FloorUnavailable(
                f"cannot enable the memory controller in {subtree}: {error.strerror}; "
                f"{parent} holds processes and is not the root group") from error
    group = parent / f"{GROUP_NAME}-{os.getpid()}"
    group.mkdir()
    (group / "memory.max").write_text(str(limit))
    with suppress(OSError):
        (group / "memory.swap.max").write_text("0")
    return MemoryGroup(group, 2)


def make_v1_group(limit: int) -> MemoryGroup:
    hierarchy = CGROUP_ROOT / "memory"
    if not (hierarchy / "memory.limit_in_bytes").exists():
        raise FloorUnavailable("no memory controller: neither in the cgroup v2 tree "
                               f"({CGROUP_ROOT}) nor as a cgroup v1 hierarchy ({hierarchy})")
    group = hierarchy / own_group("memory").lstrip("/") / f"{GROUP_NAME}-{os.getpid()}"
    group.mkdir()
    (group / "memory.limit_in_bytes").write_text(str(limit))
    with suppress(OSError):  # swap must not stretch the limit (absent without swap accounting)
        (group / "memory.memsw.limit_in_bytes").write_text(str(limit))
    return MemoryGroup(group, 1)


@contextmanager
def memory_group(limit: int = FLOOR_MEMORY) -> Iterator[MemoryGroup]:
    """A fresh control group limited to `limit` bytes, removed afterwards."""
    root = v2_root()
    try:
        group = make_v2_group(root, limit) if root is not None else make_v1_group(limit)
    except OSError as error:  # read-only, not ours, or no such controller
        raise FloorUnavailable(f"cannot make a memory group: {error}") from error
    try:
        yield group
    finally:
        kill_members(group)
        for _ in range(50):  # the group can go once its last process has been reaped
            try:
                group.path.rmdir()
                break
            except OSError:
                time.sleep(0.1)


def kill_members(group: MemoryGroup) -> None:
    """SIGKILL what is left in the group: an interrupted run leaves Xvfb, openbox or a
    browser behind, and only its own processes are ever put there."""
    with suppress(OSError):
        for pid in group.procs.read_text().split():
            with suppress(ProcessLookupError):
                os.kill(int(pid), signal.SIGKILL)


def child_command(procs: Path | None, output: Path, sessions: int) -> list[str]:
    """The session benchmark on one CPU; first into the memory group, when there is one
    (the shell writes its own pid, then becomes the benchmark: nothing escapes)."""
    bench = ["taskset", "-c", FLOOR_CPU, sys.executable, "-m", "bench.kiosk_session",
             "--sessions", str(sessions), "--no-hostile", "--json", str(output)]
    if procs is None:
        return bench
    return ["sh", "-c", 'echo $$ > "$0" && exec "$@"', str(procs), *bench]


def run_child(procs: Path | None, sessions: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="borne-bench-floor-") as tmp:
        output = Path(tmp) / "floor.json"
        begin = time.monotonic()
        done = subprocess.run(child_command(procs, output, sessions), cwd=REPO,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              timeout=TIMEOUT_S, check=False)
        minutes = (time.monotonic() - begin) / 60
        if done.returncode != 0 or not output.exists():
            raise RuntimeError(f"the session loop under the floor failed (exit "
                               f"{done.returncode}): {done.stdout.strip()[-3000:]}")
        results: dict[str, Any] = json.loads(output.read_text(encoding="utf-8"))
    results["minutes"] = minutes
    return results


def run(sessions: int = FLOOR_SESSIONS) -> dict[str, Any]:
    """The session loop under the floor, and how the floor was made."""
    floor: dict[str, Any] = {"cpus": FLOOR_CPU, "sessions": sessions}
    try:
        with memory_group() as group:
            floor["memory"] = f"cgroup v{group.version}, {group.path}"
            floor["memory_limit_mib"] = group.limit_bytes() / 2 ** 20
            floor["kiosk_session"] = run_child(group.procs, sessions)
            peak, kills = group.peak_bytes(), group.oom_kills()
            floor["peak_mib"] = None if peak is None else peak / 2 ** 20
            floor["oom_kills"] = kills
    except FloorUnavailable as why:
        sys.stderr.write(f"bench: no memory limit for the floor, one CPU only: {why}\n")
        floor["memory"] = f"not limited: {why}"
        floor["kiosk_session"] = run_child(None, sessions)
    return floor


if __name__ == "__main__":
    print(json.dumps(run(int(sys.argv[1]) if len(sys.argv) > 1 else FLOOR_SESSIONS),
                     indent=1))
