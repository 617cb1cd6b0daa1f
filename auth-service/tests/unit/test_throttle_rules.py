"""The throttle rules, as pure functions of (state, policy, now)."""

from datetime import UTC, datetime, timedelta
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from auth_service.signin.throttle import ThrottlePolicy, ThrottleState, after_failure, retry_after

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
POLICY = ThrottlePolicy(
    free_failures=5, base_delay_s=1.0, max_delay_s=900.0, max_failures_per_window=100
)


def fail(times: int, *, policy: ThrottlePolicy = POLICY, start: datetime = NOW) -> ThrottleState:
    state: ThrottleState | None = None
    for _ in range(times):
        state = after_failure(state, policy=policy, now=start)
    assert state is not None
    return state


def test_free_failures_do_not_lock() -> None:
    state = fail(5)
    assert state.failures == 5
    assert retry_after(state, now=NOW) is None


def test_delay_doubles_after_the_free_failures() -> None:
    assert retry_after(fail(6), now=NOW) == 1
    assert retry_after(fail(7), now=NOW) == 2
    assert retry_after(fail(8), now=NOW) == 4
    assert retry_after(fail(10), now=NOW) == 16


def test_delay_is_capped() -> None:
    assert retry_after(fail(40), now=NOW) == 900


def test_lock_expires() -> None:
    state = fail(8)
    assert retry_after(state, now=NOW + timedelta(seconds=3)) == 1
    assert retry_after(state, now=NOW + timedelta(seconds=4)) is None


def test_hard_ceiling_locks_until_the_window_ends() -> None:
    state = fail(100)
    assert retry_after(state, now=NOW) == 3600
    assert retry_after(state, now=NOW + timedelta(minutes=59)) == 60


def test_a_new_window_starts_from_zero() -> None:
    state = fail(9)
    later = NOW + timedelta(hours=1, seconds=1)
    fresh = after_failure(state, policy=POLICY, now=later)
    assert fresh.failures == 1 and fresh.window_started_at == later
    assert retry_after(fresh, now=later) is None


def test_no_state_means_no_wait() -> None:
    assert retry_after(None, now=NOW) is None


@given(gaps=st.lists(st.floats(min_value=0, max_value=7200), min_size=1, max_size=300))
def test_never_more_than_the_ceiling_of_failures_per_window(gaps: list[float]) -> None:
    """ASVS 2.2.1: however an attacker spaces attempts, at most `max_failures_per_window`
    failures are accepted inside one window (attempts during a lock are refused, not counted)."""
    policy = ThrottlePolicy(
        free_failures=5, base_delay_s=0.01, max_delay_s=0.02, max_failures_per_window=20
    )
    state: ThrottleState | None = None
    now = NOW
    per_window: dict[datetime, int] = {}
    for gap in gaps:
        now += timedelta(seconds=gap)
        if retry_after(state, now=now) is not None:
            continue
        state = after_failure(state, policy=policy, now=now)
        per_window[state.window_started_at] = per_window.get(state.window_started_at, 0) + 1
    assert max(per_window.values()) <= policy.max_failures_per_window
    # Windows never overlap: each starts after the previous one has ended.
    starts = sorted(per_window)
    for earlier, later in pairwise(starts):
        assert later - earlier >= timedelta(seconds=policy.window_s)
