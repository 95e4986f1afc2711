"""Scanners, printers and USB keys as udev sees them come and go.

One `pyudev.MonitorObserver` lives as long as the kiosk. At start the watcher
lists what is already plugged in, then follows udev's add, change and remove
events; it publishes `DevicePlugged` and `DeviceUnplugged` on the bus, and the
services that care (printing, scanning, USB keys) listen there. The observer's
thread does nothing but classify and publish: it never waits on a device.

What counts is decided by `classify`, a pure function of a device's udev
properties:

- a scanner: a USB device that libsane's udev rules matched (`libsane_matched=yes`);
- a printer: a USB device with an interface of class 07 (`ID_USB_INTERFACES`);
- USB storage: a partition (or a whole disk with no partition table) on the USB bus
  that holds a filesystem.

A multifunction device is both a scanner and a printer: it gets two events.
Without udev (a container, a test machine) the kiosk runs on without hotplug,
after one line in the log.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from typing import Any

from kiosk.bus import EventBus
from kiosk.events import DevicePlugged, DeviceUnplugged, Event

log = logging.getLogger(__name__)

PRINTER_INTERFACE_CLASS = "07"  # USB class "printer"
# What the watcher asks udev to tell it about (USB devices and block devices).
WATCHED_SUBSYSTEMS = ("usb", "block")


def usb_interface_classes(properties: Mapping[str, str]) -> tuple[str, ...]:
    """The two-hex-digit classes of a USB device's interfaces.

    udev's `ID_USB_INTERFACES` lists each interface as class, subclass and protocol
    in hex, between colons (":070102:080650:"). A usb_interface device has its own
    class in `INTERFACE` instead, in decimal ("7/1/2").
    """
    listed = properties.get("ID_USB_INTERFACES", "")
    classes = [entry[:2].lower() for entry in listed.split(":") if len(entry) == 6]
    own = properties.get("INTERFACE", "").split("/")[0]
    if own.isdigit():
        classes.append(f"{int(own):02x}")
    return tuple(classes)


def people_name(properties: Mapping[str, str]) -> str:
    """Vendor and model, as udev's database or the device itself names them."""
    vendor = properties.get("ID_VENDOR_FROM_DATABASE") or properties.get("ID_VENDOR", "")
    model = properties.get("ID_MODEL_FROM_DATABASE") or properties.get("ID_MODEL", "")
    return " ".join(part.replace("_", " ").strip() for part in (vendor, model) if part).strip()


def _is_usb_device(properties: Mapping[str, str]) -> bool:
    return properties.get("SUBSYSTEM") == "usb" and properties.get("DEVTYPE") == "usb_device"


def _is_usb_storage(properties: Mapping[str, str]) -> bool:
    if properties.get("SUBSYSTEM") != "block" or properties.get("ID_BUS") != "usb":
        return False
    if properties.get("ID_FS_USAGE") != "filesystem":
        return False
    devtype = properties.get("DEVTYPE")
    # A key formatted whole, with no partition table ("superfloppy"), is a disk.
    return devtype == "partition" or (devtype == "disk"
                                      and not properties.get("ID_PART_TABLE_TYPE"))


def classify(sys_path: str, properties: Mapping[str, str]) -> tuple[DevicePlugged, ...]:
    """What the device at `sys_path` is to the kiosk (nothing, one kind, or two for a
    multifunction printer-scanner), from its udev properties alone."""
    found: list[DevicePlugged] = []
    if _is_usb_device(properties):
        label = people_name(properties)
        if properties.get("libsane_matched") == "yes":
            found.append(DevicePlugged("scanner", sys_path, "", label, ""))
        # Only the device itself: its class-07 interface would be the same printer again.
        if PRINTER_INTERFACE_CLASS in usb_interface_classes(properties):
            found.append(DevicePlugged("printer", sys_path, "", label, ""))
    elif _is_usb_storage(properties):
        label = properties.get("ID_FS_LABEL", "").replace("_", " ").strip() or \
            people_name(properties)
        found.append(DevicePlugged("storage", sys_path, properties.get("DEVNAME", ""), label,
                                   properties.get("ID_FS_TYPE", "")))
    return tuple(found)


Publish = Callable[[Event], None]


def _nothing() -> None:
    pass


def _ignored(_event: Event) -> None:
    pass


def follow_hotplug(bus: EventBus, *, printers_changed: Callable[[], None] = _nothing,
                   scanners_changed: Callable[[], None] = _nothing,
                   storage_plugged: Callable[[DevicePlugged], None] = _ignored,
                   storage_unplugged: Callable[[DeviceUnplugged], None] = _ignored) -> None:
    """Hand what the watcher announces to the services that follow each kind of device.

    Every callback runs on the Tk thread (the bus's drain) and must only queue work:
    `printers_changed` and `scanners_changed` when one of that kind came or went (the
    service looks again itself: CUPS and SANE find the devices on their own);
    `storage_plugged` and `storage_unplugged` with the partition's event.
    """
    changed = {"printer": printers_changed, "scanner": scanners_changed}

    def plugged(event: DevicePlugged) -> None:
        if event.kind == "storage":
            storage_plugged(event)
        else:
            changed[event.kind]()

    def unplugged(event: DeviceUnplugged) -> None:
        if event.kind == "storage":
            storage_unplugged(event)
        else:
            changed[event.kind]()

    bus.subscribe(DevicePlugged, plugged)
    bus.subscribe(DeviceUnplugged, unplugged)


