"""Upload validators: cover images (real images of an allowed type and size) and WebVTT files."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from core.uploads import ImageUploadField, image_upload_check

COVER_MAX_BYTES = 5 * 1024 * 1024
COVER_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})
COVER_MIN_SIZE = (320, 180)
COVER_MAX_SIZE = (6000, 6000)
CAPTION_MAX_BYTES = 2 * 1024 * 1024


def _is_new_upload(value: Any) -> bool:
    # A file already stored was validated when it was uploaded; do not fetch it again.
    return bool(value) and not getattr(value, "_committed", True)


def validate_cover_image(value: Any) -> None:
    """A JPEG, PNG or WebP of at most 5 MB, between 320x180 and 6000x6000 pixels, checked by its
    content (core.uploads: SVG, decompression bombs and damaged files get their own message)."""
    if not _is_new_upload(value):
        return
    _, width, height = image_upload_check(
        value,
        formats=COVER_FORMATS,
        max_bytes=COVER_MAX_BYTES,
        max_width=COVER_MAX_SIZE[0],
        max_height=COVER_MAX_SIZE[1],
    )
    if width < COVER_MIN_SIZE[0] or height < COVER_MIN_SIZE[1]:
        raise ValidationError(
            "The image is %(width)sx%(height)s pixels; use at least 320x180.",
            code="image_too_small",
            params={"width": width, "height": height},
        )


class CoverImageField(ImageUploadField):
    """The cover's form field (admin and API): the same checks as the model's validator."""

    formats = COVER_FORMATS
    max_bytes = COVER_MAX_BYTES
    max_width, max_height = COVER_MAX_SIZE


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
