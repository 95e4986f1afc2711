"""Which of the session's documents a file input accepts, and how the picker says it."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk import i18n
from kiosk.events import Document
from kiosk.session.documents import accepts, choose_for, describe_accept


def document(name: str, added_at: float) -> Document:
    return Document(name, Path("/s/Documents") / name, "download", added_at)


@pytest.mark.parametrize(("accept", "name", "expected"), [
    ((), "anything.bin", True),
    ((".pdf",), "Recu.PDF", True),
    ((".pdf",), "photo.jpg", False),
    (("image/*",), "photo.jpg", True),
    (("image/*",), "scan.png", True),
    (("image/*",), "recu.pdf", False),
    (("application/pdf",), "recu.pdf", True),
    (("application/pdf", ".jpg"), "photo.jpg", True),
    (("image/jpeg",), "photo.jpeg", True),
    (("video/*",), "recu.pdf", False),
])
def test_accepts(accept: tuple[str, ...], name: str, expected: bool) -> None:
    assert accepts(accept, name) is expected


def test_the_choice_is_newest_first_and_counts_what_is_left_out() -> None:
    older, newer, photo = document("a.pdf", 1), document("b.pdf", 3), document("c.jpg", 2)
    choice = choose_for([older, newer, photo], (".pdf",))
    assert choice.documents == (newer, older)
    assert choice.left_out == 1


def test_what_the_site_accepts_is_said_in_the_residents_words() -> None:
    i18n.set_language("fr")
    try:
        assert describe_accept((".pdf", "image/*", "application/pdf")) == "PDF, images"
        assert describe_accept(("image/jpeg", "image/png")) == "JPEG, PNG"
        assert describe_accept(()) == ""
    finally:
        i18n.set_language("fr")


def test_a_page_cannot_write_on_the_kiosks_screen_through_accept() -> None:
    shown = describe_accept((".APPELEZ LE 01 23 45 67 89", "application/x-arnaque"))
    assert "APPELEZ" not in shown and "arnaque" not in shown
    assert describe_accept(tuple(f".e{n}" for n in range(20))).endswith("…")
