"""USB keys, the kiosk's side: the profile's policy, the key's documents, saving to it.

The kiosk runs as an unprivileged user and cannot mount anything. It asks the
mount service (`kiosk.devices.usb_mount`, a small root daemon with a three-line
interface, chosen over udisks2 and polkit because it can be tested for real)
to mount a key; the service decides the options from the installed profile
itself. This module then lists the key's documents and offers them to the
session, and unmounts every key at the wipe.

Hotplug calls `UsbStorage.key_plugged` and `UsbStorage.key_unplugged` from its
own thread; everything else happens on this module's worker thread, and what
the resident must see is published on the bus:

- deny: `UsbKeyChanged(state="refused")`; the shell says once per session that
  keys can't be used here and to ask at the desk.
- read-only / read-write: the key is mounted, then a bounded walk (depth,
  entries, documents, sizes, a deadline; no symbolic link followed) finds its
  PDF, JPEG and PNG files. Each is copied into the session's folder and
  published as a `DocumentAdded` of kind "usb" (in the session's Documents
  folder, the only one the browser is given files from). Copies, not the key's own
  paths: the browser then never reads from a key that may be pulled out mid-
  upload (a read on a dead device can hang the reader), and a copy is erased
  with the session like every other document.
- a key pulled out: `UsbDocumentsGone` for its documents and `UsbKeyChanged
  (state="gone")`; the mount is undone (lazily: nothing waits on the dead key).
- read-write: `UsbSaveAsked` copies a document of the session onto the key and
  answers with `UsbSaveFinished` (saved, full, refused, gone).
- a mediator assists (`AssistanceStarted`): the keys are mounted again asking
  for the mediator's rights (`mount DEVNODE assisted`; the service grants at
  most the profile's `mediator_policy`), and `UsbKeyChanged` says whether each
  is writable now. `AssistanceEnded`: back to the resident's policy (remounted
  read-only, or unmounted with its documents withdrawn when that is deny).

Any I/O on a key runs in a short-lived thread that the worker waits for with a
deadline: a key that stops answering costs that thread, never the worker, and
never the Tk thread. A key still plugged in when a session ends is not offered
to the next session: it must be pulled out and plugged in again.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import queue
import shutil
import socket
import stat
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from kiosk.bus import EventBus
from kiosk.events import (
    AssistanceEnded,
    AssistanceStarted,
    Document,
    DocumentAdded,
    Event,
    UsbDocumentsGone,
    UsbKeyChanged,
    UsbSaveAsked,
    UsbSaveFinished,
    UsbSaveOutcome,
)
from kiosk.session.participant import SessionInfo, ToolbarItem
from kiosk.session.wipe import WipeStep

log = logging.getLogger(__name__)

DOCUMENT_SUFFIXES = (".pdf", ".jpg", ".jpeg", ".png")
SKIPPED_FOLDERS = ("System Volume Information", "lost+found")
REQUEST_TIMEOUT_S = 20.0
WIPE_TIMEOUT_S = 15.0

T = TypeVar("T")


@dataclass(frozen=True)
class WalkLimits:
    """How much of a key is looked at: a key with a whole disk's worth of files
    (or a loop of folders) costs a bounded time and room."""

    depth: int = 4
    entries: int = 5000
    documents: int = 50
    file_bytes: int = 25 * 1024 * 1024
    total_bytes: int = 200 * 1024 * 1024
    seconds: float = 20.0


class MountServiceError(Exception):
    """The mount service could not be reached or refused; `args[0]` says why."""


class MountClient:
    """Speaks the mount service's line protocol (see kiosk.devices.usb_mount)."""

    def __init__(self, path: Path, timeout: float = REQUEST_TIMEOUT_S) -> None:
        self.path = path
        self.timeout = timeout

    def request(self, line: str) -> dict[str, Any]:
        """The service's answer to `line`; MountServiceError if it does not answer."""
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.settimeout(self.timeout)
                sock.connect(str(self.path))
                sock.sendall(line.encode("ascii") + b"\n")
                data = b""
                while not data.endswith(b"\n"):
                    chunk = sock.recv(4096)
                    if not chunk:
                        break
                    data += chunk
            answer = json.loads(data)
        except (OSError, ValueError) as error:
            raise MountServiceError(f"no answer ({type(error).__name__})") from None
        if not isinstance(answer, dict):
            raise MountServiceError("a strange answer")
        return answer

    def mount(self, dev_node: str, assisted: bool = False) -> dict[str, Any]:
        """Mount (or remount) the key; `assisted` asks for the mediator's rights."""
        answer = self.request(f"mount {dev_node}" + (" assisted" if assisted else ""))
        if not answer.get("ok"):
            raise MountServiceError(str(answer.get("error", "refused")))
        return answer

    def unmount_all(self) -> None:
        answer = self.request("unmount-all")
        if not answer.get("ok"):
            raise MountServiceError(str(answer.get("error", "refused")))


