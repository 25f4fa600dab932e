"""Analytics reads. Dashboards read the daily facts (never the raw events) in a fixed number of
queries whatever the data size; only quiz item analysis and at-risk learners read domain tables.
"""

from __future__ import annotations

import operator
import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import reduce
from typing import Any

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.utils import timezone

from analytics.exceptions import InvalidDateRangeError
from analytics.models import (
    DailyCourseFact,
    DailyLearnerFact,
    DailyRevenueFact,
    LearnerCohortFact,
    QuestionResponseFact,
    WeeklyLearnerFact,
)
from analytics.services import week_start
from core.roles import Role
from courses.models import Course, Enrollment, LessonProgress, Question, QuizAttempt

MAX_RANGE_DAYS = 366


@dataclass(frozen=True)
class DateRange:
    start: date
    end: date

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]


def date_range_parse(*, start: str | None, end: str | None, default_days: int = 30) -> DateRange:
    """A date range from ISO strings; defaults to the last `default_days` days ending today."""
    today = timezone.localdate()
    try:
        end_date = date.fromisoformat(end) if end else today
        start_date = date.fromisoformat(start) if start else end_date - timedelta(default_days - 1)
    except ValueError as error:
        raise InvalidDateRangeError(
            "Dates must be written YYYY-MM-DD.", fields={"start": ["Use YYYY-MM-DD."]}
        ) from error
    if start_date > end_date:
        raise InvalidDateRangeError("The start date must not be after the end date.")
    if (end_date - start_date).days >= MAX_RANGE_DAYS:
        raise InvalidDateRangeError(f"A range may span at most {MAX_RANGE_DAYS} days.")
    return DateRange(start_date, end_date)


def user_is_analytics_staff(user: Any) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.role == Role.ADMIN))


def course_list_for_analytics(*, user: Any) -> QuerySet[Course]:
    """The courses whose analytics `user` may see: all for staff, their own for instructors."""
    courses = Course.objects.order_by("title").only("id", "title", "slug")
    if user_is_analytics_staff(user):
        return courses
    if user.is_authenticated and user.role == Role.INSTRUCTOR:
        return courses.filter(instructors=user)
    return courses.none()


def course_list_for_instructor(*, user: Any) -> QuerySet[Course]:
    """The courses `user` teaches."""
    return Course.objects.filter(instructors=user).order_by("title").only("id", "title", "slug")


def _facts(model: Any, course_ids: list[int] | None, period: DateRange) -> QuerySet:
    facts = model.objects.filter(date__gte=period.start, date__lte=period.end)
    return facts if course_ids is None else facts.filter(course_id__in=course_ids)


def funnel(*, course_ids: list[int] | None, period: DateRange) -> list[dict[str, Any]]:
    """Enrolled → started → halfway → completed: how many learners took each step in the period."""
    totals = _facts(DailyCourseFact, course_ids, period).aggregate(
        enrolled=Sum("enrollments", default=0),
        started=Sum("starters", default=0),
        halfway=Sum("halfway", default=0),
        completed=Sum("completions", default=0),
    )
    base = totals["enrolled"] or 0
    labels = {
        "enrolled": "Enrolled",
        "started": "Started",
        "halfway": "Halfway",
        "completed": "Completed",
    }
    return [
        {
            "step": key,
            "label": label,
            "learners": totals[key],
            "percent": round(100 * totals[key] / base, 1) if base else 0.0,
        }
        for key, label in labels.items()
    ]


def daily_series(*, course_ids: list[int] | None, period: DateRange) -> list[dict[str, Any]]:
    """One row per day of the period (zeros included): enrolments, completions, active learners,
    lessons completed and minutes learned."""
    rows = {
        row["date"]: row
        for row in _facts(DailyCourseFact, course_ids, period)
        .values("date")
        .annotate(
            enrollments=Sum("enrollments"),
            completions=Sum("completions"),
            lessons_completed=Sum("lessons_completed"),
            learning_seconds=Sum("learning_seconds"),
        )
        .order_by("date")
    }
    counts = _active_learner_counts(
        course_ids,
        week_start(period.start),
        week_start(period.end),
        {f"day_{n}": (day, day) for n, day in enumerate(period.days)},
    )
    active = {day: counts[f"day_{n}"] for n, day in enumerate(period.days)}
    series = []
    for day in period.days:
        row = rows.get(day, {})
        series.append(
            {
                "date": day,
                "enrollments": row.get("enrollments") or 0,
                "completions": row.get("completions") or 0,
                "lessons_completed": row.get("lessons_completed") or 0,
                "learning_minutes": round((row.get("learning_seconds") or 0) / 60, 1),
                "active_learners": active.get(day, 0),
            }
        )
    return series


