"""Edges of refresh-token rotation: tokens naming no user, and losing the race for rotation."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken
from rest_framework_simplejwt.tokens import RefreshToken

from accounts import tokens
from accounts.models import User

REFRESH = "/api/v1/auth/refresh"


def error(code: str, message: str) -> dict:
    return {"error": {"code": code, "message": message, "fields": {}}}


def test_refresh_token_of_a_deleted_user_is_refused(api_client: APIClient, student: User) -> None:
    refresh = tokens.token_pair_issue(user=student)["refresh"]
    User.objects.filter(pk=student.pk).delete()

    response = api_client.post(REFRESH, {"refresh": refresh})

    assert response.status_code == 401
    assert response.json() == error("user_not_found", "User not found")
    assert not BlacklistedToken.objects.exists()


@pytest.mark.parametrize("claim", ["not-a-number", ["a", "list"]])
def test_refresh_token_whose_user_claim_is_not_an_id_is_refused(
    api_client: APIClient, student: User, claim: Any
) -> None:
    token = RefreshToken.for_user(student)  # signed with Lumen's key: only the claim is wrong
    token["user_id"] = claim

    response = api_client.post(REFRESH, {"refresh": str(token)})

    assert response.status_code == 401
    assert response.json() == error("user_not_found", "User not found")


def test_a_refresh_that_loses_the_race_to_a_simultaneous_one_is_refused(
    monkeypatch: pytest.MonkeyPatch, student: User
) -> None:
    """Both requests pass the blacklist check; the one blacklisting second gets no new pair.

    SQLite runs writers one at a time, so the interleaving is made explicit: the other request
    runs to completion after this one has read the token and before it blacklists it (on
    PostgreSQL, test_twenty_simultaneous_refreshes_of_one_token_succeed_once races real threads).
    """
    refresh = tokens.token_pair_issue(user=student)["refresh"]
    read_user = tokens._refresh_token_user
    winners: list[tokens.TokenPair] = []

    def read_then_let_the_other_request_finish(token: RefreshToken) -> User:
        user = read_user(token)
        monkeypatch.setattr(tokens, "_refresh_token_user", read_user)
        winners.append(tokens.token_pair_refresh(refresh=refresh))
        return user

    monkeypatch.setattr(tokens, "_refresh_token_user", read_then_let_the_other_request_finish)

    with pytest.raises(tokens.TokenRefusedError, match="Token is blacklisted"):
        tokens.token_pair_refresh(refresh=refresh)

    # The other request got the one new pair. (Its rows went with this test's rolled-back
    # transaction: here both requests share one; in production each commits its own.)
    assert len(winners) == 1
    assert set(winners[0]) == {"access", "refresh"}


def test_a_blacklist_insert_that_collides_is_a_lost_race_not_an_error(
    monkeypatch: pytest.MonkeyPatch, student: User
) -> None:
    """Under snapshot isolation the loser's get_or_create can raise instead of finding the row."""
    refresh = tokens.token_pair_issue(user=student)["refresh"]

    def collide(**kwargs: Any) -> Any:
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(BlacklistedToken.objects, "get_or_create", collide)

    with pytest.raises(tokens.TokenRefusedError, match="Token is blacklisted"):
        tokens.token_pair_refresh(refresh=refresh)
