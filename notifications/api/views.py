"""The notifications API: the inbox, mark read, preferences, web push devices, announcements,
following instructors."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import ErrorSerializer
from core.fields import StrictCharField
from core.query import QueryBooleanField, QueryParams, query_params_parse
from core.serializers import ModelSerializer, Serializer
from courses.models import Course
from notifications import selectors, services, webpush_client
from notifications.models import InstructorFollow, Kind, Notification


class NotificationSerializer(ModelSerializer):
    is_read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "link", "created_at", "read_at", "is_read"]

    def get_is_read(self, notification: Notification) -> bool:
        return notification.read_at is not None


class NotificationListParams(QueryParams):
    unread = QueryBooleanField(required=False, help_text="true: unread notifications only.")


class NotificationListApi(ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = NotificationSerializer
    queryset = Notification.objects.none()

    @extend_schema(operation_id="notifications_list", parameters=[NotificationListParams])
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self):  # type: ignore[no-untyped-def]
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        params = query_params_parse(NotificationListParams, self.request)
        queryset = Notification.objects.filter(recipient=self.request.user)
        if params.get("unread"):
            queryset = queryset.filter(read_at__isnull=True)
        return queryset


class NotificationReadApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="notifications_read", request=None, responses={200: NotificationSerializer}
    )
    def post(self, request: Request, notification_id: int) -> Response:
        notification = services.notification_mark_read(
            user=request.user, notification_id=notification_id
        )
        return Response(NotificationSerializer(notification).data)


class NotificationReadAllApi(APIView):
    permission_classes = [IsAuthenticated]

    class OutputSerializer(Serializer):
        marked_read = serializers.IntegerField()

        class Meta:
            ref_name = "NotificationsReadAll"

    @extend_schema(
        operation_id="notifications_read_all", request=None, responses={200: OutputSerializer}
    )
    def post(self, request: Request) -> Response:
        changed = services.notification_mark_all_read(user=request.user)
        return Response({"marked_read": changed})


# --- Preferences ----------------------------------------------------------------------------------


class PreferenceSerializer(Serializer):
    kind = serializers.ChoiceField(choices=Kind.choices, read_only=True)
    label = serializers.CharField(read_only=True)
    in_app = serializers.BooleanField()
    email = serializers.BooleanField()
    push = serializers.BooleanField()

    class Meta:
        ref_name = "NotificationPreference"


class NotificationPreferenceListApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="notifications_preferences_list",
        summary="Where each kind of notification reaches me",
        responses={200: PreferenceSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        rows = selectors.preference_list_for_user(user=request.user)
        return Response(PreferenceSerializer(rows, many=True).data)


class NotificationPreferenceUpdateApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="notifications_preferences_update",
        summary="Choose the channels of one kind of notification",
        request=PreferenceSerializer,
        responses={200: PreferenceSerializer},
    )
    def put(self, request: Request, kind: str) -> Response:
        if kind not in Kind.values:
            raise NotFound("Unknown notification kind.")
        serializer = PreferenceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        preference = services.preference_set(
            user=request.user, kind=kind, **serializer.validated_data
        )
        row = {
            "kind": kind,
            "label": Kind(kind).label,
            "in_app": preference.in_app,
            "email": preference.email,
            "push": preference.push,
        }
        return Response(PreferenceSerializer(row).data)


# --- Web push -------------------------------------------------------------------------------------


class PushSubscriptionCreateApi(APIView):
    """Store this device's push subscription: the JSON of the browser's PushSubscription."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(Serializer):
        class KeysSerializer(Serializer):
            p256dh = serializers.CharField(max_length=200)
            auth = serializers.CharField(max_length=100)

        endpoint = serializers.URLField(max_length=1000)
        keys = KeysSerializer()

        class Meta:
            ref_name = "PushSubscriptionInput"

    class OutputSerializer(Serializer):
        id = serializers.IntegerField()
        endpoint = serializers.CharField()
        created_at = serializers.DateTimeField()

        class Meta:
            ref_name = "PushSubscription"

    @extend_schema(
        operation_id="notifications_push_subscribe",
        summary="Subscribe this device to web push",
        description=(
            "The body is `PushSubscription.toJSON()` from the browser, subscribed with the "
            "server's VAPID public key (`GET /notifications/push/key`). The same endpoint again "
            "updates the stored keys. 503 `push_not_configured` when the server has no VAPID keys."
        ),
        request=InputSerializer,
        responses={
            201: OutputSerializer,
            503: OpenApiResponse(
                response=ErrorSerializer,
                description="`push_not_configured`: the server has no VAPID keys.",
            ),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        subscription = services.push_subscription_save(
            user=request.user,
            endpoint=data["endpoint"],
            p256dh=data["keys"]["p256dh"],
            auth=data["keys"]["auth"],
            user_agent=request.headers.get("User-Agent", ""),
        )
        return Response(self.OutputSerializer(subscription).data, status=201)


class PushSubscriptionDeleteApi(APIView):
    permission_classes = [IsAuthenticated]

    class InputSerializer(Serializer):
        endpoint = StrictCharField(max_length=1000)

        class Meta:
            ref_name = "PushUnsubscribeInput"

    class OutputSerializer(Serializer):
        deleted = serializers.BooleanField()

        class Meta:
            ref_name = "PushUnsubscribe"

    @extend_schema(
        operation_id="notifications_push_unsubscribe",
        summary="Unsubscribe one of my devices from web push",
        request=InputSerializer,
        responses={200: OutputSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        deleted = services.push_subscription_delete(
            user=request.user, endpoint=serializer.validated_data["endpoint"]
        )
        return Response({"deleted": deleted})


class PushKeyApi(APIView):
    permission_classes = [IsAuthenticated]

    class OutputSerializer(Serializer):
        public_key = serializers.CharField(allow_blank=True)
        enabled = serializers.BooleanField()

        class Meta:
            ref_name = "PushKey"

    @extend_schema(
        operation_id="notifications_push_key",
        summary="The VAPID public key to subscribe with",
        responses={200: OutputSerializer},
    )
    def get(self, request: Request) -> Response:
        enabled = webpush_client.is_configured()
        return Response(
            {"public_key": settings.VAPID_PUBLIC_KEY if enabled else "", "enabled": enabled}
        )


# --- Course announcements -------------------------------------------------------------------------


class CourseAnnouncementCreateApi(APIView):
    permission_classes = [IsAuthenticated]

    class InputSerializer(Serializer):
        title = serializers.CharField(max_length=200)
        body = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
        key = serializers.CharField(
            max_length=64,
            required=False,
            allow_blank=True,
            default="",
            help_text="Idempotency key: the same key again announces nothing twice.",
        )

        class Meta:
            ref_name = "CourseAnnouncementInput"

    class OutputSerializer(Serializer):
        recipients = serializers.IntegerField()

        class Meta:
            ref_name = "CourseAnnouncement"

    @extend_schema(
        operation_id="notifications_course_announce",
        summary="Announce to every learner of a course (its instructors)",
        description=(
            "Accepted (202) and fanned out by a background job: each enrolled learner gets a "
            "notification of kind `announcement` (in the app, by email and push as they chose), "
            "delivered live to their open tabs through the course's channel group. `recipients` "
            "is how many learners it will reach. 403 for anyone but the course's instructors "
            "and admins."
        ),
        request=InputSerializer,
        responses={202: OutputSerializer},
    )
    def post(self, request: Request, course_id: int) -> Response:
        course = get_object_or_404(Course, pk=course_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        recipients = services.course_announcement_send(
            course=course, author=request.user, **serializer.validated_data
        )
        return Response({"recipients": recipients}, status=202)


# --- Following instructors ------------------------------------------------------------------------


class InstructorFollowSerializer(Serializer):
    instructor_id = serializers.IntegerField(source="instructor.pk")
    display_name = serializers.SerializerMethodField()
    published_course_count = serializers.IntegerField()
    followed_at = serializers.DateTimeField(source="created_at")

    class Meta:
        ref_name = "InstructorFollow"

    def get_display_name(self, follow: InstructorFollow) -> str:
        return follow.instructor.display_name or "An instructor"


class InstructorFollowListApi(ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = InstructorFollowSerializer
    queryset = InstructorFollow.objects.none()

    @extend_schema(
        operation_id="instructors_following_list",
        summary="The instructors I follow",
        description="Newest first. Each course they publish notifies me (kind `course_published`).",
    )
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self):  # type: ignore[no-untyped-def]
        if getattr(self, "swagger_fake_view", False):
            return InstructorFollow.objects.none()
        return selectors.instructor_follow_list_for_follower(follower=self.request.user)


class InstructorFollowApi(APIView):
    permission_classes = [IsAuthenticated]

    class OutputSerializer(Serializer):
        instructor_id = serializers.IntegerField()
        following = serializers.BooleanField()

        class Meta:
            ref_name = "InstructorFollowState"

    @extend_schema(
        operation_id="instructors_follow",
        summary="Follow an instructor",
        description=(
            "201 when the follow is new, 200 when I already followed them. 404 "
            "`instructor_not_found` for anyone who does not teach a published course; 400 "
            "`cannot_follow_self` for oneself."
        ),
        request=None,
        responses={
            200: OutputSerializer,
            201: OutputSerializer,
            400: OpenApiResponse(ErrorSerializer, description="`cannot_follow_self`."),
            404: OpenApiResponse(ErrorSerializer, description="`instructor_not_found`."),
        },
    )
    def post(self, request: Request, instructor_id: int) -> Response:
        instructor = selectors.instructor_get_followable(instructor_id=instructor_id)
        _, created = services.instructor_follow(follower=request.user, instructor=instructor)
        return Response(
            {"instructor_id": instructor.pk, "following": True}, status=201 if created else 200
        )

    @extend_schema(
        operation_id="instructors_unfollow",
        summary="Stop following an instructor",
        description="Idempotent: 204 whether or not I followed them.",
        request=None,
        responses={
            204: None,
            404: OpenApiResponse(ErrorSerializer, description="`instructor_not_found`."),
        },
    )
    def delete(self, request: Request, instructor_id: int) -> Response:
        instructor = selectors.instructor_get_followable(instructor_id=instructor_id)
        services.instructor_unfollow(follower=request.user, instructor=instructor)
        return Response(status=204)
