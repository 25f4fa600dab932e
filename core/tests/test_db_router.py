"""The read-replica router (core/db_router.py): reads go to the replica only where a learner
cannot miss their own writes."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from core.db_router import PIN_COOKIE, PrimaryReplicaRouter, ReplicaReadsMiddleware

router = PrimaryReplicaRouter()


def _serve(request: HttpRequest, view: Any) -> HttpResponse:
    return ReplicaReadsMiddleware(view)(request)


def _reads_seen(request: HttpRequest, *, write_first: bool = False) -> tuple[list[str], Any]:
    seen: list[str] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(router.db_for_read(Group))
        if write_first:
            seen.append(router.db_for_write(Group))
            seen.append(router.db_for_read(Group))
        return HttpResponse("ok")

    return seen, _serve(request, view)


def test_outside_a_request_every_read_goes_to_the_primary() -> None:
    # Celery tasks, management commands and the shell: a task queued after a commit must see it.
    assert router.db_for_read(Group) == "default"
    assert router.db_for_write(Group) == "default"


def test_a_safe_request_reads_the_replica_and_sets_no_cookie() -> None:
    seen, response = _reads_seen(RequestFactory().get("/courses/"))

    assert seen == ["replica"]
    assert PIN_COOKIE not in response.cookies
    # ...and the opening ends with the request.
    assert router.db_for_read(Group) == "default"


def test_after_a_write_the_rest_of_the_request_reads_the_primary() -> None:
    seen, _ = _reads_seen(RequestFactory().get("/courses/"), write_first=True)

    assert seen == ["replica", "default", "default"]


@pytest.mark.django_db(transaction=True)  # (no test-wide transaction around it)
def test_inside_a_transaction_reads_stay_on_the_primary() -> None:
    seen: list[str] = []

    def view(request: HttpRequest) -> HttpResponse:
        with transaction.atomic():
            seen.append(router.db_for_read(Group))
        seen.append(router.db_for_read(Group))
        return HttpResponse("ok")

    _serve(RequestFactory().get("/dashboard/"), view)

    assert seen == ["default", "replica"]


def test_a_form_post_reads_the_primary_and_pins_the_browser_for_a_moment(settings: Any) -> None:
    settings.REPLICA_PIN_SECONDS = 5
    seen, response = _reads_seen(RequestFactory().post("/courses/python/enroll/"))

    assert seen == ["default"]
    cookie = response.cookies[PIN_COOKIE]
    assert cookie["max-age"] == 5
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_the_page_after_a_post_reads_the_primary() -> None:
    request = RequestFactory().get("/dashboard/")
    request.COOKIES[PIN_COOKIE] = "1"

    seen, response = _reads_seen(request)

    assert seen == ["default"]
    assert PIN_COOKIE not in response.cookies


def test_only_the_primary_is_migrated_and_relations_span_both() -> None:
    assert router.allow_migrate("default", "courses") is True
    assert router.allow_migrate("replica", "courses") is False
    assert router.allow_relation(object(), object()) is True
