"""Reads: the catalog, course and lesson pages, progress, dashboard, quizzes, certificates."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest
from django.utils import timezone

from courses import selectors, services
from courses.exceptions import (
    CertificateNotFoundError,
    CourseNotFoundError,
    ExamInProgressError,
    LessonLockedError,
    LessonNotFoundError,
    NotAttemptOwnerError,
    QuizNotFoundError,
)
from courses.models import Certificate, Course, Enrollment, Lesson, LessonProgress
from courses.tests.factories import (
    CategoryFactory,
    CourseFactory,
    EnrollmentFactory,
    LessonFactory,
    QuestionFactory,
    QuizFactory,
    StudentFactory,
    course_with_outline,
    quiz_lesson,
)

pytestmark = pytest.mark.django_db


def _lessons(course: Course) -> list[Lesson]:
    return list(
        Lesson.objects.filter(module__course=course)
        .select_related("module__course")
        .order_by("module__order", "order")
    )


def _complete(learner, lessons) -> None:
    for lesson in lessons:
        LessonProgress.objects.update_or_create(
            learner=learner, lesson=lesson, defaults={"completed_at": timezone.now()}
        )


# --- Catalog --------------------------------------------------------------------------------------


@pytest.fixture
def catalog():
    data = CategoryFactory(name="Data", slug="data")
    design = CategoryFactory(name="Design", slug="design")
    now = timezone.now()
    pandas = course_with_outline(
        title="Pandas in practice",
        subtitle="Dataframes for analysts",
        category=data,
        difficulty=Course.Difficulty.BEGINNER,
        published_at=now - timedelta(days=3),
    )
    typography = course_with_outline(
        title="Typography",
        description="Type for the screen, with pandas nowhere.",
        category=design,
        difficulty=Course.Difficulty.ADVANCED,
        language="fr",
        required_plan=Course.Plan.PRO,
        published_at=now - timedelta(days=1),
    )
    sql = course_with_outline(
        title="SQL joins",
        category=data,
        difficulty=Course.Difficulty.INTERMEDIATE,
        published_at=now - timedelta(days=2),
    )
    draft = course_with_outline(title="Pandas draft", status=Course.Status.DRAFT, published_at=None)
    for _ in range(3):
        EnrollmentFactory(course=sql)
    EnrollmentFactory(course=pandas)
    return {"pandas": pandas, "typography": typography, "sql": sql, "draft": draft}


def _titles(queryset) -> list[str]:
    return [course.title for course in queryset]


def test_the_catalog_lists_published_courses_by_popularity(catalog):
    courses = list(selectors.course_list_for_catalog())

    assert _titles(courses) == ["SQL joins", "Pandas in practice", "Typography"]
    assert [course.enrollment_count for course in courses] == [3, 1, 0]
    assert [course.lesson_count for course in courses] == [4, 4, 4]
    assert [course.total_duration_seconds for course in courses] == [1200, 1200, 1200]


def test_the_catalog_sorts_newest_first_and_by_title(catalog):
    assert _titles(selectors.course_list_for_catalog(sort="newest")) == [
        "Typography",
        "SQL joins",
        "Pandas in practice",
    ]
    assert _titles(selectors.course_list_for_catalog(sort="title")) == [
        "Pandas in practice",
        "SQL joins",
        "Typography",
    ]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"category": "data"}, ["SQL joins", "Pandas in practice"]),
        ({"difficulty": "advanced"}, ["Typography"]),
        ({"language": "fr"}, ["Typography"]),
        ({"price": "paid"}, ["Typography"]),
        ({"price": "free"}, ["SQL joins", "Pandas in practice"]),
        ({"search": "pandas"}, ["Pandas in practice", "Typography"]),
        ({"search": "dataframes"}, ["Pandas in practice"]),
        ({"search": "nothing-like-this"}, []),
    ],
)
def test_the_catalog_filters_and_searches(catalog, filters, expected):
    assert _titles(selectors.course_list_for_catalog(**filters)) == expected


def test_searching_by_relevance_ranks_title_matches_first(catalog):
    results = _titles(selectors.course_list_for_catalog(search="pandas", sort="relevance"))

    assert results[0] == "Pandas in practice"
    assert set(results) == {"Pandas in practice", "Typography"}


def test_the_catalog_shows_a_learners_progress(catalog, student):
    pandas = catalog["pandas"]
    EnrollmentFactory(course=pandas, learner=student)
    _complete(student, _lessons(pandas)[:3])

    courses = {course.title: course for course in selectors.course_list_for_catalog(user=student)}

    assert courses["Pandas in practice"].is_enrolled is True
    assert courses["Pandas in practice"].completed_lesson_count == 3
    assert courses["Pandas in practice"].progress_percent == 75
    assert courses["SQL joins"].is_enrolled is False
    assert courses["SQL joins"].progress_percent == 0


def test_the_catalog_takes_two_queries_however_many_courses(
    catalog, student, django_assert_num_queries
):
    for _ in range(6):
        course = course_with_outline(modules=1, lessons_per_module=3, subtitle="Many rows")
        EnrollmentFactory(course=course, learner=student)

    with django_assert_num_queries(2):  # courses (with their counts and category), instructors
        courses = list(selectors.course_list_for_catalog(user=student, search="rows"))
        for course in courses:
            _ = (course.category.name, [i.name for i in course.instructors.all()])
            _ = (course.enrollment_count, course.lesson_count, course.total_duration_seconds)

    assert len(courses) == 6
    assert {course.progress_percent for course in courses} == {0}
    assert {course.is_enrolled for course in courses} == {True}


# --- Course page ----------------------------------------------------------------------------------


def test_the_course_page_shows_the_outline_with_progress_and_resume_point(course, student):
    enrollment = EnrollmentFactory(course=course, learner=student)
    lessons = _lessons(course)
    _complete(student, lessons[:2])
    enrollment.last_lesson = lessons[1]
    enrollment.save()

    page = selectors.course_get_for_learner(user=student, slug=course.slug)

    modules = list(page.modules.all())
    assert [module.title for module in modules] == ["Module 1", "Module 2"]
    assert [(m.completed_lesson_count, m.lesson_count) for m in modules] == [(2, 2), (0, 2)]
    assert [
        (lesson.title, lesson.is_completed, lesson.is_locked)
        for module in modules
        for lesson in module.lessons.all()
    ] == [
        ("Lesson 1.1", True, False),
        ("Lesson 1.2", True, False),
        ("Lesson 2.1", False, False),
        ("Lesson 2.2", False, False),
    ]
    assert page.enrollment == enrollment
    assert page.progress_percent == 50
    # The last lesson opened is done: resume at the first one left.
    assert page.resume_lesson == lessons[2]


def test_the_course_page_locks_lessons_for_visitors_except_previews(course):
    first = _lessons(course)[0]
    first.is_free_preview = True
    first.save()

    page = selectors.course_get_for_learner(user=None, course_id=course.pk)

    locks = [lesson.is_locked for module in page.modules.all() for lesson in module.lessons.all()]
    assert locks == [False, True, True, True]
    assert page.enrollment is None
    assert page.resume_lesson is None


def test_the_course_page_queries_do_not_grow_with_the_outline(student, django_assert_num_queries):
    small = course_with_outline(modules=1, lessons_per_module=1)
    big = course_with_outline(modules=4, lessons_per_module=5)
    for course in (small, big):
        EnrollmentFactory(course=course, learner=student)
        _complete(student, _lessons(course)[:1])

    for course in (small, big):
        # the course (with the learner's enrollment, any running exam and their mode for it), its
        # instructors (whom the learner follows), tags, modules, lessons (with the progress)
        with django_assert_num_queries(5):
            page = selectors.course_get_for_learner(user=student, slug=course.slug)
            _ = [x.is_locked for m in page.modules.all() for x in m.lessons.all()]


def test_the_outline_shows_only_the_viewers_own_progress_and_only_while_enrolled(
    student, other_student
):
    course = course_with_outline(modules=1, lessons_per_module=3)
    first, second, third = _lessons(course)
    EnrollmentFactory(course=course, learner=student)
    EnrollmentFactory(course=course, learner=other_student)
    _complete(student, [first])
    _complete(other_student, [second, third])

    mine = selectors.course_get_for_learner(user=student, slug=course.slug)
    theirs = selectors.course_get_for_learner(user=other_student, slug=course.slug)
    Enrollment.objects.filter(learner=other_student, course=course).delete()  # by an admin
    gone = selectors.course_get_for_learner(user=other_student, slug=course.slug)

    def done(page):
        return [lesson.is_completed for m in page.modules.all() for lesson in m.lessons.all()]

    assert done(mine) == [True, False, False]
    assert (mine.completed_lesson_count, mine.enrollment.learner_id) == (1, student.pk)
    assert done(theirs) == [False, True, True]
    # The rows outlive the enrollment, but a learner no longer enrolled has no progress to show.
    assert LessonProgress.objects.filter(learner=other_student).count() == 2
    assert (gone.enrollment, done(gone)) == (None, [False, False, False])


def test_whether_the_viewer_teaches_comes_with_the_lesson_pages_course(
    instructor, other_instructor, django_assert_num_queries
):
    course = course_with_outline(instructors=[instructor])

    page = selectors.course_get_for_learner(
        user=instructor, slug=course.slug, with_instructors=False
    )
    with django_assert_num_queries(0):
        assert page.is_taught_by(instructor)
        assert selectors.course_can_edit(user=instructor, course=page)
    # The answer is for the viewer it was loaded for; anyone else is looked up.
    with django_assert_num_queries(1):
        assert not page.is_taught_by(other_instructor)
    outsider = selectors.course_get_for_learner(
        user=other_instructor, slug=course.slug, with_instructors=False
    )
    assert not outsider.is_taught_by(other_instructor)
    assert not selectors.course_can_edit(user=other_instructor, course=outsider)


def test_drafts_are_visible_to_their_instructors_only(
    instructor, other_instructor, student, admin_user
):
    draft = course_with_outline(
        status=Course.Status.DRAFT, published_at=None, instructors=[instructor]
    )

    assert selectors.course_get_for_learner(user=instructor, slug=draft.slug) == draft
    assert selectors.course_get_for_learner(user=admin_user, slug=draft.slug) == draft
    for outsider in (other_instructor, student, None):
        with pytest.raises(CourseNotFoundError):
            selectors.course_get_for_learner(user=outsider, slug=draft.slug)


def test_archived_courses_stay_open_to_their_learners(student, other_student):
    archived = course_with_outline(status=Course.Status.ARCHIVED)
    EnrollmentFactory(course=archived, learner=student)

    assert selectors.course_get(user=student, course_id=archived.pk) == archived
    with pytest.raises(CourseNotFoundError):
        selectors.course_get(user=other_student, course_id=archived.pk)
    assert selectors.course_list_for_catalog(user=student).count() == 0


# --- Lesson player --------------------------------------------------------------------------------


def test_the_lesson_player_knows_previous_next_and_progress(course, student):
    EnrollmentFactory(course=course, learner=student)
    lessons = _lessons(course)
    LessonProgress.objects.create(learner=student, lesson=lessons[2], last_position_seconds=42)

    view = selectors.lesson_get_for_learner(
        user=student, lesson_id=lessons[2].pk, course_slug=course.slug
    )

    assert view.lesson == lessons[2]
    assert view.can_access is True
    assert view.previous_lesson.id == lessons[1].pk
    assert view.previous_lesson.title == "Lesson 1.2"
    assert view.next_lesson.id == lessons[3].pk
    assert (view.position, view.lesson_count) == (3, 4)
    assert view.resume_position_seconds == 42


def test_the_first_and_last_lessons_have_no_previous_or_next(course, student):
    lessons = _lessons(course)

    first = selectors.lesson_get_for_learner(user=student, lesson_id=lessons[0].pk)
    last = selectors.lesson_get_for_learner(user=student, lesson_id=lessons[-1].pk)

    assert first.previous_lesson is None
    assert last.next_lesson is None


def test_lessons_are_locked_for_the_unenrolled_except_free_previews(course, student):
    lessons = _lessons(course)
    lessons[0].is_free_preview = True
    lessons[0].save()

    preview = selectors.lesson_get_for_learner(user=None, lesson_id=lessons[0].pk)
    locked = selectors.lesson_get_for_learner(user=student, lesson_id=lessons[1].pk)

    assert preview.access_error is None
    assert isinstance(locked.access_error, LessonLockedError)
    assert locked.access_error.message == "Enroll in this course to open this lesson."


def test_a_lesson_under_another_course_slug_is_not_found(course, student):
    other = course_with_outline()

    with pytest.raises(LessonNotFoundError):
        selectors.lesson_get_for_learner(
            user=student, lesson_id=_lessons(course)[0].pk, course_slug=other.slug
        )


def test_a_running_exam_locks_the_other_lessons(course, student):
    EnrollmentFactory(course=course, learner=student)
    exam = quiz_lesson(course.modules.last(), order=10, is_exam=True)
    services.quiz_attempt_start(learner=student, quiz=exam)

    other = selectors.lesson_get_for_learner(user=student, lesson_id=_lessons(course)[0].pk)
    exam_view = selectors.lesson_get_for_learner(user=student, lesson_id=exam.lesson_id)

    assert isinstance(other.access_error, ExamInProgressError)
    assert exam_view.access_error is None


def test_the_lesson_player_takes_a_fixed_number_of_queries(
    course, student, django_assert_num_queries
):
    EnrollmentFactory(course=course, learner=student)
    lesson = _lessons(course)[1]

    # lesson, captions, instructors, enrollment, running exam, progress, sibling lessons
    with django_assert_num_queries(7):
        selectors.lesson_get_for_learner(user=student, lesson_id=lesson.pk)


# --- Progress and dashboard -----------------------------------------------------------------------


def test_course_progress_per_module_and_lesson(course, student):
    enrollment = EnrollmentFactory(course=course, learner=student)
    lessons = _lessons(course)
    LessonProgress.objects.create(
        learner=student, lesson=lessons[0], completed_at=timezone.now(), seconds_spent=120
    )
    LessonProgress.objects.create(
        learner=student, lesson=lessons[2], seconds_spent=30, last_position_seconds=25
    )
    enrollment.last_lesson = lessons[2]
    enrollment.save()

    progress = selectors.course_progress(user=student, course=course, enrollment=enrollment)

    assert (progress.completed_lesson_count, progress.lesson_count, progress.percent) == (1, 4, 25)
    assert progress.seconds_spent == 150
    assert [(m.percent, m.seconds_spent) for m in progress.modules] == [(50, 120), (0, 30)]
    assert [lesson.is_completed for m in progress.modules for lesson in m.lessons] == [
        True,
        False,
        False,
        False,
    ]
    assert progress.resume_lesson == lessons[2]
    assert progress.resume_position_seconds == 25
    assert progress.is_completed is False


def test_the_dashboard_lists_enrollments_most_recent_first_with_progress(
    student, django_assert_num_queries
):
    now = timezone.now()
    courses = [course_with_outline(title=f"Course {n}") for n in range(4)]
    for index, course in enumerate(courses):
        EnrollmentFactory(
            course=course, learner=student, last_activity_at=now - timedelta(hours=index)
        )
        _complete(student, _lessons(course)[: index + 1])
        LessonProgress.objects.filter(learner=student, lesson__module__course=course).update(
            seconds_spent=60
        )
    EnrollmentFactory(course=course_with_outline())  # someone else's

    with django_assert_num_queries(1):  # enrollments with their course and last lesson
        enrollments = list(selectors.enrollment_list_for_dashboard(user=student))
        _ = [(e.course.title, e.course.category, e.last_lesson) for e in enrollments]

    assert [e.course.title for e in enrollments] == ["Course 0", "Course 1", "Course 2", "Course 3"]
    assert [e.progress_percent for e in enrollments] == [25, 50, 75, 100]
    assert [e.seconds_spent for e in enrollments] == [60, 120, 180, 240]


def test_the_dashboard_knows_where_to_resume(course, student):
    lesson = _lessons(course)[1]
    EnrollmentFactory(course=course, learner=student, last_lesson=lesson)
    LessonProgress.objects.create(learner=student, lesson=lesson, last_position_seconds=73)

    (enrollment,) = selectors.enrollment_list_for_dashboard(user=student)

    assert enrollment.last_lesson == lesson
    assert enrollment.resume_position_seconds == 73


def test_catalog_categories_are_those_with_published_courses(catalog):
    CategoryFactory(name="Empty", slug="empty")
    course_with_outline(title="Uncategorised", category=None, language="de")
    course_with_outline(title="Draft in Spanish", language="es", status=Course.Status.DRAFT)

    facets = selectors.catalog_facets()

    assert [(c.name, c.slug, c.course_count) for c in facets.categories] == [
        ("Data", "data", 2),
        ("Design", "design", 1),
    ]
    assert facets.languages == ["de", "en", "fr"]


# --- Quizzes and certificates ---------------------------------------------------------------------


def test_an_attempt_lists_its_questions_and_choices_in_the_order_drawn(course, student):
    EnrollmentFactory(course=course, learner=student)
    quiz = QuizFactory(
        lesson__module=course.modules.first(), lesson__order=20, shuffle_choices=True
    )
    for order in (1, 2, 3):
        QuestionFactory(quiz=quiz, order=order, choices=[(f"c{i}", i == 0) for i in range(4)])
    attempt, _ = services.quiz_attempt_start(learner=student, quiz=quiz)

    shown = selectors.quiz_attempt_get_for_learner(user=student, attempt_id=attempt.pk)

    assert [question.pk for question in shown.drawn_questions] == attempt.question_ids
    for question in shown.drawn_questions:
        assert [choice.pk for choice in question.ordered_choices] == attempt.choice_order[
            str(question.pk)
        ]
        assert question.result is None


def test_nobody_sees_someone_elses_attempt(course, student, other_student):
    EnrollmentFactory(course=course, learner=student)
    quiz = quiz_lesson(course.modules.first(), order=20)
    attempt, _ = services.quiz_attempt_start(learner=student, quiz=quiz)

    with pytest.raises(NotAttemptOwnerError):
        selectors.quiz_attempt_get_for_learner(user=other_student, attempt_id=attempt.pk)


def test_the_quiz_summary_counts_attempts(course, student):
    EnrollmentFactory(course=course, learner=student)
    quiz = quiz_lesson(course.modules.first(), order=20, max_attempts=3)
    attempt, _ = services.quiz_attempt_start(learner=student, quiz=quiz)
    services.quiz_attempt_submit(learner=student, attempt=attempt, answers={})

    summary = selectors.quiz_get_for_learner(user=student, quiz_id=quiz.pk)

    assert len(summary.my_attempts) == 1
    assert summary.attempts_remaining == 2
    assert summary.has_passed is False
    assert summary.open_attempt is None
    assert str(summary.best_percent) == "0.00"
    assert summary.access_error is None


def test_quizzes_of_drafts_are_not_found(student):
    draft = course_with_outline(status=Course.Status.DRAFT, published_at=None)
    quiz = quiz_lesson(draft.modules.first(), order=20)

    with pytest.raises(QuizNotFoundError):
        selectors.quiz_get_for_learner(user=student, quiz_id=quiz.pk)


def test_certificates_are_found_by_public_id_only(course, student):
    certificate = Certificate.objects.create(
        learner=student, course=course, learner_name="Sam", course_title=course.title
    )

    assert selectors.certificate_get_public(public_id=str(certificate.public_id)) == certificate
    for unknown in (uuid4(), "not-a-uuid"):
        with pytest.raises(CertificateNotFoundError):
            selectors.certificate_get_public(public_id=unknown)


def test_a_learners_certificates_newest_first(student):
    older = CourseFactory()
    newer = CourseFactory()
    now = timezone.now()
    Certificate.objects.create(
        learner=student,
        course=older,
        learner_name="S",
        course_title="Old",
        issued_at=now - timedelta(days=1),
    )
    Certificate.objects.create(
        learner=student, course=newer, learner_name="S", course_title="New", issued_at=now
    )
    Certificate.objects.create(
        learner=StudentFactory(), course=newer, learner_name="O", course_title="New"
    )

    assert [c.course_title for c in selectors.certificate_list_for_learner(user=student)] == [
        "New",
        "Old",
    ]


def test_lesson_list_for_course_marks_completed_lessons(course, student):
    lessons = _lessons(course)
    _complete(student, lessons[1:2])

    listed = list(selectors.lesson_list_for_course(user=student, course=course))

    assert [lesson.pk for lesson in listed] == [lesson.pk for lesson in lessons]
    assert [lesson.is_completed for lesson in listed] == [False, True, False, False]


def test_lesson_get_refuses_lessons_of_hidden_courses(student):
    draft = course_with_outline(status=Course.Status.DRAFT, published_at=None)

    with pytest.raises(LessonNotFoundError):
        selectors.lesson_get(user=student, lesson_id=_lessons(draft)[0].pk)


def test_lessons_added_later_are_part_of_progress(course, student):
    enrollment = EnrollmentFactory(course=course, learner=student)
    _complete(student, _lessons(course))
    LessonFactory(module=course.modules.first(), order=30)

    progress = selectors.course_progress(user=student, course=course, enrollment=enrollment)

    assert (progress.completed_lesson_count, progress.lesson_count, progress.percent) == (4, 5, 80)
