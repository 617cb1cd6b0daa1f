"""The backoff and the reconnecting loop shared by the consumer, the broadcast listener, the
outbox relay and catalog's version listener (no broker, no database)."""

from __future__ import annotations

import logging
import threading

import pytest

from quest_common.retry import Backoff, retry_until_stopped


def waits(backoff: Backoff, count: int) -> list[float]:
    return [backoff.next() for _ in range(count)]


def test_waits_double_up_to_the_maximum_and_start_over_after_a_success() -> None:
    backoff = Backoff(0.25, 5.0)
    assert waits(backoff, 7) == [0.25, 0.5, 1.0, 2.0, 4.0, 5.0, 5.0]
    backoff.reset()
    assert waits(backoff, 2) == [0.25, 0.5]


def test_a_maximum_below_the_first_wait_caps_it_too() -> None:
    assert waits(Backoff(0.25, 0.1), 3) == [0.1, 0.1, 0.1]


def test_jitter_keeps_each_wait_in_the_upper_half_of_its_value() -> None:
    backoff = Backoff(1.0, 8.0, jitter=True)
    for full in [1.0, 2.0, 4.0, 8.0, 8.0]:
        assert full / 2 <= backoff.next() <= full


class Flaky:
    """Fails `failures` times, then sets `stop` (a connection that lived until told to stop)."""

    def __init__(self, failures: int, stop: threading.Event) -> None:
        self.failures = failures
        self.stop = stop
        self.calls = 0

    def __call__(self) -> None:
        self.calls += 1
        if self.calls <= self.failures:
            raise OSError(f"lost #{self.calls}")
        self.stop.set()


def test_the_loop_retries_after_each_failure_until_stopped() -> None:
    stop = threading.Event()
    attempt = Flaky(3, stop)
    lost: list[str] = []
    backoff = Backoff(0.001, 0.004)
    retry_until_stopped(
        attempt,
        stop=stop,
        backoff=backoff,
        what="test",
        errors=(OSError,),
        on_error=lambda exc: lost.append(str(exc)),
    )
    assert attempt.calls == 4
    assert lost == ["lost #1", "lost #2", "lost #3"]
    assert backoff.next() == 0.001  # the success reset it


def test_a_failure_while_stopping_is_not_retried() -> None:
    stop = threading.Event()
    calls: list[int] = []

    def fail_while_stopping() -> None:
        calls.append(1)
        stop.set()
        raise OSError("closed under us")

    retry_until_stopped(fail_while_stopping, stop=stop, backoff=Backoff(60.0, 60.0), what="test")
    assert calls == [1]


def test_an_error_it_was_not_asked_to_retry_propagates() -> None:
    def broken() -> None:
        raise ValueError("a bug, not a lost connection")

    with pytest.raises(ValueError):
        retry_until_stopped(
            broken,
            stop=threading.Event(),
            backoff=Backoff(0.001, 0.001),
            what="test",
            errors=(OSError,),
        )


def test_each_failed_attempt_is_one_numbered_warning(caplog: pytest.LogCaptureFixture) -> None:
    stop = threading.Event()
    backoff = Backoff(0.001, 0.004)
    with caplog.at_level(logging.INFO, logger="quest_common.retry"):
        retry_until_stopped(
            Flaky(3, stop), stop=stop, backoff=backoff, what="loop", errors=(OSError,)
        )
    lines = [(r.levelno, r.getMessage()) for r in caplog.records]
    assert [level for level, _ in lines] == [logging.WARNING] * 3
    assert [m.split(" (")[0] for _, m in lines] == [
        "loop: attempt 1 failed",
        "loop: attempt 2 failed",
        "loop: attempt 3 failed",
    ]
    assert "OSError: lost #2" in lines[1][1]


def test_a_connection_that_came_up_starts_the_count_again() -> None:
    """A loop resets its backoff once connected, so a loss after hours of work is attempt 1
    with the first, short wait, not the 30 s the last outage had reached."""
    backoff = Backoff(1.0, 30.0)
    waits(backoff, 6)
    assert backoff.failures == 6
    backoff.reset()
    assert (backoff.failures, backoff.next(), backoff.failures) == (0, 1.0, 1)
