"""Compare screenshots with the reference ones kept in docs/screenshots/.

Set KIOSK_UPDATE_SCREENSHOTS=1 to replace the references deliberately (then look
at them before committing).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from harness import REPO
from PIL import Image, ImageChops

REFERENCES = REPO / "docs" / "screenshots"
# A pixel counts as changed past this difference on any channel (0-255).
PIXEL_THRESHOLD = 48
# The share of changed pixels that still counts as the same screen (anti-aliasing).
SAME_SCREEN = 0.01


def changed_share(a: Path, b: Path) -> float:
    """The share of pixels that differ between two images of the same size (1.0 if sizes differ)."""
    with Image.open(a) as first, Image.open(b) as second:
        if first.size != second.size:
            return 1.0
        diff = ImageChops.difference(first.convert("RGB"), second.convert("RGB"))
        mask = diff.point(lambda v: 255 if v > PIXEL_THRESHOLD else 0).convert("L")
        histogram = mask.histogram()
        return histogram[255] / (first.size[0] * first.size[1])


def check_against_reference(actual: Path, name: str, same_screen: float = SAME_SCREEN) -> None:
    """Assert `actual` looks like the reference `name`, or write it in update mode.

    `same_screen` is the share of pixels allowed to differ (more for a screen with
    a ticking countdown or a web page).
    """
    reference = REFERENCES / f"{name}.png"
    if os.environ.get("KIOSK_UPDATE_SCREENSHOTS") == "1" or not reference.exists():
        REFERENCES.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(actual, reference)
        if os.environ.get("KIOSK_UPDATE_SCREENSHOTS") != "1":
            raise AssertionError(f"no reference for {name}: wrote {reference}; look at it")
        return
    share = changed_share(actual, reference)
    assert share <= same_screen, (
        f"{name}: {share:.1%} of the pixels changed against {reference} (see {actual}); "
        "if the change is deliberate, update with KIOSK_UPDATE_SCREENSHOTS=1")


def count_colour(path: Path, rgb: tuple[int, int, int], tolerance: int = 24) -> int:
    """How many pixels are close to `rgb` (e.g. the focus ring's colour)."""
    with Image.open(path) as image:
        converted = image.convert("RGB")
    pixels: list[tuple[int, int, int]] = list(
        getattr(converted, "get_flattened_data", converted.getdata)())  # Pillow < 12
    return sum(
        1 for r, g, b in pixels
        if abs(r - rgb[0]) <= tolerance and abs(g - rgb[1]) <= tolerance
        and abs(b - rgb[2]) <= tolerance
    )


def colour_centre(path: Path, rgb: tuple[int, int, int], *, top: int = 0, bottom: int = 10**6,
                  tolerance: int = 24) -> tuple[int, int] | None:
    """The centre of the pixels close to `rgb` between rows `top` and `bottom` (a button of
    that colour), or None when there is none."""
    with Image.open(path) as image:
        converted = image.convert("RGB")
    width, height = converted.size
    xs: list[int] = []
    ys: list[int] = []
    pixels = converted.load()
    assert pixels is not None
    for y in range(max(0, top), min(height, bottom)):
        for x in range(0, width, 2):
            pixel = pixels[x, y]
            assert isinstance(pixel, tuple)
            r, g, b = pixel[:3]
            if abs(r - rgb[0]) <= tolerance and abs(g - rgb[1]) <= tolerance \
                    and abs(b - rgb[2]) <= tolerance:
                xs.append(x)
                ys.append(y)
    if not xs:
        return None
    return (sum(xs) // len(xs), sum(ys) // len(ys))
