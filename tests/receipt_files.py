"""Real receipt files for tests: phone-style JPEG photos with EXIF orientation and GPS, and
one-page PDFs, made on the spot."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw
from reportlab.pdfgen import canvas


def photo(width: int = 1200, height: int = 900, orientation: int = 1, text: str = "CAR PARK £3.40",
          gps: bool = True, quality: int = 90) -> bytes:
    """A landscape sensor image, with EXIF saying how the phone was held, and a GPS tag."""
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    for y in range(0, height, 37):  # some texture so JPEG sizes are realistic
        draw.line([(0, y), (width, (y * 7) % height)], fill=(y % 255, 90, 160), width=3)
    draw.rectangle([width // 10, height // 10, width // 2, height // 3], fill="black")
    draw.text((width // 8, height // 2), text, fill="black")
    exif = Image.Exif()
    exif[0x0112] = orientation
    if gps:
        exif[0x8825] = {1: "N", 2: (50.0, 43.0, 12.0), 3: "W", 4: (3.0, 31.0, 48.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, exif=exif)
    return out.getvalue()


def pdf_receipt(text: str = "Royal Mail receipt £1.70", pages: int = 1, password: str | None = None) -> bytes:
    out = io.BytesIO()
    c = canvas.Canvas(out, invariant=1, encrypt=password)
    for n in range(pages):
        c.drawString(72, 720, f"{text} (page {n + 1})")
        c.showPage()
    c.save()
    return out.getvalue()
