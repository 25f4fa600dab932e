"""Deleting an account strips the person from billing's copy of their Stripe customer, and, once
the deletion commits, from the customer at Stripe (here the local fake, which speaks its API)."""

from __future__ import annotations

import copy
import datetime as dt
import logging
import socket
from collections.abc import Iterator
from typing import Any

import pytest
import stripe
import time_machine
from celery import signals
from celery.exceptions import Retry
from django.utils import timezone
from djstripe import models as djstripe_models

from accounts.models import User
from accounts.privacy import user_account_delete
from accounts.tests.factories import DEFAULT_PASSWORD, StudentFactory
from billing import tasks
from billing.exceptions import StripeTransientError
from billing.models import StripeCustomerErasure
from billing.privacy import (
    ERASURE_RESEND_AFTER,
    SubscriptionStillActiveError,
    stripe_erasures_due,
)
from billing.tests.factories import subscribe
from billing.tests.fake_stripe import FakeStripe
from core.exceptions import ConflictError

pytestmark = pytest.mark.django_db

ADDRESS = {
    "city": "Brighton",
    "country": "GB",
    "line1": "1 Marine Parade",
    "line2": None,
    "postal_code": "BN2 1TL",
    "state": None,
}


def _customer(user: Any, stripe_id: str) -> djstripe_models.Customer:
    """A customer as dj-stripe mirrors one from Stripe: columns plus the object in stripe_data."""
    metadata = {"djstripe_subscriber": str(user.pk), "nickname": "Ada by the sea"}
    return djstripe_models.Customer.objects.create(
        id=stripe_id,
        subscriber=user,
        email=user.email,
        livemode=False,
        metadata=metadata,
        stripe_data={
            "id": stripe_id,
            "object": "customer",
            "address": ADDRESS,
            "balance": 0,
            "currency": "gbp",
            "description": "Ada Lovelace, the Brighton tutor",
            "email": user.email,
            "invoice_prefix": "ADA0001",
            "metadata": metadata,
            "name": "Ada Lovelace",
            "phone": "+44 1273 000000",
            "shipping": {"address": ADDRESS, "name": "Ada Lovelace", "phone": "+44 1273 000000"},
        },
    )


def test_deleting_the_account_anonymises_the_stripe_customer_and_keeps_its_ids() -> None:
    learner = StudentFactory(email="ada@example.com")
    other = StudentFactory(email="grace@example.com")
    _customer(learner, "cus_ada")
    _customer(other, "cus_grace")

    user_account_delete(user=learner, password=DEFAULT_PASSWORD)

    customer = djstripe_models.Customer.objects.get(id="cus_ada")
    assert customer.subscriber_id == learner.pk  # refunds and webhooks still find the ledger
    assert customer.email == ""
    assert customer.name is None
    assert customer.address is None
    assert customer.description == ""
    assert customer.metadata == {"djstripe_subscriber": str(learner.pk)}
    data = customer.stripe_data
    for field in ("address", "description", "email", "name", "phone", "shipping"):
        assert data[field] is None, field
    assert data["metadata"] == {"djstripe_subscriber": str(learner.pk)}
    assert (data["id"], data["currency"], data["invoice_prefix"]) == ("cus_ada", "gbp", "ADA0001")
    stored = str(data) + str(customer.metadata)
    for personal in ("ada@example.com", "Lovelace", "Brighton", "Marine", "1273", "by the sea"):
        assert personal not in stored

    untouched = djstripe_models.Customer.objects.get(id="cus_grace")
    assert untouched.email == "grace@example.com"
    assert untouched.stripe_data["name"] == "Ada Lovelace"
    assert untouched.metadata["nickname"] == "Ada by the sea"


def test_a_refused_deletion_leaves_the_customer_as_it_was() -> None:
    learner = StudentFactory(email="ada@example.com")
    _customer(learner, "cus_ada")
    subscribe(learner, "pro")  # renews: the deletion is refused

    with pytest.raises(SubscriptionStillActiveError):
        user_account_delete(user=learner, password=DEFAULT_PASSWORD)

    customer = djstripe_models.Customer.objects.get(id="cus_ada")
    assert customer.email == "ada@example.com"
    assert customer.stripe_data["phone"] == "+44 1273 000000"
    assert customer.metadata["nickname"] == "Ada by the sea"


# --- at Stripe ------------------------------------------------------------------------------------

PERSONAL_AT_STRIPE = (
    "address",
    "business_name",
    "description",
    "email",
    "individual_name",
    "name",
    "phone",
    "shipping",
)


