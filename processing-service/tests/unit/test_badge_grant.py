"""A badge reward's grant names the badge (its reward's name), and only a badge reward's does."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from processing_service.grants.service import GrantData, grant_row
from processing_service.progress.rules import QuestRule


def _quest(item: str) -> QuestRule:
    return QuestRule.from_catalog(
        {
            "quest_id": str(uuid.uuid4()),
            "name": "first-steps",
            "title": "First steps",
            "streak": 1,
            "duplication": 1,
            "reward": {"reward_name": "pioneer", "reward_item": item, "reward_qty": 1},
        }
    )


def test_a_badge_grant_carries_the_badge_name_to_the_credit() -> None:
    now = datetime.now(UTC)
    row = grant_row(user_id=uuid.uuid4(), quest=_quest("badge"), reason="quest_claim", now=now)
    assert (row["item"], row["qty"], row["badge"]) == ("badge", 1, "pioneer")
    assert GrantData.of(type("Row", (), row)).badge == "pioneer"


def test_other_grants_carry_no_badge() -> None:
    now = datetime.now(UTC)
    for item in ("diamond", "gold", "xp"):
        row = grant_row(user_id=uuid.uuid4(), quest=_quest(item), reason="quest_claim", now=now)
        assert row["badge"] is None
