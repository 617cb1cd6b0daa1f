"""The wallet: balances on the user row, every change recorded in the ledger.

A credit is one transaction: the balance update (`diamond = diamond + :qty`, so concurrent
credits never lose an update) and the ledger row with its unique idempotency key. When the key
already exists the transaction is rolled back and the first result is returned, so a retried
credit lands once and answers the same. A debit (the shop) follows the same rules, with the
balance never taken below zero: that is decided inside the UPDATE.
"""

import uuid
from collections.abc import Sequence
from datetime import datetime
from http import HTTPStatus
from typing import TypeVar

from sqlalchemy import func, text
from sqlmodel import Session, col, select

from auth_service.core.uow import AuthUnitOfWork
from auth_service.progression import service as progression
from auth_service.progression.models import BadgeCredit
from auth_service.users import service as users
from auth_service.users.service import UserDeletedError, UserNotFoundError
from auth_service.wallet.models import (
    Adjustment,
    AdjustmentResult,
    WalletCredit,
    WalletCreditResult,
    WalletDebit,
    WalletDebitResult,
    WalletLedger,
)
from quest_common import audit
from quest_common.db import utcnow
from quest_common.refusals import ClientError

Result = TypeVar("Result", WalletCreditResult, WalletDebitResult, AdjustmentResult)


class IdempotencyConflictError(
    ClientError,
    status=HTTPStatus.CONFLICT,
    detail="Idempotency key already used for a different credit",
):
    """The key was already used for a different credit."""


def _result(
    model: type[Result], entry: WalletLedger, *, diamond: int, gold: int, xp: int
) -> Result:
    """What a credit or an adjustment answers: its ledger entry, the balance of the item right
    after it, and the current balances."""
    # getattr, not model_dump: an entry expired by a commit reloads its columns.
    ledger = {name: getattr(entry, name) for name in WalletLedger.model_fields}
    return model.model_validate(
        {**ledger, "balance": entry.balance_after, "diamond": diamond, "gold": gold, "xp": xp}
    )


def _existing(session: Session, credit: WalletCredit) -> WalletCreditResult:
    entry = session.exec(
        select(WalletLedger).where(WalletLedger.idempotency_key == credit.idempotency_key)
    ).one()
    if (entry.user_id, entry.item, entry.qty) != (credit.user_id, credit.item, credit.qty):
        raise IdempotencyConflictError(credit.idempotency_key)
    diamond, gold, xp = users.balances(session=session, user_id=entry.user_id)
    return _result(WalletCreditResult, entry, diamond=diamond, gold=gold, xp=xp)


def credit(
    *,
    uow: AuthUnitOfWork,
    credit: WalletCredit,
    thresholds: Sequence[int],
    now: datetime | None = None,
) -> WalletCreditResult | BadgeCredit:
    """A service's credit, exactly once per idempotency key. XP that crosses levels stores one
    `auth.LevelReached` per level in the same transaction (`thresholds`: the level curve); a
    badge is no balance and no ledger entry: it is given once (progression)."""
    now = now or utcnow()
    if credit.item == "badge":
        assert credit.badge is not None  # WalletCredit's own rule
        return progression.credit_badge(
            uow=uow,
            idempotency_key=credit.idempotency_key,
            user_id=credit.user_id,
            badge=credit.badge,
            reason=credit.reason,
            now=now,
        )
    session = uow.session
    # Cheap path for a retry: no balance update, no row lock.
    if session.exec(
        select(WalletLedger.entry_id).where(WalletLedger.idempotency_key == credit.idempotency_key)
    ).first():
        return _existing(session, credit)
    balance = users.add_to_balance(
        session=session, user_id=credit.user_id, item=credit.item, qty=credit.qty, now=now
    )
    if balance is None:
        uow.rollback()
        raise UserNotFoundError(str(credit.user_id))
    entry_id = _insert_entry(
        session,
        key=credit.idempotency_key,
        user_id=credit.user_id,
        item=credit.item,
        qty=credit.qty,
        reason=credit.reason,
        balance=balance,
        now=now,
    )
    if entry_id is None:
        # A concurrent credit with the same key committed first: undo our balance update.
        uow.rollback()
        return _existing(session, credit)
    if credit.item == "xp":
        progression.announce_levels(
            uow=uow, user_id=credit.user_id, xp=balance, thresholds=thresholds
        )
    uow.commit()
    entry = session.get(WalletLedger, entry_id)
    assert entry is not None
    diamond, gold, xp = users.balances(session=session, user_id=credit.user_id)
    return _result(WalletCreditResult, entry, diamond=diamond, gold=gold, xp=xp)


