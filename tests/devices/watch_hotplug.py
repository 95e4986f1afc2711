"""The kiosk's hotplug watcher on its own, for tests/devices/test_hotplug.py.

Run under `umockdev-wrapper` in a testbed: it writes "present" with what the
watcher found at start, then one line per event, each as JSON; it stops at the
end of its input.
"""

from __future__ import annotations

import dataclasses
import json
import sys

from kiosk.devices.hotplug import HotplugWatcher
from kiosk.events import Event


def say(kind: str, value: object) -> None:
    print(json.dumps([kind, value]), flush=True)


def publish(event: Event) -> None:
    say(type(event).__name__, dataclasses.asdict(event))


def main() -> None:
    watcher = HotplugWatcher(publish)
    watcher.start()
    watcher.started.wait(10)
    say("present" if watcher.available else "unavailable",
        [dataclasses.asdict(event) for event in watcher.present()])
    sys.stdin.read()
    watcher.close()
    say("closed", [])


if __name__ == "__main__":
    main()
