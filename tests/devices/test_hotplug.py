"""What the hotplug watcher makes of scanners, printers and USB keys.

The classification is read from the project's umockdev descriptions (the
properties udev gives such devices), then the watcher runs under
`umockdev-wrapper` in a testbed of them: what it finds at start, and the add and
remove events umockdev raises, as the kiosk's events.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from device_bed import DeviceBed, device_bed, wrapped
from harness import wait_for

from kiosk.bus import EventBus
from kiosk.devices.hotplug import HotplugWatcher, classify, follow_hotplug
from kiosk.events import DevicePlugged, DeviceUnplugged, Event

DESCRIPTIONS = Path(__file__).resolve().parent / "umockdev"
WATCHER = Path(__file__).resolve().parent / "watch_hotplug.py"
SCANNER = "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-2"
PRINTER = "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-3"
PARTITION = ("/sys/devices/pci0000:00/0000:00:14.0/usb2/2-1/2-1:1.0/host6/target6:0:0/"
             "6:0:0:0/block/sdb/sdb1")
SCANNER_SEEN = DevicePlugged("scanner", SCANNER, "", "Canon, Inc. CanoScan LiDE 300", "")
PRINTER_SEEN = DevicePlugged("printer", PRINTER, "", "HP, Inc HP LaserJet P2055", "")
KEY_SEEN = DevicePlugged("storage", PARTITION, "/dev/sdb1", "CLE MARIE", "vfat")


def described(name: str) -> dict[str, dict[str, str]]:
    """sys path -> udev properties, as a description file gives them."""
    devices: dict[str, dict[str, str]] = {}
    properties: dict[str, str] = {}
    for line in (DESCRIPTIONS / f"{name}.umockdev").read_text(encoding="utf-8").splitlines():
        if line.startswith("P: "):
            properties = devices.setdefault("/sys" + line[3:].strip(), {})
        elif line.startswith("E: "):
            key, _, value = line[3:].partition("=")
            properties[key] = value
    return devices


def classified(name: str) -> list[DevicePlugged]:
    return [event for path, properties in described(name).items()
            for event in classify(path, properties)]


# -- the classification, from the descriptions' properties ------------------------------------


def test_a_sane_matched_usb_device_is_a_scanner_and_its_hub_nothing() -> None:
    assert classified("scanner") == [SCANNER_SEEN]


def test_a_usb_device_with_a_printer_interface_is_one_printer() -> None:
    # Its class-07 interface is the same printer: not announced a second time.
    assert classified("printer") == [PRINTER_SEEN]


def test_a_usb_key_is_its_partition_with_a_filesystem() -> None:
    # Not the USB device, its interface, the SCSI device, nor the whole disk.
    assert classified("usb-stick") == [KEY_SEEN]


def test_a_multifunction_device_is_both_a_scanner_and_a_printer() -> None:
    properties = described("printer")[PRINTER] | {"libsane_matched": "yes"}
    assert [event.kind for event in classify(PRINTER, properties)] == ["scanner", "printer"]


def test_a_key_formatted_whole_is_storage_but_a_partitioned_disk_is_not() -> None:
    disk_path, disk = PARTITION.rsplit("/", 1)[0], described("usb-stick")[PARTITION]
    whole = disk | {"DEVTYPE": "disk", "DEVNAME": "/dev/sdb"}
    del whole["ID_PART_TABLE_TYPE"]
    assert classify(disk_path, whole) == (
        DevicePlugged("storage", disk_path, "/dev/sdb", "CLE MARIE", "vfat"),)
    assert classify(disk_path, whole | {"ID_PART_TABLE_TYPE": "dos"}) == ()


@pytest.mark.parametrize("change", [{"ID_BUS": "ata"}, {"ID_FS_USAGE": "other"},
                                    {"ID_FS_USAGE": ""}, {"SUBSYSTEM": "usb"}])
def test_internal_disks_swap_and_unformatted_partitions_are_ignored(
    change: dict[str, str]
) -> None:
    assert classify(PARTITION, described("usb-stick")[PARTITION] | change) == ()


# -- the watcher in a umockdev testbed --------------------------------------------------------


class WatcherProcess:
    """tests/devices/watch_hotplug.py in the testbed, its lines collected as they come."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc = proc
        self.lines: list[tuple[str, Any]] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if line.startswith("["):
                kind, value = json.loads(line)
                self.lines.append((kind, value))

    def wait_for(self, kind: str, count: int = 1) -> list[Any]:
        """The values of the first `count` lines of `kind` (fails after 10 s without)."""
        def found() -> list[Any]:
            return [value for line_kind, value in self.lines if line_kind == kind]

        assert wait_for(lambda: len(found()) >= count, 10), self.lines
        return found()[:count]

    def events(self, kind: str) -> list[Any]:
        return [value for line_kind, value in self.lines if line_kind == kind]


