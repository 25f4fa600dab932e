"""Billing pages, the referral link, the admin actions, and no lesson body for the unentitled."""

from __future__ import annotations

import itertools
import re

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from accounts.models import User
from billing import services
from billing.middleware import REFERRAL_COOKIE
from billing.models import Affiliate, Invoice, Purchase, Referral
from billing.tests.factories import BundleFactory, CoursePriceFactory, PurchaseFactory, subscribe
from courses.models import Course, Lesson
from courses.services.quizzes import quiz_attempt_start
from courses.tests.factories import (
    AdminFactory,
    EnrollmentFactory,
    StudentFactory,
    course_with_outline,
    quiz_lesson,
)

pytestmark = pytest.mark.django_db


def signed_in(user: User) -> Client:
    if user.is_staff_role:
        Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client = Client()
    client.force_login(user)
    return client


def test_pricing_without_keys_explains_payments_are_not_configured(plans, client):
    response = client.get(reverse("billing:pricing"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Payments are not configured on this Lumen site yet" in html
    assert "$19.00</strong> a month" in html
    assert 'action="/billing/checkout/"' not in html


def test_pricing_compares_tiers_and_offers_checkout(
    plans, stripe_fake, django_assert_max_num_queries
):
    BundleFactory.create_batch(3, courses=[course_with_outline(), course_with_outline()])
    client = signed_in(StudentFactory())
    with django_assert_max_num_queries(8):
        response = client.get(reverse("billing:pricing"))
    html = response.content.decode()
    assert "not configured" not in html
    assert html.count('name="plan" value=') == 3
    assert html.count('name="bundle" value=') == 3
    assert "<legend>Billing period for Pro</legend>" in html


def test_checkout_form_redirects_to_stripe(plans, stripe_fake):
    response = signed_in(StudentFactory()).post(
        reverse("billing:checkout"), {"plan": "pro", "interval": "month"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(f"{stripe_fake.url}/c/pay/cs_test_")
    params = stripe_fake.calls("POST", "/v1/checkout/sessions")[0].params
    assert params["success_url"] == (
        "http://testserver/billing/checkout/success/?session_id={CHECKOUT_SESSION_ID}"
    )


def test_a_refused_checkout_shows_why(plans, stripe_fake):
    client = signed_in(StudentFactory())
    response = client.post(reverse("billing:checkout"), {"plan": "gold"}, follow=True)
    assert "There is no plan called &#x27;gold&#x27;." in response.content.decode()
    assert client.post(reverse("billing:checkout"), {"course": "999"}).status_code == 404
    assert stripe_fake.requests == []


def test_checkout_needs_sign_in(plans, client):
    response = client.post(reverse("billing:checkout"), {"plan": "pro"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_return_pages(client):
    assert "Nothing was charged" in client.get(reverse("billing:checkout_cancel")).content.decode()
    page = signed_in(StudentFactory()).get(reverse("billing:checkout_success"))
    assert "Thank you for your payment" in page.content.decode()


def test_billing_page_lists_plan_purchases_and_invoices(plans, django_assert_max_num_queries):
    student = StudentFactory()
    subscription = subscribe(student, "premium")
    for index in range(3):
        PurchaseFactory(buyer=student, course=course_with_outline(title=f"Bought {index}"))
        Invoice.objects.create(
            customer=student,
            subscription=subscription,
            stripe_invoice_id=f"in_{index}",
            amount_cents=3900,
            status="paid",
        )
    client = signed_in(student)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("billing:account"))
    html = response.content.decode()
    assert "<strong>Premium</strong>, billed monthly" in html
    assert html.count("Bought ") == 3
    assert html.count("$39.00") == 3
    assert "Manage plan, card and cancellation" in html


def test_portal_button_goes_to_stripe(plans, stripe_fake):
    student = StudentFactory()
    client = signed_in(student)
    refused = client.post(reverse("billing:portal"), follow=True)
    assert "You have no billing account yet" in refused.content.decode()
    services.customer_get_or_create(user=student)
    response = client.post(reverse("billing:portal"))
    assert response["Location"].startswith("https://billing.stripe.test/p/session/")


def test_referral_link_sets_a_cookie_and_counts_the_click(plans, client, settings):
    settings.AFFILIATE_COOKIE_DAYS = 45
    affiliate = services.affiliate_create(user=StudentFactory())

    response = client.get(reverse("billing:pricing") + f"?ref={affiliate.code}")
    client.get(reverse("billing:pricing") + f"?ref={affiliate.code}")
    unknown = Client().get(reverse("billing:pricing") + "?ref=nobody")

    cookie = response.cookies[REFERRAL_COOKIE]
    assert cookie.value == affiliate.code
    assert cookie["max-age"] == 45 * 86400
    assert cookie["httponly"]
    assert REFERRAL_COOKIE not in unknown.cookies
    affiliate.refresh_from_db()
    assert affiliate.click_count == 1


def test_signing_up_through_a_referral_link_credits_the_affiliate(plans, client):
    affiliate = services.affiliate_create(user=StudentFactory())
    client.get(reverse("home") + f"?ref={affiliate.code}")
    client.post(
        reverse("account_signup"),
        {
            "email": "referred@example.com",
            "display_name": "Referred",
            "password1": "a-long-passphrase-1",
            "password2": "a-long-passphrase-1",
        },
    )
    referral = Referral.objects.get()
    assert (referral.affiliate, referral.referred_user.email) == (affiliate, "referred@example.com")


def test_affiliate_dashboard(plans, django_assert_max_num_queries):
    student = StudentFactory()
    client = signed_in(student)
    assert "Become an affiliate" in client.get(reverse("billing:affiliate")).content.decode()
    client.post(reverse("billing:affiliate"))
    affiliate = Affiliate.objects.get(user=student)
    for index in range(3):
        customer = StudentFactory()
        services.referral_attribute_from_code(user=customer, code=affiliate.code)
        services.commission_record(
            user=customer, source=f"invoice:{index}", amount_cents=5000, currency="usd"
        )
    # A fourth referred user signed up and has not paid yet.
    services.referral_attribute_from_code(user=StudentFactory(), code=affiliate.code)
    for _ in range(2):
        services.affiliate_click_record(code=affiliate.code)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("billing:affiliate"))
    html = response.content.decode()
    assert f"http://testserver/pricing/?ref={affiliate.code}" in html
    assert "<dt>Clicks</dt><dd>2</dd>" in html
    assert "<dt>Sign-ups</dt><dd>4</dd>" in html
    assert "<dt>Paying customers</dt><dd>3</dd>" in html
    assert "<dt>Pending</dt><dd>$30.00</dd>" in html
    assert html.count("Pending (refund window open)") == 3


def test_admin_refund_action_refunds_through_stripe(plans, stripe_fake):
    student = StudentFactory()
    purchase = PurchaseFactory(buyer=student, course=course_with_outline(required_plan="pro"))
    client = signed_in(AdminFactory())
    response = client.post(
        reverse("admin:billing_purchase_changelist"),
        {"action": "refund", "_selected_action": [purchase.pk]},
        follow=True,
    )
    assert response.status_code == 200
    purchase.refresh_from_db()
    assert purchase.status == "refunded"
    assert len(stripe_fake.calls("POST", "/v1/refunds")) == 1
    again = client.post(
        reverse("admin:billing_purchase_changelist"),
        {"action": "refund", "_selected_action": [purchase.pk]},
        follow=True,
    )
    assert "already been refunded" in again.content.decode()
    assert len(stripe_fake.calls("POST", "/v1/refunds")) == 1


@pytest.mark.parametrize(
    "name",
    [
        "plan",
        "courseprice",
        "bundle",
        "subscription",
        "purchase",
        "invoice",
        "affiliate",
        "referral",
        "commission",
    ],
)
def test_every_billing_model_is_in_the_admin(plans, name):
    PurchaseFactory(buyer=StudentFactory(), course=course_with_outline())
    response = signed_in(AdminFactory()).get(reverse(f"admin:billing_{name}_changelist"))
    assert response.status_code == 200


SECRET = "Zanzibarite"  # a word no generated text would contain unless it read the lessons
SECRET_BODY = (
    f"The {SECRET} tide rises twice a day because the moon pulls the oceans. "
    f"Sailors on {SECRET} boats read the tide tables before they leave the harbour. "
    f"A spring tide on the {SECRET} coast comes when the sun and the moon line up. "
    f"Neap tides are the gentle ones, when the {SECRET} moon is at a right angle to the sun."
)


def _content_urls(course: Course, *, attempt_ids: list[int]) -> list[str]:
    """Every API and HTML route whose parameters are all about `course` (its id or slug, its
    lessons, its quizzes, attempts at them), filled with every combination of their values."""
    lessons = Lesson.objects.filter(module__course=course)
    values = {
        "course_id": [course.pk],
        "slug": [course.slug],
        "course_slug": [course.slug],
        "lesson_id": list(lessons.values_list("id", flat=True)),
        "quiz_id": list(lessons.filter(quiz__isnull=False).values_list("quiz__id", flat=True)),
        "attempt_id": attempt_ids,
    }
    urls: list[str] = []

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern):
                names = re.findall(r"<(?:\w+:)?(\w+)>", route)
                if not names or not set(names) <= set(values):
                    continue
                for combination in itertools.product(*(values[name] for name in names)):
                    url = route
                    for value in combination:
                        url = re.sub(r"<(?:\w+:)?\w+>", str(value), url, count=1)
                    urls.append("/" + url.replace("^", "").replace("$", ""))

    walk(get_resolver().url_patterns, "")
    return urls


def _walk_refuses_the_body(user: User, course: Course, *, attempt_ids: list[int]) -> list[str]:
    """Call every content URL of `course` as `user` (API and pages, GET and POST, and the AI
    tools' JSON bodies); assert none answers a 5xx or shows a lesson body. Returns the URLs."""
    api = APIClient()
    api.force_authenticate(user)
    browser = signed_in(user)
    urls = _content_urls(course, attempt_ids=attempt_ids)
    for url in urls:
        for client in (api, browser):
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                assert response.status_code < 500, (method, url)
                assert SECRET not in response.content.decode(), (method, url)
    lessons = Lesson.objects.filter(module__course=course)
    bodies = [
        (
            "/api/v1/ai/study-buddy",
            {"course_id": course.pk, "question": f"Why does the {SECRET} tide rise?"},
        ),
        *(("/api/v1/ai/summarize-lesson", {"lesson_id": lesson.pk}) for lesson in lessons),
        *(("/api/v1/ai/generate-questions", {"lesson_id": lesson.pk}) for lesson in lessons),
        *(
            ("/api/v1/ai/generate-questions", {"module_id": module.pk})
            for module in course.modules.all()
        ),
    ]
    for url, body in bodies:
        response = api.post(url, body, format="json")
        assert 400 <= response.status_code < 500, (url, body, response.status_code)
        assert SECRET not in response.content.decode(), (url, body)
    return urls


def test_no_content_url_gives_a_lesson_body_to_an_unentitled_learner(plans):
    course = course_with_outline(required_plan=Course.Plan.PREMIUM)
    module = course.modules.first()
    quiz_lesson(module, order=9)
    Lesson.objects.filter(module__course=course).update(body=SECRET_BODY)
    # Enrolled once with Premium since lapsed to Pro: Pro opens the AI tools, so the AI routes get
    # past the plan gate and it is the course's entitlement that must refuse them.
    student = StudentFactory()
    EnrollmentFactory(learner=student, course=course)
    subscribe(student, "pro")
    # An entitled learner's attempt: its id must not open the content to someone else either.
    subscriber = StudentFactory()
    subscribe(subscriber, "premium")
    EnrollmentFactory(learner=subscriber, course=course)
    quiz = Lesson.objects.get(module=module, order=9).quiz
    attempt, _ = quiz_attempt_start(learner=subscriber, quiz=quiz)

    urls = _walk_refuses_the_body(student, course, attempt_ids=[attempt.pk])

    assert f"/learn/{course.slug}/{module.lessons.first().pk}/" in urls  # the player is walked
    assert any(url.startswith("/api/v1/lessons/") for url in urls)
    assert any(url.startswith("/ai/lessons/") for url in urls)
    assert Purchase.objects.count() == 0

    # The same routes give the marker to the entitled learner: the walk above means something.
    api = APIClient()
    api.force_authenticate(subscriber)
    lesson = Lesson.objects.filter(module__course=course, quiz__isnull=True).first()
    assert SECRET in api.get(f"/api/v1/lessons/{lesson.pk}").content.decode()
    player = signed_in(subscriber).get(f"/learn/{course.slug}/{lesson.pk}/")
    assert SECRET in player.content.decode()
    answer = api.post(
        "/api/v1/ai/study-buddy",
        {"course_id": course.pk, "question": f"Why does the {SECRET} tide rise?"},
        format="json",
    )
    assert answer.status_code == 200, answer.content
    assert SECRET in answer.content.decode()


# --- the header and the course page ------------------------------------------------------------


def test_the_header_links_to_pricing_for_everyone_and_my_billing_when_signed_in(client):
    anonymous = client.get(reverse("home")).content.decode()
    assert f'<a href="{reverse("billing:pricing")}">Pricing</a>' in anonymous
    assert ">My billing</a>" not in anonymous

    signed = signed_in(StudentFactory()).get(reverse("billing:account")).content.decode()
    assert f'<a href="{reverse("billing:pricing")}">Pricing</a>' in signed
    assert f'<a href="{reverse("billing:account")}" aria-current="page">My billing</a>' in signed


def course_page(client: Client, course: Course) -> str:
    response = client.get(reverse("courses:detail", args=[course.slug]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_paid_course_page_offers_its_plan_and_its_purchase(plans, stripe_fake):
    course = course_with_outline(required_plan=Course.Plan.PRO)
    CoursePriceFactory(course=course, amount_cents=4900)
    student = StudentFactory()

    html = course_page(signed_in(student), course)

    assert f'Included in <a href="{reverse("billing:pricing")}#plan-pro">Pro</a> and above' in html
    assert "Buy this course for $49.00</button>" in html
    assert f'<input type="hidden" name="course" value="{course.pk}">' in html
    assert f'action="{reverse("billing:checkout")}"' in html
    assert ">Enroll</button>" not in html

    # The button's form goes to Stripe Checkout for this course.
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    response = signed_in(student).post(
        reverse("billing:checkout"), {"course": course.pk, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(f"{stripe_fake.url}/c/pay/")
    assert stripe_fake.calls("POST", "/v1/checkout/sessions")[0].params["mode"] == "payment"


def test_a_subscriber_sees_enroll_instead_of_an_offer(plans, stripe_fake):
    course = course_with_outline(required_plan=Course.Plan.PRO)
    CoursePriceFactory(course=course)
    student = StudentFactory()
    subscribe(student, "pro")

    html = course_page(signed_in(student), course)

    assert ">Enroll</button>" in html
    assert "Buy this course" not in html
    assert 'id="course-offer"' not in html


def test_visitors_see_the_plan_and_price_but_no_buy_button(plans, stripe_fake, client):
    course = course_with_outline(required_plan=Course.Plan.PREMIUM)
    CoursePriceFactory(course=course, amount_cents=9900)

    html = course_page(client, course)

    assert f'Included in <a href="{reverse("billing:pricing")}#plan-premium">Premium</a>,' in html
    assert "Or buy this course once for $99.00." in html
    assert "Buy this course for" not in html
    assert "Sign up to enroll" in html


def test_without_payment_keys_the_course_page_does_not_offer_a_purchase(plans, settings):
    settings.STRIPE_SECRET_KEY = ""
    course = course_with_outline(required_plan=Course.Plan.PRO)
    CoursePriceFactory(course=course, amount_cents=4900)

    html = course_page(signed_in(StudentFactory()), course)

    assert "Buy this course for" not in html
    assert "Or buy this course once for $49.00." in html


def test_free_courses_offer_nothing_and_early_access_names_its_plan(plans, stripe_fake):
    from datetime import timedelta

    from django.utils import timezone
    from django.utils.dateformat import format as date_format

    student = StudentFactory()
    free = course_with_outline(required_plan=Course.Plan.FREE)
    assert 'id="course-offer"' not in course_page(signed_in(student), free)

    early = course_with_outline(
        required_plan=Course.Plan.PRO, early_access_until=timezone.now() + timedelta(days=10)
    )
    CoursePriceFactory(course=early, amount_cents=4900)
    html = course_page(signed_in(student), early)
    opens = date_format(timezone.localtime(early.early_access_until), "j F Y")
    assert (
        f"Early access: open to Premium members until {opens}, "
        "then to everyone with the Pro plan or above.</p>"
    ) in html
    assert '#plan-premium">Premium</a>' in html
    assert "Buy this course" not in html

    early_free = course_with_outline(
        required_plan=Course.Plan.FREE, early_access_until=timezone.now() + timedelta(days=10)
    )
    html = course_page(signed_in(student), early_free)
    opens = date_format(timezone.localtime(early_free.early_access_until), "j F Y")
    assert f"Early access: open to Premium members until {opens}, then to everyone.</p>" in html


def test_the_content_security_policy_lets_forms_go_on_to_stripe(settings):
    # Checkout and the portal answer a POST with a redirect to Stripe, which form-action governs.
    policy = settings.CONTENT_SECURITY_POLICY_REPORT_ONLY or settings.CONTENT_SECURITY_POLICY
    assert policy["DIRECTIVES"]["form-action"] == [
        "'self'",
        "https://checkout.stripe.com",
        "https://billing.stripe.com",
    ]


@pytest.mark.parametrize(
    "name", ["event", "webhookeventtrigger", "webhookendpoint", "customer", "subscription"]
)
def test_djstripes_mirror_of_stripe_is_in_the_admin(plans, stripe_fake, deliver, name):
    student = StudentFactory()
    url = services.checkout_create(
        user=student,
        plan_tier="pro",
        success_url="https://lumen.test/ok",
        cancel_url="https://lumen.test/no",
    )
    stripe_fake.price_ensure("price_pro_month", amount=1900, interval="month")
    for item in stripe_fake.pay_checkout(url.rsplit("/", 1)[1]):
        deliver(item)

    response = signed_in(AdminFactory()).get(reverse(f"admin:djstripe_{name}_changelist"))
    assert response.status_code == 200
