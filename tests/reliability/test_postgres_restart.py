"""PostgreSQL restarts under a running Lumen, and the next requests succeed with nobody's help.

A private cluster (initdb/pg_ctl from /usr/lib/postgresql/*/bin, in a directory of its own, run
as the `postgres` user when the test runs as root) holds a copy of this test's database (pg_dump
of the migrated test database plus one published course). Lumen runs under gunicorn against it on
its production database options (psycopg's pool, CONN_HEALTH_CHECKS), serves the catalog, then
the cluster is restarted (`pg_ctl restart -m fast`: every connection the pool holds is cut) and
every request after it must still get the catalog, the first one included: the pool checks a
connection before lending it and replaces the broken ones.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from django.conf import settings
from django.db import connection

from courses.tests.factories import CourseFactory
from tests.integration.servers import (
    POSTGRES_BIN_DIRS,
    PostgresServer,
    current_database_url,
    lumen_servers,
)

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the private cluster is a pg_dump copy of the PostgreSQL test database "
    "(set DATABASE_URL)",
)

REQUESTS_AFTER_RESTART = 10


def _client_binary(name: str) -> str:
    """pg_dump/psql of the newest server version installed (pg_dump must not be older)."""
    for directory in POSTGRES_BIN_DIRS:
        if (directory / name).exists():
            return str(directory / name)
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} is missing (apt-get install postgresql-client)")
    return found


@pytest.fixture
def cluster() -> Iterator[PostgresServer]:
    server = PostgresServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _copy_test_database(cluster: PostgresServer, tmp_path: Path) -> str:
    dump = tmp_path / "lumen.sql"
    subprocess.run(
        [
            _client_binary("pg_dump"), "--no-owner", "--no-privileges",
            "--dbname", current_database_url(), "--file", str(dump),
        ],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    psql = _client_binary("psql")
    subprocess.run(
        [psql, "-q", "-v", "ON_ERROR_STOP=1", cluster.url(), "-c", "CREATE DATABASE lumen"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    subprocess.run(
        [psql, "-q", "-v", "ON_ERROR_STOP=1", cluster.url("lumen"), "-f", str(dump)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    return cluster.url("lumen")


def _environment(database_url: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        # The production database options (the pool is on by default); no Redis is needed.
        if not key.startswith(("DATABASE_", "REDIS_URL", "CELERY_", "CONN_"))
    }
    env.update(
        DJANGO_ENV="test",
        DATABASE_URL=database_url,
        SECRET_KEY=settings.SECRET_KEY,
        MFA_REQUIRED_FOR_STAFF="False",
        LOG_LEVEL="WARNING",
    )
    return env


@pytest.mark.django_db(transaction=True)
@needs_postgresql
def test_requests_after_a_postgresql_restart_succeed_without_manual_action(
    cluster: PostgresServer, tmp_path: Path
) -> None:
    course = CourseFactory(title="Tides and the Moon")
    database_url = _copy_test_database(cluster, tmp_path)

    with lumen_servers(1, _environment(database_url), tmp_path, process="web") as (port,):
        catalog = f"http://127.0.0.1:{port}/courses/"
        with httpx.Client(timeout=10) as client:
            for _ in range(3):  # the pool now holds open connections
                response = client.get(catalog)
                assert response.status_code == 200
                assert course.title in response.text
            before = cluster.postmaster_pid()

            cluster.restart()

            assert cluster.postmaster_pid() != before  # a real restart, every connection cut
            statuses = []
            for _ in range(REQUESTS_AFTER_RESTART):
                response = client.get(catalog)
                statuses.append(response.status_code)
                if response.status_code == 200:
                    assert course.title in response.text
            assert statuses == [200] * REQUESTS_AFTER_RESTART
            assert client.get(f"http://127.0.0.1:{port}/readyz").json()["checks"]["database"] == (
                "ok"
            )


@pytest.mark.parametrize("pool", ["True", "False"])
def test_production_database_options_check_connections_before_use(pool: str) -> None:
    """With the pool (the default) or persistent connections, a connection broken by a restart
    is noticed before a request uses it: Django's CONN_HEALTH_CHECKS, which for the pool is
    psycopg_pool's `check`."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("DATABASE_")}
    env.update(
        DJANGO_ENV="production",
        DJANGO_SETTINGS_MODULE="lms.settings",
        SECRET_KEY=settings.SECRET_KEY,
        JWT_SECRET=settings.SIMPLE_JWT["SIGNING_KEY"],
        ALLOWED_HOSTS="lumen.example",
        DATABASE_URL="postgres://lumen@db.example:5432/lumen",
        DATABASE_POOL=pool,
    )
    script = (
        "import json; from django.conf import settings; "
        "d = settings.DATABASES['default']; "
        "print(json.dumps([d.get('CONN_HEALTH_CHECKS'), 'pool' in d.get('OPTIONS', {})]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [True, pool == "True"]