@contextlib.contextmanager
def watcher_in(bed: DeviceBed) -> Iterator[WatcherProcess]:
    proc = subprocess.Popen(wrapped([sys.executable, str(WATCHER)]),
                            env={**os.environ, **bed.env()}, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    watcher = WatcherProcess(proc)
    try:
        watcher.wait_for("present")
        yield watcher
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def as_event(value: dict[str, str]) -> DevicePlugged:
    return DevicePlugged(**value)  # type: ignore[arg-type]


def test_the_devices_there_at_start_are_announced_and_present() -> None:
    with device_bed() as bed:
        for name in ("scanner", "printer", "usb-stick"):
            bed.load(name)
        with watcher_in(bed) as watcher:
            present = {as_event(value) for value in watcher.wait_for("present")[0]}
            assert present == {SCANNER_SEEN, PRINTER_SEEN, KEY_SEEN}
            announced = {as_event(value) for value in watcher.events("DevicePlugged")}
            assert announced == present


def test_plugged_and_unplugged_devices_reach_the_watcher_as_events() -> None:
    with device_bed() as bed:
        bed.load("scanner")  # the USB controller and a scanner, there from the start
        with watcher_in(bed) as watcher:
            bed.plug("printer")
            assert [as_event(v) for v in watcher.wait_for("DevicePlugged", 2)][1:] == [
                PRINTER_SEEN]
            bed.plug("usb-stick")
            assert as_event(watcher.wait_for("DevicePlugged", 3)[2]) == KEY_SEEN
            bed.unplug("printer")
            assert watcher.wait_for("DeviceUnplugged") == [
                {"kind": "printer", "sys_path": PRINTER}]
            bed.unplug("usb-stick")
            assert watcher.wait_for("DeviceUnplugged", 2)[1] == {
                "kind": "storage", "sys_path": PARTITION}
            bed.plug("printer")  # plugged in again: announced again
            assert as_event(watcher.wait_for("DevicePlugged", 4)[3]) == PRINTER_SEEN


def test_without_udev_the_watcher_says_so_once_and_finds_nothing(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import pyudev

    def no_netlink(*_args: object, **_kwargs: object) -> None:
        raise OSError(93, "Protocol not supported")  # what libudev says without netlink

    monkeypatch.setattr(pyudev.Monitor, "from_netlink", no_netlink)
    published: list[Event] = []
    watcher = HotplugWatcher(published.append)
    with caplog.at_level(logging.INFO, logger="kiosk.devices.hotplug"):
        watcher.start()
        assert watcher.started.wait(10)
        watcher.close()
    assert not watcher.available and watcher.present() == () and published == []
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "udev cannot be followed" in warnings[0]


def test_each_kind_reaches_the_service_that_follows_it() -> None:
    bus = EventBus()
    heard: list[object] = []
    follow_hotplug(bus, printers_changed=lambda: heard.append("printers"),
                   scanners_changed=lambda: heard.append("scanners"),
                   storage_plugged=heard.append, storage_unplugged=heard.append)
    gone = DeviceUnplugged("storage", PARTITION)
    for event in (PRINTER_SEEN, SCANNER_SEEN, KEY_SEEN, DeviceUnplugged("printer", PRINTER),
                  gone):
        bus.publish(event)
    assert heard == [], "on the draining (Tk) thread only"
    bus.drain()
    assert heard == ["printers", "scanners", KEY_SEEN, "printers", gone]


def test_a_keys_label_never_reaches_the_log(caplog: pytest.LogCaptureFixture) -> None:
    published: list[object] = []
    watcher = HotplugWatcher(published.append)
    with caplog.at_level(logging.INFO, logger="kiosk.devices.hotplug"):
        watcher._update(PARTITION, described("usb-stick")[PARTITION], removed=False)
        watcher._update(PRINTER, described("printer")[PRINTER], removed=False)
        assert "storage" in watcher._summary()
        logged = caplog.text + watcher._summary()
    assert published[0] == KEY_SEEN  # the shell still gets the label, to name the key
    assert f"storage plugged: {PARTITION}" in logged
    assert "LaserJet" in logged  # a printer's model is no one's
    assert "CLE MARIE" not in logged


def test_the_kiosk_hands_a_usb_key_to_the_usb_storage_service(tmp_path: Path) -> None:
    """The composition root's wiring: the partition udev announces reaches USB storage,
    which applies the profile's policy (deny: the resident is told), and its removal
    too."""
    from kiosk.devices.usb_storage import MountClient, UsbParticipant, UsbStorage
    from kiosk.events import UsbKeyChanged
    from kiosk.runner import start_hotplug

    bus = EventBus()
    changes: list[UsbKeyChanged] = []
    bus.subscribe_now(UsbKeyChanged, changes.append)
    storage = UsbStorage(bus.publish, "deny", MountClient(tmp_path / "no-socket"))
    storage.start()
    watcher = start_hotplug(bus, [UsbParticipant(storage, bus)])
    try:
        bus.publish(KEY_SEEN)
        bus.drain()
        assert wait_for(lambda: [c.state for c in changes] == ["refused"], 5), changes
        assert storage.plugged_keys() == [PARTITION]
        bus.publish(DeviceUnplugged("storage", PARTITION))
        bus.drain()
        assert wait_for(lambda: storage.plugged_keys() == [], 5)
    finally:
        watcher.close()
        storage.close()
