"""Dashboard render time and query count on `seed_load_events` data, against a raw-events baseline.

    DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python benchmarks/analytics_dashboards.py
    (--repeat N renders per page, --events N to seed; --help)

Builds the database (migrate + `seed_load_events`, default 1,000,000 events) unless it already holds
events, then renders /teach/analytics/ (an instructor) and /staff/analytics/ (an admin) through
Django's test client REPEAT times each and reports the median time and the query count. The
baseline is what a dashboard without roll-ups would run: the same funnel and daily active
learners computed straight from the raw events table. Results are written to
benchmarks/reports/analytics_dashboards.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings")
os.environ.setdefault("DJANGO_ENV", "development")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/lumen-bench.sqlite3")
os.environ.setdefault("LOG_LEVEL", "ERROR")
os.environ.setdefault("SLOW_QUERY_MS", "100000")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count, Q  # noqa: E402
from django.db.models.functions import TruncDate  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

REPEAT = int(os.environ.get("REPEAT", "7"))
EVENTS = int(os.environ.get("EVENTS", "1000000"))


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=REPEAT, help="Renders per page (median).")
    parser.add_argument(
        "--events", type=int, default=EVENTS, help="Events to seed when the database has fewer."
    )
    return parser.parse_args()


def ensure_data(events: int) -> None:
    from analytics.models import Event

    call_command("migrate", verbosity=0)
    if Event.objects.count() < events:
        started = time.perf_counter()
        call_command("seed_load_events", events=events)
        print(f"seed_load_events: {time.perf_counter() - started:.1f} s")


def measure(callable_, repeat: int) -> tuple[float, int]:
    timings, queries = [], 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            callable_()
            timings.append((time.perf_counter() - started) * 1000)
        queries = len(captured)
    return statistics.median(timings), queries


def main() -> None:
    args = options()
    setup_test_environment()
    settings.ALLOWED_HOSTS = ["*"]
    settings.MFA_REQUIRED_FOR_STAFF = False
    ensure_data(args.events)
    from accounts.models import User
    from analytics.models import Event
    from courses.models import Course

    instructor = User.objects.filter(email__startswith="load-teacher-").first()
    admin, _ = User.objects.get_or_create(
        email="load-admin@example.com", defaults={"role": "admin", "is_staff": True}
    )
    total = Event.objects.count()
    end = timezone.localdate()
    start = end - timedelta(days=29)
    params = {"start": start.isoformat(), "end": end.isoformat()}

    def page(user, url):
        client = Client()
        client.force_login(user)

        def render():
            response = client.get(url, params)
            assert response.status_code == 200, response.status_code

        return render

    course_ids = list(Course.objects.filter(instructors=instructor).values_list("id", flat=True))

    def raw_baseline():
        window = Event.objects.filter(
            occurred_at__date__gte=start, occurred_at__date__lte=end, course_id__in=course_ids
        )
        window.aggregate(
            enrolled=Count("id", filter=Q(kind="enrolled")),
            completed=Count("id", filter=Q(kind="course_completed")),
            started=Count("user_id", filter=Q(kind="lesson_completed"), distinct=True),
        )
        list(
            window.annotate(day=TruncDate("occurred_at"))
            .values("day")
            .annotate(n=Count("user_id", distinct=True))
        )

    rows = []
    for name, fn in (
        ("instructor dashboard /teach/analytics/", page(instructor, "/teach/analytics/")),
        ("staff dashboard /staff/analytics/", page(admin, "/staff/analytics/")),
        ("baseline: funnel + daily actives from raw events (instructor)", raw_baseline),
        ("bare view /healthz", page(admin, "/healthz")),
    ):
        median, queries = measure(fn, args.repeat)
        rows.append((name, median, queries))
        print(f"{name}: {median:.1f} ms median, {queries} queries")

    baseline_ms = rows[2][1]
    report = ROOT / "benchmarks" / "reports" / "analytics_dashboards.md"
    report.parent.mkdir(parents=True, exist_ok=True)
    lines = [
        "# Analytics dashboards on seed_load_events data",
        "",
        f"- Events: {total:,}; database: `{settings.DATABASES['default']['ENGINE']}`; "
        f"range: {start} to {end}; median of {args.repeat} renders in-process (Django test "
        "client).",
        "",
        "| what | median ms | queries | ratio to raw-events baseline |",
        "|---|---:|---:|---:|",
    ]
    lines += [
        f"| {name} | {ms:.1f} | {queries} | {ms / baseline_ms:.2f} |" for name, ms, queries in rows
    ]
    report.write_text("\n".join(lines) + "\n")
    report.with_suffix(".json").write_text(
        json.dumps(
            {
                "events": total,
                "database": settings.DATABASES["default"]["ENGINE"],
                "range": [start.isoformat(), end.isoformat()],
                "repeat": args.repeat,
                "rows": [
                    {"what": name, "median_ms": round(ms, 1), "queries": queries}
                    for name, ms, queries in rows
                ],
            },
            indent=2,
        )
        + "\n"
    )
    print(f"written {report} and its .json")


if __name__ == "__main__":
    main()