def _weekly_facts(course_ids: list[int] | None) -> QuerySet[WeeklyLearnerFact]:
    """The weekly rows to count learners in: one per learner and week for the platform, one per
    learner, course and week for courses (count those distinct)."""
    if course_ids is None:
        return WeeklyLearnerFact.objects.filter(course__isnull=True)
    return WeeklyLearnerFact.objects.filter(course_id__in=course_ids)


def _active_learner_counts(
    course_ids: list[int] | None,
    first_week: date,
    last_week: date,
    windows: dict[str, tuple[date, date]],
) -> dict[str, int]:
    """Distinct learners active on some day of each window (first day, last day), every window
    within weeks `first_week`..`last_week`. One query over the weekly facts: a week wholly
    inside a window counts its rows; a partial one the rows with a window's weekday bit set."""
    masks: dict[str, Any] = {}
    counts = {}
    for name, (start, end) in windows.items():
        weeks = []
        week = week_start(start)
        while week <= end:
            mask = sum(1 << n for n in range(7) if start <= week + timedelta(days=n) <= end)
            if mask == 127:
                weeks.append(Q(week=week))
            else:
                masks[f"mask_{mask}"] = F("days").bitand(mask)
                weeks.append(Q(week=week, **{f"mask_{mask}__gt": 0}))
            week += timedelta(days=7)
        # A learner has one platform row a week: within one week they count once without
        # DISTINCT (much cheaper than 30 distinct counts for a daily series).
        distinct = course_ids is not None or len(weeks) > 1
        counts[name] = Count("learner_id", filter=reduce(operator.or_, weeks), distinct=distinct)
    return (
        _weekly_facts(course_ids)
        .filter(week__gte=first_week, week__lte=last_week)
        .alias(**masks)
        .aggregate(**counts)
    )


def engagement(*, course_ids: list[int] | None, day: date) -> dict[str, Any]:
    """Distinct active learners on `day` (DAU), in the 7 (WAU) and 30 (MAU) days ending on it, and
    stickiness = DAU / MAU. One query over the weekly facts."""
    counts: dict[str, Any] = _active_learner_counts(
        course_ids,
        week_start(day - timedelta(days=29)),
        week_start(day),
        {
            "dau": (day, day),
            "wau": (day - timedelta(days=6), day),
            "mau": (day - timedelta(days=29), day),
        },
    )
    counts["stickiness_percent"] = (
        round(100 * counts["dau"] / counts["mau"], 1) if counts["mau"] else 0.0
    )
    counts["date"] = day
    return counts


def cohort_retention(
    *, course_ids: list[int] | None, period: DateRange, weeks: int = 8
) -> list[dict[str, Any]]:
    """Learners grouped by their cohort: the week (Monday) they were first active ever (in these
    courses, or at all), for the cohorts of the period's weeks; for each cohort, the percent of
    it active in each week from its own on, up to the period's last week (week 0 is 100%). One
    query over the weekly facts."""
    first_week, last_week = week_start(period.start), week_start(period.end)
    first_active = LearnerCohortFact.objects.filter(learner_id=OuterRef("learner_id"))
    first_active = (
        first_active.filter(course__isnull=True)
        if course_ids is None
        else first_active.filter(course_id__in=course_ids)
    )
    active = {
        (cohort, week): n
        for cohort, week, n in _weekly_facts(course_ids)
        .filter(week__gte=first_week, week__lte=last_week)
        .annotate(cohort=Subquery(first_active.order_by("week").values("week")[:1]))
        .filter(cohort__gte=first_week)
        .values("cohort", "week")
        .annotate(n=Count("learner_id", distinct=True))
        .values_list("cohort", "week", "n")
        .order_by()
    }
    result = []
    for cohort_week in sorted({cohort for cohort, _ in active}):
        members = active.get((cohort_week, cohort_week), 0)
        if not members:
            continue
        retention = []
        for offset in range(weeks):
            week = cohort_week + timedelta(weeks=offset)
            if week > last_week:
                break
            retention.append(round(100 * active.get((cohort_week, week), 0) / members, 1))
        result.append({"cohort": cohort_week, "learners": members, "retention": retention})
    return result


