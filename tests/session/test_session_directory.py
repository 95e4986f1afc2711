"""The session directory on the real filesystem: private, wiped whole, nothing outside touched."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.session.directory import (
    SessionDirectory,
    SessionRootError,
    WipeIncomplete,
    ensure_private_dir,
    filesystem_type,
    find_stale,
    is_tmpfs,
    session_root,
    wipe_stale,
    wipe_tree,
)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    path = tmp_path / "sessions"
    ensure_private_dir(path)
    return path


def fill_like_a_session(directory: SessionDirectory) -> None:
    profile = directory.path / "profile" / "Default" / "Local Storage" / "leveldb"
    profile.mkdir(parents=True)
    (profile / "000003.log").write_bytes(os.urandom(4096))
    (directory.documents / "avis-impot.pdf").write_bytes(b"%PDF-1.4")
    (directory.path / "profile" / "SingletonLock").symlink_to("host-1234")


def mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_create_makes_a_private_random_folder_with_documents(root: Path) -> None:
    first = SessionDirectory.create(root)
    second = SessionDirectory.create(root)
    try:
        assert first.path.parent == root
        assert first.path.name.startswith("session-")
        assert first.path != second.path
        assert mode(first.path) == 0o700
        assert first.documents == first.path / "Documents"
        assert first.documents.is_dir()
    finally:
        first.wipe()
        second.wipe()


def test_wipe_deletes_everything(root: Path) -> None:
    directory = SessionDirectory.create(root)
    fill_like_a_session(directory)

    directory.wipe()

    assert not os.path.lexists(directory.path)
    assert list(root.iterdir()) == []


def test_wipe_never_follows_a_symlink_to_outside(root: Path, tmp_path: Path) -> None:
    outside = tmp_path / "etc-like"
    (outside / "sub").mkdir(parents=True)
    (outside / "passwd").write_text("root:x:0:0")
    (outside / "sub" / "shadow").write_text("secret")
    directory = SessionDirectory.create(root)
    (directory.documents / "evil-dir-link").symlink_to(outside)
    (directory.documents / "evil-file-link").symlink_to(outside / "passwd")
    (directory.path / "etc").symlink_to("/etc")

    directory.wipe()

    assert not os.path.lexists(directory.path)
    assert (outside / "passwd").read_text() == "root:x:0:0"
    assert (outside / "sub" / "shadow").read_text() == "secret"
    assert Path("/etc/passwd").exists()


def test_wipe_a_missing_folder_is_fine(root: Path) -> None:
    directory = SessionDirectory.create(root)
    directory.wipe()
    assert not directory.path.exists()
    # Again, once it is gone, and on a folder that never was: neither raises
    # (WipeIncomplete would), and nothing is made in their place.
    directory.wipe()
    wipe_tree(root / "never-existed")
    assert list(root.iterdir()) == []


@pytest.fixture
def nobody_dir() -> Iterator[Path]:
    """A folder owned by the unprivileged user, reachable by it (pytest's tmp is 0700)."""
    base = Path(tempfile.mkdtemp(prefix="kiosk-nobody-", dir="/tmp"))
    base.chmod(0o755)
    os.chown(base, 65534, 65534)
    try:
        yield base
    finally:
        shutil.rmtree(base)


def run_as_nobody(code: str) -> subprocess.CompletedProcess[str]:
    """Permission checks do not apply to root: replay the case as an unprivileged user."""
    return subprocess.run(
        ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
         sys.executable, "-c", code],
        capture_output=True, text=True, check=False,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )


