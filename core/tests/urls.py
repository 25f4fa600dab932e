"""A test-only URLconf: small DRF views that fail in every way the error handler must shape."""

from __future__ import annotations

import logging

from django.http import Http404
from django.urls import include, path
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.exceptions import ConflictError
from core.permissions import IsAdmin

logger = logging.getLogger("lumen.tests")


class EchoInputSerializer(serializers.Serializer):
    email = serializers.EmailField()
    age = serializers.IntegerField(min_value=0)


class EchoApi(APIView):
    """Open to everyone; POST validates its input, GET logs one line."""

    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        logger.info("echo served", extra={"path": request.path})
        return Response({"ok": True})

    def post(self, request: Request) -> Response:
        serializer = EchoInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(serializer.validated_data)


class PrivateApi(APIView):
    """The project default: signed-in callers only."""

    def get(self, request: Request) -> Response:
        return Response({"email": request.user.email})


class AdminOnlyApi(APIView):
    permission_classes = [IsAdmin]

    def get(self, request: Request) -> Response:
        return Response({"ok": True})


class MissingApi(APIView):
    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        raise Http404("No such thing.")


class RuleApi(APIView):
    permission_classes = [AllowAny]

    def post(self, request: Request) -> Response:
        raise ConflictError("That slot is taken.", code="slot_taken", extra={"slot": 3})


class BrokenApi(APIView):
    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        raise RuntimeError("the database said something rude")


urlpatterns = [
    path("test-api/echo", EchoApi.as_view()),
    path("test-api/private", PrivateApi.as_view()),
    path("test-api/admin-only", AdminOnlyApi.as_view()),
    path("test-api/missing", MissingApi.as_view()),
    path("test-api/rule", RuleApi.as_view()),
    path("test-api/broken", BrokenApi.as_view()),
    path("", include("lms.urls")),
]
