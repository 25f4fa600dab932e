"""Every write of notifications (keyword-only, atomic, side effects on commit).

delivery: one notification per fact, its live, email and push delivery, mark read, preferences.
push: web push devices. broadcasts: announcements, new lessons and new courses fanned out to many
people by a job. following: following instructors.
"""

from notifications.services.broadcasts import (
    course_announcement_deliver,
    course_announcement_send,
    course_copy_for_socket,
    course_copy_from_sheet,
    course_published_deliver,
    course_sheet_load,
    lesson_published_deliver,
)
from notifications.services.delivery import (
    NotificationNotFoundError,
    broadcast,
    course_group,
    group_send,
    group_send_many,
    notification_mark_all_read,
    notification_mark_read,
    notify,
    payload,
    preference_channels,
    preference_set,
    unread_count,
    user_group,
)
from notifications.services.following import instructor_follow, instructor_unfollow
from notifications.services.push import (
    MAX_PUSH_DEVICES_PER_USER,
    InvalidSubscriptionError,
    PushNotConfiguredError,
    push_deliver,
    push_payload,
    push_subscription_delete,
    push_subscription_save,
)

__all__ = [
    "MAX_PUSH_DEVICES_PER_USER",
    "InvalidSubscriptionError",
    "NotificationNotFoundError",
    "PushNotConfiguredError",
    "broadcast",
    "course_announcement_deliver",
    "course_announcement_send",
    "course_copy_for_socket",
    "course_copy_from_sheet",
    "course_group",
    "course_published_deliver",
    "course_sheet_load",
    "group_send",
    "group_send_many",
    "instructor_follow",
    "instructor_unfollow",
    "lesson_published_deliver",
    "notification_mark_all_read",
    "notification_mark_read",
    "notify",
    "payload",
    "preference_channels",
    "preference_set",
    "push_deliver",
    "push_payload",
    "push_subscription_delete",
    "push_subscription_save",
    "unread_count",
    "user_group",
]
