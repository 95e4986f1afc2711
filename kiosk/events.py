"""Every event that crosses a thread in the kiosk, each a frozen dataclass.

The class is the topic: workers publish an instance on the bus, the Tk thread
(or a subscriber that asked for it, such as the statistics) receives it. Fields
are immutable values (strings, numbers, tuples, paths), never a dict or a
widget, so an event can be read from any thread.

`tests/test_events.py` checks that each class here is published somewhere in
the package and handled somewhere, and the bus refuses an event that is not
declared here. An event without fields needs no decorator of its own: it inherits
the base's frozen value semantics (and spares the start-up a dataclass's making).
"""

from __future__ import annotations

from dataclasses import FrozenInstanceError, dataclass, field
from pathlib import Path
from typing import Literal

CountdownKind = Literal["idle", "max_duration"]
DocumentKind = Literal["download", "scan", "usb"]
# "payment": a bank's card payment check (3-D Secure), which needs the desk.
BlockedKind = Literal["site", "address", "payment"]
UsbKeyState = Literal["refused", "unreadable", "ready", "gone"]
UsbSaveOutcome = Literal["saved", "full", "refused", "gone"]
PrintStage = Literal["sent", "waiting", "printing", "printed", "failed", "cancelled"]


@dataclass(frozen=True)
class Event:
    """The base of every event (never published itself)."""


def refuse_assignment(self: object, name: str, value: object) -> None:
    """__setattr__ of a frozen base, for its subclasses without fields of their own
    (a dataclass's own check lets a subclass's instances take new attributes)."""
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


Event.__setattr__ = refuse_assignment  # type: ignore[method-assign]


@dataclass(frozen=True)
class Document:
    """A file of this session the resident may print, look at or give to a site."""

    name: str
    path: Path
    kind: DocumentKind
    added_at: float  # time.monotonic(), to list the newest first
    origin: str = ""  # for a USB key's document: the key's name (its label), if it has one


# -- the session's browser -------------------------------------------------------------------


class BrowserReady(Event):
    """The next session's browser is started, hidden behind the home screen."""


@dataclass(frozen=True)
class BrowserUnavailable(Event):
    """The browser could not start; the controller tries again in `retry_in` seconds."""

    retry_in: float


@dataclass(frozen=True)
class BrowserCrashed(Event):
    """The browser died or stopped answering (`reason`: "exit -9", "pipe", "hang"...)."""

    reason: str


class PageOpened(Event):
    """The procedure's first page was asked for and the browser shown."""


class PageCrashed(Event):
    """The resident's page stopped (its renderer crashed or was killed for memory)."""


class WindowClosed(Event):
    """The guard closed a window nobody asked for: the page should take the keyboard back."""


@dataclass(frozen=True)
class PageAddressChanged(Event):
    """The resident's page changed: `address` is what "Take it with me" may hand to a
    phone (no query, fragment or user information; see kiosk.browser.take_away), or ""
    when the page shown is none of the allowed sites (a blocked page, the kiosk's own)."""

    address: str = ""


class ToolbarKeyPressed(Event):
    """F2 in the page: a keyboard user wants the kiosk's toolbar."""


@dataclass(frozen=True)
class PageFieldFocused(Event):
    """The focus in the page moved: `kind` is the type of the text field that has it
    ("text", "password", "email", "number", "tel", "search", "url", "textarea",
    "editable"), or "" when no text field has it. Never what the field holds."""

    kind: str


@dataclass(frozen=True)
class NavigationBlocked(Event):
    """The guard refused a page: a site off the allowlist, an address that is no site, or a
    bank's card payment check ("payment").

    `host` is for the log and the tests; the statistics count the kind only.
    """

    kind: BlockedKind
    host: str = ""


@dataclass(frozen=True)
class FileChooserOpened(Event):
    """A page asked for a file; the kiosk's own picker answers instead of a file dialog.

    `accept` holds the input's accept tokens as the page wrote them, lower-cased
    (".pdf", "image/*", "application/pdf"); empty when the page accepts anything.
    """

    multiple: bool
    accept: tuple[str, ...] = ()


@dataclass(frozen=True)
class DocumentAdded(Event):
    """A document joined this session's list (a finished download, later a scan)."""

    document: Document


@dataclass(frozen=True)
class DownloadFailed(Event):
    """A download stopped before its end; what was written of it is deleted.

    `no_room`: the session's folder was full (the file is too big for this terminal).
    """

    no_room: bool


@dataclass(frozen=True)
class FilesUploaded(Event):
    """Files chosen in the picker were handed to the page (for the statistics: a count)."""

    count: int


@dataclass(frozen=True)
class LanguageChosen(Event):
    """The resident chose the shell's language (for the statistics: its code only)."""

    language: str


@dataclass(frozen=True)
class ThumbnailReady(Event):
    """The small picture of a session's document is made (the picker shows it)."""

    document: Path


