"""Schemathesis fuzzes the project's own OpenAPI schema in-process, as each kind of caller.

Every operation under /api/v1/ gets generated requests (valid and invalid) as anonymous, a
student, an instructor and an admin. A finding of any check fails the test: no 5xx, responses
(bodies, status codes, content types) match the schema, an operation that needs authentication
does not ignore it, and invalid data (a query parameter or body the schema does not allow) is
refused with a 4xx.

Stateful: schemathesis chains operations along the links it infers from the schema (a question
id that POST /questions returns is the path parameter of GET and PATCH /questions/{id}, ...) and
runs scenarios of several steps as a signed-in student and instructor, with the same checks plus
the stateful ones (a deleted resource stays gone, a created one can be read).

Examples per operation and caller: FUZZ_EXAMPLES (default 3: over 1,000 cases in all across the
four callers and both generation modes in CI); set it higher (e.g. 100) for a long,
nightly-style run. Stateful scenarios per caller: FUZZ_SCENARIOS (default 10, at most 8 steps
each). The planned count of cases is asserted in test_fuzz_case_budget; FUZZ_COUNT_FILE=path
appends one line per case actually sent (stateful steps included).
"""

from __future__ import annotations

import copy
import json
import os

import pytest
import requests
import schemathesis
import stripe
from django.core.serializers.json import DjangoJSONEncoder
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    ensure_resource_availability,
    ignored_auth,
    negative_data_rejection,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    use_after_free,
)
from schemathesis.generation.stateful import run_state_machine_as_test
from schemathesis.transport.requests import prepare_multipart_parts
from schemathesis.transport.wsgi import WSGI_TRANSPORT, multipart_serializer

from accounts.tests.factories import AdminFactory, InstructorFactory, StudentFactory
from accounts.tokens import token_pair_issue
from billing.models import Plan
from billing.tests.conftest import SECRET_KEY, WEBHOOK_SECRET
from billing.tests.fake_stripe import FakeStripeServer
from courses.tests.factories import course_with_outline
from notifications.tests.fake_push_service import vapid_keys
from tests.security.world import plans_ensure

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3"))
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
]


# Invalid data must be refused (negative_data_rejection): query parameters (core/query.py) and
# JSON and multipart bodies (core/serializers.py: every serializer checks the schema's types)
# are strict.


# Multipart bodies are encoded as real clients (requests, curl, browsers) encode them. The WSGI
# transport's own encoder (Werkzeug's stream_encode_multipart, "only for testing") writes an
# empty field as `name="x"\r\n\r\n--boundary`, without the CRLF that belongs to the
# delimiter: Django's parser then drops the part, so an empty, invalid time_zone next to an avatar
# never reached the profile endpoint and its 200 looked like invalid data accepted.
@WSGI_TRANSPORT.serializer("multipart/form-data")
def _multipart_as_clients_send_it(ctx, value) -> dict:
    if not isinstance(value, dict):
        return multipart_serializer(ctx, value)
    files, data = prepare_multipart_parts(ctx, value)
    if not files and not data:
        return multipart_serializer(ctx, value)
    prepared = requests.PreparedRequest()
    prepared.prepare_headers(None)
    prepared.prepare_body(data, files)
    return {"data": prepared.body, "content_type": prepared.headers["Content-Type"]}


def _document() -> dict:
    """The schema /api/schema/ serves, generated in-process."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(json.dumps(document, cls=DjangoJSONEncoder))


DOCUMENT = _document()


def _schema() -> schemathesis.schemas.BaseSchema:
    """The schema restricted to the versioned API, each load on its own copy of the document
    (the state machine adds its inferred links to the copy it reads)."""
    loaded = schemathesis.openapi.from_dict(copy.deepcopy(DOCUMENT))
    loaded.app = get_wsgi_application()
    loaded.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
    return loaded.include(path_regex=r"^/api/v1/")


schema = _schema()
stateful_schema = _schema()
STATEFUL_SCENARIOS = int(os.environ.get("FUZZ_SCENARIOS", "10"))
STATEFUL_STEPS = 8


@pytest.fixture(autouse=True)
def _stripe(settings, monkeypatch):
    """Billing talks to the local fake Stripe (a real HTTP server), as in billing's tests: the
    Stripe client through STRIPE_API_BASE, dj-stripe (the checkout's customer) through the stripe
    module's globals, which STRIPE_API_HOST sets only at start-up."""
    with FakeStripeServer(SECRET_KEY) as fake:
        monkeypatch.setattr(stripe, "api_base", fake.url)
        settings.STRIPE_SECRET_KEY = SECRET_KEY
        settings.STRIPE_PUBLISHABLE_KEY = "pk_test_lumen_fake"
        settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
        settings.STRIPE_API_BASE = fake.url
        settings.STRIPE_TIMEOUT_SECONDS = 5
        yield


@pytest.fixture(autouse=True)
def _push(settings):
    """Web push is configured (a VAPID key pair), as in production: subscribing answers 201/400,
    not 503 `push_not_configured`. No push is sent: the test's transaction never commits."""
    public, private = vapid_keys()
    settings.VAPID_PUBLIC_KEY = public
    settings.VAPID_PRIVATE_KEY = private
    settings.VAPID_SUBJECT = "mailto:ops@lumen.test"


@pytest.fixture(autouse=True)
def _catalogue(db):
    """Something for the generated ids to find; the test's connection stays open across requests
    (the WSGI handler would close it after each one; Django's test client does the same)."""
    plans_ensure()
    for plan in Plan.objects.all():  # as `billing_sync_stripe` would set them
        plan.stripe_monthly_price_id = f"price_{plan.tier}_month"
        plan.stripe_yearly_price_id = f"price_{plan.tier}_year"
        plan.save()
    course_with_outline(modules=1, lessons_per_module=2)
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _count() -> None:
    if path := os.environ.get("FUZZ_COUNT_FILE"):
        with open(path, "a") as out:
            out.write("case\n")


CALLERS = 4  # anonymous, student, instructor, admin: the tests below
MODES = 2  # positive and negative generation


def test_fuzz_case_budget():
    """At least 1,000 generated cases in CI: every operation, every caller, both modes."""
    operations = sum(1 for result in schema.get_all_operations() if result.ok())
    assert operations >= 90
    assert operations * CALLERS * EXAMPLES * MODES >= 1000


def _bearer(user) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_pair_issue(user=user)['access']}"}


FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same cases on every run: a failure in CI reproduces locally
    suppress_health_check=list(HealthCheck),
    database=None,
)


@schema.parametrize()
@FUZZ_SETTINGS
def test_fuzz_anonymous(case):
    _count()
    case.call_and_validate(checks=CHECKS)


@schema.parametrize()
@FUZZ_SETTINGS
def test_fuzz_as_student(case):
    _count()
    case.call_and_validate(headers=_bearer(StudentFactory()), checks=CHECKS)


@schema.parametrize()
@FUZZ_SETTINGS
def test_fuzz_as_instructor(case):
    _count()
    case.call_and_validate(headers=_bearer(InstructorFactory()), checks=CHECKS)


@schema.parametrize()
@FUZZ_SETTINGS
def test_fuzz_as_admin(case):
    _count()
    case.call_and_validate(headers=_bearer(AdminFactory()), checks=CHECKS)


# Stateful: schemathesis infers links between operations from the schema (an id a response
# returns is the path parameter of another operation) and chains them in scenarios.
STATEFUL_SETTINGS = settings(
    max_examples=STATEFUL_SCENARIOS,
    stateful_step_count=STATEFUL_STEPS,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
    database=None,
    phases=[Phase.generate],
)
# ignored_auth is left to the tests above (every operation, every caller): in a scenario it takes
# the credentials schemathesis generates for the security schemes as the request's auth and
# reports every signed-in success (GET /ai/practice-sets, /instructors/following) as a finding.
STATEFUL_CHECKS = [
    *(check for check in CHECKS if check is not ignored_auth),
    use_after_free,
    ensure_resource_availability,
]
StateMachine = stateful_schema.as_state_machine()  # adds the inferred links to its document


def _links(document: dict) -> set[tuple[str, str]]:
    """(source operation, target operation) for every link in the document."""
    found = set()
    for path, path_item in document["paths"].items():
        for method, operation in path_item.items():
            for response in operation.get("responses", {}).values():
                for link in response.get("links", {}).values():
                    target_path, target_method = link["operationRef"][len("#/paths/") :].rsplit(
                        "/", 1
                    )
                    target_path = target_path.replace("~1", "/").replace("~0", "~")
                    found.add(
                        (f"{method.upper()} {path}", f"{target_method.upper()} {target_path}")
                    )
    return found


def test_stateful_links_cover_the_main_flows():
    links = _links(stateful_schema.raw_schema)

    assert len(links) >= 100
    assert {
        ("POST /api/v1/questions", "GET /api/v1/questions/{question_id}"),
        ("POST /api/v1/questions", "PATCH /api/v1/questions/{question_id}"),
        ("POST /api/v1/questions/{question_id}/answers", "GET /api/v1/answers/{answer_id}"),
        ("POST /api/v1/questions/{question_id}/answers", "PUT /api/v1/answers/{answer_id}/rate"),
        ("POST /api/v1/courses/{course_id}/enroll", "GET /api/v1/courses/{course_id}/progress"),
        ("GET /api/v1/notifications", "POST /api/v1/notifications/{notification_id}/read"),
    } <= links


def _run_stateful(user) -> None:
    headers = _bearer(user)

    class Scenario(StateMachine):
        def get_call_kwargs(self, case):
            _count()
            return {"headers": headers}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(
                response, checks=STATEFUL_CHECKS, transport_kwargs=kwargs, recorder=self.recorder
            )

    run_state_machine_as_test(Scenario, settings=STATEFUL_SETTINGS)


def test_stateful_as_student():
    _run_stateful(StudentFactory())


def test_stateful_as_instructor():
    _run_stateful(InstructorFactory())
