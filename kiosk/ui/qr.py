"""QR codes that carry information to a resident's phone."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image, ImageTk


def qr_image(text: str, size_px: int, dark: str = "#000000", light: str = "#ffffff") -> Image.Image:
    """A square QR code of about `size_px` pixels with a quiet zone."""
    # Imported here: the home screen, drawn first, has no QR code.
    import qrcode
    from PIL import Image
    from qrcode.constants import ERROR_CORRECT_M

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=2, box_size=10)
    code.add_data(text)
    code.make(fit=True)
    image: Image.Image = code.make_image(fill_color=dark, back_color=light).get_image()
    image = image.convert("RGB")
    # Nearest keeps the modules' edges sharp for phone cameras.
    return image.resize((size_px, size_px), Image.Resampling.NEAREST)


def qr_photo(text: str, size_px: int) -> ImageTk.PhotoImage:
    """The QR code as a Tk image (keep a reference while it is shown)."""
    from PIL import ImageTk

    return ImageTk.PhotoImage(qr_image(text, size_px))
