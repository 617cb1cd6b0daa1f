"""A player's personal data: export everything auth holds about them, and delete an account.

Deletion anonymises rather than removes: the user row stays (the ledger rows reference it and a
balance must keep equalling their sum), but nothing in it identifies the person any more. In one
transaction:

- the name becomes `~deleted-<random hex>`: unique, not linkable to the old name, and impossible
  to sign up with (`~` is not allowed in names), so the old name is free for a new sign-up;
- the password hash becomes the hash of a random secret nobody knows, and the status banned,
  with `deleted_at` set: every sign-in is refused (400, as for any wrong password) and emits
  nothing, an access token still in someone's hands gets 403 until it expires;
- every refresh token is revoked (the next refresh gets 401);
- the ledger keeps amounts and balances but its free-text reasons become `adjustment` or
  `credit`; audit entries drop the reason of adjustments made to the account and the name of
  the account where it acted as an admin; the per-name sign-in throttle row is removed;
- the player's badges are deleted (the public page is gone with the account);
- `auth.UserDeleted` is stored in the outbox, so processing removes its data too.
"""

import secrets
import uuid
from datetime import datetime
from typing import Literal

from sqlmodel import Session

from auth_service.core.events import PRODUCER, SOURCE
from auth_service.core.security import hash_password, verify_password
from auth_service.core.uow import AuthUnitOfWork
from auth_service.personal_data.models import (
    AuditAboutYou,
    LedgerEntryExport,
    PersonalDataExport,
    ProfileExport,
    SessionExport,
)
from auth_service.progression import service as progression
from auth_service.signin import throttle
from auth_service.tokens.access import void_tokens
from auth_service.tokens.service import revoke_user_tokens, sessions_of
from auth_service.users import service as users
from auth_service.users.models import User
from auth_service.users.service import (
    UserDeletedError,
    UserNotFoundError,
    WrongPasswordError,
    audit_snapshot,
    keep_an_admin,
)
from auth_service.wallet import service as wallet
from quest_common import audit
from quest_common.db import utcnow
from quest_common.events import EventType, make_event, rfc3339, routing_key

DELETED_NAME_PREFIX = "~deleted-"
USER_DELETED_KEY = routing_key(PRODUCER, EventType.USER_DELETED)

Initiator = Literal["self", "admin"]


class AlreadyDeletedError(UserDeletedError, detail="User is already deleted"):
    pass


def deleted_name() -> str:
    return f"{DELETED_NAME_PREFIX}{secrets.token_hex(16)}"


def export(*, session: Session, user: User, now: datetime | None = None) -> PersonalDataExport:
    ledger = wallet.ledger_of(session=session, user_id=user.user_id)
    tokens = sessions_of(session=session, user_id=user.user_id)
    changes = users.audit_about(session=session, user_id=user.user_id)
    return PersonalDataExport(
        exported_at=now or utcnow(),
        profile=ProfileExport.model_validate(user),
        ledger=[LedgerEntryExport.model_validate(row, from_attributes=True) for row in ledger],
        badges=progression.badges_of(session=session, user_id=user.user_id),
        sessions=[SessionExport.model_validate(row) for row in tokens],
        admin_changes=[AuditAboutYou.model_validate(row) for row in changes],
    )


def delete_own_account(*, uow: AuthUnitOfWork, user: User, password: str) -> None:
    """The player re-enters the password; a wrong one changes nothing."""
    if not verify_password(password, user.hashed_password):
        uow.rollback()
        raise WrongPasswordError
    delete_account(uow=uow, user_id=user.user_id, initiated_by="self", actor=None)


def delete_account(
    *,
    uow: AuthUnitOfWork,
    user_id: uuid.UUID,
    initiated_by: Initiator,
    actor: audit.Actor | None,
    now: datetime | None = None,
) -> None:
    """Anonymise the account (see the module docstring) and commit. An admin's deletion is
    audited; the player's own is not an admin write (its event records it)."""
    now = now or utcnow()
    session = uow.session
    # Hashed before the row lock: argon2 costs tens of milliseconds.
    unusable_hash = hash_password(secrets.token_urlsafe(32))
    user = users.lock_user(session=session, user_id=user_id)
    if user is None:
        uow.rollback()
        raise UserNotFoundError(str(user_id))
    if user.deleted_at is not None:
        uow.rollback()
        raise AlreadyDeletedError(str(user_id))
    keep_an_admin(uow=uow, user=user)
    before = audit_snapshot(user)
    old_name = user.user_name
    placeholder = deleted_name()

    users.anonymise(
        session=session, user=user, placeholder=placeholder, unusable_hash=unusable_hash, now=now
    )
    revoke_user_tokens(session=session, user_id=user_id, now=now)
    # Access tokens still in flight stop working in every service within seconds.
    void_tokens(uow=uow, user=user, reason="deleted", now=now)
    wallet.forget_reasons(session=session, user_id=user_id)
    progression.forget_badges(session=session, user_id=user_id)
    users.forget_in_audit(session=session, user_id=user_id, placeholder=placeholder)
    throttle.reset(session=session, scope=throttle.ACCOUNT, subject=old_name)
    event = make_event(
        source=SOURCE,
        type=EventType.USER_DELETED,
        subject=str(user_id),
        time=now,
        data={"user_id": str(user_id), "deleted_at": rfc3339(now), "initiated_by": initiated_by},
    )
    uow.publish(event, routing_key=USER_DELETED_KEY)
    if actor is not None:
        if actor.id == str(user_id):  # an admin deleting their own account leaves no name
            actor = audit.Actor(id=actor.id, name=placeholder)
        audit.record(
            session,
            actor=actor,
            action="user.delete",
            target_id=user_id,
            before=before,
            after=audit_snapshot(user),
        )
    uow.commit()
