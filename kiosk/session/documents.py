"""This session's documents and what a site's file input accepts of them.

A page's `<input type=file accept="...">` lists extensions (".pdf") and media
types ("application/pdf", "image/*"). The picker shows only the documents that
match, newest first, and says what the site asks for.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from kiosk.events import Document
from kiosk.i18n import _

# Media types the kiosk's documents have that `mimetypes` may not know on a bare system.
_EXTRA_TYPES = {".pdf": "application/pdf", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
                ".png": "image/png", ".txt": "text/plain"}


def media_type_of(name: str) -> str:
    """The media type a file name suggests ("" when unknown)."""
    dot = name.rfind(".")
    extension = name[dot:].lower() if dot > 0 else ""
    if extension in _EXTRA_TYPES:
        return _EXTRA_TYPES[extension]
    guessed, _encoding = mimetypes.guess_type(name, strict=False)
    return guessed or ""


def accepts(accept: Sequence[str], name: str) -> bool:
    """Whether a file called `name` matches a file input's accept tokens (none: anything)."""
    tokens = [t.strip().lower() for t in accept if t.strip()]
    if not tokens:
        return True
    lowered = name.lower()
    media = media_type_of(name)
    for token in tokens:
        if token.startswith("."):
            if lowered.endswith(token):
                return True
        elif token.endswith("/*"):
            if media.startswith(token[:-1]):
                return True
        elif token == media:
            return True
    return False


@dataclass(frozen=True)
class Choice:
    """What the picker offers for one request: matching documents, and how many do not."""

    documents: tuple[Document, ...]
    left_out: int


def choose_for(documents: Iterable[Document], accept: Sequence[str]) -> Choice:
    """The documents a file input accepts, newest first."""
    ordered = sorted(documents, key=lambda d: d.added_at, reverse=True)
    kept = tuple(d for d in ordered if accepts(accept, d.name))
    return Choice(kept, len(ordered) - len(kept))


KNOWN_TYPES = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG",
               "text/plain": "TXT"}
MAX_KINDS = 6


def describe_accept(accept: Sequence[str]) -> str:
    """A short, plain list of what a site accepts: "PDF, JPEG, PNG" ("" for anything).

    The page wrote these tokens: only short extensions and known types are shown
    as such, anything else as "other kinds of file", so a page cannot put words of
    its own on the kiosk's screen.
    """
    names: list[str] = []
    for token in accept:
        if re.fullmatch(r"\.[a-z0-9]{1,5}", token):
            name = token[1:].upper()
        elif token == "image/*":
            # Translators: in a list of the file types a website accepts, e.g. "PDF, images".
            name = _("images")
        else:
            # Translators: in the file types a website accepts, e.g. "PDF, other kinds of file".
            name = KNOWN_TYPES.get(token, _("other kinds of file"))
        if name not in names:
            names.append(name)
    shown = names[:MAX_KINDS]
    return ", ".join(shown) + (" …" if len(names) > MAX_KINDS else "")
