"""USB keys for real: the mount service as root, ext4 images on loop devices as keys.

The service is started on a private socket with a test profile; the kiosk's
side (UsbStorage) talks to it as the kiosk does. Assertions are on what the
kernel says (/proc/mounts), on the files, and on the events the shell gets.
This machine's kernel has no vfat: the vfat, exfat and NTFS options are only
checked as words (test_owned_filesystems_get_the_kiosk_user_as_owner).
"""

from __future__ import annotations

import contextlib
import errno
import os
import queue
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import wait_for
from usb_keys import (
    PDF,
    PNG,
    FakeKey,
    MountService,
    fake_key,
    mount_service,
    skip_unless_mounts_work,
    write_profile,
)

from kiosk.bus import EventBus
from kiosk.devices.usb_mount import Config, Device, MountService as Service
from kiosk.devices.usb_storage import (
    MountClient,
    UsbParticipant,
    UsbStorage,
    WalkLimits,
    find_documents,
)
from kiosk.events import (
    AssistanceEnded,
    AssistanceStarted,
    DocumentAdded,
    Event,
    UsbDocumentsGone,
    UsbKeyChanged,
    UsbSaveFinished,
)

FILES = {"attestation.pdf": PDF, "Photos/carte.PNG": PNG, "notes.txt": b"not a document",
         ".hidden/secret.pdf": PDF, "a/b/c/d/e/too-deep.pdf": PDF}


@pytest.fixture
def key(tmp_path: Path) -> Iterator[FakeKey]:
    skip_unless_mounts_work()
    with fake_key(tmp_path, FILES) as made:
        yield made


def service_for(tmp_path: Path, policy: str) -> contextlib.AbstractContextManager[MountService]:
    return mount_service(tmp_path, write_profile(tmp_path / f"{policy}.toml", policy))


class Events:
    """What UsbStorage publishes, in order."""

    def __init__(self) -> None:
        self.queue: queue.SimpleQueue[Event] = queue.SimpleQueue()

    def publish(self, event: Event) -> None:
        self.queue.put(event)

    def next(self, kind: type[Event], timeout: float = 20.0) -> Event:
        while True:
            event = self.queue.get(timeout=timeout)
            if isinstance(event, kind):
                return event


def storage_for(service: MountService, policy: str, events: Events) -> UsbStorage:
    storage = UsbStorage(events.publish, policy, MountClient(service.socket))
    storage.start()
    return storage


def test_read_only_mounts_with_safe_options_and_refuses_writing(
        tmp_path: Path, key: FakeKey) -> None:
    with service_for(tmp_path, "read-only") as service:
        answer = MountClient(service.socket).mount(key.dev_node)
        assert answer["mode"] == "ro" and answer["label"] == "MYKEY"
        [(device, target, options)] = service.mounted()
        assert device == key.dev_node and str(target) == answer["path"]
        assert {"ro", "nosuid", "nodev", "noexec", "nosymfollow"} <= options
        assert (target / "attestation.pdf").read_bytes() == PDF
        with pytest.raises(OSError) as refused:
            (target / "written.pdf").write_bytes(PDF)
        assert refused.value.errno == errno.EROFS
        assert MountClient(service.socket).request("unmount-all") == {"ok": True,
                                                                       "unmounted": 1}
        assert service.mounted() == []


