"""Output serializers shared by several account endpoints (each view nests its own input ones)."""

from rest_framework import serializers

from accounts.models import TeacherApplication, User
from core.serializers import ModelSerializer, Serializer


class TokenPairSerializer(Serializer):
    access = serializers.CharField(
        read_only=True, help_text="Short-lived JWT for `Authorization: Bearer <access>`."
    )
    refresh = serializers.CharField(
        read_only=True,
        help_text="Longer-lived JWT for `/api/v1/auth/refresh`; it works once.",
    )

    class Meta:
        ref_name = "TokenPair"


class UserProfileSerializer(ModelSerializer):
    avatar = serializers.ImageField(
        read_only=True, allow_null=True, help_text="URL of the avatar image, or null."
    )

    class Meta:
        model = User
        ref_name = "UserProfile"
        fields = [
            "id",
            "email",
            "role",
            "date_joined",
            "display_name",
            "avatar",
            "time_zone",
            "bio",
            "theme",
        ]
        read_only_fields = fields


class AdminUserSerializer(ModelSerializer):
    class Meta:
        model = User
        ref_name = "AdminUser"
        fields = [
            "id",
            "email",
            "display_name",
            "role",
            "is_active",
            "is_staff",
            "date_joined",
            "last_login",
        ]
        read_only_fields = fields


class UserSummarySerializer(ModelSerializer):
    class Meta:
        model = User
        ref_name = "UserSummary"
        fields = ["id", "email", "display_name"]
        read_only_fields = fields


class AdminTeacherApplicationSerializer(ModelSerializer):
    applicant = UserSummarySerializer(read_only=True)
    reviewed_by = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = TeacherApplication
        ref_name = "AdminTeacherApplication"
        fields = [
            "id",
            "applicant",
            "expertise",
            "motivation",
            "status",
            "created_at",
            "reviewed_by",
            "reviewed_at",
            "review_note",
        ]
        read_only_fields = fields
