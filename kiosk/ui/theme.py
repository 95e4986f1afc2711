"""Colours, fonts and sizes of the shell, scaled to the screen.

Sizes follow the screen height so that a tile stays readable from 60 cm on a
1024x768 screen and does not look like a toy on 1920x1080.
"""

from __future__ import annotations

from dataclasses import dataclass

FONT_FAMILY = "DejaVu Sans"

# The resident's text sizes (names as in kiosk.session.flow.TEXT_SIZES), as a factor on
# the shell's text and on the page's zoom: the steps of a browser's own zoom.
TEXT_SCALES: dict[str, float] = {"normal": 1.0, "large": 1.25, "very_large": 1.5}


@dataclass(frozen=True)
class Palette:
    background: str
    surface: str
    text: str
    muted: str
    header: str
    header_text: str
    accent: str
    accent_text: str
    focus: str
    hover: str
    danger: str
    danger_text: str
    border: str
    # The edge every button gets besides its focus ring, when the plain relief would
    # vanish into the background (high contrast: black buttons on black).
    outline: str = ""


STANDARD = Palette(
    background="#eef1f6",
    surface="#ffffff",
    text="#161616",
    muted="#3a3a3a",
    header="#000091",
    header_text="#ffffff",
    accent="#000091",
    accent_text="#ffffff",
    focus="#d65f00",  # 3:1 at least against the background, white and the header
    hover="#ffe2b8",
    danger="#b3261e",
    danger_text="#ffffff",
    border="#5f6b7d",  # also the text of an unavailable item: 4.5:1 on white
)

HIGH_CONTRAST = Palette(
    background="#000000",
    surface="#000000",
    text="#ffffff",
    muted="#ffffff",
    header="#000000",
    header_text="#ffff00",
    accent="#ffff00",
    accent_text="#000000",
    focus="#00ffff",
    hover="#004040",
    danger="#ffff00",
    danger_text="#000000",
    border="#ffffff",
    outline="#ffffff",
)


@dataclass(frozen=True)
class Metrics:
    """Pixel sizes for one screen size and text scale."""

    width: int
    height: int
    text_px: int
    title_px: int
    small_px: int
    tile_height: int
    pad: int
    focus_ring: int
    toolbar_height: int

    def font(self, px: int, bold: bool = False) -> tuple[str, int, str]:
        # Negative sizes are pixels in Tk, independent of the screen's DPI setting.
        return (FONT_FAMILY, -px, "bold" if bold else "normal")

    @property
    def text_font(self) -> tuple[str, int, str]:
        return self.font(self.text_px)

    @property
    def tile_font(self) -> tuple[str, int, str]:
        return self.font(self.text_px, bold=True)

    @property
    def title_font(self) -> tuple[str, int, str]:
        return self.font(self.title_px, bold=True)

    @property
    def small_font(self) -> tuple[str, int, str]:
        return self.font(self.small_px)


def metrics_for(width: int, height: int, text_scale: float = 1.0) -> Metrics:
    """Sizes for a screen of `width` x `height` pixels."""
    text_px = round(max(17, height / 44) * text_scale)
    return Metrics(
        width=width,
        height=height,
        text_px=text_px,
        title_px=round(text_px * 1.45),
        small_px=max(15, round(text_px * 0.8)),
        tile_height=max(64, round(text_px * 3.2)),
        pad=max(8, round(height / 110)),
        focus_ring=max(4, round(height / 220)),
        toolbar_height=max(64, round(text_px * 3.1)),
    )
