"""Progress read models: what a player's quest list shows (built without I/O)."""

from __future__ import annotations

from typing import Any

from processing_service.progress import rules
from processing_service.api.schemas import QuestProgressPublic
from processing_service.progress.rules import ProgressState, QuestRule


def progress_item(quest: dict[str, Any], state: ProgressState) -> QuestProgressPublic:
    rule = QuestRule.from_catalog(quest)
    return QuestProgressPublic(
        quest=quest,
        streak=state.streak,
        target=rule.streak,
        completed=state.completed,
        duplication=rule.duplication,
        claimed=state.claimed,
        claimable=state.claimable,
        status=rules.status(rule, state),
    )
