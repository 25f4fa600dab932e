"""Turn other apps' events into notifications for the people they concern."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from courses import events as course_events
from gamification import events as gamification_events
from notifications import services
from notifications.models import Kind
from qa import events as qa_events


def _question_link(question: Any, answer: Any = None) -> str:
    link = reverse("qa:detail", args=[question.pk])
    return f"{link}#answer-{answer.pk}" if answer is not None else link


def on_answer_posted(sender: Any, answer: Any, question: Any, **_: Any) -> None:
    if answer.author_id == question.asker_id:
        return
    author = answer.author.display_name or "Someone"
    services.notify(
        recipient=question.asker,
        kind=Kind.ANSWER_POSTED,
        title=f"{author} answered “{question.title[:120]}”",
        body=answer.body[:300],
        link=_question_link(question, answer),
        dedupe_key=f"answer-posted:{answer.pk}",
    )


def on_answer_rated(sender: Any, answer: Any, rater: Any, kind: str, value: int, **_: Any) -> None:
    what = f"{value} XP" if kind == "xp" else f"{value} star{'s' if value != 1 else ''}"
    services.notify(
        recipient=answer.author,
        kind=Kind.ANSWER_RATED,
        title=f"Your answer received {what}",
        body=answer.question.title[:300],
        link=_question_link(answer.question, answer),
        dedupe_key=f"answer-rated:{answer.pk}:{rater.pk}:{kind}:{value}",
    )


def on_answer_accepted(sender: Any, answer: Any, question: Any, **_: Any) -> None:
    services.notify(
        recipient=answer.author,
        kind=Kind.ANSWER_ACCEPTED,
        title="Your answer was accepted",
        body=question.title[:300],
        link=_question_link(question, answer),
        dedupe_key=f"answer-accepted:{answer.pk}",
    )


def on_level_reached(sender: Any, user: Any, level: int, title: str, **_: Any) -> None:
    services.notify(
        recipient=user,
        kind=Kind.LEVEL_UP,
        title=f"Level {level}! You are now a {title}.",
        link=reverse("gamification:progress"),
        dedupe_key=f"level:{level}",
    )


def on_achievement_unlocked(sender: Any, user: Any, achievement: Any, **_: Any) -> None:
    services.notify(
        recipient=user,
        kind=Kind.ACHIEVEMENT,
        title=f"Badge unlocked: {achievement.name}",
        body=achievement.description,
        link=reverse("gamification:progress"),
        dedupe_key=f"achievement:{achievement.code}",
    )


def on_course_completed(sender: Any, enrollment: Any, **_: Any) -> None:
    services.notify(
        recipient=enrollment.learner,
        kind=Kind.COURSE_COMPLETED,
        title=f"You finished “{enrollment.course.title}”",
        body="Your certificate is ready.",
        link=reverse("courses:complete", args=[enrollment.course.slug]),
        dedupe_key=f"course-completed:{enrollment.pk}",
    )


def connect() -> None:
    qa_events.answer_posted.connect(on_answer_posted, dispatch_uid="notif_answer_posted")
    qa_events.answer_rated.connect(on_answer_rated, dispatch_uid="notif_answer_rated")
    qa_events.answer_accepted.connect(on_answer_accepted, dispatch_uid="notif_answer_accepted")
    gamification_events.level_reached.connect(on_level_reached, dispatch_uid="notif_level")
    gamification_events.achievement_unlocked.connect(
        on_achievement_unlocked, dispatch_uid="notif_achievement"
    )
    course_events.course_completed.connect(on_course_completed, dispatch_uid="notif_completed")