# --- debits by a service (the shop) ----------------------------------------------------------


class NotEnoughError(ClientError, status=HTTPStatus.CONFLICT, detail="Not enough balance"):
    """The balance is smaller than the debit: nothing was debited."""

    def __init__(self, *, item: str, balance: int, qty: int) -> None:
        super().__init__(f"{item} balance is {balance}; a debit of {qty} would take it below 0")
        self.detail = f"not enough {item}s" if item == "diamond" else f"not enough {item}"


def _existing_debit(session: Session, debit: WalletDebit) -> WalletDebitResult | None:
    entry = session.exec(
        select(WalletLedger).where(WalletLedger.idempotency_key == debit.idempotency_key)
    ).first()
    if entry is None:
        return None
    if (entry.user_id, entry.item, entry.qty) != (debit.user_id, debit.item, -debit.qty):
        raise IdempotencyConflictError(debit.idempotency_key)
    diamond, gold, xp = users.balances(session=session, user_id=entry.user_id)
    return _result(WalletDebitResult, entry, diamond=diamond, gold=gold, xp=xp)


def debit(
    *, uow: AuthUnitOfWork, debit: WalletDebit, now: datetime | None = None
) -> WalletDebitResult:
    """One transaction: the balance lowered and its ledger entry (negative `qty`) under the
    unique idempotency key; the same key again answers the first result and debits nothing.

    Never below zero, decided inside the UPDATE (`users.adjust_balance`): concurrent debits
    queue on the user's row and each sees what the previous one committed, so none overdraws
    and the balance stays equal to the sum of the ledger. Not enough → 409, nothing written."""
    now = now or utcnow()
    session = uow.session
    known = _existing_debit(session, debit)
    if known is not None:
        return known
    updated = users.adjust_balance(
        session=session, user_id=debit.user_id, item=debit.item, qty=-debit.qty, now=now
    )
    if updated is None:
        uow.rollback()
        # A debit with this key may have committed while we waited for the row: its answer is
        # ours (the same key → the same answer), not "not enough".
        known = _existing_debit(session, debit)
        if known is not None:
            return known
        user = users.get_user(session=session, user_id=debit.user_id)
        if user.deleted_at is not None:
            raise UserDeletedError(str(debit.user_id))
        raise NotEnoughError(item=debit.item, balance=getattr(user, debit.item), qty=debit.qty)
    balance, diamond, gold, xp = updated
    entry_id = _insert_entry(
        session,
        key=debit.idempotency_key,
        user_id=debit.user_id,
        item=debit.item,
        qty=-debit.qty,
        reason=debit.reason,
        balance=balance,
        now=now,
    )
    if entry_id is None:
        # A debit with the same key committed first: undo ours, answer theirs.
        uow.rollback()
        known = _existing_debit(session, debit)
        assert known is not None
        return known
    uow.commit()
    entry = session.get(WalletLedger, entry_id)
    assert entry is not None
    return _result(WalletDebitResult, entry, diamond=diamond, gold=gold, xp=xp)


def _insert_entry(
    session: Session,
    *,
    key: str,
    user_id: uuid.UUID,
    item: str,
    qty: int,
    reason: str,
    balance: int,
    now: datetime,
) -> uuid.UUID | None:
    """The ledger entry of a balance change, under its unique idempotency key: None when an
    entry with that key committed first (the caller then undoes its balance change)."""
    entry_id: uuid.UUID | None = session.execute(
        text(
            "INSERT INTO wallet_ledger"
            " (entry_id, idempotency_key, user_id, item, qty, reason, balance_after, created_at)"
            " VALUES (:entry_id, :key, :user_id, :item, :qty, :reason, :balance, :now)"
            " ON CONFLICT (idempotency_key) DO NOTHING RETURNING entry_id"
        ),
        {
            "entry_id": uuid.uuid4(),
            "key": key,
            "user_id": user_id,
            "item": item,
            "qty": qty,
            "reason": reason,
            "balance": balance,
            "now": now,
        },
    ).scalar_one_or_none()
    return entry_id