def test_wipe_handles_read_only_and_unreadable_folders(nobody_dir: Path) -> None:
    workdir = nobody_dir
    code = f"""
import os
from pathlib import Path
from kiosk.session.directory import SessionDirectory, ensure_private_dir
root = Path({str(workdir)!r}) / "sessions"
ensure_private_dir(root)
d = SessionDirectory.create(root)
locked = d.path / "cache" / "locked"
locked.mkdir(parents=True)
(locked / "data").write_bytes(b"x")
(d.path / "cache" / "readonly-file").write_bytes(b"y")
os.chmod(d.path / "cache" / "readonly-file", 0o400)
os.chmod(locked, 0o500)
unreadable = d.path / "unreadable"
unreadable.mkdir()
(unreadable / "data").write_bytes(b"z")
os.chmod(unreadable, 0)
os.chmod(d.path / "cache", 0o500)
os.chmod(d.path, 0o500)
d.wipe()
print(sorted(os.listdir(root)))
"""
    result = run_as_nobody(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_wipe_raises_when_something_remains(nobody_dir: Path) -> None:
    workdir = nobody_dir
    # A folder owned by someone else cannot be emptied by the kiosk user.
    foreign = workdir / "session-x" / "foreign"
    foreign.mkdir(parents=True)
    os.chown(workdir / "session-x", 65534, 65534)
    (foreign / "file").write_text("root's")
    code = f"""
from pathlib import Path
from kiosk.session.directory import WipeIncomplete, wipe_tree
try:
    wipe_tree(Path({str(workdir / "session-x")!r}))
except WipeIncomplete as error:
    print("incomplete:", error)
"""
    result = run_as_nobody(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("incomplete:")
    assert "EACCES" in result.stdout
    assert "file" not in result.stdout.replace("could not", "")  # no names in the message


def test_wipe_does_not_enter_a_mount_inside_the_session(root: Path) -> None:
    directory = SessionDirectory.create(root)
    mount_point = directory.path / "mounted"
    mount_point.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "kiosk-test",
                              str(mount_point)], capture_output=True, check=False)
    if mounted.returncode != 0:
        directory.wipe()
        pytest.skip("mounting a tmpfs needs root")
    try:
        (mount_point / "other-filesystem.txt").write_text("keep")
        (directory.documents / "scan.pdf").write_bytes(b"x")
        with pytest.raises(WipeIncomplete, match="EXDEV"):
            directory.wipe()
        assert (mount_point / "other-filesystem.txt").read_text() == "keep"
        assert not (directory.documents / "scan.pdf").exists()
    finally:
        subprocess.run(["umount", str(mount_point)], check=False)
    wipe_tree(directory.path)
    assert not directory.path.exists()


def test_stale_sessions_are_found_and_wiped_but_not_live_ones(root: Path) -> None:
    live = SessionDirectory.create(root)
    stale = SessionDirectory.create(root)
    fill_like_a_session(stale)
    stale._release()  # what a crash does: the lock goes with the process
    (root / "not-a-session").mkdir()

    assert find_stale(root) == [stale.path]
    assert wipe_stale(root) == 1
    assert not os.path.lexists(stale.path)
    assert live.path.is_dir()
    assert find_stale(root) == []
    live.wipe()


def test_a_session_left_by_a_dead_process_is_stale(root: Path) -> None:
    code = f"""
from pathlib import Path
from kiosk.session.directory import SessionDirectory
d = SessionDirectory.create(Path({str(root)!r}))
(d.documents / "scan.pdf").write_bytes(b"x")
print(d.path)
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    left = Path(result.stdout.strip())
    assert left.is_dir()
    assert find_stale(root) == [left]
    assert wipe_stale(root) == 1
    assert list(root.iterdir()) == []


def test_find_stale_on_a_missing_root_is_empty(tmp_path: Path) -> None:
    assert find_stale(tmp_path / "nope") == []


def test_root_is_created_private_and_its_mode_repaired(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "a" / "sessions"
    monkeypatch.setenv("KIOSK_SESSION_ROOT", str(target))
    assert session_root() == target
    assert mode(target) == 0o700
    target.chmod(0o755)
    session_root()
    assert mode(target) == 0o700


def test_root_that_is_a_symlink_is_refused(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "sessions"
    link.symlink_to(real)
    monkeypatch.setenv("KIOSK_SESSION_ROOT", str(link))
    with pytest.raises(SessionRootError, match="symbolic link"):
        session_root()


def test_root_owned_by_another_user_is_refused(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    foreign = tmp_path / "sessions"
    foreign.mkdir(mode=0o700)
    os.chown(foreign, 65534, 65534)
    monkeypatch.setenv("KIOSK_SESSION_ROOT", str(foreign))
    with pytest.raises(SessionRootError, match="belongs to user id 65534"):
        session_root()


def test_default_root_is_in_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KIOSK_SESSION_ROOT", raising=False)
    root = session_root()
    assert is_tmpfs(root), root
    assert root.name.startswith("borne-sessions")


def test_tmpfs_detection() -> None:
    assert is_tmpfs(Path("/dev/shm"))
    assert is_tmpfs(Path("/dev/shm/does/not/exist/yet"))
    assert filesystem_type(Path("/proc/self")) == "proc"
    work_type = filesystem_type(Path(__file__))
    assert work_type not in (None, "tmpfs", "ramfs")
    assert not is_tmpfs(Path(__file__))
