"""Lumen's think-time journey load: N signed-in learners (and some visitors) under Locust, each
waiting 7.5-15 s between actions, against the production configuration on loopback.

One command (PostgreSQL and Redis running; `pip install -r requirements-bench.txt`):

    .venv/bin/python benchmarks/load/journey.py                 # 10,000 users
    .venv/bin/python benchmarks/load/journey.py --users 1000 --no-prepare
    .venv/bin/python benchmarks/load/journey.py --users 1000 --find-max --max-users 10000

It creates (or reuses) the database `lumen_bench_journey`, migrates and seeds it as run.py does
(seed_demo; `--seed-load --scale 0.1` adds the large data set), writes N learners (one password
hash for all), enrolls each in two free published courses, signs each in with a session written
through the session engine (Redis, one `set_many` per 2,000) and mints each a JWT. It starts
the Procfile's `web` process (gunicorn's sync workers on `lms.wsgi`) in the production
configuration, checks one
learner's journey once by hand, and runs Locust headless (benchmarks/load/journey_locustfile.py)
with `--users N --spawn-rate R --run-time T --reset-stats`: the statistics and the CPU window
both start when the last user has spawned (ramp-up excluded) and end at the run-time limit. CPU
of the app server's process tree, of the PostgreSQL backends connected to the benchmark database
and of redis-server is read from /proc over that window and divided by the requests; Locust's own
CPU is counted apart (it runs on the same 2 cores). The report goes to
benchmarks/reports/journey-latest.md and .json.

`--find-max` runs steps from `--users`, up by `--find-max-factor` while they hold p95 < 100 ms and
errors < 0.1% (to `--max-users`), down by it while they do not (to `--min-users`), each step
with `--requests` requests; the largest holding step below the first failing one is the user
count the machine holds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # run by path: `from benchmarks import common` needs the root
    sys.path.insert(0, str(ROOT))

from benchmarks import common  # noqa: E402

HERE = Path(__file__).resolve().parent
LOCUSTFILE = HERE / "journey_locustfile.py"
PYTHON = sys.executable
EMAIL_PATTERN = "journey-learner-{:06d}@bench.localhost"
COURSES_PER_LEARNER = 2
COURSE_POOL = 100  # free published courses the learners are spread over
LESSONS_PER_COURSE = 8  # open lessons listed per course
PROBE_REPEATS = 12  # requests per kind in the cost probe

# The targets (issue 12, item 3): 10,000 users on this machine at about 850 requests/s.
TARGETS = {
    "users": 10_000,
    "p95_ms": 100.0,
    "p99_ms": 250.0,
    "error_rate": 0.001,
    "requests": 30_000,
    "cpu_ms_per_request": 2.3,  # 2 cores x 1,000 ms / ~850 requests/s, with a little headroom
}
CORES_BUDGET = 2
MEAN_THINK_SECONDS = (7.5 + 15) / 2


# --- pure arithmetic (tests/benchmarks/test_journey.py) ---------------------------------------


def run_time_for(users: int, spawn_rate: float, requests: int, minimum_steady: float = 60) -> int:
    """Seconds of Locust run time (ramp-up plus a steady phase) for about `requests` requests
    in the steady phase, with 10% to spare: each user makes one request per think time."""
    ramp = users / spawn_rate
    rate = users / MEAN_THINK_SECONDS
    steady = max(minimum_steady, requests / rate * 1.1)
    return math.ceil(ramp + steady)


def steady_cpu(
    before: Mapping[str, float], after: Mapping[str, float], requests: int
) -> dict[str, float]:
    """CPU milliseconds per request over the steady window, by process kind, with `server`
    (app + PostgreSQL + Redis: what the budget is about) and the load generator apart."""
    used = common.cpu_ms_per_item(before, after, requests)
    used["server"] = round(sum(used.get(kind, 0.0) for kind in ("app", "postgres", "redis")), 3)
    return used


def users_on_budget(cpu_ms_per_request: float, requests_per_second_per_user: float) -> int:
    """How many users the server side's CPU cost would let CORES_BUDGET cores serve (no
    headroom: at that count the cores are 100% busy)."""
    if cpu_ms_per_request <= 0 or requests_per_second_per_user <= 0:
        return 0
    requests_per_second = CORES_BUDGET * 1000 / cpu_ms_per_request
    return int(requests_per_second / requests_per_second_per_user)


def judge(step: Mapping[str, Any]) -> dict[str, bool]:
    """Each target met or not by one step's figures."""
    return {
        "p95": step["p95_ms"] < TARGETS["p95_ms"],
        "p99": step["p99_ms"] < TARGETS["p99_ms"],
        "errors": step["error_rate"] < TARGETS["error_rate"],
        "requests": step["requests"] >= TARGETS["requests"],
        "cpu": 0 < step["cpu_ms_per_request"]["server"] <= TARGETS["cpu_ms_per_request"],
        "users": step["users"] >= TARGETS["users"],
    }


