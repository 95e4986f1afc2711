"""A resident's USB key, end to end: the real mount service as root, an ext4 image on a
loop device as the key, the real kiosk (in the production mode: the unprivileged
user, the sandbox on) taking it as plugged in at start (KIOSK_TEST_USB_KEYS, until
hotplug tells it). The key's PDF is picked with the keyboard and the site receives
it; at the end the kiosk reminds the resident of the key, and the key is unmounted.
With the deny policy, the resident is told once.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import XScreen, wait_for
from kiosk_process import KioskProcess, kiosk_user, mode_params, park_pointer, running_kiosk
from procedure_site import UPLOADS, Site, profile_toml
from screenshots import check_against_reference
from usb_keys import (
    PDF,
    FakeKey,
    MountService,
    fake_key,
    mount_service,
    skip_unless_mounts_work,
    with_policy,
)

pytestmark = [pytest.mark.browser, pytest.mark.display]

KEY_PDF = PDF + b"% the resident's own payslip\n"


@pytest.fixture
def key(tmp_path: Path) -> Iterator[FakeKey]:
    skip_unless_mounts_work()
    with fake_key(tmp_path, {"Documents/fiche de paie.pdf": KEY_PDF, "photo.txt": b"x"},
                  label="CLE-MARIE") as made:
        yield made


@pytest.fixture
def usb_kiosk(request: pytest.FixtureRequest, screen: XScreen, site: Site, tmp_path: Path,
              key: FakeKey) -> Iterator[tuple[MountService, KioskProcess]]:
    policy, mode = request.param
    text = with_policy(profile_toml([("single", f"http://{UPLOADS}/single", [UPLOADS])]),
                       policy)
    profile = tmp_path / "usb.toml"
    profile.write_text(text, encoding="utf-8")
    user = kiosk_user().pw_name if mode == "production" else None
    with mount_service(tmp_path, profile, user=user) as service, running_kiosk(
            screen, tmp_path, "--profile", str(profile), mode=mode,
            env={"KIOSK_HOST_RESOLVER_RULES": site.rules,
                 "KIOSK_USB_SOCKET": str(service.socket),
                 "KIOSK_TEST_USB_KEYS": key.dev_node}) as kiosk:
        yield service, kiosk


@pytest.mark.parametrize("usb_kiosk", [("read-only", m) for m in mode_params(
    "guard-only", "production")], indirect=True, ids=lambda p: p[1])
def test_the_key_pdf_is_sent_to_the_site_and_the_key_unmounted_at_the_end(
        usb_kiosk: tuple[MountService, KioskProcess], screen: XScreen, site: Site,
        artifacts: Path) -> None:
    service, kiosk = usb_kiosk
    kiosk.wait_until_ready()
    kiosk.wait_for_log(r"usb: key 1 mounted read-only")
    [(_device, target, options)] = service.mounted()
    assert {"ro", "nosuid", "nodev", "noexec"} <= options
    mark = len(kiosk.lines)
    screen.key("Return")  # the one tile
    kiosk.wait_for_log("procedure opened: single$", after=mark)
    kiosk.wait_for_log(r"usb: key 1 offers 1 document\(s\)", after=mark)
    assert wait_for(lambda: "/single" in site.log.paths(UPLOADS), 20)
    kiosk.wait_for_log("the browser window has the keyboard$", after=mark)
    time.sleep(1.0)  # the page paints
    mark = len(kiosk.lines)
    screen.key("Tab", "Tab", "space")  # past the two proof links, the file input
    kiosk.wait_for_log("document picker: 1 offered", after=mark)
    kiosk.wait_for_screen("picker", after=mark)
    park_pointer(screen)
    time.sleep(0.3)
    shot = screen.screenshot(artifacts / "picker-usb-1280x1024.png")
    if kiosk.mode == "guard-only":
        check_against_reference(shot, "picker-usb-1280x1024")
    mark = len(kiosk.lines)
    screen.key("Return")
    kiosk.wait_for_log(r"1 file\(s\) handed to the page$", after=mark)
    assert wait_for(lambda: site.log.uploaded(), 10)
    assert site.log.uploaded() == [(UPLOADS, "fiche de paie.pdf", KEY_PDF)]
    # The page has the keyboard back (an F2 before that would be undone by it).
    kiosk.wait_for_log("the browser window has the keyboard$", after=mark)

    mark = kiosk.end_session_by_keyboard(screen)
    kiosk.wait_for_log("message: usb_reminder$", after=mark)
    time.sleep(0.3)
    park_pointer(screen)
    shot = screen.screenshot(artifacts / "usb-reminder-1280x1024.png")
    if kiosk.mode == "guard-only":
        check_against_reference(shot, "usb-reminder-1280x1024")
    assert service.mounted() == []  # the wipe unmounted it
    assert not (target / "Documents").exists()


@pytest.mark.parametrize("usb_kiosk", [("deny", m) for m in mode_params("guard-only")],
                         indirect=True, ids=lambda p: p[1])
def test_with_deny_the_resident_is_told_calmly_and_nothing_is_mounted(
        usb_kiosk: tuple[MountService, KioskProcess], screen: XScreen,
        artifacts: Path) -> None:
    service, kiosk = usb_kiosk
    mark = kiosk.wait_for_log("message: usb_refused$")
    time.sleep(0.3)
    park_pointer(screen)
    shot = screen.screenshot(artifacts / "usb-refused-1280x1024.png")
    check_against_reference(shot, "usb-refused-1280x1024")
    screen.key("Return")  # Back
    kiosk.wait_for_screen("home", after=mark)
    assert service.mounted() == []
