"""The learning section of the accounts profile API (`GET/PUT/PATCH /api/v1/users/profile`).

accounts never imports learning: settings.PROFILE_API_EXTENSIONS names this serializer, and the
profile view nests it under "learning". `to_representation` takes the user; `update(user, data)`
saves through learning's own service, so the profile and /api/v1/learning/preferences are one
setting.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from learning import selectors, services
from learning.models import LearningPreference, Mode


class LearningProfileSerializer(serializers.Serializer):
    mode = serializers.ChoiceField(
        choices=Mode.choices, required=False, help_text="The learning mode used by default."
    )
    desired_retention = serializers.FloatField(
        min_value=0.7,
        max_value=0.97,
        required=False,
        help_text="How likely to remember a revision card when it comes due (0.70-0.97).",
    )

    class Meta:
        ref_name = "ProfileLearning"

    def to_representation(self, instance: Any) -> dict[str, Any]:
        if not isinstance(instance, LearningPreference):
            instance = selectors.preference_or_defaults(user=instance)
        return super().to_representation(instance)

    def update(self, instance: Any, validated_data: dict[str, Any]) -> LearningPreference:
        return services.preference_update(user=instance, **validated_data)
