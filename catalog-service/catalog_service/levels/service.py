"""Level curve use cases: read it, replace it. The migration stores the default curve."""

from __future__ import annotations

import uuid

from sqlmodel import Session

from catalog_service.core.audit_trail import record_write
from catalog_service.core.changes import Change, record_change
from catalog_service.core.uow import UnitOfWork
from catalog_service.levels.models import LevelCurve, LevelsPublic, LevelsUpdate
from quest_common import audit
from quest_common.db import utcnow
from quest_common.progression import DEFAULT_LEVEL_THRESHOLDS

# The audit entry's target: the one curve there is.
CURVE_ID = uuid.UUID("00000000-0000-0000-0000-00000000c0e7")


def _public(curve: LevelCurve | None) -> LevelsPublic:
    # None only in a database whose row was removed by hand: the default is what applies then.
    if curve is None:
        thresholds = list(DEFAULT_LEVEL_THRESHOLDS)
        return LevelsPublic(thresholds=thresholds, levels=len(thresholds), updated_at=None)
    thresholds = list(curve.thresholds)
    return LevelsPublic(thresholds=thresholds, levels=len(thresholds), updated_at=curve.updated_at)


def get_levels(*, session: Session) -> LevelsPublic:
    return _public(session.get(LevelCurve, 1))


def put_levels(*, uow: UnitOfWork, data: LevelsUpdate, actor: audit.Actor) -> LevelsPublic:
    with uow:
        session = uow.session
        # FOR UPDATE: two admins replacing the curve at once each audit the one they replaced.
        curve = session.get(LevelCurve, 1, with_for_update=True)
        before = {"thresholds": list(curve.thresholds)} if curve is not None else None
        if curve is not None and list(curve.thresholds) == data.thresholds:
            return _public(curve)  # the same curve again writes nothing
        if curve is None:
            curve = LevelCurve(id=1, thresholds=data.thresholds)
        else:
            curve.thresholds = list(data.thresholds)
            curve.updated_at = utcnow()
        session.add(curve)
        session.flush()
        # No QuestChanged: quests do not depend on the curve. The version bump still refreshes
        # every replica's cached GET /levels (and its ETag), which is what auth revalidates.
        record_change(
            session=session,
            change=Change.updated if before else Change.created,
            publish=False,
        )
        record_write(
            session,
            actor=actor,
            action="levels.update",
            target_type="levels",
            target_id=CURVE_ID,
            before=before,
            after=curve,
        )
        public = _public(curve)
        uow.commit()
        return public
