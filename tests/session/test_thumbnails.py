"""Thumbnails of the session's documents, made with the real pdftoppm and Pillow."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from cups_server import text_pdf
from event_log import Events
from harness import wait_for
from PIL import Image

from kiosk.bus import EventBus
from kiosk.events import Document, DocumentAdded, ThumbnailReady
from kiosk.session.thumbnails import (
    THUMBNAIL_HEIGHT,
    THUMBNAIL_WIDTH,
    Thumbnailer,
    ThumbnailError,
    existing_thumbnail,
    make_thumbnail,
    thumbnail_path,
)


@pytest.fixture
def documents(tmp_path: Path) -> Path:
    folder = tmp_path / "session" / "Documents"
    folder.mkdir(parents=True)
    return folder


def size_of(png: Path) -> tuple[int, int]:
    with Image.open(png) as image:
        assert image.format == "PNG"
        return image.size


def test_a_pdf_gets_its_first_page_and_a_photo_its_picture(documents: Path) -> None:
    pdf = text_pdf(documents / "attestation.pdf", ["Attestation CAF", "page two"])
    photo = documents / "carte.jpg"
    Image.new("RGB", (1600, 1000), "navy").save(photo, "JPEG")

    for document in (pdf, photo):
        assert existing_thumbnail(document) is None
        made = make_thumbnail(document)
        assert made == thumbnail_path(document) == existing_thumbnail(document)
        width, height = size_of(made)
        assert width <= THUMBNAIL_WIDTH and height <= THUMBNAIL_HEIGHT
    assert size_of(thumbnail_path(pdf))[0] == THUMBNAIL_WIDTH  # an A4 page, cut at the row
    assert size_of(thumbnail_path(photo)) == (THUMBNAIL_WIDTH, 45)  # proportions kept


def test_what_has_no_picture_says_so(documents: Path) -> None:
    text = documents / "notes.txt"
    text.write_text("rendez-vous mardi")
    broken = documents / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 not really")
    fake_photo = documents / "photo.png"
    fake_photo.write_bytes(b"not a picture")
    for document in (text, broken, fake_photo):
        with pytest.raises(ThumbnailError):
            make_thumbnail(document)
        assert existing_thumbnail(document) is None


def test_a_document_of_a_wiped_session_gets_no_folder_made_again(tmp_path: Path) -> None:
    gone = tmp_path / "wiped-session" / "Documents" / "recu.pdf"
    with pytest.raises(ThumbnailError):
        make_thumbnail(gone)
    assert not (tmp_path / "wiped-session").exists()


def test_each_new_document_gets_its_thumbnail_announced(documents: Path) -> None:
    bus = EventBus()
    events = Events()
    bus.subscribe_now(ThumbnailReady, events.publish)
    thumbnailer = Thumbnailer(bus)
    try:
        pdf = text_pdf(documents / "recu.pdf", ["Recu"])
        bus.publish(DocumentAdded(Document("recu.pdf", pdf, "download", 1.0)))
        assert events.wait(ThumbnailReady) == [ThumbnailReady(pdf)]
        assert existing_thumbnail(pdf) is not None
    finally:
        thumbnailer.close()


def test_the_wipe_waits_for_the_picture_under_way_and_drops_the_others(
    documents: Path,
) -> None:
    started, release = threading.Event(), threading.Event()
    made: list[Path] = []

    def slow_make(document: Path) -> Path:
        started.set()
        release.wait(10)
        made.append(document)
        return document

    bus = EventBus()
    thumbnailer = Thumbnailer(bus, make=slow_make)
    try:
        first, second = documents / "a.pdf", documents / "b.pdf"
        for path in (first, second):
            bus.publish(DocumentAdded(Document(path.name, path, "download", 1.0)))
        assert started.wait(10)
        (step,) = thumbnailer.wipe_steps()
        wiping = threading.Thread(target=step.action)
        wiping.start()
        wiping.join(0.2)
        assert wiping.is_alive(), "the wipe waits for the picture under way"
        release.set()
        wiping.join(10)
        assert not wiping.is_alive()
        # The second document belonged to the wiped session: never made afterwards.
        third = documents / "c.pdf"
        bus.publish(DocumentAdded(Document(third.name, third, "download", 2.0)))
        assert wait_for(lambda: made == [first, third], 10), made
    finally:
        release.set()
        thumbnailer.close()
