"""The accounts API: sign-in and tokens, the caller's profile, applications to teach, and the
admin's user management. Thin views: they validate input and call accounts.services/tokens."""

from __future__ import annotations

import json
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import update_session_auth_hash
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, QueryDict
from django.shortcuts import get_object_or_404
from django.utils.module_loading import import_string
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import privacy as account_privacy
from accounts import selectors, services, tokens
from accounts.api import schema as _schema  # noqa: F401  # registers the JWT scheme for OpenAPI
from accounts.api.serializers import (
    AdminTeacherApplicationSerializer,
    AdminUserSerializer,
    TokenPairSerializer,
    UserProfileSerializer,
)
from accounts.forms import AvatarField
from accounts.models import TeacherApplication, User
from accounts.validators import validate_time_zone
from core.api import ErrorSerializer
from core.exceptions import ApplicationError
from core.permissions import IsAdmin, IsStudent
from core.roles import Role
from core.serializers import ModelSerializer, Serializer
from core.throttling import AnonRateThrottle

_ACCESS_EXAMPLE = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoiYWNjZXNzIn0.c2lnbmF0dXJl"
)
_REFRESH_EXAMPLE = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoicmVmcmVzaCJ9.c2lnbmF0dXJl"
)
_TOKEN_PAIR_EXAMPLE = {"access": _ACCESS_EXAMPLE, "refresh": _REFRESH_EXAMPLE}
_PROFILE_EXAMPLE = {
    "id": 42,
    "email": "ada@example.com",
    "role": "student",
    "date_joined": "2025-09-01T08:30:00Z",
    "display_name": "Ada",
    "avatar": "https://lumen.example.com/media/avatars/42/20250901083000.png",
    "time_zone": "Europe/London",
    "bio": "Learning astronomy in the evenings.",
    "theme": "dark",
}
_ADMIN_USER_EXAMPLE = {
    "id": 42,
    "email": "ada@example.com",
    "display_name": "Ada",
    "role": "instructor",
    "is_active": True,
    "is_staff": True,
    "date_joined": "2025-09-01T08:30:00Z",
    "last_login": "2025-09-03T19:02:11Z",
}
_APPLICATION_EXAMPLE = {
    "id": 7,
    "expertise": "Observational astronomy",
    "motivation": "I run the city observatory's evening classes.",
    "status": "pending",
    "created_at": "2025-09-02T10:00:00Z",
    "reviewed_at": None,
    "review_note": "",
}
_ADMIN_APPLICATION_EXAMPLE = {
    "id": 7,
    "applicant": {"id": 42, "email": "ada@example.com", "display_name": "Ada"},
    "expertise": "Observational astronomy",
    "motivation": "I run the city observatory's evening classes.",
    "status": "approved",
    "created_at": "2025-09-02T10:00:00Z",
    "reviewed_by": {"id": 1, "email": "admin@example.com", "display_name": "Admin"},
    "reviewed_at": "2025-09-03T09:15:00Z",
    "review_note": "Welcome aboard.",
}


def _error(description: str, code: str, message: str) -> OpenApiResponse:
    """An error response documented with the one error shape and an example of it."""
    return OpenApiResponse(
        response=ErrorSerializer,
        description=description,
        examples=[
            OpenApiExample(
                code,
                value={"error": {"code": code, "message": message, "fields": {}}},
                response_only=True,
            )
        ],
    )


_TOKEN_REFUSED = _error(
    "The refresh token is invalid, expired, already used, or its user is inactive or has changed "
    "password.",
    "token_not_valid",
    "Token is blacklisted",
)


class _OpenAuthApi(APIView):
    """Sign-in endpoints: open to anonymous callers and limited by the anonymous (per IP) rate."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle]

    def get_authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="lumen-api"'

    def handle_exception(self, exc: Exception) -> Response:
        response = super().handle_exception(exc)
        if response.status_code == status.HTTP_401_UNAUTHORIZED:
            response.setdefault("WWW-Authenticate", self.get_authenticate_header(self.request))
        if isinstance(exc, ApplicationError) and "retry_after" in exc.extra:
            response.setdefault("Retry-After", str(exc.extra["retry_after"]))
        return response


def _verification_mail_send(request: HttpRequest, user: User) -> None:
    """Mail the new user allauth's verification link, as the browser sign-up does."""
    address = EmailAddress.objects.filter(user=user, primary=True, verified=False).first()
    if address is not None:
        address.send_confirmation(request, signup=True)