def _stripe_customer(fake: FakeStripe, user: Any, stripe_id: str) -> dict[str, Any]:
    """The same customer on Stripe's side, with metadata Lumen keeps and metadata it does not."""
    return fake.store(
        {
            "id": stripe_id,
            "object": "customer",
            "address": ADDRESS,
            "balance": 0,
            "business_name": "Lovelace Tutoring",
            "currency": "gbp",
            "description": "Ada Lovelace, the Brighton tutor",
            "email": user.email,
            "individual_name": "Ada Lovelace",
            "invoice_prefix": "ADA0001",
            "metadata": {
                "djstripe_subscriber": str(user.pk),
                "user_id": str(user.pk),
                "nickname": "Ada by the sea",
                "referrer": "grace@example.com",
            },
            "name": "Ada Lovelace",
            "phone": "+44 1273 000000",
            "shipping": {"address": ADDRESS, "name": "Ada Lovelace", "phone": "+44 1273 000000"},
        }
    )


def _learner_with_customer(fake: FakeStripe, stripe_id: str = "cus_ada") -> User:
    learner = StudentFactory(email="ada@example.com")
    _customer(learner, stripe_id)
    _stripe_customer(fake, learner, stripe_id)
    return learner


@pytest.fixture
def retries() -> Iterator[list[Any]]:
    """Every retry Celery schedules, as its `Retry` (countdown in `when`, the error in `exc`)."""
    scheduled: list[Any] = []

    def record(sender: Any, reason: Any, **kwargs: Any) -> None:
        scheduled.append(reason)

    signals.task_retry.connect(record, weak=False)
    yield scheduled
    signals.task_retry.disconnect(record)


@pytest.fixture
def no_network_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """The stripe library still retries each request twice, without its half-second sleeps."""
    monkeypatch.setattr(stripe.HTTPClient, "INITIAL_DELAY", 0)
    monkeypatch.setattr(stripe.HTTPClient, "MAX_DELAY", 0)


@pytest.fixture
def as_a_worker(monkeypatch: pytest.MonkeyPatch, no_network_backoff: None) -> None:
    """Eager tasks run their retries as a worker would (at once): the settings' eager mode
    raises the first `Retry` to the caller instead (CELERY_TASK_EAGER_PROPAGATES)."""
    monkeypatch.setitem(tasks.stripe_customer_erase.app.conf, "task_eager_propagates", False)


def _assert_retried_with_backoff(retries: list[Any], count: int) -> None:
    assert len(retries) == count
    for number, retry in enumerate(retries):
        assert isinstance(retry.exc, StripeTransientError)
        # Full jitter: each wait is random, up to twice the one before, capped at 600 s.
        assert 0 <= retry.when <= min(600, 60 * 2**number)


def test_deleting_the_account_erases_the_person_at_stripe_and_keeps_lumens_ids(
    stripe_fake: FakeStripe, django_capture_on_commit_callbacks: Any
) -> None:
    learner = _learner_with_customer(stripe_fake)
    other = StudentFactory(email="grace@example.com")
    _customer(other, "cus_grace")
    _stripe_customer(stripe_fake, other, "cus_grace")
    before = copy.deepcopy(stripe_fake.objects["cus_grace"])

    with django_capture_on_commit_callbacks(execute=True):
        user_account_delete(user=learner, password=DEFAULT_PASSWORD)

    assert [(r.method, r.path) for r in stripe_fake.requests] == [
        ("GET", "/v1/customers/cus_ada"),
        ("POST", "/v1/customers/cus_ada"),
    ]
    assert stripe_fake.calls("POST", "/v1/customers/cus_ada")[0].params == {
        **dict.fromkeys(PERSONAL_AT_STRIPE, ""),
        "metadata[nickname]": "",
        "metadata[referrer]": "",
    }
    customer = stripe_fake.objects["cus_ada"]
    for field in PERSONAL_AT_STRIPE:
        assert customer[field] is None, field
    assert customer["metadata"] == {
        "djstripe_subscriber": str(learner.pk),
        "user_id": str(learner.pk),
    }
    # Updated, not deleted: its subscriptions, charges and refunds still hang off it.
    assert "deleted" not in customer
    assert (customer["id"], customer["currency"], customer["invoice_prefix"]) == (
        "cus_ada",
        "gbp",
        "ADA0001",
    )
    for personal in ("ada@example.com", "Lovelace", "Brighton", "Marine", "1273", "by the sea"):
        assert personal not in str(customer)
    assert stripe_fake.objects["cus_grace"] == before


