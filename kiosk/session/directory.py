"""The session directory: where everything a session produces lives, and its wipe.

One directory per session under a private root (in memory, tmpfs, where the
machine offers one). The browser profile, downloads, scans and print previews
all go inside it, so deleting it is most of the wipe.

While a session is live its directory is held with an exclusive ``flock``;
a directory nobody holds was left behind by a process that died (power cut,
crash) and is wiped at the next start. The lock dies with its process, so a
stale directory can never be mistaken for a live one, nor the reverse.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import os
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from kiosk import settings

log = logging.getLogger(__name__)

SESSION_PREFIX = "session-"
MEMORY_FILESYSTEMS = frozenset({"tmpfs", "ramfs"})
MOUNTINFO = Path("/proc/self/mountinfo")

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


class SessionRootError(RuntimeError):
    """The session root cannot be trusted (owned by someone else, a symlink, not a folder)."""


class WipeIncomplete(RuntimeError):
    """Something of a session directory is still there after the wipe."""


# -- the root -------------------------------------------------------------------------------


def session_root() -> Path:
    """The private folder that holds session directories, created (mode 0700) if needed.

    ``KIOSK_SESSION_ROOT`` wins; else a folder in memory: ``/run/user/<uid>`` (systemd
    gives each logged-in user one) or ``/dev/shm``; else the kiosk's state directory.
    Raises SessionRootError if the folder is a symlink or belongs to another user.
    """
    root = _choose_root()
    ensure_private_dir(root)
    return root


def _choose_root() -> Path:
    configured = settings.current().session_root
    if configured is not None:
        return configured
    uid = os.getuid()
    runtime_dir = Path(f"/run/user/{uid}")
    if runtime_dir.is_dir():
        return runtime_dir / "borne-sessions"
    shm = Path("/dev/shm")
    if shm.is_dir():
        return shm / f"borne-sessions-{uid}"
    return settings.state_dir() / "sessions"


def ensure_private_dir(path: Path) -> None:
    """Create `path` as a folder only we can enter, or check and tighten an existing one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.mkdir(path, 0o700)
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode):
        raise SessionRootError(f"{path} is a symbolic link; remove it and restart the kiosk")
    if not stat.S_ISDIR(info.st_mode):
        raise SessionRootError(f"{path} is not a folder; remove it and restart the kiosk")
    if info.st_uid != os.getuid():
        raise SessionRootError(
            f"{path} belongs to user id {info.st_uid}, not to the kiosk (user id {os.getuid()})"
        )
    if stat.S_IMODE(info.st_mode) != 0o700:
        os.chmod(path, 0o700, follow_symlinks=False)


# -- one session ----------------------------------------------------------------------------


@dataclass
class SessionDirectory:
    """A fresh private folder for one session; `wipe()` removes every trace of it."""

    path: Path
    _lock_fd: int | None = field(default=None, repr=False)

    @classmethod
    def create(cls, root: Path) -> SessionDirectory:
        """A new randomly named ``session-*`` folder (mode 0700) with its Documents folder."""
        path = Path(tempfile.mkdtemp(prefix=SESSION_PREFIX, dir=root))
        lock_fd = os.open(path, _DIR_FLAGS)
        try:
            fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            os.mkdir(path / "Documents", 0o700)
        except BaseException:
            os.close(lock_fd)
            raise
        return cls(path, lock_fd)

    @property
    def documents(self) -> Path:
        """Downloads and scans the resident can print, show or upload."""
        return self.path / "Documents"

    def wipe(self) -> None:
        """Delete the folder and everything in it; raises WipeIncomplete if anything remains."""
        try:
            wipe_tree(self.path)
        finally:
            self._release()

    def _release(self) -> None:
        lock_fd, self._lock_fd = self._lock_fd, None
        if lock_fd is not None:
            os.close(lock_fd)


# -- stale sessions -------------------------------------------------------------------------


def find_stale(root: Path) -> list[Path]:
    """Session folders in `root` that no running kiosk holds (left by a crash or power cut)."""
    try:
        entries = sorted(os.scandir(root), key=lambda entry: entry.name)
    except FileNotFoundError:
        return []
    return [
        Path(entry.path)
        for entry in entries
        if entry.name.startswith(SESSION_PREFIX) and not _is_held(Path(entry.path))
    ]


def wipe_stale(root: Path) -> int:
    """Wipe every stale session folder in `root`; returns how many were wiped."""
    wiped = 0
    for path in find_stale(root):
        wipe_tree(path)
        wiped += 1
    return wiped


def _is_held(path: Path) -> bool:
    try:
        fd = os.open(path, _DIR_FLAGS)
    except OSError:
        return False  # not a folder (or a symlink): nobody's live session
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing also drops the probe lock if we got it
    return False


# -- deletion -------------------------------------------------------------------------------


