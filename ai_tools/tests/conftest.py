"""Fixtures for the AI tools tests: the fake DeepSeek server and settings pointing at it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from ai_tools.tests.fake_deepseek import VALID_KEY, FakeDeepSeek
from courses import entitlements


@pytest.fixture(autouse=True)
def _default_entitlements() -> Iterator[None]:
    entitlements.reset_provider()
    yield
    entitlements.reset_provider()


@pytest.fixture
def fake_deepseek() -> Iterator[FakeDeepSeek]:
    server = FakeDeepSeek().start()
    yield server
    server.stop()


@pytest.fixture
def deepseek_settings(settings: Any, fake_deepseek: FakeDeepSeek) -> FakeDeepSeek:
    """Route the app to the fake server, with no waiting between retries."""
    settings.DEEPSEEK_API_KEY = VALID_KEY
    settings.DEEPSEEK_BASE_URL = fake_deepseek.base_url
    settings.DEEPSEEK_MODEL = "deepseek-chat"
    settings.DEEPSEEK_BACKOFF_SECONDS = 0
    settings.DEEPSEEK_TIMEOUT_SECONDS = 5.0
    settings.AI_PROVIDER = "auto"
    return fake_deepseek
