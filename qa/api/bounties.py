"""/api/v1/questions/{id}/bounty: a question's bounty, and the asker's offer of one."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.exceptions import NotFoundError
from core.serializers import ModelSerializer, Serializer
from qa import selectors, services
from qa.models import Bounty
from qa.services.bounties import BOUNTY_MAX, BOUNTY_MIN

TAGS = ["help center"]


class BountyNotFoundError(NotFoundError):
    default_code = "bounty_not_found"


class QaBountySerializer(ModelSerializer):
    question_id = serializers.IntegerField(allow_null=True)
    sponsor_id = serializers.IntegerField()
    answer_id = serializers.IntegerField(
        allow_null=True, help_text="The accepted answer it went to."
    )
    awarded_to_id = serializers.IntegerField(allow_null=True)

    class Meta:
        model = Bounty
        fields = [
            "id",
            "question_id",
            "sponsor_id",
            "amount",
            "status",
            "answer_id",
            "awarded_to_id",
            "created_at",
            "expires_at",
            "settled_at",
        ]


class BountyOfferInputSerializer(Serializer):
    amount = serializers.IntegerField(
        min_value=BOUNTY_MIN, max_value=BOUNTY_MAX, help_text="XP of your own, 10 to 100."
    )


class QuestionBountyApi(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        tags=TAGS,
        operation_id="questions_bounty_get",
        summary="The question's bounty",
        description="The running bounty, else the latest one; 404 `bounty_not_found` if none.",
        responses={200: QaBountySerializer},
    )
    def get(self, request: Request, question_id: int) -> Response:
        question = selectors.question_get(question_id=question_id, viewer=request.user)
        bounty = selectors.bounty_panel(question=question, viewer=request.user).bounty
        if bounty is None:
            raise BountyNotFoundError("This question has no bounty.")
        return Response(QaBountySerializer(bounty).data)

    @extend_schema(
        tags=TAGS,
        operation_id="questions_bounty_offer",
        summary="Offer a bounty (the asker, from level 10)",
        description=(
            "The asker puts 10-100 of their own XP on their open question (one bounty at a "
            "time). The XP leaves their total at once (a ledger row) and goes to the author of "
            "the answer they accept within 7 days; otherwise it is refunded. Anyone but the "
            "asker: 403 `not_asker`; below level 10: 403 `level_too_low`; more XP than they "
            "hold: 409 `not_enough_xp`; a closed or answered question, or a bounty already "
            "running: 409 `bounty_unavailable`; an amount out of range: 400."
        ),
        request=BountyOfferInputSerializer,
        responses={201: QaBountySerializer},
        examples=[OpenApiExample("Fifty XP", value={"amount": 50}, request_only=True)],
    )
    def post(self, request: Request, question_id: int) -> Response:
        question = selectors.question_get(question_id=question_id, viewer=request.user)
        serializer = BountyOfferInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        bounty = services.bounty_offer(
            question=question, sponsor=request.user, amount=serializer.validated_data["amount"]
        )
        return Response(QaBountySerializer(bounty).data, status=status.HTTP_201_CREATED)
