"""`kiosk run`: the composition root.

It loads the profile, builds the long-lived services once (the bus, the
statistics recorder, the browser factory, the session's participants and the
controller that drives them) and hands them to the shell. A new device is a new
participant added in `build_participants`, with no edit to the controller, the
app or the toolbar.
"""

from __future__ import annotations

import logging
import signal
import sys
import tkinter as tk
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk import i18n, settings
from kiosk.bus import EventBus
from kiosk.config.lastgood import recall, remember
from kiosk.config.load import choose_profile_path, load_profile
from kiosk.config.schema import Profile
from kiosk.errors import ProfileError
from kiosk.events import DevicePlugged, DeviceUnplugged
from kiosk.service import ServiceNotifier
from kiosk.session.control import Bounds, SessionControl
from kiosk.session.participant import Participant, ToolbarItem

if TYPE_CHECKING:
    from kiosk.devices.hotplug import HotplugWatcher
    from kiosk.stats.recorder import StatsRecorder
    from kiosk.ui.timers import MonotonicTimers

log = logging.getLogger(__name__)

EXIT_NO_DISPLAY = 2
# udev is opened and its devices listed once the first screen is drawn.
HOTPLUG_START_DELAY_S = 0.5


def load_or_report(cli_path: Path | None) -> Profile | None:
    """The profile, or None after logging every problem for IT staff."""
    path = choose_profile_path(cli_path)
    try:
        profile = load_profile(path)
    except ProfileError as error:
        log.error("the profile cannot be used, the kiosk shows 'out of service':")
        for problem in error.problems:
            log.error("  %s", problem)
        return None
    log.info("profile %s: %d procedures", path, len(profile.procedures))
    return profile


def make_root() -> tk.Tk:
    # A plain Tk root: the kiosk draws its own widgets; ttkbootstrap themes the few
    # ttk ones (scroll bars) and is loaded when the first of them is made.
    return tk.Tk(className="Borne")


def build_participants(profile: Profile, bus: EventBus) -> list[Participant]:
    """The services that keep something of a resident between two wipes.

    The browser is owned by the controller itself; assisted mode joins here.
    """
    from kiosk.assisted.participant import AssistedParticipant
    from kiosk.devices.printing import PrintingParticipant, PrintService
    from kiosk.devices.scanning import ScanningParticipant, ScanService
    from kiosk.devices.speech import SpeechParticipant, SpeechService, speech_sink_from_settings
    from kiosk.devices.usb_storage import MountClient, UsbParticipant, UsbStorage
    from kiosk.session.thumbnails import Thumbnailer

    printing = PrintService(bus.publish, queue_name=profile.printing.queue,
                            enabled=profile.printing.enabled)
    printing.start()
    # Hotplug hands it the keys (start_hotplug); the tests' loop devices come this way.
    usb = UsbStorage(bus.publish, profile.usb_storage.policy,
                     MountClient(settings.current().usb_socket),
                     assisted_policy=profile.usb_storage.policy_while(True))
    usb.start()
    for dev_node in settings.current().test_usb_keys:
        usb.key_plugged(f"test:{dev_node}", dev_node, "", "")
    # Disabled, the service still says so once (the picker then offers no scanning),
    # and never runs scanimage.
    scanning = ScanService(bus.publish, enabled=profile.scanning.enabled,
                           max_bytes=int(profile.scanning.max_size_mb * 1024 * 1024))
    scanning.start()
    # Read aloud: offered only where espeak-ng is installed (said once in the log).
    speech = SpeechService(speech_sink_from_settings())
    speech.start()
    return [PrintingParticipant(printing, bus), ScanningParticipant(scanning, bus),
            UsbParticipant(usb, bus), Thumbnailer(bus),
            AssistedParticipant(profile.assisted, bus), SpeechParticipant(speech, bus)]


def start_hotplug(bus: EventBus, participants: Sequence[Participant]) -> HotplugWatcher:
    """udev's watcher, and the services that follow the devices it announces.

    Printing looks at its printer again when a USB printer comes or goes (CUPS is
    told nothing: it finds USB printers itself); a USB key's partition goes to the
    USB storage service, which applies the profile's policy; scanning asks SANE for
    its scanners again when a scanner comes or goes (probing takes seconds: it is
    done then, on scanning's worker, so that the Scan item answers at once).
    """
    from kiosk.devices.hotplug import HotplugWatcher, follow_hotplug
    from kiosk.devices.printing import PrintingParticipant
    from kiosk.devices.scanning import ScanningParticipant
    from kiosk.devices.usb_storage import UsbParticipant

    printing = [p.service for p in participants if isinstance(p, PrintingParticipant)]
    scanning = [p for p in participants if isinstance(p, ScanningParticipant)]
    keys = [p.storage for p in participants if isinstance(p, UsbParticipant)]

    def printers_changed() -> None:
        log.info("hotplug: printing looks at its printer again")
        for service in printing:
            service.refresh()

    def scanners_changed() -> None:
        log.info("hotplug: scanning looks for its scanners again")
        for participant in scanning:
            participant.refresh()

    def storage_plugged(event: DevicePlugged) -> None:
        for storage in keys:
            storage.key_plugged(event.sys_path, event.dev_node, event.label, event.fs_type)

    def storage_unplugged(event: DeviceUnplugged) -> None:
        for storage in keys:
            storage.key_unplugged(event.sys_path)

    follow_hotplug(bus, printers_changed=printers_changed, scanners_changed=scanners_changed,
                   storage_plugged=storage_plugged, storage_unplugged=storage_unplugged)
    watcher = HotplugWatcher(bus.publish)
    watcher.start(delay=HOTPLUG_START_DELAY_S)
    return watcher


