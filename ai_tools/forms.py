"""HTML input for the AI tools."""

from __future__ import annotations

from django import forms

from ai_tools.providers.base import DIFFICULTIES, QUESTION_KINDS

KIND_LABELS = {"multiple_choice": "Multiple choice", "cloze": "Fill in the blank"}


class PracticeForm(forms.Form):
    count = forms.IntegerField(label="Number of questions", min_value=1, max_value=20, initial=5)
    kinds = forms.MultipleChoiceField(
        label="Question types",
        choices=[(kind, KIND_LABELS[kind]) for kind in QUESTION_KINDS],
        widget=forms.CheckboxSelectMultiple,
        initial=list(QUESTION_KINDS),
    )
    difficulty = forms.ChoiceField(
        label="Difficulty",
        choices=[(level, level.capitalize()) for level in DIFFICULTIES],
        initial="medium",
    )
    scope = forms.ChoiceField(
        label="Questions from",
        choices=[("lesson", "This lesson"), ("module", "The whole module")],
        initial="lesson",
        widget=forms.RadioSelect,
    )


class QuestionForm(forms.Form):
    question = forms.CharField(
        label="Your question", max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
