"""Turn other apps' events into notifications for the people they concern."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils.formats import date_format

from billing import events as billing_events
from billing.templatetags.billing import money
from courses import events as course_events
from gamification import events as gamification_events
from learning import selectors as learning_selectors
from learning.models import Mode
from notifications import services
from notifications.models import Kind
from qa import events as qa_events

# XP earned in a day is told at these totals (then at every doubling), at most one line per
# milestone and local day: a learner finishing lesson after lesson hears of it now and then, not
# after every lesson. Level-ups and badges have kinds of their own.
XP_DAY_MILESTONES = (50, 100, 200, 400)


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


def xp_milestone_crossed(*, before: int, after: int) -> int | None:
    """The highest daily milestone a day's XP passed going from `before` to `after`, or None."""
    crossed = None
    milestone = XP_DAY_MILESTONES[0]
    index = 0
    while milestone <= after:
        if milestone > before:
            crossed = milestone
        index += 1
        milestone = XP_DAY_MILESTONES[index] if index < len(XP_DAY_MILESTONES) else milestone * 2
    return crossed


def on_xp_awarded(sender: Any, user: Any, transaction: Any, day_total: int, **_: Any) -> None:
    amount = transaction.amount
    milestone = xp_milestone_crossed(before=day_total - amount, after=day_total)
    if milestone is None:
        return
    reason = transaction.reason or transaction.get_action_display()
    services.notify(
        recipient=user,
        kind=Kind.XP_GAINED,
        title=f"{day_total} XP today",
        body=f"You passed {milestone} XP today. Latest: +{amount} XP, {reason}."[:500],
        link=reverse("gamification:progress"),
        dedupe_key=f"xp-day:{transaction.local_date.isoformat()}:{milestone}",
    )


def on_streak_at_risk(sender: Any, user: Any, streak: int, local_date: dt.date, **_: Any) -> None:
    # Relax mode keeps the streak out of sight: no pressure to keep it either.
    if learning_selectors.mode_for(user=user, course_id=None) == Mode.RELAX:
        return
    days = f"{streak}-day streak" if streak != 1 else "streak"
    services.notify(
        recipient=user,
        kind=Kind.STREAK_AT_RISK,
        title=f"Your {days} ends tonight",
        body="Finish a lesson or a review before midnight to keep it going.",
        link=reverse("courses:dashboard"),
        dedupe_key=f"streak-risk:{local_date.isoformat()}",
    )


def on_course_published(sender: Any, course: Any, **_: Any) -> None:
    from notifications import tasks

    tasks.course_published_deliver.delay(course.pk)


def on_lesson_published(sender: Any, lesson: Any, **_: Any) -> None:
    from notifications import tasks

    tasks.lesson_published_deliver.delay(lesson.pk)


# --- Billing --------------------------------------------------------------------------------------

BILLING_LINK = "billing:account"


def _plan_name(subscription: Any) -> str:
    return f"{subscription.plan.name} plan"


def _until(subscription: Any) -> str:
    if subscription.current_period_end is None:
        return ""
    return date_format(subscription.current_period_end, "j F Y")


def on_subscription_started(sender: Any, subscription: Any, **_: Any) -> None:
    until = _until(subscription)
    services.notify(
        recipient=subscription.subscriber,
        kind=Kind.SUBSCRIPTION,
        title=f"Your {_plan_name(subscription)} is active",
        body=f"It renews on {until}." if until else "",
        link=reverse(BILLING_LINK),
        dedupe_key=f"subscription-started:{subscription.stripe_subscription_id}",
    )


def on_subscription_renewed(sender: Any, subscription: Any, invoice: Any, **_: Any) -> None:
    until = _until(subscription)
    paid = money(invoice.amount_cents, invoice.currency)
    services.notify(
        recipient=subscription.subscriber,
        kind=Kind.SUBSCRIPTION,
        title=f"Your {_plan_name(subscription)} renewed",
        body=f"{paid} paid." + (f" Next renewal on {until}." if until else ""),
        link=reverse(BILLING_LINK),
        dedupe_key=f"subscription-renewed:{invoice.stripe_invoice_id}",
    )


