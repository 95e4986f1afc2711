"""When "auto" shows the on-screen keyboard: only when udev knows of no keyboard."""

from __future__ import annotations

from kiosk.devices.keyboards import KeyboardPresence, any_keyboard, wants_onscreen_keyboard

KEYBOARD = ("/sys/devices/pci0000:00/usb1/1-1/input/input5",
            {"ID_INPUT": "1", "ID_INPUT_KEY": "1", "ID_INPUT_KEYBOARD": "1"})
POWER_BUTTON = ("/sys/devices/LNXSYSTM:00/LNXPWRBN:00/input/input0",
                {"ID_INPUT": "1", "ID_INPUT_KEY": "1"})
TOUCHSCREEN = ("/sys/devices/pci0000:00/usb1/1-2/input/input7",
               {"ID_INPUT": "1", "ID_INPUT_TOUCHSCREEN": "1"})
VIRTUAL = ("/sys/devices/virtual/input/input9", {"ID_INPUT": "1", "ID_INPUT_KEYBOARD": "1"})


def test_only_a_real_keyboard_counts() -> None:
    assert any_keyboard([TOUCHSCREEN, KEYBOARD])
    assert not any_keyboard([TOUCHSCREEN, POWER_BUTTON, VIRTUAL])


def test_the_profile_modes() -> None:
    assert wants_onscreen_keyboard("always", True)
    assert not wants_onscreen_keyboard("never", False)
    assert wants_onscreen_keyboard("auto", False)
    assert not wants_onscreen_keyboard("auto", True)
    # Without udev nothing is known: no keyboard drawn over every page for nothing.
    assert not wants_onscreen_keyboard("auto", None)


def test_presence_follows_what_udev_lists() -> None:
    listed: list[list[tuple[str, dict[str, str]]] | None] = [[TOUCHSCREEN], [KEYBOARD], None]
    presence = KeyboardPresence(lambda: listed.pop(0))
    presence.refresh_now()
    assert presence.plugged is False
    presence.refresh_now()
    assert presence.plugged is True
    presence.refresh_now()
    assert presence.plugged is None
