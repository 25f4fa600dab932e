"""Course authoring in the Django admin.

Instructors (staff with the instructor role) see and edit only the courses they teach, and only
those courses' modules, lessons, quizzes and questions: every queryset, object permission and
foreign-key choice below is narrowed to them. Admins see everything. Creating a course, changing
its details and its status go through courses.services.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Max, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from core.exceptions import ApplicationError
from core.roles import Role
from courses import services
from courses.models import (
    CaptionTrack,
    Category,
    Certificate,
    Choice,
    Course,
    CourseReview,
    Enrollment,
    Lesson,
    Module,
    Question,
    Quiz,
    QuizAttempt,
    Skill,
    Tag,
)


def is_admin(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_authenticated and (user.role == Role.ADMIN or user.is_superuser))


def lesson_preview_url(lesson: Lesson) -> str:
    """Where an instructor sees the lesson as an enrolled learner does (nothing recorded)."""
    return reverse(
        "courses:lesson_preview",
        kwargs={"course_slug": lesson.module.course.slug, "lesson_id": lesson.pk},
    )


class InstructorScopedAdmin(admin.ModelAdmin):
    """Narrow everything to the instructor's own courses; `course_path` leads from the model to
    its course ("" for Course itself)."""

    course_path = ""
    # Foreign keys whose choices are narrowed, with the path from that model to its course.
    scoped_foreign_keys: dict[str, tuple[type[Any], str]] = {}

    @classmethod
    def _owned(cls, model: type[Any], path: str, request: HttpRequest) -> QuerySet:
        queryset = model._default_manager.all()
        if is_admin(request):
            return queryset
        prefix = f"{path}__" if path else ""
        return queryset.filter(**{f"{prefix}instructors": request.user})

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        if is_admin(request):
            return queryset
        prefix = f"{self.course_path}__" if self.course_path else ""
        return queryset.filter(**{f"{prefix}instructors": request.user})

    def _owns(self, request: HttpRequest, obj: Any) -> bool:
        return (
            obj is None
            or is_admin(request)
            or self.get_queryset(request).filter(pk=obj.pk).exists()
        )

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_view_permission(request, obj) and self._owns(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and self._owns(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and self._owns(request, obj)

    def get_object(
        self, request: HttpRequest, object_id: str, from_field: str | None = None
    ) -> Any:
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            # Someone else's course answers as if it did not exist (not the admin's redirect).
            raise Http404("Not found.")
        return obj

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name in self.scoped_foreign_keys:
            model, path = self.scoped_foreign_keys[db_field.name]
            kwargs["queryset"] = self._owned(model, path, request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ScopedInlineMixin:
    """Inlines check their parent's permissions, narrowed the same way."""

    scoped_foreign_keys: dict[str, tuple[type[Any], str]] = {}

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name in self.scoped_foreign_keys:
            model, path = self.scoped_foreign_keys[db_field.name]
            kwargs["queryset"] = InstructorScopedAdmin._owned(model, path, request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]


# --- Ordered inlines ------------------------------------------------------------------------------


