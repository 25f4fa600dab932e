"""HTML input for notifications."""

from __future__ import annotations

from typing import Any

from django import forms

from core.roles import Role
from courses.models import Course


class AnnouncementForm(forms.Form):
    course = forms.ModelChoiceField(queryset=Course.objects.none(), empty_label=None)
    title = forms.CharField(max_length=200)
    body = forms.CharField(
        max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 4}), label="Message"
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        courses = Course.objects.order_by("title")
        if user.role != Role.ADMIN:
            courses = courses.filter(instructors=user)
        self.fields["course"].queryset = courses
