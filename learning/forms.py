"""HTML input of the learning pages."""

from __future__ import annotations

from django import forms

from learning.models import LearningPreference, Mode, ReviewLog


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(choices=ReviewLog.Rating.choices, coerce=int)
    duration_ms = forms.IntegerField(required=False, min_value=0, max_value=86_400_000)
    course = forms.IntegerField(required=False, min_value=1)


class PreferenceForm(forms.ModelForm):
    mode = forms.ChoiceField(choices=Mode.choices, widget=forms.RadioSelect)

    class Meta:
        model = LearningPreference
        fields = [
            "mode",
            "desired_retention",
            "study_interval_minutes",
            "break_minutes",
            "autoplay_countdown_seconds",
        ]
        labels = {
            "desired_retention": "Desired retention (0.70 to 0.99)",
            "study_interval_minutes": "Relax: minutes of study before a break",
            "break_minutes": "Relax: break length in minutes",
            "autoplay_countdown_seconds": "Binge: seconds before the next lesson starts",
        }
