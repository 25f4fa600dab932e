"""Upload validators: cover images (real images of an allowed type and size) and WebVTT files."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from PIL import Image, UnidentifiedImageError

COVER_MAX_BYTES = 5 * 1024 * 1024
COVER_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})
COVER_MIN_SIZE = (320, 180)
COVER_MAX_SIZE = (6000, 6000)
CAPTION_MAX_BYTES = 2 * 1024 * 1024


def _is_new_upload(value: Any) -> bool:
    # A file already stored was validated when it was uploaded; do not fetch it again.
    return bool(value) and not getattr(value, "_committed", True)


def validate_cover_image(value: Any) -> None:
    """A JPEG, PNG or WebP of at most 5 MB, between 320x180 and 6000x6000 pixels."""
    if not _is_new_upload(value):
        return
    if value.size > COVER_MAX_BYTES:
        raise ValidationError(
            "The image is %(size)s; the limit is %(limit)s.",
            code="file_too_large",
            params={
                "size": filesizeformat(value.size),
                "limit": filesizeformat(COVER_MAX_BYTES),
            },
        )
    try:
        value.seek(0)
        with Image.open(value) as image:
            image_format = image.format
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as error:
        raise ValidationError("Upload a valid image.", code="invalid_image") from error
    finally:
        value.seek(0)
    if image_format not in COVER_FORMATS:
        raise ValidationError(
            "Use a JPEG, PNG or WebP image (not %(format)s).",
            code="invalid_image_type",
            params={"format": image_format},
        )
    if width < COVER_MIN_SIZE[0] or height < COVER_MIN_SIZE[1]:
        raise ValidationError(
            "The image is %(width)sx%(height)s pixels; use at least 320x180.",
            code="image_too_small",
            params={"width": width, "height": height},
        )
    if width > COVER_MAX_SIZE[0] or height > COVER_MAX_SIZE[1]:
        raise ValidationError(
            "The image is %(width)sx%(height)s pixels; use at most 6000x6000.",
            code="image_too_large",
            params={"width": width, "height": height},
        )


def validate_webvtt(value: Any) -> None:
    """A WebVTT file: at most 2 MB, UTF-8, starting with the WEBVTT signature."""
    if not _is_new_upload(value):
        return
    if value.size > CAPTION_MAX_BYTES:
        raise ValidationError("Caption files are limited to 2 MB.", code="file_too_large")
    value.seek(0)
    head = value.read(16)
    value.seek(0)
    if isinstance(head, str):
        head = head.encode()
    if not head.removeprefix(b"\xef\xbb\xbf").startswith(b"WEBVTT"):
        raise ValidationError(
            "This is not a WebVTT file: it must start with WEBVTT.", code="invalid_webvtt"
        )
