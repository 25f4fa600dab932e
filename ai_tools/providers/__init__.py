"""Provider selection: DeepSeek when `DEEPSEEK_API_KEY` is set, the offline provider otherwise."""

from __future__ import annotations

from django.conf import settings

from ai_tools.providers.base import Provider
from ai_tools.providers.local import LocalProvider


def provider_get() -> Provider:
    """The configured provider; `AI_PROVIDER=local` forces the offline one even with a key."""
    if settings.AI_PROVIDER != "local" and settings.DEEPSEEK_API_KEY:
        from ai_tools.providers.deepseek import DeepSeekProvider

        return DeepSeekProvider()
    return LocalProvider()