def holds(step: Mapping[str, Any]) -> bool:
    """The step's latency and errors hold (what --find-max climbs on)."""
    verdict = judge(step)
    return verdict["p95"] and verdict["errors"]


def largest_holding(steps: list[Mapping[str, Any]]) -> int | None:
    """The largest user count that held below the smallest that did not (a lucky step above a
    failed one does not count), or None when no step held."""
    failed = [step["users"] for step in steps if not holds(step)]
    ceiling = min(failed) if failed else math.inf
    held = [step["users"] for step in steps if holds(step) and step["users"] < ceiling]
    return max(held) if held else None


def next_users(steps: list[Mapping[str, Any]], factor: float, floor: int, ceiling: int) -> int:
    """--find-max's next step, or 0 when done: up by `factor` while every step held (to
    `ceiling`), down by it while none did (to `floor`); done once a holding step lies right
    below a failing one (or at a bound)."""
    last = steps[-1]
    held = [step["users"] for step in steps if holds(step)]
    failed = [step["users"] for step in steps if not holds(step)]
    if held and failed:
        return 0
    if held:
        proposal = min(ceiling, math.ceil(last["users"] * factor))
    else:
        proposal = max(floor, math.floor(last["users"] / factor))
    return proposal if proposal != last["users"] else 0


def _number(value: str | None) -> float:
    """A figure of Locust's CSV ("N/A" for a request kind without requests since the reset)."""
    try:
        return float(value or 0)
    except ValueError:
        return 0.0


def parse_stats(rows: list[dict[str, str]]) -> dict[str, Any]:
    """Locust's --csv stats rows: the aggregated figures and one row per request name."""
    endpoints = []
    total: dict[str, Any] = {}
    for row in rows:
        figures = {
            "name": row["Name"],
            "method": row["Type"],
            "requests": int(row["Request Count"]),
            "failures": int(row["Failure Count"]),
            "requests_per_second": round(_number(row["Requests/s"]), 1),
            "p50_ms": _number(row["50%"]),
            "p95_ms": _number(row["95%"]),
            "p99_ms": _number(row["99%"]),
            "max_ms": _number(row["Max Response Time"]),
        }
        if row["Name"] == "Aggregated":
            total = figures
        else:
            endpoints.append(figures)
    endpoints.sort(key=lambda figures: -figures["requests"])
    requests = total.get("requests", 0)
    total["error_rate"] = round(total.get("failures", 0) / requests, 5) if requests else 1.0
    return {"total": total, "endpoints": endpoints}


# --- preparing the data (run under Django by the `_setup` subcommand) ------------------------


