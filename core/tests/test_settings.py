"""The environment-driven settings: embedded defaults, services by URL, production tightening.

Each case imports lms/settings.py in a fresh interpreter with exactly the variables it names, the
way a server process would start.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)

_PROBE = """
import json
from lms import settings as s
print(json.dumps({
    "DJANGO_ENV": s.DJANGO_ENV,
    "DEBUG": s.DEBUG,
    "DATABASE": {k: s.DATABASES["default"].get(k) for k in ("ENGINE", "NAME", "OPTIONS")},
    "CACHE": s.CACHES["default"]["BACKEND"],
    "SESSION_ENGINE": s.SESSION_ENGINE,
    "CHANNEL_LAYER": s.CHANNEL_LAYERS["default"]["BACKEND"],
    "CELERY_BROKER_URL": s.CELERY_BROKER_URL,
    "CELERY_TASK_ALWAYS_EAGER": s.CELERY_TASK_ALWAYS_EAGER,
    "JWT_SIGNING_KEY": s.SIMPLE_JWT["SIGNING_KEY"],
    "SECURE_SSL_REDIRECT": getattr(s, "SECURE_SSL_REDIRECT", False),
    "SECURE_HSTS_SECONDS": getattr(s, "SECURE_HSTS_SECONDS", 0),
    "SESSION_COOKIE_SECURE": getattr(s, "SESSION_COOKIE_SECURE", False),
    "CSRF_COOKIE_SECURE": getattr(s, "CSRF_COOKIE_SECURE", False),
    "CSP_ENFORCED": hasattr(s, "CONTENT_SECURITY_POLICY"),
    "CSP_REPORT_ONLY": hasattr(s, "CONTENT_SECURITY_POLICY_REPORT_ONLY"),
    "MFA_REQUIRED_FOR_STAFF": s.MFA_REQUIRED_FOR_STAFF,
    "REPLICA": {
        k: s.DATABASES.get("replica", {}).get(k) for k in ("NAME", "HOST", "OPTIONS", "TEST")
    },
    "DATABASE_ROUTERS": getattr(s, "DATABASE_ROUTERS", []),
    "REPLICA_MIDDLEWARE": "core.db_router.ReplicaReadsMiddleware" in s.MIDDLEWARE,
    "LOG_FORMAT": s.LOG_FORMAT,
}, default=str))
"""


def _settings_with(**variables: str) -> subprocess.CompletedProcess[str]:
    # Only PATH and the variables under test: nothing leaks in from the CI environment.
    return subprocess.run(
        [sys.executable, "-c", _PROBE],
        cwd=BASE_DIR,
        env={"PATH": "/usr/bin:/bin", **variables},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _load(**variables: str) -> dict:
    result = _settings_with(**variables)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(autouse=True)
def _no_local_env_file():
    if (BASE_DIR / ".env").exists():
        pytest.skip("a local .env file would leak into these settings")


def test_with_nothing_set_lumen_runs_on_embedded_defaults():
    values = _load()

    assert values["DJANGO_ENV"] == "development"
    assert values["DEBUG"] is True
    assert values["DATABASE"]["ENGINE"] == "django.db.backends.sqlite3"
    assert values["DATABASE"]["NAME"] == str(BASE_DIR / "db.sqlite3")
    assert values["CACHE"] == "django.core.cache.backends.locmem.LocMemCache"
    assert values["SESSION_ENGINE"] == "django.contrib.sessions.backends.db"
    assert values["CHANNEL_LAYER"] == "channels.layers.InMemoryChannelLayer"
    assert values["CELERY_BROKER_URL"] == "memory://"
    assert values["CELERY_TASK_ALWAYS_EAGER"] is True
    assert values["MFA_REQUIRED_FOR_STAFF"] is False
    assert values["LOG_FORMAT"] == "console"
    assert values["CSP_REPORT_ONLY"] is True
    assert values["CSP_ENFORCED"] is False


def test_database_url_selects_postgresql_with_a_connection_pool():
    values = _load(DATABASE_URL="postgres://lumen:secret@db.internal:5432/lumen")

    assert values["DATABASE"]["ENGINE"] == "django.db.backends.postgresql"
    assert values["DATABASE"]["NAME"] == "lumen"
    assert values["DATABASE"]["OPTIONS"] == {"pool": {"min_size": 2, "max_size": 10, "timeout": 10}}


def test_a_replica_url_adds_the_replica_with_the_primarys_pool_and_its_router():
    values = _load(
        DATABASE_URL="postgres://lumen:secret@db.internal:5432/lumen",
        DATABASE_REPLICA_URL="postgres://lumen:secret@replica.internal:5432/lumen",
    )

    assert values["REPLICA"] == {
        "NAME": "lumen",
        "HOST": "replica.internal",
        "OPTIONS": {"pool": {"min_size": 2, "max_size": 10, "timeout": 10}},
        "TEST": {"MIRROR": "default"},
    }
    assert values["DATABASE_ROUTERS"] == ["core.db_router.PrimaryReplicaRouter"]
    assert values["REPLICA_MIDDLEWARE"] is True


def test_without_a_replica_url_there_is_no_router():
    values = _load(DATABASE_URL="postgres://lumen:secret@db.internal:5432/lumen")

    assert values["REPLICA"] == {"NAME": None, "HOST": None, "OPTIONS": None, "TEST": None}
    assert values["DATABASE_ROUTERS"] == []
    assert values["REPLICA_MIDDLEWARE"] is False


def test_redis_url_backs_cache_sessions_channels_and_the_broker():
    values = _load(REDIS_URL="redis://cache.internal:6379/2")

    assert values["CACHE"] == "django_redis.cache.RedisCache"
    assert values["SESSION_ENGINE"] == "django.contrib.sessions.backends.cache"
    assert values["CHANNEL_LAYER"] == "channels_redis.core.RedisChannelLayer"
    assert values["CELERY_BROKER_URL"] == "redis://cache.internal:6379/2"
    assert values["CELERY_TASK_ALWAYS_EAGER"] is False


def test_tests_run_celery_tasks_in_process_even_with_a_redis_broker():
    values = _load(DJANGO_ENV="test", REDIS_URL="redis://cache.internal:6379/2")

    assert values["CELERY_BROKER_URL"] == "redis://cache.internal:6379/2"
    assert values["CELERY_TASK_ALWAYS_EAGER"] is True


def test_jwt_secret_defaults_to_the_secret_key_and_can_differ():
    assert _load(SECRET_KEY="k" * 60)["JWT_SIGNING_KEY"] == "k" * 60
    assert _load(SECRET_KEY="k" * 60, JWT_SECRET="j" * 60)["JWT_SIGNING_KEY"] == "j" * 60


def test_production_refuses_to_start_without_a_secret_key():
    result = _settings_with(DJANGO_ENV="production", ALLOWED_HOSTS="lumen.example.com")

    assert result.returncode != 0
    assert "Set the SECRET_KEY environment variable" in result.stderr


def test_production_never_runs_with_debug_and_turns_on_https_protections():
    values = _load(
        DJANGO_ENV="production",
        SECRET_KEY="p" * 60,
        ALLOWED_HOSTS="lumen.example.com",
        DEBUG="true",
    )

    assert values["DEBUG"] is False
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] == 31_536_000
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["CSP_ENFORCED"] is True
    assert values["CSP_REPORT_ONLY"] is False
    assert values["MFA_REQUIRED_FOR_STAFF"] is True
    assert values["LOG_FORMAT"] == "json"


def test_an_unknown_django_env_is_refused():
    result = _settings_with(DJANGO_ENV="staging")

    assert result.returncode != 0
    assert "DJANGO_ENV must be development, production or test, not 'staging'" in result.stderr


def _variables_read_by_settings() -> set[str]:
    tree = ast.parse((BASE_DIR / "lms" / "settings.py").read_text())
    names = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and (
                (isinstance(node.func, ast.Name) and node.func.id == "env")
                or (
                    isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Name)
                    and node.func.value.id == "env"
                )
            )
        ):
            names.add(node.args[0].value)
    return names


def test_the_readme_documents_every_environment_variable():
    readme = (BASE_DIR / "README.md").read_text()
    documented = set(re.findall(r"^\| `([A-Z0-9_]+)`", readme, flags=re.MULTILINE))
    read = _variables_read_by_settings()

    assert "DATABASE_URL" in read  # the parser found the calls
    assert sorted(read - documented) == [], "add these to the README's table of variables"
    assert sorted(documented - read) == [], "the README lists variables settings do not read"


_LAYER_PROBE = """
import json
from lms import settings as s
from channels_redis.core import RedisChannelLayer
layer = RedisChannelLayer(**s.CHANNEL_LAYERS["default"]["CONFIG"])
pool = layer.create_pool(0)
print(json.dumps({
    "brpop_timeout": layer.brpop_timeout,
    "socket_timeout": pool.connection_kwargs.get("socket_timeout"),
    "db": pool.connection_kwargs.get("db"),
    "prefix": layer.prefix,
}))
"""


def test_the_redis_channel_layer_waits_longer_for_a_read_than_its_blocking_receive():
    # An idle socket's consumer blocks in BZPOPMIN for brpop_timeout; had the client's read
    # timeout been as short, the read would fail first and close that socket.
    result = subprocess.run(
        [sys.executable, "-c", _LAYER_PROBE],
        cwd=BASE_DIR,
        env={"PATH": "/usr/bin:/bin", "REDIS_URL": "redis://cache.internal:6379/2"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)

    assert values == {"brpop_timeout": 5, "socket_timeout": 15, "db": 2, "prefix": "lumen:channels"}
