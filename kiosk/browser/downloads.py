"""Downloads: into the session's Documents folder, under a safe name, announced.

Chromium saves each download in the folder under a GUID (``allowAndName``), so a
site never chooses where or under what name a file lands. When the download
completes it is renamed to a safe version of the name the site suggested,
never replacing a file already there, and announced as a `DocumentAdded`.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
import unicodedata
from pathlib import Path
from typing import Any

from kiosk.browser.cdp import CdpPipe
from kiosk.browser.guard import Publish, url_host_of
from kiosk.errors import describe_without_data
from kiosk.events import Document, DocumentAdded, DownloadFailed

log = logging.getLogger(__name__)

SETUP_TIMEOUT = 5.0
# File names are limited to 255 bytes; an Arabic, Tigrinya or Chinese name takes two
# or three bytes a letter, and " (999)" may be added to an existing name.
MAX_NAME_BYTES = 200
# Less free room than this in the folder when a download stops: it stopped for want of
# room (see Downloads._drop_unfinished).
NO_ROOM_BYTES = 1024 * 1024


def safe_file_name(suggested: str, fallback: str = "document") -> str:
    """A download's suggested name made safe: no folders, no leading dots, printable."""
    name = suggested.replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r'[<>:"|?*]', "_", name).strip().lstrip(".").strip()
    if not name:
        return fallback
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            name = _cut_to_bytes(stem, MAX_NAME_BYTES - len(ext.encode()) - 1) + "." + ext
        else:
            name = _cut_to_bytes(name, MAX_NAME_BYTES)
    return name


def _cut_to_bytes(text: str, limit: int) -> str:
    """The longest start of `text` whose UTF-8 form fits in `limit` bytes."""
    return text.encode("utf-8")[:limit].decode("utf-8", errors="ignore")


def unique_move(source: Path, folder: Path, name: str) -> Path:
    """Move `source` to `folder/name`, adding " (2)", " (3)"... if that name is taken."""
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        stem, ext = name, ""
    for number in range(1, 1000):
        candidate = name if number == 1 else (
            f"{stem} ({number}).{ext}" if ext else f"{stem} ({number})")
        target = folder / candidate
        try:
            # link() refuses an existing name, where rename() would replace it.
            os.link(source, target)
        except FileExistsError:
            continue
        os.unlink(source)
        return target
    raise FileExistsError(f"no free name for {name!r}")


def free_bytes(folder: Path) -> int:
    """Room left for an unprivileged writer in `folder`'s file system (0 if unknown)."""
    try:
        stats = os.statvfs(folder)
    except OSError:
        return 0
    return stats.f_bavail * stats.f_frsize


class Downloads:
    """One browser's downloads: where they go, their final names, their announcement."""

    def __init__(self, cdp: CdpPipe, publish: Publish, downloads_dir: Path) -> None:
        self.cdp = cdp
        self.downloads_dir = downloads_dir
        self._publish = publish
        self._lock = threading.Lock()
        self._pending: dict[str, str] = {}  # guid -> the name the site suggested
        self.downloads: list[Path] = []

    def install(self, timeout: float = SETUP_TIMEOUT) -> None:
        """Subscribe to the download events and send every download to the folder."""
        self.cdp.on("Browser.downloadWillBegin", self._download_will_begin)
        self.cdp.on("Browser.downloadProgress", self._download_progress)
        self.downloads_dir.mkdir(parents=True, exist_ok=True)
        self.cdp.send("Browser.setDownloadBehavior", {
            "behavior": "allowAndName",
            "downloadPath": str(self.downloads_dir),
            "eventsEnabled": True,
        }, timeout=timeout)

    def _download_will_begin(self, params: dict[str, Any], session_id: str | None) -> None:
        guid = params.get("guid")
        if not isinstance(guid, str):
            return
        suggested = str(params.get("suggestedFilename") or "")
        with self._lock:
            self._pending[guid] = suggested
        log.info("download starting from %s", url_host_of(str(params.get("url", ""))) or "?")

    def _download_progress(self, params: dict[str, Any], session_id: str | None) -> None:
        guid = params.get("guid")
        state = params.get("state")
        if not isinstance(guid, str) or state not in ("completed", "canceled"):
            return
        with self._lock:
            suggested = self._pending.pop(guid, None)
        if suggested is None:
            return
        if state == "canceled":
            total = params.get("totalBytes")
            self._drop_unfinished(guid, int(total) if isinstance(total, int | float) else 0)
            return
        self._name_finished(guid, suggested)

    def _drop_unfinished(self, guid: str, total: int) -> None:
        """Delete what the browser wrote of a download that stopped (it may keep an
        interrupted download's part to resume it later), and say it stopped.

        The browser does not say why a download stopped: it was for want of room when
        the folder is (nearly) full, or when the whole file (`total` bytes, 0 when
        the site did not say) is bigger than the room the folder has."""
        free = free_bytes(self.downloads_dir)
        no_room = free < NO_ROOM_BYTES or total > free
        if "/" not in guid and not guid.startswith("."):
            for name in (guid, guid + ".crdownload"):
                try:
                    (self.downloads_dir / name).unlink(missing_ok=True)
                except OSError as error:
                    log.error("could not delete an unfinished download: %s",
                              describe_without_data(error))
        log.warning("a download stopped before its end%s: what it wrote is deleted",
                    " (no room left in the session's folder)" if no_room else "")
        try:
            self._publish(DownloadFailed(no_room))
        except Exception:  # a failing subscriber must not break the CDP reader
            log.exception("publishing a failed download failed")

    def _name_finished(self, guid: str, suggested: str) -> None:
        """Give a completed download its safe name and announce it."""
        source = self.downloads_dir / guid
        if "/" in guid or guid.startswith(".") or not source.is_file():
            log.error("a finished download is not where the browser said it would be")
            return
        try:
            final = unique_move(source, self.downloads_dir, safe_file_name(suggested))
        except OSError as error:
            # Not the exception's text: it holds the resident's file name.
            log.error("could not name a finished download: %s", describe_without_data(error))
            return
        self.downloads.append(final)
        document = Document(final.name, final, "download", time.monotonic())
        try:
            self._publish(DocumentAdded(document))
        except Exception:  # a failing subscriber must not break the CDP reader
            log.exception("publishing a finished download failed")