def wipe_tree(path: Path) -> None:
    """Delete `path` and all it contains, never following a symbolic link.

    Read-only folders are made writable first; a missing `path` is fine. Folders on
    another filesystem (a mount inside) are not entered. Raises WipeIncomplete, with
    counts only (file names may be the resident's), when something is left.
    """
    failures: list[int] = []
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    if not stat.S_ISDIR(info.st_mode):
        _unlink_quietly(path, failures)
    else:
        parent_fd = os.open(path.parent, _DIR_FLAGS)
        try:
            _remove_entry(parent_fd, path.name, info.st_dev, failures)
        finally:
            os.close(parent_fd)
    if os.path.lexists(path):
        reasons = sorted({errno.errorcode.get(code, str(code)) for code in failures})
        raise WipeIncomplete(
            f"{len(failures)} item(s) could not be deleted ({', '.join(reasons) or 'unknown'})"
        )


def _unlink_quietly(path: Path, failures: list[int]) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    except OSError as error:
        failures.append(error.errno or 0)


def _remove_entry(parent_fd: int, name: str, device: int, failures: list[int]) -> None:
    """Remove one entry of the folder `parent_fd`, recursing into real folders only."""
    try:
        info = os.stat(name, dir_fd=parent_fd, follow_symlinks=False)
    except FileNotFoundError:
        return
    try:
        if stat.S_ISDIR(info.st_mode):
            if info.st_dev != device:
                failures.append(errno.EXDEV)  # a mount point: never delete across it
                return
            _empty_folder(parent_fd, name, info, failures)
            os.rmdir(name, dir_fd=parent_fd)
        else:
            os.unlink(name, dir_fd=parent_fd)
    except FileNotFoundError:
        pass
    except OSError as error:
        failures.append(error.errno or 0)


def _empty_folder(
    parent_fd: int, name: str, expected: os.stat_result, failures: list[int]
) -> None:
    fd = _open_folder(parent_fd, name)
    try:
        now = os.fstat(fd)
        if (now.st_dev, now.st_ino) != (expected.st_dev, expected.st_ino):
            raise OSError(errno.ESTALE, "folder replaced during the wipe")
        # Entries can only be removed from a folder we may write to.
        if stat.S_IMODE(now.st_mode) & 0o700 != 0o700:
            os.fchmod(fd, 0o700)
        names = [entry.name for entry in os.scandir(fd)]
        for child in names:
            _remove_entry(fd, child, expected.st_dev, failures)
    finally:
        os.close(fd)


def _open_folder(parent_fd: int, name: str) -> int:
    try:
        return os.open(name, _DIR_FLAGS, dir_fd=parent_fd)
    except PermissionError:
        # Unreadable folder (mode 0): chmod it through an O_PATH handle, which still
        # refuses to follow a symlink put in its place.
        path_fd = os.open(name, os.O_PATH | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=parent_fd)
        try:
            os.chmod(f"/proc/self/fd/{path_fd}", 0o700)
        finally:
            os.close(path_fd)
        return os.open(name, _DIR_FLAGS, dir_fd=parent_fd)


# -- where the data lives -------------------------------------------------------------------


def is_tmpfs(path: Path) -> bool:
    """True when `path` (or its nearest existing parent) is on a filesystem kept in memory."""
    fstype = filesystem_type(path)
    return fstype in MEMORY_FILESYSTEMS


def filesystem_type(path: Path) -> str | None:
    """The type of the filesystem holding `path`, from the mount table (None if unknown)."""
    target = _nearest_existing(Path(os.path.realpath(path)))
    try:
        table = MOUNTINFO.read_text(encoding="utf-8", errors="surrogateescape")
    except OSError:
        return None
    best: tuple[int, str] | None = None
    for mount_point, fstype in _parse_mountinfo(table):
        # Longest prefix wins; on a tie the later line is the mount on top.
        if _is_within(target, mount_point) and (best is None or len(mount_point) >= best[0]):
            best = (len(mount_point), fstype)
    return best[1] if best else None


def _parse_mountinfo(table: str) -> list[tuple[str, str]]:
    mounts = []
    for line in table.splitlines():
        fields = line.split()
        if "-" not in fields or len(fields) < 5:
            continue
        separator = fields.index("-")
        if separator + 1 >= len(fields):
            continue
        mounts.append((_unescape(fields[4]), fields[separator + 1]))
    return mounts


def _unescape(text: str) -> str:
    """Mount points escape space, tab, newline and backslash as octal (``\\040``)."""
    out, i = [], 0
    while i < len(text):
        chunk = text[i + 1 : i + 4]
        if text[i] == "\\" and len(chunk) == 3 and all(c in "01234567" for c in chunk):
            out.append(chr(int(chunk, 8)))
            i += 4
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def _is_within(path: Path, mount_point: str) -> bool:
    return mount_point == "/" or path == Path(mount_point) or Path(mount_point) in path.parents


def _nearest_existing(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path