class OrderedInlineForm(forms.ModelForm):
    """A row whose `order` may be left empty (it goes last) and may take a place another row is
    leaving: uniqueness is checked across the whole formset instead of against the database."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "order" in self.fields:
            self.fields["order"].required = False
            self.fields["order"].help_text = "Empty: after the last one."

    def _get_validation_exclusions(self) -> set[str]:
        return {*super()._get_validation_exclusions(), "order"}


class OrderedInlineFormSet(BaseInlineFormSet):
    def _live_forms(self) -> list[Any]:
        return [
            form
            for form in self.forms
            if hasattr(form, "cleaned_data")
            and form.cleaned_data
            and not self._should_delete_form(form)
        ]

    def clean(self) -> None:
        super().clean()
        live = self._live_forms()
        used: dict[int, Any] = {}
        for form in live:
            order = form.cleaned_data.get("order")
            if order is None:
                continue
            if order in used:
                raise ValidationError(f"Two rows are at position {order}; give each its own.")
            used[order] = form
        next_order = max(used, default=0) + 1
        for form in live:
            if form.cleaned_data.get("order") is None:
                form.cleaned_data["order"] = next_order
                form.instance.order = next_order
                next_order += 1

    def save(self, commit: bool = True) -> list[Any]:
        if commit and self.instance.pk:
            self._make_room()
        return super().save(commit)

    def _make_room(self) -> None:
        """Move the rows that change place or go away above every wanted place first, so that
        saving rows one by one never meets the unique (parent, order) constraint."""
        moving = [
            form.instance.pk
            for form in self.initial_forms
            if form.instance.pk and (self._should_delete_form(form) or "order" in form.changed_data)
        ]
        if not moving:
            return
        siblings = self.model._default_manager.filter(**{self.fk.name: self.instance})
        highest_stored = siblings.aggregate(highest=Max("order"))["highest"] or 0
        highest_wanted = max(
            (form.cleaned_data.get("order") or 0 for form in self._live_forms()), default=0
        )
        top = max(highest_stored, highest_wanted)
        for offset, pk in enumerate(moving, start=1):
            self.model._default_manager.filter(pk=pk).update(order=top + offset)


# --- Catalog --------------------------------------------------------------------------------------


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ("name",)}


class ModuleInline(ScopedInlineMixin, admin.TabularInline):
    model = Module
    form = OrderedInlineForm
    formset = OrderedInlineFormSet
    fields = ["order", "title", "summary", "lessons_link"]
    readonly_fields = ["lessons_link"]
    extra = 1
    ordering = ["order"]

    @admin.display(description="Lessons")
    def lessons_link(self, module: Module) -> str:
        if not module.pk:
            return "Save first, then add lessons."
        url = reverse("admin:courses_module_change", args=[module.pk])
        return format_html('<a href="{}">Edit lessons</a>', url)


@admin.register(Course)
class CourseAdmin(InstructorScopedAdmin):
    list_display = [
        "title",
        "status",
        "category",
        "difficulty",
        "required_plan",
        "learner_count",
        "published_at",
    ]
    list_filter = ["status", "difficulty", "required_plan", "category"]
    search_fields = ["title", "slug", "subtitle"]
    list_select_related = ["category"]
    prepopulated_fields = {"slug": ("title",)}
    filter_horizontal = ["tags", "instructors"]
    readonly_fields = ["status", "published_at", "cover_preview", "outline"]
    inlines = [ModuleInline]
    actions = ["publish", "unpublish", "archive"]
    fieldsets = (
        (None, {"fields": ("title", "slug", "subtitle", "description", "what_you_will_learn")}),
        (
            "Cover image",
            {"fields": ("cover_image", "cover_image_alt", "cover_preview")},
        ),
        (
            "Catalog",
            {"fields": ("category", "tags", "difficulty", "language", "estimated_hours")},
        ),
        (
            "Access",
            {
                "fields": (
                    "required_plan",
                    "early_access_until",
                    "early_access_plan",
                    "instructors",
                )
            },
        ),
        (
            "Publication",
            {
                "fields": ("status", "published_at"),
                "description": "Publish, unpublish and archive with the actions on the list.",
            },
        ),
        ("Outline", {"fields": ("outline",)}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Course]:
        return super().get_queryset(request).annotate(learners=Count("enrollments", distinct=True))

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if is_admin(request):
            return fieldsets
        # Instructors do not pick who teaches: they teach what they create.
        return tuple(
            (name, {**options, "fields": tuple(f for f in options["fields"] if f != "instructors")})
            for name, options in fieldsets
        )

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "instructors":
            from accounts.models import User

            kwargs["queryset"] = User.objects.filter(role__in=[Role.INSTRUCTOR, Role.ADMIN])
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description="Learners", ordering="learners")
    def learner_count(self, course: Course) -> int:
        return getattr(course, "learners", 0)

    @admin.display(description="Preview")
    def cover_preview(self, course: Course) -> str:
        if not course.cover_image:
            return "No cover image."
        return format_html(
            '<img src="{}" alt="{}" style="max-width: 320px; height: auto">',
            course.cover_image.url,
            course.cover_image_alt,
        )

    @admin.display(description="Modules and lessons")
    def outline(self, course: Course) -> SafeString | str:
        if not course.pk:
            return "Save the course, then add modules."
        modules = course.modules.order_by("order").prefetch_related("lessons")
        blocks = []
        for module in modules:
            items = format_html_join(
                "",
                '<li>{}. {} ({}) · <a href="{}">edit</a> · '
                '<a href="{}">preview as learner</a></li>',
                (
                    (
                        lesson.order,
                        lesson.title,
                        lesson.get_kind_display(),
                        reverse("admin:courses_lesson_change", args=[lesson.pk]),
                        lesson_preview_url(lesson),
                    )
                    for lesson in sorted(module.lessons.all(), key=lambda item: item.order)
                ),
            )
            blocks.append(
                format_html(
                    '<p><strong>{}. {}</strong> · <a href="{}">edit lessons</a></p><ol>{}</ol>',
                    module.order,
                    module.title,
                    reverse("admin:courses_module_change", args=[module.pk]),
                    items,
                )
            )
        return format_html_join("", "{}", ((block,) for block in blocks)) or "No modules yet."

    def save_model(self, request: HttpRequest, obj: Course, form: Any, change: bool) -> None:
        data = {
            name: form.cleaned_data[name]
            for name in services.authoring.COURSE_FIELDS
            if name in form.cleaned_data
        }
        if change:
            services.course_update(
                course=obj, data={k: v for k, v in data.items() if k in form.changed_data}
            )
            return
        title = data.pop("title")
        course = services.course_create(instructor=request.user, title=title, **data)
        # The admin goes on with `obj` (inlines, many-to-many, the redirect): make it the row.
        for field in Course._meta.concrete_fields:
            if not field.generated:  # read back from the database only when asked for
                setattr(obj, field.attname, getattr(course, field.attname))
        obj._state.adding = False
        obj._state.db = course._state.db

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        course = form.instance
        if not course.instructors.exists():
            course.instructors.add(request.user)

    def _change_status(
        self, request: HttpRequest, queryset: QuerySet[Course], action: Any, verb: str
    ) -> None:
        changed = 0
        for course in queryset:
            try:
                action(course=course)
                changed += 1
            except ApplicationError as error:
                self.message_user(request, error.message, messages.ERROR)
        if changed:
            self.message_user(request, f"{changed} course(s) {verb}.", messages.SUCCESS)

    @admin.action(description="Publish", permissions=["change"])
    def publish(self, request: HttpRequest, queryset: QuerySet[Course]) -> None:
        self._change_status(request, queryset, services.course_publish, "published")

    @admin.action(description="Unpublish (back to draft)", permissions=["change"])
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Course]) -> None:
        self._change_status(request, queryset, services.course_unpublish, "unpublished")

    @admin.action(description="Archive", permissions=["change"])
    def archive(self, request: HttpRequest, queryset: QuerySet[Course]) -> None:
        self._change_status(request, queryset, services.course_archive, "archived")


# --- Outline --------------------------------------------------------------------------------------


class LessonInlineFormSet(OrderedInlineFormSet):
    """Lessons added or edited on their module's page are saved by courses.services.lesson_save
    (a lesson new to a published course is announced to its learners)."""

    def save_new(self, form: Any, commit: bool = True) -> Any:
        lesson = super().save_new(form, commit=False)
        if commit:
            services.lesson_save(lesson=lesson, is_new=True)
        return lesson

    def save_existing(self, form: Any, obj: Any, commit: bool = True) -> Any:
        lesson = super().save_existing(form, obj, commit=False)
        if commit:
            services.lesson_save(lesson=lesson, is_new=False)
        return lesson


class LessonInline(ScopedInlineMixin, admin.TabularInline):
    model = Lesson
    form = OrderedInlineForm
    formset = LessonInlineFormSet
    fields = ["order", "title", "kind", "duration_seconds", "is_free_preview", "links"]
    readonly_fields = ["links"]
    extra = 1
    ordering = ["order"]

    @admin.display(description="")
    def links(self, lesson: Lesson) -> str:
        if not lesson.pk:
            return ""
        return format_html(
            '<a href="{}">Edit content</a> · <a href="{}">Preview as learner</a>',
            reverse("admin:courses_lesson_change", args=[lesson.pk]),
            lesson_preview_url(lesson),
        )


@admin.register(Module)
class ModuleAdmin(InstructorScopedAdmin):
    course_path = "course"
    scoped_foreign_keys = {"course": (Course, "")}
    list_display = ["title", "course", "order"]
    search_fields = ["title", "course__title"]
    list_select_related = ["course"]
    ordering = ["course_id", "order"]
    inlines = [LessonInline]

    def save_model(self, request: HttpRequest, obj: Module, form: Any, change: bool) -> None:
        services.module_save(module=obj)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        super().save_formset(request, form, formset, change)
        for lesson in formset.new_objects + [obj for obj, _ in formset.changed_objects]:
            services.lesson_quiz_ensure(lesson=lesson)


class CaptionTrackInline(ScopedInlineMixin, admin.TabularInline):
    model = CaptionTrack
    fields = ["file", "language", "label", "is_default"]
    extra = 0


class QuizInline(admin.StackedInline):
    model = Quiz
    max_num = 1
    can_delete = False
    fields = [
        ("time_limit_seconds", "max_attempts", "pass_mark_percent"),
        ("shuffle_questions", "shuffle_choices", "question_bank_sample_size"),
        ("negative_marking", "is_exam", "reveals_answers", "feedback"),
        "questions_link",
    ]
    readonly_fields = ["questions_link"]

    @admin.display(description="Questions")
    def questions_link(self, quiz: Quiz) -> str:
        if not quiz.pk:
            return "Save first, then add questions."
        return format_html(
            '<a href="{}">Edit questions</a>', reverse("admin:courses_quiz_change", args=[quiz.pk])
        )


@admin.register(Lesson)
class LessonAdmin(InstructorScopedAdmin):
    course_path = "module__course"
    scoped_foreign_keys = {"module": (Module, "course")}
    list_display = ["title", "module", "course_title", "kind", "order", "is_free_preview"]
    list_filter = ["kind", "is_free_preview"]
    search_fields = ["title", "module__title", "module__course__title"]
    list_select_related = ["module__course"]
    ordering = ["module__course_id", "module__order", "order"]
    readonly_fields = ["preview_link"]
    inlines = [CaptionTrackInline, QuizInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "module",
                    "title",
                    "kind",
                    "order",
                    "duration_seconds",
                    "is_free_preview",
                    "preview_link",
                )
            },
        ),
        ("Video", {"fields": ("video_file", "video_url", "transcript")}),
        (
            "Text",
            {"fields": ("body",), "description": "Markdown: the article, or notes under a video."},
        ),
    )

    @admin.display(description="Course", ordering="module__course__title")
    def course_title(self, lesson: Lesson) -> str:
        return lesson.module.course.title

    @admin.display(description="Preview")
    def preview_link(self, lesson: Lesson) -> str:
        if not lesson.pk:
            return "Save first."
        return format_html('<a href="{}">Preview as learner</a>', lesson_preview_url(lesson))

    def save_model(self, request: HttpRequest, obj: Lesson, form: Any, change: bool) -> None:
        services.lesson_save(lesson=obj, is_new=not change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        services.lesson_quiz_ensure(lesson=form.instance)


# --- Quizzes --------------------------------------------------------------------------------------


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class QuestionInlineForm(OrderedInlineForm):
    """Choices and accepted answers as text, one per line (a leading * marks a correct choice)."""

    choices_text = forms.CharField(
        label="Choices",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One per line; start the correct ones with *. True/false: two lines.",
    )
    accepted_answers_text = forms.CharField(
        label="Accepted answers",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Short answers only: one per line (case and spacing are ignored).",
    )

    class Meta:
        model = Question
        fields = ["order", "kind", "text", "explanation", "points", "skills"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["choices_text"] = "\n".join(
                f"{'*' if choice.is_correct else ''}{choice.text}"
                for choice in self.instance.choices.all()
            )
            self.initial["accepted_answers_text"] = "\n".join(self.instance.accepted_answers)

    def parsed_choices(self) -> list[tuple[str, bool]]:
        return [
            (line[1:].strip(), True) if line.startswith("*") else (line, False)
            for line in _lines(self.cleaned_data.get("choices_text", ""))
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        kind = cleaned.get("kind")
        self.instance.accepted_answers = _lines(cleaned.get("accepted_answers_text", ""))
        if kind and cleaned.get("text"):
            choices = [
                Choice(text=text, is_correct=correct) for text, correct in self.parsed_choices()
            ]
            probe = Question(kind=kind, accepted_answers=self.instance.accepted_answers)
            problem = services.question_problem(question=probe, choices=choices)
            if problem:
                field = (
                    "accepted_answers_text"
                    if kind == Question.Kind.SHORT_ANSWER
                    else "choices_text"
                )
                self.add_error(field, problem[0].upper() + problem[1:])
        return cleaned


class QuestionInline(admin.StackedInline):
    model = Question
    form = QuestionInlineForm
    formset = OrderedInlineFormSet
    extra = 1
    ordering = ["order"]
    filter_horizontal = ["skills"]
    fields = [
        ("order", "kind", "points"),
        "text",
        "choices_text",
        "accepted_answers_text",
        "explanation",
        "skills",
    ]


@admin.register(Quiz)
class QuizAdmin(InstructorScopedAdmin):
    course_path = "lesson__module__course"
    scoped_foreign_keys = {"lesson": (Lesson, "module__course")}
    list_display = [
        "__str__",
        "course_title",
        "pass_mark_percent",
        "max_attempts",
        "time_limit_seconds",
        "is_exam",
        "feedback",
    ]
    list_filter = ["feedback", "is_exam"]
    search_fields = ["lesson__title", "lesson__module__course__title"]
    list_select_related = ["lesson__module__course"]
    inlines = [QuestionInline]

    @admin.display(description="Course", ordering="lesson__module__course__title")
    def course_title(self, quiz: Quiz) -> str:
        return quiz.lesson.module.course.title

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "lesson":
            field.queryset = field.queryset.filter(kind=Lesson.Kind.QUIZ)
        return field

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        super().save_formset(request, form, formset, change)
        if formset.model is not Question:
            return
        for inline_form in formset.forms:
            question = inline_form.instance
            if (
                not question.pk
                or formset._should_delete_form(inline_form)
                or not inline_form.has_changed()
            ):
                continue
            choices = inline_form.parsed_choices() if question.kind in Question.CHOICE_KINDS else []
            services.question_choices_set(question=question, choices=choices)


class ChoiceInline(admin.TabularInline):
    model = Choice
    fields = ["order", "text", "is_correct"]
    extra = 2
    ordering = ["order", "id"]


@admin.register(Question)
class QuestionAdmin(InstructorScopedAdmin):
    course_path = "quiz__lesson__module__course"
    scoped_foreign_keys = {"quiz": (Quiz, "lesson__module__course")}
    list_display = ["__str__", "quiz", "kind", "points", "order"]
    list_filter = ["kind"]
    search_fields = ["text", "quiz__lesson__title"]
    list_select_related = ["quiz__lesson"]
    filter_horizontal = ["skills"]
    inlines = [ChoiceInline]


# --- Learners' records (read-only) ----------------------------------------------------------------


class ReadOnlyAdmin(InstructorScopedAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_admin(request)


@admin.register(Enrollment)
class EnrollmentAdmin(ReadOnlyAdmin):
    course_path = "course"
    list_display = ["learner", "course", "enrolled_at", "completed_at", "last_activity_at"]
    list_filter = ["completed_at"]
    search_fields = ["learner__email", "course__title"]
    list_select_related = ["learner", "course"]


@admin.register(QuizAttempt)
class QuizAttemptAdmin(ReadOnlyAdmin):
    course_path = "quiz__lesson__module__course"
    list_display = ["learner", "quiz", "number", "started_at", "submitted_at", "percent", "passed"]
    list_filter = ["passed"]
    search_fields = ["learner__email", "quiz__lesson__title"]
    list_select_related = ["learner", "quiz__lesson"]


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdmin):
    course_path = "course"
    list_display = ["public_id", "learner_name", "course_title", "issued_at"]
    search_fields = ["public_id", "learner_name", "course_title", "learner__email"]


# --- Ratings --------------------------------------------------------------------------------------


@admin.register(CourseReview)
class CourseReviewAdmin(InstructorScopedAdmin):
    """Learners' ratings: instructors read those of their courses; admins may remove one (the
    course's average follows through courses.services.reviews.review_deleted)."""

    course_path = "course"
    list_display = ["course", "learner", "rating", "short_comment", "updated_at"]
    list_filter = ["rating"]
    search_fields = ["course__title", "learner__email", "comment"]
    list_select_related = ["course", "learner"]
    readonly_fields = ["course", "learner", "rating", "comment", "created_at", "updated_at"]

    @admin.display(description="Comment")
    def short_comment(self, review: CourseReview) -> str:
        return review.comment[:80]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
