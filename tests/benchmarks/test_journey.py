"""The journey load's arithmetic and judgement (benchmarks/load/journey.py), and the shared
/proc helpers it counts CPU with (benchmarks/common.py). Nothing here is timed."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

from django.conf import settings

from benchmarks import common

spec = importlib.util.spec_from_file_location(
    "lumen_journey_benchmark", Path(settings.BASE_DIR) / "benchmarks" / "load" / "journey.py"
)
assert spec is not None
assert spec.loader is not None
journey = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = journey
spec.loader.exec_module(journey)


def _step(users: int, **figures: Any) -> dict[str, Any]:
    step = {
        "users": users,
        "requests": 31_000,
        "p95_ms": 60.0,
        "p99_ms": 120.0,
        "error_rate": 0.0,
        "cpu_ms_per_request": {"server": 2.0},
    }
    step.update(figures)
    return step


def test_the_run_time_leaves_room_for_the_asked_requests_after_the_ramp_up() -> None:
    # 1,000 users at 50/s: 20 s of ramp-up; one request per 11.25 s each is 88.9/s, so 30,000
    # requests take 337.5 s, plus 10%.
    assert journey.run_time_for(1000, 50, 30_000) == 392
    # 10,000 users make 30,000 requests in 34 s: the steady phase is still at least a minute.
    assert journey.run_time_for(10_000, 10_000 / 60, 30_000) == 120


def test_cpu_per_request_counts_the_server_side_and_the_load_generator_apart() -> None:
    before = {"app": 10.0, "postgres": 5.0, "redis": 1.0, "load_generator": 3.0, "machine": 100.0}
    after = {"app": 40.0, "postgres": 15.0, "redis": 3.0, "load_generator": 9.0, "machine": 190.0}

    used = journey.steady_cpu(before, after, 20_000)

    assert used == {
        "app": 1.5,
        "postgres": 0.5,
        "redis": 0.1,
        "load_generator": 0.3,
        "machine": 4.5,
        "server": 2.1,
    }


def test_two_cores_at_four_ms_a_request_serve_5625_thinking_users() -> None:
    # 2,000 CPU ms/s / 4 ms = 500 requests/s; a user asks once per 11.25 s.
    assert journey.users_on_budget(4.0, 1 / 11.25) == 5625
    assert journey.users_on_budget(0.0, 1 / 11.25) == 0


def test_each_target_is_judged_on_its_own_figure() -> None:
    verdict = journey.judge(_step(3000, p99_ms=250.0, cpu_ms_per_request={"server": 4.1}))

    assert verdict == {
        "p95": True,
        "p99": False,
        "errors": True,
        "requests": True,
        "cpu": False,
        "users": False,
    }
    assert journey.judge(_step(10_000, error_rate=0.001, requests=29_999))["errors"] is False
    assert journey.judge(_step(10_000, requests=29_999))["requests"] is False


def test_the_largest_holding_count_stops_at_the_first_step_that_missed() -> None:
    steps = [
        _step(1500),
        _step(1000),
        _step(2250, p95_ms=140.0),
        _step(3375),  # a lucky step above one that missed does not count
    ]

    assert journey.largest_holding(steps) == 1500
    assert journey.largest_holding([_step(1000, error_rate=0.01)]) is None
    assert (
        journey.largest_holding([_step(1000, p95_ms=900.0), _step(666, p95_ms=150.0), _step(444)])
        == 444
    )


def test_find_max_climbs_while_steps_hold_and_descends_while_they_miss() -> None:
    assert journey.next_users([_step(1000)], 1.5, 50, 10_000) == 1500
    assert journey.next_users([_step(1000), _step(1500), _step(9000)], 1.5, 50, 10_000) == 10_000
    assert journey.next_users([_step(1000, p95_ms=400.0)], 1.5, 50, 10_000) == 666
    assert journey.next_users([_step(60, p95_ms=400.0)], 1.5, 50, 10_000) == 50
    # Done: one held right below one that missed, or a bound was reached.
    assert journey.next_users([_step(1000), _step(1500, p95_ms=101.0)], 1.5, 50, 10_000) == 0
    assert journey.next_users([_step(1000, p95_ms=400.0), _step(666)], 1.5, 50, 10_000) == 0
    assert journey.next_users([_step(10_000)], 1.5, 50, 10_000) == 0
    assert journey.next_users([_step(50, error_rate=0.5)], 1.5, 50, 10_000) == 0


def test_locust_stats_rows_give_the_totals_and_the_error_rate() -> None:
    def row(name: str, count: int, failures: int, p95: str) -> dict[str, str]:
        return {
            "Type": "GET" if name != "Aggregated" else "",
            "Name": name,
            "Request Count": str(count),
            "Failure Count": str(failures),
            "Requests/s": "12.34",
            "50%": "20",
            "95%": p95,
            "99%": "300",
            "Max Response Time": "900.5",
        }

    stats = journey.parse_stats(
        [
            row("catalog", 900, 0, "80"),
            row("dashboard", 1100, 2, "120"),
            row("Aggregated", 2000, 2, "110"),
        ]
    )

    assert stats["total"]["requests"] == 2000
    assert stats["total"]["error_rate"] == 0.001
    assert stats["total"]["p95_ms"] == 110.0
    assert [endpoint["name"] for endpoint in stats["endpoints"]] == ["dashboard", "catalog"]


def test_only_the_benchmark_databases_backends_are_named() -> None:
    title = "postgres: 15/main: postgres lumen_bench_journey 127.0.0.1(50128) idle in transaction"

    assert common.postgres_title_database(title) == "lumen_bench_journey"
    assert common.postgres_title_database("postgres: 15/main: checkpointer") == ""
    assert common.postgres_title_database("postgres: 15/main: logical replication launcher") == ""


def test_a_process_tree_holds_the_root_and_every_descendant_only() -> None:
    parents = {1: 0, 10: 1, 11: 10, 12: 11, 20: 1, 21: 20}

    assert common.descendants(10, parents) == {10, 11, 12}


def test_the_costliest_request_kinds_come_first_weighted_by_their_share_of_requests() -> None:
    endpoints = [
        {"name": "lesson page", "requests": 600},
        {"name": "catalog", "requests": 300},
        {"name": "Q&A list", "requests": 100},
        {"name": "quiz submit", "requests": 5},  # not probed: left out
    ]
    costs = {
        "lesson page": {"server": 5.0},
        "catalog": {"server": 20.0},
        "Q&A list": {"server": 90.0},
    }

    rows = journey.cost_shares(endpoints, costs)

    assert [row["name"] for row in rows] == ["Q&A list", "catalog", "lesson page"]
    # Of 1,005 requests: Q&A 0.0995 x 90 = 8.955 ms, catalog 5.970, lesson page 2.985.
    assert [row["weighted_ms"] for row in rows] == [8.955, 5.97, 2.985]
    assert [row["cpu_share"] for row in rows] == [0.5, 0.3333, 0.1667]


def test_a_request_kind_without_requests_since_the_reset_reads_as_zero() -> None:
    row = {
        "Type": "GET",
        "Name": "anon home",
        "Request Count": "0",
        "Failure Count": "0",
        "Requests/s": "0.0",
        "50%": "N/A",
        "95%": "N/A",
        "99%": "N/A",
        "Max Response Time": "0",
    }

    stats = journey.parse_stats([row])

    assert stats["endpoints"][0]["p95_ms"] == 0.0
    assert stats["total"]["error_rate"] == 1.0  # no aggregated row: nothing measured
