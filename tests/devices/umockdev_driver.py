"""Keeps a umockdev testbed and raises its udev events, on orders read from stdin.

Run under `umockdev-wrapper` (tests/device_bed.py starts it): umockdev's event
sender looks devices up through libudev, which sees the testbed only with
umockdev's preload library. Other processes run under `umockdev-wrapper` with
this testbed's UMOCKDEV_DIR see the same devices and receive the events.

Orders, one a line, each answered "ok" (or "error ..."):
  load NAME    the devices of tests/devices/umockdev/NAME.umockdev, without events
               (they were there before the program under test started)
  plug NAME    the same, then an "add" event for each new device, parents first
  unplug NAME  a "remove" event for each device NAME brought, children first, then
               the devices are taken out of the testbed
The first line written is "root DIR", the testbed's folder.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import gi

gi.require_version("UMockdev", "1.0")
from gi.repository import UMockdev  # noqa: E402

DESCRIPTIONS = Path(__file__).resolve().parent / "umockdev"


def device_paths(description: Path) -> list[str]:
    """The sys paths a description defines, parents first (the file lists them last)."""
    paths = [line[3:].strip() for line in description.read_text(encoding="utf-8").splitlines()
             if line.startswith("P: ")]
    return ["/sys" + path for path in reversed(paths)]


def main() -> None:
    bed = UMockdev.Testbed.new()
    root = bed.get_root_dir()
    brought: dict[str, list[str]] = {}
    print("root", root, flush=True)
    for line in sys.stdin:
        order, _, name = line.strip().partition(" ")
        description = DESCRIPTIONS / f"{name}.umockdev"
        if order in ("load", "plug"):
            new = [path for path in device_paths(description)
                   if not os.path.exists(root + path)]
            bed.add_from_file(str(description))
            brought[name] = new
            if order == "plug":
                for path in new:
                    bed.uevent(path, "add")
        elif order == "unplug":
            for path in reversed(brought.pop(name, [])):
                bed.uevent(path, "remove")
                bed.remove_device(path)
        else:
            print("error unknown order", order, flush=True)
            continue
        print("ok", flush=True)
    # The testbed's folder goes with the testbed, when the process ends.


if __name__ == "__main__":
    main()
