"""Score the AI providers on the labelled evaluation set and print a Markdown table."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test import override_settings

from ai_tools.evaluation.scoring import evaluate, table
from ai_tools.exceptions import AIProviderError
from ai_tools.providers.base import Provider
from ai_tools.providers.local import LocalProvider
from core import semantic


class Command(BaseCommand):
    help = "Score the offline provider (and DeepSeek with --deepseek) on the evaluation set."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--deepseek",
            action="store_true",
            help="Also score DeepSeek (needs DEEPSEEK_API_KEY; uses the quota of that key).",
        )
        parser.add_argument(
            "--min-correct",
            type=float,
            default=None,
            help="Fail (exit 1) when the local provider's question correctness is below this.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        providers: list[Provider] = [LocalProvider()]
        if options["deepseek"]:
            if not settings.DEEPSEEK_API_KEY:
                raise CommandError("Set DEEPSEEK_API_KEY to score DeepSeek.")
            from ai_tools.providers.deepseek import DeepSeekProvider

            providers.append(DeepSeekProvider())
        with override_settings(AI_SEMANTIC_SEARCH=False):
            rows = [evaluate(providers[0], label="local")]
        if semantic.is_available():
            rows.append(evaluate(providers[0], label="local + semantic"))
        for provider in providers[1:]:
            try:
                rows.append(evaluate(provider))
            except AIProviderError as error:
                raise CommandError(f"Scoring {provider.name} failed: {error.message}") from error
        self.stdout.write(table(rows))
        minimum = options["min_correct"]
        if minimum is not None and rows[0].correct < minimum:
            raise CommandError(
                f"Question correctness {rows[0].correct:.0%} is below {minimum:.0%}."
            )
