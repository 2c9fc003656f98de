"""Pictures for the demo data, drawn with Pillow (the demo downloads nothing)."""

import io
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw, ImageFont

PALETTE = [
    ((15, 110, 86), (246, 196, 83)),
    ((120, 53, 15), (253, 230, 138)),
    ((30, 64, 175), (191, 219, 254)),
    ((136, 19, 55), (254, 205, 211)),
    ((63, 98, 18), (217, 249, 157)),
    ((76, 29, 149), (221, 214, 254)),
]


def _colours(seed: str):
    return PALETTE[zlib.crc32(seed.encode()) % len(PALETTE)]


def logo_upload(name: str, *, size: int = 512) -> SimpleUploadedFile:
    """A round badge with the initials of ``name``, as a PNG upload."""
    background, accent = _colours(name)
    image = Image.new("RGB", (size, size), accent)
    draw = ImageDraw.Draw(image)
    margin = size // 16
    draw.ellipse((margin, margin, size - margin, size - margin), fill=background)
    words = [w for w in name.replace("&", " ").split() if w[:1].isalpha()]
    initials = "".join(w[0] for w in words[1:3] or words[:1]).upper() or "L"
    font = ImageFont.load_default(size=size // 3)
    draw.text((size / 2, size / 2), initials, fill=accent, font=font, anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return SimpleUploadedFile("logo.png", buffer.getvalue(), content_type="image/png")


def document_upload(title: str) -> SimpleUploadedFile:
    """A plain 'scanned document' with a title, as a PNG upload."""
    image = Image.new("RGB", (850, 1100), (252, 252, 248))
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, 810, 1060), outline=(60, 60, 60), width=4)
    draw.text(
        (425, 140), title, fill=(20, 20, 20), font=ImageFont.load_default(size=36), anchor="mm"
    )
    for row in range(10):
        y = 260 + row * 60
        draw.line((100, y, 750, y), fill=(170, 170, 170), width=3)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return SimpleUploadedFile("licence.png", buffer.getvalue(), content_type="image/png")
