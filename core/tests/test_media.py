"""Development media serving answers HTTP Range requests (video seeking) and stays in MEDIA_ROOT."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client, override_settings


@pytest.fixture
def media(tmp_path: Path) -> Path:
    (tmp_path / "videos").mkdir()
    (tmp_path / "videos" / "clip.webm").write_bytes(bytes(range(256)) * 4)  # 1024 bytes
    with override_settings(MEDIA_ROOT=tmp_path):
        yield tmp_path


def test_a_whole_file_says_it_accepts_ranges(media: Path, client: Client) -> None:
    response = client.get("/media/videos/clip.webm")
    assert response.status_code == 200
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Type"] == "video/webm"
    assert b"".join(response.streaming_content) == bytes(range(256)) * 4


@pytest.mark.parametrize(
    ("header", "content_range", "body"),
    [
        ("bytes=10-19", "bytes 10-19/1024", bytes(range(10, 20))),
        ("bytes=1020-", "bytes 1020-1023/1024", bytes(range(252, 256))),
        ("bytes=-2", "bytes 1022-1023/1024", bytes([254, 255])),
    ],
)
def test_a_range_request_gets_206_with_that_slice(
    media: Path, client: Client, header: str, content_range: str, body: bytes
) -> None:
    response = client.get("/media/videos/clip.webm", HTTP_RANGE=header)
    assert response.status_code == 206
    assert response["Content-Range"] == content_range
    assert response.content == body


def test_a_range_past_the_end_is_416(media: Path, client: Client) -> None:
    response = client.get("/media/videos/clip.webm", HTTP_RANGE="bytes=5000-")
    assert response.status_code == 416
    assert response["Content-Range"] == "bytes */1024"


@pytest.mark.parametrize(
    "path", ["/media/%2E%2E/%2E%2E/lms/settings.py", "/media/videos/missing.webm", "/media/videos/"]
)
def test_missing_or_outside_files_are_404(media: Path, client: Client, path: str) -> None:
    assert client.get(path).status_code == 404