def test_the_kiosk_side_offers_the_documents_saves_and_unmounts_at_the_wipe(
        tmp_path: Path, key: FakeKey) -> None:
    events = Events()
    with service_for(tmp_path, "read-write") as service:
        storage = storage_for(service, "read-write", events)
        try:
            session = tmp_path / "session"
            session.mkdir()
            storage.begin_session(session)
            storage.key_plugged("/sys/test/key", key.dev_node, "", "ext4")
            ready = events.next(UsbKeyChanged)
            assert ready == UsbKeyChanged("/sys/test/key", "MYKEY", "ready", writable=True)
            offered = {events.next(DocumentAdded).document for _ in range(2)}  # type: ignore[attr-defined]
            assert {(d.name, d.kind, d.origin) for d in offered} == {
                ("attestation.pdf", "usb", "MYKEY"), ("carte.PNG", "usb", "MYKEY")}
            assert all(d.path.is_relative_to(session) for d in offered)
            [(_device, target, options)] = service.mounted()
            assert {"rw", "nosuid", "nodev", "noexec"} <= options

            download = session / "recu.pdf"
            download.write_bytes(PDF + b"receipt")
            storage.save(download)
            assert events.next(UsbSaveFinished) == UsbSaveFinished(download, "saved")
            assert (target / "recu.pdf").read_bytes() == PDF + b"receipt"

            storage.end_session()
            assert service.mounted() == []
        finally:
            storage.close()


def test_a_key_pulled_out_while_in_use_is_unmounted_lazily_and_its_documents_go(
        tmp_path: Path, key: FakeKey) -> None:
    events = Events()
    with service_for(tmp_path, "read-only") as service:
        storage = storage_for(service, "read-only", events)
        try:
            session = tmp_path / "session"
            session.mkdir()
            storage.begin_session(session)
            storage.key_plugged("/sys/test/key", key.dev_node, "MYKEY", "ext4")
            events.next(UsbKeyChanged)
            [(_device, target, _options)] = service.mounted()
            busy = (target / "attestation.pdf").open("rb")  # something still reads it
            try:
                key.detach()
                storage.key_unplugged("/sys/test/key")
                gone = events.next(UsbDocumentsGone)
                assert len(gone.paths) == 2  # type: ignore[attr-defined]
                assert events.next(UsbKeyChanged) == UsbKeyChanged("/sys/test/key", "MYKEY",
                                                                   "gone")
                assert wait_for(lambda: service.mounted() == [], 10), service.log_text()
                assert not any(p.exists() for p in gone.paths)  # type: ignore[attr-defined]
            finally:
                busy.close()
            assert storage.plugged_keys() == []  # the worker still answers
        finally:
            storage.close()


def test_deny_mounts_nothing_and_says_so(tmp_path: Path, key: FakeKey) -> None:
    events = Events()
    with service_for(tmp_path, "deny") as service:
        assert MountClient(service.socket).request(f"mount {key.dev_node}") == {
            "ok": False, "error": "denied"}
        # The service reads the policy itself: a kiosk that believes otherwise gets nothing.
        storage = storage_for(service, "read-only", events)
        try:
            storage.key_plugged("/sys/test/key", key.dev_node, "MYKEY", "ext4")
            assert events.next(UsbKeyChanged).state == "unreadable"  # type: ignore[attr-defined]
        finally:
            storage.close()
        storage = storage_for(service, "deny", events)
        try:
            storage.key_plugged("/sys/test/key", key.dev_node, "MYKEY", "ext4")
            assert events.next(UsbKeyChanged).state == "refused"  # type: ignore[attr-defined]
        finally:
            storage.close()
        assert service.mounted() == []


