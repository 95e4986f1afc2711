"""The USB key mount service: a small root daemon with a three-command interface.

Why not udisks2 with a polkit rule: udisks2 needs a system D-Bus, polkitd and
udevd, none of which a test can start here, so its mount options and the rule
would ship untested. This service is small, runs for real in the tests, and its
whole interface is three lines:

    mount DEVNODE [assisted]   mount that USB key (partition, or disk without
                               partitions), or remount it if its mode changed
    unmount-all                unmount every key it mounted (lazily when the key is gone)
    list                       what it has mounted

Each request is one line on a Unix socket (`/run/borne-usb/socket`, root:kiosk,
mode 0660); each answer is one line of JSON: `{"ok": true, ...}` or
`{"ok": false, "error": KEYWORD}`. Only the kiosk user and root may ask
(SO_PEERCRED); any other peer gets `{"ok": false, "error": "not-allowed"}`.

The client is trusted with nothing. The service reads `[usb_storage] policy` from
the installed profile itself at each request (deny: nothing is mounted; read-only
or read-write). `assisted` (the kiosk says a mediator assists) asks for
`mediator_policy` instead, never more: with `mediator_policy = ""` it is the
residents' policy. A key already mounted is remounted to the mode now in force,
and unmounted when that is deny: the kiosk asks again without `assisted` when the
assistance ends. The service checks in sysfs that the device is a USB mass-storage
device (its interface bound to usb-storage or uas), that it is a partition or a
disk without partitions, and that its filesystem (probed by `blkid -p`) is vfat,
exfat, NTFS or ext2/3/4. It mounts with fixed options (ro or rw, always
nosuid,nodev,noexec,nosymfollow; for vfat, exfat and NTFS the kiosk user owns the
files and nobody else may read them) under a fixed root (`/run/borne-usb/keys/N`),
and checks the result in /proc/mounts before answering. `--allow-loop` lets loop
devices through for the test suite; the packaged unit never sets it.

Run as `python3 -I -m kiosk.devices.usb_mount` (the systemd unit
borne-usb.service) or `kiosk usb-mount-service`.
"""

from __future__ import annotations

import argparse
import contextlib
import grp
import json
import logging
import os
import pwd
import signal
import socket
import stat
import struct
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

SOCKET_PATH = Path("/run/borne-usb/socket")
MOUNT_ROOT = Path("/run/borne-usb/keys")
KIOSK_USER = "kiosk"
# Kernel filesystem type for each type blkid may report.
FILESYSTEMS = {"vfat": "vfat", "exfat": "exfat", "ntfs": "ntfs3",
               "ext2": "ext2", "ext3": "ext3", "ext4": "ext4"}
OWNED_FILESYSTEMS = ("vfat", "exfat", "ntfs3")  # no owners of their own: the kiosk's
ALWAYS = ("nosuid", "nodev", "noexec", "nosymfollow")
USB_STORAGE_DRIVERS = ("usb-storage", "uas")
LONGEST_LINE = 512
CLIENT_TIMEOUT_S = 5.0
COMMAND_TIMEOUT_S = 30.0
UNMOUNT_TIMEOUT_S = 10.0


