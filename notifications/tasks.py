"""Celery adapters for notifications."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail

from notifications import services, webpush_client
from notifications.models import Notification


@shared_task(
    name="notifications.email",
    acks_late=True,
    autoretry_for=(ConnectionError, TimeoutError, OSError),
    retry_backoff=True,
    max_retries=5,
)
def notification_email(notification_id: int) -> bool:
    notification = (
        Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    )
    if notification is None or not notification.recipient.email:
        return False
    link = notification.link
    if link.startswith("/"):
        link = getattr(settings, "SITE_URL", "") + link
    send_mail(
        subject=notification.title,
        message=f"{notification.body}\n\n{link}".strip(),
        from_email=None,
        recipient_list=[notification.recipient.email],
    )
    return True


@shared_task(
    name="notifications.push",
    acks_late=True,
    autoretry_for=(webpush_client.PushTransientError,),
    retry_backoff=30,
    retry_jitter=True,
    max_retries=5,
)
def notification_push(notification_id: int) -> dict[str, int]:
    """Send one notification by web push to every device of its recipient."""
    notification = Notification.objects.filter(pk=notification_id).first()
    if notification is None:
        return {"sent": 0, "pruned": 0, "failed": 0}
    return services.push_deliver(
        user_id=notification.recipient_id, payload=services.push_payload(notification)
    )


@shared_task(name="notifications.course_announcement", acks_late=True)
def course_announcement_deliver(course_id: int, title: str, body: str, dedupe_key: str) -> int:
    """Fan an instructor's announcement out to the course's learners."""
    return services.course_announcement_deliver(
        course_id=course_id, title=title, body=body, dedupe_key=dedupe_key
    )


@shared_task(name="notifications.lesson_published", acks_late=True)
def lesson_published_deliver(lesson_id: int) -> int:
    """Fan a new lesson out to its course's learners."""
    return services.lesson_published_deliver(lesson_id=lesson_id)


@shared_task(name="notifications.course_published", acks_late=True)
def course_published_deliver(course_id: int) -> int:
    """Fan a newly published course out to its instructors' followers."""
    return services.course_published_deliver(course_id=course_id)
