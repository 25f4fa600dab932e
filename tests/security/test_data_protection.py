"""Data protection: a user downloads everything Lumen holds about them (JSON) and deletes their
account; personal data goes, the XP ledger, ratings, posts and other people's reputation keep
their integrity, and the account can never sign in again. Refusals change nothing at all.

Uses the security world: "enrolled" owns one of every personal object (attempt, certificate,
notification, conversation, practice set, review card, challenge run, study group, badge,
affiliate account, subscription, a question that "other" answered).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import time_machine
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.db import connection
from django.db.models import Sum
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from accounts import tokens
from accounts.models import AuditEntry, TeacherApplication, User
from accounts.tests.factories import DEFAULT_PASSWORD, AdminFactory, StudentFactory
from ai_tools.models import ChatMessage, Conversation, PracticeSet
from analytics.models import Event
from billing.models import Affiliate, Invoice, Subscription
from courses.models import Certificate, Course, CourseReview, Enrollment, QuizAttempt
from courses.services import learning
from courses.services.reviews import review_submit
from gamification import services as gamification_services
from gamification.models import LearnerStats, StudyGroup, UserAchievement, XpTransaction
from gamification.rules import Action
from learning.models import ChallengeRun, ReviewCard
from notifications.models import Notification, PushSubscription
from qa.models import Answer, Follow, Question, StarRating, UserReputation
from qa.services import follows as qa_follows
from qa.services import ratings as qa_ratings
from tests.security.world import World, world_build

EXPORT_API = "/api/v1/users/export"
DELETE_API = "/api/v1/users/delete"
SECTIONS = [
    "format",
    "exported_at",
    "user_id",
    "account",
    "courses",
    "gamification",
    "learning",
    "notifications",
    "qa",
    "ai_tools",
    "billing",
    "analytics",
]


@pytest.fixture
def media_root(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def world(db: None, media_root: Path, django_capture_on_commit_callbacks) -> World:
    """The security world, plus XP, a rating, a review, a follow, push, TOTP, an avatar, a
    token, analytics events and a verified address for "enrolled"; their plan set to end."""
    with django_capture_on_commit_callbacks(execute=True):
        w = world_build()
        learner, other = w.user("enrolled"), w.user("other")
        for n, who in enumerate((learner, learner, other)):
            gamification_services.xp_award(
                user=who, action=Action.LESSON_COMPLETED, idempotency_key=f"dp-{n}", course=w.course
            )
        qa_ratings.answer_star(answer=w.answer, rater=learner, stars=5)
        learning.lesson_complete(learner=learner, lesson=w.lesson)  # reviews need a lesson done
        review_submit(learner=learner, course=w.course, rating=4, comment="Lovely tides, Ada here.")
        qa_follows.follow_create(follower=learner, course=w.course)
    PushSubscription.objects.create(
        user=learner, endpoint="https://push.example/abc", p256dh="k", auth="a", user_agent="UA"
    )
    Authenticator.objects.create(user=learner, type=Authenticator.Type.TOTP, data={"secret": "s"})
    EmailAddress.objects.create(user=learner, email=learner.email, verified=True, primary=True)
    learner.avatar.save("ada.png", ContentFile(b"\x89PNG fake"), save=True)
    learner.bio = "I live by the sea in Brighton."
    learner.save(update_fields=["bio"])
    Event.objects.create(kind=Event.Kind.LOGIN, user=learner)
    Event.objects.create(kind=Event.Kind.LOGIN, user=other)
    Subscription.objects.filter(subscriber=learner).update(cancel_at_period_end=True)
    Invoice.objects.create(
        customer=learner, stripe_invoice_id="in_dp_1", amount_cents=900, status="paid"
    )
    return w


def _api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- export ---------------------------------------------------------------------------------------


def test_the_export_holds_every_section_of_the_users_own_data(world: World) -> None:
    learner = world.user("enrolled")

    response = _api(learner).get(EXPORT_API)

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    data = response.json()
    assert list(data) == SECTIONS
    assert data["format"] == "lumen-user-data/1"
    assert data["account"]["profile"]["email"] == learner.email
    assert data["account"]["profile"]["bio"] == "I live by the sea in Brighton."
    assert data["account"]["two_factor"][0]["type"] == "totp"
    assert "secret" not in json.dumps(data["account"]["two_factor"])
    assert [row["expertise"] for row in data["account"]["teacher_applications"]] == [
        world.application.expertise
    ]
    assert [row["course_id"] for row in data["courses"]["enrollments"]] == [world.course.pk]
    assert [row["quiz_id"] for row in data["courses"]["quiz_attempts"]] == [world.quiz.pk]
    assert data["courses"]["course_reviews"][0]["comment"] == "Lovely tides, Ada here."
    assert [row["public_id"] for row in data["courses"]["certificates"]] == [
        str(world.certificate.public_id)
    ]
    assert [row["amount"] for row in data["gamification"]["xp_ledger"]] == [
        row.amount
        for row in XpTransaction.objects.filter(user=learner).order_by("created_at", "id")
    ]
    assert len(data["gamification"]["xp_ledger"]) >= 2
    assert [row["code"] for row in data["gamification"]["badges"]] == list(
        UserAchievement.objects.filter(user=learner)
        .order_by("earned_at", "id")
        .values_list("code", flat=True)
    )
    assert [row["id"] for row in data["learning"]["review_cards"]] == [world.card.pk]
    assert [row["title"] for row in data["notifications"]["notifications"]] == list(
        Notification.objects.filter(recipient=learner)
        .order_by("created_at", "id")
        .values_list("title", flat=True)
    )
    assert data["notifications"]["push_devices"][0]["user_agent"] == "UA"
    assert "endpoint" not in data["notifications"]["push_devices"][0]
    assert [row["id"] for row in data["qa"]["questions"]] == [world.question.pk]
    assert [row["stars"] for row in data["qa"]["ratings_given"]] == [5]
    assert [row["content"] for row in data["ai_tools"]["messages"]] == ["What is a tide?"]
    assert [row["status"] for row in data["billing"]["subscriptions"]] == ["active"]
    assert [row["stripe_invoice_id"] for row in data["billing"]["invoices"]] == ["in_dp_1"]
    assert sorted(row["kind"] for row in data["analytics"]["events"]) == sorted(
        Event.objects.filter(user=learner).values_list("kind", flat=True)
    )
    assert "login" in {row["kind"] for row in data["analytics"]["events"]}


def test_the_export_holds_nobody_elses_data(world: World) -> None:
    other = world.user("other")

    data = _api(other).get(EXPORT_API).json()

    assert data["account"]["profile"]["email"] == other.email
    assert data["qa"]["questions"] == []
    assert [row["id"] for row in data["qa"]["answers"]] == [world.answer.pk]
    assert data["ai_tools"]["conversations"] == []
    assert data["courses"]["certificates"] == []
    assert [row["title"] for row in data["notifications"]["notifications"]] == list(
        Notification.objects.filter(recipient=other)
        .order_by("created_at", "id")
        .values_list("title", flat=True)
    )
    assert "Welcome" not in [row["title"] for row in data["notifications"]["notifications"]]
    assert data["billing"]["invoices"] == []
    assert len(data["analytics"]["events"]) == Event.objects.filter(user=other).count()
    assert world.user("enrolled").email not in json.dumps(data)


def test_the_export_runs_a_fixed_number_of_queries(
    world: World, django_assert_max_num_queries
) -> None:
    """One query per kind of record (46 in all), however many rows of each there are."""
    learner = world.user("enrolled")
    client = _api(learner)
    with CaptureQueriesContext(connection) as first:
        client.get(EXPORT_API)
    for n in range(5):
        Notification.objects.create(
            recipient=learner, kind="announcement", title=f"N{n}", dedupe_key=f"more-{n}"
        )
        gamification_services.xp_award(
            user=learner, action=Action.LESSON_COMPLETED, idempotency_key=f"more-{n}"
        )
        Event.objects.create(kind=Event.Kind.LOGIN, user=learner)

    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(EXPORT_API)

    assert len(first.captured_queries) <= 46  # 45, and the help center's bounties offered
    assert len(response.json()["notifications"]["notifications"]) == (
        Notification.objects.filter(recipient=learner).count()
    )
    assert len(response.json()["gamification"]["xp_ledger"]) >= 7


def test_the_page_offers_the_same_document_as_a_download(world: World) -> None:
    learner = world.user("enrolled")
    browser = Client()
    browser.force_login(learner)

    page = browser.get(reverse("privacy"))
    download = browser.get(reverse("privacy_export"))

    assert page.status_code == 200
    assert f'href="{reverse("privacy_export")}"' in page.content.decode()
    assert download.status_code == 200
    assert download["Content-Type"] == "application/json"
    assert download["Content-Disposition"].startswith(
        f'attachment; filename="lumen-data-{learner.pk}-'
    )
    document = json.loads(download.content)
    assert list(document) == SECTIONS
    assert document["account"]["profile"]["email"] == learner.email


def test_anonymous_callers_get_nothing(db: None) -> None:
    assert APIClient().get(EXPORT_API).status_code == 401
    assert APIClient().post(DELETE_API, {"password": "x"}).status_code == 401
    assert Client().get(reverse("privacy_export"))["Location"].startswith("/accounts/login/")


# --- deletion -------------------------------------------------------------------------------------


def _totals(world: World) -> dict[str, Any]:
    """What other people see and rely on: must not move when one learner leaves."""
    answer = Answer.objects.get(pk=world.answer.pk)
    course = Course.objects.get(pk=world.course.pk)
    return {
        "ledger_rows": XpTransaction.objects.count(),
        "ledger_sum": XpTransaction.objects.aggregate(total=Sum("amount"))["total"],
        "stats_sum": LearnerStats.objects.aggregate(total=Sum("total_xp"))["total"],
        "answer_author_reputation": UserReputation.objects.get(user=world.user("other")).points,
        "answer_stars": (answer.star_count, answer.star_total),
        "course_rating": (course.rating_count, course.rating_total),
        "ratings": CourseReview.objects.count(),
        "enrollments": Enrollment.objects.count(),
        "attempts": QuizAttempt.objects.count(),
        "runs": ChallengeRun.objects.count(),
        "questions": Question.objects.count(),
        "answers": Answer.objects.count(),
        "star_ratings": StarRating.objects.count(),
        "invoices": Invoice.objects.count(),
    }


def test_deleting_removes_personal_data_and_keeps_what_others_rely_on(
    world: World, media_root: Path, django_capture_on_commit_callbacks
) -> None:
    learner = world.user("enrolled")
    avatar = media_root / learner.avatar.name
    assert avatar.is_file()
    tokens.token_pair_issue(user=learner)  # an outstanding refresh token, which must go
    before = _totals(world)

    with django_capture_on_commit_callbacks(execute=True):
        response = _api(learner).post(DELETE_API, {"password": DEFAULT_PASSWORD}, format="json")

    assert response.status_code == 204
    user = User.objects.get(pk=learner.pk)
    assert (user.email, user.display_name, user.bio, user.avatar.name, user.time_zone) == (
        f"deleted-{learner.pk}@deleted.invalid",
        "Deleted user",
        "",
        "",
        "UTC",
    )
    assert (user.is_active, user.has_usable_password(), user.is_staff, user.role) == (
        False,
        False,
        False,
        "student",
    )
    assert user.erased_at is not None
    assert not avatar.exists()
    for model, lookup in [
        (EmailAddress, "user"),
        (Authenticator, "user"),
        (OutstandingToken, "user"),
        (TeacherApplication, "applicant"),
        (Notification, "recipient"),
        (PushSubscription, "user"),
        (Conversation, "learner"),
        (PracticeSet, "learner"),
        (ReviewCard, "learner"),
        (Certificate, "learner"),
        (UserAchievement, "user"),
        (Follow, "follower"),
        (Event, "user"),
    ]:
        assert not model.objects.filter(**{lookup: user}).exists(), model.__name__
    assert not ChatMessage.objects.filter(conversation__learner=user).exists()
    assert CourseReview.objects.get(learner=user).comment == ""
    assert LearnerStats.objects.get(user=user).is_hidden_from_leaderboards is True
    assert Affiliate.objects.get(user=user).is_active is False
    group = StudyGroup.objects.filter(pk=world.group.pk).first()
    assert group is None  # the learner was its only member
    # The ratings the learner gave are withdrawn by Q&A's rule for removed accounts: the answer
    # is recounted and the reputation the rating granted reversed; everything else holds.
    after = _totals(world)
    assert (after.pop("star_ratings"), after.pop("answer_stars")) == (0, (0, 0))
    assert after.pop("answer_author_reputation") == before.pop("answer_author_reputation") - 5
    del before["star_ratings"], before["answer_stars"]
    assert after == before
    assert str(Question.objects.get(pk=world.question.pk).asker) == "Deleted user"
    assert list(
        AuditEntry.objects.filter(action="account_delete").values_list(
            "actor_id", "target_id", "target_repr"
        )
    ) == [(user.pk, str(user.pk), f"Deleted user #{user.pk}")]
    assert learner.email not in json.dumps(
        list(AuditEntry.objects.values("target_repr", "changes"))
    )


def test_a_deleted_account_cannot_sign_in_or_use_old_tokens_or_sessions(world: World) -> None:
    learner = world.user("enrolled")
    email = learner.email
    pair = tokens.token_pair_issue(user=learner)
    browser = Client()
    browser.force_login(learner)

    assert _api(learner).post(DELETE_API, {"password": DEFAULT_PASSWORD}).status_code == 204

    login = APIClient().post("/api/v1/auth/login", {"email": email, "password": DEFAULT_PASSWORD})
    assert login.status_code == 401
    bearer = APIClient(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
    assert bearer.get("/api/v1/users/profile").status_code == 401
    assert APIClient().post("/api/v1/auth/refresh", {"refresh": pair["refresh"]}).status_code == 401
    assert browser.get(reverse("profile"))["Location"].startswith("/accounts/login/")
    browser_login = Client().post(
        reverse("account_login"), {"login": email, "password": DEFAULT_PASSWORD}
    )
    assert "_auth_user_id" not in browser_login.wsgi_request.session


def test_the_address_can_sign_up_again(world: World) -> None:
    learner = world.user("enrolled")
    email = learner.email
    _api(learner).post(DELETE_API, {"password": DEFAULT_PASSWORD})

    response = APIClient().post(
        "/api/v1/auth/register", {"email": email, "password": "a-fresh-start-passphrase-8"}
    )

    assert response.status_code == 201
    assert response.json()["user"]["id"] != learner.pk


def test_a_wrong_password_deletes_nothing(world: World) -> None:
    learner = world.user("enrolled")
    before = _totals(world)

    response = _api(learner).post(DELETE_API, {"password": "not-my-password"})

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"password": ["Your password is not correct."]}
    learner.refresh_from_db()
    assert (learner.is_active, learner.erased_at) == (True, None)
    assert Notification.objects.filter(recipient=learner).exists()
    assert _totals(world) == before


def test_wrong_passwords_lock_the_deletion_like_the_sign_in(world: World, settings: Any) -> None:
    # The local cache counts the lock's window on Python's clock, which the test stops (Redis
    # counts on its own, and six requests on a loaded machine may take seconds).
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "deletion-lockout",
        }
    }
    learner = world.user("enrolled")
    client = _api(learner)
    # A stopped clock: the lock's Retry-After counts down in whole seconds.
    with time_machine.travel(timezone.now(), tick=False):
        for _ in range(5):
            assert client.post(DELETE_API, {"password": "not-my-password"}).status_code == 400

        response = client.post(DELETE_API, {"password": DEFAULT_PASSWORD})

    assert response.status_code == 429
    assert response.json()["error"]["code"] == "account_locked"
    assert response["Retry-After"] == "300"
    learner.refresh_from_db()
    assert learner.is_active is True


def test_a_renewing_subscription_refuses_the_deletion(world: World) -> None:
    learner = world.user("enrolled")
    Subscription.objects.filter(subscriber=learner).update(cancel_at_period_end=False)

    response = _api(learner).post(DELETE_API, {"password": DEFAULT_PASSWORD})

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "subscription_active"
    learner.refresh_from_db()
    assert learner.is_active is True


def test_a_refusal_after_other_apps_erased_their_part_rolls_everything_back(
    world: World, settings
) -> None:
    """The erasers share one transaction: billing refusing last undoes everyone else's work."""
    learner = world.user("enrolled")
    Subscription.objects.filter(subscriber=learner).update(cancel_at_period_end=False)
    settings.USER_DATA_ERASERS = [
        *[path for path in django_settings.USER_DATA_ERASERS if not path.startswith("billing")],
        "billing.privacy.user_data_erase",
    ]
    counts = (
        Notification.objects.filter(recipient=learner).count(),
        Certificate.objects.filter(learner=learner).count(),
        Event.objects.filter(user=learner).count(),
    )

    response = _api(learner).post(DELETE_API, {"password": DEFAULT_PASSWORD})

    assert response.status_code == 409
    assert (
        Notification.objects.filter(recipient=learner).count(),
        Certificate.objects.filter(learner=learner).count(),
        Event.objects.filter(user=learner).count(),
    ) == counts
    assert counts[0] > 0
    assert counts[1] == 1
    assert counts[2] > 0


