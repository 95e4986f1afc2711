"""The packaged udev rules give the kiosk's session its scanners and USB printers.

udev itself applies them: `udevadm test` runs the machine's rules and ours (put
in /etc/udev/rules.d of a private mount namespace) on the project's umockdev
devices, and says which tags the device gets. "uaccess" is what lets logind
open the device to the kiosk user's active session.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from device_bed import device_bed, wrapped
from harness import REPO

RULES = REPO / "packaging" / "udev" / "72-borne.rules"
USB1 = "/sys/devices/pci0000:00/0000:00:14.0/usb1"
DEVICES = [
    ("printer", f"{USB1}/1-3", True),
    ("scanner", f"{USB1}/1-2", True),
    ("usb-stick", "/sys/devices/pci0000:00/0000:00:14.0/usb2/2-1", False),
]


def udev_tags(sys_path: str, rules: Path, env: dict[str, str]) -> set[str]:
    """The tags udev gives the device on "add", with `rules` as /etc/udev/rules.d.

    udevadm writes its database under /run/udev, which umockdev does not redirect:
    a private, empty /run keeps the machine's untouched (and the test free of
    earlier runs' tags, which udev keeps).
    """
    bind = ('mount --bind "$0" /etc/udev/rules.d && mount -t tmpfs borne-run /run '
            '&& exec "$@"')
    result = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "sh", "-c", bind, str(rules),
         *wrapped(["udevadm", "test", "--action=add", sys_path])],
        env={**os.environ, **env}, capture_output=True, text=True, timeout=60, check=True)
    assert f"Reading rules file: /etc/udev/rules.d/{RULES.name}" in result.stderr
    line = next(line for line in result.stdout.splitlines()
                if line.startswith("CURRENT_TAGS="))
    return set(line.removeprefix("CURRENT_TAGS=").strip(":").split(":"))


@pytest.mark.parametrize(("name", "sys_path", "for_the_session"), DEVICES,
                         ids=[d[0] for d in DEVICES])
def test_scanners_and_printers_are_for_the_session_and_nothing_else(
    tmp_path: Path, name: str, sys_path: str, for_the_session: bool
) -> None:
    if os.geteuid() != 0 or shutil.which("unshare") is None or shutil.which("udevadm") is None:
        pytest.skip("needs root, unshare and udevadm (a private mount namespace)")
    shutil.copy(RULES, tmp_path)
    with device_bed() as bed:
        bed.load(name)
        assert ("uaccess" in udev_tags(sys_path, tmp_path, bed.env())) is for_the_session


def test_the_package_installs_the_rules() -> None:
    rules = (REPO / "debian" / "rules").read_text(encoding="utf-8")
    assert (f"packaging/udev/{RULES.name} \\\n\t\t$(PKG)/usr/lib/udev/rules.d/{RULES.name}"
            in rules)
