"""Every path and environment variable the kiosk reads, in one place, with its default.

Other modules ask `current()` instead of reading `os.environ` themselves: what
the kiosk depends on can then be read here, documented in the README, and set
by tests (a private state folder, session root or policy folder per test) without
touching the machine's files. The environment is read at each call, so a test
that changes a variable sees it at once.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from pathlib import Path

#: Variable -> (default, meaning). The README's table is written from this.
VARIABLES: dict[str, tuple[str, str]] = {
    "KIOSK_STATE_DIR": ("/var/lib/kiosk",
                        "what the kiosk keeps between runs: statistics, the last good "
                        "profile's desk details, sessions when no tmpfs exists"),
    "KIOSK_SESSION_ROOT": ("", "where session folders are made; empty: /run/user/UID, else "
                               "/dev/shm, else KIOSK_STATE_DIR/sessions"),
    "KIOSK_SYSTEM_PROFILE": ("/etc/kiosk/profile.toml", "the machine's profile"),
    "KIOSK_MEDIATORS": ("/etc/kiosk/mediators.toml",
                        "the mediators file, who may open assisted mode "
                        "(kiosk run --mediators sets it)"),
    "KIOSK_POLICY_DIR": ("/etc/chromium/policies/managed",
                         "where Chromium's managed policies are (checked by kiosk doctor)"),
    "KIOSK_CHROMIUM": ("/usr/bin/chromium", "the browser to start"),
    "KIOSK_PRIVATE_POLICY": ("1", "as root, 0 stops giving each browser the lockdown policy "
                                  "in a private mount namespace"),
    "KIOSK_HOST_RESOLVER_RULES": ("", "tests only: map site names to the local test site"),
    "KIOSK_ROOT_POLICY": ("guard-only", "as root, the policy each browser gets in its private "
                                        "mount namespace: guard-only, or installed (the "
                                        "installed kiosk's, for tests of the production set-up)"),
    "KIOSK_USB_SOCKET": ("/run/borne-usb/socket",
                         "the USB key mount service's socket (borne-usb.service)"),
    "KIOSK_TEST_USB_KEYS": ("", "tests only, until hotplug: block devices (comma-separated) "
                                "taken as USB keys plugged in at start; the mount service "
                                "still checks each"),
    "KIOSK_SPEECH_WAV_DIR": ("", "Read aloud writes WAV files into this folder instead of "
                                 "playing them (tests, or checking a terminal without "
                                 "speakers); empty: the sound card"),
    "KIOSK_LOCALE_DIR": ("", "an extra folder of compiled catalogues "
                             "(<lang>/LC_MESSAGES/kiosk.mo), looked at before the packaged "
                             "ones: a language tried before it is packaged, a pseudo-locale "
                             "in tests"),
    "KIOSK_PAGE_SILENT_SECONDS": ("10", "how long a page may answer nothing before the kiosk "
                                        "ends it (a page stuck in a loop holds the keyboard, "
                                        "F2 included); tests shorten it"),
    "DISPLAY": ("", "the X display of the kiosk session"),
    "CUPS_SERVER": ("", "read by libcups, not by the kiosk: the CUPS server to print with "
                        "(a socket or host); empty: the machine's own cupsd"),
    "SANE_CONFIG_DIR": ("", "read by libsane (through scanimage), not by the kiosk: where "
                            "SANE's backend list (dll.conf) is; empty: /etc/sane.d"),
    "NOTIFY_SOCKET": ("", "set by systemd: where the kiosk says it is ready and alive "
                          "(taken out of the environment at start, so the browser never "
                          "inherits it)"),
    "WATCHDOG_USEC": ("", "set by systemd's WatchdogSec: the kiosk's Tk loop says it is "
                          "alive twice per period (at least every 10 s)"),
}


@dataclass(frozen=True)
class Settings:
    """The kiosk's paths and switches, as the environment sets them."""

    state_dir: Path
    session_root: Path | None
    system_profile: Path
    mediators_file: Path
    policy_dir: Path
    chromium: str
    private_policy: bool
    host_resolver_rules: str | None
    installed_policy_as_root: bool
    display: str
    usb_socket: Path = Path("/run/borne-usb/socket")
    test_usb_keys: tuple[str, ...] = ()
    speech_wav_dir: Path | None = None
    locale_dir: Path | None = None
    page_silent_seconds: float = 10.0

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> Settings:
        def value(name: str) -> str:
            return environ.get(name) or VARIABLES[name][0]

        session_root = value("KIOSK_SESSION_ROOT")
        return cls(
            state_dir=Path(value("KIOSK_STATE_DIR")),
            session_root=Path(session_root) if session_root else None,
            system_profile=Path(value("KIOSK_SYSTEM_PROFILE")),
            mediators_file=Path(value("KIOSK_MEDIATORS")),
            policy_dir=Path(value("KIOSK_POLICY_DIR")),
            chromium=value("KIOSK_CHROMIUM"),
            private_policy=value("KIOSK_PRIVATE_POLICY") != "0",
            host_resolver_rules=value("KIOSK_HOST_RESOLVER_RULES") or None,
            installed_policy_as_root=value("KIOSK_ROOT_POLICY") == "installed",
            display=value("DISPLAY"),
            usb_socket=Path(value("KIOSK_USB_SOCKET")),
            test_usb_keys=tuple(k for k in value("KIOSK_TEST_USB_KEYS").split(",") if k),
            speech_wav_dir=Path(value("KIOSK_SPEECH_WAV_DIR"))
            if value("KIOSK_SPEECH_WAV_DIR") else None,
            locale_dir=Path(value("KIOSK_LOCALE_DIR")) if value("KIOSK_LOCALE_DIR") else None,
            page_silent_seconds=_seconds(value("KIOSK_PAGE_SILENT_SECONDS"),
                                         VARIABLES["KIOSK_PAGE_SILENT_SECONDS"][0]),
        )


def _seconds(text: str, default: str) -> float:
    """A positive number of seconds; a mistyped value falls back to the default rather
    than stopping the terminal."""
    try:
        seconds = float(text)
    except ValueError:
        return float(default)
    return seconds if seconds > 0 else float(default)


def take_service_manager_link(
    environ: MutableMapping[str, str] | None = None,
) -> tuple[str | None, str | None]:
    """NOTIFY_SOCKET and WATCHDOG_USEC (None when unset), removed from the environment.

    Removed so that nothing the kiosk starts (the browser, anything a page could
    make it start) can speak to the service manager in the kiosk's name.
    """
    env = os.environ if environ is None else environ
    address = env.pop("NOTIFY_SOCKET", None) or None
    watchdog = env.pop("WATCHDOG_USEC", None) or None
    env.pop("WATCHDOG_PID", None)
    return address, watchdog


def use_mediators_file(path: Path) -> None:
    """Make `path` the mediators file for this process (`--mediators` on the command line).

    Kept in the environment, where `current()` reads it, so every part of the
    kiosk asking for the settings sees the same file.
    """
    os.environ["KIOSK_MEDIATORS"] = str(path)


def current() -> Settings:
    """The settings from this process's environment now."""
    return Settings.from_environment(os.environ)


def state_dir() -> Path:
    """Counters, lockout state, the last good profile's desk details."""
    return current().state_dir
