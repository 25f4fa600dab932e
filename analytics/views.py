"""The instructor (/teach/analytics/) and staff (/staff/analytics/) dashboards: thin views over
the selectors, a CSV export of every table, and the one-click nudge for at-risk learners."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from analytics import charts, selectors, services
from analytics.forms import DashboardFilterForm
from core.exceptions import ApplicationError
from core.roles import Role
from courses.models import Enrollment

EXPORTS = (
    "daily",
    "funnel",
    "popularity",
    "learners",
    "quiz_items",
    "at_risk",
    "cohorts",
    "instructors",
    "revenue",
    "revenue_courses",
)


def _can_teach(user: Any) -> bool:
    return selectors.user_is_analytics_staff(user) or user.role == Role.INSTRUCTOR


def _dashboard(request: HttpRequest, *, staff: bool) -> HttpResponse:
    user = request.user
    # Staff see every course; the instructor dashboard shows one's own courses, also to staff.
    courses = list(
        selectors.course_list_for_analytics(user=user)
        if staff
        else selectors.course_list_for_instructor(user=user)
    )
    form = DashboardFilterForm(request.GET or None, courses=courses)
    status = 200
    if request.GET and not form.is_valid():
        status = 400
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    try:
        period = selectors.date_range_parse(
            start=data.get("start") and data["start"].isoformat(),
            end=data.get("end") and data["end"].isoformat(),
        )
    except ApplicationError as error:
        messages.error(request, error.message)
        status = 400
        period = selectors.date_range_parse(start=None, end=None)
    selected = data.get("course")
    if selected is not None:
        course_ids: list[int] | None = [selected]
    else:
        course_ids = None if staff else [course.pk for course in courses]

    figures: dict[str, Any] = {
        "funnel": selectors.funnel(course_ids=course_ids, period=period),
        "daily": selectors.daily_series(course_ids=course_ids, period=period),
        "engagement": selectors.engagement(course_ids=course_ids, day=period.end),
        "cohorts": selectors.cohort_retention(course_ids=course_ids, period=period),
        "popularity": selectors.course_popularity(course_ids=course_ids, period=period),
        "learners": selectors.learning_time_by_learner(course_ids=course_ids, period=period),
        "quiz_items": selectors.quiz_item_analysis(course_ids=course_ids),
        "at_risk": selectors.at_risk_learner_list(course_ids=course_ids),
        # The instructor dashboard shows the instructor's own row; staff see every instructor.
        "instructors": selectors.instructor_performance(
            course_ids=course_ids, period=period, instructor_ids=None if staff else [user.pk]
        ),
    }
    revenue = selectors.revenue_summary(course_ids=course_ids, period=period)
    figures["revenue"] = revenue["daily"]
    figures["revenue_courses"] = revenue["by_course"]
    export = request.GET.get("export")
    if export:
        if export not in EXPORTS:
            return HttpResponse(
                f"Unknown export '{export}'. Choose one of: {', '.join(EXPORTS)}.",
                status=400,
                content_type="text/plain",
            )
        return _csv(figures[export], f"{export}-{period.start}-{period.end}.csv")
    context = {
        "staff": staff,
        "form": form,
        "period": period,
        "courses": courses,
        "figures": figures,
        "active_chart": charts.bar_chart(rows=figures["daily"], value_key="active_learners"),
        "minutes_chart": charts.bar_chart(rows=figures["daily"], value_key="learning_minutes"),
        "funnel_chart": charts.funnel_chart(steps=figures["funnel"]),
        "revenue": revenue,
        "revenue_chart": charts.bar_chart(rows=revenue["daily"], value_key="revenue"),
        "query": request.GET.urlencode(),
        "exports": EXPORTS,
    }
    return render(request, "analytics/dashboard.html", context, status=status)


def _csv(rows: list[Any], filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    dict_rows = [row if isinstance(row, dict) else row.__dict__ for row in rows]
    if dict_rows:
        header = list(dict_rows[0].keys())
        writer.writerow(header)
        for row in dict_rows:
            writer.writerow([_cell(row[key]) for key in header])
    return response


def _cell(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return "; ".join(str(item) for item in value)
    return value.isoformat() if hasattr(value, "isoformat") else value


@login_required
def teach_dashboard(request: HttpRequest) -> HttpResponse:
    if not _can_teach(request.user):
        raise PermissionDenied("The analytics dashboard is for instructors.")
    return _dashboard(request, staff=False)


@login_required
def staff_dashboard(request: HttpRequest) -> HttpResponse:
    if not selectors.user_is_analytics_staff(request.user):
        raise PermissionDenied("The platform dashboard is for staff.")
    return _dashboard(request, staff=True)


@login_required
@require_POST
def learner_nudge(request: HttpRequest, enrollment_id: int) -> HttpResponse:
    if not _can_teach(request.user):
        raise PermissionDenied("Only instructors can nudge learners.")
    allowed = selectors.course_list_for_analytics(user=request.user)
    enrollment = get_object_or_404(
        Enrollment.objects.select_related("learner", "course").filter(course__in=allowed),
        pk=enrollment_id,
    )
    try:
        services.learner_nudge(
            course=enrollment.course, learner=enrollment.learner, sent_by=request.user
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Reminder sent to {enrollment.learner.email}.")
    return redirect("analytics:teach")
