"""Quests as catalog serves them, for the tests of every service: by default the reference quest
that catalog seeds (its name, rules and reward), under a fresh id."""

from __future__ import annotations

import uuid
from typing import Any

REFERENCE_QUEST = "sign-in-three-times"
REFERENCE_REWARD = "ten-diamonds"


def catalog_quest(
    *, reward_item: str = "diamond", reward_qty: int = 10, **fields: Any
) -> dict[str, Any]:
    """A catalog quest read (its reward embedded): the reference quest, with `fields` (and the
    reward's item and quantity) in place of its own."""
    quest: dict[str, Any] = {
        "quest_id": str(uuid.uuid4()),
        "name": REFERENCE_QUEST,
        "title": "Sign in three times",
        "description": "",
        "trigger": "sign_in",
        "streak": 3,
        "duplication": 2,
        "auto_claim": False,
        "streak_mode": "count",
        "reward_id": str(uuid.uuid4()),
        "is_active": True,
        "starts_at": None,
        "ends_at": None,
        "reward": {
            "reward_name": REFERENCE_REWARD,
            "reward_item": reward_item,
            "reward_qty": reward_qty,
        },
    }
    quest.update(fields)
    return quest