def test_a_mediator_s_assistance_makes_a_read_only_key_writable_until_it_ends(
        tmp_path: Path, key: FakeKey) -> None:
    events, bus = Events(), EventBus()
    profile = write_profile(tmp_path / "assisted.toml", "read-only", "read-write")
    with mount_service(tmp_path, profile) as service:
        storage = UsbStorage(events.publish, "read-only", MountClient(service.socket),
                             assisted_policy="read-write")
        storage.start()
        UsbParticipant(storage, bus)  # hears the assistance on the bus, as in the kiosk
        try:
            session = tmp_path / "session"
            session.mkdir()
            storage.begin_session(session)
            storage.key_plugged("/sys/test/key", key.dev_node, "MYKEY", "ext4")
            assert events.next(UsbKeyChanged) == UsbKeyChanged(
                "/sys/test/key", "MYKEY", "ready", writable=False)
            [(_device, target, options)] = service.mounted()
            assert "ro" in options

            bus.publish(AssistanceStarted("Amina B."))
            assert events.next(UsbKeyChanged) == UsbKeyChanged(
                "/sys/test/key", "MYKEY", "ready", writable=True)
            [(_device, target, options)] = service.mounted()
            assert {"rw", "nosuid", "nodev", "noexec", "nosymfollow"} <= options
            download = session / "recu.pdf"
            download.write_bytes(PDF + b"receipt")
            storage.save(download)
            assert events.next(UsbSaveFinished) == UsbSaveFinished(download, "saved")
            assert (target / "recu.pdf").read_bytes() == PDF + b"receipt"

            bus.publish(AssistanceEnded())
            assert events.next(UsbKeyChanged) == UsbKeyChanged(
                "/sys/test/key", "MYKEY", "ready", writable=False)
            [(_device, target, options)] = service.mounted()
            assert {"ro", "nosuid", "nodev", "noexec", "nosymfollow"} <= options
            storage.save(download)
            assert events.next(UsbSaveFinished) == UsbSaveFinished(download, "gone")
            with pytest.raises(OSError) as refused:
                (target / "after.pdf").write_bytes(PDF)
            assert refused.value.errno == errno.EROFS
            assert (target / "recu.pdf").read_bytes() == PDF + b"receipt"  # what was saved stays
        finally:
            storage.close()


def test_a_key_refused_to_residents_is_lent_to_the_mediator_then_withdrawn(
        tmp_path: Path, key: FakeKey) -> None:
    events = Events()
    profile = write_profile(tmp_path / "assisted.toml", "deny", "read-only")
    with mount_service(tmp_path, profile) as service:
        storage = UsbStorage(events.publish, "deny", MountClient(service.socket),
                             assisted_policy="read-only")
        storage.start()
        try:
            session = tmp_path / "session"
            session.mkdir()
            storage.begin_session(session)
            storage.key_plugged("/sys/test/key", key.dev_node, "MYKEY", "ext4")
            assert events.next(UsbKeyChanged).state == "refused"  # type: ignore[attr-defined]
            assert service.mounted() == []

            storage.set_assisted(True)
            assert events.next(UsbKeyChanged) == UsbKeyChanged(
                "/sys/test/key", "MYKEY", "ready", writable=False)
            offered = {events.next(DocumentAdded).document.path  # type: ignore[attr-defined]
                       for _ in range(2)}
            [(_device, _target, options)] = service.mounted()
            assert "ro" in options

            storage.set_assisted(False)
            gone = events.next(UsbDocumentsGone)
            assert set(gone.paths) == offered  # type: ignore[attr-defined]
            assert events.next(UsbKeyChanged).state == "refused"  # type: ignore[attr-defined]
            assert service.mounted() == []
            assert not any(path.exists() for path in offered)
        finally:
            storage.close()


def test_the_service_grants_a_mediator_no_more_than_the_profile_says(
        tmp_path: Path, key: FakeKey) -> None:
    # mediator_policy "": asking for the mediator's rights gets the residents' policy.
    with mount_service(tmp_path, write_profile(tmp_path / "same.toml", "read-only", "")) \
            as service:
        client = MountClient(service.socket)
        assert client.request(f"mount {key.dev_node} assisted")["mode"] == "ro"
        [(_device, target, options)] = service.mounted()
        assert "ro" in options and "rw" not in options
        with pytest.raises(OSError):
            (target / "written.pdf").write_bytes(PDF)
        assert client.request(f"mount {key.dev_node} everything")["error"] == "unknown-command"
        assert client.request(f"mount {key.dev_node} assisted rw")["error"] == \
            "unknown-command"
    # A deny profile without mediator_policy: nothing, even for a mediator.
    with service_for(tmp_path, "deny") as service:
        assert MountClient(service.socket).request(f"mount {key.dev_node} assisted") == {
            "ok": False, "error": "denied"}
        assert service.mounted() == []


