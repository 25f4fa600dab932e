"""Where one page's time goes: its queries (count, time, the slowest with their plans) and its
Python (cProfile), in process, in the production configuration, against the benchmark database.

    .venv/bin/python benchmarks/profile_request.py /dashboard/
    .venv/bin/python benchmarks/profile_request.py /questions/ --user student@lumen.localhost
    .venv/bin/python benchmarks/profile_request.py /api/v1/questions --jwt --explain 3

The load benchmark (benchmarks/load/run.py) says which endpoints cost the most CPU per request;
this says why. It requests the path `--repeat` times (after `--warmup` requests that fill the
caches, as a running server has them) through Django's test client, signed in as `--user`
(a session, or a JWT with `--jwt`; `--anonymous` for neither), and prints per request: the wall
time, the number of queries and the time spent in them (measured around each query, so it
includes the round trip), what is left for Python, the queries that took the most time in all
(grouped by their SQL, parameters aside), and cProfile's top functions. `--explain N` adds
PostgreSQL's `EXPLAIN (ANALYZE, BUFFERS)` of the N slowest queries, run once more afterwards.

It reads the database of `DATABASE_URL` (default: run.py's `lumen_bench`, seeded by it) and
`REDIS_URL` (default: run.py's Redis database 3) and changes nothing there but the request's own
writes (sessions live in Redis; a GET that records something, such as a page view, records it).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import re
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run by path: `from benchmarks import common` needs the root
    sys.path.insert(0, str(ROOT))

from benchmarks import common  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/lumen_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/3"
_LITERALS = re.compile(r"'(?:[^']|'')*'|\b\d+\b")


@dataclass
class QueryLog:
    """Every query of the measured requests: SQL (parameters aside) -> [seconds, ...]."""

    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    last_sql: dict[str, tuple[str, Any]] = field(default_factory=dict)
    seconds: float = 0.0
    count: int = 0

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - start
            key = _LITERALS.sub("?", sql)
            self.times[key].append(elapsed)
            self.last_sql[key] = (sql, params)
            self.seconds += elapsed
            self.count += 1


@contextmanager
def _queries_logged(log: QueryLog) -> Iterator[None]:
    from django.db import connection

    with connection.execute_wrapper(log):
        yield


def _client(args: argparse.Namespace) -> Any:
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    if args.anonymous:
        return client
    user = get_user_model().objects.get(email=args.user)
    if args.jwt:
        from rest_framework_simplejwt.tokens import RefreshToken

        token = str(RefreshToken.for_user(user).access_token)
        return Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {token}")
    client.force_login(user)
    return client


def _request(client: Any, args: argparse.Namespace) -> int:
    response = client.generic(args.method, args.path, args.body, content_type=args.content_type)
    return response.status_code


def _explain(sql: str, params: Any) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", help="the page or endpoint, e.g. /dashboard/")
    parser.add_argument("--user", default="student@lumen.localhost")
    parser.add_argument("--jwt", action="store_true", help="a bearer token instead of a session")
    parser.add_argument("--anonymous", action="store_true")
    parser.add_argument("--method", default="GET")
    parser.add_argument("--body", default="")
    parser.add_argument("--content-type", default="application/json")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--top", type=int, default=25, help="cProfile rows to print")
    parser.add_argument("--queries", type=int, default=8, help="slowest queries to print")
    parser.add_argument("--explain", type=int, default=0, help="EXPLAIN ANALYZE the N slowest")
    parser.add_argument("--sort", default="cumulative", choices=["cumulative", "tottime"])
    parser.add_argument(
        "--callers", default="", help="also print who calls the functions matching this regex"
    )
    args = parser.parse_args(argv)

    os.environ.update(
        common.production_environment(
            database_url=os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL),
            redis_url=os.environ.get("REDIS_URL", DEFAULT_REDIS_URL),
            port=0,
            workers=1,
        )
    )
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():  # as run.py prepares it
        call_command("collectstatic", "--noinput", verbosity=0)

    client = _client(args)
    statuses = {_request(client, args) for _ in range(args.warmup)}
    log = QueryLog()
    started = time.perf_counter()
    with _queries_logged(log):  # first without the profiler: honest times
        for _ in range(args.repeat):
            statuses.add(_request(client, args))
    wall = (time.perf_counter() - started) / args.repeat
    sql = log.seconds / args.repeat
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(args.repeat):
        statuses.add(_request(client, args))
    profile.disable()

    print(f"{args.method} {args.path}: status {sorted(statuses)}, {args.repeat} requests")
    print(
        f"per request: {wall * 1000:.1f} ms wall, {log.count / args.repeat:.1f} queries in "
        f"{sql * 1000:.1f} ms (round trips included), Python {(wall - sql) * 1000:.1f} ms"
    )
    ranked = sorted(log.times.items(), key=lambda item: sum(item[1]), reverse=True)
    print("\nslowest queries (ms per request, calls per request):")
    for sql, times in ranked[: args.queries]:
        share = sum(times) / args.repeat * 1000
        print(f"  {share:8.2f} ms  x{len(times) / args.repeat:<4.1f} {sql[:300]}")
    for sql, _times in ranked[: args.explain]:
        print(f"\nEXPLAIN ANALYZE of: {sql[:200]}")
        print(_explain(*log.last_sql[sql]))
    stream = io.StringIO()
    stats = pstats.Stats(profile, stream=stream).sort_stats(args.sort)
    stats.print_stats(args.top)
    if args.callers:
        stats.print_callers(args.callers)
    print("\n" + stream.getvalue())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
