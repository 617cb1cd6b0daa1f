"""Shop use cases: offers (admin writes, public reads) and the redemption saga.

A redemption is a saga like processing's grants:

1. reserve — one catalog transaction takes a unit of stock and records a pending redemption,
   with the offer row locked, so parallel redemptions see each other's stock and per-player
   counts and none oversells;
2. debit — auth's `/internal/wallet/debits` with the redemption id as the idempotency key, so a
   debit retried after a lost answer lands once;
3. settle — done with a code when auth debited, released (the unit goes back to the stock) when
   auth refused for good, still pending when auth gave no answer; the settlement job tries again.

Steps 2 and 3 run with the redemption row locked, by the request or by the job, never both at
once: a debit is only ever attempted for a redemption that is pending at that moment, and its
outcome is recorded under the same lock.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from catalog_service.core.audit_trail import record_write
from catalog_service.core.db import row_values
from catalog_service.core.errors import ConflictError, InvalidError, NotFoundError
from catalog_service.core.named_rows import NamedRows
from catalog_service.core.uow import UnitOfWork, once_more_after_a_race
from catalog_service.core.writes import window_error
from catalog_service.shop import rules
from catalog_service.shop.models import (
    Offer,
    OfferCreate,
    OfferPublic,
    OffersPublic,
    OfferUpdate,
    OfferUpsert,
    Redemption,
    RedemptionAdmin,
    RedemptionPublic,
    RedemptionsAdmin,
    RedemptionsPublic,
    RedemptionStatus,
)
from catalog_service.shop.wallet import Debit, Debited, NoAnswer, Outcome, Wallet
from quest_common import audit
from quest_common.db import utcnow

log = logging.getLogger(__name__)

UowFactory = Callable[[], UnitOfWork]
# A new redemption is settled by its own request first; the job picks it up only after this,
# when that request has died or auth did not answer it.
FIRST_RETRY_AFTER = timedelta(seconds=5)
HELD = (RedemptionStatus.pending.value, RedemptionStatus.done.value)


# --- offers ----------------------------------------------------------------------------------


def _check_offer(values: dict[str, Any]) -> None:
    error = window_error(values.get("starts_at"), values.get("ends_at"))
    if error is not None:
        raise InvalidError("ends_at", error)


OFFERS = NamedRows(Offer, kind="offer", name_field="name", check=_check_offer, announce=False)


def list_offers(*, session: Session, active: bool | None, limit: int, offset: int) -> OffersPublic:
    query = select(Offer)
    counted = select(func.count()).select_from(Offer)
    if active is not None:
        query = query.where(col(Offer.is_active) == active)
        counted = counted.where(col(Offer.is_active) == active)
    rows = session.exec(
        query.order_by(col(Offer.created_at), col(Offer.offer_id)).offset(offset).limit(limit)
    ).all()
    return OffersPublic(
        data=[OfferPublic.model_validate(row) for row in rows], count=session.exec(counted).one()
    )


def get_offer(*, session: Session, offer_id: uuid.UUID) -> Offer:
    offer = session.get(Offer, offer_id)
    if offer is None:
        raise NotFoundError("Offer not found")
    return offer


def create_offer(*, uow: UnitOfWork, data: OfferCreate, actor: audit.Actor) -> Offer:
    with uow:
        offer = OFFERS.create(uow.session, data.model_dump(), actor=actor)
        uow.commit()
        return offer


def _locked_offer(session: Session, offer_id: uuid.UUID) -> Offer:
    """The offer, locked as a redemption locks it; `NotFoundError` when there is none."""
    offer = session.exec(
        select(Offer).where(col(Offer.offer_id) == offer_id).with_for_update()
    ).first()
    if offer is None:
        raise NotFoundError("Offer not found")
    return offer


def update_offer(
    *, uow: UnitOfWork, offer_id: uuid.UUID, data: OfferUpdate, actor: audit.Actor
) -> Offer:
    with uow:
        session = uow.session
        offer = _locked_offer(session, offer_id)
        OFFERS.update(session, offer, data.model_dump(exclude_unset=True), actor=actor)
        uow.commit()
        return offer


def upsert_offer(
    *, uow: UnitOfWork, name: str, data: OfferUpsert, actor: audit.Actor
) -> tuple[Offer, bool]:
    def attempt() -> tuple[Offer, bool]:
        with uow:
            result = OFFERS.upsert(uow.session, name, data.model_dump(), actor=actor)
            uow.commit()
            return result

    return once_more_after_a_race(attempt)


def delete_offer(*, uow: UnitOfWork, offer_id: uuid.UUID, actor: audit.Actor) -> None:
    """409 while a redemption of it is pending: its debit may still land, and a refusal must
    find the offer to give the unit back. Finished redemptions keep their copy of the offer."""
    with uow:
        session = uow.session
        # Locked first, as a redemption locks it: no new reservation slips in meanwhile.
        offer = _locked_offer(session, offer_id)
        pending = session.exec(
            select(func.count())
            .select_from(Redemption)
            .where(
                col(Redemption.offer_id) == offer_id,
                col(Redemption.status) == RedemptionStatus.pending.value,
            )
        ).one()
        if pending:
            raise ConflictError(
                f"Offer has {pending} pending redemption(s); delete it once they are settled"
            )
        before = row_values(offer)
        session.delete(offer)
        session.flush()
        record_write(
            session,
            actor=actor,
            action="offer.delete",
            target_type="offer",
            target_id=offer_id,
            before=before,
            after=None,
        )
        uow.commit()


# --- redemptions -----------------------------------------------------------------------------


def _by_key(session: Session, *, user_id: uuid.UUID, key: str) -> Redemption | None:
    return session.exec(
        select(Redemption).where(
            col(Redemption.user_id) == user_id, col(Redemption.idempotency_key) == key
        )
    ).first()


def _same_request(row: Redemption, offer_id: uuid.UUID) -> Redemption:
    """A key already used: the same offer gets the same redemption, another one is refused."""
    if row.offer_id != offer_id:
        raise InvalidError(
            "Idempotency-Key", "this Idempotency-Key was already used for another offer"
        )
    if row.status == RedemptionStatus.released:
        raise ConflictError(row.refusal or "redemption refused")
    return row


def reserve(
    *, uow: UnitOfWork, user_id: uuid.UUID, offer_id: uuid.UUID, key: str, now: datetime
) -> Redemption:
    """Step 1: the player's existing redemption for this key, or a unit of stock taken and a
    pending redemption recorded, in one transaction. Refusals raise (409, 404, 422)."""

    def attempt() -> Redemption:
        with uow:
            session = uow.session
            existing = _by_key(session, user_id=user_id, key=key)
            if existing is not None:
                return _same_request(existing, offer_id)
            # The offer row lock orders every redemption of this offer: each one sees the stock
            # and the player's count as the previous one committed them.
            offer = _locked_offer(session, offer_id)
            # Again under the lock: a parallel request with this key may have committed while
            # we waited for it.
            existing = _by_key(session, user_id=user_id, key=key)
            if existing is not None:
                return _same_request(existing, offer_id)
            held = session.exec(
                select(func.count())
                .select_from(Redemption)
                .where(
                    col(Redemption.offer_id) == offer_id,
                    col(Redemption.user_id) == user_id,
                    col(Redemption.status).in_(HELD),
                )
            ).one()
            state = rules.OfferState(
                is_active=offer.is_active,
                starts_at=offer.starts_at,
                ends_at=offer.ends_at,
                stock=offer.stock,
                per_player_limit=offer.per_player_limit,
            )
            refused = rules.refusal(state, now=now, held_by_player=held)
            if refused is not None:
                raise ConflictError(refused)
            if offer.stock is not None:
                offer.stock -= 1
                session.add(offer)
            redemption = Redemption(
                user_id=user_id,
                idempotency_key=key,
                offer_id=offer.offer_id,
                offer_name=offer.name,
                offer_title=offer.title,
                price_item=offer.price_item,
                price_qty=offer.price_qty,
                created_at=now,
                next_attempt_at=now + FIRST_RETRY_AFTER,
            )
            session.add(redemption)
            session.flush()  # a parallel insert of this key fails here: attempt() runs again
            uow.commit()
            return redemption

    # A lost race on the unique (user, key) runs the transaction once more: it then finds the row.
    return once_more_after_a_race(attempt)


def _refusal_detail(status: int, detail: str, item: str) -> str:
    """What the player is told of auth's refusal: the contract's words for a short balance ("not
    enough diamonds"), auth's own for the rest."""
    if status == 409 and detail.startswith("not enough"):
        return rules.not_enough(item)
    if status == 404:
        return "player not found"
    return detail


def _apply(
    session: Session, row: Redemption, outcome: Outcome, *, now: datetime, max_backoff_s: float
) -> None:
    """Step 3 on a locked, pending redemption."""
    if isinstance(outcome, Debited):
        row.status = RedemptionStatus.done
        row.code = rules.redemption_code()
        row.finished_at = now
        row.last_error = None
    elif isinstance(outcome, NoAnswer):
        row.attempts += 1
        row.last_error = outcome.error[:500]
        row.next_attempt_at = now + timedelta(
            seconds=rules.retry_delay(row.attempts, max_s=max_backoff_s)
        )
    else:
        row.status = RedemptionStatus.released
        row.refusal = _refusal_detail(outcome.status, outcome.detail, row.price_item)[:200]
        row.finished_at = now
        if row.offer_id is not None:
            # The unit goes back; an offer made unlimited meanwhile has nothing to give back to.
            session.execute(
                update(Offer)
                .where(col(Offer.offer_id) == row.offer_id, col(Offer.stock).is_not(None))
                .values(stock=col(Offer.stock) + 1)
            )
    session.add(row)


def _debit_of(row: Redemption) -> Debit:
    return Debit(
        idempotency_key=str(row.redemption_id),
        user_id=row.user_id,
        item=row.price_item,
        qty=row.price_qty,
        reason=rules.ledger_reason(row.offer_title),
    )


def settle(
    *,
    uow: UnitOfWork,
    wallet: Wallet,
    redemption_id: uuid.UUID,
    max_backoff_s: float,
) -> Redemption:
    """Steps 2 and 3 for one redemption, if it is still pending (else it is returned as is)."""
    with uow:
        session = uow.session
        row = session.exec(
            select(Redemption)
            .where(col(Redemption.redemption_id) == redemption_id)
            .with_for_update()
        ).one()
        if row.status != RedemptionStatus.pending:
            return row
        outcome = wallet.debit(_debit_of(row))
        _apply(session, row, outcome, now=utcnow(), max_backoff_s=max_backoff_s)
        uow.commit()
        return row


def redeem(
    *,
    uow_factory: UowFactory,
    wallet: Wallet,
    user_id: uuid.UUID,
    offer_id: uuid.UUID,
    key: str,
    max_backoff_s: float,
) -> RedemptionPublic:
    """The whole saga for the player's request: done, pending (auth away) or a refusal raised."""
    row = reserve(uow=uow_factory(), user_id=user_id, offer_id=offer_id, key=key, now=utcnow())
    if row.status == RedemptionStatus.pending:
        row = settle(
            uow=uow_factory(),
            wallet=wallet,
            redemption_id=row.redemption_id,
            max_backoff_s=max_backoff_s,
        )
    if row.status == RedemptionStatus.released:
        raise ConflictError(row.refusal or "redemption refused")
    return RedemptionPublic.of(row)


def settle_due(
    *, uow_factory: UowFactory, wallet: Wallet, max_backoff_s: float, limit: int = 100
) -> int:
    """The settlement job's round: pending redemptions whose retry time has come, one
    transaction each (safe beside requests and other replicas: SKIP LOCKED). Stops at the first
    one auth does not answer (it is most likely away for all). Returns how many were settled."""
    settled = 0
    for _ in range(limit):
        with uow_factory() as uow:
            session = uow.session
            row = session.exec(
                select(Redemption)
                .where(
                    col(Redemption.status) == RedemptionStatus.pending.value,
                    col(Redemption.next_attempt_at) <= utcnow(),
                )
                .order_by(col(Redemption.next_attempt_at))
                .limit(1)
                .with_for_update(skip_locked=True)
            ).first()
            if row is None:
                return settled
            outcome = wallet.debit(_debit_of(row))
            _apply(session, row, outcome, now=utcnow(), max_backoff_s=max_backoff_s)
            uow.commit()
            if isinstance(outcome, NoAnswer):
                log.warning("redemption %s still pending: %s", row.redemption_id, outcome.error)
                return settled
            settled += 1
    return settled


def player_redemptions(
    *, session: Session, user_id: uuid.UUID, limit: int, offset: int
) -> RedemptionsPublic:
    where = col(Redemption.user_id) == user_id
    rows = session.exec(
        select(Redemption)
        .where(where)
        .order_by(col(Redemption.created_at).desc(), col(Redemption.redemption_id))
        .offset(offset)
        .limit(limit)
    ).all()
    count = session.exec(select(func.count()).select_from(Redemption).where(where)).one()
    return RedemptionsPublic(data=[RedemptionPublic.of(row) for row in rows], count=count)


def all_redemptions(
    *,
    session: Session,
    status: RedemptionStatus | None,
    user_id: uuid.UUID | None,
    limit: int,
    offset: int,
) -> RedemptionsAdmin:
    query = select(Redemption)
    counted = select(func.count()).select_from(Redemption)
    if status is not None:
        query = query.where(col(Redemption.status) == status.value)
        counted = counted.where(col(Redemption.status) == status.value)
    if user_id is not None:
        query = query.where(col(Redemption.user_id) == user_id)
        counted = counted.where(col(Redemption.user_id) == user_id)
    rows = session.exec(
        query.order_by(col(Redemption.created_at).desc(), col(Redemption.redemption_id))
        .offset(offset)
        .limit(limit)
    ).all()
    return RedemptionsAdmin(
        data=[RedemptionAdmin.of_row(row) for row in rows], count=session.exec(counted).one()
    )
