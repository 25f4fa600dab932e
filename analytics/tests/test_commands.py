from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from analytics.models import DailyCourseFact, Event
from analytics.tests import data

pytestmark = pytest.mark.django_db


def test_backfill_rebuilds_facts_for_the_range(instructor):
    data.generate(instructor=instructor)
    end = data.START + timedelta(days=data.DAYS - 1)
    out = StringIO()
    call_command(
        "analytics_backfill", start=data.START.isoformat(), end=end.isoformat(), stdout=out
    )
    assert out.getvalue().count("course facts") == data.DAYS
    assert DailyCourseFact.objects.filter(date__lt=data.START).count() == 0
    assert DailyCourseFact.objects.count() > 0


def test_backfill_refuses_bad_dates():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("analytics_backfill", start="march")
    with pytest.raises(CommandError, match="after"):
        call_command("analytics_backfill", start="2026-03-10", end="2026-03-01")


def test_seed_load_events_writes_the_requested_number_of_events():
    call_command(
        "seed_load_events", events=3000, learners=30, courses=4, days=10, stdout=StringIO()
    )
    assert Event.objects.count() == 3000
    assert DailyCourseFact.objects.exists()
