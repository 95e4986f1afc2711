"""Page counts and preview pictures made by poppler, and images made into A4 PDFs."""

from __future__ import annotations

from pathlib import Path

import pytest
from cups_server import text_pdf
from PIL import Image

from kiosk.devices.print_preview import (
    PREVIEW_PAGES,
    PreviewError,
    page_count,
    printable_pdf,
    render_previews,
)


def test_previews_of_the_first_pages_in_order(tmp_path: Path) -> None:
    pdf = text_pdf(tmp_path / "long.pdf", [f"Page {n}" for n in range(1, 7)])
    assert page_count(pdf) == 6
    previews = render_previews(pdf, tmp_path / "preview", 6)
    assert len(previews) == PREVIEW_PAGES
    assert [p.name for p in previews] == [f"preview-{n}.png" for n in range(1, 5)]
    with Image.open(previews[0]) as first:
        assert max(first.size) == 360 and first.height > first.width  # an A4 page


def test_a_photo_becomes_a_one_page_pdf_that_fits_a4(tmp_path: Path) -> None:
    photo = tmp_path / "carte.jpg"
    Image.new("RGB", (3000, 2000), "white").save(photo)
    pdf = printable_pdf(photo, tmp_path / "print")
    assert pdf.suffix == ".pdf" and page_count(pdf) == 1
    with pdf.open("rb") as data:
        assert data.read(5) == b"%PDF-"


def test_a_pdf_is_printed_as_it_is(tmp_path: Path) -> None:
    pdf = text_pdf(tmp_path / "a.pdf", ["one"])
    assert printable_pdf(pdf, tmp_path / "print") == pdf


@pytest.mark.parametrize("name, content", [("notes.txt", b"hello"), ("fake.png", b"not png"),
                                           ("broken.pdf", b"%PDF-1.4 broken")])
def test_unreadable_documents_are_refused_plainly(tmp_path: Path, name: str,
                                                 content: bytes) -> None:
    document = tmp_path / name
    document.write_bytes(content)
    with pytest.raises(PreviewError):
        pdf = printable_pdf(document, tmp_path / "print")
        page_count(pdf)
