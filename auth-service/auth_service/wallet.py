"""The wallet: balances on the user row, every change recorded in the ledger.

A credit is one transaction: the balance update (`diamond = diamond + :qty`, so concurrent
credits never lose an update) and the ledger row with its unique idempotency key. When the key
already exists the transaction is rolled back and the first result is returned, so a retried
credit lands once and answers the same.
"""

import uuid
from datetime import datetime
from http import HTTPStatus
from typing import TypeVar

from sqlalchemy import func, text
from sqlmodel import Session, col, select

from auth_service.models import (
    Adjustment,
    AdjustmentResult,
    LeaderboardEntry,
    User,
    UserStatus,
    WalletCredit,
    WalletCreditResult,
    WalletLedger,
)
from auth_service.users import UserDeletedError, UserNotFoundError
from quest_common import audit
from quest_common.db import utcnow
from quest_common.refusals import ClientError

ITEM_COLUMNS = {"diamond": "diamond", "gold": "gold"}  # whitelist: column names go into SQL

Result = TypeVar("Result", WalletCreditResult, AdjustmentResult)


class IdempotencyConflictError(
    ClientError,
    status=HTTPStatus.CONFLICT,
    detail="Idempotency key already used for a different credit",
):
    """The key was already used for a different credit."""


def _result(model: type[Result], entry: WalletLedger, *, diamond: int, gold: int) -> Result:
    """What a credit or an adjustment answers: its ledger entry, the balance of the item right
    after it, and the current balances."""
    # getattr, not model_dump: an entry expired by a commit reloads its columns.
    ledger = {name: getattr(entry, name) for name in WalletLedger.model_fields}
    return model.model_validate(
        {**ledger, "balance": entry.balance_after, "diamond": diamond, "gold": gold}
    )


def _existing(session: Session, credit: WalletCredit) -> WalletCreditResult:
    entry = session.exec(
        select(WalletLedger).where(WalletLedger.idempotency_key == credit.idempotency_key)
    ).one()
    if (entry.user_id, entry.item, entry.qty) != (credit.user_id, credit.item, credit.qty):
        raise IdempotencyConflictError(credit.idempotency_key)
    user = session.get(User, entry.user_id, populate_existing=True)
    assert user is not None
    return _result(WalletCreditResult, entry, diamond=user.diamond, gold=user.gold)


def credit(
    *, session: Session, credit: WalletCredit, now: datetime | None = None
) -> WalletCreditResult:
    now = now or utcnow()
    column = ITEM_COLUMNS[credit.item]
    # Cheap path for a retry: no balance update, no row lock.
    if session.exec(
        select(WalletLedger.entry_id).where(WalletLedger.idempotency_key == credit.idempotency_key)
    ).first():
        return _existing(session, credit)
    balance = session.execute(
        text(
            f"UPDATE users SET {column} = {column} + :qty, updated_at = :now"  # noqa: S608
            f" WHERE user_id = :user_id RETURNING {column}"
        ),
        {"qty": credit.qty, "now": now, "user_id": credit.user_id},
    ).scalar_one_or_none()
    if balance is None:
        session.rollback()
        raise UserNotFoundError(str(credit.user_id))
    entry_id = session.execute(
        text(
            "INSERT INTO wallet_ledger"
            " (entry_id, idempotency_key, user_id, item, qty, reason, balance_after, created_at)"
            " VALUES (:entry_id, :key, :user_id, :item, :qty, :reason, :balance, :now)"
            " ON CONFLICT (idempotency_key) DO NOTHING RETURNING entry_id"
        ),
        {
            "entry_id": uuid.uuid4(),
            "key": credit.idempotency_key,
            "user_id": credit.user_id,
            "item": credit.item,
            "qty": credit.qty,
            "reason": credit.reason,
            "balance": balance,
            "now": now,
        },
    ).scalar_one_or_none()
    if entry_id is None:
        # A concurrent credit with the same key committed first: undo our balance update.
        session.rollback()
        return _existing(session, credit)
    session.commit()
    entry = session.get(WalletLedger, entry_id)
    user = session.get(User, credit.user_id, populate_existing=True)
    assert entry is not None and user is not None
    return _result(WalletCreditResult, entry, diamond=user.diamond, gold=user.gold)


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


def leaderboard(*, session: Session, item: str, limit: int) -> list[LeaderboardEntry]:
    balance = col(User.diamond) if item == "diamond" else col(User.gold)
    rows = session.exec(
        select(User.user_id, User.user_name, balance)
        .where(User.status != UserStatus.BANNED, balance > 0)
        .order_by(balance.desc(), col(User.user_name))
        .limit(limit)
    ).all()
    return [
        LeaderboardEntry(
            rank=i + 1,
            user_id=user_id,
            user_name=name,
            item=item,
            balance=value,  # type: ignore[arg-type]
        )
        for i, (user_id, name, value) in enumerate(rows)
    ]


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
    session: Session,
    user_id: uuid.UUID,
    adjustment: Adjustment,
    actor: audit.Actor,
    now: datetime | None = None,
) -> AdjustmentResult:
    """One transaction: the balance change, its ledger row (reason, actor) and the audit entry.

    The non-negative check is part of the UPDATE's WHERE clause: each concurrent adjustment sees
    the balance the previous one committed (the row lock), so none can take it below zero, and
    the balance stays equal to the sum of the ledger."""
    now = now or utcnow()
    column = ITEM_COLUMNS[adjustment.item]
    updated = session.execute(
        text(
            f"UPDATE users SET {column} = {column} + :qty, updated_at = :now"  # noqa: S608
            f" WHERE user_id = :user_id AND deleted_at IS NULL AND {column} + :qty >= 0"
            f" RETURNING {column}, diamond, gold"
        ),
        {"qty": adjustment.qty, "now": now, "user_id": user_id},
    ).first()
    if updated is None:
        user = session.get(User, user_id)
        session.rollback()
        if user is None:
            raise UserNotFoundError(str(user_id))
        if user.deleted_at is not None:
            raise UserDeletedError(str(user_id))
        raise InsufficientBalanceError(
            item=adjustment.item, balance=getattr(user, column), qty=adjustment.qty
        )
    balance, diamond, gold = updated
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
    session.commit()
    return _result(AdjustmentResult, entry, diamond=diamond, gold=gold)