def test_every_customer_of_the_account_is_erased_at_stripe(
    stripe_fake: FakeStripe, django_capture_on_commit_callbacks: Any
) -> None:
    learner = _learner_with_customer(stripe_fake)
    _customer(learner, "cus_ada_old")
    _stripe_customer(stripe_fake, learner, "cus_ada_old")

    with django_capture_on_commit_callbacks(execute=True):
        user_account_delete(user=learner, password=DEFAULT_PASSWORD)

    for customer_id in ("cus_ada", "cus_ada_old"):
        assert len(stripe_fake.calls("POST", f"/v1/customers/{customer_id}")) == 1
    for customer_id in ("cus_ada", "cus_ada_old"):
        customer = stripe_fake.objects[customer_id]
        assert (customer["email"], customer["name"]) == (None, None)
        assert set(customer["metadata"]) == {"djstripe_subscriber", "user_id"}


def test_erasing_again_changes_nothing(stripe_fake: FakeStripe) -> None:
    _learner_with_customer(stripe_fake)
    assert tasks.stripe_customer_erase.delay("cus_ada").get() == "erased"
    erased = copy.deepcopy(stripe_fake.objects["cus_ada"])

    assert tasks.stripe_customer_erase.delay("cus_ada").get() == "erased"  # a redelivery

    assert stripe_fake.objects["cus_ada"] == erased
    # Nothing is left to unset in the metadata the second time.
    assert "metadata[nickname]" not in stripe_fake.calls("POST", "/v1/customers/cus_ada")[1].params


def test_a_refused_deletion_sends_nothing_to_stripe(
    stripe_fake: FakeStripe, django_capture_on_commit_callbacks: Any
) -> None:
    learner = _learner_with_customer(stripe_fake)
    subscribe(learner, "pro")  # renews: billing refuses the deletion
    before = copy.deepcopy(stripe_fake.objects["cus_ada"])

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(SubscriptionStillActiveError),
    ):
        user_account_delete(user=learner, password=DEFAULT_PASSWORD)

    assert stripe_fake.requests == []
    assert stripe_fake.objects["cus_ada"] == before


def refusing_eraser(*, user_id: int) -> None:
    """An app's eraser that refuses the deletion after billing's has run."""
    raise ConflictError("Not today.")


@pytest.mark.django_db(transaction=True)
def test_a_deletion_refused_by_a_later_eraser_rolls_back_and_sends_nothing(
    stripe_fake: FakeStripe, settings: Any
) -> None:
    """A real transaction: billing's eraser ran (and scheduled its tasks), then the rollback."""
    settings.USER_DATA_ERASERS = [
        "billing.privacy.user_data_erase",
        "billing.tests.test_privacy.refusing_eraser",
    ]
    learner = _learner_with_customer(stripe_fake)
    before = copy.deepcopy(stripe_fake.objects["cus_ada"])

    with pytest.raises(ConflictError):
        user_account_delete(user=learner, password=DEFAULT_PASSWORD)

    assert stripe_fake.requests == []
    assert stripe_fake.objects["cus_ada"] == before
    assert djstripe_models.Customer.objects.get(id="cus_ada").email == "ada@example.com"
    learner.refresh_from_db()
    assert learner.erased_at is None


@pytest.mark.django_db(transaction=True)
def test_a_committed_deletion_reaches_stripe(stripe_fake: FakeStripe) -> None:
    """The same without the test's wrapping transaction: the task runs on the real commit."""
    learner = _learner_with_customer(stripe_fake)

    user_account_delete(user=learner, password=DEFAULT_PASSWORD)

    assert stripe_fake.objects["cus_ada"]["email"] is None
    assert len(stripe_fake.calls("POST", "/v1/customers/cus_ada")) == 1


