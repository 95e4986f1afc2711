"""Small pictures of the session's documents, so that the picker shows what each one is.

A resident who cannot read a file name ("Scan 2 (1 page).pdf", "attestation_2026.pdf")
still recognises a payslip or an ID card by its look. Each document that joins the
session gets a thumbnail, made on a worker thread of its own (a PDF's first page
through `pdftoppm`, a picture through Pillow) next to the document, in a hidden
folder of the session: the wipe deletes it with the rest. The shell only reads the
finished PNG files, which Tk draws itself.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import subprocess
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from kiosk.bus import EventBus
from kiosk.events import DocumentAdded, Event, ThumbnailReady
from kiosk.session.documents import media_type_of
from kiosk.session.participant import SessionInfo, ToolbarItem
from kiosk.session.wipe import WipeStep

log = logging.getLogger(__name__)

THUMBNAIL_WIDTH, THUMBNAIL_HEIGHT = 72, 96  # px: a page's proportions, a row's height
EDGE = (110, 110, 110)  # a white page on a white button needs an edge to be seen
FOLDER = ".thumbnails"
PDFTOPPM_TIMEOUT_S = 10.0
WIPE_WAIT_S = 15.0


class ThumbnailError(Exception):
    """The document's picture could not be made (the picker shows its symbol instead)."""


def thumbnail_path(document: Path) -> Path:
    """Where the thumbnail of `document` is (whether made yet or not)."""
    return document.parent / FOLDER / f"{document.name}.png"


def existing_thumbnail(document: Path) -> Path | None:
    """The thumbnail of `document` if it is made, else None (for the shell)."""
    path = thumbnail_path(document)
    return path if path.is_file() else None


def make_thumbnail(document: Path) -> Path:
    """Make the thumbnail of a PDF or picture; raises ThumbnailError for anything else.

    The folder is made only inside an existing one: a document whose session was
    wiped meanwhile gets nothing, rather than a folder made again after the wipe.
    """
    media = media_type_of(document.name)
    target = thumbnail_path(document)
    with contextlib.suppress(FileExistsError):
        try:
            os.mkdir(target.parent, 0o700)
        except FileNotFoundError as error:
            raise ThumbnailError("the document's folder is gone") from error
    if media == "application/pdf":
        _first_page_as_png(document, target)
    elif media.startswith("image/"):
        _picture_as_png(document, target)
    else:
        raise ThumbnailError(f"no picture for a {media or 'file of unknown kind'}")
    return target


def _first_page_as_png(pdf: Path, target: Path) -> None:
    # -singlefile: pdftoppm names the PNG "<stem>.png", not "<stem>-1.png" after the page.
    stem = target.with_suffix("")
    try:
        subprocess.run(
            ["pdftoppm", "-f", "1", "-l", "1", "-singlefile", "-png",
             "-scale-to-x", str(THUMBNAIL_WIDTH), "-scale-to-y", "-1", str(pdf), str(stem)],
            capture_output=True, timeout=PDFTOPPM_TIMEOUT_S, check=True)
    except (OSError, subprocess.SubprocessError) as error:
        raise ThumbnailError(f"pdftoppm failed ({type(error).__name__})") from error
    _fit_height(target)


def _fit_height(png: Path) -> None:
    """A long page (a receipt) is cut to the row's height, from the top; then edged."""
    from PIL import Image

    with Image.open(png) as image:
        top = image.crop((0, 0, image.width, min(image.height, THUMBNAIL_HEIGHT)))
        top.load()
    _with_edge(top).save(png)


def _with_edge(image: Any) -> Any:
    """A one-pixel grey frame drawn inside the picture (its size does not change)."""
    from PIL import ImageDraw

    framed = image.convert("RGB")
    ImageDraw.Draw(framed).rectangle((0, 0, framed.width - 1, framed.height - 1),
                                     outline=EDGE)
    return framed


def _picture_as_png(picture: Path, target: Path) -> None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(picture) as image:
            image.draft("RGB", (THUMBNAIL_WIDTH * 2, THUMBNAIL_HEIGHT * 2))  # JPEG: decode small
            image.thumbnail((THUMBNAIL_WIDTH, THUMBNAIL_HEIGHT))
            _with_edge(image).save(target, "PNG")
    except (OSError, UnidentifiedImageError, ValueError) as error:
        raise ThumbnailError(f"not a readable picture ({type(error).__name__})") from error


class Thumbnailer:
    """Makes the thumbnail of each document that joins the session, on its own thread.

    A participant: it has no toolbar item; its wipe step drops the work not yet
    done and waits for the one under way, so that nothing is written into a
    session folder after its wipe.
    """

    name = "thumbnails"

    def __init__(self, bus: EventBus,
                 make: Callable[[Path], Path] = make_thumbnail) -> None:
        self._publish: Callable[[Event], None] = bus.publish
        self._make = make
        self._inbox: queue.SimpleQueue[tuple[int, Path] | None] = queue.SimpleQueue()
        self._generation = 0  # the session's number: work of an earlier one is dropped
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._busy = False
        self._thread = threading.Thread(target=self._run, name="thumbnails", daemon=True)
        self._thread.start()
        bus.subscribe_now(DocumentAdded, self._on_document)

    def begin(self, session: SessionInfo) -> None:
        pass

    def toolbar_items(self) -> Sequence[ToolbarItem]:
        return ()

    def wipe_steps(self) -> Sequence[WipeStep]:
        return (WipeStep("stop making thumbnails", self._stop_session_work),)

    def close(self) -> None:
        self._inbox.put(None)
        self._thread.join(5)

    def _on_document(self, event: DocumentAdded) -> None:
        with self._lock:
            generation = self._generation
        self._inbox.put((generation, event.document.path))

    def _stop_session_work(self) -> None:
        with self._idle:
            self._generation += 1
            if not self._idle.wait_for(lambda: not self._busy, WIPE_WAIT_S):
                raise RuntimeError("a thumbnail is still being made")

    def _run(self) -> None:
        while (work := self._inbox.get()) is not None:
            generation, document = work
            with self._lock:
                if generation != self._generation:
                    continue  # a document of a session already wiped
                self._busy = True
            try:
                self._make_one(document)
            finally:
                with self._idle:
                    self._busy = False
                    self._idle.notify_all()

    def _make_one(self, document: Path) -> None:
        try:
            self._make(document)
        except ThumbnailError as error:
            log.info("thumbnails: none for a document (%s)", error)
            return
        except Exception:  # the picker shows the symbol instead; nothing else depends on it
            log.exception("thumbnails: making one failed")
            return
        self._publish(ThumbnailReady(document))