def on_subscription_cancelled(sender: Any, subscription: Any, **_: Any) -> None:
    services.notify(
        recipient=subscription.subscriber,
        kind=Kind.SUBSCRIPTION,
        title=f"Your {_plan_name(subscription)} has ended",
        body="Courses of your plan are closed again; you can subscribe again at any time.",
        link=reverse("billing:pricing"),
        dedupe_key=f"subscription-cancelled:{subscription.stripe_subscription_id}",
    )


def on_subscription_past_due(sender: Any, subscription: Any, **_: Any) -> None:
    since = subscription.past_due_since
    services.notify(
        recipient=subscription.subscriber,
        kind=Kind.SUBSCRIPTION,
        title=f"We could not renew your {_plan_name(subscription)}",
        body="Update your card in the billing portal to keep your courses open.",
        link=reverse(BILLING_LINK),
        dedupe_key=(
            f"subscription-past-due:{subscription.stripe_subscription_id}:"
            f"{since.date().isoformat() if since else ''}"
        ),
    )


def _what(reason: str, purchase: Any) -> str:
    if purchase is not None:
        bought = purchase.course or purchase.bundle
        return f"“{bought}”" if bought is not None else "your purchase"
    return "your subscription"


def on_payment_succeeded(
    sender: Any, user: Any, amount_cents: int, currency: str, reference: str, reason: str,
    purchase: Any = None, **_: Any,
) -> None:  # fmt: skip
    if reason == "subscription_cycle":
        return  # the renewal's own notification says what was paid
    services.notify(
        recipient=user,
        kind=Kind.PAYMENT,
        title=f"Payment received: {money(amount_cents, currency)}",
        body=f"For {_what(reason, purchase)}. Thank you!",
        link=reverse(BILLING_LINK),
        dedupe_key=f"payment-succeeded:{reference}",
    )


def on_payment_failed(
    sender: Any, user: Any, amount_cents: int, currency: str, reference: str, reason: str,
    purchase: Any = None, **_: Any,
) -> None:  # fmt: skip
    services.notify(
        recipient=user,
        kind=Kind.PAYMENT,
        title=f"Your payment of {money(amount_cents, currency)} failed",
        body=f"For {_what(reason, purchase)}. Check your payment method and try again.",
        link=reverse(BILLING_LINK),
        dedupe_key=f"payment-failed:{reference}",
    )


def on_refund_issued(
    sender: Any, user: Any, amount_cents: int, currency: str, reference: str, reason: str,
    purchase: Any = None, **_: Any,
) -> None:  # fmt: skip
    services.notify(
        recipient=user,
        kind=Kind.PAYMENT,
        title=f"Refund issued: {money(amount_cents, currency)}",
        body=f"For {_what(reason, purchase)}. It reaches your account in a few days.",
        link=reverse(BILLING_LINK),
        dedupe_key=f"refund:{reference}",
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
    gamification_events.xp_awarded.connect(on_xp_awarded, dispatch_uid="notif_xp")
    gamification_events.streak_at_risk.connect(on_streak_at_risk, dispatch_uid="notif_streak")
    course_events.course_published.connect(on_course_published, dispatch_uid="notif_course_pub")
    course_events.lesson_published.connect(on_lesson_published, dispatch_uid="notif_lesson_pub")
    for signal, receiver in (
        (billing_events.subscription_started, on_subscription_started),
        (billing_events.subscription_renewed, on_subscription_renewed),
        (billing_events.subscription_cancelled, on_subscription_cancelled),
        (billing_events.subscription_past_due, on_subscription_past_due),
        (billing_events.payment_succeeded, on_payment_succeeded),
        (billing_events.payment_failed, on_payment_failed),
        (billing_events.refund_issued, on_refund_issued),
    ):
        signal.connect(receiver, dispatch_uid=f"notif_billing_{receiver.__name__}")
