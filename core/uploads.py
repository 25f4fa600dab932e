"""Image uploads checked by what the file is, not by what it is called.

`image_upload_check` opens the upload with Pillow (which reads only the header at first) and
refuses, each with its own message: files that are not images (SVG is named: it can carry
scripts), formats not on the list, decompression bombs (Pillow's pixel limit: a tiny file that
would unpack into gigabytes), images over a size in pixels, and truncated or corrupt files. The
form field `ImageUploadField` applies it (and names the stored file by its real type); DRF's
`ImageField(_DjangoImageField=...)` takes the same field, so the page and the API agree.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from PIL import Image, UnidentifiedImageError

FORMAT_LABELS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP", "GIF": "GIF"}
FORMAT_EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}


def _formats_text(formats: frozenset[str]) -> str:
    labels = [FORMAT_LABELS.get(name, name) for name in sorted(formats)]
    return ", ".join(labels[:-1]) + f" or {labels[-1]}" if len(labels) > 1 else labels[0]


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _limit_text(limit: int) -> str:
    megabyte = 1024 * 1024
    return f"{limit // megabyte} MB" if limit % megabyte == 0 else filesizeformat(limit)


def _looks_like_svg(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return text.startswith((b"<?xml", b"<svg", b"<!doctype svg")) or b"<svg" in text


def image_upload_check(
    upload: Any,
    *,
    formats: frozenset[str],
    max_bytes: int,
    max_width: int,
    max_height: int,
) -> tuple[str, int, int]:
    """Check an uploaded image by its content; return its Pillow format, width and height."""
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise ValidationError(
            "This image is %(size)s; choose one of at most %(limit)s.",
            code="file_too_large",
            params={"size": _megabytes(size), "limit": _limit_text(max_bytes)},
        )
    allowed = _formats_text(formats)
    upload.seek(0)
    head = upload.read(512)
    upload.seek(0)
    if isinstance(head, str):
        head = head.encode()
    if _looks_like_svg(head):
        raise ValidationError(
            "SVG images are not accepted (they can carry scripts); use a %(allowed)s image.",
            code="svg_not_allowed",
            params={"allowed": allowed},
        )
    try:
        with Image.open(upload) as image:
            image_format, (width, height) = image.format, image.size
            within = width <= max_width and height <= max_height
            if image_format in formats and within:
                image.verify()  # reads the whole file: truncated or corrupt data fails here
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        # Pillow refuses to open images past its pixel limit (MAX_IMAGE_PIXELS); the warning
        # is raised instead when warnings are errors (as in the tests).
        raise ValidationError(
            "This image has too many pixels to be opened safely; use at most "
            "%(width)sx%(height)s pixels.",
            code="image_too_large",
            params={"width": max_width, "height": max_height},
        ) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ValidationError(
            "This file is not a %(allowed)s image, or it is damaged.",
            code="invalid_image",
            params={"allowed": allowed},
        ) from error
    finally:
        upload.seek(0)
    if image_format not in formats:
        raise ValidationError(
            "Use a %(allowed)s image (this one is %(format)s).",
            code="invalid_image_type",
            params={"allowed": allowed, "format": image_format},
        )
    if not within:
        raise ValidationError(
            "This image is %(w)sx%(h)s pixels; use at most %(width)sx%(height)s.",
            code="image_too_large",
            params={"w": width, "h": height, "width": max_width, "height": max_height},
        )
    return image_format, width, height


class ImageUploadField(forms.ImageField):
    """An image form field that checks the content (`image_upload_check`) with the limits set
    on the class, so DRF can build it without arguments (`_DjangoImageField`). The stored name
    takes the extension of the real format: a PNG called photo.gif is saved as photo.png."""

    formats: ClassVar[frozenset[str]] = frozenset({"JPEG", "PNG", "WEBP"})
    max_bytes: ClassVar[int] = 5 * 1024 * 1024
    max_width: ClassVar[int] = 4096
    max_height: ClassVar[int] = 4096

    def to_python(self, data: Any) -> Any:
        upload = forms.FileField.to_python(self, data)
        if upload is None:
            return None
        image_format, _, _ = image_upload_check(
            upload,
            formats=self.formats,
            max_bytes=self.max_bytes,
            max_width=self.max_width,
            max_height=self.max_height,
        )
        upload.content_type = Image.MIME.get(image_format)
        stem = PurePosixPath(upload.name or "image").stem or "image"
        upload.name = f"{stem}.{FORMAT_EXTENSIONS.get(image_format, image_format.lower())}"
        return upload
