"""Notification API: the inbox, marking read, preferences, push devices."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.pagination import PageNumberPagination
from notifications import selectors, services, webpush_client
from notifications.models import Kind, Notification


class NotificationOutputSerializer(serializers.ModelSerializer):
    is_read = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "link", "created_at", "read_at", "is_read"]


class NotificationListApi(GenericAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = NotificationOutputSerializer
    pagination_class = PageNumberPagination
    queryset = Notification.objects.none()  # for the schema; the selector gives the real one

    @extend_schema(
        operation_id="notifications_list",
        parameters=[OpenApiParameter("unread", bool, description="Only unread notifications")],
        responses={200: NotificationOutputSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        unread_only = request.query_params.get("unread", "").lower() in ("1", "true", "yes")
        queryset = selectors.notification_list_for_user(user=request.user, unread_only=unread_only)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class UnreadCountSerializer(serializers.Serializer):
    unread_count = serializers.IntegerField()


class NotificationUnreadCountApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="notifications_unread_count", responses={200: UnreadCountSerializer}
    )
    def get(self, request: Request) -> Response:
        return Response({"unread_count": selectors.notification_unread_count(user=request.user)})


class NotificationMarkReadApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="notifications_mark_read",
        request=None,
        responses={200: NotificationOutputSerializer},
    )
    def post(self, request: Request, notification_id: int) -> Response:
        notification = services.notification_mark_read(
            user=request.user, notification_id=notification_id
        )
        return Response(NotificationOutputSerializer(notification).data)


class NotificationMarkAllReadApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="notifications_mark_all_read",
        request=None,
        responses={
            200: inline_serializer("MarkAllReadOutput", {"marked": serializers.IntegerField()})
        },
    )
    def post(self, request: Request) -> Response:
        return Response({"marked": services.notification_mark_all_read(user=request.user)})


class ChannelsSerializer(serializers.Serializer):
    in_app = serializers.BooleanField(required=False)
    email = serializers.BooleanField(required=False)
    push = serializers.BooleanField(required=False)


class PreferencesSerializer(serializers.Serializer):
    """One entry per kind; every kind is listed on reading."""

    def get_fields(self) -> dict[str, serializers.Field]:
        return {kind: ChannelsSerializer(required=False) for kind in Kind.values}

    def validate(self, attrs: dict) -> dict:
        unknown = set(self.initial_data) - set(Kind.values)
        if unknown:
            raise serializers.ValidationError(
                {kind: ["Unknown notification kind."] for kind in sorted(unknown)}
            )
        return attrs


class NotificationPreferencesApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="notifications_preferences_get", responses=PreferencesSerializer)
    def get(self, request: Request) -> Response:
        return Response(selectors.preference_map_for_user(user=request.user))

    @extend_schema(
        operation_id="notifications_preferences_update",
        request=PreferencesSerializer,
        responses=PreferencesSerializer,
    )
    def patch(self, request: Request) -> Response:
        serializer = PreferencesSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = services.preferences_update(user=request.user, changes=serializer.validated_data)
        return Response(result)


class PushKeysSerializer(serializers.Serializer):
    p256dh = serializers.CharField(max_length=200)
    auth = serializers.CharField(max_length=100)


class PushSubscriptionInputSerializer(serializers.Serializer):
    """The browser's PushSubscription.toJSON()."""

    endpoint = serializers.URLField(max_length=1000)
    keys = PushKeysSerializer()


class PushConfigSerializer(serializers.Serializer):
    public_key = serializers.CharField(allow_blank=True)
    enabled = serializers.BooleanField()


class PushSubscriptionApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="notifications_push_config", responses=PushConfigSerializer)
    def get(self, request: Request) -> Response:
        """The VAPID public key browsers subscribe with (applicationServerKey)."""
        return Response(
            {"public_key": settings.VAPID_PUBLIC_KEY, "enabled": webpush_client.is_configured()}
        )

    @extend_schema(
        operation_id="notifications_push_subscribe",
        request=PushSubscriptionInputSerializer,
        responses={201: inline_serializer("PushSubscribed", {"id": serializers.IntegerField()})},
    )
    def post(self, request: Request) -> Response:
        serializer = PushSubscriptionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        subscription = services.push_subscription_save(
            user=request.user,
            endpoint=data["endpoint"],
            p256dh=data["keys"]["p256dh"],
            auth=data["keys"]["auth"],
            user_agent=request.headers.get("User-Agent", ""),
        )
        return Response({"id": subscription.pk}, status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="notifications_push_unsubscribe",
        request=inline_serializer("PushUnsubscribe", {"endpoint": serializers.URLField()}),
        responses={204: None},
    )
    def delete(self, request: Request) -> Response:
        endpoint = request.data.get("endpoint") if isinstance(request.data, dict) else None
        if not isinstance(endpoint, str) or not endpoint:
            raise serializers.ValidationError({"endpoint": ["This field is required."]})
        if not services.push_subscription_delete(user=request.user, endpoint=endpoint):
            from notifications.exceptions import InvalidSubscriptionError

            raise InvalidSubscriptionError("No such push subscription.", code="not_subscribed")
        return Response(status=status.HTTP_204_NO_CONTENT)
