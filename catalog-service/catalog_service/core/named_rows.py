"""The writes quests, rewards and offers share: rows with an id, a unique slug name and
`updated_at`, created, changed and upserted by name inside the caller's unit-of-work transaction,
each write with its audit entry (and, for what processing reads, its catalog change)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from catalog_service.core.audit_trail import record_created, record_updated, record_write
from catalog_service.core.db import row_values
from catalog_service.core.errors import ConflictError
from catalog_service.core.models import CatalogRow
from catalog_service.core.writes import changed_fields, plain
from quest_common import audit
from quest_common.db import utcnow

Row = TypeVar("Row", bound=CatalogRow)
Values = dict[str, Any]


def no_rules(_values: Values) -> None:
    """For rows whose fields cannot contradict each other."""


@dataclass(frozen=True, slots=True)
class NamedRows(Generic[Row]):
    model: type[Row]
    # "quest", "reward": the audit target ("<kind>.create"), the id column `<kind>_id` and the
    # wording of a name conflict.
    kind: str
    name_field: str
    # The rules on a row's complete values that span fields; raises `InvalidError`.
    check: Callable[[Values], None] = no_rules
    # Whether a write is a catalog change (version bump, `QuestChanged`) or only audited:
    # offers are read uncached (their stock moves with every redemption) and no quest uses them.
    announce: bool = True

    def _column(self, field: str) -> Any:
        return col(getattr(self.model, field))

    def _id(self, row: Row) -> uuid.UUID:
        row_id: uuid.UUID = getattr(row, f"{self.kind}_id")
        return row_id

    def conflict(self, name: str) -> ConflictError:
        return ConflictError(f"A {self.kind} named {name!r} already exists")

    def check_name_free(
        self, session: Session, name: str, *, other_than: uuid.UUID | None = None
    ) -> None:
        id_column = self._column(f"{self.kind}_id")
        query = select(id_column).where(self._column(self.name_field) == name)
        if other_than is not None:
            query = query.where(id_column != other_than)
        if session.exec(query).first() is not None:
            raise self.conflict(name)

    def flush_unique(self, session: Session, name: str) -> None:
        # The explicit check gives the clear message; this catches two writers racing.
        try:
            session.flush()
        except IntegrityError as exc:
            raise self.conflict(name) from exc

    def _record(
        self, session: Session, row: Row, *, verb: str, actor: audit.Actor, before: Values | None
    ) -> None:
        action = f"{self.kind}.{verb}"
        if not self.announce:
            record_write(
                session,
                actor=actor,
                action=action,
                target_type=self.kind,
                target_id=self._id(row),
                before=before,
                after=row,
            )
        elif before is None:
            record_created(session, row, action=action, actor=actor)
        else:
            record_updated(session, row, action=action, actor=actor, before=before)

    def create(self, session: Session, values: Values, *, actor: audit.Actor) -> Row:
        """POST: a new row from `values` (whose rules the caller checked first), refused when
        its name is taken."""
        name = values[self.name_field]
        self.check_name_free(session, name)
        row = self.model(**{k: plain(v) for k, v in values.items()})
        session.add(row)
        self.flush_unique(session, name)
        self._record(session, row, verb="create", actor=actor, before=None)
        return row

    def update(self, session: Session, row: Row, incoming: Values, *, actor: audit.Actor) -> None:
        """PATCH: set the fields of `incoming` that differ, refused when the new name is taken;
        an identical PATCH writes and records nothing."""
        before = row_values(row)
        name = incoming.get(self.name_field)
        if name is not None:
            self.check_name_free(session, name, other_than=self._id(row))
        if self._apply(row, incoming):
            session.add(row)
            self.flush_unique(session, getattr(row, self.name_field))
            self._record(session, row, verb="update", actor=actor, before=before)

    def upsert(
        self, session: Session, name: str, values: Values, *, actor: audit.Actor
    ) -> tuple[Row, bool]:
        """PUT by name: create the row or set the fields that differ; returns (row, created).
        Two writers creating one name at once: the loser's flush raises `IntegrityError`, for
        `once_more_after_a_race` to run it again (it then finds the row)."""
        row = session.exec(
            select(self.model).where(self._column(self.name_field) == name).with_for_update()
        ).first()
        if row is None:
            self.check(values)
            row = self.model(**{self.name_field: name, **{k: plain(v) for k, v in values.items()}})
            session.add(row)
            session.flush()
            self._record(session, row, verb="create", actor=actor, before=None)
            return row, True
        before = row_values(row)
        if self._apply(row, values):
            session.add(row)
            self._record(session, row, verb="update", actor=actor, before=before)
        return row, False

    def _apply(self, row: Row, incoming: Values) -> bool:
        """Set the fields that differ, with the rules checked on the merged result; returns
        whether anything changed."""
        current = row_values(row)
        changes = changed_fields(current, incoming)
        self.check({**current, **changes})
        for field, value in changes.items():
            setattr(row, field, value)
        if changes:
            row.updated_at = utcnow()
        return bool(changes)
