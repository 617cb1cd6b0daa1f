"""The read side of quests for other domains: which quests use an event type, and the graph
of prerequisites. Other domains read quests here, never from the table directly."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from catalog_service.quests.models import Quest


@dataclass(frozen=True, slots=True)
class QuestOnType:
    name: str
    values: dict[str, Any]  # the fields `quests.rules.event_problem` reads


def active_quests_of_type(session: Session, event_type: str) -> list[QuestOnType]:
    rows = session.exec(
        select(Quest)
        .where(col(Quest.event_type) == event_type, col(Quest.is_active).is_(True))
        .order_by(col(Quest.name))
    ).all()
    return [
        QuestOnType(
            name=q.name,
            values={
                "event_type": q.event_type,
                "where": q.where,
                "measure": q.measure,
                "measure_property": q.measure_property,
                "streak_mode": q.streak_mode,
            },
        )
        for q in rows
    ]


def prerequisite_graph(session: Session, *, without: str | None = None) -> dict[str, list[str]]:
    """Every quest's name → the names it requires (active or not: a player's completions of an
    inactive quest still unlock what requires it), leaving out the quest named `without`."""
    rows = session.exec(select(Quest.name, Quest.requires)).all()
    return {name: list(requires or []) for name, requires in rows if name != without}
