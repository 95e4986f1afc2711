"""What the print panel shows before anything is printed: the page count and small
pictures of the first pages, made with poppler's tools off the Tk thread.

A photo or a scan kept as an image is first made into a one-page PDF that fits
an A4 sheet, so that every document reaches CUPS the same way.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

PREVIEW_PAGES = 4  # the panel shows at most this many pictures
PREVIEW_HEIGHT = 360  # pixels, for the longer side
TOOL_TIMEOUT_S = 20.0
A4_INCHES = (8.27, 11.69)
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".gif", ".bmp", ".tif", ".tiff",
                            ".webp"})


class PreviewError(Exception):
    """The document cannot be read as something printable."""


def printable_pdf(document: Path, folder: Path) -> Path:
    """`document` itself when it is a PDF, else a PDF made from the image in `folder`."""
    suffix = document.suffix.lower()
    if suffix == ".pdf":
        return document
    if suffix not in IMAGE_SUFFIXES:
        raise PreviewError("not a PDF or an image")
    from PIL import Image, UnidentifiedImageError

    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{document.stem}.pdf"
    try:
        with Image.open(document) as image:
            picture = image.convert("RGB")
    except (OSError, UnidentifiedImageError) as error:
        raise PreviewError("the image cannot be read") from error
    # The resolution that makes the picture exactly fill an A4 sheet on its longer fit.
    dpi = max(picture.width / A4_INCHES[0], picture.height / A4_INCHES[1], 1.0)
    picture.save(target, "PDF", resolution=dpi)
    return target


def page_count(pdf: Path) -> int:
    """The number of pages, as poppler reads it."""
    out = _run(["pdfinfo", str(pdf)])
    match = re.search(r"^Pages:\s+(\d+)\s*$", out, re.MULTILINE)
    if match is None:
        raise PreviewError("no page count")
    return int(match.group(1))


def render_previews(pdf: Path, folder: Path, pages: int) -> tuple[Path, ...]:
    """PNG pictures of the first pages of `pdf` (at most PREVIEW_PAGES), in page order."""
    folder.mkdir(parents=True, exist_ok=True)
    prefix = folder / "preview"
    for old in folder.glob("preview-*.png"):
        old.unlink()
    last = min(pages, PREVIEW_PAGES)
    _run(["pdftoppm", "-png", "-f", "1", "-l", str(last), "-scale-to", str(PREVIEW_HEIGHT),
          str(pdf), str(prefix)])
    # pdftoppm pads the page number to the width of the last one ("preview-01.png").
    return tuple(sorted(folder.glob("preview-*.png"), key=lambda p: int(p.stem.split("-")[1])))


def _run(command: list[str]) -> str:
    if shutil.which(command[0]) is None:
        raise PreviewError(f"{command[0]} is not installed")
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=TOOL_TIMEOUT_S,
                              check=False)
    except subprocess.TimeoutExpired as error:
        raise PreviewError(f"{command[0]} took too long") from error
    if done.returncode != 0:
        raise PreviewError(f"{command[0]} failed ({done.returncode})")
    return done.stdout
