"""A USB printer plugged in and pulled out while a resident is on a procedure page.

The real kiosk runs under `umockdev-wrapper` in a umockdev testbed (its browser
without it), with a private cupsd. The test does what CUPS and udev do when a printer comes: the
queue appears in CUPS and udev announces the device; the kiosk's Print item
follows (the print panel opens), and goes back to "not available" when the
printer is pulled out.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cups_server import CupsServer, cups_server
from device_bed import device_bed, wrapped
from harness import XScreen
from kiosk_process import KioskProcess, open_tile, running_kiosk
from procedure_site import ALLOWED, Site, profile_toml

pytestmark = [pytest.mark.browser, pytest.mark.display]

PROFILE = profile_toml([("receipt", f"http://{ALLOWED}/receipt", [ALLOWED])])


def browser_without_umockdev(tmp_path: Path) -> str:
    """Chromium as the kiosk starts it, less umockdev's preload library: under it
    Chromium's page processes die at once (the browser needs no devices)."""
    script = tmp_path / "chromium"
    script.write_text('#!/bin/sh\nexec env -u LD_PRELOAD /usr/bin/chromium "$@"\n',
                      encoding="utf-8")
    script.chmod(0o755)
    return str(script)


def press_print(kiosk: KioskProcess, screen: XScreen) -> int:
    """F2 to the toolbar, Tab to Print (after Home, Back, Reload), Return; returns the
    log mark before."""
    mark = kiosk.toolbar_by_f2(screen)
    screen.key("Tab", "Tab", "Tab", "Return")
    return mark


def back_to_the_page(kiosk: KioskProcess, screen: XScreen, mark: int) -> None:
    """The message goes by itself; the panel with Escape."""
    screen.key("Escape")
    kiosk.wait_for_screen("toolbar", after=mark, timeout=20)


@pytest.fixture
def cups() -> Iterator[CupsServer]:
    with cups_server() as server:
        yield server


def test_the_print_item_follows_a_usb_printer_plugged_in_and_pulled_out(
    screen: XScreen, site: Site, tmp_path: Path, cups: CupsServer,
) -> None:
    profile = tmp_path / "hotplug.toml"
    profile.write_text(PROFILE, encoding="utf-8")
    with device_bed() as bed:
        bed.load("scanner")  # the USB controller, and a scanner there from the start
        env = {"KIOSK_HOST_RESOLVER_RULES": site.rules, "CUPS_SERVER": str(cups.socket),
               "KIOSK_CHROMIUM": browser_without_umockdev(tmp_path), **bed.env()}
        with running_kiosk(screen, tmp_path, "--profile", str(profile), env=env,
                           wrapper=tuple(wrapped([]))) as kiosk:
            kiosk.wait_for_log(r"hotplug: following udev; present: scanner Canon")
            kiosk.wait_until_ready()
            open_tile(kiosk, screen, site, ["Return"], "receipt", ALLOWED)
            kiosk.wait_for_log("printing: printer '' no_printer")
            mark = press_print(kiosk, screen)
            kiosk.wait_for_screen("message", after=mark)  # "Printing is not available"
            back_to_the_page(kiosk, screen, mark)

            mark = len(kiosk.lines)
            cups.add_pdf_queue()  # what CUPS does for a USB printer (ipp-usb, usb backend)
            bed.plug("printer")
            kiosk.wait_for_log(r"hotplug: printer plugged: HP, Inc HP LaserJet P2055",
                               after=mark)
            kiosk.wait_for_log("hotplug: printing looks at its printer again", after=mark)
            kiosk.wait_for_log("printing: printer 'office' available", after=mark)
            mark = press_print(kiosk, screen)
            kiosk.wait_for_screen("print_panel", after=mark)
            back_to_the_page(kiosk, screen, mark)

            mark = len(kiosk.lines)
            cups.delete_queue()
            bed.unplug("printer")
            kiosk.wait_for_log(r"hotplug: printer unplugged", after=mark)
            kiosk.wait_for_log("printing: printer '' no_printer", after=mark)
            mark = press_print(kiosk, screen)
            kiosk.wait_for_screen("message", after=mark)