def test_the_last_admin_cannot_delete_their_account(db: None) -> None:
    admin = AdminFactory()

    refused = _api(admin).post(DELETE_API, {"password": DEFAULT_PASSWORD})

    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "last_admin"
    AdminFactory()
    assert _api(admin).post(DELETE_API, {"password": DEFAULT_PASSWORD}).status_code == 204


def test_an_inactive_admin_does_not_count_as_another_admin(db: None) -> None:
    admin = AdminFactory()
    AdminFactory(is_active=False)

    assert _api(admin).post(DELETE_API, {"password": DEFAULT_PASSWORD}).status_code == 409


# --- the page -------------------------------------------------------------------------------------


@pytest.fixture
def plain_learner(db: None) -> User:
    return StudentFactory()


def test_the_page_needs_the_box_ticked_and_the_password(plain_learner: User) -> None:
    browser = Client()
    browser.force_login(plain_learner)

    unticked = browser.post(reverse("account_delete"), {"password": DEFAULT_PASSWORD})
    wrong = browser.post(reverse("account_delete"), {"password": "nope", "confirm": "on"})

    assert unticked.status_code == 422
    assert "Tick the box to confirm you want your account deleted." in unticked.content.decode()
    assert wrong.status_code == 400
    assert (
        '<ul class="errorlist" id="id_password_error"><li>Your password is not correct.</li>'
        in wrong.content.decode()
    )
    plain_learner.refresh_from_db()
    assert plain_learner.is_active is True


def test_deleting_from_the_page_signs_out_and_says_so(plain_learner: User) -> None:
    browser = Client()
    browser.force_login(plain_learner)

    response = browser.post(
        reverse("account_delete"), {"password": DEFAULT_PASSWORD, "confirm": "on"}, follow=True
    )

    assert response.redirect_chain == [(reverse("home"), 302)]
    assert "Your account has been deleted." in response.content.decode()
    assert "_auth_user_id" not in browser.session
    plain_learner.refresh_from_db()
    assert plain_learner.erased_at is not None


def test_the_page_explains_a_refusal(world: World) -> None:
    admin = world.user("admin")
    browser = Client()
    browser.force_login(admin)

    response = browser.post(
        reverse("account_delete"), {"password": DEFAULT_PASSWORD, "confirm": "on"}
    )

    assert response.status_code == 409
    assert "You are the last admin" in response.content.decode()
