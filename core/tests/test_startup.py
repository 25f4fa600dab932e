"""App server start-up (core.startup): the entry points load every view before serving and
freeze what they loaded out of the cyclic garbage collector's way."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.startup import warm_and_freeze

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import gc, sys; import {module}; "
    "print(gc.get_freeze_count(), 'courses.views' in sys.modules, 'qa.api.views' in sys.modules)"
)


@pytest.mark.parametrize("module", ["lms.asgi", "lms.wsgi"])
def test_each_entry_point_loads_the_views_and_freezes_them(module: str) -> None:
    env = {**os.environ, "DJANGO_ENV": "test", "DJANGO_SETTINGS_MODULE": "lms.settings"}
    env.pop("GC_FREEZE", None)
    probe = subprocess.run(
        [sys.executable, "-c", PROBE.format(module=module)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )

    frozen, views_loaded, api_loaded = probe.stdout.split()
    # Django, the apps and every view: far more than the interpreter's own start-up.
    assert int(frozen) > 100_000
    assert views_loaded == api_loaded == "True"


def test_freezing_can_be_turned_off(settings) -> None:
    gc.unfreeze()  # this test process may have imported an entry point already
    settings.GC_FREEZE = False
    assert warm_and_freeze() is False
    assert gc.get_freeze_count() == 0

    settings.GC_FREEZE = True
    try:
        assert warm_and_freeze() is True
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