def course_popularity(
    *, course_ids: list[int] | None, period: DateRange, limit: int = 10
) -> list[dict[str, Any]]:
    """Courses ranked by enrolments in the period, then by learning time."""
    return list(
        _facts(DailyCourseFact, course_ids, period)
        .values("course_id", title=F("course__title"))
        .annotate(
            enrollments=Sum("enrollments"),
            completions=Sum("completions"),
            lessons_completed=Sum("lessons_completed"),
            learning_seconds=Sum("learning_seconds"),
        )
        .order_by("-enrollments", "-learning_seconds", "course_id")[:limit]
    )


def learning_time_by_learner(
    *, course_ids: list[int] | None, period: DateRange, limit: int = 10
) -> list[dict[str, Any]]:
    """The learners who learned longest in the period (minutes), with their active days. The
    platform reads the weekly facts (of a partial first or last week, only the days in the
    period count); courses read the daily facts (a day active in two courses is one day)."""
    if course_ids is not None:
        rows = (
            _facts(DailyLearnerFact, course_ids, period)
            .values("learner_id", email=F("learner__email"))
            .annotate(seconds=Sum("learning_seconds"), active_days=Count("date", distinct=True))
            .order_by("-seconds", "learner_id")[:limit]
        )
        return [{**row, "minutes": round(row["seconds"] / 60, 1)} for row in rows]
    first_week, last_week = week_start(period.start), week_start(period.end)
    bits, seconds, days = {}, [], []
    for n, field in enumerate(WeeklyLearnerFact.WEEKDAY_SECONDS):
        bits[f"bit_{n}"] = F("days").bitand(1 << n)
        outside = [first_week] if n < period.start.weekday() else []
        outside += [last_week] if n > period.end.weekday() else []
        inside = ~Q(week__in=outside) if outside else Q(week__gte=first_week)
        seconds.append(
            Sum(Case(When(inside, then=F(field)), default=Value(0), output_field=IntegerField()))
        )
        days.append(
            Sum(
                Case(
                    When(inside & Q(**{f"bit_{n}__gt": 0}), then=Value(1)),
                    default=Value(0),
                    output_field=IntegerField(),
                )
            )
        )
    rows = (
        _weekly_facts(None)
        .filter(week__gte=first_week, week__lte=last_week)
        .alias(**bits)
        .values("learner_id", email=F("learner__email"))
        .annotate(seconds=reduce(operator.add, seconds), active_days=reduce(operator.add, days))
        .filter(active_days__gt=0)
        .order_by("-seconds", "learner_id")[:limit]
    )
    return [{**row, "minutes": round(row["seconds"] / 60, 1)} for row in rows]


# Item analysis: an item answered correctly by fewer than 30% is too hard; one that the strongest
# learners miss about as often as the weakest (discrimination under 0.2) may be misleading.
HARD_BELOW = 0.3
WEAK_DISCRIMINATION_BELOW = 0.2
ITEM_ANALYSIS_MAX_ATTEMPTS = 5000


