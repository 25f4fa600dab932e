"""Uploads on S3-compatible object storage (django-storages), against a local S3 server (moto's,
started here on loopback; never AWS itself): the environment alone switches storage, covers and
their responsive renditions land in the bucket, and pages link them through the CDN domain."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from django.conf import settings as django_settings
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone
from moto.server import ThreadedMotoServer

from courses import services
from courses.models import Course
from courses.tests.factories import InstructorFactory
from courses.tests.test_services import png_upload
from tests.integration.servers import free_port

pytestmark = pytest.mark.django_db

BUCKET = "lumen-media"
CDN = "media.cdn.test"


def _settings_under(env: dict[str, str]) -> dict[str, Any]:
    """STORAGES and the CSP's img-src as the settings module builds them from `env`."""
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        "print(json.dumps({'storages': settings.STORAGES, "
        "'img_src': settings.CONTENT_SECURITY_POLICY_REPORT_ONLY['DIRECTIVES']['img-src']}))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "DJANGO_ENV": "test", "DJANGO_SETTINGS_MODULE": "lms.settings", **env},
        capture_output=True,
        text=True,
        check=True,
        cwd=django_settings.BASE_DIR,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_without_a_bucket_uploads_stay_on_the_local_disk() -> None:
    built = _settings_under({})

    assert built["storages"]["default"]["BACKEND"] == (
        "django.core.files.storage.FileSystemStorage"
    )


def test_naming_a_bucket_switches_uploads_to_object_storage_behind_the_cdn() -> None:
    built = _settings_under(
        {
            "AWS_STORAGE_BUCKET_NAME": BUCKET,
            "AWS_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
            "AWS_S3_CUSTOM_DOMAIN": CDN,
        }
    )

    default = built["storages"]["default"]
    assert default["BACKEND"] == "storages.backends.s3.S3Storage"
    assert default["OPTIONS"]["bucket_name"] == BUCKET
    assert default["OPTIONS"]["custom_domain"] == CDN
    assert f"https://{CDN}" in built["img_src"]


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch, settings: Any) -> Iterator[Any]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "local-test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "local-test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    built = _settings_under(
        {
            "AWS_STORAGE_BUCKET_NAME": BUCKET,
            "AWS_S3_ENDPOINT_URL": endpoint,
            "AWS_S3_REGION_NAME": "us-east-1",
            "AWS_S3_CUSTOM_DOMAIN": CDN,
        }
    )
    settings.STORAGES = {**settings.STORAGES, "default": built["storages"]["default"]}
    try:
        yield client
    finally:
        server.stop()


def test_a_cover_and_its_renditions_are_stored_in_the_bucket_and_served_from_the_cdn(
    s3: Any,
) -> None:
    course = services.course_create(
        instructor=InstructorFactory(),
        title="Stored in the cloud",
        cover_image=png_upload(1400, 800),
        cover_image_alt="A blue square",
    )

    keys = {item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert f"media/{course.cover_image.name}" in keys
    for name in course.cover_thumbnails.values():
        assert f"media/{name}" in keys
    assert len(keys) == 4  # the original and its 320, 640 and 1280 px renditions
    assert course.cover_image.url == f"https://{CDN}/media/{course.cover_image.name}"
    assert course.cover_srcset.startswith(f"https://{CDN}/media/")
    with default_storage.open(course.cover_image.name) as stored:
        assert stored.read(8) == b"\x89PNG\r\n\x1a\n"


def test_the_course_page_links_the_cover_through_the_cdn(s3: Any) -> None:
    course = services.course_create(
        instructor=InstructorFactory(),
        title="Page with a cloud cover",
        cover_image=png_upload(700, 400),
        cover_image_alt="A blue square",
    )
    Course.objects.filter(pk=course.pk).update(
        status=Course.Status.PUBLISHED, published_at=timezone.now()
    )

    page = Client().get(f"/courses/{course.slug}/")

    assert page.status_code == 200
    assert f'src="https://{CDN}/media/{course.cover_image.name}"' in page.content.decode()
