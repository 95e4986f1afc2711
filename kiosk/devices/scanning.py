"""Scanning through SANE: one worker thread owns the scanner, and reports on the bus.

Why `scanimage` (sane-utils) in a subprocess, and not python-sane in the process:

- Cancel must be immediate and silent. A scanimage process group can always be
  stopped (SIGTERM, on which scanimage cancels the scan and parks the head; then
  SIGKILL if it does not end), whereas `sane_cancel` in the kiosk's process is up to
  each backend and may block, and a backend that crashes or hangs on a USB fault
  would take the kiosk with it.
- python-sane is a C extension: PyPI has it as source only, to be built against
  libsane-dev with a compiler in the kiosk's venv, and Debian 12's python3-sane
  serves the system Python, not a venv or the bundle. scanimage is already there
  with libsane (sane-utils) and prints its own progress (`--progress`).

Probing every SANE backend can take seconds, so the device list is kept here,
probed on the worker at start and on `refresh()` (hotplug calls it when a scanner
comes or goes): the Scan item answers at once from `status`.

Requests go in as typed commands (dataclasses) on a queue; news comes out as
events (kiosk.events: ScannersChanged, ScanProgressed, ScanPageReady,
ScanStopped, ScanSaved, DocumentAdded). The states are few: idle, scanning,
cancelling (the process is being stopped), failed (the last scan did not end
with a page; the next scan starts from there as from idle).
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import queue
import re
import select
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.bus import EventBus
from kiosk.devices import scanner_states as states
from kiosk.events import (
    Document,
    DocumentAdded,
    Event,
    ScanCancelOrdered,
    ScanDocumentOrdered,
    Scanner,
    ScannersChanged,
    ScanOrdered,
    ScanPage,
    ScanPageReady,
    ScanProgressed,
    ScanRequested,
    ScanSaved,
    ScanStopped,
)
from kiosk.i18n import _, ngettext
from kiosk.session.participant import ALWAYS, Availability, SessionInfo, ToolbarItem
from kiosk.session.wipe import WipeStep

if TYPE_CHECKING:
    from kiosk.devices.scan_document import Sheet

log = logging.getLogger(__name__)

SCANIMAGE = "scanimage"
PROBE_TIMEOUT_S = 60.0
STOP_GRACE_S = 3.0
FIRST_PROBE_DELAY_S = 0.5
# A scan that says nothing for this long is stuck (a backend waiting on a dead USB
# link): it is stopped and reported as failed.
STALL_S = 60.0
FORGET_TIMEOUT_S = 10.0
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
PROGRESS = re.compile(rb"Progress: ([0-9.]+)%")


class ScanState(Enum):
    IDLE = "idle"
    SCANNING = "scanning"
    CANCELLING = "cancelling"
    FAILED = "failed"


@dataclass(frozen=True)
class Preset:
    """What one preset scans: the area from the glass's corner, in mm, and at what dpi."""

    id: str
    width_mm: float
    height_mm: float
    dpi: int


PRESETS = {
    "id_card": Preset("id_card", 100.0, 70.0, 300),
    "a4_proof": Preset("a4_proof", 210.0, 297.0, 200),
    "several_pages": Preset("several_pages", 210.0, 297.0, 200),
}


# -- the commands the worker takes --------------------------------------------------------


@dataclass(frozen=True)
class _Probe:
    pass


@dataclass(frozen=True)
class _Scan:
    request: int
    device: str
    preset: Preset
    side: int
    folder: Path


@dataclass(frozen=True)
class _MakeDocument:
    request: int
    preset: str
    pages: tuple[ScanPage, ...]
    as_jpeg: bool
    folder: Path
    name: str


@dataclass(frozen=True)
class _Forget:
    done: Future[None]


_Command = _Probe | _Scan | _MakeDocument | _Forget


@dataclass
class _Running:
    request: int
    process: subprocess.Popen[bytes]
    cancelled: bool = False
    stalled: bool = False