def setup_data(count: int, data_file: str) -> None:
    """(Under Django) `count` learners, each enrolled in COURSES_PER_LEARNER free published
    courses, with a session, a CSRF secret and a JWT; the courses' open lessons; question ids."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils.crypto import get_random_string
    from rest_framework_simplejwt.tokens import AccessToken

    from courses import selectors
    from courses.models import Course, Enrollment, Lesson, LessonProgress
    from qa.models import Question

    user_model = get_user_model()
    courses = list(
        Course.objects.filter(
            status=Course.Status.PUBLISHED,
            required_plan=Course.Plan.FREE,
            modules__lessons__isnull=False,
        )
        .distinct()
        .order_by("id")[:COURSE_POOL]
    )
    if not courses:
        raise SystemExit("no free published course with lessons: seed the database first")
    password = make_password("journey-bench-not-a-secret")  # hashed once: bulk users share it
    emails = [EMAIL_PATTERN.format(i) for i in range(count)]
    with transaction.atomic():
        user_model.objects.bulk_create(
            [
                user_model(email=email, password=password, display_name=f"Journey {i}")
                for i, email in enumerate(emails)
            ],
            batch_size=2000,
            ignore_conflicts=True,
        )
        users = list(user_model.objects.filter(email__in=emails).order_by("id"))
        pool = len(courses)
        picks = [
            sorted({(i + k * (1 + i // pool)) % pool for k in range(COURSES_PER_LEARNER)})
            for i in range(len(users))
        ]
        # Only the missing pairs, and no ignore_conflicts: a clash on the primary key (a
        # seed_load writing explicit ids at the same time, say) must fail, not drop rows.
        existing = set(
            Enrollment.objects.filter(learner__in=users).values_list("learner_id", "course_id")
        )
        Enrollment.objects.bulk_create(
            [
                Enrollment(learner=user, course=courses[index])
                for user, indexes in zip(users, picks, strict=True)
                for index in indexes
                if (user.pk, courses[index].pk) not in existing
            ],
            batch_size=2000,
        )
    # The lessons a newly enrolled learner may open (the first learner of each course checks).
    course_rows = []
    sample = {}
    for user, indexes in zip(users, picks, strict=True):
        for index in indexes:
            sample.setdefault(index, user)
    for index, course in enumerate(courses):
        learner = sample.get(index, users[0])
        lessons = []
        for lesson in Lesson.objects.filter(module__course=course).select_related("quiz"):
            view = selectors.lesson_get_for_learner(user=learner, lesson_id=lesson.pk)
            if not view.can_access:
                continue
            quiz = getattr(lesson, "quiz", None) if lesson.kind == Lesson.Kind.QUIZ else None
            usable_quiz = quiz is not None and not quiz.is_exam and not quiz.max_attempts
            lessons.append(
                {
                    "id": lesson.pk,
                    "kind": lesson.kind,
                    "duration": lesson.duration_seconds,
                    "quiz": quiz.pk if usable_quiz else None,
                }
            )
            if len(lessons) >= LESSONS_PER_COURSE:
                break
        course_rows.append({"id": course.pk, "slug": course.slug, "lessons": lessons})
    sessions = common.sessions_write(users)
    tokens = [str(AccessToken.for_user(user)) for user in users]
    learners = [
        {
            "session": session,
            "csrf": get_random_string(32),
            "jwt": token,
            "courses": [index for index in indexes if course_rows[index]["lessons"]] or [0],
        }
        for session, token, indexes in zip(sessions, tokens, picks, strict=True)
    ]
    questions = list(
        Question.objects.filter(is_hidden=False).order_by("-id").values_list("id", flat=True)[:500]
    )
    words = sorted(
        {
            word.lower()
            for course in courses[:50]
            for word in re.findall(r"[A-Za-z]{5,}", course.title)
        }
    )
    Path(data_file).write_text(
        json.dumps(
            {
                "learners": learners,
                "courses": course_rows,
                "questions": questions,
                "search_terms": words[:40],
            }
        )
    )
    print(
        json.dumps(
            {
                "learners": len(learners),
                "courses": len(course_rows),
                "enrollments_per_learner": COURSES_PER_LEARNER,
                "lessons_listed": sum(len(row["lessons"]) for row in course_rows),
                "quizzes_listed": sum(
                    1 for row in course_rows for lesson in row["lessons"] if lesson["quiz"]
                ),
                "questions": len(questions),
                "database_rows": {
                    "users": user_model.objects.count(),
                    "courses": Course.objects.count(),
                    "lessons": Lesson.objects.count(),
                    "lesson_progress": LessonProgress.objects.count(),
                    "questions": Question.objects.count(),
                },
            }
        )
    )


# --- the run ------------------------------------------------------------------------------------


def environment(args: argparse.Namespace, port: int) -> dict[str, str]:
    # The API limiter stays in the path but never trips (as in run.py); tokens outlive the run.
    return common.production_environment(
        database_url=args.database_url,
        redis_url=args.redis_url,
        port=port,
        workers=args.workers,
        extra={
            "API_THROTTLE_USER": "1000000/min",
            "API_THROTTLE_ANON": "1000000/min",
            "JWT_ACCESS_MINUTES": "720",
        },
    )


def prepare(args: argparse.Namespace) -> dict[str, Any]:
    """Create, migrate and seed the database (unless --no-prepare); write the learners."""
    common.database_create(args.database_url)
    env = environment(args, 0)
    if args.prepare:
        commands: list[tuple[list[str], dict[str, str]]] = [
            (["migrate", "--noinput"], env),
            # seed_demo refuses production (it sets known passwords), so it runs as development.
            (["seed_demo"], {**env, "DJANGO_ENV": "development"}),
            (["collectstatic", "--noinput"], env),
        ]
        if args.seed_load:
            commands.append((["seed_load", "--force", "--scale", str(args.scale)], env))
        for command, command_env in commands:
            subprocess.run(
                [PYTHON, "manage.py", *command, "--verbosity", "0"],
                cwd=ROOT,
                env=command_env,
                check=True,
            )
    started = time.monotonic()
    output = subprocess.run(
        [PYTHON, __file__, "_setup", str(args.setup_users), str(args.data_file)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    setup = json.loads(output.strip().splitlines()[-1])
    setup["seconds"] = round(time.monotonic() - started, 1)
    return setup


def journey_requests(
    data: dict[str, Any], index: int
) -> list[tuple[str, str, str, dict[str, str], str]]:
    """(name, method, path, headers, body) of each kind of request learner `index` makes, named
    as the locustfile names them (the quiz, which a learner takes once, is left out)."""
    me = data["learners"][index % len(data["learners"])]
    course = data["courses"][me["courses"][0]]
    lesson = course["lessons"][0]
    cookie = {"Cookie": f"sessionid={me['session']}; csrftoken={me['csrf']}"}
    post = {**cookie, "X-CSRFToken": me["csrf"], "Content-Type": "application/json"}
    api = {"Authorization": f"Bearer {me['jwt']}"}
    term = data["search_terms"][index % len(data["search_terms"])] if data["search_terms"] else "a"
    requests = [
        ("catalog", "GET", "/courses/", cookie, ""),
        ("catalog search", "GET", f"/courses/?q={term}", cookie, ""),
        ("course page", "GET", f"/courses/{course['slug']}/", cookie, ""),
        ("lesson page", "GET", f"/learn/{course['slug']}/{lesson['id']}/", cookie, ""),
        ("dashboard", "GET", "/dashboard/", cookie, ""),
        ("leaderboard", "GET", "/leaderboard/", cookie, ""),
        ("Q&A list", "GET", "/questions/", cookie, ""),
        ("api profile", "GET", "/api/v1/users/profile", api, ""),
        ("api notifications", "GET", "/api/v1/notifications", api, ""),
        ("api course progress", "GET", f"/api/v1/courses/{course['id']}/progress", api, ""),
        ("anon catalog", "GET", "/courses/", {}, ""),
        ("anon course page", "GET", f"/courses/{course['slug']}/", {}, ""),
        ("anon home", "GET", "/", {}, ""),
    ]
    if data["questions"]:
        question = data["questions"][index % len(data["questions"])]
        requests.append(("question page", "GET", f"/questions/{question}/", cookie, ""))
    if lesson["kind"] == "video":
        body = json.dumps({"position_seconds": 1, "seconds_spent_delta": 1})
        path = f"/lessons/{lesson['id']}/position/"
        requests.append(("heartbeat (video position)", "POST", path, post, body))
    elif lesson["kind"] == "article":
        body = json.dumps({"seconds_spent": 1, "reached_end": False})
        path = f"/lessons/{lesson['id']}/reading/"
        requests.append(("heartbeat (article reading)", "POST", path, post, body))
    return requests


def preflight(base: str, data: dict[str, Any]) -> list[str]:
    """One learner's journey by hand: every kind of request answers 200 (so a run never
    measures redirects to the sign-in page). Returns the problems."""
    import httpx

    problems = []
    with httpx.Client(base_url=base, follow_redirects=False, timeout=60) as client:
        for _, method, path, headers, body in journey_requests(data, 0):
            response = client.request(method, path, headers=headers, content=body)
            if response.status_code != 200:
                location = response.headers.get("location", "")
                problems.append(f"{method} {path}: {response.status_code} {location}".strip())
    return problems


def cost_probe(
    base: str, data: dict[str, Any], server_pid: int, args: argparse.Namespace
) -> dict[str, dict[str, float]]:
    """CPU ms per request of each kind, alone: PROBE_REPEATS requests one after another (each
    by another learner), server-side CPU from /proc around them. What the journey's total is
    made of (other work on the machine does not count; only these processes' own time)."""
    import httpx

    kinds: dict[str, list[tuple[str, str, dict[str, str], str]]] = {}
    for index in range(PROBE_REPEATS):
        for name, method, path, headers, body in journey_requests(data, index):
            kinds.setdefault(name, []).append((method, path, headers, body))
    costs = {}
    with httpx.Client(base_url=base, follow_redirects=False, timeout=120) as client:
        for name, requests in kinds.items():
            before = cpu_reading({"app": server_pid}, args)
            for method, path, headers, body in requests:
                client.request(method, path, headers=headers, content=body)
            after = cpu_reading({"app": server_pid}, args)
            used = steady_cpu(before, after, len(requests))
            used.pop("machine", None)
            costs[name] = used
    return costs


def cost_shares(
    endpoints: list[Mapping[str, Any]], costs: Mapping[str, Mapping[str, float]]
) -> list[dict[str, Any]]:
    """Each request kind's share of the journey's requests and, at its probed CPU cost, of the
    server-side CPU the journey needs; the costliest first."""
    total_requests = sum(row["requests"] for row in endpoints) or 1
    rows = []
    for row in endpoints:
        name = row["name"]
        if name not in costs:
            continue
        share = row["requests"] / total_requests
        rows.append(
            {
                "name": name,
                "request_share": round(share, 4),
                "cpu_ms": costs[name]["server"],
                "weighted_ms": share * costs[name]["server"],
            }
        )
    weighted = sum(row["weighted_ms"] for row in rows) or 1
    for row in rows:
        row["cpu_share"] = round(row["weighted_ms"] / weighted, 4)
        row["weighted_ms"] = round(row["weighted_ms"], 3)
    return sorted(rows, key=lambda row: -row["weighted_ms"])


def locust_step(
    args: argparse.Namespace, base: str, server_pid: int, users: int, run_time: int
) -> dict[str, Any]:
    """One headless Locust run of `users`; statistics and CPU over its steady phase."""
    import csv

    prefix = common.TMP / f"journey-{users}"
    spawn_rate = args.spawn_rate or max(10.0, users / 60)
    command = [
        *(str(Path(PYTHON).parent / "locust"), "-f", str(LOCUSTFILE), "--headless"),
        *("--users", str(users), "--spawn-rate", str(spawn_rate)),
        *("--run-time", f"{run_time}s", "--host", base, "--csv", str(prefix)),
        *("--reset-stats", "--only-summary", "--stop-timeout", "5", "--loglevel", "INFO"),
    ]
    if args.load_processes > 1:
        command += ["--processes", str(args.load_processes)]
    visitor_weight = round(args.visitor_share * 100)
    env = {
        **os.environ,
        "JOURNEY_DATA": str(args.data_file),
        "JOURNEY_VISITOR_WEIGHT": str(visitor_weight),
        "JOURNEY_LEARNER_WEIGHT": str(100 - visitor_weight),
    }
    marks: dict[str, Any] = {}
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    log = (common.TMP / f"journey-{users}-locust.log").open("w")
    roots = {"app": server_pid, "load_generator": process.pid}

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            log.write(line)
            if "All users spawned" in line and "steady_start" not in marks:
                marks["steady_start"] = time.monotonic()
                marks["cpu_start"] = cpu_reading(roots, args)
            elif "run-time limit reached" in line and "steady_end" not in marks:
                marks["steady_end"] = time.monotonic()
                marks["cpu_end"] = cpu_reading(roots, args)

    reader = threading.Thread(target=read, daemon=True)
    started = time.monotonic()
    load_before = os.getloadavg()
    reader.start()
    process.wait()
    reader.join(timeout=30)
    log.close()
    if "cpu_start" not in marks or "cpu_end" not in marks:
        raise SystemExit(f"locust did not reach a steady phase; see {log.name}")
    with open(f"{prefix}_stats.csv", newline="") as handle:
        stats = parse_stats(list(csv.DictReader(handle)))
    total = stats["total"]
    seconds = marks["steady_end"] - marks["steady_start"]
    requests = total["requests"]
    step = {
        "users": users,
        "spawn_rate": spawn_rate,
        "run_time_s": run_time,
        "ramp_up_s": round(marks["steady_start"] - started, 1),
        "steady_s": round(seconds, 1),
        "requests": requests,
        "failures": total["failures"],
        "requests_per_second": round(requests / seconds, 1) if seconds else 0.0,
        "p50_ms": total["p50_ms"],
        "p95_ms": total["p95_ms"],
        "p99_ms": total["p99_ms"],
        "max_ms": total["max_ms"],
        "error_rate": total["error_rate"],
        "cpu_ms_per_request": steady_cpu(marks["cpu_start"], marks["cpu_end"], requests),
        "cpu_cores_busy": {
            kind: round((marks["cpu_end"][kind] - marks["cpu_start"][kind]) / seconds, 2)
            for kind in marks["cpu_start"]
        },
        "load_average_before": [round(value, 2) for value in load_before],
        "load_average_after": [round(value, 2) for value in os.getloadavg()],
        "endpoints": stats["endpoints"],
        "failures_seen": failures_seen(prefix),
        "locust_exit_code": process.returncode,
    }
    per_user = step["requests_per_second"] / users if users else 0
    step["users_on_2_cores_at_this_cost"] = users_on_budget(
        step["cpu_ms_per_request"]["server"], per_user
    )
    step["verdict"] = judge(step)
    step["holds"] = holds(step)
    return step


def cpu_reading(roots: Mapping[str, int], args: argparse.Namespace) -> dict[str, float]:
    reading = common.cpu_seconds(roots, postgres_database=args.database_url.rsplit("/", 1)[1])
    reading["machine"] = common.machine_busy_seconds()
    return reading


def failures_seen(prefix: Path) -> list[dict[str, Any]]:
    import csv

    path = Path(f"{prefix}_failures.csv")
    if not path.exists():
        return []
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [
        {
            "name": row.get("Name"),
            "error": (row.get("Error") or "")[:200],
            "count": int(row.get("Occurrences") or 0),
        }
        for row in rows[:20]
    ]


def run(args: argparse.Namespace) -> dict[str, Any]:
    started_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    report: dict[str, Any] = {
        "started_at": started_at,
        "machine": common.machine(),
        "config": {
            "users": args.user_counts,
            "workers": args.workers,
            "server": common.SERVER_DESCRIPTIONS["sync"] + ", production",
            "database": args.database_url.rsplit("/", 1)[1],
            "redis_url": args.redis_url,
            "seed_load_scale": args.scale if args.seed_load else None,
            "visitor_share": args.visitor_share,
            "think_time_s": [7.5, 15],
            "load_generator": f"locust (FastHttpUser), {args.load_processes} process(es)",
            "find_max": args.find_max,
        },
        "targets": TARGETS,
    }
    report["setup"] = prepare(args)
    data = json.loads(Path(args.data_file).read_text())
    port = common.free_port()
    base = f"http://127.0.0.1:{port}"
    server = common.server_start(
        environment=environment(args, port),
        port=port,
        workers=args.workers,
        log_name="journey-server.log",
        options=("--backlog", "4096", "--timeout", "60"),
    )
    steps: list[dict[str, Any]] = []
    try:
        problems = preflight(base, data)
        if problems:
            raise SystemExit("the preflight journey failed:\n" + "\n".join(problems))
        costs = cost_probe(base, data, server.pid, args)
        report["cost_probe"] = costs
        queue = list(args.user_counts)
        while queue:
            users = queue.pop(0)
            run_time = args.run_time or run_time_for(
                users, args.spawn_rate or max(10.0, users / 60), args.requests
            )
            step = locust_step(args, base, server.pid, users, run_time)
            step["cost_shares"] = cost_shares(step["endpoints"], costs)
            steps.append(step)
            print(step_line(step), flush=True)
            if args.find_max and not queue:
                following = next_users(steps, args.find_max_factor, args.min_users, args.max_users)
                if following:
                    queue.append(following)
    finally:
        common.server_stop(server)
    report["steps"] = steps
    report["largest_holding_users"] = largest_holding(steps)
    return report


def step_line(step: Mapping[str, Any]) -> str:
    cpu = step["cpu_ms_per_request"]
    return (
        f"{step['users']} users: {step['requests']} requests, {step['requests_per_second']}/s, "
        f"p50/p95/p99 {step['p50_ms']}/{step['p95_ms']}/{step['p99_ms']} ms, errors "
        f"{step['error_rate']:.3%}, server CPU {cpu['server']} ms/request"
    )


def _mark(ok: bool) -> str:
    return "pass" if ok else "**fail**"


def markdown(report: dict[str, Any]) -> str:
    m, c, s = report["machine"], report["config"], report["setup"]
    lines = [
        "# Think-time journey load: latest run",
        "",
        f"Run at {report['started_at']} on {m['cores']} cores ({m['cpu']}, {m['memory_gib']} GiB "
        f"RAM; load average {m['load_average_at_start']} at the start: other work shares the "
        f"machine). Server: {c['server']}, {c['workers']} workers, PostgreSQL `{c['database']}` "
        f"and Redis `{c['redis_url']}` on loopback"
        + (
            f", data seed_demo + seed_load --scale {c['seed_load_scale']}"
            if c["seed_load_scale"]
            else ", data seed_demo"
        )
        + f". Load: {c['load_generator']} on the same machine, think time "
        f"{c['think_time_s'][0]}-{c['think_time_s'][1]} s, {c['visitor_share']:.0%} anonymous "
        "visitors, the rest signed-in learners with their own sessions and enrollments.",
        "",
        f"Setup: {s['learners']} learners, {s['enrollments_per_learner']} enrollments each over "
        f"{s['courses']} courses ({s['lessons_listed']} lessons, {s['quizzes_listed']} quizzes "
        f"listed), {s['questions']} questions, in {s['seconds']} s. Database rows: "
        + ", ".join(f"{count:,} {name}" for name, count in s.get("database_rows", {}).items())
        + ".",
        "",
        "Targets: p95 < 100 ms, p99 < 250 ms, errors < 0.1%, >= 30,000 requests, server CPU "
        "(app + PostgreSQL + Redis) <= 2.3 ms per request (10,000 users at ~850 requests/s on "
        "2 cores).",
        "",
        "| users | steady s | requests | req/s | p50 ms | p95 ms | p99 ms | errors "
        "| server CPU ms/req (app / PostgreSQL / Redis) | Locust CPU ms/req "
        "| users 2 cores fit at this cost | verdict |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---|",
    ]
    for step in report["steps"]:
        cpu, v = step["cpu_ms_per_request"], step["verdict"]
        verdict = ", ".join(f"{name} {_mark(ok)}" for name, ok in v.items() if name != "users")
        lines.append(
            f"| {step['users']} | {step['steady_s']} | {step['requests']} "
            f"| {step['requests_per_second']} | {step['p50_ms']:.0f} | {step['p95_ms']:.0f} "
            f"| {step['p99_ms']:.0f} | {step['error_rate']:.3%} | **{cpu['server']}** "
            f"({cpu['app']} / {cpu['postgres']} / {cpu['redis']}) | {cpu['load_generator']} "
            f"| {step['users_on_2_cores_at_this_cost']} | {verdict} |"
        )
    largest = report.get("largest_holding_users")
    lines += [
        "",
        f"Largest user count measured holding p95 < 100 ms and errors < 0.1%: "
        f"{largest if largest is not None else 'none of the steps'}"
        + (" (--find-max)" if c["find_max"] else " (the steps run; see the notes)"),
        "",
    ]
    for step in report["steps"]:
        busy = step["cpu_cores_busy"]
        lines += [
            f"## {step['users']} users: by request",
            "",
            f"Ramp-up {step['ramp_up_s']} s (excluded), steady {step['steady_s']} s. Cores busy "
            f"over the steady phase: app {busy['app']}, PostgreSQL {busy['postgres']}, Redis "
            f"{busy['redis']}, Locust {busy['load_generator']}, whole machine {busy['machine']} "
            f"(of {m['cores']}); load average {step['load_average_before']} -> "
            f"{step['load_average_after']}.",
            "",
            "| request | count | req/s | p50 ms | p95 ms | p99 ms | max ms | failures |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for row in step["endpoints"]:
            lines.append(
                f"| {row['method']} {row['name']} | {row['requests']} "
                f"| {row['requests_per_second']} | {row['p50_ms']:.0f} | {row['p95_ms']:.0f} "
                f"| {row['p99_ms']:.0f} | {row['max_ms']:.0f} | {row['failures']} |"
            )
        if step.get("cost_shares"):
            lines += [
                "",
                "What costs the time: each kind's CPU ms per request (app + PostgreSQL + Redis) "
                f"probed alone ({PROBE_REPEATS} requests one after another before the load), "
                "weighted by its share of this step's requests:",
                "",
                "| request | share of requests | server CPU ms/req alone | ms per journey "
                "request | share of server CPU |",
                "|---|---:|---:|---:|---:|",
            ]
            lines += [
                f"| {row['name']} | {row['request_share']:.1%} | {row['cpu_ms']} "
                f"| {row['weighted_ms']} | {row['cpu_share']:.0%} |"
                for row in step["cost_shares"]
            ]
        if step["failures_seen"]:
            lines += ["", "Failures:", ""]
            lines += [
                f"- {row['name']}: {row['error']} (x{row['count']})"
                for row in step["failures_seen"]
            ]
        lines.append("")
    if report.get("notes"):
        lines += ["## Notes", "", *report["notes"], ""]
    lines += [
        "Reproduce: `.venv/bin/python benchmarks/load/journey.py` (see benchmarks/README.md).",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_setup":
        setup_data(int(sys.argv[2]), sys.argv[3])
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "--users", default="10000", help="concurrent users; a comma-separated list runs each"
    )
    parser.add_argument("--spawn-rate", type=float, default=0, help="users/s (default N/60)")
    parser.add_argument(
        "--run-time",
        type=int,
        default=0,
        help="seconds, ramp-up included (default: enough for --requests in the steady phase)",
    )
    parser.add_argument("--requests", type=int, default=30_000, help="steady-phase requests")
    parser.add_argument("--visitor-share", type=float, default=0.1, help="anonymous share")
    parser.add_argument("--workers", type=int, default=2, help="app server worker processes")
    parser.add_argument("--load-processes", type=int, default=1, help="Locust processes")
    parser.add_argument("--find-max", action="store_true", help="climb until p95 misses")
    parser.add_argument("--find-max-factor", type=float, default=1.5)
    parser.add_argument("--max-users", type=int, default=10_000, help="--find-max's ceiling")
    parser.add_argument("--min-users", type=int, default=50, help="--find-max's floor")
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/lumen_bench_journey"
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/9")
    parser.add_argument("--seed-load", action="store_true", help="also run seed_load")
    parser.add_argument("--scale", type=float, default=0.1, help="seed_load --scale")
    parser.add_argument(
        "--no-prepare", dest="prepare", action="store_false", help="skip migrate and seeding"
    )
    parser.add_argument("--note", action="append", default=[], help="a line for the notes")
    parser.add_argument("--output", default=str(common.REPORTS / "journey-latest"))
    args = parser.parse_args()
    args.user_counts = [int(count) for count in args.users.split(",") if count]
    args.setup_users = max(*args.user_counts, args.max_users if args.find_max else 0)
    args.data_file = common.TMP / "journey-data.json"
    common.TMP.mkdir(parents=True, exist_ok=True)

    report = run(args)
    report["notes"] = args.note
    stem = Path(args.output)
    stem.with_suffix(".json").write_text(json.dumps(report, indent=2) + "\n")
    stem.with_suffix(".md").write_text(markdown(report))
    stamp = report["started_at"].replace(":", "")
    (common.TMP / f"journey-{stamp}.json").write_text(json.dumps(report, indent=2) + "\n")
    print(markdown(report))


if __name__ == "__main__":
    main()
