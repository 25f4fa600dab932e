from django import forms


class DashboardFilterForm(forms.Form):
    """The date range and course a dashboard shows; validated into a DateRange by the view."""

    start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    course = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label="Course")

    def __init__(self, *args, courses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].choices = [("", "All my courses")] + [
            (course.pk, course.title) for course in courses
        ]
