"""Safe handling of uploaded images: validate by content, re-encode, make thumbnails.

Uploads are checked before they are fully decoded (byte size, then the pixel count the
header declares, so a decompression bomb is refused without being expanded), then
re-encoded with metadata stripped and orientation applied. Pages show the renditions
made here, never the original.

Pillow is used directly rather than a thumbnail library (sorl-thumbnail,
easy-thumbnails): those render on first view and keep a key-value store of what
they made, which costs queries on catalog pages; here the few fixed sizes the pages
use are made once, at upload, and stored beside the image.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = {"JPEG": "jpeg", "PNG": "png", "WEBP": "webp"}
MAX_UPLOAD_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_SIDE = 2400


@dataclass(frozen=True)
class Rendition:
    name: str
    content: ContentFile
    width: int
    height: int


def _read_capped(upload, limit: int) -> bytes:
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(
            _("The image is too large (at most %(mb)d MB)."),
            code="too_large",
            params={"mb": limit // (1024 * 1024)},
        )
    return data


def open_checked_image(upload, *, max_bytes: int = MAX_UPLOAD_BYTES) -> Image.Image:
    """Return the decoded image, or raise ``ValidationError`` with a plain reason.

    The format is read from the content, never from the file name; only JPEG, PNG
    and WebP are accepted.
    """
    data = _read_capped(upload, max_bytes)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            if probe.format not in ACCEPTED_FORMATS:
                raise ValidationError(_("Upload a JPEG, PNG or WebP image."), code="bad_format")
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise ValidationError(
                    _("The image has too many pixels (at most %(mp)d megapixels)."),
                    code="too_many_pixels",
                    params={"mp": MAX_PIXELS // 1_000_000},
                )
            probe.verify()
            image = Image.open(io.BytesIO(data))
            image.load()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(
            _("The image has too many pixels (at most %(mp)d megapixels)."),
            code="too_many_pixels",
            params={"mp": MAX_PIXELS // 1_000_000},
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(
            _("This file is not an image we can read. Upload a JPEG, PNG or WebP image."),
            code="not_an_image",
        ) from None
    return image


def _normalised(image: Image.Image) -> Image.Image:
    image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
    return image


def _encode(image: Image.Image, name: str) -> Rendition:
    buffer = io.BytesIO()
    # WebP keeps transparency and is small; every browser in use today shows it.
    # method=2: twice as fast as the default 4 for a file about 5 % larger.
    image.save(buffer, format="WEBP", quality=82, method=2)
    return Rendition(
        name=f"{name}.webp",
        content=ContentFile(buffer.getvalue()),
        width=image.width,
        height=image.height,
    )


def image_renditions(image: Image.Image, *, sizes: dict[str, int]) -> dict[str, Rendition]:
    """Re-encode ``image`` (metadata stripped, orientation applied) at each size.

    ``sizes`` maps a rendition name to its longest side; ``"original"`` is always
    made, capped at ``MAX_SIDE``.
    """
    base = _normalised(image)
    renditions = {}
    for name, side in {"original": MAX_SIDE, **sizes}.items():
        copy = base.copy()
        copy.thumbnail((side, side), Image.Resampling.LANCZOS)
        renditions[name] = _encode(copy, name)
    return renditions


PDF_MAGIC = b"%PDF-"


def check_document(upload, *, max_bytes: int = 10 * 1024 * 1024) -> str:
    """Validate a scanned document (PDF, JPEG or PNG) by content; return its extension."""
    data = _read_capped(upload, max_bytes)
    if data.startswith(PDF_MAGIC):
        return "pdf"
    try:
        probe = Image.open(io.BytesIO(data))
        if probe.format in {"JPEG", "PNG"} and probe.width * probe.height <= MAX_PIXELS:
            probe.verify()
            return ACCEPTED_FORMATS[probe.format]
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        pass
    raise ValidationError(_("Upload the document as a PDF, JPEG or PNG file."), code="bad_document")