@pytest.mark.usefixtures("no_network_backoff")
def test_when_stripe_is_down_the_account_is_still_deleted(
    stripe_fake: FakeStripe,
    django_capture_on_commit_callbacks: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    learner = _learner_with_customer(stripe_fake)
    stripe_fake.fail_with_status = 500

    with django_capture_on_commit_callbacks(execute=True):
        deleted = user_account_delete(user=learner, password=DEFAULT_PASSWORD)

    assert deleted.erased_at is not None
    assert User.objects.get(pk=learner.pk).is_active is False
    assert djstripe_models.Customer.objects.get(id="cus_ada").email == ""
    # One attempt (the stripe library tried the retrieval three times), no update.
    assert len(stripe_fake.calls("GET", "/v1/customers/cus_ada")) == 3
    assert stripe_fake.calls("POST", "/v1/customers/cus_ada") == []
    # Eager, the task's retry reaches the commit hook, which logs it and goes on.
    (failure,) = [r for r in caplog.records if r.levelno == logging.ERROR]
    retry = failure.exc_info[1]
    assert isinstance(retry, Retry)
    assert isinstance(retry.exc, StripeTransientError)


@pytest.mark.usefixtures("as_a_worker")
def test_while_stripe_is_down_the_task_retries_with_backoff_then_gives_up(
    stripe_fake: FakeStripe, retries: list[Any]
) -> None:
    _learner_with_customer(stripe_fake)
    stripe_fake.fail_with_status = 500

    result = tasks.stripe_customer_erase.delay("cus_ada")

    assert tasks.stripe_customer_erase.max_retries == 12
    _assert_retried_with_backoff(retries, 12)
    assert result.state == "FAILURE"
    assert isinstance(result.result, StripeTransientError)
    assert len(stripe_fake.calls("GET", "/v1/customers/cus_ada")) == 13 * 3
    assert stripe_fake.calls("POST", "/v1/customers/cus_ada") == []


@pytest.mark.usefixtures("as_a_worker")
def test_an_unreachable_stripe_is_retried_until_it_answers(
    stripe_fake: FakeStripe, settings: Any, retries: list[Any]
) -> None:
    _learner_with_customer(stripe_fake)
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{port}"  # connection refused

    def back_after_two_retries(sender: Any, **kwargs: Any) -> None:
        if len(retries) == 2:
            settings.STRIPE_API_BASE = stripe_fake.url

    signals.task_retry.connect(back_after_two_retries, weak=False)
    try:
        result = tasks.stripe_customer_erase.delay("cus_ada")
    finally:
        signals.task_retry.disconnect(back_after_two_retries)

    _assert_retried_with_backoff(retries, 2)
    assert result.get() == "erased"
    assert stripe_fake.objects["cus_ada"]["email"] is None


def test_a_refusal_is_logged_and_not_retried(
    stripe_fake: FakeStripe, settings: Any, retries: list[Any], caplog: pytest.LogCaptureFixture
) -> None:
    _learner_with_customer(stripe_fake)
    settings.STRIPE_SECRET_KEY = "sk_test_RevokedLumenKey0000000000"  # Stripe answers 401

    assert tasks.stripe_customer_erase.delay("cus_ada").get() == "refused"

    assert retries == []
    assert len(stripe_fake.requests) == 1
    assert stripe_fake.objects["cus_ada"]["email"] == "ada@example.com"
    (record,) = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert record.getMessage() == (
        "Stripe refused to erase customer cus_ada; erase it in Stripe's dashboard."
    )


def test_a_customer_stripe_no_longer_has_is_done(
    stripe_fake: FakeStripe, retries: list[Any]
) -> None:
    _learner_with_customer(stripe_fake)
    stripe_fake.handle("DELETE", "/v1/customers/cus_ada", {})  # deleted in Stripe's dashboard

    assert tasks.stripe_customer_erase.delay("cus_ada").get() == "missing"
    assert tasks.stripe_customer_erase.delay("cus_never_known").get() == "missing"  # a 404

    assert retries == []
    assert stripe_fake.objects["cus_ada"] == {
        "id": "cus_ada",
        "object": "customer",
        "deleted": True,
    }
    assert [(r.method, r.path) for r in stripe_fake.requests] == [
        ("GET", "/v1/customers/cus_ada"),
        ("GET", "/v1/customers/cus_never_known"),
    ]


def test_a_customer_deleted_at_stripe_does_not_hold_up_the_deletion(
    stripe_fake: FakeStripe, django_capture_on_commit_callbacks: Any
) -> None:
    learner = _learner_with_customer(stripe_fake)
    del stripe_fake.objects["cus_ada"]

    with django_capture_on_commit_callbacks(execute=True):
        deleted = user_account_delete(user=learner, password=DEFAULT_PASSWORD)

    assert deleted.erased_at is not None
    assert [(r.method, r.path) for r in stripe_fake.requests] == [("GET", "/v1/customers/cus_ada")]


def test_without_stripe_keys_nothing_is_sent(
    stripe_fake: FakeStripe,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    learner = _learner_with_customer(stripe_fake)
    settings.STRIPE_SECRET_KEY = settings.STRIPE_PUBLISHABLE_KEY = ""

    with django_capture_on_commit_callbacks(execute=True):
        deleted = user_account_delete(user=learner, password=DEFAULT_PASSWORD)

    assert deleted.erased_at is not None
    assert tasks.stripe_customer_erase.delay("cus_ada").get() == "not_configured"
    assert stripe_fake.requests == []
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING] == [
        "Stripe is not configured: customer cus_ada was not erased there."
    ] * 2


# --- the durable request and the hourly sweep ---------------------------------------------------


def _erasure(customer_id: str = "cus_ada") -> StripeCustomerErasure:
    return StripeCustomerErasure.objects.get(customer_id=customer_id)


def test_the_deletion_records_the_request_and_the_task_its_outcome(
    stripe_fake: FakeStripe, django_capture_on_commit_callbacks: Any
) -> None:
    learner = _learner_with_customer(stripe_fake)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        user_account_delete(user=learner, password=DEFAULT_PASSWORD)
    pending = _erasure()
    assert (pending.outcome, pending.attempts, pending.completed_at) == ("pending", 0, None)
    for callback in callbacks:
        callback()

    erased = _erasure()
    assert (erased.outcome, erased.attempts) == ("erased", 1)
    assert erased.completed_at is not None
    assert stripe_fake.objects["cus_ada"]["email"] is None


def test_a_request_the_broker_never_delivered_is_sent_by_the_sweep(
    stripe_fake: FakeStripe, django_capture_on_commit_callbacks: Any
) -> None:
    learner = _learner_with_customer(stripe_fake)
    with django_capture_on_commit_callbacks(execute=False):  # the broker was down at the commit
        user_account_delete(user=learner, password=DEFAULT_PASSWORD)
    assert stripe_fake.requests == []

    assert tasks.stripe_erasures_resend.delay().get() == 1

    assert _erasure().outcome == "erased"
    assert stripe_fake.objects["cus_ada"]["email"] is None
    assert tasks.stripe_erasures_resend.delay().get() == 0  # done: not sent again


@pytest.mark.usefixtures("as_a_worker")
def test_a_task_that_gave_up_is_sent_again_once_its_retries_are_surely_over(
    stripe_fake: FakeStripe,
) -> None:
    _learner_with_customer(stripe_fake)
    StripeCustomerErasure.objects.create(customer_id="cus_ada")
    start = timezone.now()
    stripe_fake.fail_with_status = 500
    with time_machine.travel(start, tick=False) as clock:
        assert tasks.stripe_customer_erase.delay("cus_ada").state == "FAILURE"
        stripe_fake.fail_with_status = None
        gave_up = _erasure()
        assert (gave_up.outcome, gave_up.attempts) == ("pending", 13)

        clock.move_to(start + ERASURE_RESEND_AFTER - dt.timedelta(minutes=1))
        assert tasks.stripe_erasures_resend.delay().get() == 0  # it may still be retrying
        clock.move_to(start + ERASURE_RESEND_AFTER + dt.timedelta(minutes=1))
        assert tasks.stripe_erasures_resend.delay().get() == 1

    assert _erasure().outcome == "erased"
    assert stripe_fake.objects["cus_ada"]["email"] is None


def test_a_refusal_waits_for_an_operator_and_missing_keys_for_stripe_to_be_set_up(
    stripe_fake: FakeStripe, settings: Any
) -> None:
    _learner_with_customer(stripe_fake)
    StripeCustomerErasure.objects.create(customer_id="cus_ada")
    StripeCustomerErasure.objects.create(customer_id="cus_other")
    keys = settings.STRIPE_SECRET_KEY, settings.STRIPE_PUBLISHABLE_KEY
    settings.STRIPE_SECRET_KEY = settings.STRIPE_PUBLISHABLE_KEY = ""
    assert tasks.stripe_customer_erase.delay("cus_other").get() == "not_configured"
    settings.STRIPE_SECRET_KEY = "sk_test_RevokedLumenKey0000000000"
    settings.STRIPE_PUBLISHABLE_KEY = keys[1]
    assert tasks.stripe_customer_erase.delay("cus_ada").get() == "refused"
    settings.STRIPE_SECRET_KEY = keys[0]

    later = timezone.now() + ERASURE_RESEND_AFTER + dt.timedelta(minutes=1)
    assert stripe_erasures_due(now=later) == ["cus_other"]
    refused = _erasure()
    assert refused.completed_at is not None
    assert str(refused) == "cus_ada: Refused by Stripe: erase it in Stripe's dashboard"


def test_the_sweep_runs_every_hour() -> None:
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["billing-stripe-erasures-resend"]
    assert entry["task"] == tasks.stripe_erasures_resend.name
    assert entry["schedule"].minute == {17}
    assert len(entry["schedule"].hour) == 24
