"""Tell the service manager that the kiosk is up, alive, or stopping (sd_notify).

The installed kiosk runs under a systemd unit with a watchdog: if the shell
freezes (a stuck Tk loop shows a dead screen to the next resident), systemd no
longer hears WATCHDOG=1 and restarts the whole X session. The pings come from
the Tk loop itself (see `keep_alive` in the runner), so a live worker thread
cannot hide a dead screen.

The protocol is one datagram of `KEY=VALUE` lines sent to the unix socket named
by $NOTIFY_SOCKET (a leading '@' means Linux's abstract namespace). It is small
enough not to need a library.

The kiosk is not the unit's main process (xinit is; the unit says
NotifyAccess=all), so $WATCHDOG_PID, which names the main process, is not
checked against our own PID as a plain service would.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass

from kiosk import settings

log = logging.getLogger(__name__)

# Ping at half the watchdog's period, as systemd advises, but never slower than
# this: a long WatchdogSec must not make a frozen shell go unnoticed for long.
LONGEST_PING_INTERVAL_MS = 10_000
SHORTEST_PING_INTERVAL_MS = 100


@dataclass
class ServiceNotifier:
    """Sends state changes to the service manager; does nothing outside one."""

    address: str | None
    watchdog_usec: int | None

    @classmethod
    def take_from_environment(cls) -> ServiceNotifier:
        """The link to the service manager, if the kiosk runs under one."""
        address, watchdog = settings.take_service_manager_link()
        return cls(address, _positive_int(watchdog))

    @property
    def enabled(self) -> bool:
        return self.address is not None

    def ping_interval_ms(self) -> int | None:
        """How often the Tk loop should say WATCHDOG=1; None when no watchdog is set."""
        if not self.enabled or self.watchdog_usec is None:
            return None
        half = self.watchdog_usec // 2000
        return max(SHORTEST_PING_INTERVAL_MS, min(half, LONGEST_PING_INTERVAL_MS))

    def ready(self, status: str) -> None:
        self.send(f"READY=1\nSTATUS={status}")

    def alive(self) -> None:
        self.send("WATCHDOG=1")

    def status(self, status: str) -> None:
        self.send(f"STATUS={status}")

    def stopping(self) -> None:
        self.send("STOPPING=1")

    def send(self, message: str) -> bool:
        """One datagram; False (logged once per failure) when it could not be sent."""
        if self.address is None:
            return False
        import socket  # only under a service manager: a plain start skips its import

        target = "\0" + self.address[1:] if self.address.startswith("@") else self.address
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
                sock.sendto(message.encode("utf-8"), target)
        except OSError as error:
            log.warning("cannot tell the service manager %r: %s", message.split("\n")[0], error)
            return False
        return True


def _positive_int(text: str | None) -> int | None:
    if text is None:
        return None
    with contextlib.suppress(ValueError):
        value = int(text)
        if value > 0:
            return value
    log.warning("WATCHDOG_USEC=%r is not a positive number: no watchdog pings", text)
    return None
