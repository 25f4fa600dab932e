"""HTML forms for accounts."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest

from accounts.models import TeacherApplication, User


class SignupForm(forms.Form):
    """Extra fields on allauth's sign-up form."""

    display_name = forms.CharField(
        max_length=80,
        required=False,
        label="Display name",
        help_text="Shown to other learners. Leave empty to use the start of your email.",
    )

    def signup(self, request: HttpRequest, user: Any) -> None:
        """allauth calls this after saving; the adapter already stored the display name."""


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name", "avatar", "time_zone", "bio", "theme"]
        widgets = {"bio": forms.Textarea(attrs={"rows": 5})}
        help_texts = {"time_zone": "An IANA time zone such as Europe/Paris or America/New_York."}


class TeacherApplicationForm(forms.ModelForm):
    class Meta:
        model = TeacherApplication
        fields = ["expertise", "motivation"]
        widgets = {"motivation": forms.Textarea(attrs={"rows": 6})}