class AuthRegisterApi(_OpenAuthApi):
    class InputSerializer(Serializer):
        email = serializers.EmailField(max_length=254)
        password = serializers.CharField(
            max_length=128,
            trim_whitespace=False,
            write_only=True,
            help_text="Checked with the site's password rules (length, common, similarity).",
        )
        display_name = serializers.CharField(
            max_length=80, required=False, allow_blank=True, default=""
        )

        class Meta:
            ref_name = "Register"

    class OutputSerializer(Serializer):
        user = UserProfileSerializer(read_only=True)
        access = serializers.CharField(read_only=True)
        refresh = serializers.CharField(read_only=True)

        class Meta:
            ref_name = "Registration"

    @extend_schema(
        operation_id="auth_register",
        summary="Create a student account and sign in",
        request=InputSerializer,
        responses={201: OutputSerializer},
        examples=[
            OpenApiExample(
                "Register",
                value={
                    "email": "ada@example.com",
                    "password": "correct-horse-battery-staple",
                    "display_name": "Ada",
                },
                request_only=True,
            ),
            OpenApiExample(
                "Registered",
                value={"user": _PROFILE_EXAMPLE, **_TOKEN_PAIR_EXAMPLE},
                response_only=True,
                status_codes=["201"],
            ),
        ],
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.user_register(**serializer.validated_data)
        django_request = request._request
        transaction.on_commit(lambda: _verification_mail_send(django_request, user))
        pair = tokens.token_pair_issue(user=user)
        output = self.OutputSerializer({"user": user, **pair}, context={"request": request})
        return Response(output.data, status=status.HTTP_201_CREATED)


class AuthLoginApi(_OpenAuthApi):
    class InputSerializer(Serializer):
        email = serializers.EmailField(max_length=254)
        password = serializers.CharField(max_length=128, trim_whitespace=False, write_only=True)
        otp_code = serializers.CharField(
            max_length=64,
            required=False,
            allow_blank=True,
            default="",
            help_text="The authenticator app's code (or a recovery code), for accounts that use "
            "two-factor authentication.",
        )

        class Meta:
            ref_name = "Login"

    @extend_schema(
        operation_id="auth_login",
        summary="Sign in with email and password: a token pair",
        request=InputSerializer,
        responses={
            200: TokenPairSerializer,
            401: _error(
                "Wrong email or password, an inactive account, or a missing or wrong "
                "two-factor code (`mfa_code_required`, `mfa_code_invalid`).",
                "invalid_credentials",
                "No active account has this email and password.",
            ),
            429: _error(
                "Five failed sign-ins for this account in five minutes lock it until the window "
                "closes, the right password included (`account_locked`, `Retry-After`); also the "
                "per-IP rate (`throttled`) and wrong two-factor codes (`too_many_attempts`).",
                "account_locked",
                "Too many failed sign-in attempts for this account; try again in 5 minutes.",
            ),
            403: _error(
                "Instructors and admins must set up two-factor authentication first.",
                "mfa_setup_required",
                "Instructors and admins must turn on two-factor authentication in their account "
                "settings before signing in to the API.",
            ),
        },
        examples=[
            OpenApiExample(
                "Sign in",
                value={"email": "ada@example.com", "password": "correct-horse-battery-staple"},
                request_only=True,
            ),
            OpenApiExample(
                "Tokens", value=_TOKEN_PAIR_EXAMPLE, response_only=True, status_codes=["200"]
            ),
        ],
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        pair = tokens.token_pair_obtain(**serializer.validated_data, request=request._request)
        return Response(TokenPairSerializer(pair).data)


class AuthRefreshApi(_OpenAuthApi):
    class InputSerializer(Serializer):
        refresh = serializers.CharField(max_length=2048)

        class Meta:
            ref_name = "Refresh"

    @extend_schema(
        operation_id="auth_refresh",
        summary="Exchange a refresh token for a new token pair (the old one stops working)",
        request=InputSerializer,
        responses={200: TokenPairSerializer, 401: _TOKEN_REFUSED},
        examples=[
            OpenApiExample("Refresh", value={"refresh": _REFRESH_EXAMPLE}, request_only=True),
            OpenApiExample(
                "New tokens", value=_TOKEN_PAIR_EXAMPLE, response_only=True, status_codes=["200"]
            ),
        ],
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        pair = tokens.token_pair_refresh(refresh=serializer.validated_data["refresh"])
        return Response(TokenPairSerializer(pair).data)


class AuthLogoutApi(_OpenAuthApi):
    """Holding the refresh token is what entitles a caller to revoke it; no access token needed."""

    class InputSerializer(Serializer):
        refresh = serializers.CharField(max_length=2048)

        class Meta:
            ref_name = "Logout"

    @extend_schema(
        operation_id="auth_logout",
        summary="Sign out: revoke a refresh token",
        request=InputSerializer,
        responses={
            204: OpenApiResponse(description="Revoked (also when it was already revoked)."),
            401: _error(
                "The refresh token is not a valid, unexpired refresh token.",
                "token_not_valid",
                "Token is invalid",
            ),
        },
        examples=[
            OpenApiExample("Sign out", value={"refresh": _REFRESH_EXAMPLE}, request_only=True)
        ],
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        tokens.refresh_token_revoke(refresh=serializer.validated_data["refresh"])
        return Response(status=status.HTTP_204_NO_CONTENT)


def _profile_extensions() -> dict[str, type[serializers.Serializer]]:
    """Sections other apps add to the profile (settings.PROFILE_API_EXTENSIONS: a key -> the
    dotted path of a serializer whose `to_representation` takes the user and whose
    `update(user, data)` saves): accounts nests them without importing those apps."""
    return {
        name: import_string(path)
        for name, path in getattr(settings, "PROFILE_API_EXTENSIONS", {}).items()
    }


_PROFILE_EXTENSIONS = _profile_extensions()


class _ProfileMeta(UserProfileSerializer.Meta):
    ref_name = "Profile"
    fields = [*UserProfileSerializer.Meta.fields, *_PROFILE_EXTENSIONS]
    read_only_fields = fields


# The profile with every section nested (each one reads the user: source="*").
ProfileSerializer = type(
    "ProfileSerializer",
    (UserProfileSerializer,),
    {
        **{
            name: section(source="*", read_only=True)
            for name, section in _PROFILE_EXTENSIONS.items()
        },
        "Meta": _ProfileMeta,
    },
)


def _form_sections(data: Any, *, partial: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    """The sections of a multipart body, validated, and their errors. Each comes as a JSON part
    (OpenAPI's encoding of an object property in multipart), which a serializer's nested fields
    never read from a form: without this a section sent with an avatar was silently ignored."""
    if not isinstance(data, QueryDict):
        return {}, {}
    sections: dict[str, Any] = {}
    errors: dict[str, Any] = {}
    for name, section in _PROFILE_EXTENSIONS.items():
        if name not in data:
            continue
        try:
            decoded = json.loads(data[name])
        except (TypeError, ValueError):
            decoded = None
        if not isinstance(decoded, dict):
            errors[name] = [f"Send {name} as a JSON object (a part of type application/json)."]
            continue
        serializer = section(data=decoded, partial=partial)
        if serializer.is_valid():
            sections[name] = serializer.validated_data
        else:
            errors[name] = serializer.errors
    return sections, errors


class ProfileRetrieveUpdateApi(APIView):
    """The caller's own profile; PUT and PATCH take JSON, or multipart to upload an avatar.
    Other apps' sections (settings.PROFILE_API_EXTENSIONS) are optional objects on PUT too."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    class InputSerializer(Serializer):
        display_name = serializers.CharField(max_length=80, allow_blank=True)
        avatar = serializers.ImageField(
            required=False,
            allow_null=True,
            _DjangoImageField=AvatarField,  # the page's checks: type by content, size, pixels
            help_text="A JPG, PNG, WebP or GIF image (by content, not name) of at most 2 MB and "
            "4096x4096 pixels (multipart only); SVG is refused; null removes the avatar.",
        )
        time_zone = serializers.CharField(
            max_length=64,
            validators=[validate_time_zone],
            help_text="An IANA time zone such as Europe/Paris.",
        )
        bio = serializers.CharField(max_length=2000, allow_blank=True)
        theme = serializers.ChoiceField(choices=User.Theme.choices)

        class Meta:
            ref_name = "ProfileUpdate"

        def get_fields(self) -> dict[str, serializers.Field]:
            fields = super().get_fields()
            for name, section in _PROFILE_EXTENSIONS.items():
                fields[name] = section(required=False)
            return fields

    @extend_schema(
        operation_id="profile_retrieve",
        summary="The caller's profile",
        responses={200: ProfileSerializer},
        examples=[OpenApiExample("Profile", value=_PROFILE_EXAMPLE, response_only=True)],
    )
    def get(self, request: Request) -> Response:
        return Response(ProfileSerializer(request.user, context={"request": request}).data)

    @extend_schema(
        operation_id="profile_update",
        summary="Replace the caller's editable profile fields",
        request={
            "application/json": InputSerializer,
            "multipart/form-data": InputSerializer,
        },
        responses={200: ProfileSerializer},
        examples=[
            OpenApiExample(
                "Replace profile",
                value={
                    "display_name": "Ada",
                    "time_zone": "Europe/London",
                    "bio": "Learning astronomy in the evenings.",
                    "theme": "dark",
                },
                request_only=True,
            ),
            OpenApiExample("Profile", value=_PROFILE_EXAMPLE, response_only=True),
        ],
    )
    def put(self, request: Request) -> Response:
        return self._update(request, partial=False)

    @extend_schema(
        operation_id="profile_partial_update",
        summary="Change some of the caller's profile fields",
        request={
            "application/json": InputSerializer,
            "multipart/form-data": InputSerializer,
        },
        responses={200: ProfileSerializer},
        examples=[
            OpenApiExample(
                "Change the time zone", value={"time_zone": "America/New_York"}, request_only=True
            ),
            OpenApiExample("Profile", value=_PROFILE_EXAMPLE, response_only=True),
        ],
    )
    def patch(self, request: Request) -> Response:
        return self._update(request, partial=True)

    def _update(self, request: Request, *, partial: bool) -> Response:
        serializer = self.InputSerializer(data=request.data, partial=partial)
        form_sections, section_errors = _form_sections(request.data, partial=partial)
        if not serializer.is_valid() or section_errors:
            raise ValidationError({**serializer.errors, **section_errors})
        data = dict(serializer.validated_data)
        sections = {name: data.pop(name) for name in _PROFILE_EXTENSIONS if name in data}
        sections.update(form_sections)
        with transaction.atomic():
            user = services.user_profile_update(
                user=request.user,  # type: ignore[arg-type]  # IsAuthenticated: a User
                data=data,
            )
            for name, section_data in sections.items():
                _PROFILE_EXTENSIONS[name]().update(user, section_data)
        return Response(ProfileSerializer(user, context={"request": request}).data)


class UserPasswordChangeApi(APIView):
    """Every token issued before the change is refused afterwards; the answer carries new ones."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(Serializer):
        old_password = serializers.CharField(max_length=128, trim_whitespace=False)
        new_password = serializers.CharField(
            max_length=128,
            trim_whitespace=False,
            help_text="Checked with the site's password rules (length, common, similarity).",
        )

        class Meta:
            ref_name = "PasswordChange"

    @extend_schema(
        operation_id="password_change",
        summary="Change the caller's password (earlier tokens stop working)",
        request=InputSerializer,
        responses={200: TokenPairSerializer},
        examples=[
            OpenApiExample(
                "Change password",
                value={
                    "old_password": "correct-horse-battery-staple",
                    "new_password": "a-new-and-longer-passphrase",
                },
                request_only=True,
            ),
            OpenApiExample(
                "New tokens", value=_TOKEN_PAIR_EXAMPLE, response_only=True, status_codes=["200"]
            ),
        ],
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.user_password_change(
            user=request.user,  # type: ignore[arg-type]  # IsAuthenticated: a User
            **serializer.validated_data,
        )
        if isinstance(request.successful_authenticator, SessionAuthentication):
            update_session_auth_hash(request._request, user)  # keep this browser signed in
        return Response(TokenPairSerializer(tokens.token_pair_issue(user=user)).data)


_EXPORT_EXAMPLE = {
    "format": "lumen-user-data/1",
    "exported_at": "2026-03-01T10:00:00Z",
    "user_id": 42,
    "account": {
        "profile": {"id": 42, "email": "ada@example.com", "display_name": "Ada"},
        "email_addresses": [{"email": "ada@example.com", "verified": True, "primary": True}],
    },
    "courses": {"enrollments": [{"course_id": 3, "enrolled_at": "2026-01-05T09:00:00Z"}]},
    "gamification": {"xp_ledger": [{"action": "lesson_completed", "amount": 10}]},
}


class UserDataExportApi(APIView):
    """The right of access: one JSON document, the account's part and one section per app
    (settings.USER_DATA_EXPORTERS)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="user_data_export",
        summary="Everything Lumen holds about the caller, as one JSON document",
        responses={
            200: OpenApiResponse(
                response=OpenApiTypes.OBJECT,
                description="`account` (profile, e-mail addresses, two-factor devices, API "
                "sessions, applications to teach) and one section per app: courses, "
                "gamification, learning, notifications, qa, ai_tools, billing, analytics.",
            )
        },
        examples=[OpenApiExample("Export", value=_EXPORT_EXAMPLE, response_only=True)],
    )
    def get(self, request: Request) -> Response:
        document = account_privacy.user_data_export(user=request.user)  # type: ignore[arg-type]
        return Response(document, headers={"Cache-Control": "no-store"})


class UserAccountDeleteApi(APIView):
    """Erasure: the password again, then personal data goes and the account can no longer sign
    in (every token refused); what others rely on stays, anonymised (accounts.privacy)."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(Serializer):
        password = serializers.CharField(
            max_length=128, trim_whitespace=False, help_text="The account's current password."
        )

        class Meta:
            ref_name = "AccountDelete"

    @extend_schema(
        operation_id="user_account_delete",
        summary="Delete the caller's account (password required)",
        request=InputSerializer,
        responses={
            204: OpenApiResponse(description="Deleted: the caller's tokens no longer work."),
            409: _error(
                "The last admin cannot leave (`last_admin`), or a subscription would still "
                "renew (`subscription_active`): nothing was deleted.",
                "subscription_active",
                "Cancel your subscription first (Billing, then Manage subscription); you can "
                "delete your account once it will not renew.",
            ),
            429: _error(
                "Too many wrong passwords for this account (the sign-in lockout).",
                "account_locked",
                "Too many failed sign-in attempts for this account; try again in 5 minutes.",
            ),
        },
        examples=[
            OpenApiExample(
                "Delete", value={"password": "correct-horse-battery-staple"}, request_only=True
            )
        ],
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        account_privacy.user_account_delete(
            user=request.user,  # type: ignore[arg-type]  # IsAuthenticated: a User
            password=serializer.validated_data["password"],
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class TeacherApplicationListCreateApi(ListAPIView):
    """GET: the caller's own applications to teach. POST (students only): apply."""

    filter_backends: list[type] = []

    class InputSerializer(Serializer):
        expertise = serializers.CharField(max_length=200, help_text="What you would teach.")
        motivation = serializers.CharField(max_length=4000, help_text="Why and how you teach.")

        class Meta:
            ref_name = "TeacherApplicationSubmit"

    class OutputSerializer(ModelSerializer):
        class Meta:
            model = TeacherApplication
            ref_name = "TeacherApplication"
            fields = [
                "id",
                "expertise",
                "motivation",
                "status",
                "created_at",
                "reviewed_at",
                "review_note",
            ]
            read_only_fields = fields

    serializer_class = OutputSerializer

    def get_permissions(self) -> list[BasePermission]:
        if self.request.method == "POST":
            return [IsStudent()]
        return [IsAuthenticated()]

    def get_queryset(self) -> QuerySet[TeacherApplication]:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return TeacherApplication.objects.none()
        return selectors.teacher_application_list(applicant=self.request.user)  # type: ignore[arg-type]

    @extend_schema(
        operation_id="teacher_applications_list",
        summary="The caller's applications to teach, newest first",
        examples=[OpenApiExample("Application", value=_APPLICATION_EXAMPLE, response_only=True)],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="teacher_application_submit",
        summary="Apply to teach (students; one pending application at a time)",
        request=InputSerializer,
        responses={
            201: OutputSerializer,
            409: _error(
                "An application is already waiting for review.",
                "application_pending",
                "You already have an application under review.",
            ),
        },
        examples=[
            OpenApiExample(
                "Apply",
                value={
                    "expertise": "Observational astronomy",
                    "motivation": "I run the city observatory's evening classes.",
                },
                request_only=True,
            ),
            OpenApiExample(
                "Application", value=_APPLICATION_EXAMPLE, response_only=True, status_codes=["201"]
            ),
        ],
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        application = services.teacher_application_submit(
            applicant=request.user,  # type: ignore[arg-type]  # IsStudent: a User
            **serializer.validated_data,
        )
        return Response(self.OutputSerializer(application).data, status=status.HTTP_201_CREATED)


class AdminUserListApi(ListAPIView):
    permission_classes = [IsAdmin]
    serializer_class = AdminUserSerializer
    filterset_fields = ["role", "is_active"]
    search_fields = ["email", "display_name"]
    ordering_fields = ["id", "email", "display_name", "role", "date_joined", "last_login"]
    ordering = ["id"]

    def get_queryset(self) -> QuerySet[User]:
        return selectors.user_list()

    @extend_schema(
        operation_id="admin_users_list",
        summary="Every user (admins)",
        examples=[OpenApiExample("User", value=_ADMIN_USER_EXAMPLE, response_only=True)],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class AdminUserRoleSetApi(APIView):
    permission_classes = [IsAdmin]

    class InputSerializer(Serializer):
        role = serializers.ChoiceField(choices=Role.choices)

        class Meta:
            ref_name = "RoleSet"

    @extend_schema(
        operation_id="admin_user_role_set",
        summary="Change a user's role (admins); groups and staff access follow",
        request=InputSerializer,
        responses={200: AdminUserSerializer},
        examples=[
            OpenApiExample("Promote", value={"role": "instructor"}, request_only=True),
            OpenApiExample("User", value=_ADMIN_USER_EXAMPLE, response_only=True),
        ],
    )
    def post(self, request: Request, user_id: int) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = get_object_or_404(selectors.user_list(), pk=user_id)
        user = services.user_set_role(
            user=user,
            role=serializer.validated_data["role"],
            changed_by=request.user,  # type: ignore[arg-type]  # IsAdmin: a User
        )
        return Response(AdminUserSerializer(user).data)


class AdminUserDeactivateApi(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(
        operation_id="admin_user_deactivate",
        summary="Deactivate a user (admins): no more sign-in, tokens refused",
        request=None,
        responses={200: AdminUserSerializer},
        examples=[
            OpenApiExample(
                "Deactivated", value={**_ADMIN_USER_EXAMPLE, "is_active": False}, response_only=True
            )
        ],
    )
    def post(self, request: Request, user_id: int) -> Response:
        user = get_object_or_404(selectors.user_list(), pk=user_id)
        user = services.user_deactivate(
            user=user,
            deactivated_by=request.user,  # type: ignore[arg-type]  # IsAdmin: a User
        )
        return Response(AdminUserSerializer(user).data)


class AdminTeacherApplicationListApi(ListAPIView):
    permission_classes = [IsAdmin]
    serializer_class = AdminTeacherApplicationSerializer
    filterset_fields = ["status"]
    search_fields = ["applicant__email", "applicant__display_name", "expertise"]
    ordering_fields = ["created_at", "reviewed_at", "status"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self) -> QuerySet[TeacherApplication]:
        return selectors.teacher_application_list()

    @extend_schema(
        operation_id="admin_teacher_applications_list",
        summary="Applications to teach (admins), newest first",
        examples=[
            OpenApiExample("Application", value=_ADMIN_APPLICATION_EXAMPLE, response_only=True)
        ],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class AdminTeacherApplicationReviewApi(APIView):
    permission_classes = [IsAdmin]

    class InputSerializer(Serializer):
        approve = serializers.BooleanField(
            help_text="true makes the applicant an instructor; false rejects."
        )
        note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")

        class Meta:
            ref_name = "TeacherApplicationReview"

    @extend_schema(
        operation_id="admin_teacher_application_review",
        summary="Approve or reject an application to teach (admins)",
        request=InputSerializer,
        responses={
            200: AdminTeacherApplicationSerializer,
            409: _error(
                "The application has already been reviewed.",
                "application_reviewed",
                "This application has already been reviewed.",
            ),
        },
        examples=[
            OpenApiExample(
                "Approve", value={"approve": True, "note": "Welcome aboard."}, request_only=True
            ),
            OpenApiExample("Reviewed", value=_ADMIN_APPLICATION_EXAMPLE, response_only=True),
        ],
    )
    def post(self, request: Request, application_id: int) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        application = get_object_or_404(selectors.teacher_application_list(), pk=application_id)
        application = services.teacher_application_review(
            application=application,
            reviewer=request.user,  # type: ignore[arg-type]  # IsAdmin: a User
            approve=serializer.validated_data["approve"],
            note=serializer.validated_data["note"],
        )
        return Response(AdminTeacherApplicationSerializer(application).data)
