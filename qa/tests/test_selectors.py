"""Reads: search (PostgreSQL full text, substring on SQLite), filters, visibility, similarity."""

from __future__ import annotations

import pytest
from django.contrib.postgres.search import SearchQuery
from django.db import connection

from accounts.models import User
from courses.tests.factories import CourseFactory
from qa import selectors, services
from qa.models import Category, Question, question_search_vector
from qa.selectors import QuestionFilters
from qa.tests.factories import StudentFactory, make_answer, make_question

pytestmark = pytest.mark.django_db


def _titles(questions) -> list[str]:
    return [question.title for question in questions]


@pytest.fixture
def library(categories: dict[str, Category]) -> dict[str, Question]:
    return {
        "docker": make_question(
            title="Docker container exits immediately",
            body="The container stops with exit code 0 after docker run.",
            category=categories["devops"],
            tags=["docker"],
        ),
        "pandas": make_question(
            title="Group a pandas DataFrame by month",
            body="I need totals per month from a dates column.",
            category=categories["data"],
            tags=["pandas"],
        ),
        "compose": make_question(
            title="Compose service cannot reach the database",
            body="My web container gets connection refused from docker compose.",
            category=categories["devops"],
        ),
    }


def test_search_finds_words_in_titles_and_bodies(library: dict[str, Question]) -> None:
    found = selectors.question_list(viewer=None, filters=QuestionFilters(search="docker"))

    assert set(_titles(found)) == {library["docker"].title, library["compose"].title}


def test_search_ranks_title_matches_first(library: dict[str, Question]) -> None:
    found = selectors.question_list(viewer=None, filters=QuestionFilters(search="docker container"))

    assert _titles(found)[0] == library["docker"].title


def test_search_with_no_match_is_empty(library: dict[str, Question]) -> None:
    assert not selectors.question_list(viewer=None, filters=QuestionFilters(search="kubernetes"))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL full-text search")
def test_postgres_search_stems_words_and_uses_the_gin_index(library: dict[str, Question]) -> None:
    found = selectors.question_list(
        viewer=None, filters=QuestionFilters(search="exiting containers")
    )
    assert _titles(found)[0] == library["docker"].title

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'qa_question_search_gin'")
        (definition,) = cursor.fetchone()
    assert "gin" in definition
    assert "to_tsvector" in definition
    with connection.cursor() as cursor:
        # A GIN index is read by a bitmap scan: with plain scans off, a usable GIN index is the
        # only way left to the rows, so the plan names it unless the query cannot use it.
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("SET enable_indexscan = off")
        # The search condition alone (the page's other filters have indexes of their own that
        # a tiny test table may prefer): it must be answerable from the GIN index.
        searched = (
            Question.objects.annotate(search_document=question_search_vector())
            .filter(
                search_document=SearchQuery("docker", search_type="websearch", config="english")
            )
            .values("id")
        )
        sql, params = searched.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET enable_seqscan = on")
        cursor.execute("SET enable_indexscan = on")
    assert "qa_question_search_gin" in plan, plan


def test_filters_by_category_tag_course_and_unanswered(
    library: dict[str, Question], categories: dict[str, Category]
) -> None:
    course = CourseFactory()
    about_course = make_question(title="A question about the course", course=course)
    make_answer(question=library["docker"])

    def titles(**filters) -> set[str]:
        return set(
            _titles(selectors.question_list(viewer=None, filters=QuestionFilters(**filters)))
        )

    assert titles(category="devops") == {library["docker"].title, library["compose"].title}
    assert titles(tag="pandas") == {library["pandas"].title}
    assert titles(course=course.pk) == {about_course.title}
    assert titles(unanswered=True) == {
        library["pandas"].title,
        library["compose"].title,
        about_course.title,
    }


def test_sorting_by_votes_and_activity(library: dict[str, Question]) -> None:
    rated = make_answer(question=library["pandas"])
    services.answer_star(answer=rated, rater=StudentFactory(), stars=4)
    make_answer(question=library["docker"])  # the most recent activity

    by_votes = selectors.question_list(viewer=None, filters=QuestionFilters(sort="votes"))
    by_activity = selectors.question_list(viewer=None, filters=QuestionFilters(sort="active"))

    assert _titles(by_votes)[0] == library["pandas"].title
    assert by_votes[0].rating_count == 1
    assert _titles(by_activity)[0] == library["docker"].title


