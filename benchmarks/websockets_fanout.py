"""Lumen's live-connection benchmark: N signed-in notification sockets and one announcement to all.

One command (PostgreSQL and Redis on loopback running):

    .venv/bin/python benchmarks/websockets_fanout.py                  # 10,000 sockets
    .venv/bin/python benchmarks/websockets_fanout.py --connections 2000 --clients 1

It creates (or reuses) the database `lumen_bench_ws` and migrates it, empties its own Redis
database (db 8 by default: the channel layer's groups and the sessions of an earlier run), and
writes N learners (bulk_create, one password hash for all), one instructor and one free published
course every learner is enrolled in, and a session for each learner through the session engine
(Redis, as in production; written with one `set_many`). It then starts the Procfile's `ws`
process (gunicorn with uvicorn workers on `lms.asgi`, DJANGO_ENV=production, PostgreSQL, the Redis
channel layer), with the open-file limit raised to the hard limit for the server and the clients.

Client processes (`--clients`, asyncio and the `websockets` library) open the N sockets to
`/ws/notifications/` as a browser does: the `sessionid` cookie and an allowed `Origin`. A socket
counts as open once the consumer's first message (the unread count) arrived, that is once it
joined its groups. The server's RSS (the gunicorn master and its workers, from /proc) is read
before and after the sockets open: the difference divided by N is the memory per connection
(Redis's RSS growth for the group membership is reported next to it).

The broadcast is the product's own path for one message to many people: a subprocess calls
`notifications.services.course_announcement_send` as the instructor, with Celery eager (the job
`course_announcement_deliver` runs in that process instead of in a worker). The job writes the
learners' copies a chunk at a time, then after commit puts the delivery sheet (each learner's copy
id and unread count) in the cache and sends one message to the course's group; every socket then
reads its own line of the sheet (`course_copy_from_sheet`, no database query) and pushes it. The
benchmark wraps the channel layer's `group_send` in that subprocess to note when the group message
went out, and each client notes when every socket received its notification (CLOCK_MONOTONIC,
shared by all processes). Delivery latency is reported from the group message (the live fan-out,
which the 2 s target is about) and from the instructor's send (which adds writing N copies). The
report goes to benchmarks/reports/websockets-latest.md and .json (and a dated copy in
benchmarks/reports/tmp/).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import math
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run by path: `from benchmarks import common` needs the root
    sys.path.insert(0, str(ROOT))

from benchmarks import common  # noqa: E402

REPORTS = common.REPORTS
TMP = common.TMP
PYTHON = sys.executable
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")

EMAIL_PATTERN = "ws-learner-{:06d}@bench.localhost"
INSTRUCTOR_EMAIL = "ws-instructor@bench.localhost"
COURSE_SLUG = "ws-bench-course"
SOCKET_PATH = "/ws/notifications/"


def raise_open_files() -> int:
    """Lift the soft open-file limit to the hard one (children inherit it); returns it."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


# --- processes and memory -----------------------------------------------------------------------


def rss_bytes(pid: int) -> int:
    """Resident set size of one process (0 if it is gone)."""
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_SIZE
    except OSError:
        return 0


def tree_rss(root_pid: int) -> dict[str, Any]:
    pids = common.process_tree(root_pid)
    per_process = {pid: rss_bytes(pid) for pid in pids}
    return {"total": sum(per_process.values()), "processes": per_process}


def redis_rss(redis_url: str) -> int:
    import redis

    return int(redis.Redis.from_url(redis_url).info("memory")["used_memory_rss"])


# --- the server under test ----------------------------------------------------------------------


def server_environment(args: argparse.Namespace, port: int) -> dict[str, str]:
    return common.production_environment(
        database_url=args.database_url, redis_url=args.redis_url, port=port, workers=args.workers
    )


