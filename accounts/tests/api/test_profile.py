"""The caller's profile: GET, PUT, PATCH (JSON or multipart with an avatar), and its errors."""

from __future__ import annotations

import io
import string

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.crypto import get_random_string
from PIL import Image
from rest_framework.test import APIClient

from accounts.models import User

PROFILE = "/api/v1/users/profile"

FULL_PROFILE = {
    "display_name": "Ada L.",
    "time_zone": "Europe/London",
    "bio": "Learning astronomy in the evenings.",
    "theme": "dark",
}


def error(message: str, fields: dict) -> dict:
    return {"error": {"code": "validation_error", "message": message, "fields": fields}}


def profile_of(user: User) -> dict:
    return {
        "id": user.pk,
        "email": user.email,
        "role": user.role,
        "date_joined": user.date_joined.isoformat().replace("+00:00", "Z"),
        "display_name": user.display_name,
        "avatar": None,
        "time_zone": user.time_zone,
        "bio": user.bio,
        "theme": user.theme,
        # settings.PROFILE_API_EXTENSIONS: learning's section (its defaults; learning tests it).
        "learning": {"mode": "standard", "desired_retention": 0.9, "course_modes": []},
    }


def png_file(name: str = "me.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "teal").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_get_returns_the_callers_profile(student_client: APIClient, student: User) -> None:
    response = student_client.get(PROFILE)

    assert response.status_code == 200
    assert response.json() == profile_of(student)


def test_put_replaces_the_editable_fields(student_client: APIClient, student: User) -> None:
    response = student_client.put(PROFILE, FULL_PROFILE)

    assert response.status_code == 200
    student.refresh_from_db()
    assert (student.display_name, student.time_zone, student.bio, student.theme) == (
        "Ada L.",
        "Europe/London",
        "Learning astronomy in the evenings.",
        "dark",
    )
    assert response.json() == profile_of(student)


def test_put_needs_every_editable_field(student_client: APIClient, student: User) -> None:
    response = student_client.put(PROFILE, {"display_name": "Ada"})

    assert response.status_code == 400
    required = ["This field is required."]
    assert response.json() == error(
        "time_zone: This field is required.",
        {"time_zone": required, "bio": required, "theme": required},
    )
    student.refresh_from_db()
    assert student.display_name.startswith("Student ")


def test_patch_changes_only_what_it_is_given(student_client: APIClient, student: User) -> None:
    response = student_client.patch(PROFILE, {"time_zone": "America/New_York"})

    assert response.status_code == 200
    assert response.json()["time_zone"] == "America/New_York"
    student.refresh_from_db()
    assert student.time_zone == "America/New_York"
    assert student.theme == "system"


def test_patch_cannot_change_email_or_role(student_client: APIClient, student: User) -> None:
    response = student_client.patch(
        PROFILE, {"email": "new@example.com", "role": "admin", "bio": "Hello"}
    )

    assert response.status_code == 200
    student.refresh_from_db()
    assert (student.email, student.role, student.is_staff, student.bio) == (
        response.json()["email"],
        "student",
        False,
        "Hello",
    )
    assert student.email != "new@example.com"


@pytest.mark.parametrize("method", ["put", "patch"])
@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"time_zone": "Mars/Olympus_Mons"},
            "time_zone",
            "'Mars/Olympus_Mons' is not a known time zone; use an IANA name such as Europe/Paris.",
        ),
        (
            {"display_name": "x" * 81},
            "display_name",
            "Ensure this field has no more than 80 characters.",
        ),
        ({"bio": "x" * 2001}, "bio", "Ensure this field has no more than 2000 characters."),
        ({"theme": "neon"}, "theme", '"neon" is not a valid choice.'),
    ],
)
def test_bad_input_is_refused_with_the_error_shape(
    student_client: APIClient,
    student: User,
    method: str,
    change: dict,
    field: str,
    message: str,
) -> None:
    before = profile_of(student)

    response = getattr(student_client, method)(PROFILE, {**FULL_PROFILE, **change})

    assert response.status_code == 400
    assert response.json() == error(f"{field}: {message}", {field: [message]})
    student.refresh_from_db()
    assert profile_of(student) == before


def test_avatar_upload_and_removal(student_client: APIClient, student: User, media_root) -> None:
    response = student_client.patch(PROFILE, {"avatar": png_file()}, format="multipart")

    assert response.status_code == 200
    student.refresh_from_db()
    assert student.avatar.name.startswith(f"avatars/{student.pk}/")
    assert response.json()["avatar"] == f"http://testserver/media/{student.avatar.name}"
    assert (media_root / student.avatar.name).is_file()

    removed = student_client.patch(PROFILE, {"avatar": None})

    assert removed.status_code == 200
    assert removed.json()["avatar"] is None
    student.refresh_from_db()
    assert not student.avatar


def test_put_with_multipart_and_an_avatar(
    student_client: APIClient, student: User, media_root
) -> None:
    response = student_client.put(
        PROFILE, {**FULL_PROFILE, "avatar": png_file()}, format="multipart"
    )

    assert response.status_code == 200
    student.refresh_from_db()
    assert student.display_name == "Ada L."
    assert response.json()["avatar"].endswith(".png")


