"""Login throttling: per account name and per client address, state kept in PostgreSQL.

The rules are plain functions of (state, policy, now) so they are tested without a database;
`load_many` and `record_failures` below apply them to the `login_throttle` rows.

Policy (OWASP ASVS 2.2.1, soft lockout): the first `free_failures` failures cost nothing; each
further failure locks the subject for a delay that doubles (1 s, 2 s, 4 s, ...) up to
`max_delay_s`; and once `max_failures_per_window` failures pile up inside one window (an hour)
the subject stays locked until the window ends. A success resets the account's counter; the
address counter only ages out, so one valid account cannot launder a credential-stuffing run.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import text, tuple_
from sqlmodel import Session, col, select

from auth_service.signin.models import LoginThrottle

ACCOUNT = "account"
ADDRESS = "address"


@dataclass(frozen=True)
class ThrottlePolicy:
    free_failures: int
    base_delay_s: float
    max_delay_s: float
    max_failures_per_window: int
    window_s: int = 3600


@dataclass(frozen=True)
class ThrottleState:
    failures: int
    window_started_at: datetime
    locked_until: datetime | None = None


def retry_after(state: ThrottleState | None, *, now: datetime) -> int | None:
    """Seconds the caller must wait, or None when a login may be attempted now."""
    if state is None or state.locked_until is None or state.locked_until <= now:
        return None
    return max(1, math.ceil((state.locked_until - now).total_seconds()))


def wait_needed(states: dict[tuple[str, str], ThrottleState], *, now: datetime) -> int | None:
    """The longest wait any of the states imposes, or None when the attempt may go ahead."""
    waits = [retry_after(state, now=now) for state in states.values()]
    return max((w for w in waits if w is not None), default=None)


def after_failure(
    state: ThrottleState | None, *, policy: ThrottlePolicy, now: datetime
) -> ThrottleState:
    """The state after one more failed attempt."""
    window = timedelta(seconds=policy.window_s)
    if state is None or now - state.window_started_at >= window:
        state = ThrottleState(failures=0, window_started_at=now)
    failures = state.failures + 1
    locked_until = state.locked_until
    if failures >= policy.max_failures_per_window:
        # The hard ceiling: nothing more until this window is over.
        locked_until = state.window_started_at + window
    elif failures > policy.free_failures:
        exponent = min(failures - policy.free_failures - 1, 30)
        delay = min(policy.base_delay_s * 2**exponent, policy.max_delay_s)
        locked_until = now + timedelta(seconds=delay)
    return replace(state, failures=failures, locked_until=locked_until)


# --- persistence -----------------------------------------------------------------------------


def _state(row: Any) -> ThrottleState:
    """A `login_throttle` row's state (an ORM row or a Core one: the same attributes)."""
    return ThrottleState(
        failures=row.failures,
        window_started_at=row.window_started_at,
        locked_until=row.locked_until,
    )


_THROTTLE = LoginThrottle.__table__  # type: ignore[attr-defined]
# Core, not ORM (it runs on every login and only reads), built once so its compiled form is
# reused; `wanted` is an expanding list of (scope, subject) pairs.
_LOAD_STATES = sa.select(
    _THROTTLE.c.scope,
    _THROTTLE.c.subject,
    _THROTTLE.c.failures,
    _THROTTLE.c.window_started_at,
    _THROTTLE.c.locked_until,
).where(tuple_(_THROTTLE.c.scope, _THROTTLE.c.subject).in_(sa.bindparam("wanted", expanding=True)))


def states_subquery(*, account: sa.BindParameter[str], address: sa.BindParameter[str]) -> Any:
    """The account's and the address's states as one JSON array (NULL when neither has a row),
    to read along with another query; decode it with `states_from_json`."""
    return (
        sa.select(
            sa.func.json_agg(
                sa.func.json_build_array(
                    _THROTTLE.c.scope,
                    _THROTTLE.c.subject,
                    _THROTTLE.c.failures,
                    _THROTTLE.c.window_started_at,
                    _THROTTLE.c.locked_until,
                )
            )
        )
        .where(
            sa.or_(
                sa.and_(_THROTTLE.c.scope == ACCOUNT, _THROTTLE.c.subject == account),
                sa.and_(_THROTTLE.c.scope == ADDRESS, _THROTTLE.c.subject == address),
            )
        )
        .scalar_subquery()
    )


def states_from_json(rows: list[list[Any]] | None) -> dict[tuple[str, str], ThrottleState]:
    found: dict[tuple[str, str], ThrottleState] = {}
    for scope, subject, failures, window_started_at, locked_until in rows or []:
        found[(scope, subject)] = ThrottleState(
            failures=failures,
            window_started_at=datetime.fromisoformat(window_started_at),
            locked_until=datetime.fromisoformat(locked_until) if locked_until else None,
        )
    return found


def load_many(
    *, session: Session, subjects: list[tuple[str, str]]
) -> dict[tuple[str, str], ThrottleState]:
    """The states of several (scope, subject) pairs in one query; missing ones are absent."""
    wanted = [(scope, subject[:255]) for scope, subject in subjects]
    rows = session.execute(_LOAD_STATES, {"wanted": wanted}).all()
    return {(row.scope, row.subject): _state(row) for row in rows}


def record_failure(
    *, session: Session, scope: str, subject: str, policy: ThrottlePolicy, now: datetime
) -> ThrottleState:
    """Count one failure; the row is created if needed and locked, so concurrent failures on
    several replicas all count."""
    subject = subject[:255]
    session.execute(
        text(
            "INSERT INTO login_throttle (throttle_id, scope, subject, failures, window_started_at)"
            " VALUES (gen_random_uuid(), :scope, :subject, 0, :now)"
            " ON CONFLICT (scope, subject) DO NOTHING"
        ),
        {"scope": scope, "subject": subject, "now": now},
    )
    row = session.exec(
        select(LoginThrottle)
        .where(LoginThrottle.scope == scope, LoginThrottle.subject == subject)
        .with_for_update()
    ).one()
    state = after_failure(_state(row), policy=policy, now=now)
    row.failures = state.failures
    row.window_started_at = state.window_started_at
    row.locked_until = state.locked_until
    session.add(row)
    return state


def record_failures(
    *, session: Session, subjects: Iterable[tuple[str, str, ThrottlePolicy]], now: datetime
) -> None:
    """`record_failure` for each (scope, subject, policy)."""
    for scope, subject, policy in subjects:
        record_failure(session=session, scope=scope, subject=subject, policy=policy, now=now)


def reset(*, session: Session, scope: str, subject: str) -> None:
    session.execute(
        LoginThrottle.__table__.delete().where(  # type: ignore[attr-defined]
            col(LoginThrottle.scope) == scope, col(LoginThrottle.subject) == subject[:255]
        )
    )
