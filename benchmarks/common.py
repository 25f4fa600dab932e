"""What Lumen's benchmarks share: the benchmark database, the production server on loopback, CPU
time from /proc, the machine's description and signed-in learners written without a sign-in.

benchmarks/load/run.py, benchmarks/load/journey.py and benchmarks/websockets_fanout.py import it
(each puts the checkout's root on sys.path first, so `from benchmarks import common` works when a
script is run by path).
"""

from __future__ import annotations

import math
import os
import platform
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
REPORTS = ROOT / "benchmarks" / "reports"
TMP = REPORTS / "tmp"
PYTHON = sys.executable
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
SECRET_KEY = "benchmark-only-" + "x" * 40


# --- processes and CPU --------------------------------------------------------------------------


def _proc_stat(pid: int) -> tuple[str, int, int] | None:
    """(command name, parent pid, utime + stime in ticks) of one process, or None if it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    name = text[text.index("(") + 1 : text.rindex(")")]
    fields = text[text.rindex(")") + 2 :].split()
    return name, int(fields[1]), int(fields[11]) + int(fields[12])


def all_processes() -> dict[int, tuple[str, int, int]]:
    """Every process on the machine: pid -> (name, parent pid, CPU ticks)."""
    table = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = _proc_stat(int(entry.name))
            if stat is not None:
                table[int(entry.name)] = stat
    return table


def descendants(root_pid: int, parents: Mapping[int, int]) -> set[int]:
    """`root_pid` and every process below it, given pid -> parent pid."""
    tree = {root_pid}
    changed = True
    while changed:
        changed = False
        for pid, parent in parents.items():
            if parent in tree and pid not in tree:
                tree.add(pid)
                changed = True
    return tree


def process_tree(root_pid: int) -> list[int]:
    """The pid and every descendant of one process, from /proc."""
    table = all_processes()
    return sorted(descendants(root_pid, {pid: parent for pid, (_, parent, _) in table.items()}))


def postgres_title_database(title: str) -> str:
    """The database in a PostgreSQL backend's process title ("postgres: 15/main: <user>
    <database> 127.0.0.1(50128) idle"), or "" for the server's own processes (checkpointer,
    WAL writer, autovacuum launcher...)."""
    parts = title.split(": ", 2)
    words = parts[2].split() if len(parts) == 3 else []
    return words[1] if len(words) >= 2 and "(" in title else ""


def _postgres_database(pid: int) -> str:
    try:
        title = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""
    return postgres_title_database(title.strip())


def cpu_seconds(roots: Mapping[str, int], postgres_database: str = "") -> dict[str, float]:
    """CPU seconds used so far by each named process tree (`{"app": server_pid}`, say), and by
    PostgreSQL and Redis (outside those trees). With `postgres_database`, only the backends
    connected to that database count as PostgreSQL (others' tests share the server)."""
    table = all_processes()
    parents = {pid: parent for pid, (_, parent, _) in table.items()}
    trees = {kind: descendants(pid, parents) for kind, pid in roots.items()}
    ticks = dict.fromkeys([*roots, "postgres", "redis"], 0)
    for pid, (name, _, used) in table.items():
        kind = next((kind for kind, tree in trees.items() if pid in tree), None)
        if kind is None and name == "postgres":
            if not postgres_database or _postgres_database(pid) == postgres_database:
                kind = "postgres"
        elif kind is None and name.startswith("redis-server"):
            kind = "redis"
        if kind is not None:
            ticks[kind] += used
    return {kind: count / CLOCK_TICKS for kind, count in ticks.items()}


def machine_busy_seconds() -> float:
    """CPU seconds every core has spent busy (not idle or waiting) since boot, from /proc/stat."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in fields[:8])
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS


def cpu_ms_per_item(
    before: Mapping[str, float], after: Mapping[str, float], count: int
) -> dict[str, float]:
    """CPU milliseconds per item (request, socket...) between two `cpu_seconds` readings."""
    return {
        kind: round((after[kind] - before[kind]) * 1000 / count, 3) if count else 0.0
        for kind in before
    }


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile of sorted `values` (0 when empty)."""
    if not values:
        return 0.0
    rank = max(1, math.ceil(share * len(values)))
    return values[rank - 1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def machine() -> dict[str, Any]:
    model = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    memory = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_gib": round(int(memory) / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "load_average_at_start": [round(value, 2) for value in os.getloadavg()],
    }


# --- the benchmark database and the server under test ------------------------------------------


def database_create(database_url: str) -> None:
    """Create the database of `database_url` unless it exists."""
    import psycopg

    name = database_url.rsplit("/", 1)[1]
    admin_url = database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        query = "SELECT 1 FROM pg_database WHERE datname = %s"
        if not connection.execute(query, [name]).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')


def production_environment(
    *, database_url: str, redis_url: str, port: int, workers: int, extra: Mapping[str, str] = {}
) -> dict[str, str]:
    """The environment of the production configuration on plain-HTTP loopback."""
    environment = dict(os.environ)
    environment.update(
        {
            "DJANGO_ENV": "production",
            "DJANGO_SETTINGS_MODULE": "lms.settings",
            "SECRET_KEY": SECRET_KEY,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "SECURE_SSL_REDIRECT": "False",
            "SECURE_HSTS_SECONDS": "0",
            "MFA_REQUIRED_FOR_STAFF": "False",
            "LOG_LEVEL": "WARNING",
            "PORT": str(port),
            "WEB_CONCURRENCY": str(workers),
            "PYTHONPATH": str(ROOT),
            **extra,
        }
    )
    return environment


# gunicorn's worker kinds: `sync` is the Procfile's `web` (HTTP), `uvicorn` its `ws` (WebSockets);
# `granian` (Rust's hyper before Python workers, requirements-bench.txt) is measured beside them.
SERVER_COMMANDS = {
    "sync": ["gunicorn", "lms.wsgi:application", "-k", "sync"],
    "gthread": ["gunicorn", "lms.wsgi:application", "-k", "gthread", "--threads", "4"],
    "uvicorn": ["gunicorn", "lms.asgi:application", "-k", "uvicorn_worker.UvicornWorker"],
    "granian": [
        *("granian", "lms.wsgi:application", "--interface", "wsgi"),
        *("--blocking-threads", "1", "--no-ws"),
    ],
}
SERVER_DESCRIPTIONS = {
    "sync": "gunicorn sync workers on lms.wsgi (Procfile web)",
    "gthread": "gunicorn gthread workers (4 threads) on lms.wsgi",
    "uvicorn": "gunicorn uvicorn workers on lms.asgi (Procfile ws)",
    "granian": "granian WSGI workers (1 blocking thread each) on lms.wsgi",
}


def server_arguments(server: str, port: int, workers: int) -> list[str]:
    """Where a server listens and how many workers it runs, in its own command line's words."""
    if server == "granian":
        return ["--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    return ["--bind", f"127.0.0.1:{port}", "--workers", str(workers)]


def server_start(
    *,
    environment: Mapping[str, str],
    port: int,
    workers: int,
    server: str = "sync",
    log_name: str = "server.log",
    options: tuple[str, ...] = (),
) -> subprocess.Popen[bytes]:
    """An app server on loopback (by default gunicorn as the Procfile's `web` process), once
    /healthz answers."""
    import httpx

    command = SERVER_COMMANDS[server]
    binary = str(Path(PYTHON).parent / command[0])
    TMP.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [
            *(binary, *command[1:]),
            *server_arguments(server, port, workers),
            *options,
        ],
        cwd=ROOT,
        env=dict(environment),
        stdout=subprocess.DEVNULL,
        stderr=open(TMP / log_name, "wb"),  # noqa: SIM115 - lives with the process
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            raise SystemExit(f"the server exited; see benchmarks/reports/tmp/{log_name}")
        time.sleep(0.2)
    server_stop(process)
    raise SystemExit("the server did not answer /healthz within 60 s")


def server_stop(process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    """Stop the server's process group (its workers with it)."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


# --- signed-in learners without a sign-in (run under Django) -----------------------------------


def sessions_write(users: list[Any]) -> list[str]:
    """A signed-in session for each user, written through the session engine (with the cache
    engine, as in production, one `set_many` per 2,000 sessions); returns the session keys. No
    password is checked or hashed: the session carries the user's auth hash as a sign-in does."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.base import VALID_KEY_CHARS
    from django.core.cache import caches
    from django.utils.crypto import get_random_string

    engine = import_module(settings.SESSION_ENGINE)
    backend = settings.AUTHENTICATION_BACKENDS[0]
    keys: list[str] = []
    entries: dict[str, Any] = {}
    for user in users:
        store = engine.SessionStore()
        store._session_key = get_random_string(32, VALID_KEY_CHARS)
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: backend,
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
        if settings.SESSION_ENGINE == "django.contrib.sessions.backends.cache":
            entries[store.cache_key] = data
        else:  # any other engine: one save per session through the engine
            store.update(data)
            store.save(must_create=True)
        keys.append(store.session_key)
    if entries:
        age = engine.SessionStore().get_expiry_age()
        cache = caches[settings.SESSION_CACHE_ALIAS]
        items = list(entries.items())
        for start in range(0, len(items), 2000):
            cache.set_many(dict(items[start : start + 2000]), timeout=age)
    return keys
