"""HTML input for the learner pages: the catalog's search and filters, course ratings."""

from __future__ import annotations

from django import forms

from courses.models import Course

SORTS = [
    ("popular", "Most popular"),
    ("relevance", "Best match (when searching)"),
    ("rating", "Highest rated"),
    ("newest", "Newest"),
    ("title", "Title"),
]


class CatalogForm(forms.Form):
    q = forms.CharField(label="Search courses", required=False, max_length=200)
    category = forms.ChoiceField(label="Category", required=False)
    difficulty = forms.ChoiceField(
        label="Level", required=False, choices=[("", "Any level"), *Course.Difficulty.choices]
    )
    language = forms.ChoiceField(label="Language", required=False)
    price = forms.ChoiceField(
        label="Price",
        required=False,
        choices=[("", "Free and paid"), ("free", "Free"), ("paid", "Paid")],
    )
    sort = forms.ChoiceField(label="Sort by", required=False, choices=SORTS)

    def __init__(self, *args, categories=(), languages=(), **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "All categories")] + [
            (category.slug, category.name) for category in categories
        ]
        self.fields["language"].choices = [("", "Any language")] + [
            (code, code.upper()) for code in languages
        ]


class CourseReviewForm(forms.Form):
    rating = forms.TypedChoiceField(
        label="Your rating",
        choices=[(n, f"{n} star{'s' if n > 1 else ''}") for n in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose from 1 to 5 stars."},
    )
    comment = forms.CharField(
        label="What did you think?",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Other learners see your comment with your display name.",
    )