# -- the session ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProcedureOpened(Event):
    """A tile was opened (counted by the statistics under the procedure's id and partner)."""

    procedure_id: str
    partner: str = "other"


@dataclass(frozen=True)
class SessionFailed(Event):
    """Work for the session failed; `reason` is "browser_unavailable" or an error type."""

    reason: str


@dataclass(frozen=True)
class SessionEnded(Event):
    """A session a resident used is over (for the statistics: no more than this)."""

    reason: str
    duration_bucket: str


@dataclass(frozen=True)
class SessionWiped(Event):
    """The wipe ran. It is verified when no step failed and no check found anything of
    the session left; otherwise the terminal is out of service until a later wipe
    ("recheck") is."""

    reason: str
    failed_steps: tuple[str, ...] = ()
    failed_checks: tuple[str, ...] = ()

    @property
    def verified(self) -> bool:
        return not self.failed_steps and not self.failed_checks


# -- idle and time limit ----------------------------------------------------------------------


@dataclass(frozen=True)
class TimeLimitNotice(Event):
    """Minutes before the session's time limit: a line in the toolbar, not a screen."""

    seconds_left: int


@dataclass(frozen=True)
class CountdownTick(Event):
    """The visible countdown: the session ends in `seconds_left` unless the resident acts."""

    seconds_left: int
    kind: CountdownKind


class CountdownCancelled(Event):
    """The resident touched something: the countdown goes away."""


@dataclass(frozen=True)
class SessionExpired(Event):
    """Idle too long or time limit reached: the session must end now."""

    reason: CountdownKind


def declared_events() -> tuple[type[Event], ...]:
    """Every publishable event class of this module (not the base)."""
    return tuple(
        value for value in globals().values()
        if isinstance(value, type) and issubclass(value, Event) and value is not Event
    )


# -- printing ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PrinterChanged(Event):
    """What the kiosk now knows of its printer (published when it changes).

    `why_unavailable` is "" when jobs can be sent, else "disabled" (by the
    profile), "no_printer", "cups_down", "paused", "rejecting", or "unknown"
    before the first look. `reasons` are
    the printer's IPP printer-state-reasons as CUPS gives them ("media-empty-error").
    """

    printer: str
    why_unavailable: str
    state: int
    reasons: tuple[str, ...]
    colour: bool
    problems: tuple[str, ...] = ()  # the reasons worth telling, keywords only, worst first

    @property
    def available(self) -> bool:
        return not self.why_unavailable


@dataclass(frozen=True)
class PrintJobChanged(Event):
    """How far a print request is (`request` is the kiosk's number for it).

    `reason` says why it waits or failed: an IPP keyword, or one of the kiosk's
    own (kiosk.devices.printer_states). Counted in pages, copies included.
    """

    request: int
    stage: PrintStage
    pages_done: int = 0
    pages_total: int = 0
    reason: str = ""


class PrintRequested(Event):
    """The resident pressed Print above a procedure: print what the page shows."""


@dataclass(frozen=True)
class PagePdfReady(Event):
    """The page the resident looks at was made into a PDF, in the session's folder."""

    pdf: Path


@dataclass(frozen=True)
class PrintPreparationFailed(Event):
    """No PDF or no preview could be made ("page", "document", "empty")."""

    reason: str


@dataclass(frozen=True)
class PrintPreviewAsked(Event):
    """The shell asks printing for the page count and preview images of `document`."""

    document: Path


@dataclass(frozen=True)
class PrintPreviewReady(Event):
    """`pdf` (the document itself, or made from an image) has `pages` pages; the first
    ones are drawn in `previews` (PNG files in the session's folder)."""

    document: Path
    pdf: Path
    pages: int
    previews: tuple[Path, ...]


@dataclass(frozen=True)
class PrintOrdered(Event):
    """The resident confirmed the print panel: send `pdf` to the printer."""

    request: int
    pdf: Path
    copies: int
    first_page: int
    last_page: int
    colour: bool


@dataclass(frozen=True)
class PrintCancelOrdered(Event):
    """The resident cancelled the request `request` while it waited or printed."""

    request: int


# -- hotplug -------------------------------------------------------------------------------

DeviceKind = Literal["scanner", "printer", "storage"]


@dataclass(frozen=True)
class DevicePlugged(Event):
    """A scanner, printer or USB storage partition appeared (or was there at start)."""

    kind: DeviceKind
    sys_path: str   # udev's sys path: the device's identity until it is unplugged
    dev_node: str   # /dev/... for storage, "" when the device has none
    label: str      # vendor and model, or the filesystem's label, for people; may be ""
    fs_type: str    # storage only: vfat, exfat, ntfs, ext4...; "" otherwise


@dataclass(frozen=True)
class DeviceUnplugged(Event):
    """A device that `DevicePlugged` announced is gone."""

    kind: DeviceKind
    sys_path: str


# -- assisted mode -------------------------------------------------------------------------


class AssistedModeAsked(Event):
    """Ctrl+Alt+M (in the page or on the shell) or an Assisted mode button: open the PIN pad."""