def test_hidden_questions_disappear_for_everyone_but_the_asker_and_moderators(
    asker: User, other_student: User, admin_user: User, instructor: User
) -> None:
    course = CourseFactory(instructors=[instructor])
    hidden = make_question(asker=asker, title="A question that gets hidden", course=course)
    services.post_hide(post=hidden, moderator=admin_user)

    def visible_to(viewer) -> bool:
        return hidden in selectors.question_list(viewer=viewer)

    assert not visible_to(None)
    assert not visible_to(other_student)
    assert not visible_to(InstructorOfAnotherCourse())
    assert visible_to(asker)
    assert visible_to(instructor)
    assert visible_to(admin_user)


def InstructorOfAnotherCourse() -> User:  # noqa: N802 - reads like a factory in the test above
    from qa.tests.factories import InstructorFactory

    other = InstructorFactory()
    CourseFactory(instructors=[other])
    return other


def test_hidden_answers_disappear_for_others(
    question: Question, answerer: User, other_student: User, admin_user: User
) -> None:
    hidden = make_answer(question=question, author=answerer)
    services.post_hide(post=hidden, moderator=admin_user)

    assert hidden not in selectors.answer_list_for_question(question=question, viewer=other_student)
    assert hidden in selectors.answer_list_for_question(question=question, viewer=answerer)
    assert hidden in selectors.answer_list_for_question(question=question, viewer=admin_user)
    assert selectors.question_list(viewer=None).get(pk=question.pk).answer_count == 0


def test_similar_questions_share_words_with_the_title(library: dict[str, Question]) -> None:
    similar = selectors.question_similar_list(
        title="docker container exits right away", viewer=None
    )

    assert _titles(similar) == [library["docker"].title]
    assert selectors.question_similar_list(title="ab", viewer=None) == []
    assert (
        selectors.question_similar_list(
            title="docker container exits right away", viewer=None, exclude_id=library["docker"].pk
        )
        == []
    )


def test_category_experts_are_the_top_answerers(categories: dict[str, Category]) -> None:
    best, good, elsewhere = StudentFactory(), StudentFactory(), StudentFactory()
    for _ in range(2):
        question = make_question(category=categories["python"])
        services.answer_accept(
            answer=make_answer(question=question, author=best), actor=question.asker
        )
    make_answer(question=make_question(category=categories["python"]), author=good)
    make_answer(question=make_question(category=categories["data"]), author=elsewhere)

    experts = selectors.category_experts(category=categories["python"])

    assert experts == [best, good]


def test_privileges_follow_reputation_and_role(other_student: User, instructor: User) -> None:
    from qa.models import UserReputation

    assert selectors.user_privileges(user=other_student) == {
        "ask": True,
        "comment": False,
        "edit": False,
        "close": False,
    }
    UserReputation.objects.create(user=other_student, points=200)
    assert selectors.user_privileges(user=other_student) == {
        "ask": True,
        "comment": True,
        "edit": True,
        "close": False,
    }
    assert all(selectors.user_privileges(user=instructor).values())


def _plan(queryset) -> str:
    """PostgreSQL's plan for a page of `queryset`, with every way round an ordered index scan
    made too dear (a tiny test table would otherwise be read whole and sorted)."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
            cursor.execute(f"SET {setting} = off")
        try:
            cursor.execute(f"EXPLAIN {sql}", params)
            return "\n".join(row[0] for row in cursor.fetchall())
        finally:
            for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
                cursor.execute(f"SET {setting} = on")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL query plans")
@pytest.mark.parametrize(
    ("filters", "index"),
    [
        (QuestionFilters(), "qa_question_newest"),
        (QuestionFilters(sort="active"), "qa_question_last_active"),
        (QuestionFilters(sort="votes"), "qa_question_votes"),
        (QuestionFilters(unanswered=True), "qa_question_unanswered"),
    ],
)
def test_each_order_of_the_list_reads_a_page_from_its_index_without_sorting(
    library: dict[str, Question], other_student: User, filters: QuestionFilters, index: str
) -> None:
    for viewer in (None, other_student):  # a learner also sees their own hidden questions
        page = selectors.question_list(viewer=viewer, filters=filters)[:20]

        plan = _plan(page)

        assert index in plan, plan
        assert "Sort" not in plan, plan  # the index gives the order: no sort of every row
        assert "qa_answer" not in plan, plan  # no counting of answers per question
