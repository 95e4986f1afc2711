"""A resident with only a touch screen fills in a page's form with the kiosk's keyboard.

The real kiosk on Xvfb with openbox, its Chromium under the lockdown policy, the
local procedure site; every tap is an xdotool click, as a finger's. The field's
content is what the page itself reports (each change of the field is sent to the
site), so what counts is what the site would receive.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from harness import XScreen, wait_for
from kiosk_process import KioskProcess, open_tile, park_pointer, running_kiosk
from procedure_site import ALLOWED, Site, profile_toml
from screenshots import check_against_reference

from kiosk.ui.keyboard_layouts import FRENCH, Key, KeyBox, key_boxes

pytestmark = [pytest.mark.browser, pytest.mark.display]

SHOWN = r"on-screen keyboard: shown \(fr, text\), (\d+)x(\d+)\+(\d+)\+(\d+)$"
PAGE_SAME_SCREEN = 0.02  # a web page: its fonts are drawn a little differently each run


def typed_values(site: Site) -> list[str]:
    """Every value the page's field reported, in order."""
    values = []
    for path in site.log.paths(ALLOWED):
        parts = urlsplit(path)
        if parts.path == "/typed":
            values.append(parse_qs(parts.query, keep_blank_values=True).get("value", [""])[0])
    return values


class Keyboard:
    """Where the keys are on the screen, as the kiosk logged its panel's place."""

    def __init__(self, screen: XScreen, geometry: tuple[int, int, int, int]) -> None:
        self.screen = screen
        self.width, self.height, self.x, self.y = geometry
        self.page = FRENCH.letters

    def box(self, label: str) -> KeyBox:
        for box in key_boxes(self.page, self.width, self.height):
            if box.key.label == label or (box.key.kind == "char" and box.key.send == label):
                return box
        raise AssertionError(f"no key {label!r} on this page")

    def tap(self, label: str) -> Key:
        box = self.box(label)
        x, y = box.centre
        self.screen.click(self.x + x, self.y + y)
        if box.key.kind == "page":
            self.page = FRENCH.page("symbols" if box.key.send == "symbols" else "letters")
        return box.key


def shown_keyboard(kiosk: KioskProcess, screen: XScreen, after: int) -> Keyboard:
    line = kiosk.lines[kiosk.wait_for_log(SHOWN, after=after)]
    match = re.search(SHOWN, line)
    assert match is not None
    width, height, x, y = (int(v) for v in match.groups())
    return Keyboard(screen, (width, height, x, y))


def test_a_resident_types_into_a_form_with_the_onscreen_keyboard(
    screen: XScreen, site: Site, tmp_path: Path, artifacts: Path
) -> None:
    profile = tmp_path / "profile.toml"
    profile.write_text(profile_toml([("identity", site.url("/identity"), [ALLOWED])])
                       + '\n[accessibility]\nonscreen_keyboard = "always"\n', encoding="utf-8")
    with running_kiosk(screen, tmp_path, "--profile", str(profile),
                       env={"KIOSK_HOST_RESOLVER_RULES": site.rules}) as kiosk:
        kiosk.wait_until_ready()
        open_tile(kiosk, screen, site, ["Return"], "identity", ALLOWED)

        # A tap in the field (the page's top third, under the toolbar): the keyboard comes.
        mark = len(kiosk.lines)
        screen.click(screen.width // 2, screen.height // 4)
        keyboard = shown_keyboard(kiosk, screen, mark)
        assert keyboard.y + keyboard.height == screen.height
        assert keyboard.height >= 4 * 48

        expected = ""
        for label in ["⇧", "é", "l", "o", "d", "i", "e", "␣", "123 ?", "7", "5", "5"]:
            key = keyboard.tap(label)
            if key.kind != "char":
                continue
            expected += "É" if label == "é" else key.send
            assert wait_for(lambda e=expected: typed_values(site)[-1:] == [e], 10), \
                (expected, typed_values(site))
        keyboard.tap("⌫")
        assert wait_for(lambda: typed_values(site)[-1:] == ["Élodie 75"], 10), \
            typed_values(site)
        # Nothing a resident typed is in the kiosk's log.
        assert "lodie" not in kiosk.log_text()

        keyboard.tap("ABC")  # back to the letters: the reference shows the French AZERTY
        park_pointer(screen)
        shot = screen.screenshot(artifacts / "onscreen-keyboard.png")
        check_against_reference(shot, "onscreen-keyboard-1280x1024",
                                same_screen=PAGE_SAME_SCREEN)

        # A tap on the page outside the field: the keyboard goes away.
        mark = len(kiosk.lines)
        screen.click(screen.width // 2, keyboard.y - 20)
        kiosk.wait_for_log("on-screen keyboard: hidden$", after=mark)
        # And a tap in the field brings it back, on its letters again.
        mark = len(kiosk.lines)
        screen.click(screen.width // 2, screen.height // 5)
        shown_keyboard(kiosk, screen, mark)
