"""The load benchmark's branch-against-main comparison (benchmarks/load/run.py --compare)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

from django.conf import settings

spec = importlib.util.spec_from_file_location(
    "lumen_load_benchmark", Path(settings.BASE_DIR) / "benchmarks" / "load" / "run.py"
)
assert spec is not None
assert spec.loader is not None
run = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = run  # (its dataclasses look their module up there)
spec.loader.exec_module(run)


def _report(**shares: float | str) -> dict[str, Any]:
    rows = []
    for name, share in shares.items():
        if isinstance(share, str):
            rows.append({"name": name, "status": share, "share_of_bare": None})
        else:
            rows.append({"name": name, "status": "ok", "share_of_bare": share})
    return {"results": rows}


def test_a_drop_of_more_than_four_points_of_the_bare_view_is_flagged() -> None:
    main = _report(catalog=0.62, course=0.30, dashboard=0.25, enroll=0.12)
    branch = _report(catalog=0.57, course=0.27, dashboard=0.26, enroll=0.12)

    assert run.compare(main, branch) == ["catalog: 57% of B, down from 62% (5.0% of B)"]


def test_an_endpoint_that_stopped_answering_is_flagged_and_a_new_one_is_not() -> None:
    main = _report(catalog=0.62, leaderboard=0.45)
    branch = _report(
        catalog=0.61, leaderboard="skipped: GET /leaderboard/ answered 500", lesson=0.2
    )

    assert run.compare(main, branch) == [
        "leaderboard: skipped: GET /leaderboard/ answered 500 (was 45% of B)"
    ]


def test_exactly_four_points_is_within_the_limit() -> None:
    assert run.compare(_report(catalog=0.50), _report(catalog=0.46)) == []