def test_only_usb_storage_is_mounted(tmp_path: Path, key: FakeKey) -> None:
    profile = write_profile(tmp_path / "rw.toml", "read-write")
    with mount_service(tmp_path, profile, allow_loop=False) as service:
        client = MountClient(service.socket)
        assert client.request(f"mount {key.dev_node}")["error"] == "not-usb-storage"
        assert client.request("mount /dev/null")["error"] == "not-a-block-device"
        assert client.request("mount /dev/../dev/loop0")["error"] == "not-a-device-node"
        assert client.request("format /dev/loop0")["error"] == "unknown-command"
        assert service.mounted() == []


def test_a_key_without_a_known_filesystem_is_refused(tmp_path: Path) -> None:
    skip_unless_mounts_work()
    image = tmp_path / "blank.img"
    image.write_bytes(b"\0" * 4 * 1024 * 1024)
    dev = subprocess.run(["losetup", "-f", "--show", str(image)], check=True,
                         capture_output=True, text=True).stdout.strip()
    try:
        with service_for(tmp_path, "read-write") as service:
            assert MountClient(service.socket).request(f"mount {dev}")["error"] == \
                "unknown-filesystem"
    finally:
        subprocess.run(["losetup", "-d", dev], check=False)


def test_only_the_kiosk_user_or_root_may_ask(tmp_path: Path, key: FakeKey) -> None:
    with service_for(tmp_path, "read-write") as service:
        assert oct(service.socket.stat().st_mode & 0o777) == "0o660"
        service.socket.chmod(0o666)  # past the file's mode: the peer's uid still counts
        script = ("import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]);"
                  " s.sendall(b'mount ' + sys.argv[2].encode() + b'\\n');"
                  " print(s.recv(200).decode())")
        result = subprocess.run(
            ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
             "/usr/bin/python3", "-I", "-c", script, str(service.socket), key.dev_node],
            capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stderr
        assert '"not-allowed"' in result.stdout
        assert service.mounted() == []


def test_a_request_too_long_is_refused(tmp_path: Path, key: FakeKey) -> None:
    with service_for(tmp_path, "read-write") as service, socket.socket(socket.AF_UNIX) as sock:
        sock.connect(str(service.socket))
        sock.sendall(b"mount " + b"x" * 2000 + b"\n")
        assert b"unknown-command" in sock.recv(200)


def test_owned_filesystems_get_the_kiosk_user_as_owner() -> None:
    service = Service(Config(Path("/nonexistent"), "nobody"))
    uid = gid = 65534
    assert service.options_for(Device("/dev/sdb1", "vfat", ""), "rw") == [
        "rw", "nosuid", "nodev", "noexec", "nosymfollow", f"uid={uid}", f"gid={gid}",
        "fmask=0177", "dmask=0077", "utf8", "shortname=mixed"]
    assert "uid=65534" in service.options_for(Device("/dev/sdb1", "ntfs3", ""), "ro")
    assert service.options_for(Device("/dev/sdb1", "ext4", ""), "ro") == [
        "ro", "nosuid", "nodev", "noexec", "nosymfollow"]


def test_the_walk_is_bounded_and_follows_no_link(tmp_path: Path) -> None:
    (tmp_path / "deep" / "er").mkdir(parents=True)
    for index in range(5):
        (tmp_path / f"doc{index}.pdf").write_bytes(PDF)
    (tmp_path / "deep" / "er" / "far.pdf").write_bytes(PDF)
    (tmp_path / "big.pdf").write_bytes(PDF * 1000)
    os.symlink("/etc", tmp_path / "etc.pdf")
    os.symlink("/etc", tmp_path / "etcdir")
    found = find_documents(tmp_path, WalkLimits(depth=2, documents=3,
                                                file_bytes=len(PDF) * 10))
    assert len(found) == 3 and all(p.parent == tmp_path for p in found)
    names = {p.name for p in find_documents(tmp_path, WalkLimits(depth=3,
                                                                 file_bytes=len(PDF) * 10))}
    assert names == {f"doc{i}.pdf" for i in range(5)} | {"far.pdf"}