def start_stats(bus: EventBus) -> StatsRecorder | None:
    """The anonymous counters, listening to the bus; None (logged) if their file is unusable."""
    from kiosk.stats.counters import Counters
    from kiosk.stats.recorder import StatsRecorder
    from kiosk.stats.report import database_path

    try:
        recorder = StatsRecorder(Counters(database_path()))
    except Exception:
        log.exception("anonymous counters are off: their database cannot be opened")
        return None
    recorder.attach(bus)
    return recorder


@dataclass
class Services:
    """What lives as long as the kiosk, built once."""

    profile: Profile
    bus: EventBus
    participants: Sequence[Participant]
    stats: StatsRecorder | None
    hotplug: HotplugWatcher

    @property
    def toolbar_items(self) -> list[ToolbarItem]:
        return [item for p in self.participants for item in p.toolbar_items()]

    def make_controller(self, bounds: Bounds) -> SessionControl:
        """The session controller for a browser placed at `bounds` (under the toolbar)."""
        from kiosk.session.controller import SessionController, make_browser_factory

        current = settings.current()
        factory = make_browser_factory(bounds, self.profile.allowlist(), self.bus.publish,
                                       current.host_resolver_rules,
                                       current.installed_policy_as_root,
                                       self.profile.allowlist(assisted=True))
        return SessionController(self.profile, self.bus, display=current.display,
                                 browser_factory=factory, participants=self.participants)

    def close(self) -> None:
        self.hotplug.close()
        for participant in self.participants:
            participant.close()
        if self.stats is not None:
            self.stats.close()


def build_services(profile: Profile, bus: EventBus) -> Services:
    participants = build_participants(profile, bus)
    return Services(profile, bus, participants, start_stats(bus),
                    start_hotplug(bus, participants))


def run_kiosk(profile: Path | None, windowed: bool) -> int:
    """Run until stopped (SIGTERM or SIGINT); the session is wiped on the way out."""
    display = settings.current().display
    if not display:
        print("kiosk run: no display (DISPLAY is not set). Start it from the kiosk's X "
              "session, or use 'make run', which starts a virtual screen.", file=sys.stderr)
        return EXIT_NO_DISPLAY
    from kiosk.app import KioskApp
    from kiosk.browser.reaper import become_subreaper
    from kiosk.session.display_loss import exit_when_the_display_goes

    notifier = ServiceNotifier.take_from_environment()
    become_subreaper()
    i18n.use_extra_catalogues(settings.current().locale_dir)
    loaded = load_or_report(profile)
    try:
        root = make_root()
    except tk.TclError as error:
        print(f"kiosk run: cannot open the display {display}: {error}", file=sys.stderr)
        return EXIT_NO_DISPLAY
    exit_when_the_display_goes(display)
    bus = EventBus()
    state = settings.state_dir()
    if loaded is None:
        app = KioskApp(root, bus, None, fullscreen=not windowed, last_desk=recall(state))
        services = None
    else:
        remember(loaded, state)
        warn_if_policy_refuses_sites(profile)
        services = build_services(loaded, bus)
        app = KioskApp(root, bus, loaded, fullscreen=not windowed,
                       controller_factory=services.make_controller,
                       toolbar_items=services.toolbar_items)
    stop_on_signals(root)
    status = "serving residents" if loaded is not None else "out of service: broken profile"
    keep_service_manager_told(root, app.timers, notifier, status)
    try:
        root.mainloop()
    finally:
        notifier.stopping()
        app.shutdown()
        if services is not None:
            services.close()
    return 0


def keep_service_manager_told(root: tk.Tk, timers: MonotonicTimers, notifier: ServiceNotifier,
                              status: str) -> None:
    """READY=1 once the first screen is drawn, then WATCHDOG=1 from the Tk loop.

    The pings are Tk callbacks on purpose: they stop when the loop is stuck, and
    the service manager then restarts the kiosk instead of leaving a dead screen.
    They are timed on the monotonic clock: with Tk's own `after`, the clock set
    back an hour would stop them, and the kiosk would be killed mid-session.
    """
    if not notifier.enabled:
        return
    interval = notifier.ping_interval_ms()

    def ping() -> None:
        notifier.alive()
        timers.after(interval or 0, ping)

    def ready() -> None:
        notifier.ready(status)
        # Pings start from here, never before READY=1, however late the first idle
        # moment comes on a busy machine.
        if interval is not None:
            timers.after(interval, ping)

    root.after_idle(ready)


def warn_if_policy_refuses_sites(profile: Path | None) -> None:
    """Say in the log, for IT staff, when the machine's Chromium policy would refuse
    the profile's sites or lacks the lockdown (what `kiosk doctor` checks)."""
    from kiosk.browser.chromium import running_as_root
    from kiosk.doctor import policy_status

    if running_as_root() and settings.current().private_policy:
        return  # the browser gets its policy in a mount namespace of its own
    try:
        ok, detail, fix = policy_status(profile)
    except Exception:  # a check must never keep the kiosk from starting
        log.exception("the browser policy could not be checked")
        return
    if not ok:
        log.error("browser policy: %s; %s", detail, fix)


def stop_on_signals(root: tk.Tk) -> None:
    """SIGTERM/SIGINT end the main loop.

    The handler only schedules the stop. Python runs it on the main thread
    wherever that thread is, possibly in the middle of writing a log line to
    stderr: a log line written by the handler itself would then fail ("reentrant
    call") before the stop is scheduled, and the kiosk would ignore the signal.
    """

    def stop(signum: int) -> None:
        log.info("signal %d: stopping", signum)
        root.quit()

    def handle(signum: int, _frame: object) -> None:
        # Tk's own `after`, not the kiosk's timers: a handler must take no lock the
        # interrupted thread may hold. A zero delay is safe from clock changes.
        root.after(0, stop, signum)

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)
