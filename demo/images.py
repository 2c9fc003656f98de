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


def product_photo_upload(title: str, motif: str, *, variant: int = 0, size: int = 640):
    """A simple still life for a demo product: a motif drawn for its kind of goods."""
    background, accent = PALETTE[(zlib.crc32(title.encode()) + variant) % len(PALETTE)]
    image = Image.new("RGB", (size, size), accent)
    draw = ImageDraw.Draw(image)
    s = size
    if motif == "textile":
        for i in range(0, s, s // 10):
            draw.rectangle((i, 0, i + s // 20, s), fill=background)
        for j in range(s // 8, s, s // 4):
            draw.polygon(
                [
                    (s // 2, j),
                    (s // 2 + s // 10, j + s // 10),
                    (s // 2, j + s // 5),
                    (s // 2 - s // 10, j + s // 10),
                ],
                fill=(250, 250, 240),
            )
    elif motif == "pottery":
        draw.ellipse((s * 0.25, s * 0.3, s * 0.75, s * 0.85), fill=background)
        draw.rectangle((s * 0.4, s * 0.18, s * 0.6, s * 0.38), fill=background)
    elif motif == "jar":
        draw.rounded_rectangle(
            (s * 0.28, s * 0.25, s * 0.72, s * 0.85), radius=s // 12, fill=(214, 140, 24)
        )
        draw.rectangle((s * 0.3, s * 0.15, s * 0.7, s * 0.27), fill=background)
    elif motif == "beans":
        for i in range(14):
            x = (i * 97) % (s - s // 5) + s // 10
            y = (i * 61) % (s - s // 5) + s // 10
            draw.ellipse((x, y, x + s // 8, y + s // 12), fill=background)
    else:
        draw.rounded_rectangle(
            (s * 0.2, s * 0.2, s * 0.8, s * 0.8), radius=s // 10, fill=background
        )
    font = ImageFont.load_default(size=s // 18)
    draw.rectangle((0, s * 0.88, s, s), fill=(255, 255, 255))
    draw.text((s / 2, s * 0.94), title[:34], fill=(30, 30, 30), font=font, anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return SimpleUploadedFile("photo.jpg", buffer.getvalue(), content_type="image/jpeg")