# -- the walk -----------------------------------------------------------------------------


def find_documents(root: Path, limits: WalkLimits) -> list[Path]:
    """The key's documents (PDF, JPEG, PNG), newest first, within `limits`.

    Symbolic links are neither followed nor listed; hidden and system folders
    are skipped. Raises TimeoutError when the deadline passes.
    """
    deadline = time.monotonic() + limits.seconds
    found: list[tuple[float, Path]] = []
    seen = 0
    for entry in _entries(root, limits.depth):
        seen += 1
        if seen > limits.entries or len(found) >= limits.documents:
            break
        if time.monotonic() > deadline:
            raise TimeoutError("the key is too slow")
        if not entry.name.lower().endswith(DOCUMENT_SUFFIXES):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if stat.S_ISREG(info.st_mode) and 0 < info.st_size <= limits.file_bytes:
            found.append((info.st_mtime, Path(entry.path)))
    found.sort(key=lambda item: -item[0])
    return [path for _mtime, path in found]


def _entries(folder: Path, depth: int) -> Iterator[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith((".", "$")) or entry.is_symlink():
            continue
        if entry.is_dir(follow_symlinks=False):
            if depth > 1 and entry.name not in SKIPPED_FOLDERS:
                yield from _entries(Path(entry.path), depth - 1)
        else:
            yield entry


def unique_name(folder: Path, name: str) -> Path:
    """`folder/name`, or "name (2).ext"... when that is taken."""
    target = folder / name
    stem, suffix = os.path.splitext(name)
    number = 2
    while target.exists():
        target = folder / f"{stem} ({number}){suffix}"
        number += 1
    return target


def copy_documents(sources: Sequence[Path], folder: Path, limits: WalkLimits) -> list[Path]:
    """Copies of `sources` in `folder` (what fits in limits.total_bytes)."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    copies, total = [], 0
    deadline = time.monotonic() + limits.seconds
    for source in sources:
        if time.monotonic() > deadline:
            break
        try:
            size = source.stat(follow_symlinks=False).st_size
            if total + size > limits.total_bytes:
                continue
            target = unique_name(folder, source.name)
            shutil.copyfile(source, target, follow_symlinks=False)
        except OSError as error:
            log.info("usb: a document could not be copied (%s)", type(error).__name__)
            continue
        total += size
        copies.append(target)
    return copies


def save_to(folder: Path, document: Path) -> UsbSaveOutcome:
    """Copy `document` onto the key mounted at `folder`, flushed to the key."""
    target = unique_name(folder, document.name)
    try:
        with document.open("rb") as source, open(target, "xb") as copy:
            shutil.copyfileobj(source, copy)
            copy.flush()
            os.fsync(copy.fileno())
    except OSError as error:
        log.info("usb: saving to the key failed (%s)", errno.errorcode.get(error.errno or 0, ""))
        if error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            outcome: UsbSaveOutcome = "full"
        elif error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            outcome = "refused"
        else:
            outcome = "gone"
        with contextlib.suppress(OSError):
            target.unlink()
        return outcome
    return "saved"


def with_deadline(work: Callable[[], T], seconds: float, name: str) -> T:
    """`work()` on a thread of its own, given up after `seconds` (TimeoutError): a
    key that stops answering keeps that thread, not the caller."""
    done: Future[T] = Future()

    def run() -> None:
        try:
            done.set_result(work())
        except BaseException as error:
            done.set_exception(error)

    threading.Thread(target=run, name=name, daemon=True).start()
    return done.result(seconds)


# -- the service --------------------------------------------------------------------------


@dataclass
class _Key:
    sys_path: str
    dev_node: str
    label: str
    number: int
    mount: Path | None = None
    writable: bool = False
    copies: list[Path] = field(default_factory=list)
    offered: bool = False
    stale: bool = False  # plugged in during an ended session: never offered again


class UsbStorage:
    """The USB keys of the terminal, handled on one worker thread."""

    def __init__(self, publish: Callable[[Event], None], policy: str, client: MountClient,
                 limits: WalkLimits = WalkLimits(), *,
                 assisted_policy: str | None = None) -> None:
        """`policy` the resident's; `assisted_policy` the one while a mediator assists
        (None: the same). Both only choose what the kiosk asks and says: the mount
        service applies the profile itself."""
        self._publish = publish
        self.policy = policy
        self.assisted_policy = policy if assisted_policy is None else assisted_policy
        self._assisted = False
        self._client = client
        self._limits = limits
        self._keys: dict[str, _Key] = {}
        self._numbers = 0
        self._folder: Path | None = None
        self._inbox: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="usb-storage", daemon=True)

    # -- asked from any thread -------------------------------------------------------------

    def start(self) -> None:
        self._thread.start()

    def close(self, timeout: float = 5.0) -> None:
        if self._thread.is_alive():
            self._inbox.put(None)
            self._thread.join(timeout)

    def key_plugged(self, sys_path: str, dev_node: str, label: str, fs_type: str) -> None:
        """A USB mass-storage partition (or unpartitioned disk) appeared (from hotplug).

        `fs_type` is udev's ID_FS_TYPE, for the log only: the mount service
        probes the device itself."""
        self._inbox.put(lambda: self._plugged(sys_path, dev_node, label, fs_type))

    def key_unplugged(self, sys_path: str) -> None:
        """That partition or disk went away (from hotplug)."""
        self._inbox.put(lambda: self._unplugged(sys_path))

    def begin_session(self, folder: Path) -> None:
        self._inbox.put(lambda: self._begin(folder))

    def save(self, document: Path) -> None:
        self._inbox.put(lambda: self._save(document))

    def set_assisted(self, on: bool) -> None:
        """A mediator's assistance started (True) or ended (False): the keys follow."""
        self._inbox.put(lambda: self._set_assisted(on))

    def end_session(self, timeout: float = WIPE_TIMEOUT_S) -> None:
        """The wipe step: every key unmounted, none offered to the next session.
        Runs on the controller's thread and waits for the worker."""
        self._call(self._end, timeout)

    def plugged_keys(self, timeout: float = 5.0) -> list[str]:
        """The sys paths of the keys plugged in now (for tests and the doctor)."""
        return self._call(lambda: sorted(self._keys), timeout)

    def _call(self, work: Callable[[], T], timeout: float) -> T:
        done: Future[T] = Future()

        def run() -> None:
            try:
                done.set_result(work())
            except BaseException as error:
                done.set_exception(error)

        self._inbox.put(run)
        return done.result(timeout)

    # -- the worker ------------------------------------------------------------------------

    def _run(self) -> None:
        while (command := self._inbox.get()) is not None:
            try:
                command()
            except Exception:
                log.exception("usb: unexpected failure")

    def _plugged(self, sys_path: str, dev_node: str, label: str, fs_type: str) -> None:
        if sys_path in self._keys:
            return
        self._numbers += 1
        key = _Key(sys_path, dev_node, label, self._numbers)
        self._keys[sys_path] = key
        log.info("usb: key %d plugged in (%s, policy %s)", key.number, fs_type or "?",
                 self._policy())
        if self._policy() not in ("read-only", "read-write"):
            self._publish(UsbKeyChanged(sys_path, label, "refused"))
            return
        if self._mount(key):
            self._publish(UsbKeyChanged(sys_path, key.label, "ready", key.writable))
            self._offer(key)
        else:
            self._publish(UsbKeyChanged(sys_path, label, "unreadable"))

    def _policy(self) -> str:
        return self.assisted_policy if self._assisted else self.policy

    def _mount(self, key: _Key) -> bool:
        try:
            answer = self._client.mount(key.dev_node, self._assisted)
        except MountServiceError as error:
            log.warning("usb: key %d not mounted: %s", key.number, error)
            return False
        key.mount = Path(str(answer["path"]))
        key.writable = answer.get("mode") == "rw"
        if not key.label:
            key.label = str(answer.get("label", ""))
        log.info("usb: key %d mounted %s", key.number, "read-write" if key.writable
                 else "read-only")
        return True

    def _offer(self, key: _Key) -> None:
        """The key's documents, copied into the session's folder and announced."""
        if self._folder is None or key.mount is None or key.offered or key.stale:
            return
        key.offered = True
        mount, limits = key.mount, self._limits
        # The session's Documents folder: the only one the browser may take files from.
        target = self._folder / "Documents"
        try:
            copies = with_deadline(
                lambda: copy_documents(find_documents(mount, limits), target, limits),
                limits.seconds * 2 + 1, "usb-walk")
        except (TimeoutError, OSError) as error:
            log.warning("usb: key %d could not be read (%s)", key.number, type(error).__name__)
            return
        key.copies = copies
        log.info("usb: key %d offers %d document(s)", key.number, len(copies))
        for copy in copies:
            self._publish(DocumentAdded(Document(copy.name, copy, "usb", time.monotonic(),
                                                 key.label)))

    def _withdraw(self, key: _Key) -> None:
        """The key's documents leave the session (they are offered again if it comes back)."""
        if key.copies:
            self._publish(UsbDocumentsGone(tuple(key.copies)))
            for copy in key.copies:
                with contextlib.suppress(OSError):
                    copy.unlink()
        key.copies, key.offered = [], False

    def _set_assisted(self, on: bool) -> None:
        if on == self._assisted:
            return
        self._assisted = on
        log.info("usb: %s: policy %s", "a mediator assists" if on else "the assistance ended",
                 self._policy())
        keys = [key for key in self._keys.values() if not key.stale]
        if self._policy() not in ("read-only", "read-write"):
            mounted = [key for key in keys if key.mount is not None]
            for key in mounted:
                self._withdraw(key)
                key.mount, key.writable = None, False
            if mounted:
                self._unmount_all()  # before saying so: what is said has been done
            for key in mounted:
                self._publish(UsbKeyChanged(key.sys_path, key.label, "refused"))
            return
        for key in keys:
            if self._mount(key):
                self._publish(UsbKeyChanged(key.sys_path, key.label, "ready", key.writable))
                self._offer(key)
            else:
                self._withdraw(key)
                key.mount, key.writable = None, False
                self._publish(UsbKeyChanged(key.sys_path, key.label, "unreadable"))

    def _unplugged(self, sys_path: str) -> None:
        key = self._keys.pop(sys_path, None)
        if key is None:
            return
        log.info("usb: key %d pulled out", key.number)
        self._withdraw(key)
        self._publish(UsbKeyChanged(sys_path, key.label, "gone"))
        if key.mount is not None:
            self._unmount_all()
            # The service unmounts every key at once: mount the others again.
            for other in self._keys.values():
                if other.mount is not None:
                    other.mount = None
                    self._mount(other)

    def _unmount_all(self) -> None:
        try:
            self._client.unmount_all()
        except MountServiceError as error:
            log.warning("usb: keys not unmounted: %s", error)

    def _begin(self, folder: Path) -> None:
        self._folder = folder
        for key in self._keys.values():
            self._offer(key)

    def _save(self, document: Path) -> None:
        key = next((k for k in self._keys.values() if k.writable and k.mount is not None
                    and not k.stale), None)
        if key is None or key.mount is None:
            self._publish(UsbSaveFinished(document, "gone"))
            return
        mount = key.mount
        try:
            outcome = with_deadline(lambda: save_to(mount, document), self._limits.seconds,
                                    "usb-save")
        except (TimeoutError, OSError):
            outcome = "gone"
        log.info("usb: saving a document to key %d: %s", key.number, outcome)
        self._publish(UsbSaveFinished(document, outcome))

    def _end(self) -> None:
        self._folder = None
        self._assisted = False
        mounted = any(key.mount is not None for key in self._keys.values())
        for key in self._keys.values():
            key.stale, key.mount, key.writable, key.copies = True, None, False, []
        if mounted:
            self._client.unmount_all()  # a failure fails the wipe step: it is reported


class UsbParticipant:
    """USB keys' part in a resident's session: the documents offered, saving to the
    key, and the unmount at the wipe."""

    name = "usb"

    def __init__(self, storage: UsbStorage, bus: EventBus) -> None:
        self.storage = storage
        bus.subscribe_now(UsbSaveAsked, lambda event: storage.save(event.document))
        bus.subscribe_now(AssistanceStarted, lambda event: storage.set_assisted(True))
        bus.subscribe_now(AssistanceEnded, lambda event: storage.set_assisted(False))

    def begin(self, session: SessionInfo) -> None:
        self.storage.begin_session(session.directory)

    def toolbar_items(self) -> Sequence[ToolbarItem]:
        return ()

    def wipe_steps(self) -> Sequence[WipeStep]:
        return (WipeStep("unmount USB keys", self.storage.end_session),)

    def close(self) -> None:
        self.storage.close()