def quiz_item_analysis(*, course_ids: list[int] | None) -> list[dict[str, Any]]:
    """Per question: difficulty (share correct) and discrimination (share correct among the top
    27% of attempts by score minus the bottom 27%), from the latest submitted attempts."""
    attempts = QuizAttempt.objects.filter(submitted_at__isnull=False).order_by("-submitted_at")
    if course_ids is not None:
        attempts = attempts.filter(quiz__lesson__module__course_id__in=course_ids)
    by_quiz: dict[int, list[tuple[Decimal, dict[str, Any]]]] = defaultdict(list)
    for quiz_id, percent, results in attempts.values_list("quiz_id", "percent", "results")[
        :ITEM_ANALYSIS_MAX_ATTEMPTS
    ]:
        by_quiz[quiz_id].append((percent or Decimal(0), results or {}))
    stats: dict[int, dict[str, Any]] = {}
    for scored in by_quiz.values():
        scored.sort(key=lambda item: item[0])
        group = max(1, round(len(scored) * 0.27))
        lower, upper = scored[:group], scored[-group:]
        per_question: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        for _, results in scored:
            for question_id, result in results.items():
                counts = per_question[int(question_id)]
                counts[0] += 1
                counts[1] += 1 if result.get("is_correct") else 0

        def share(attempt_group: list, question_id: int) -> float:
            answered = [r for _, r in attempt_group if str(question_id) in r]
            if not answered:
                return 0.0
            return sum(1 for r in answered if r[str(question_id)].get("is_correct")) / len(answered)

        for question_id, (answered, correct) in per_question.items():
            difficulty = correct / answered
            discrimination = share(upper, question_id) - share(lower, question_id)
            flags = []
            if difficulty < HARD_BELOW:
                flags.append("too hard")
            if len(scored) >= 10 and discrimination < WEAK_DISCRIMINATION_BELOW:
                flags.append("misleading" if discrimination < 0 else "weak discrimination")
            stats[question_id] = {
                "question_id": question_id,
                "answered": answered,
                "difficulty": round(difficulty, 3),
                "discrimination": round(discrimination, 3),
                "flags": flags,
            }
    texts = (
        dict(Question.objects.filter(pk__in=stats.keys()).values_list("pk", "text"))
        if stats
        else {}
    )
    rows = [{**row, "text": texts.get(question_id, "")[:120]} for question_id, row in stats.items()]
    return sorted(rows, key=lambda row: (-len(row["flags"]), row["difficulty"], row["question_id"]))


@dataclass(frozen=True)
class AtRiskLearner:
    enrollment_id: int
    learner_id: int
    email: str
    course_id: int
    course_title: str
    last_activity_at: Any
    failed_attempts: int
    reasons: tuple[str, ...]
    # The lesson the learner is stuck on ("" if none).
    stuck_lesson: str = ""


def stuck_days_setting() -> int:
    """A learner is stuck when the lesson they are on (their resume point) was started this many
    days ago and is still not complete (settings.ANALYTICS_STUCK_DAYS)."""
    return settings.ANALYTICS_STUCK_DAYS


def at_risk_learner_list(
    *,
    course_ids: list[int] | None,
    inactive_days: int = 7,
    failed_attempts: int = 3,
    stuck_days: int | None = None,
    limit: int = 100,
) -> list[AtRiskLearner]:
    """Enrolled learners who have not finished and were inactive for `inactive_days`, failed the
    same quiz `failed_attempts` times without passing it, or are stuck: the lesson they are on
    was started `stuck_days` (default ANALYTICS_STUCK_DAYS) or more days ago and is not complete.
    Two queries."""
    now = timezone.now()
    cutoff = now - timedelta(days=inactive_days)
    stuck_cutoff = now - timedelta(
        days=stuck_days if stuck_days is not None else stuck_days_setting()
    )
    stuck_since = LessonProgress.objects.filter(
        learner_id=OuterRef("learner_id"),
        lesson_id=OuterRef("last_lesson_id"),
        completed_at__isnull=True,
        started_at__lte=stuck_cutoff,
    ).values("started_at")[:1]
    failing = (
        QuizAttempt.objects.filter(
            learner_id=OuterRef("learner_id"),
            quiz__lesson__module__course_id=OuterRef("course_id"),
            submitted_at__isnull=False,
            passed=False,
        )
        .values("learner_id", "quiz_id")
        .annotate(n=Count("id"))
        .filter(n__gte=failed_attempts)
    )
    passed_quiz = QuizAttempt.objects.filter(
        learner_id=OuterRef("learner_id"), quiz_id=OuterRef("quiz_id"), passed=True
    )
    failing = failing.annotate(has_passed=Exists(passed_quiz)).filter(has_passed=False)
    enrollments = Enrollment.objects.filter(completed_at__isnull=True)
    if course_ids is not None:
        enrollments = enrollments.filter(course_id__in=course_ids)
    inactive = Q(last_activity_at__lt=cutoff) | Q(
        last_activity_at__isnull=True, enrolled_at__lt=cutoff
    )
    rows = (
        enrollments.annotate(is_failing=Exists(failing), stuck_since=Subquery(stuck_since))
        .filter(inactive | Q(is_failing=True) | Q(stuck_since__isnull=False))
        .values(
            "id",
            "learner_id",
            "course_id",
            "last_activity_at",
            "enrolled_at",
            "is_failing",
            "stuck_since",
            email=F("learner__email"),
            course_title=F("course__title"),
            lesson_title=F("last_lesson__title"),
        )
        .order_by(F("last_activity_at").asc(nulls_first=True), "id")[:limit]
    )
    rows = list(rows)
    failures: dict[tuple[int, int], int] = defaultdict(int)
    if rows:
        for learner_id, course_id, n in (
            QuizAttempt.objects.filter(
                learner_id__in={r["learner_id"] for r in rows},
                quiz__lesson__module__course_id__in={r["course_id"] for r in rows},
                submitted_at__isnull=False,
                passed=False,
            )
            .values("learner_id", "quiz_id", "quiz__lesson__module__course_id")
            .annotate(n=Count("id"))
            .values_list("learner_id", "quiz__lesson__module__course_id", "n")
            .order_by()
        ):
            failures[(learner_id, course_id)] = max(failures[(learner_id, course_id)], n)
    result = []
    for row in rows:
        reasons = []
        last = row["last_activity_at"] or row["enrolled_at"]
        if last < cutoff:
            reasons.append(f"inactive for {(now - last).days} days")
        if row["is_failing"]:
            reasons.append(f"failed a quiz {failed_attempts}+ times")
        if row["stuck_since"] is not None:
            days = (now - row["stuck_since"]).days
            reasons.append(f"stuck on '{row['lesson_title']}' for {days} days")
        result.append(
            AtRiskLearner(
                enrollment_id=row["id"],
                learner_id=row["learner_id"],
                email=row["email"],
                course_id=row["course_id"],
                course_title=row["course_title"],
                last_activity_at=row["last_activity_at"],
                failed_attempts=failures.get((row["learner_id"], row["course_id"]), 0),
                reasons=tuple(reasons),
                stuck_lesson=row["lesson_title"] if row["stuck_since"] is not None else "",
            )
        )
    return result


