"""The evaluation command runs on the labelled set and prints its table."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from ai_tools.evaluation.scoring import rouge_1, rouge_l


def test_rouge_scores() -> None:
    assert rouge_1("the moon pulls", "the moon pulls") == 1.0
    assert rouge_1("sun", "moon") == 0.0
    assert rouge_l("a b c d", "a c d") == pytest.approx(2 * (3 / 4) * 1 / (3 / 4 + 1))


def test_the_evaluation_command_prints_the_local_providers_table() -> None:
    out = io.StringIO()

    call_command("ai_evaluate", "--min-correct", "0.9", stdout=out)

    lines = out.getvalue().strip().splitlines()
    assert lines[0].startswith("| provider | ROUGE-1 | ROUGE-L |")
    row = [cell.strip() for cell in lines[2].strip("|").split("|")]
    assert row[0] == "local"
    assert float(row[1]) > 0.4
    assert row[3:6] == ["100%", "100%", "100%"]


def test_scoring_deepseek_needs_a_key(settings) -> None:
    settings.DEEPSEEK_API_KEY = ""
    with pytest.raises(CommandError, match="Set DEEPSEEK_API_KEY"):
        call_command("ai_evaluate", "--deepseek", stdout=io.StringIO())
