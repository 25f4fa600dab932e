"""Celery adapters for notifications."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail

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
