"""The Debian package's sources agree with the code they package (no build needed)."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest

from kiosk import __version__
from kiosk.browser.policies import (
    install_for_profile,
    installed_policy,
    profile_policy,
    static_policy,
)
from kiosk.config.load import load_profile

REPO = Path(__file__).resolve().parents[2]
DEBIAN = REPO / "debian"
UNIT = REPO / "packaging" / "systemd" / "borne.service"
XSESSION = REPO / "packaging" / "session" / "xsession"
DEFAULT_PROFILE = REPO / "profiles" / "default.toml"


def borne_depends() -> set[str]:
    """Package names in the Depends field of the borne binary package."""
    control = (DEBIAN / "control").read_text(encoding="utf-8")
    stanza = control.split("\nPackage: borne\n", 1)[1]
    match = re.search(r"^Depends:(.*?)^\S", stanza, re.MULTILINE | re.DOTALL)
    assert match, "no Depends field in borne's stanza"
    names = set()
    for item in match.group(1).split(","):
        name = item.strip().split(" ")[0]
        if name and not name.startswith("${"):
            names.add(name)
    return names


def test_one_version_everywhere() -> None:
    first_line = (DEBIAN / "changelog").read_text(encoding="utf-8").splitlines()[0]
    debian_version = first_line.split("(", 1)[1].split(")", 1)[0]
    with (REPO / "pyproject.toml").open("rb") as file:
        project_version = tomllib.load(file)["project"]["version"]
    assert debian_version == project_version == __version__


# What the kiosk and its session run or load, and the Debian package giving it.
NEEDED = {
    "libX11.so.6 (idle clock)": "libx11-6",
    "libXi.so.6 (XInput 2 idle clock)": "libxi6",
    "libXss.so.1 (idle fallback)": "libxss1",
    "xsel (clipboard wipe)": "xsel",
    "xdotool (raising the browser)": "xdotool",
    "xdpyinfo, xprop (kiosk doctor)": "x11-utils",
    "setxkbmap, xset (xsession)": "x11-xserver-utils",
    "openbox (xsession)": "openbox",
    "xinit (borne.service)": "xinit",
    "Xorg (borne.service)": "xserver-xorg",
    "logind session for rootless Xorg (PAMName=login)": "libpam-systemd",
    "chromium": "chromium",
    "tkinter": "python3-tk",
    "ttkbootstrap": "python3-ttkbootstrap",
    "PIL.ImageTk (QR codes on screen)": "python3-pil.imagetk",
    "qrcode": "python3-qrcode",
    "adduser (postinst)": "adduser",
    "pdfinfo, pdftoppm (print previews)": "poppler-utils",
    "cups (printing)": "python3-cups",
    "bidi (right-to-left labels)": "python3-bidi",
    "arabic_reshaper (joined Arabic letters)": "python3-arabic-reshaper",
}


@pytest.mark.parametrize("what", sorted(NEEDED))
def test_depends_cover_what_the_kiosk_uses(what: str) -> None:
    assert NEEDED[what] in borne_depends(), f"{what}: add {NEEDED[what]} to debian/control"


def test_unit_starts_the_installed_session() -> None:
    unit = UNIT.read_text(encoding="utf-8")
    rules = (DEBIAN / "rules").read_text(encoding="utf-8")
    exec_start = re.search(r"^ExecStart=(\S+) (\S+)", unit, re.MULTILINE)
    assert exec_start and exec_start.groups() == ("/usr/bin/xinit", "/usr/libexec/borne/xsession")
    assert "packaging/session/xsession $(PKG)/usr/libexec/borne/xsession" in rules
    assert "--config-file /usr/share/borne/openbox/rc.xml" in XSESSION.read_text(encoding="utf-8")
    assert "packaging/openbox/rc.xml $(PKG)/usr/share/borne/openbox/rc.xml" in rules
    assert "ExecStartPre=+/usr/bin/python3 -I -m kiosk.browser.policies --install" in unit


def test_installed_policy_allows_the_profile_sites() -> None:
    policy, problem = installed_policy(DEFAULT_PROFILE)
    assert problem is None
    assert policy == profile_policy(load_profile(DEFAULT_PROFILE).allowlist())
    assert len(policy["URLAllowlist"]) > 1


def test_a_broken_profile_installs_a_policy_that_opens_nothing(tmp_path: Path) -> None:
    broken = tmp_path / "profile.toml"
    broken.write_text("schema = 1\n", encoding="utf-8")
    policy, problem = installed_policy(broken)
    assert policy == static_policy()
    assert problem and str(broken) in problem


def test_install_writes_a_readable_file(tmp_path: Path) -> None:
    target = tmp_path / "managed" / "borne.json"
    assert install_for_profile(DEFAULT_PROFILE, target) == 0
    assert target.stat().st_mode & 0o777 == 0o644
    assert json.loads(target.read_text(encoding="utf-8"))["URLBlocklist"][0] == "*"
