from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.reports.polling import PollPolicy

T0 = datetime(2026, 9, 1, tzinfo=UTC)


def polls_within(policy: PollPolicy, duration: timedelta) -> int:
    """How many polls a job that runs ``duration`` gets (the first poll at first_delay)."""
    now = policy.next_poll_at(T0, T0)
    count = 0
    while now <= T0 + duration:
        count += 1
        now = policy.next_poll_at(T0, now)
    return count


def test_the_first_poll_comes_quickly() -> None:
    assert PollPolicy().delay(timedelta(0)) == timedelta(seconds=2)


def test_delay_grows_with_age_and_is_capped() -> None:
    policy = PollPolicy()
    assert policy.delay(timedelta(seconds=60)) == timedelta(seconds=30)
    assert policy.delay(timedelta(hours=5)) == policy.max_delay


def test_polls_grow_logarithmically_before_the_cap() -> None:
    policy = PollPolicy(max_delay=timedelta(days=1))
    one_minute = polls_within(policy, timedelta(minutes=1))
    ten_minutes = polls_within(policy, timedelta(minutes=10))
    hundred_minutes = polls_within(policy, timedelta(minutes=100))
    # Each tenfold longer run adds the same handful of polls (log base 1.5 of 10 ≈ 5.7).
    assert ten_minutes - one_minute == hundred_minutes - ten_minutes
    assert 5 <= ten_minutes - one_minute <= 6


def test_stale_after_no_movement() -> None:
    policy = PollPolicy()
    assert not policy.is_stale(T0, T0 + timedelta(minutes=29), progress=False)
    assert policy.is_stale(T0, T0 + timedelta(minutes=31), progress=False)
    assert policy.is_stale(T0, T0 + timedelta(minutes=16), progress=True)


def test_budget_below_the_floor_is_not_ok() -> None:
    policy = PollPolicy(min_budget=150)
    assert policy.budget_ok(None)
    assert policy.budget_ok(150)
    assert not policy.budget_ok(149.9)
