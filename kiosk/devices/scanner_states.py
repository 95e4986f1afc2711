"""What went wrong with a scan, in words a resident understands.

The scanning worker reports a short keyword (`ScanStopped.reason`); this module
turns it into one calm sentence that says what to do, translated when asked for
(in the session's language). `scanimage` exits with the SANE status of the
failure, which `reason_for_exit` maps to the keywords.
"""

from __future__ import annotations

from collections.abc import Callable

from kiosk.i18n import _

NO_SCANNER = "no_scanner"
BUSY = "busy"
COVER_OPEN = "cover_open"
FEEDER_EMPTY = "feeder_empty"
JAMMED = "jammed"
UNPLUGGED = "unplugged"
BLANK = "blank"
FAILED = "failed"
DISK_FULL = "disk_full"
TOO_LARGE = "too_large"
CANCELLED = "cancelled"  # silent: the resident asked for it

# SANE_Status values (sane/sane.h), which scanimage uses as its exit status.
SANE_STATUS_DEVICE_BUSY = 3
SANE_STATUS_JAMMED = 6
SANE_STATUS_NO_DOCS = 7
SANE_STATUS_COVER_OPEN = 8
SANE_STATUS_IO_ERROR = 9
SANE_STATUS_NO_MEM = 10
SANE_STATUS_ACCESS_DENIED = 11

_BY_STATUS = {
    SANE_STATUS_DEVICE_BUSY: BUSY,
    SANE_STATUS_JAMMED: JAMMED,
    SANE_STATUS_NO_DOCS: FEEDER_EMPTY,
    SANE_STATUS_COVER_OPEN: COVER_OPEN,
    SANE_STATUS_IO_ERROR: UNPLUGGED,
    SANE_STATUS_ACCESS_DENIED: NO_SCANNER,
}


def reason_for_exit(status: int, stderr: str) -> str:
    """The keyword for a scanimage that ended with `status` and said `stderr`."""
    if "No space left" in stderr:
        return DISK_FULL
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    if "open of device" in stderr:
        # The device listed a moment ago cannot be opened: most often, unplugged.
        return UNPLUGGED
    return FAILED


def _no_scanner() -> str:
    return _("No scanner is connected to this terminal. Please ask at the desk: someone "
             "can scan your document for you.")


def _busy() -> str:
    return _("The scanner is busy. Please wait a moment and try again.")


def _cover_open() -> str:
    return _("The scanner's cover is open. Please close it and try again.")


def _feeder_empty() -> str:
    return _("The scanner's feeder is empty. Please put your page in it (or on the glass) "
             "and try again.")


def _jammed() -> str:
    return _("Paper is stuck in the scanner. Please tell the desk.")


def _unplugged() -> str:
    return _("The scanner stopped answering: it may have been unplugged. Please check its "
             "cable or ask at the desk.")


def _blank() -> str:
    return _("The scan came out blank. Put your document face down on the glass, close the "
             "cover, and try again.")


def _failed() -> str:
    return _("The scan did not work. Please try again, or ask at the desk.")


def _disk_full() -> str:
    return _("The terminal has no room left for this scan. Please ask at the desk.")


def _too_large() -> str:
    return _("This document is too large for the website, even made smaller. Scan fewer "
             "pages, or ask at the desk.")


_SENTENCES: dict[str, Callable[[], str]] = {
    NO_SCANNER: _no_scanner, BUSY: _busy, COVER_OPEN: _cover_open,
    FEEDER_EMPTY: _feeder_empty, JAMMED: _jammed, UNPLUGGED: _unplugged, BLANK: _blank,
    FAILED: _failed, DISK_FULL: _disk_full, TOO_LARGE: _too_large,
}


def scan_sentence(reason: str) -> str:
    """One sentence for a stopped scan ("" for a cancel, which is not a failure)."""
    if reason == CANCELLED:
        return ""
    return _SENTENCES.get(reason, _failed)()


def needs_the_desk(reason: str) -> bool:
    """Whether the screen should show the desk's details beside the sentence."""
    return reason in (NO_SCANNER, JAMMED, UNPLUGGED, DISK_FULL, TOO_LARGE, FAILED)
