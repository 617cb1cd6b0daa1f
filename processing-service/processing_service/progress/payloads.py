"""The SSE payloads of a check-in and a completion, built from a quest and a state; no I/O."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from processing_service.notifications.payloads import CheckInNotice, QuestCompletedNotice, data
from processing_service.progress import rules
from processing_service.progress.rules import ProgressState, QuestRule
from quest_common.db import utcnow


def check_in(
    rule: QuestRule,
    state: ProgressState,
    verdict: rules.Verdict,
    *,
    zone: str = rules.DEFAULT_ZONE,
    now: datetime | None = None,
    incidents: Sequence[rules.IncidentWindow] = (),
) -> dict[str, Any]:
    """The check-in of an event that moved the quest (the model refuses any other verdict),
    with the player's time at `now` in `zone` (the quest list's fields of the same names)."""
    now = now or utcnow()
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
                "time_zone": zone,
                "counted_today": state.last_day is not None
                and state.last_day == rules.local_date(now, zone),
                "next_count_at": rules.next_count_at(rule, state, now=now, zone=zone),
                "grace_left": rules.grace_left(
                    rule, state, now=now, zone=zone, incidents=incidents
                ),
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
