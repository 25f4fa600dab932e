from django.contrib import admin

from notifications.models import Notification, NotificationPreference, PushSubscription


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "recipient", "kind", "created_at", "read_at"]
    list_filter = ["kind"]
    list_select_related = ["recipient"]
    search_fields = ["title", "recipient__email"]
    raw_id_fields = ["recipient"]
    readonly_fields = ["created_at"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "in_app", "email", "push"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]


@admin.register(PushSubscription)
class PushSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["user", "user_agent", "created_at", "last_success_at"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    readonly_fields = ["endpoint", "p256dh", "auth", "created_at", "last_success_at"]
