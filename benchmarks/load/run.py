"""Lumen's load benchmark: the production configuration on loopback under wrk, against a bare view.

One command (PostgreSQL and Redis running, Debian's `wrk` installed):

    .venv/bin/python benchmarks/load/run.py            # about 20 s per endpoint
    .venv/bin/python benchmarks/load/run.py --duration 5 --only bare,catalog_api

It creates (or reuses) the database `lumen_bench`, migrates and seeds it, starts the Procfile's
`web` process (gunicorn's sync workers on `lms.wsgi`; `--server` picks another) with
DJANGO_ENV=production, PostgreSQL and Redis, and then, for each
endpoint in ENDPOINTS, runs wrk for the same time and connections. `/healthz` (a Django view that
touches nothing, behind the full middleware stack) is the bare view: every endpoint's throughput is
reported as a share of it, measured in the same run (before and after the others, averaged). CPU
time of the app server, PostgreSQL and Redis is read from /proc around each endpoint, so the report
gives CPU milliseconds per request as well. The report goes to benchmarks/reports/load-latest.md and
.json (and a dated copy in benchmarks/reports/tmp/).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # run by path: `from benchmarks import common` needs the root
    sys.path.insert(0, str(ROOT))

from benchmarks import common  # noqa: E402

HERE = Path(__file__).resolve().parent
REPORTS = ROOT / "benchmarks" / "reports"
LUA = HERE / "wrk_report.lua"
PYTHON = sys.executable

DEMO_STUDENT = ("student@lumen.localhost", "lumen-demo-2026")


@dataclass(frozen=True)
class Endpoint:
    """One thing to load: `auth` is anon, jwt or session; `{placeholders}` come from discovery."""

    name: str
    path: str
    group: str
    auth: str = "anon"
    method: str = "GET"
    body: str = ""
    content_type: str = ""
    target_share: float | None = None  # the share of the bare view's throughput the issue asks for


ENDPOINTS: list[Endpoint] = [
    Endpoint("home", "/", "page"),
    # Anonymous visitors' catalog results come from the cache (courses.catalog_cache); a signed-in
    # learner's are computed on every request (their cards show their progress).
    Endpoint("catalog_page", "/courses/", "catalog (cached)", target_share=0.60),
    Endpoint("catalog_search_page", "/courses/?q=python", "catalog (cached)", target_share=0.60),
    Endpoint(
        "catalog_page_signed_in", "/courses/", "catalog (uncached)", "session", target_share=0.25
    ),
    Endpoint(
        "catalog_search_signed_in",
        "/courses/?q=python",
        "catalog (uncached)",
        "session",
        target_share=0.25,
    ),
    Endpoint("course_page", "/courses/{course_slug}/", "course page", target_share=0.25),
    Endpoint("dashboard_page", "/dashboard/", "authenticated read", "session", target_share=0.20),
    Endpoint("leaderboard_page", "/leaderboard/", "leaderboard", "session", target_share=0.40),
    Endpoint("questions_page", "/questions/", "Q&A", "session"),
    Endpoint("catalog_api", "/api/v1/courses", "catalog (uncached)", target_share=0.25),
    Endpoint("course_api", "/api/v1/courses/{course_id}", "course page", target_share=0.25),
    Endpoint("lessons_api", "/api/v1/courses/{course_id}/lessons", "authenticated read", "jwt"),
    Endpoint(
        "progress_api",
        "/api/v1/courses/{course_id}/progress",
        "authenticated read",
        "jwt",
        target_share=0.20,
    ),
    Endpoint(
        "profile_api", "/api/v1/users/profile", "authenticated read", "jwt", target_share=0.20
    ),
    Endpoint("lesson_page", "/learn/{course_slug}/{lesson_id}/", "lesson page", "session"),
    Endpoint("lesson_api", "/api/v1/lessons/{lesson_id}", "lesson page", "jwt"),
    Endpoint(
        "heartbeat_api",
        "/api/v1/lessons/{lesson_id}/position",
        "write",
        "jwt",
        method="PUT",
        body='{"position_seconds": 42, "seconds_spent": 5}',
        content_type="application/json",
        target_share=0.10,
    ),
    Endpoint(
        "leaderboard_api",
        "/api/v1/gamification/leaderboard",
        "leaderboard",
        "jwt",
        target_share=0.40,
    ),
    Endpoint("questions_api", "/api/v1/questions", "Q&A", "jwt"),
    Endpoint("question_page", "/questions/{question_id}/", "Q&A", "session"),
    Endpoint("question_api", "/api/v1/questions/{question_id}", "Q&A", "jwt"),
    Endpoint("notifications_api", "/api/v1/notifications", "authenticated read", "jwt"),
    Endpoint(
        "enroll_api",
        "/api/v1/courses/{course_id}/enroll",
        "write",
        "jwt",
        method="POST",
        target_share=0.10,
    ),
]


@dataclass
class Result:
    name: str
    group: str
    path: str
    auth: str
    method: str
    status: str = "ok"
    requests: int = 0
    requests_per_second: float = 0.0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    p99_ms: float = 0.0
    error_rate: float = 0.0
    statuses: dict[str, int] = field(default_factory=dict)
    cpu_ms_per_request: float = 0.0
    share_of_bare: float | None = None
    target_share: float | None = None
    meets_target: bool | None = None


# --- the server under test ----------------------------------------------------------------------


def server_environment(args: argparse.Namespace, port: int) -> dict[str, str]:
    # The limiter stays in the path (its Redis call is part of the cost), but never trips.
    return common.production_environment(
        database_url=args.database_url,
        redis_url=args.redis_url,
        port=port,
        workers=args.workers,
        extra={"API_THROTTLE_USER": "1000000/min", "API_THROTTLE_ANON": "1000000/min"},
    )


def prepare(args: argparse.Namespace) -> None:
    """Create the benchmark database if needed, migrate it, seed it and collect static files."""
    common.database_create(args.database_url)
    environment = server_environment(args, 0)
    # seed_demo refuses production (it sets known passwords), so it runs as development.
    seeding = {**environment, "DJANGO_ENV": "development"}
    for command, command_environment in (
        (["migrate", "--noinput"], environment),
        (["seed_demo"], seeding),
        (["collectstatic", "--noinput"], environment),
    ):
        subprocess.run(
            [PYTHON, "manage.py", *command, "--verbosity", "0"],
            cwd=ROOT,
            env=command_environment,
            check=True,
        )
    if args.seed_load:
        subprocess.run(
            [PYTHON, "manage.py", "seed_load", "--force"], cwd=ROOT, env=environment, check=True
        )


def server_start(args: argparse.Namespace, port: int) -> subprocess.Popen[bytes]:
    return common.server_start(
        environment=server_environment(args, port),
        port=port,
        workers=args.workers,
        server=args.server,
    )


# --- credentials and discovery ------------------------------------------------------------------


def credentials(base: str) -> dict[str, str]:
    """A JWT and a session cookie for the demo student."""
    email, password = DEMO_STUDENT
    login = httpx.post(f"{base}/api/v1/auth/login", json={"email": email, "password": password})
    login.raise_for_status()
    # The cookies are read off the Set-Cookie headers and sent by hand: in production they are
    # Secure, and a cookie jar keeps a Secure cookie away from this plain-HTTP loopback server.
    with httpx.Client(base_url=base, follow_redirects=False) as browser:
        page = browser.get("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        csrf = re.findall(r"csrftoken=([^;]*)", "\n".join(page.headers.get_list("set-cookie")))
        response = browser.post(
            "/accounts/login/",
            data={"login": email, "password": password, "csrfmiddlewaretoken": token.group(1)},
            headers={
                "Referer": f"{base}/accounts/login/",
                "Cookie": f"csrftoken={csrf[-1]}" if csrf else "",
            },
        )
        set_cookies = "\n".join(response.headers.get_list("set-cookie"))
        session = re.findall(r"sessionid=([^;]*)", set_cookies)
        csrf = re.findall(r"csrftoken=([^;]*)", set_cookies) or csrf
    if response.status_code != 302 or not session:
        raise SystemExit(f"the demo student's sign-in failed: {response.status_code}")
    return {"jwt": login.json()["access"], "session": session[-1], "csrf": csrf[-1] if csrf else ""}


def discover(base: str, auth: dict[str, str]) -> dict[str, str]:
    """Ids and slugs for the endpoints' placeholders: a free published course the demo student is
    enrolled in (enrolling them if need be), its first open lesson and a question."""
    headers = {"Authorization": f"Bearer {auth['jwt']}"}
    courses = httpx.get(f"{base}/api/v1/courses", headers=headers).json().get("results", [])
    free = [course for course in courses if course.get("is_free")] or courses
    if not free:
        return {}
    course = next((course for course in free if course.get("is_enrolled")), free[0])
    values = {"course_id": str(course["id"]), "course_slug": str(course.get("slug", ""))}
    httpx.post(f"{base}/api/v1/courses/{course['id']}/enroll", headers=headers)
    lessons = httpx.get(f"{base}/api/v1/courses/{course['id']}/lessons", headers=headers).json()
    lessons = lessons.get("results", lessons) if isinstance(lessons, dict) else lessons
    open_lessons = [lesson for lesson in lessons if not lesson.get("is_locked")]
    if open_lessons:
        values["lesson_id"] = str(open_lessons[0]["id"])
    questions = httpx.get(f"{base}/api/v1/questions", headers=headers).json().get("results", [])
    if questions:
        values["question_id"] = str(questions[0]["id"])
    return values


def request_headers(endpoint: Endpoint, auth: dict[str, str]) -> dict[str, str]:
    headers: dict[str, str] = {}
    if endpoint.auth == "jwt":
        headers["Authorization"] = f"Bearer {auth['jwt']}"
    elif endpoint.auth == "session":
        headers["Cookie"] = f"sessionid={auth['session']}; csrftoken={auth['csrf']}"
        headers["X-CSRFToken"] = auth["csrf"]
    if endpoint.content_type:
        headers["Content-Type"] = endpoint.content_type
    return headers


# --- running wrk --------------------------------------------------------------------------------


def wrk_run(url: str, endpoint: Endpoint, headers: dict[str, str], args: argparse.Namespace) -> Any:
    environment = {
        **os.environ,
        "WRK_METHOD": endpoint.method,
        "WRK_BODY": endpoint.body,
        "WRK_HEADERS": "\n".join(f"{name}: {value}" for name, value in headers.items()),
    }
    output = subprocess.run(
        [
            *("wrk", "-t", str(args.threads), "-c", str(args.connections)),
            *("-d", f"{args.duration}s", "--timeout", "10s", "-s", str(LUA), url),
        ],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(line for line in output.splitlines() if line.startswith("WRK_JSON "))
    return json.loads(line.removeprefix("WRK_JSON "))


def measure(
    base: str,
    endpoint: Endpoint,
    values: dict[str, str],
    auth: dict[str, str],
    server_pid: int,
    args: argparse.Namespace,
) -> Result:
    result = Result(endpoint.name, endpoint.group, endpoint.path, endpoint.auth, endpoint.method)
    result.target_share = endpoint.target_share
    try:
        path = endpoint.path.format(**values)
    except KeyError as missing:
        result.status = f"skipped: no {missing.args[0]} in the seeded data"
        return result
    headers = request_headers(endpoint, auth)
    try:
        # Generous: the previous endpoint's backlog may still be draining.
        probe = httpx.request(
            endpoint.method, base + path, headers=headers, content=endpoint.body, timeout=60
        )
    except httpx.TransportError as error:
        result.status = f"skipped: {endpoint.method} {path} did not answer ({error!r})"
        return result
    if probe.status_code >= 300:  # a redirect (to the sign-in page, say) is not the endpoint
        result.status = f"skipped: {endpoint.method} {path} answered {probe.status_code}"
        return result
    before = common.cpu_seconds({"app": server_pid})
    summary = wrk_run(base + path, endpoint, headers, args)
    after = common.cpu_seconds({"app": server_pid})
    seconds = summary["duration_us"] / 1e6
    requests = summary["requests"]
    failed = summary["socket_errors"] + sum(
        count for status, count in summary["statuses"].items() if int(status) >= 400
    )
    seconds_used = sum(after.values()) - sum(before.values())
    result.requests = requests
    result.requests_per_second = round(requests / seconds, 1)
    result.p50_ms = summary["p50_us"] / 1000
    result.p95_ms = summary["p95_us"] / 1000
    result.p99_ms = summary["p99_us"] / 1000
    result.error_rate = round(failed / requests, 5) if requests else 1.0
    result.statuses = summary["statuses"]
    result.cpu_ms_per_request = round(seconds_used * 1000 / requests, 3) if requests else 0
    return result


def markdown(report: dict[str, Any]) -> str:
    config = report["config"]
    lines = [
        "# Load benchmark: latest run",
        "",
        f"Run at {report['started_at']} on {report['machine']['cores']} cores "
        f"({report['machine']['cpu']}, {report['machine']['memory_gib']} GiB). Server: "
        f"{common.SERVER_DESCRIPTIONS.get(config['server'], config['server'])}, "
        f"{config['workers']} workers, PostgreSQL and Redis on "
        f"loopback; wrk {config['threads']} threads, {config['connections']} connections, "
        f"{config['duration']} s per endpoint. Bare view (B): `/healthz` at "
        f"{report['bare_requests_per_second']} requests/s (the mean of "
        + " and ".join(f"{run['requests_per_second']}" for run in report.get("bare_runs", []))
        + ", measured before and after the endpoints).",
        "",
        "| endpoint | group | auth | req/s | share of B | target | p50 ms | p95 ms | p99 ms "
        "| errors | CPU ms/req |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in report["results"]:
        if row["status"] != "ok":
            lines.append(
                f"| {row['name']} | {row['group']} | {row['auth']} | {row['status']} "
                "| | | | | | | |"
            )
            continue
        share = f"{row['share_of_bare']:.0%}" if row["share_of_bare"] is not None else ""
        target = f">= {row['target_share']:.0%}" if row["target_share"] else ""
        if row["meets_target"] is False:
            target += " (missed)"
        lines.append(
            f"| {row['name']} | {row['group']} | {row['auth']} | {row['requests_per_second']} "
            f"| {share} | {target} | {row['p50_ms']:.1f} | {row['p95_ms']:.1f} "
            f"| {row['p99_ms']:.1f} | {row['error_rate']:.2%} | {row['cpu_ms_per_request']} |"
        )
    lines += [
        "",
        "Reproduce: `.venv/bin/python benchmarks/load/run.py` (see benchmarks/README.md).",
        "",
    ]
    return "\n".join(lines)


SHARE_DROP_LIMIT = 0.04  # the performance issue: flag a drop of more than 4% of B


def compare(baseline: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """Endpoints whose share of the bare view fell by more than SHARE_DROP_LIMIT (in points of B)
    from `baseline` (a report of main, say) to `current` (a branch), or that stopped answering.
    Each run's shares are against its own bare view, so two runs on different machines or loads
    compare fairly. Query growth is not measured here: tests/performance fails on it."""
    before = {row["name"]: row for row in baseline["results"] if row["status"] == "ok"}
    flagged = []
    for row in current["results"]:
        old = before.get(row["name"])
        if old is None:
            continue
        if row["status"] != "ok":
            flagged.append(f"{row['name']}: {row['status']} (was {old['share_of_bare']:.0%} of B)")
            continue
        drop = round(old["share_of_bare"] - row["share_of_bare"], 4)
        if drop > SHARE_DROP_LIMIT:
            flagged.append(
                f"{row['name']}: {row['share_of_bare']:.0%} of B, down from "
                f"{old['share_of_bare']:.0%} ({drop:.1%} of B)"
            )
    return flagged


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=20, help="seconds of load per endpoint")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="app server worker processes")
    parser.add_argument("--server", choices=list(common.SERVER_COMMANDS), default="sync")
    parser.add_argument("--only", default="", help="comma-separated endpoint names (bare always)")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/lumen_bench")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/3")
    parser.add_argument("--seed-load", action="store_true", help="also run seed_load (large data)")
    parser.add_argument("--output", default=str(REPORTS / "load-latest"), help="report path stem")
    parser.add_argument(
        "--compare",
        metavar="BASELINE_JSON",
        help="a report of main (say) to compare with: exit 1 if an endpoint's share of B drops "
        "by more than 4 points",
    )
    args = parser.parse_args()
    baseline = json.loads(Path(args.compare).read_text()) if args.compare else None

    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk")
    (REPORTS / "tmp").mkdir(parents=True, exist_ok=True)
    prepare(args)
    port = common.free_port()
    base = f"http://127.0.0.1:{port}"
    server = server_start(args, port)
    started_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    try:
        auth = credentials(base)
        values = discover(base, auth)
        wanted = {name for name in args.only.split(",") if name}
        bare = Endpoint("bare", "/healthz", "bare view")
        first = measure(base, bare, values, auth, server.pid, args)
        results = [
            measure(base, endpoint, values, auth, server.pid, args)
            for endpoint in ENDPOINTS
            if not wanted or endpoint.name in wanted
        ]
        last = measure(base, bare, values, auth, server.pid, args)
    finally:
        common.server_stop(server)

    bare_rps = round((first.requests_per_second + last.requests_per_second) / 2, 1)
    for row in [first, *results, last]:
        if row.status == "ok" and bare_rps:
            row.share_of_bare = round(row.requests_per_second / bare_rps, 3)
            if row.target_share is not None:
                row.meets_target = row.share_of_bare >= row.target_share
    report = {
        "started_at": started_at,
        "machine": common.machine(),
        "config": {
            key: getattr(args, key)
            for key in ("duration", "connections", "threads", "workers", "server", "seed_load")
        },
        "bare_requests_per_second": bare_rps,
        "bare_runs": [asdict(first), asdict(last)],
        "results": [asdict(row) for row in results],
    }
    stem = Path(args.output)
    stem.with_suffix(".json").write_text(json.dumps(report, indent=2) + "\n")
    stem.with_suffix(".md").write_text(markdown(report))
    stamp = started_at.replace(":", "")
    (REPORTS / "tmp" / f"load-{stamp}.json").write_text(json.dumps(report, indent=2) + "\n")
    print(markdown(report))
    if baseline is not None:
        flagged = compare(baseline, report)
        for line in flagged:
            print(f"SLOWER than {args.compare}: {line}")
        if flagged:
            raise SystemExit(1)
        print(f"No endpoint's share of B dropped by more than 4 points from {args.compare}.")


if __name__ == "__main__":
    main()
