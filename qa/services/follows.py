"""Follows, digest settings and the daily and weekly digests."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.defaultfilters import pluralize
from django.template.loader import render_to_string
from django.utils import timezone

from qa import selectors
from qa.exceptions import InvalidInputError
from qa.models import DigestSubscription, Follow

PERIODS = {
    DigestSubscription.Frequency.DAILY: timedelta(days=1),
    DigestSubscription.Frequency.WEEKLY: timedelta(days=7),
}


def _one_target(question: Any, category: Any, course: Any) -> dict[str, Any]:
    targets = {"question": question, "category": category, "course": course}
    chosen = {name: value for name, value in targets.items() if value is not None}
    if len(chosen) != 1:
        message = "Follow exactly one question, category or course."
        raise InvalidInputError(message, fields={"target": [message]})
    return chosen


@transaction.atomic
def follow_create(
    *, follower: Any, question: Any = None, category: Any = None, course: Any = None
) -> Follow:
    """Follow a question, a category or a course's questions (following twice is one follow)."""
    target = _one_target(question, category, course)
    follow, _ = Follow.objects.get_or_create(follower=follower, **target)
    DigestSubscription.objects.get_or_create(user=follower)
    return follow


@transaction.atomic
def follow_delete(
    *, follower: Any, question: Any = None, category: Any = None, course: Any = None
) -> bool:
    """Stop following; True when there was a follow to remove."""
    target = _one_target(question, category, course)
    deleted, _ = Follow.objects.filter(follower=follower, **target).delete()
    return bool(deleted)


@transaction.atomic
def digest_subscription_update(
    *, user: Any, frequency: str, notify_as_expert: bool
) -> DigestSubscription:
    """Choose how often the digest of followed activity comes (never, daily, weekly)."""
    if frequency not in DigestSubscription.Frequency.values:
        message = f"Choose one of: {', '.join(DigestSubscription.Frequency.values)}."
        raise InvalidInputError(message, fields={"frequency": [message]})
    subscription, _ = DigestSubscription.objects.update_or_create(
        user=user, defaults={"frequency": frequency, "notify_as_expert": notify_as_expert}
    )
    return subscription


def _site_url() -> str:
    """The site's address for links in emails (the Sites framework's current domain)."""
    from django.contrib.sites.models import Site

    scheme = "http" if settings.DEBUG else "https"
    return f"{scheme}://{Site.objects.get_current().domain}"


@transaction.atomic
def digest_send(*, subscription: DigestSubscription, now: datetime | None = None) -> bool:
    """Email one user the activity in what they follow since their last digest (nothing when
    nothing happened); True when an email was sent."""
    now = now or timezone.now()
    subscription = DigestSubscription.objects.select_for_update().get(pk=subscription.pk)
    period = PERIODS.get(subscription.frequency)
    if period is None:
        return False
    if subscription.last_sent_at and now - subscription.last_sent_at < period - timedelta(hours=1):
        return False  # already sent this period (a retried or doubled task)
    since = max(subscription.last_sent_at or now - period, now - period)
    activity = selectors.digest_activity(user=subscription.user, since=since, until=now)
    subscription.last_sent_at = now
    subscription.save(update_fields=["last_sent_at"])
    if activity.is_empty:
        return False
    user = subscription.user
    context = {
        "user": user,
        "activity": activity,
        "frequency": subscription.get_frequency_display().lower(),
        "site_url": _site_url(),
        "SITE_NAME": settings.SITE_NAME,
    }
    answers, questions = len(activity.new_answers), len(activity.new_questions)
    subject = (
        f"Your {context['frequency']} {settings.SITE_NAME} help center digest: "
        f"{answers} new answer{pluralize(answers)}, {questions} new question{pluralize(questions)}"
    )
    text = render_to_string("qa/email/digest.txt", context)
    html = render_to_string("qa/email/digest.html", context)

    def send() -> None:
        message = EmailMultiAlternatives(subject, text, to=[user.email])
        message.attach_alternative(html, "text/html")
        message.send()

    transaction.on_commit(send)
    return True


def digests_send(*, frequency: str, now: datetime | None = None) -> int:
    """Send this frequency's digest to everyone who follows something; returns emails sent."""
    now = now or timezone.now()
    sent = 0
    for subscription in selectors.digest_recipients(frequency=frequency).iterator():
        if digest_send(subscription=subscription, now=now):
            sent += 1
    return sent


def experts_notify(*, question_id: int, expert_ids: list[int]) -> int:
    """Email a new question to the category's experts who want that; returns emails sent."""
    from accounts.models import User
    from qa.models import Question

    question = Question.objects.select_related("category", "asker").filter(pk=question_id).first()
    if question is None or question.is_hidden:
        return 0
    opted_out = set(
        DigestSubscription.objects.filter(
            user_id__in=expert_ids, notify_as_expert=False
        ).values_list("user_id", flat=True)
    )
    experts = User.objects.filter(pk__in=expert_ids, is_active=True).exclude(pk__in=opted_out)
    sent = 0
    site_url = _site_url()
    for expert in experts:
        context = {
            "user": expert,
            "question": question,
            "site_url": site_url,
            "SITE_NAME": settings.SITE_NAME,
        }
        subject = f"A new {question.category} question you may be able to answer"
        message = EmailMultiAlternatives(
            subject, render_to_string("qa/email/expert_question.txt", context), to=[expert.email]
        )
        message.send()
        sent += 1
    return sent
