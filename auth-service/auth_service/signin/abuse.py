"""Abuse limits for sign-up, password change, account deletion and refresh (DESIGN §12).

The same rules and rows as the login throttle (`auth_service.signin.throttle`): a counter per
(scope, subject) in `login_throttle`, free attempts, then a doubling lock up to a ceiling, and a
hard cap per window. Here a scope is `<action>:<kind>` (`signup:address`, `password:account`),
and what is counted depends on the action: every sign-up and refresh (they cost argon2 or a
write), but only the wrong current passwords of a password change or a deletion (guesses).

`AbuseGuard` is the piece a route uses: `check()` before the work (429 with `Retry-After`),
`count()` for what must be counted, or `attempt()` around work whose failures count. It commits
in a unit of work of its own, so a count stands whatever happens to the route's own transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

from auth_service.core.uow import UnitOfWorkFactory
from auth_service.signin import throttle
from auth_service.signin.throttle import ThrottlePolicy
from quest_common.db import utcnow
from quest_common.refusals import RetryLaterError

Action = Literal["signup", "password", "delete", "refresh"]
Kind = Literal["account", "address"]


class LimitedError(RetryLaterError, detail="Too many attempts, try again later"):
    pass


@dataclass(frozen=True)
class Limits:
    """Policy per (action, kind); an absent pair is not limited."""

    policies: dict[tuple[str, str], ThrottlePolicy]
    exempt_addresses: frozenset[str] = frozenset()

    def subjects(
        self, action: Action, *, address: str | None, account: str | None
    ) -> list[tuple[str, str, ThrottlePolicy]]:
        found: list[tuple[str, str, ThrottlePolicy]] = []
        for kind, subject in (("address", address), ("account", account)):
            policy = self.policies.get((action, kind))
            if policy is None or subject is None:
                continue
            if kind == "address" and subject in self.exempt_addresses:
                continue
            found.append((f"{action}:{kind}", subject, policy))
        return found


class AbuseGuard:
    def __init__(
        self, *, uow: UnitOfWorkFactory, limits: Limits, action: Action, address: str | None
    ) -> None:
        self.uow = uow
        self.limits = limits
        self.action = action
        self.address = address

    def check(self, *, account: str | None = None) -> None:
        subjects = self.limits.subjects(self.action, address=self.address, account=account)
        if not subjects:
            return
        with self.uow() as uow:
            states = throttle.load_many(
                session=uow.session, subjects=[(scope, subject) for scope, subject, _ in subjects]
            )
        wait = throttle.wait_needed(states, now=utcnow())
        if wait is not None:
            raise LimitedError(wait)

    def count(self, *, account: str | None = None) -> None:
        subjects = self.limits.subjects(self.action, address=self.address, account=account)
        if not subjects:
            return
        with self.uow() as uow:
            throttle.record_failures(session=uow.session, subjects=subjects, now=utcnow())
            uow.commit()

    def check_and_count(self, *, account: str | None = None) -> None:
        """For actions where every attempt counts (sign-up, refresh)."""
        self.check(account=account)
        self.count(account=account)

    @contextmanager
    def attempt(self, *, account: str | None, failure: type[Exception]) -> Iterator[None]:
        """For actions where only failures count (a wrong password is a guess): `check()`,
        then the work; a `failure` it raises is counted and raised on."""
        self.check(account=account)
        try:
            yield
        except failure:
            self.count(account=account)
            raise
