"""The SSE payloads of a check-in and a completion, built from a quest and a state; no I/O."""

from __future__ import annotations

from typing import Any

from processing_service.notifications.payloads import CheckInNotice, QuestCompletedNotice, data
from processing_service.progress import rules
from processing_service.progress.rules import ProgressState, QuestRule


def check_in(rule: QuestRule, state: ProgressState, verdict: rules.Verdict) -> dict[str, Any]:
    """The check-in of an event that moved the quest (the model refuses any other verdict)."""
    return data(
        CheckInNotice.model_validate(
            {
                "quest_id": str(rule.quest_id),
                "quest_name": rule.name,
                "title": rule.title,
                "event_type": rule.event_type,
                "completed": state.completed,
                "duplication": rule.duplication,
                "streak": state.streak,
                "target": rule.streak,
                "status": rules.status(rule, state),
                "claimable": state.claimable,
                "verdict": verdict,
            }
        )
    )


def quest_completed(rule: QuestRule, state: ProgressState) -> dict[str, Any]:
    return data(
        QuestCompletedNotice.model_validate(
            {
                "quest_id": str(rule.quest_id),
                "quest_name": rule.name,
                "title": rule.title,
                "completed": state.completed,
                "duplication": rule.duplication,
                "reward_item": rule.reward_item,
                "reward_qty": rule.reward_qty,
                "auto_claim": rule.auto_claim,
            }
        )
    )