def transactions(
    *, session: Session, user_id: uuid.UUID, limit: int, offset: int
) -> tuple[list[WalletLedger], int]:
    count = session.exec(
        select(func.count()).select_from(WalletLedger).where(WalletLedger.user_id == user_id)
    ).one()
    rows = session.exec(
        select(WalletLedger)
        .where(WalletLedger.user_id == user_id)
        .order_by(col(WalletLedger.created_at).desc(), col(WalletLedger.entry_id))
        .offset(offset)
        .limit(limit)
    ).all()
    return list(rows), int(count)


def ledger_of(*, session: Session, user_id: uuid.UUID) -> list[WalletLedger]:
    """Every ledger entry of the user, oldest first."""
    return list(
        session.exec(
            select(WalletLedger)
            .where(WalletLedger.user_id == user_id)
            .order_by(col(WalletLedger.created_at), col(WalletLedger.entry_id))
        ).all()
    )


def forget_reasons(*, session: Session, user_id: uuid.UUID) -> None:
    """Add to the caller's transaction: the user's entries keep amounts and balances, but their
    free-text reasons become `adjustment` (an admin's) or `credit`."""
    session.execute(
        text(
            "UPDATE wallet_ledger SET reason = CASE WHEN actor_id IS NULL"
            " THEN 'credit' ELSE 'adjustment' END WHERE user_id = :user_id"
        ),
        {"user_id": user_id},
    )


def ledger_sum(*, session: Session, user_id: uuid.UUID, item: str) -> int:
    total = session.exec(
        select(func.coalesce(func.sum(WalletLedger.qty), 0)).where(
            WalletLedger.user_id == user_id, WalletLedger.item == item
        )
    ).one()
    return int(total)


# --- manual adjustments by an admin ----------------------------------------------------------


class InsufficientBalanceError(
    ClientError, status=HTTPStatus.CONFLICT, detail="Balance would go below 0"
):
    def __init__(self, *, item: str, balance: int, qty: int) -> None:
        super().__init__(f"{item} balance is {balance}; {qty} would take it below 0")
        self.item = item
        self.balance = balance
        self.qty = qty
        self.detail = f"Balance would go below 0: {item} balance is {balance}, adjustment is {qty}"


def adjust(
    *,
    uow: AuthUnitOfWork,
    user_id: uuid.UUID,
    adjustment: Adjustment,
    actor: audit.Actor,
    thresholds: Sequence[int],
    now: datetime | None = None,
) -> AdjustmentResult:
    """One transaction: the balance change, its ledger row (reason, actor) and the audit entry.

    The balance never goes below zero (`users.adjust_balance`), and it stays equal to the sum
    of the ledger."""
    now = now or utcnow()
    session = uow.session
    updated = users.adjust_balance(
        session=session, user_id=user_id, item=adjustment.item, qty=adjustment.qty, now=now
    )
    if updated is None:
        try:
            user = users.get_user(session=session, user_id=user_id)
        finally:
            uow.rollback()  # nothing was written: the 404 or 409 leaves no trace
        if user.deleted_at is not None:
            raise UserDeletedError(str(user_id))
        raise InsufficientBalanceError(
            item=adjustment.item, balance=getattr(user, adjustment.item), qty=adjustment.qty
        )
    balance, diamond, gold, xp = updated
    entry_id = uuid.uuid4()
    entry = WalletLedger(
        entry_id=entry_id,
        # Unique like every key; an adjustment is never retried by a service, so its id serves.
        idempotency_key=f"adjustment:{entry_id}",
        user_id=user_id,
        item=adjustment.item,
        qty=adjustment.qty,
        reason=adjustment.reason,
        balance_after=balance,
        created_at=now,
        actor_id=uuid.UUID(actor.id),
    )
    session.add(entry)
    audit.record(
        session,
        actor=actor,
        action="wallet.adjust",
        target_type="user",
        target_id=user_id,
        before={"item": adjustment.item, "balance": balance - adjustment.qty},
        after={
            "item": adjustment.item,
            "balance": balance,
            "qty": adjustment.qty,
            "reason": adjustment.reason,
            "entry_id": str(entry.entry_id),
        },
    )
    if adjustment.item == "xp":
        # XP added by hand crosses levels like earned XP; taken away, it never re-announces one.
        progression.announce_levels(uow=uow, user_id=user_id, xp=xp, thresholds=thresholds)
    uow.commit()
    return _result(AdjustmentResult, entry, diamond=diamond, gold=gold, xp=xp)