class PinPadOpened(Event):
    """The PIN pad shows: assisted mode says at once if it is locked or unavailable."""


@dataclass(frozen=True)
class PinSubmitted(Event):
    """The pad's digits, to check on a worker thread. Never shown in a log or a repr."""

    pin: str = field(repr=False)
    code: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class PinChecked(Event):
    """What the mediators file says of the digits: an answer of `kiosk.assisted.unlock`
    (Accepted, CodeNeeded, Wrong, Locked or Unavailable; typed loosely here, where
    plain values live, below assisted mode's layer)."""

    answer: object


@dataclass(frozen=True)
class AssistanceStarted(Event):
    """The resident agreed: `mediator` assists from now on (rights on)."""

    mediator: str


class AssistanceEnded(Event):
    """The assistance is over ("End assistance", the session's end or a wipe)."""


class MediatorIdle(Event):
    """Nobody touched the terminal for `[assisted] idle_timeout`: the mediator's rights
    are suspended until their PIN is typed again."""


# -- USB keys ----------------------------------------------------------------------------


@dataclass(frozen=True)
class UsbKeyChanged(Event):
    """A USB key was plugged in or pulled out, or became usable.

    `state`: "refused" (the profile's policy is deny), "unreadable" (not a
    filesystem the kiosk reads, or the mount service said no), "ready" (mounted,
    its documents follow as DocumentAdded), "gone" (pulled out). `writable` when
    ready in read-write mode: documents may be saved to it.
    """

    sys_path: str
    label: str
    state: UsbKeyState
    writable: bool = False


@dataclass(frozen=True)
class UsbDocumentsGone(Event):
    """A key was pulled out: its documents leave the session's list."""

    paths: tuple[Path, ...]


@dataclass(frozen=True)
class UsbSaveAsked(Event):
    """The resident pressed "Save to my USB key" on one of the session's documents."""

    document: Path


@dataclass(frozen=True)
class UsbSaveFinished(Event):
    """How saving `document` to the key ended ("saved", "full", "refused", "gone")."""

    document: Path
    outcome: UsbSaveOutcome


# -- scanning ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scanner:
    """One scanner SANE offers (`name` is SANE's device name, `label` what a person reads)."""

    name: str
    label: str


@dataclass(frozen=True)
class ScannersChanged(Event):
    """What the kiosk now knows of its scanners (published when it changes).

    `why_unavailable` is "" when at least one scanner is there, else "disabled" (by
    the profile), "no_scanner", or "unknown" before the first look.
    """

    scanners: tuple[Scanner, ...]
    why_unavailable: str

    @property
    def available(self) -> bool:
        return not self.why_unavailable and bool(self.scanners)


class ScanRequested(Event):
    """The resident pressed Scan above a procedure."""


@dataclass(frozen=True)
class ScanOrdered(Event):
    """Scan one page (or one side of a card) with `device`, as `preset` says.

    `side` counts the scans of one document from 1 (the ID card's back is side 2).
    """

    request: int
    device: str
    preset: str
    side: int


@dataclass(frozen=True)
class ScanCancelOrdered(Event):
    """The resident cancelled: the running scan stops, silently."""

    request: int


@dataclass(frozen=True)
class ScanProgressed(Event):
    """How far the running scan is, in percent (from scanimage's own count)."""

    request: int
    percent: int


@dataclass(frozen=True)
class ScanPageReady(Event):
    """A page (or card side) is scanned and trimmed: `image` for the document, `preview`
    a small picture of it for the panel."""

    request: int
    image: Path
    preview: Path


@dataclass(frozen=True)
class ScanStopped(Event):
    """A scan or the making of its document did not end with a page: `reason` is a
    keyword of kiosk.devices.scanner_states ("cancelled" when the resident asked)."""

    request: int
    reason: str


@dataclass(frozen=True)
class ScanPage:
    """A scanned page kept by the flow, with the quarter turns the resident asked for."""

    image: Path
    preview: Path
    turns: int = 0


@dataclass(frozen=True)
class ScanDocumentOrdered(Event):
    """The resident pressed Finish: make the document of `pages` (a JPEG when `as_jpeg`)."""

    request: int
    preset: str
    pages: tuple[ScanPage, ...]
    as_jpeg: bool = False


@dataclass(frozen=True)
class ScanSaved(Event):
    """The scan's document is in the session's Documents (also announced as DocumentAdded)."""

    request: int
    document: Document


# -- reading aloud -------------------------------------------------------------------------


@dataclass(frozen=True)
class SpeechAsked(Event):
    """The shell's words to say now (a screen shown, a control focused or pressed), in
    `language`; spoken only while the resident has Read aloud on, and cutting off
    whatever was being said."""

    text: str
    language: str


@dataclass(frozen=True)
class SelfVoicingChanged(Event):
    """Read aloud was turned on or off (by the resident, or by the wipe)."""

    on: bool