def test_avatar_must_be_at_most_two_megabytes(
    student_client: APIClient, student: User, media_root
) -> None:
    buffer = io.BytesIO()
    Image.effect_noise((1200, 1200), 100).convert("RGB").save(buffer, format="PNG")
    assert buffer.tell() > 2 * 1024 * 1024
    upload = SimpleUploadedFile("big.png", buffer.getvalue(), content_type="image/png")

    response = student_client.patch(PROFILE, {"avatar": upload}, format="multipart")

    assert response.status_code == 400
    message = f"This image is {buffer.tell() / (1024 * 1024):.1f} MB; choose one of at most 2 MB."
    assert response.json() == error(f"avatar: {message}", {"avatar": [message]})
    student.refresh_from_db()
    assert not student.avatar
    assert list(media_root.iterdir()) == []


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("notes.png", b"not an image", content_type="image/png"),
            "This file is not a GIF, JPEG, PNG or WebP image, or it is damaged.",
        ),
        (
            SimpleUploadedFile(
                "me.png",
                b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
                content_type="image/png",
            ),
            "SVG images are not accepted (they can carry scripts); use a GIF, JPEG, PNG or "
            "WebP image.",
        ),
    ],
)
def test_avatar_must_be_an_allowed_image(
    student_client: APIClient, student: User, media_root, upload, message: str
) -> None:
    response = student_client.patch(PROFILE, {"avatar": upload}, format="multipart")

    assert response.status_code == 400
    assert response.json() == error(f"avatar: {message}", {"avatar": [message]})
    student.refresh_from_db()
    assert not student.avatar
    assert list(media_root.iterdir()) == []


def test_avatar_type_is_read_from_the_content_not_the_name(
    student_client: APIClient, student: User, media_root
) -> None:
    """A PNG called me.bmp is a PNG: accepted, and stored under the extension of what it is."""
    response = student_client.patch(PROFILE, {"avatar": png_file("me.bmp")}, format="multipart")

    assert response.status_code == 200
    student.refresh_from_db()
    assert student.avatar.name.endswith(".png")


@pytest.mark.parametrize("method", ["get", "put", "patch"])
def test_anonymous_callers_get_401(api_client: APIClient, db: None, method: str) -> None:
    response = getattr(api_client, method)(PROFILE, FULL_PROFILE)

    assert response.status_code == 401
    assert response.json() == {
        "error": {
            "code": "not_authenticated",
            "message": "Authentication credentials were not provided.",
            "fields": {},
        }
    }
    assert response["WWW-Authenticate"] == 'Bearer realm="lumen-api"'


def test_browser_session_works_and_needs_the_csrf_token(student: User) -> None:
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(student)

    assert client.get(PROFILE).status_code == 200
    refused = client.patch(PROFILE, {"bio": "Hello"})
    assert refused.status_code == 403
    assert refused.json()["error"]["message"] == "CSRF Failed: CSRF cookie not set."
    student.refresh_from_db()
    assert student.bio == ""

    token = get_random_string(32, allowed_chars=string.ascii_letters + string.digits)
    client.cookies["csrftoken"] = token  # as the page's cookie; htmx sends it back in a header
    accepted = client.patch(PROFILE, {"bio": "Hello"}, HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 200
    student.refresh_from_db()
    assert student.bio == "Hello"


def test_multipart_fields_next_to_an_avatar_are_validated_like_json(
    student_client: APIClient, student: User, media_root
) -> None:
    response = student_client.patch(
        PROFILE, {"avatar": png_file(), "time_zone": ""}, format="multipart"
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"time_zone": ["This field may not be blank."]}
    student.refresh_from_db()
    assert not student.avatar
    assert list(media_root.iterdir()) == []


def test_multipart_carries_the_learning_section_as_a_json_part(
    student_client: APIClient, student: User, media_root
) -> None:
    response = student_client.patch(
        PROFILE,
        {"avatar": png_file(), "learning": '{"desired_retention": 0.8}'},
        format="multipart",
    )

    assert response.status_code == 200
    assert response.json()["learning"]["desired_retention"] == 0.8
    assert response.json()["avatar"].endswith(".png")
    assert student_client.get(PROFILE).json()["learning"]["desired_retention"] == 0.8


@pytest.mark.parametrize(
    ("section", "fields"),
    [
        (
            '{"desired_retention": 2}',
            {"learning.desired_retention": ["Ensure this value is less than or equal to 0.97."]},
        ),
        (
            "0.8",
            {"learning": ["Send learning as a JSON object (a part of type application/json)."]},
        ),
        (
            "{not json",
            {"learning": ["Send learning as a JSON object (a part of type application/json)."]},
        ),
    ],
)
def test_a_wrong_learning_part_is_refused_and_nothing_is_saved(
    student_client: APIClient, student: User, media_root, section: str, fields: dict
) -> None:
    before = student_client.get(PROFILE).json()

    response = student_client.patch(
        PROFILE, {"avatar": png_file(), "bio": "Changed", "learning": section}, format="multipart"
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == fields
    assert student_client.get(PROFILE).json() == before
    assert list(media_root.iterdir()) == []