def learner_stats(*, learner: Any) -> dict[str, Any]:
    """A learner's own figures: minutes learned this week (Monday on), the current daily streak
    (ending today or yesterday) and progress in each enrolment. Three queries."""
    today = timezone.localdate()
    week_start = today - timedelta(days=today.weekday())
    days = sorted(
        set(
            DailyLearnerFact.objects.filter(
                learner=learner, date__gt=today - timedelta(days=366)
            ).values_list("date", flat=True)
        ),
        reverse=True,
    )
    streak = 0
    expected = today if days and days[0] == today else today - timedelta(days=1)
    for day in days:
        if day != expected:
            break
        streak += 1
        expected -= timedelta(days=1)
    week_seconds = DailyLearnerFact.objects.filter(learner=learner, date__gte=week_start).aggregate(
        s=Sum("learning_seconds", default=0)
    )["s"]
    progress = [
        {
            "course_id": enrollment.course_id,
            "title": enrollment.course.title,
            "lessons": enrollment.lessons_total,
            "completed": enrollment.lessons_done,
            "percent": round(100 * enrollment.lessons_done / enrollment.lessons_total)
            if enrollment.lessons_total
            else 0,
            "is_completed": enrollment.completed_at is not None,
        }
        for enrollment in Enrollment.objects.filter(learner=learner)
        .select_related("course")
        .annotate(
            lessons_total=Count("course__modules__lessons", distinct=True),
            lessons_done=Count(
                "course__modules__lessons__progress_records",
                filter=Q(
                    course__modules__lessons__progress_records__learner=learner,
                    course__modules__lessons__progress_records__completed_at__isnull=False,
                ),
                distinct=True,
            ),
        )
        .order_by("-enrolled_at")
    ]
    return {
        "week_minutes": round(week_seconds / 60, 1),
        "streak_days": streak,
        "progress": progress,
    }


