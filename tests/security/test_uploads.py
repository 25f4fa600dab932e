"""Image uploads are judged by their content: decompression bombs, oversized images, SVG with a
script and formats off the list are refused with a clear 4xx and nothing is stored, on the
profile page, the profile API and the course cover API alike."""

from __future__ import annotations

import io
import struct
import warnings
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tests.factories import InstructorFactory, StudentFactory
from courses.models import Course
from courses.tests.factories import CourseFactory

PROFILE_API = "/api/v1/users/profile"
SVG_WITH_SCRIPT = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>fetch('/api/v1/users/profile').then(r => r.text()).then(alert)</script></svg>"
)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bomb_png(width: int, height: int) -> bytes:
    """A valid PNG header claiming width x height 1-bit pixels, with one row of data: a few
    hundred bytes that a decoder would try to unpack into width*height pixels."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(row * 4, 9))
        + _chunk(b"IEND", b"")
    )


def real_image(size: tuple[int, int], image_format: str, mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size).save(buffer, format=image_format)
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def media_root(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def learner(db: None) -> User:
    return StudentFactory()


def _stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


BOMB_MESSAGE = "This image has too many pixels to be opened safely; use at most 4096x4096 pixels."
SVG_MESSAGE = (
    "SVG images are not accepted (they can carry scripts); use a GIF, JPEG, PNG or WebP image."
)

AVATAR_REFUSALS = [
    pytest.param(
        lambda: upload("bomb.png", bomb_png(30_000, 30_000)), BOMB_MESSAGE, id="bomb-900M-px"
    ),
    pytest.param(
        lambda: upload("big.png", real_image((5000, 4100), "PNG", mode="1")),
        "This image is 5000x4100 pixels; use at most 4096x4096.",
        id="5000x4100",
    ),
    pytest.param(lambda: upload("cat.png", SVG_WITH_SCRIPT), SVG_MESSAGE, id="svg-named-png"),
    pytest.param(
        lambda: upload("cat.png", real_image((16, 16), "BMP"), "image/bmp"),
        "Use a GIF, JPEG, PNG or WebP image (this one is BMP).",
        id="bmp",
    ),
    pytest.param(
        lambda: upload("cut.png", real_image((64, 64), "PNG")[:60]),
        "This file is not a GIF, JPEG, PNG or WebP image, or it is damaged.",
        id="truncated",
    ),
]


@pytest.mark.parametrize(("file", "message"), AVATAR_REFUSALS)
def test_the_profile_page_refuses_bad_avatars_with_a_message(
    learner: User, media_root: Path, file: Callable[[], SimpleUploadedFile], message: str
) -> None:
    client = Client()
    client.force_login(learner)

    response = client.post(
        reverse("profile"),
        {"display_name": "Changed", "time_zone": "UTC", "theme": "system", "avatar": file()},
    )

    assert response.status_code == 422
    assert f'id="id_avatar_error"><li>{message}</li>' in response.content.decode()
    learner.refresh_from_db()
    assert (learner.avatar.name, learner.display_name) == ("", learner.display_name)
    assert _stored_files(media_root) == []


@pytest.mark.parametrize(("file", "message"), AVATAR_REFUSALS)
def test_the_profile_api_refuses_bad_avatars_with_a_400(
    learner: User, media_root: Path, file: Callable[[], SimpleUploadedFile], message: str
) -> None:
    client = APIClient()
    client.force_authenticate(learner)

    response = client.patch(PROFILE_API, {"avatar": file()}, format="multipart")

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"avatar": [message]}
    learner.refresh_from_db()
    assert learner.avatar.name == ""
    assert _stored_files(media_root) == []


def test_an_image_between_pillow_warning_and_error_limits_is_refused_in_production(
    learner: User, media_root: Path
) -> None:
    """100M pixels: Pillow only warns (production does not turn warnings into errors), and the
    pixel limit refuses it before anything decodes it."""
    client = APIClient()
    client.force_authenticate(learner)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        response = client.patch(
            PROFILE_API, {"avatar": upload("bomb.png", bomb_png(10_000, 10_000))}, "multipart"
        )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "avatar": ["This image is 10000x10000 pixels; use at most 4096x4096."]
    }
    assert _stored_files(media_root) == []


@pytest.mark.parametrize(
    ("name", "content", "extension"),
    [
        ("me.gif", real_image((32, 32), "GIF", mode="P"), "gif"),
        ("me.webp", real_image((32, 32), "WEBP"), "webp"),
        ("me.jpg", real_image((32, 32), "JPEG"), "jpg"),
        ("photo.gif", real_image((32, 32), "PNG"), "png"),  # named by what it is
    ],
)
def test_allowed_avatars_are_stored_under_their_real_type(
    learner: User, media_root: Path, name: str, content: bytes, extension: str
) -> None:
    client = APIClient()
    client.force_authenticate(learner)

    response = client.patch(PROFILE_API, {"avatar": upload(name, content)}, format="multipart")

    assert response.status_code == 200
    learner.refresh_from_db()
    assert learner.avatar.name.endswith(f".{extension}")
    assert [path.suffix for path in _stored_files(media_root)] == [f".{extension}"]


# --- course covers (courses/validators.py: JPEG, PNG or WebP, 320x180 to 6000x6000) ----------


COVER_REFUSALS = [
    pytest.param(
        lambda: upload("bomb.png", bomb_png(30_000, 30_000)),
        "This image has too many pixels to be opened safely; use at most 6000x6000 pixels.",
        id="bomb",
    ),
    pytest.param(
        lambda: upload("huge.png", real_image((6100, 400), "PNG", mode="1")),
        "This image is 6100x400 pixels; use at most 6000x6000.",
        id="6100-wide",
    ),
    pytest.param(
        lambda: upload("cover.png", SVG_WITH_SCRIPT),
        "SVG images are not accepted (they can carry scripts); use a JPEG, PNG or WebP image.",
        id="svg-named-png",
    ),
    pytest.param(
        lambda: upload("cover.gif", real_image((640, 360), "GIF", mode="P")),
        "Use a JPEG, PNG or WebP image (this one is GIF).",
        id="gif",
    ),
    pytest.param(
        lambda: upload("small.png", real_image((100, 100), "PNG")),
        "The image is 100x100 pixels; use at least 320x180.",
        id="too-small",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("file", "message"), COVER_REFUSALS)
def test_the_course_api_refuses_bad_cover_images(
    media_root: Path, file: Callable[[], SimpleUploadedFile], message: str
) -> None:
    instructor = InstructorFactory()
    course = CourseFactory(instructors=[instructor])
    client = APIClient()
    client.force_authenticate(instructor)

    response = client.patch(
        reverse("api:course-detail", args=[course.pk]),
        {"cover_image": file(), "cover_image_alt": "A cover"},
        format="multipart",
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"cover_image": [message]}
    course.refresh_from_db()
    assert course.cover_image.name == ""
    assert _stored_files(media_root) == []


@pytest.mark.django_db
def test_the_course_api_takes_a_real_cover(media_root: Path) -> None:
    instructor = InstructorFactory()
    course = CourseFactory(instructors=[instructor])
    client = APIClient()
    client.force_authenticate(instructor)

    response = client.patch(
        reverse("api:course-detail", args=[course.pk]),
        {"cover_image": upload("c.png", real_image((640, 360), "PNG")), "cover_image_alt": "A"},
        format="multipart",
    )

    assert response.status_code == 200
    assert Course.objects.get(pk=course.pk).cover_image.name.endswith(".png")