class Refused(Exception):
    """A request the service does not carry out; `args[0]` is the answer's keyword."""

    @property
    def keyword(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class Config:
    """What the service is started with (never what a client says)."""

    mount_root: Path
    user: str
    profile: Path | None = None  # None: the installed profile, as the kiosk chooses it
    allow_loop: bool = False


@dataclass(frozen=True)
class Device:
    node: str
    filesystem: str  # the kernel's type (mount -t)
    label: str


# -- policy -------------------------------------------------------------------------------


def read_policy(profile: Path | None, assisted: bool = False) -> str:
    """The profile's `[usb_storage] policy`, or while a mediator assists what
    `mediator_policy` allows; "deny" when the profile cannot be read."""
    from kiosk.config.load import choose_profile_path, load_profile
    from kiosk.errors import ProfileError

    try:
        return load_profile(choose_profile_path(profile)).usb_storage.policy_while(assisted)
    except (ProfileError, OSError) as error:
        log.warning("usb: the profile cannot be read (%s): keys are refused", error)
        return "deny"


# -- the device ---------------------------------------------------------------------------


def sysfs_of(node: str) -> Path:
    """The device's folder in sysfs; Refused("not-a-block-device") for anything else."""
    try:
        info = os.stat(node)
    except OSError:
        raise Refused("no-such-device") from None
    if not stat.S_ISBLK(info.st_mode):
        raise Refused("not-a-block-device")
    return Path(f"/sys/dev/block/{os.major(info.st_rdev)}:{os.minor(info.st_rdev)}").resolve()


def is_usb_mass_storage(sys_path: Path) -> bool:
    """Whether an interface above the device is bound to usb-storage or uas."""
    for folder in (sys_path, *sys_path.parents):
        driver = folder / "driver"
        if (folder / "bInterfaceClass").exists() and driver.is_symlink() \
                and driver.resolve().name in USB_STORAGE_DRIVERS:
            return True
    return False


def is_loop_device(sys_path: Path) -> bool:
    disk = sys_path if not (sys_path / "partition").exists() else sys_path.parent
    return disk.name.startswith("loop") and (disk / "loop" / "backing_file").exists()


def has_partitions(sys_path: Path) -> bool:
    """A whole disk with a partition table: only its partitions may be mounted."""
    if (sys_path / "partition").exists():
        return False
    return any((child / "partition").exists() for child in sys_path.iterdir()
               if child.name.startswith(sys_path.name))


def probe(node: str) -> dict[str, str]:
    """What blkid finds on the device itself (-p: no cache, no udev)."""
    try:
        result = subprocess.run(["blkid", "-p", "-o", "export", "--", node],
                                capture_output=True, text=True, timeout=COMMAND_TIMEOUT_S,
                                check=False)
    except subprocess.TimeoutExpired:
        raise Refused("device-not-answering") from None
    found: dict[str, str] = {}
    for line in result.stdout.splitlines():
        name, _, value = line.partition("=")
        found[name] = value
    return found


def check_device(node: str, allow_loop: bool) -> Device:
    """The device, if it may be mounted; Refused with the reason otherwise."""
    if not node.startswith("/dev/") or os.path.realpath(node) != node:
        raise Refused("not-a-device-node")
    sys_path = sysfs_of(node)
    if not (is_usb_mass_storage(sys_path) or (allow_loop and is_loop_device(sys_path))):
        raise Refused("not-usb-storage")
    if has_partitions(sys_path):
        raise Refused("partitioned-disk")
    found = probe(node)
    filesystem = FILESYSTEMS.get(found.get("TYPE", ""))
    if filesystem is None:
        raise Refused("unknown-filesystem")
    return Device(node, filesystem, found.get("LABEL", ""))


# -- /proc/mounts ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MountEntry:
    device: str
    path: Path
    filesystem: str
    options: frozenset[str]


def _unescape(field: str) -> str:
    # /proc/mounts writes space, tab, newline and backslash as \ooo.
    return field.encode().decode("unicode_escape") if "\\" in field else field


def read_mounts(table: Path = Path("/proc/mounts")) -> list[MountEntry]:
    entries = []
    for line in table.read_text(encoding="utf-8", errors="replace").splitlines():
        fields = line.split()
        if len(fields) >= 4:
            entries.append(MountEntry(_unescape(fields[0]), Path(_unescape(fields[1])),
                                      fields[2], frozenset(fields[3].split(","))))
    return entries


def mounts_under(root: Path) -> list[MountEntry]:
    return [entry for entry in read_mounts() if entry.path.parent == root]


# -- the service ----------------------------------------------------------------------------


class MountService:
    """Carries out the three requests (see the module's docstring)."""

    def __init__(self, config: Config) -> None:
        self.config = config
        account = pwd.getpwnam(config.user)
        self.uid, self.gid = account.pw_uid, account.pw_gid

    def answer(self, line: str) -> dict[str, Any]:
        command, _, argument = line.strip().partition(" ")
        node, _, rights = argument.partition(" ")
        try:
            if command == "mount" and node and rights in ("", "assisted"):
                return self.mount(node, assisted=rights == "assisted")
            if command == "unmount-all" and not argument:
                return {"ok": True, "unmounted": self.unmount_all()}
            if command == "list" and not argument:
                return {"ok": True, "mounts": self.mounted()}
            raise Refused("unknown-command")
        except Refused as refusal:
            return {"ok": False, "error": refusal.keyword}

    def mounted(self) -> list[dict[str, str]]:
        return [{"device": entry.device, "path": str(entry.path),
                 "mode": "ro" if "ro" in entry.options else "rw"}
                for entry in mounts_under(self.config.mount_root)]

    def mount(self, node: str, assisted: bool = False) -> dict[str, Any]:
        """Mount `node` in the mode the profile gives now (`assisted`: while a mediator
        assists); a key already mounted in another mode is remounted, or unmounted
        when the policy now is deny."""
        policy = read_policy(self.config.profile, assisted)
        present = next((e for e in mounts_under(self.config.mount_root) if e.device == node),
                       None)
        if policy not in ("read-only", "read-write"):
            if present is not None:
                self._unmount(present)
            raise Refused("denied")
        device = check_device(node, self.config.allow_loop)
        mode = "rw" if policy == "read-write" else "ro"
        if present is not None:
            return self._mounted(self._remount(present, mode), device)
        target = self._new_mount_point()
        options = self.options_for(device, mode)
        result = self._run(["mount", "-t", device.filesystem, "-o", ",".join(options), "--",
                            node, str(target)], COMMAND_TIMEOUT_S)
        entry = next((e for e in mounts_under(self.config.mount_root) if e.path == target),
                     None)
        if result != 0 or entry is None:
            log.warning("usb: %s could not be mounted (mount said %s)", node, result)
            with contextlib.suppress(OSError):
                target.rmdir()
            raise Refused("mount-failed")
        if not {mode, *ALWAYS} <= entry.options:
            log.error("usb: %s mounted without %s: unmounted", node, sorted(
                {mode, *ALWAYS} - entry.options))
            self._unmount(entry)
            raise Refused("mount-failed")
        log.info("usb: %s (%s) mounted %s on %s", node, device.filesystem, mode, target)
        return self._mounted(entry, device)

    def _remount(self, entry: MountEntry, mode: str) -> MountEntry:
        """`entry` in `mode` (unchanged when it already is). A key that cannot become
        read-only (a file still open for writing) is unmounted: nothing more is
        written to it; one that cannot become writable stays read-only."""
        if mode in entry.options:
            return entry  # asked twice: the same answer
        self._run(["mount", "-o", f"remount,{mode}", "--", str(entry.path)],
                  COMMAND_TIMEOUT_S)
        now = next((e for e in mounts_under(self.config.mount_root) if e.path == entry.path),
                   None)
        if now is not None and {mode, *ALWAYS} <= now.options:
            log.info("usb: %s remounted %s", entry.device, mode)
            return now
        if mode == "ro":
            log.warning("usb: %s could not be made read-only: unmounted", entry.device)
            self._unmount(now or entry)
            raise Refused("mount-failed")
        log.warning("usb: %s could not be made writable: it stays read-only", entry.device)
        return now or entry

    def options_for(self, device: Device, mode: str) -> list[str]:
        options = [mode, *ALWAYS]
        if device.filesystem in OWNED_FILESYSTEMS:
            # Files belong to the kiosk user alone; nothing on the key is executable.
            options += [f"uid={self.uid}", f"gid={self.gid}", "fmask=0177", "dmask=0077"]
            if device.filesystem == "vfat":
                options += ["utf8", "shortname=mixed"]
            elif device.filesystem == "exfat":
                options.append("iocharset=utf8")
        return options

    def _mounted(self, entry: MountEntry, device: Device) -> dict[str, Any]:
        return {"ok": True, "path": str(entry.path),
                "mode": "ro" if "ro" in entry.options else "rw",
                "filesystem": device.filesystem, "label": device.label}

    def _new_mount_point(self) -> Path:
        root = self.config.mount_root
        root.mkdir(mode=0o755, parents=True, exist_ok=True)
        number = 1
        while True:
            target = root / str(number)
            try:
                target.mkdir(mode=0o755)
                return target
            except FileExistsError:
                if not os.path.ismount(target) and not any(target.iterdir()):
                    return target
                number += 1

    def unmount_all(self) -> int:
        """Every key's mount undone: lazily when its device is gone (a pulled key),
        else a plain unmount, lazy if that fails or hangs. Returns how many."""
        entries = mounts_under(self.config.mount_root)
        for entry in entries:
            self._unmount(entry)
        root = self.config.mount_root
        if root.is_dir():
            for folder in root.iterdir():
                if folder.is_dir() and not os.path.ismount(folder):
                    with contextlib.suppress(OSError):
                        folder.rmdir()
        return len(entries)

    def _unmount(self, entry: MountEntry) -> None:
        gone = not os.path.exists(entry.device) or not self._device_has_medium(entry.device)
        if gone or self._run(["umount", "--", str(entry.path)], UNMOUNT_TIMEOUT_S) != 0:
            self._run(["umount", "-l", "--", str(entry.path)], UNMOUNT_TIMEOUT_S)
        log.info("usb: %s unmounted%s", entry.path, " (lazily: the key is gone)" if gone else "")

    @staticmethod
    def _device_has_medium(node: str) -> bool:
        """False for a loop device detached from its file, or a disk of size 0."""
        try:
            sys_path = sysfs_of(node)
            return int((sys_path / "size").read_text().strip() or 0) > 0
        except (Refused, OSError, ValueError):
            return False

    @staticmethod
    def _run(argv: Sequence[str], timeout: float) -> int:
        try:
            result = subprocess.run(list(argv), capture_output=True, text=True,
                                    timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            log.warning("usb: %s did not finish in %.0f s", argv[0], timeout)
            return -1
        if result.returncode != 0:
            log.info("usb: %s: %s", " ".join(argv[:2]), result.stderr.strip())
        return result.returncode


# -- the socket -----------------------------------------------------------------------------


def peer_uid(connection: socket.socket) -> int:
    data = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", data)
    return int(uid)


def read_line(connection: socket.socket) -> str | None:
    """One request line, or None when the peer sends too much, nothing, or too slowly."""
    data = b""
    while b"\n" not in data:
        chunk = connection.recv(LONGEST_LINE)
        if not chunk:
            break
        data += chunk
        if len(data) > LONGEST_LINE:
            return None
    line, newline, _ = data.partition(b"\n")
    if not newline:
        return None
    try:
        return line.decode("ascii")
    except UnicodeDecodeError:
        return None


class Server:
    """The listening socket; one request at a time (a request takes milliseconds)."""

    def __init__(self, service: MountService, path: Path) -> None:
        self.service = service
        self.path = path
        self.stopping = False
        self.allowed_uids = {0, service.uid}
        self.listener = self._listen()

    def _listen(self) -> socket.socket:
        self.path.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old = os.umask(0o177)  # never reachable by others, not even for an instant
        try:
            listener.bind(str(self.path))
        finally:
            os.umask(old)
        os.chown(self.path, 0, self.service.gid)
        self.path.chmod(0o660)
        listener.listen(8)
        listener.settimeout(0.5)
        return listener

    def serve(self) -> None:
        while not self.stopping:
            try:
                connection, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                if self.stopping:
                    break
                raise
            with connection:
                self._serve_one(connection)

    def _serve_one(self, connection: socket.socket) -> None:
        connection.settimeout(CLIENT_TIMEOUT_S)
        try:
            allowed = peer_uid(connection) in self.allowed_uids
            # Read the request even from a peer that is refused: closing on a request
            # left unread resets the connection, and the peer might never get its answer.
            line = read_line(connection)
            if not allowed:
                answer: dict[str, Any] = {"ok": False, "error": "not-allowed"}
            else:
                answer = ({"ok": False, "error": "unknown-command"} if line is None
                          else self.service.answer(line))
            connection.sendall(json.dumps(answer).encode() + b"\n")
        except OSError as error:
            log.info("usb: a client went away (%s)", type(error).__name__)
        except Exception:
            log.exception("usb: a request failed")

    def close(self) -> None:
        self.listener.close()
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="borne-usb", description="Mount the residents' USB keys for the kiosk (as root).")
    add_arguments(parser)
    return parser


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--socket", type=Path, default=SOCKET_PATH, help="where to listen")
    parser.add_argument("--mount-root", type=Path, default=MOUNT_ROOT,
                        help="where keys are mounted, one numbered folder each")
    parser.add_argument("--user", default=KIOSK_USER, help="the kiosk's account")
    parser.add_argument("--profile", type=Path,
                        help="the profile to read the policy from (default: the installed one)")
    parser.add_argument("--allow-loop", action="store_true",
                        help="for tests only: also mount loop devices")


def serve(args: argparse.Namespace) -> int:
    """Run the service until SIGTERM or SIGINT; every key is unmounted on the way out."""
    if os.geteuid() != 0:
        print("borne-usb: must run as root (it mounts filesystems)", file=sys.stderr)
        return 2
    try:
        service = MountService(Config(args.mount_root, args.user, args.profile,
                                      args.allow_loop))
        grp.getgrgid(service.gid)
    except KeyError:
        print(f"borne-usb: no user {args.user!r}", file=sys.stderr)
        return 2
    server = Server(service, args.socket)

    def stop(_signum: int, _frame: object) -> None:
        server.stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    from kiosk.service import ServiceNotifier

    notifier = ServiceNotifier.take_from_environment()
    log.info("usb: listening on %s for %s%s", args.socket, args.user,
             " (loop devices allowed)" if args.allow_loop else "")
    notifier.ready("listening")
    try:
        server.serve()
    finally:
        notifier.stopping()
        service.unmount_all()
        server.close()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")
    return serve(build_parser().parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