def learner_week(*, learner: Any) -> dict[str, Any]:
    """The learner's last seven days (today last): minutes learned per day, their total and the
    days with any learning. One query."""
    today = timezone.localdate()
    first = today - timedelta(days=6)
    seconds = dict(
        DailyLearnerFact.objects.filter(learner=learner, date__gte=first, date__lte=today)
        .values("date")
        .annotate(s=Sum("learning_seconds"))
        .values_list("date", "s")
    )
    days = [
        {
            "date": first + timedelta(days=n),
            "minutes": (seconds.get(first + timedelta(days=n)) or 0) // 60,
        }
        for n in range(7)
    ]
    most = max((day["minutes"] for day in days), default=0)
    return {
        "days": days,
        "most_minutes": most,
        "total_minutes": sum(day["minutes"] for day in days),
        "active_days": sum(1 for day in days if day["minutes"] > 0),
    }


def _median_hours(seconds: list[int]) -> float | None:
    return round(statistics.median(seconds) / 3600, 2) if seconds else None


def _instructor_links(
    course_ids: list[int] | None, instructor_ids: list[int] | None
) -> list[tuple[int, str, int, str, int, int]]:
    """(instructor id, e-mail, course id, title, rating count, rating total) per taught course."""
    links = Course.instructors.through.objects.all()
    if course_ids is not None:
        links = links.filter(course_id__in=course_ids)
    if instructor_ids is not None:
        links = links.filter(user_id__in=instructor_ids)
    return list(
        links.order_by("user__email", "course__title").values_list(
            "user_id",
            "user__email",
            "course_id",
            "course__title",
            "course__rating_count",
            "course__rating_total",
        )
    )


def instructor_performance(
    *, course_ids: list[int] | None, period: DateRange, instructor_ids: list[int] | None = None
) -> list[dict[str, Any]]:
    """Per instructor, over their courses (limited to `course_ids`): the learners' mean rating
    (all time, weighted by ratings), enrolments, completions and completion rate in the period,
    questions asked, questions that got a first answer and the median hours to that first answer
    (by anyone but the asker) in the period, and course revenue net of refunds. Three queries."""
    links = _instructor_links(course_ids, instructor_ids)
    linked_courses = sorted({link[2] for link in links})
    if not linked_courses:
        return []
    per_course = {
        row["course_id"]: row
        for row in _facts(DailyCourseFact, linked_courses, period)
        .values("course_id")
        .annotate(
            enrollments=Sum("enrollments"),
            completions=Sum("completions"),
            questions_asked=Sum("questions_asked"),
            questions_answered=Sum("questions_answered"),
            revenue_cents=Sum("revenue_cents"),
            refunds_cents=Sum("refunds_cents"),
        )
        .order_by()
    }
    responses: dict[int, list[int]] = defaultdict(list)
    for course_id, seconds in _facts(QuestionResponseFact, linked_courses, period).values_list(
        "course_id", "seconds"
    ):
        responses[course_id].append(seconds)
    rows: dict[int, dict[str, Any]] = {}
    for instructor_id, email, course_id, _title, rating_count, rating_total in links:
        row = rows.setdefault(
            instructor_id,
            {
                "instructor_id": instructor_id,
                "email": email,
                "courses": 0,
                "rating_count": 0,
                "rating_total": 0,
                "enrollments": 0,
                "completions": 0,
                "questions_asked": 0,
                "questions_answered": 0,
                "revenue_cents": 0,
                "refunds_cents": 0,
                "_seconds": [],
            },
        )
        row["courses"] += 1
        row["rating_count"] += rating_count
        row["rating_total"] += rating_total
        facts = per_course.get(course_id, {})
        for key in (
            "enrollments",
            "completions",
            "questions_asked",
            "questions_answered",
            "revenue_cents",
            "refunds_cents",
        ):
            row[key] += facts.get(key) or 0
        row["_seconds"].extend(responses.get(course_id, []))
    result = []
    for row in rows.values():
        seconds = row.pop("_seconds")
        total = row.pop("rating_total")
        result.append(
            {
                **row,
                "average_rating": round(total / row["rating_count"], 2)
                if row["rating_count"]
                else None,
                "completion_percent": round(100 * row["completions"] / row["enrollments"], 1)
                if row["enrollments"]
                else 0.0,
                "median_response_hours": _median_hours(seconds),
                "net_revenue_cents": row["revenue_cents"] - row["refunds_cents"],
            }
        )
    return result