class HotplugWatcher:
    """udev's view of scanners, printers and USB storage, published on the bus.

    `start` returns at once: opening udev and listing the devices already there
    happen on a thread of their own, then pyudev's observer thread follows the
    events. `present` is what is plugged in now, as it was announced.
    """

    def __init__(self, publish: Publish) -> None:
        self._publish = publish
        self._lock = threading.Lock()
        self._known: dict[str, tuple[DevicePlugged, ...]] = {}
        self._observer: Any = None
        self._closed = False
        self._closing = threading.Event()
        self._starter: threading.Thread | None = None
        self.started = threading.Event()  # set once udev is followed (or known absent)
        self.available = False  # udev could be opened and is followed

    def start(self, delay: float = 0.0) -> None:
        """Open udev, announce the devices already there, then follow the events; after
        `delay` seconds (the kiosk lets its first screen be drawn first)."""
        self._starter = threading.Thread(target=self._start, args=(delay,),
                                         name="hotplug-start", daemon=True)
        self._starter.start()

    def present(self) -> tuple[DevicePlugged, ...]:
        """Every scanner, printer and USB storage announced and not unplugged since."""
        with self._lock:
            return tuple(event for events in self._known.values() for event in events)

    def close(self) -> None:
        """Stop following udev (what is plugged in is not announced as unplugged)."""
        with self._lock:
            self._closed = True  # a start still under way stops before following
        self._closing.set()
        if self._starter is not None:
            self._starter.join(5)
        with self._lock:
            observer, self._observer = self._observer, None
        if observer is not None:
            observer.stop()

    # -- the starter thread --------------------------------------------------------------

    def _start(self, delay: float) -> None:
        try:
            if not self._closing.wait(delay):
                self._follow_udev()
        except Exception as error:  # no udev at all: the kiosk runs on without hotplug
            log.warning("hotplug: udev cannot be followed (%s: %s); scanners, printers and "
                        "USB keys plugged in later will not be noticed",
                        type(error).__name__, error)
        finally:
            self.started.set()

    def _follow_udev(self) -> None:
        import pyudev  # here: loading libudev is no part of the kiosk's start

        context = pyudev.Context()
        monitor = pyudev.Monitor.from_netlink(context)
        for subsystem in WATCHED_SUBSYSTEMS:
            monitor.filter_by(subsystem)
        # Listening before listing: a device plugged in meanwhile is not missed (it may
        # be seen twice, which `_update` ignores).
        monitor.start()
        for subsystem in WATCHED_SUBSYSTEMS:
            for device in context.list_devices(subsystem=subsystem):
                self._update(device.sys_path, _properties(device), removed=False)
        observer = pyudev.MonitorObserver(monitor, callback=self._on_event, name="hotplug")
        with self._lock:
            if self._closed:
                return
            self._observer = observer
            observer.start()
        self.available = True
        log.info("hotplug: following udev; present: %s", self._summary())

    def _summary(self) -> str:
        return ", ".join(f"{event.kind} {_loggable_name(event)}"
                         for event in self.present()) or "nothing"

    # -- pyudev's observer thread ---------------------------------------------------------

    def _on_event(self, device: Any) -> None:
        try:
            self._update(device.sys_path, _properties(device),
                         removed=device.action == "remove")
        except Exception:  # the observer's thread must live on
            log.exception("hotplug: a udev event could not be read")

    def _update(self, sys_path: str, properties: Mapping[str, str], removed: bool) -> None:
        """Announce what changed for the device at `sys_path`."""
        now = () if removed else classify(sys_path, properties)
        with self._lock:
            before = self._known.get(sys_path, ())
            if now:
                self._known[sys_path] = now
            else:
                self._known.pop(sys_path, None)
        kinds_now = {event.kind for event in now}
        gone = [event.kind for event in before if event.kind not in kinds_now]
        new = [event for event in now if event not in before]
        for kind in gone:
            log.info("hotplug: %s unplugged (%s)", kind, sys_path)
            self._publish(DeviceUnplugged(kind, sys_path))
        for event in new:
            log.info("hotplug: %s plugged: %s", event.kind, _loggable_name(event))
            self._publish(DevicePlugged(event.kind, sys_path, event.dev_node, event.label,
                                        event.fs_type))


def _loggable_name(event: DevicePlugged) -> str:
    """A device's name for the log: a USB key's label is the resident's ("CLE MARIE"),
    so a key is named by its place on the bus only."""
    if event.kind == "storage":
        return event.sys_path
    return f"{event.label} ({event.sys_path})" if event.label else event.sys_path


def _properties(device: Any) -> dict[str, str]:
    return {str(key): str(value) for key, value in device.properties.items()}

