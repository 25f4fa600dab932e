"""HTML input validation for the help center's pages; the services enforce the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse

from courses.models import Course, Enrollment, Lesson
from qa.models import Category, DigestSubscription, Flag, Question
from qa.services._common import (
    ANSWER_BODY_MIN,
    BODY_MAX,
    COMMENT_MAX,
    COMMENT_MIN,
    QUESTION_BODY_MIN,
    TITLE_MAX,
    TITLE_MIN,
)

SORT_CHOICES = [
    ("", "Best match / newest"),
    ("newest", "Newest"),
    ("active", "Recently active"),
    ("votes", "Most rated"),
]


class QuestionFilterForm(forms.Form):
    """The list page's search box, filters and sort (all optional, all GET)."""

    q = forms.CharField(label="Search questions", required=False, max_length=200)
    category = forms.ModelChoiceField(
        queryset=Category.objects.filter(is_active=True),
        required=False,
        to_field_name="slug",
        empty_label="All categories",
    )
    tag = forms.SlugField(required=False, max_length=40)
    course = forms.ModelChoiceField(
        queryset=Course.objects.filter(status=Course.Status.PUBLISHED).order_by("title"),
        required=False,
        empty_label="Any course",
    )
    unanswered = forms.BooleanField(label="Unanswered only", required=False)
    sort = forms.ChoiceField(label="Sort by", choices=SORT_CHOICES, required=False)

    def __init__(self, *args: Any, viewer: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update({"type": "search", "autocomplete": "off"})
        # Any published course is a valid filter (course pages link here with theirs), but the
        # menu lists only the viewer's own courses (enrolled or teaching) and the chosen one: a
        # menu of the catalog grows with it (20,000 courses) and costs more to render than the
        # rest of the page.
        chosen = str(self.data.get("course", ""))[:18] if self.is_bound else ""
        listed = Q(pk=int(chosen)) if chosen.isdigit() else Q(pk__in=[])
        if viewer is not None and viewer.is_authenticated:
            listed |= Q(
                Exists(Enrollment.objects.filter(course=OuterRef("pk"), learner_id=viewer.pk))
            ) | Q(
                Exists(
                    Course.instructors.through.objects.filter(course=OuterRef("pk"), user=viewer.pk)
                )
            )
        menu = forms.ModelChoiceField(
            queryset=Course.objects.filter(listed, status=Course.Status.PUBLISHED)
            .only("id", "title")
            .order_by("title"),
            empty_label="Any course",
        )
        self.fields["course"].widget.choices = menu.choices


class QuestionForm(forms.Form):
    """Ask (or edit) a question; the title field asks for similar questions as you type."""

    title = forms.CharField(
        min_length=TITLE_MIN,
        max_length=TITLE_MAX,
        help_text="One sentence: what do you want to know? Similar questions appear below.",
    )
    body = forms.CharField(
        label="Details",
        min_length=QUESTION_BODY_MIN,
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="Markdown: **bold**, `code`, ``` fenced code blocks ```, lists and links.",
    )
    category = forms.ModelChoiceField(
        queryset=Category.objects.filter(is_active=True),
        required=False,
        empty_label="Let Lumen choose from your question",
    )
    tags = forms.CharField(
        required=False,
        max_length=250,
        help_text="Up to 5, separated by commas or spaces, e.g. django, css-grid.",
    )
    course = forms.ModelChoiceField(
        queryset=Course.objects.filter(status=Course.Status.PUBLISHED).order_by("title"),
        required=False,
        empty_label="Not about a particular course",
        label="About a course",
    )
    lesson = forms.ModelChoiceField(
        queryset=Lesson.objects.none(),
        required=False,
        empty_label="The whole course",
        label="About a lesson",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        similar_url = reverse("qa:similar")
        self.fields["title"].widget.attrs.update(
            {
                "autocomplete": "off",
                "hx-get": similar_url,
                "hx-trigger": "input changed delay:400ms, search",
                "hx-target": "#similar-questions",
                "hx-swap": "outerHTML",
                "hx-sync": "this:replace",
                "aria-controls": "similar-questions",
            }
        )
        course_id = self.data.get("course") or self.initial.get("course")
        if isinstance(course_id, Course):
            course_id = course_id.pk
        if course_id and str(course_id).isdigit():
            self.fields["lesson"].queryset = Lesson.objects.filter(
                module__course_id=int(course_id)
            ).order_by("module__order", "order")
        else:
            del self.fields["lesson"]


class QuestionEditForm(QuestionForm):
    note = forms.CharField(
        label="Edit summary", required=False, max_length=200, help_text="What changed and why."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].empty_label = "No category"
        for name in ("course", "lesson"):
            self.fields.pop(name, None)


class AnswerForm(forms.Form):
    body = forms.CharField(
        label="Your answer",
        min_length=ANSWER_BODY_MIN,
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Markdown. Explain why, not only what; link to the docs you used.",
    )


class AnswerEditForm(AnswerForm):
    note = forms.CharField(label="Edit summary", required=False, max_length=200)


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Comment",
        min_length=COMMENT_MIN,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class StarRatingForm(forms.Form):
    """1-5 stars as a radio group: arrow keys move, the button submits."""

    stars = forms.TypedChoiceField(
        coerce=int,
        choices=[(value, f"{value} star{'s' if value > 1 else ''}") for value in range(1, 6)],
        widget=forms.RadioSelect,
    )


class XpAwardForm(forms.Form):
    """1-10 XP as a radio group."""

    xp = forms.TypedChoiceField(
        label="XP",
        coerce=int,
        choices=[(value, f"{value} XP") for value in range(1, 11)],
        widget=forms.RadioSelect,
    )


class FlagForm(forms.Form):
    reason = forms.ChoiceField(choices=Flag.Reason.choices, label="What is wrong?")
    note = forms.CharField(
        required=False, max_length=500, label="Details", help_text="Required for 'Something else'."
    )


class CloseForm(forms.Form):
    reason = forms.ChoiceField(choices=Question.CloseReason.choices)
    duplicate_of = forms.IntegerField(
        required=False,
        min_value=1,
        label="Duplicate of question number",
        help_text="For duplicates: the number in the other question's address.",
    )


class DigestForm(forms.Form):
    frequency = forms.ChoiceField(
        choices=DigestSubscription.Frequency.choices,
        widget=forms.RadioSelect,
        label="Email me a digest of what I follow",
    )
    notify_as_expert = forms.BooleanField(
        required=False,
        label="Email me new questions in categories where I am a top answerer",
    )
