"""Binge mode's run: how many lessons the learner has completed in a row."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from learning import selectors
from learning.models import LearningPreference, Mode
from learning.selectors import BINGE_SESSION_GAP
from learning.services import preference_get


@transaction.atomic
def binge_lesson_done(*, learner: Any, course_id: int, at: dt.datetime | None = None) -> int:
    """A lesson was completed: in a course where binge mode is in force it extends the learner's
    run (or starts a new one after a pause of more than 30 minutes); in any other mode it does
    nothing. Returns the run's length now (0 outside binge mode)."""
    if selectors.mode_for(user=learner, course_id=course_id) != Mode.BINGE:
        return 0
    moment = at or timezone.now()
    preference_get(user=learner)
    preference = LearningPreference.objects.select_for_update().get(user=learner)
    previous = preference.binge_last_lesson_at
    if previous is not None and dt.timedelta(0) <= moment - previous <= BINGE_SESSION_GAP:
        preference.binge_run_count += 1
    else:
        preference.binge_run_count = 1
    preference.binge_last_lesson_at = moment
    preference.save(update_fields=["binge_run_count", "binge_last_lesson_at"])
    return preference.binge_run_count