def revenue_summary(*, course_ids: list[int] | None, period: DateRange) -> dict[str, Any]:
    """Money in the period, in cents. For the platform (`course_ids` None): MRR on the period's
    last day (monthly invoices paid in the 30 days ending on it plus a twelfth of the yearly ones
    paid in the 365 days ending on it), subscription and purchase revenue, refunds and the daily
    series. For courses: their one-time purchases and refunds only (subscriptions belong to no
    course). Both: revenue per course. Two queries."""
    by_course = list(
        _facts(DailyCourseFact, course_ids, period)
        .filter(Q(revenue_cents__gt=0) | Q(refunds_cents__gt=0))
        .values("course_id", title=F("course__title"))
        .annotate(revenue_cents=Sum("revenue_cents"), refunds_cents=Sum("refunds_cents"))
        .order_by("-revenue_cents", "course_id")
    )
    for row in by_course:
        row["net_cents"] = row["revenue_cents"] - row["refunds_cents"]
    if course_ids is not None:
        series_rows = {
            row["date"]: row
            for row in _facts(DailyCourseFact, course_ids, period)
            .values("date")
            .annotate(revenue=Sum("revenue_cents"), refunds=Sum("refunds_cents"))
            .order_by()
        }
        daily = [
            {
                "date": day,
                "revenue_cents": (series_rows.get(day, {}).get("revenue") or 0),
                "refunds_cents": (series_rows.get(day, {}).get("refunds") or 0),
                "revenue": round((series_rows.get(day, {}).get("revenue") or 0) / 100, 2),
            }
            for day in period.days
        ]
        revenue = sum(day["revenue_cents"] for day in daily)
        refunds = sum(day["refunds_cents"] for day in daily)
        return {
            "mrr_cents": None,
            "subscription_cents": None,
            "purchase_cents": revenue,
            "revenue_cents": revenue,
            "refunds_cents": refunds,
            "subscription_refunds_cents": None,
            "purchase_refunds_cents": refunds,
            "net_cents": revenue - refunds,
            "daily": daily,
            "by_course": by_course,
        }
    facts = list(
        DailyRevenueFact.objects.filter(
            date__gt=min(period.start - timedelta(days=1), period.end - timedelta(days=365)),
            date__lte=period.end,
        ).order_by("date")
    )
    in_period = {fact.date: fact for fact in facts if fact.date >= period.start}
    month_start = period.end - timedelta(days=30)
    year_start = period.end - timedelta(days=365)
    monthly = sum(fact.subscription_monthly_cents for fact in facts if fact.date > month_start)
    yearly = sum(fact.subscription_yearly_cents for fact in facts if fact.date > year_start)
    # An invoice refunded by the period's end leaves MRR (refunding one ends its subscription).
    for fact in facts:
        for refunded in fact.refunded_invoices:
            if refunded["paid_on"] is None:
                continue  # its payment is not in these facts, so neither is it in MRR
            paid_on = date.fromisoformat(refunded["paid_on"])
            if refunded["interval"] == "year" and paid_on > year_start:
                yearly -= refunded["cents"]
            elif refunded["interval"] != "year" and paid_on > month_start:
                monthly -= refunded["cents"]
    subscriptions = sum(
        f.subscription_monthly_cents + f.subscription_yearly_cents for f in in_period.values()
    )
    purchases = sum(fact.purchase_cents for fact in in_period.values())
    refunds = sum(fact.refunds_cents for fact in in_period.values())
    subscription_refunds = sum(fact.subscription_refunds_cents for fact in in_period.values())
    daily = []
    for day in period.days:
        fact = in_period.get(day)
        revenue = (
            fact.subscription_monthly_cents + fact.subscription_yearly_cents + fact.purchase_cents
            if fact
            else 0
        )
        daily.append(
            {
                "date": day,
                "revenue_cents": revenue,
                "refunds_cents": fact.refunds_cents if fact else 0,
                "revenue": round(revenue / 100, 2),
            }
        )
    return {
        "mrr_cents": max(0, monthly) + round(max(0, yearly) / 12),
        "subscription_cents": subscriptions,
        "purchase_cents": purchases,
        "revenue_cents": subscriptions + purchases,
        "refunds_cents": refunds,
        "subscription_refunds_cents": subscription_refunds,
        "purchase_refunds_cents": refunds - subscription_refunds,
        "net_cents": subscriptions + purchases - refunds,
        "daily": daily,
        "by_course": by_course,
    }