def prepare(args: argparse.Namespace) -> dict[str, Any]:
    """Create and migrate the database, empty this benchmark's Redis database, then write the
    learners, their course and their sessions (the `_setup` subcommand, run under Django)."""
    import redis

    common.database_create(args.database_url)
    redis.Redis.from_url(args.redis_url).flushdb()
    environment = server_environment(args, 0)
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env=environment,
        check=True,
    )
    started = time.monotonic()
    output = subprocess.run(
        [PYTHON, __file__, "_setup", str(args.connections), str(TMP / "ws-sessions.txt")],
        cwd=ROOT,
        env=environment,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    setup = json.loads(output.strip().splitlines()[-1])
    setup["seconds"] = round(time.monotonic() - started, 1)
    return setup


def setup_data(count: int, sessions_file: str) -> None:
    """(Under Django) N learners enrolled in one course, each with a signed-in session."""
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from core.roles import Role
    from courses.models import Course, Enrollment

    user_model = get_user_model()
    password = make_password("ws-bench-not-a-secret")  # hashed once: bulk users share it
    with transaction.atomic():
        instructor, _ = user_model.objects.get_or_create(
            email=INSTRUCTOR_EMAIL,
            defaults={"role": Role.INSTRUCTOR, "password": password, "display_name": "WS Bench"},
        )
        course, _ = Course.objects.get_or_create(
            slug=COURSE_SLUG,
            defaults={
                "title": "WebSocket fan-out benchmark",
                "status": Course.Status.PUBLISHED,
                "published_at": timezone.now(),
            },
        )
        course.instructors.add(instructor)
        emails = [EMAIL_PATTERN.format(i) for i in range(count)]
        user_model.objects.bulk_create(
            [
                user_model(email=email, password=password, display_name=f"Learner {i}")
                for i, email in enumerate(emails)
            ],
            batch_size=2000,
            ignore_conflicts=True,
        )
        users = list(user_model.objects.filter(email__in=emails).order_by("id"))
        # Exactly these N learners take the course (an earlier, larger run enrolled more).
        Enrollment.objects.filter(course=course).exclude(learner__in=users).delete()
        Enrollment.objects.bulk_create(
            [Enrollment(learner=user, course=course) for user in users],
            batch_size=2000,
            ignore_conflicts=True,
        )
    keys = common.sessions_write(users)
    Path(sessions_file).write_text("\n".join(keys) + "\n")
    print(
        json.dumps(
            {
                "learners": len(users),
                "course_id": course.pk,
                "instructor_id": instructor.pk,
                "session_engine": settings.SESSION_ENGINE,
            }
        )
    )


def server_start(args: argparse.Namespace, port: int) -> subprocess.Popen[bytes]:
    """The Procfile's ws process, bound to loopback."""
    return common.server_start(
        environment=server_environment(args, port),
        port=port,
        workers=args.workers,
        server="uvicorn",
        log_name="ws-server.log",
        options=("--graceful-timeout", "20", "--timeout", "60", "--backlog", "4096"),
    )


# --- the clients ----------------------------------------------------------------------------------


async def client_main(
    port: int, sessions: list[str], concurrency: int, compression: str, result_file: str
) -> None:
    """(A client process) open one socket per session, report READY, keep reading; on STOP
    <seconds> on stdin, wait that long at most for every socket's notification and report
    RECEIVED; on CLOSE, write the results, close the sockets and report DONE."""
    from websockets.asyncio.client import connect

    uri = f"ws://127.0.0.1:{port}{SOCKET_PATH}"
    origin = f"http://127.0.0.1:{port}"
    gate = asyncio.Semaphore(concurrency)
    opened = asyncio.Event()
    pending = len(sessions)
    errors: dict[str, int] = {}
    received: list[float] = []
    open_times: list[float] = []
    all_received = asyncio.Event()
    expected = 0
    sockets: list[Any] = []
    closed_early: list[int] = []

    def opened_one() -> None:
        nonlocal pending
        pending -= 1
        if pending == 0:
            opened.set()

    async def hold(session_key: str) -> None:
        nonlocal expected
        first = True
        async with gate:
            started = time.monotonic()
            try:
                websocket = await connect(
                    uri,
                    origin=origin,  # type: ignore[arg-type]
                    additional_headers={"Cookie": f"sessionid={session_key}"},
                    compression="deflate" if compression == "deflate" else None,
                    open_timeout=60,
                    ping_interval=None,  # a browser does not ping; the server does
                    close_timeout=5,
                )
                hello = json.loads(await asyncio.wait_for(websocket.recv(), 60))
                if hello.get("type") != "count":
                    raise RuntimeError(f"first message {hello.get('type')}")
            except Exception as error:  # counted and reported, never hidden
                name = type(error).__name__
                code = getattr(getattr(error, "rcvd", None), "code", None)
                key = f"{name} {code}" if code else name
                errors[key] = errors.get(key, 0) + 1
                opened_one()
                return
            open_times.append(time.monotonic() - started)
        sockets.append(websocket)
        expected += 1
        opened_one()
        try:
            async for raw in websocket:
                message = json.loads(raw)
                if message.get("type") == "notification" and first:
                    first = False
                    received.append(time.monotonic())
                    if len(received) >= expected:
                        all_received.set()
        except Exception as error:
            key = f"after open: {type(error).__name__}"
            errors[key] = errors.get(key, 0) + 1
        if first:  # closed before its notification: stop waiting for it
            expected -= 1
            closed_early.append(1)
            if expected and len(received) >= expected:
                all_received.set()

    opening_started = time.monotonic()
    tasks = [asyncio.create_task(hold(key)) for key in sessions]
    await opened.wait()
    opening_seconds = time.monotonic() - opening_started
    print(f"READY {expected} {len(sessions) - expected}", flush=True)
    loop = asyncio.get_running_loop()
    line = await loop.run_in_executor(None, sys.stdin.readline)
    wait_seconds = float(line.split()[1]) if line.startswith("STOP") else 0.0
    if expected > len(received):
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(all_received.wait(), wait_seconds)
    print("RECEIVED", flush=True)
    await loop.run_in_executor(None, sys.stdin.readline)  # CLOSE: the parent read the CPU time
    Path(result_file).write_text(
        json.dumps(
            {
                "sessions": len(sessions),
                "opened": expected + len(closed_early),
                "closed_before_delivery": len(closed_early),
                "errors": errors,
                "received": received,
                "opening_seconds": opening_seconds,
                "open_times": sorted(open_times),
            }
        )
    )
    await asyncio.gather(*(websocket.close() for websocket in sockets), return_exceptions=True)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    print("DONE", flush=True)


def clients_start(args: argparse.Namespace, port: int, keys: list[str]) -> list[dict[str, Any]]:
    clients = []
    share = math.ceil(len(keys) / args.clients)
    for index in range(args.clients):
        part = keys[index * share : (index + 1) * share]
        if not part:
            continue
        sessions_file = TMP / f"ws-client-{index}.sessions"
        sessions_file.write_text("\n".join(part) + "\n")
        result_file = TMP / f"ws-client-{index}.json"
        process = subprocess.Popen(
            [
                *(PYTHON, __file__, "_client", str(port), str(sessions_file)),
                *(str(args.handshake_concurrency), args.compression, str(result_file)),
            ],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        clients.append({"process": process, "result_file": result_file, "sessions": len(part)})
    return clients


# --- the broadcast --------------------------------------------------------------------------------


def broadcast(course_id: int, instructor_id: int) -> None:
    """(Under Django, Celery eager) the instructor announces to the course, as the product does;
    prints when it started and when the group message went out (CLOCK_MONOTONIC)."""
    import django

    django.setup()
    import uuid

    from channels.layers import get_channel_layer
    from django.contrib.auth import get_user_model

    from courses.models import Course
    from notifications.services import course_announcement_send

    layer = get_channel_layer()
    marks: dict[str, Any] = {"groups": []}
    original = layer.group_send

    async def timed_group_send(group: str, message: dict[str, Any]) -> None:
        marks["groups"].append(group)
        marks.setdefault("group_send_started", time.monotonic())
        await original(group, message)
        marks["group_send_finished"] = time.monotonic()

    layer.group_send = timed_group_send  # observes the call; the product code is unchanged
    course = Course.objects.get(pk=course_id)
    author = get_user_model().objects.get(pk=instructor_id)
    marks["send_started"] = time.monotonic()
    reached = course_announcement_send(
        course=course,
        author=author,
        title="Live session in ten minutes",
        body="Join the WebSocket fan-out benchmark's live session.",
        key=uuid.uuid4().hex,
    )
    marks["send_returned"] = time.monotonic()
    marks["reached"] = reached
    print(json.dumps(marks))


def broadcast_run(args: argparse.Namespace, setup: dict[str, Any]) -> dict[str, Any]:
    environment = {**server_environment(args, 0), "CELERY_TASK_ALWAYS_EAGER": "True"}
    output = subprocess.run(
        [PYTHON, __file__, "_broadcast", str(setup["course_id"]), str(setup["instructor_id"])],
        cwd=ROOT,
        env=environment,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


# --- the run --------------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> dict[str, Any]:
    limit = raise_open_files()
    TMP.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {
        "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": common.machine(),
        "config": {
            "connections": args.connections,
            "workers": args.workers,
            "server": common.SERVER_DESCRIPTIONS["uvicorn"],
            "clients": args.clients,
            "handshake_concurrency": args.handshake_concurrency,
            "compression": args.compression,
            "open_files_limit": limit,
            "database": args.database_url.rsplit("/", 1)[1],
            "redis_url": args.redis_url,
            "auth": "session cookie (Redis session engine) with an allowed Origin",
        },
    }
    setup = prepare(args)
    report["setup"] = setup
    keys = (TMP / "ws-sessions.txt").read_text().split()
    port = common.free_port()
    server = server_start(args, port)
    clients: list[dict[str, Any]] = []
    try:
        time.sleep(1)  # workers settle after answering /healthz
        before = tree_rss(server.pid)
        redis_before = redis_rss(args.redis_url)
        cpu_before_open = common.cpu_seconds({"server": server.pid})
        opening_started = time.monotonic()
        clients = clients_start(args, port, keys)
        opened = failed = 0
        for client in clients:
            line = client["process"].stdout.readline().split()
            if not line or line[0] != "READY":
                raise SystemExit(f"a client failed before READY: {line}")
            opened += int(line[1])
            failed += int(line[2])
        opening_seconds = time.monotonic() - opening_started
        cpu_after_open = common.cpu_seconds({"server": server.pid})
        time.sleep(2)  # let the last handshakes' garbage settle before reading memory
        after = tree_rss(server.pid)
        redis_after = redis_rss(args.redis_url)
        cpu_before_broadcast = common.cpu_seconds({"server": server.pid})
        marks = broadcast_run(args, setup)
        for client in clients:
            client["process"].stdin.write(f"STOP {args.delivery_timeout}\n")
            client["process"].stdin.flush()
        for client in clients:
            client["process"].stdout.readline()  # RECEIVED (or gave up waiting)
        cpu_after_delivery = common.cpu_seconds({"server": server.pid})
        results = []
        for client in clients:
            client["process"].stdin.write("CLOSE\n")
            client["process"].stdin.flush()
            client["process"].stdout.readline()  # DONE
            client["process"].wait(timeout=120)
            results.append(json.loads(client["result_file"].read_text()))
    finally:
        for client in clients:
            if client["process"].poll() is None:
                client["process"].kill()
        common.server_stop(server, timeout=40)

    received = sorted(time for result in results for time in result["received"])
    errors: dict[str, int] = {}
    for result in results:
        for key, count in result["errors"].items():
            errors[key] = errors.get(key, 0) + count
    open_times = sorted(value for result in results for value in result["open_times"])
    group_start = marks.get("group_send_started", marks["send_returned"])
    live = [round(moment - group_start, 4) for moment in received]
    end_to_end = [round(moment - marks["send_started"], 4) for moment in received]
    grown = after["total"] - before["total"]
    report["results"] = {
        "opened": opened,
        "failed_to_open": failed,
        "errors": errors,
        "closed_before_delivery": sum(result["closed_before_delivery"] for result in results),
        "opening_seconds": round(opening_seconds, 1),
        "handshake_p50_ms": round(common.percentile(open_times, 0.5) * 1000, 1),
        "handshake_p95_ms": round(common.percentile(open_times, 0.95) * 1000, 1),
        "server_rss_before_mib": round(before["total"] / 2**20, 1),
        "server_rss_after_mib": round(after["total"] / 2**20, 1),
        "server_processes": len(after["processes"]),
        "memory_per_connection_kib": round(grown / opened / 1024, 1) if opened else None,
        "redis_rss_growth_per_connection_kib": (
            round((redis_after - redis_before) / opened / 1024, 2) if opened else None
        ),
        "cpu_ms_per_connection_opened": common.cpu_ms_per_item(
            cpu_before_open, cpu_after_open, opened
        ),
        "cpu_ms_per_notification_delivered": common.cpu_ms_per_item(
            cpu_before_broadcast, cpu_after_delivery, len(received)
        ),
        "announcement_reached": marks.get("reached"),
        "copies_written_seconds": round(group_start - marks["send_started"], 2),
        "group_send_ms": round(
            (marks.get("group_send_finished", group_start) - group_start) * 1000, 1
        ),
        "groups_sent_to": marks.get("groups", []),
        "delivered": len(received),
        "delivered_share": round(len(received) / opened, 4) if opened else 0.0,
        "live_p50_s": common.percentile(live, 0.5),
        "live_p95_s": common.percentile(live, 0.95),
        "live_max_s": live[-1] if live else None,
        "end_to_end_p50_s": common.percentile(end_to_end, 0.5),
        "end_to_end_p95_s": common.percentile(end_to_end, 0.95),
        "end_to_end_max_s": end_to_end[-1] if end_to_end else None,
        "target_live_p95_s": 2.0,
    }
    rows = report["results"]
    rows["meets_target"] = bool(
        opened == args.connections
        and rows["delivered"] == opened
        and live
        and rows["live_p95_s"] < 2.0
        and rows["live_max_s"] < 2.0
    )
    return report


def _cpu(used: dict[str, float]) -> str:
    return f"{used['server']} / {used['postgres']} / {used['redis']}"


def markdown(report: dict[str, Any]) -> str:
    m, c, s, r = report["machine"], report["config"], report["setup"], report["results"]
    verdict = "met" if r["meets_target"] else "missed"
    lines = [
        "# WebSocket fan-out benchmark: latest run",
        "",
        f"Run at {report['started_at']} on {m['cores']} cores ({m['cpu']}, {m['memory_gib']} GiB "
        f"RAM, load average {m['load_average_at_start']} at the start: other work was running on "
        f"the machine). Server: the Procfile's `web` process, {c['server']}, {c['workers']} "
        f"workers, DJANGO_ENV=production, PostgreSQL `{c['database']}` and the Redis channel "
        f"layer and sessions at `{c['redis_url']}`, all on loopback; open-file limit "
        f"{c['open_files_limit']}. Clients: {c['clients']} asyncio processes (`websockets`), "
        f"{c['handshake_concurrency']} handshakes at a time each, compression "
        f"`{c['compression']}`; auth: {c['auth']}.",
        "",
        f"Setup: {s['learners']} learners enrolled in one course, with sessions, in "
        f"{s['seconds']} s.",
        "",
        "| measure | value |",
        "|---|---:|",
        f"| sockets asked for | {c['connections']} |",
        f"| sockets open (first message received) | {r['opened']} |",
        f"| failed to open | {r['failed_to_open']} |",
        f"| closed by the server before the notification | {r['closed_before_delivery']} |",
        f"| time to open them all | {r['opening_seconds']} s |",
        f"| handshake + first message p50 / p95 | {r['handshake_p50_ms']} / "
        f"{r['handshake_p95_ms']} ms |",
        f"| server RSS before / after ({r['server_processes']} processes) | "
        f"{r['server_rss_before_mib']} / {r['server_rss_after_mib']} MiB |",
        f"| **server memory per connection** | **{r['memory_per_connection_kib']} KiB** |",
        f"| Redis memory per connection (group membership, session) | "
        f"{r['redis_rss_growth_per_connection_kib']} KiB |",
        f"| CPU ms per socket opened (server / PostgreSQL / Redis) | "
        f"{_cpu(r['cpu_ms_per_connection_opened'])} |",
        f"| CPU ms per notification, from the send to the last delivery (server / PostgreSQL "
        f"/ Redis; PostgreSQL includes writing the copies) | "
        f"{_cpu(r['cpu_ms_per_notification_delivered'])} |",
        f"| announcement copies written before the group message | {r['announcement_reached']} "
        f"in {r['copies_written_seconds']} s |",
        f"| group_send to the course group | {r['group_send_ms']} ms |",
        f"| notifications delivered | {r['delivered']} of {r['opened']} "
        f"({r['delivered_share']:.2%}) |",
        f"| **live delivery p50 / p95 / max** (from the group message) | **{r['live_p50_s']} / "
        f"{r['live_p95_s']} / {r['live_max_s']} s** |",
        f"| end to end p50 / p95 / max (from the instructor's send) | {r['end_to_end_p50_s']} / "
        f"{r['end_to_end_p95_s']} / {r['end_to_end_max_s']} s |",
        f"| target: every socket within 2 s of the group message | {verdict} |",
        "",
        f"Errors: {r['errors'] or 'none'}.",
        "",
    ]
    if report.get("notes"):
        lines += ["## Notes", "", *report["notes"], ""]
    lines += [
        "Reproduce: `.venv/bin/python benchmarks/websockets_fanout.py` (see benchmarks/README.md).",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_setup":
        setup_data(int(sys.argv[2]), sys.argv[3])
        return
    if len(sys.argv) > 1 and sys.argv[1] == "_broadcast":
        broadcast(int(sys.argv[2]), int(sys.argv[3]))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "_client":
        raise_open_files()
        port, sessions_file, concurrency, compression, result_file = sys.argv[2:7]
        sessions = Path(sessions_file).read_text().split()
        asyncio.run(client_main(int(port), sessions, int(concurrency), compression, result_file))
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--connections", type=int, default=10_000, help="sockets to open")
    parser.add_argument("--workers", type=int, default=2, help="app server worker processes")
    parser.add_argument("--clients", type=int, default=2, help="client processes")
    parser.add_argument("--handshake-concurrency", type=int, default=100, help="per client")
    parser.add_argument("--compression", choices=["deflate", "none"], default="deflate")
    parser.add_argument("--delivery-timeout", type=float, default=300, help="seconds to wait")
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/lumen_bench_ws"
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/8")
    parser.add_argument("--note", action="append", default=[], help="a line for the notes")
    parser.add_argument("--output", default=str(REPORTS / "websockets-latest"), help="path stem")
    args = parser.parse_args()

    report = run(args)
    report["notes"] = args.note
    stem = Path(args.output)
    stem.with_suffix(".json").write_text(json.dumps(report, indent=2) + "\n")
    stem.with_suffix(".md").write_text(markdown(report))
    stamp = report["started_at"].replace(":", "")
    (TMP / f"websockets-{stamp}.json").write_text(json.dumps(report, indent=2) + "\n")
    print(markdown(report))


if __name__ == "__main__":
    main()
