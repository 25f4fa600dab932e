"""Celery adapters for the AI tools: load by id and call the service.

The DeepSeek client already retried transient errors with backoff before the service stored the
failure, so these tasks do not retry again; the learner can ask once more from the page.
"""

from __future__ import annotations

from celery import shared_task

from ai_tools import services


@shared_task(name="ai_tools.summary_generate")
def summary_generate_task(summary_id: int) -> str:
    return services.summary_generate(summary_id=summary_id).status


@shared_task(name="ai_tools.practice_set_generate")
def practice_set_generate_task(practice_set_id: int) -> str:
    return services.practice_set_generate(practice_set_id=practice_set_id).status
