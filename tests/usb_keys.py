"""Fake USB keys and a private USB mount service, for real mounts in tests.

A fake key is an ext4 image (`mke2fs -d`: this machine's kernel has no vfat)
on a loop device; the mount service (kiosk.devices.usb_mount, as root) runs on a
socket and mount root of the test's own, with `--allow-loop`. Both are cleaned
up even when the test fails: mounts under the root lazily unmounted, loop
devices detached, the service stopped by its process id.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from harness import REPO, wait_for

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a") + b"\0" * 32


def skip_unless_mounts_work() -> None:
    if os.geteuid() != 0:
        pytest.skip("USB keys are mounted as root")
    for program in ("mke2fs", "losetup", "mount", "blkid"):
        if shutil.which(program) is None:
            pytest.skip(f"{program} is missing")


@dataclass
class FakeKey:
    image: Path
    dev_node: str

    def detach(self) -> None:
        """The key is pulled out: its loop device lets go of the image."""
        subprocess.run(["losetup", "-d", self.dev_node], check=False, capture_output=True)


@contextlib.contextmanager
def fake_key(folder: Path, files: dict[str, bytes], label: str = "MYKEY",
             owner: int = 0, size_mb: int = 8) -> Iterator[FakeKey]:
    """An ext4 key holding `files` (relative paths), on a loop device; its root folder
    owned by `owner` (an ext4 key keeps its owners, unlike vfat)."""
    content = Path(tempfile.mkdtemp(prefix="key-", dir=folder))
    for name, data in files.items():
        path = content / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    image = folder / f"{label}.img"
    subprocess.run(["mke2fs", "-q", "-t", "ext4", "-L", label, "-d", str(content),
                    "-E", f"root_owner={owner}:{owner}", str(image), f"{size_mb}M"],
                   check=True, capture_output=True)
    dev = subprocess.run(["losetup", "-f", "--show", str(image)], check=True,
                         capture_output=True, text=True).stdout.strip()
    key = FakeKey(image, dev)
    try:
        yield key
    finally:
        for line in Path("/proc/mounts").read_text().splitlines():
            if line.split()[0] == dev:
                subprocess.run(["umount", "-l", line.split()[1]], check=False)
        key.detach()


@dataclass
class MountService:
    socket: Path
    root: Path
    proc: subprocess.Popen[str]
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def mounted(self) -> list[tuple[str, Path, set[str]]]:
        """(device, mount point, options) of what is mounted under the root now."""
        found = []
        for line in Path("/proc/mounts").read_text().splitlines():
            device, target, _fs, options = line.split()[:4]
            if Path(target).parent == self.root:
                found.append((device, Path(target), set(options.split(","))))
        return found


def with_policy(profile_text: str, policy: str, mediator_policy: str | None = None) -> str:
    """A profile's text with `[usb_storage] policy = POLICY` (added or replaced), and
    `mediator_policy` when given."""
    keys = f'policy = "{policy}"'
    if mediator_policy is not None:
        keys += f'\nmediator_policy = "{mediator_policy}"'
    if "[usb_storage]" in profile_text:
        return re.sub(r'(?m)^policy = ".*"$', keys, profile_text)
    # Tables may follow the top-level keys: the section goes before the first one.
    head, sep, tail = profile_text.partition("\n[")
    return f'{head}\n\n[usb_storage]\n{keys}\n{sep}{tail}' if sep else \
        f'{profile_text}\n[usb_storage]\n{keys}\n'


def write_profile(path: Path, policy: str, mediator_policy: str | None = None) -> Path:
    """The sample profile with `[usb_storage] policy` (and `mediator_policy`) set."""
    text = (REPO / "tests" / "data" / "sample.toml").read_text(encoding="utf-8")
    path.write_text(with_policy(text, policy, mediator_policy), encoding="utf-8")
    return path


def listening(path: Path) -> bool:
    """Whether a Unix socket at `path` takes a connection now."""
    with socket.socket(socket.AF_UNIX) as probe:
        try:
            probe.connect(str(path))
        except OSError:
            return False
    return True


@contextlib.contextmanager
def mount_service(folder: Path, profile: Path, user: str | None = None,
                  allow_loop: bool = True) -> Iterator[MountService]:
    """The mount service as root, for `user` (default: root's own account)."""
    base = Path(tempfile.mkdtemp(prefix="borne-usb-", dir="/run" if os.access(
        "/run", os.W_OK) else None))
    base.chmod(0o755)
    sock, root, log = base / "socket", base / "keys", folder / "usb-mount.log"
    account = user or pwd.getpwuid(0).pw_name
    argv = [sys.executable, "-m", "kiosk.devices.usb_mount", "--socket", str(sock),
            "--mount-root", str(root), "--user", account, "--profile", str(profile)]
    if allow_loop:
        argv.append("--allow-loop")
    # A shared mount of its own: keys mounted under it reach a kiosk started in a
    # mount namespace of its own (the production mode), as on a systemd machine.
    root.mkdir(mode=0o755)
    subprocess.run(["mount", "--bind", str(root), str(root)], check=True)
    subprocess.run(["mount", "--make-shared", str(root)], check=True)
    with log.open("w") as output:
        proc = subprocess.Popen(argv, stdout=output, stderr=subprocess.STDOUT, text=True,
                                cwd=REPO, start_new_session=True)
    service = MountService(sock, root, proc, log)
    try:
        # Listening, not only bound: the socket file exists a moment before it listens.
        assert wait_for(lambda: listening(sock) or proc.poll() is not None, 10)
        assert proc.poll() is None, service.log_text()
        yield service
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        for _device, target, _options in service.mounted():
            subprocess.run(["umount", "-l", str(target)], check=False)
        subprocess.run(["umount", "-l", str(root)], check=False)
        shutil.rmtree(base, ignore_errors=True)
