"""Schemathesis fuzzes the project's own OpenAPI schema in-process, as each kind of caller.

Every operation under /api/v1/ gets generated requests (valid and invalid) as anonymous, a
student and an admin. A finding of any check fails the test: no 5xx, responses (bodies, status
codes, content types) match the schema, invalid data is refused.

Examples per operation: FUZZ_EXAMPLES (default 5: about 1,000 cases over the three callers and
both generation modes in CI); set it higher for a long, nightly-style run.
"""

from __future__ import annotations

import json
import os

import pytest
import schemathesis
from django.core.serializers.json import DjangoJSONEncoder
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    ignored_auth,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.tests.factories import AdminFactory, StudentFactory
from accounts.tokens import token_pair_issue
from courses.tests.factories import course_with_outline

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
    ignored_auth,
]


def _schema() -> schemathesis.schemas.BaseSchema:
    """The schema /api/schema/ serves (generated in-process), restricted to the versioned API."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    loaded = schemathesis.openapi.from_dict(json.loads(json.dumps(document, cls=DjangoJSONEncoder)))
    loaded.app = get_wsgi_application()
    loaded.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
    return loaded.include(path_regex=r"^/api/v1/")


schema = _schema()


@pytest.fixture(autouse=True)
def _catalogue(db):
    """Something for the generated ids to find; the test's connection stays open across requests
    (the WSGI handler would close it after each one; Django's test client does the same)."""
    course_with_outline(modules=1, lessons_per_module=2)
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


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
    case.call_and_validate(checks=CHECKS)


@schema.parametrize()
@FUZZ_SETTINGS
def test_fuzz_as_student(case):
    case.call_and_validate(headers=_bearer(StudentFactory()), checks=CHECKS)


@schema.parametrize()
@FUZZ_SETTINGS
def test_fuzz_as_admin(case):
    case.call_and_validate(headers=_bearer(AdminFactory()), checks=CHECKS)
