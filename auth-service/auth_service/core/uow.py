"""Auth's unit of work: the shared `SqlUnitOfWork` plus the outbox relay's wake-up.

Every write of the service happens inside one of these and ends with an explicit `commit()`;
leaving it otherwise rolls back. An event stored in the outbox (`publish`, or
`outbox_written` for a statement that inserts the row itself) wakes the relay once the
transaction has committed, so it leaves within milliseconds and never before the commit.
"""

from collections.abc import Callable

from sqlalchemy import Engine

from quest_common.events import CloudEvent
from quest_common.outbox import OutboxRelay, enqueue
from quest_common.uow import SqlUnitOfWork


class AuthUnitOfWork(SqlUnitOfWork):
    def __init__(self, engine: Engine, *, relay: OutboxRelay | None = None) -> None:
        super().__init__(engine)
        self.relay = relay

    def publish(self, event: CloudEvent, *, routing_key: str) -> None:
        """Store `event` in the outbox in this transaction; it leaves once this commits."""
        enqueue(self.session, event, routing_key=routing_key)
        self.outbox_written()

    def outbox_written(self) -> None:
        """An outbox row joined this transaction: wake the relay after the commit."""
        if self.relay is not None:
            self.after_commit(self.relay.wake)


UnitOfWorkFactory = Callable[[], AuthUnitOfWork]
