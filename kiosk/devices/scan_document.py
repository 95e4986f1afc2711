"""From scanned pictures to the document a site accepts, with Pillow.

Each page is made grey, trimmed to its content (a difference against the
background colour, its bounding box, and a margin: cheap, and it never cuts
into what is written), turned as the resident asked, and the whole saved as a
PDF (or a JPEG) under a size limit: resolution and JPEG quality are lowered
step by step until the file fits. An ID card's two sides are put on one A4 page,
one above the other, at their real size.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageChops, ImageOps

MM_PER_INCH = 25.4
A4_MM = (210.0, 297.0)
# A pixel differs from the background when it is this much darker or lighter (0–255):
# scanner noise and paper grain stay below it.
CONTENT_THRESHOLD = 40
TRIM_MARGIN_MM = 4.0
# Content covering less than this share of the picture is a speck, not a document.
BLANK_SHARE = 0.002
PREVIEW_BOX = (420, 420)
# (resolution in dpi, JPEG quality), from the best to the smallest.
SIZE_STEPS: tuple[tuple[int, int], ...] = (
    (200, 85), (200, 70), (150, 70), (150, 55), (120, 50), (100, 45), (75, 40),
)


class BlankPage(ValueError):
    """The scanned picture holds nothing but the background."""


class TooLarge(ValueError):
    """Even at the smallest resolution and quality the document exceeds the limit."""


@dataclass(frozen=True)
class Sheet:
    """One page to save: a grey picture and the resolution it was scanned at."""

    picture: Image.Image
    dpi: float


def load_grey(path: Path) -> Image.Image:
    with Image.open(path) as picture:
        return picture.convert("L")


def background_level(picture: Image.Image) -> int:
    """The background's grey: the most common value of the picture's outer border."""
    width, height = picture.size
    edge = max(1, min(width, height) // 50)
    strips = [picture.crop(box) for box in ((0, 0, width, edge), (0, height - edge, width, height),
                                            (0, 0, edge, height), (width - edge, 0, width, height))]
    histogram = [0] * 256
    for strip in strips:
        for level, count in enumerate(strip.histogram()):
            histogram[level] += count
    return max(range(256), key=histogram.__getitem__)


def trim(picture: Image.Image, dpi: float) -> Image.Image:
    """The picture cropped to its content plus a margin; raises BlankPage when empty."""
    background = Image.new("L", picture.size, background_level(picture))
    difference = ImageChops.difference(picture, background).point(
        lambda level: 255 if level > CONTENT_THRESHOLD else 0)
    box = difference.getbbox()
    if box is None:
        raise BlankPage("nothing but background")
    inked = sum(difference.crop(box).histogram()[255:])
    if inked < BLANK_SHARE * picture.width * picture.height:
        raise BlankPage("only specks")
    margin = int(TRIM_MARGIN_MM / MM_PER_INCH * dpi)
    left, top, right, bottom = box
    return picture.crop((max(0, left - margin), max(0, top - margin),
                         min(picture.width, right + margin), min(picture.height, bottom + margin)))


def prepare_page(raw: Path, dpi: float, image: Path, preview: Path) -> None:
    """A scanned picture made grey and trimmed, saved as `image`, with its preview."""
    picture = trim(load_grey(raw), dpi)
    # Light compression: the page is read once more, at Finish, and then deleted.
    picture.save(image, "PNG", dpi=(dpi, dpi), compress_level=1)
    factor = max(1, min(picture.width // PREVIEW_BOX[0], picture.height // PREVIEW_BOX[1]))
    small = picture.reduce(factor) if factor > 1 else picture.copy()  # cheap first step
    small.thumbnail(PREVIEW_BOX)
    small.save(preview, "PNG", compress_level=1)


def turned(picture: Image.Image, turns: int) -> Image.Image:
    """Turned `turns` quarter turns clockwise."""
    turns %= 4
    if not turns:
        return picture
    return picture.rotate(-90 * turns, expand=True)


def page_dpi(path: Path, default: float) -> float:
    with Image.open(path) as picture:
        dpi = picture.info.get("dpi")
    return float(dpi[0]) if dpi and dpi[0] else default


def id_card_sheet(front: Image.Image, back: Image.Image, dpi: float) -> Sheet:
    """Both sides of a card on one A4 page, at their real size, one above the other."""
    width, height = (round(mm / MM_PER_INCH * dpi) for mm in A4_MM)
    page = Image.new("L", (width, height), 255)
    margin = round(15 / MM_PER_INCH * dpi)
    y = margin
    for side in (front, back):
        side = ImageOps.contain(side, (width - 2 * margin, (height - 3 * margin) // 2)) \
            if side.width > width - 2 * margin or side.height > (height - 3 * margin) // 2 \
            else side
        page.paste(side, (margin, y))
        y += side.height + margin
    return Sheet(page, dpi)


def scaled(sheet: Sheet, dpi: int) -> Image.Image:
    """The sheet at `dpi` (never enlarged)."""
    if dpi >= sheet.dpi:
        return sheet.picture
    factor = dpi / sheet.dpi
    size = (max(1, round(sheet.picture.width * factor)),
            max(1, round(sheet.picture.height * factor)))
    return sheet.picture.resize(size, Image.Resampling.LANCZOS)


def encode(sheets: Sequence[Sheet], dpi: int, quality: int, as_jpeg: bool) -> bytes:
    buffer = io.BytesIO()
    pictures = [scaled(sheet, dpi) for sheet in sheets]
    used_dpi = min(dpi, min(sheet.dpi for sheet in sheets))
    if as_jpeg:
        pictures[0].save(buffer, "JPEG", quality=quality, dpi=(used_dpi, used_dpi),
                         optimize=True)
    else:
        pictures[0].save(buffer, "PDF", save_all=True, append_images=pictures[1:],
                         resolution=used_dpi, quality=quality)
    return buffer.getvalue()


def save_under_limit(sheets: Sequence[Sheet], target: Path, limit_bytes: int,
                     as_jpeg: bool = False) -> tuple[int, int]:
    """Write the sheets to `target` at the best step of SIZE_STEPS that fits
    `limit_bytes`; returns that (dpi, quality). Raises TooLarge, or OSError (a full
    disk: ENOSPC)."""
    for dpi, quality in SIZE_STEPS:
        data = encode(sheets, dpi, quality, as_jpeg)
        if len(data) <= limit_bytes:
            write_new_file(target, data)
            return dpi, quality
    raise TooLarge(f"{len(sheets)} page(s) over {limit_bytes} bytes")


def write_new_file(target: Path, data: bytes) -> None:
    """Write `data` to a file that must not exist yet; nothing is left if it fails."""
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