def scanimage_args(device: str, preset: Preset, output: Path, full: bool = True) -> list[str]:
    """The scanimage command for one page; `full` False keeps only what every backend
    understands (a fallback when a backend refuses the mode, resolution or area)."""
    args = [SCANIMAGE, "-d", device, "--format=png", "-o", str(output), "--progress"]
    if full:
        args += ["--mode", "Gray", "--resolution", str(preset.dpi), "-l", "0", "-t", "0",
                 "-x", f"{preset.width_mm:g}", "-y", f"{preset.height_mm:g}"]
    return args


def parse_device_list(text: str) -> tuple[Scanner, ...]:
    """The scanners of `scanimage -f '%d<TAB>%v %m%n'`."""
    scanners = []
    for line in text.splitlines():
        name, _tab, label = line.partition("\t")
        if name.strip():
            scanners.append(Scanner(name.strip(), label.strip() or name.strip()))
    return tuple(scanners)


class ScanService:
    """The terminal's scanners, seen from one worker thread."""

    def __init__(self, publish: Callable[[Event], None], enabled: bool = True,
                 max_bytes: int = DEFAULT_MAX_BYTES, scanimage: str = SCANIMAGE,
                 stall_s: float = STALL_S) -> None:
        self._publish = publish
        self._enabled = enabled
        self.max_bytes = max_bytes
        self._scanimage = scanimage
        self._stall_s = stall_s
        self._progressed = False  # whether the last scanimage reported any progress
        self._inbox: queue.SimpleQueue[_Command | None] = queue.SimpleQueue()
        self._status = ScannersChanged((), "unknown")
        self._state = ScanState.IDLE
        self._lock = threading.Lock()
        self._running: _Running | None = None
        self._cancelled: set[int] = set()
        self._thread = threading.Thread(target=self._run, name="scanning", daemon=True)

    # -- asked from any thread -------------------------------------------------------------

    def start(self) -> None:
        """Start the worker; it probes the scanners first."""
        self._thread.start()
        self.refresh()

    def close(self, timeout: float = 5.0) -> None:
        self._stop_running()
        if self._thread.is_alive():
            self._inbox.put(None)
            self._thread.join(timeout)

    @property
    def status(self) -> ScannersChanged:
        """The last known scanners (also published when they change)."""
        return self._status

    @property
    def state(self) -> ScanState:
        return self._state

    def refresh(self) -> None:
        """Probe the scanners again, on the worker (a scanner was plugged or unplugged)."""
        self._inbox.put(_Probe())

    def scan(self, request: int, device: str, preset: str, side: int, folder: Path) -> None:
        """Scan one page into `folder`; ScanPageReady or ScanStopped follows."""
        self._inbox.put(_Scan(request, device, PRESETS[preset], side, folder))

    def make_document(self, request: int, preset: str, pages: tuple[ScanPage, ...],
                      as_jpeg: bool, folder: Path, name: str) -> None:
        """Save `pages` as the document `name` in `folder`; ScanSaved or ScanStopped follows."""
        self._inbox.put(_MakeDocument(request, preset, pages, as_jpeg, folder, name))

    def cancel(self, request: int) -> None:
        """Stop the scan `request`, silently (its ScanStopped says "cancelled")."""
        with self._lock:
            self._cancelled.add(request)
            running = self._running
            if running is None or running.request != request:
                return
            running.cancelled = True
            self._state = ScanState.CANCELLING
        _signal_group(running.process, signal.SIGTERM)
        # A backend stuck in the kernel may not heed SIGTERM: SIGKILL after a grace
        # period, on a timer (the caller, often the Tk thread, never waits).
        timer = threading.Timer(STOP_GRACE_S, self._kill_if_still_running, (running,))
        timer.daemon = True
        timer.start()

    def _kill_if_still_running(self, running: _Running) -> None:
        with self._lock:
            still = self._running is running
        if still:
            log.warning("scanning: scanimage did not stop on SIGTERM; killed")
            _signal_group(running.process, signal.SIGKILL)

    def forget_session(self, timeout: float = FORGET_TIMEOUT_S) -> None:
        """A wipe step: stop any scan and wait until the worker holds nothing of the
        session (its files are then deleted with the session's folder)."""
        self._stop_running()
        done: Future[None] = Future()
        self._inbox.put(_Forget(done))
        done.result(timeout)

    # -- the worker ------------------------------------------------------------------------

    def _run(self) -> None:
        # The first probe waits until the home screen is drawn (as printing's first look).
        time.sleep(FIRST_PROBE_DELAY_S)
        while (command := self._inbox.get()) is not None:
            try:
                self._carry_out(command)
            except Exception:
                log.exception("scanning: unexpected failure")
                if isinstance(command, _Scan | _MakeDocument):
                    self._stopped(command.request, states.FAILED)

    def _carry_out(self, command: _Command) -> None:
        if isinstance(command, _Probe):
            self._probe()
        elif isinstance(command, _Scan):
            self._scan(command)
        elif isinstance(command, _MakeDocument):
            self._make_document(command)
        elif isinstance(command, _Forget):
            with self._lock:
                self._cancelled.clear()
            self._state = ScanState.IDLE
            command.done.set_result(None)

    def _probe(self) -> None:
        if not self._enabled:
            self._set_status((), "disabled")
            return
        started = time.monotonic()
        try:
            found = subprocess.run([self._scanimage, "-f", "%d\t%v %m%n"], capture_output=True,
                                   timeout=PROBE_TIMEOUT_S, check=False, stdin=subprocess.DEVNULL)
            scanners = parse_device_list(found.stdout.decode("utf-8", "replace"))
        except (OSError, subprocess.TimeoutExpired) as error:
            log.warning("scanning: the scanners cannot be listed (%s)", type(error).__name__)
            scanners = ()
        log.info("scanning: %d scanner(s) found in %.0f ms", len(scanners),
                 (time.monotonic() - started) * 1000)
        self._set_status(scanners, "" if scanners else "no_scanner")

    def _set_status(self, scanners: tuple[Scanner, ...], why_unavailable: str) -> None:
        if (scanners, why_unavailable) == (self._status.scanners, self._status.why_unavailable):
            return
        self._status = ScannersChanged(scanners, why_unavailable)
        self._publish(ScannersChanged(scanners, why_unavailable))

    def _scan(self, order: _Scan) -> None:
        with self._lock:
            if order.request in self._cancelled:
                self._stopped(order.request, states.CANCELLED)
                return
        order.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not _room_for(order.preset, order.folder):
            self._stopped(order.request, states.DISK_FULL)
            return
        raw = order.folder / f"raw-{order.request}-{order.side}.png"
        self._state = ScanState.SCANNING
        reason = self._run_scanimage(order, raw, full=True)
        if reason == states.FAILED and not raw.exists() and not self._progressed:
            # Refused before scanning anything: most likely an option this backend
            # does not have (its modes or resolutions are named otherwise).
            log.info("scanning: trying again with the backend's own settings")
            reason = self._run_scanimage(order, raw, full=False)
        if reason:
            raw.unlink(missing_ok=True)
            if reason == states.UNPLUGGED:
                reason = self._unplugged_or_failed(order.device)
            self._stopped(order.request, reason)
            return
        self._page_from(order, raw)

    def _run_scanimage(self, order: _Scan, raw: Path, full: bool) -> str:
        """Run one scan to its end; "" when the page is in `raw`, else the reason."""
        args = scanimage_args(order.device, order.preset, raw, full)
        args[0] = self._scanimage
        try:
            process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.PIPE, start_new_session=True)
        except OSError as error:
            log.warning("scanning: scanimage cannot start (%s)", error)
            return states.FAILED
        with self._lock:
            self._running = _Running(order.request, process)
        try:
            said = self._follow(order.request, process)
        finally:
            with self._lock:
                running, self._running = self._running, None
        status = process.wait()
        if running is not None and running.cancelled:
            raw.unlink(missing_ok=True)
            return states.CANCELLED
        if running is not None and running.stalled:
            raw.unlink(missing_ok=True)
            return states.FAILED
        if status != 0:
            text = said.decode("utf-8", "replace")
            log.info("scanning: scanimage ended with %d: %s", status,
                     text.strip().splitlines()[-1:] if text.strip() else "")
            return states.reason_for_exit(status, text)
        return "" if raw.exists() and raw.stat().st_size else states.FAILED

    def _follow(self, request: int, process: subprocess.Popen[bytes]) -> bytes:
        """Read scanimage's messages to their end, publishing its progress; returns the
        lines that are not progress (its error messages)."""
        assert process.stderr is not None
        said, pending, shown = bytearray(), b"", -1
        while chunk := self._read_or_stop(process):
            pending += chunk
            *lines, pending = re.split(rb"[\r\n]", pending)
            for line in lines:
                match = PROGRESS.search(line)
                if match is None:
                    said += line + b"\n"
                    continue
                percent = min(100, int(float(match.group(1))))
                if percent != shown:
                    shown = percent
                    self._publish(ScanProgressed(request, percent))
        self._progressed = shown >= 0
        return bytes(said + pending)

    def _read_or_stop(self, process: subprocess.Popen[bytes]) -> bytes:
        """The next bytes scanimage says; b"" at its end, or once it stalled (killed)."""
        assert process.stderr is not None
        ready, _w, _x = select.select([process.stderr], [], [], self._stall_s)
        if ready:
            return os.read(process.stderr.fileno(), 4096)
        log.warning("scanning: scanimage said nothing for %.0f s; stopped", self._stall_s)
        with self._lock:
            if self._running is not None:
                self._running.stalled = True
        _signal_group(process, signal.SIGKILL)
        return b""

    def _unplugged_or_failed(self, device: str) -> str:
        self._probe()
        if any(scanner.name == device for scanner in self._status.scanners):
            return states.FAILED
        return states.UNPLUGGED

    def _page_from(self, order: _Scan, raw: Path) -> None:
        from kiosk.devices.scan_document import BlankPage, prepare_page

        image = order.folder / f"page-{order.request}-{order.side}.png"
        preview = order.folder / f"preview-{order.request}-{order.side}.png"
        reason = ""
        try:
            prepare_page(raw, order.preset.dpi, image, preview)
        except BlankPage:
            reason = states.BLANK
        except OSError as error:
            reason = _disk_or_failed(error)
        # The scanner's raw picture goes before anyone hears of the page.
        raw.unlink(missing_ok=True)
        if reason:
            image.unlink(missing_ok=True)
            self._stopped(order.request, reason)
            return
        self._state = ScanState.IDLE
        log.info("scanning: request %d side %d scanned", order.request, order.side)
        self._publish(ScanPageReady(order.request, image, preview))

    def _make_document(self, order: _MakeDocument) -> None:
        from kiosk.devices import scan_document as d

        try:
            sheets = _sheets_of(order)
            order.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            target = _free_name(order.folder, order.name)
            dpi, quality = d.save_under_limit(sheets, target, self.max_bytes, order.as_jpeg)
        except d.TooLarge:
            self._stopped(order.request, states.TOO_LARGE)
            return
        except OSError as error:
            self._stopped(order.request, _disk_or_failed(error))
            return
        log.info("scanning: request %d saved, %d page(s) at %d dpi, quality %d, %d bytes",
                 order.request, len(sheets), dpi, quality, target.stat().st_size)
        document = Document(target.name, target, "scan", time.monotonic())
        self._publish(DocumentAdded(document))
        self._publish(ScanSaved(order.request, document))

    def _stopped(self, request: int, reason: str) -> None:
        self._state = ScanState.IDLE if reason == states.CANCELLED else ScanState.FAILED
        log.info("scanning: request %d stopped: %s", request, reason)
        self._publish(ScanStopped(request, reason))

    def _stop_running(self) -> None:
        with self._lock:
            running = self._running
            if running is not None:
                running.cancelled = True
                self._state = ScanState.CANCELLING
        if running is not None:
            _signal_group(running.process, signal.SIGTERM)
            try:
                running.process.wait(STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                _signal_group(running.process, signal.SIGKILL)


def _sheets_of(order: _MakeDocument) -> list[Sheet]:
    from kiosk.devices import scan_document as d

    pictures = [(d.turned(d.load_grey(page.image), page.turns),
                 d.page_dpi(page.image, PRESETS[order.preset].dpi)) for page in order.pages]
    if order.preset == "id_card" and len(pictures) >= 2:
        (front, dpi), (back, _dpi) = pictures[0], pictures[1]
        sheets = [d.id_card_sheet(front, back, dpi)]
        sheets += [d.Sheet(picture, dpi) for picture, dpi in pictures[2:]]
        return sheets
    return [d.Sheet(picture, dpi) for picture, dpi in pictures]


def _free_name(folder: Path, name: str) -> Path:
    """`name` in `folder`, or "name (2).pdf"... when a download took it already."""
    target, stem, suffix, number = folder / name, Path(name).stem, Path(name).suffix, 2
    while target.exists():
        target, number = folder / f"{stem} ({number}){suffix}", number + 1
    return target


def _signal_group(process: subprocess.Popen[bytes], number: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):  # already ended
        os.killpg(process.pid, number)


def _room_for(preset: Preset, folder: Path) -> bool:
    """Whether the folder's disk holds the raw picture, the page and some slack."""
    pixels = (preset.width_mm / 25.4 * preset.dpi) * (preset.height_mm / 25.4 * preset.dpi)
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        return True  # the scan itself will say
    return free > pixels * 2 + 1024 * 1024


def _disk_or_failed(error: OSError) -> str:
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return states.DISK_FULL
    log.warning("scanning: %s", error)
    return states.FAILED


def document_name(number: int, pages: int, as_jpeg: bool) -> str:
    """A plain name: "Scan 1 (2 pages).pdf"."""
    # Translators: the name of a scanned document in the list, e.g. "Scan 2 (3 pages)".
    words = ngettext("Scan %(number)d (%(pages)d page)", "Scan %(number)d (%(pages)d pages)",
                     pages) % {"number": number, "pages": pages}
    return words + (".jpg" if as_jpeg else ".pdf")


class ScanningParticipant:
    """Scanning's part in a resident's session: the Scan item, the scans the panel
    orders, their documents, and forgetting them at the wipe.

    It hears the shell through the bus (ScanOrdered, ScanCancelOrdered,
    ScanDocumentOrdered) and answers there too.
    """

    name = "scanning"

    def __init__(self, service: ScanService, bus: EventBus) -> None:
        self.service = service
        self.bus = bus
        self._folder: Path | None = None
        self._documents: Path | None = None
        self._made = 0
        bus.subscribe_now(ScanOrdered, self._on_ordered)
        bus.subscribe_now(ScanCancelOrdered, lambda event: service.cancel(event.request))
        bus.subscribe_now(ScanDocumentOrdered, self._on_document_ordered)

    def refresh(self) -> None:
        """A scanner was plugged or unplugged: probe again (on the worker)."""
        self.service.refresh()

    def begin(self, session: SessionInfo) -> None:
        self._folder = session.directory / "scan"
        self._documents = session.directory / "Documents"
        self._made = 0

    def toolbar_items(self) -> Sequence[ToolbarItem]:
        # Translators: toolbar button (a verb): put a paper document into the scanner.
        return (ToolbarItem("scan", lambda: _("Scan"), "▤",
                            lambda: self.bus.publish(ScanRequested()),
                            availability=self._availability),)

    def _availability(self) -> Availability:
        status = self.service.status
        if status.why_unavailable == "disabled":
            return Availability(visible=False)
        if status.available:
            return ALWAYS
        return Availability(why_unavailable=_(
            "No scanner is connected to this terminal. Please ask at the desk: someone "
            "can scan your document for you."))

    def wipe_steps(self) -> Sequence[WipeStep]:
        return (WipeStep("cancel the scan and forget its pages", self._forget),)

    def _forget(self) -> None:
        self.service.forget_session()
        self._folder, self._documents, self._made = None, None, 0

    def close(self) -> None:
        self.service.close()

    def _on_ordered(self, event: ScanOrdered) -> None:
        if self._folder is None:
            self.bus.publish(ScanStopped(event.request, states.FAILED))
            return
        self.service.scan(event.request, event.device, event.preset, event.side, self._folder)

    def _on_document_ordered(self, event: ScanDocumentOrdered) -> None:
        if self._documents is None or not event.pages:
            self.bus.publish(ScanStopped(event.request, states.FAILED))
            return
        self._made += 1
        pages = 1 if event.preset == "id_card" else len(event.pages)
        name = document_name(self._made, pages, event.as_jpeg)
        self.service.make_document(event.request, event.preset, event.pages, event.as_jpeg,
                                   self._documents, name)
