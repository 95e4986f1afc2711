"""Whether a physical keyboard is plugged in, for `[accessibility] onscreen_keyboard = "auto"`.

udev marks every keyboard it knows with ID_INPUT_KEYBOARD=1 (a power button or a
remote's few keys get ID_INPUT_KEY only). Without udev's database (a container, a
test machine) nothing can be known: "auto" then shows no on-screen keyboard, as
on a terminal with a keyboard, rather than cover half of every page for nothing.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

UDEV_CONTROL = Path("/run/udev/control")  # udevd's socket: it runs, its database is kept


def is_physical_keyboard(sys_path: str, properties: Mapping[str, str]) -> bool:
    """A keyboard a person types on (not a virtual one made by a program)."""
    return properties.get("ID_INPUT_KEYBOARD") == "1" and "/devices/virtual/" not in sys_path


def any_keyboard(devices: Iterable[tuple[str, Mapping[str, str]]]) -> bool:
    """Whether one of `devices` ((sys_path, udev properties)) is a physical keyboard."""
    return any(is_physical_keyboard(path, props) for path, props in devices)


def wants_onscreen_keyboard(mode: str, keyboard_plugged: bool | None) -> bool:
    """The profile's `onscreen_keyboard` mode applied: "always", "never", or "auto"
    (only when a physical keyboard is known to be absent)."""
    if mode == "always":
        return True
    if mode == "never":
        return False
    return keyboard_plugged is False


def udev_input_devices() -> list[tuple[str, dict[str, str]]] | None:
    """The input devices udev knows, or None without udev."""
    if not UDEV_CONTROL.exists():
        return None
    try:
        import pyudev  # here: loading libudev is no part of the kiosk's start

        context = pyudev.Context()
        return [(device.sys_path, _properties(device))
                for device in context.list_devices(subsystem="input")]
    except Exception as error:  # no libudev: as without udev
        log.warning("cannot list the input devices: %s", error)
        return None


def _properties(device: Any) -> dict[str, str]:
    return {str(key): str(value) for key, value in device.properties.items()}


class KeyboardPresence:
    """The last known answer to "is a keyboard plugged in?", looked up on a thread of its
    own (the Tk thread asks it for each text field, and must not wait for udev)."""

    def __init__(self, lookup: Callable[[], list[tuple[str, dict[str, str]]] | None]
                 = udev_input_devices) -> None:
        self._lookup = lookup
        self._lock = threading.Lock()
        self._running = False
        self.plugged: bool | None = None

    def refresh(self) -> None:
        """Look again in the background (a keyboard plugged in since counts from then)."""
        with self._lock:
            if self._running:
                return
            self._running = True
        threading.Thread(target=self._look, name="keyboards", daemon=True).start()

    def refresh_now(self) -> None:
        """Look now, on the calling thread."""
        devices = self._lookup()
        plugged = None if devices is None else any_keyboard(devices)
        if plugged != self.plugged:
            log.info("physical keyboard: %s",
                     {None: "unknown (no udev)", True: "plugged in", False: "none"}[plugged])
        self.plugged = plugged

    def _look(self) -> None:
        try:
            self.refresh_now()
        finally:
            with self._lock:
                self._running = False
