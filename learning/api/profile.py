"""The learning section of the accounts profile API (`GET/PUT/PATCH /api/v1/users/profile`):
the default mode, the modes chosen per course and the desired retention.

accounts never imports learning: settings.PROFILE_API_EXTENSIONS names this serializer, and the
profile view nests it under "learning". `to_representation` takes the user; `update(user, data)`
saves through learning's own service, so the profile and /api/v1/learning/preferences are one
setting.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from core.serializers import Serializer
from learning import selectors, services
from learning.models import LearningPreference, Mode


class CourseModeSerializer(Serializer):
    course_id = serializers.IntegerField(min_value=1)
    course_title = serializers.CharField(read_only=True)
    mode = serializers.ChoiceField(
        choices=Mode.choices,
        allow_null=True,
        help_text="The mode chosen for this course; null (on update) goes back to the default.",
    )

    class Meta:
        ref_name = "ProfileLearningCourseMode"

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # A partial profile update makes nested fields optional; a course mode needs both.
        missing = {
            name: ["This field is required."] for name in ("course_id", "mode") if name not in attrs
        }
        if missing:
            raise serializers.ValidationError(missing)
        return attrs


class LearningProfileSerializer(Serializer):
    mode = serializers.ChoiceField(
        choices=Mode.choices, required=False, help_text="The learning mode used by default."
    )
    desired_retention = serializers.FloatField(
        min_value=0.7,
        max_value=0.97,
        required=False,
        help_text="How likely to remember a revision card when it comes due (0.70-0.97).",
    )
    course_modes = CourseModeSerializer(
        many=True,
        required=False,
        help_text=(
            "The modes chosen for particular courses (they override `mode` there). On update, "
            "the courses listed are changed and the others kept."
        ),
    )

    class Meta:
        ref_name = "ProfileLearning"

    def to_representation(self, instance: Any) -> dict[str, Any]:
        user = instance.user if isinstance(instance, LearningPreference) else instance
        preference = selectors.preference_or_defaults(user=user)
        preference.course_modes = selectors.course_mode_list(user=user)  # type: ignore[attr-defined]
        return super().to_representation(preference)

    def update(self, instance: Any, validated_data: dict[str, Any]) -> LearningPreference:
        modes = validated_data.pop("course_modes", None)
        preference = services.preference_update(user=instance, **validated_data)
        if modes:
            services.course_modes_update(user=instance, modes=modes)
        return preference
