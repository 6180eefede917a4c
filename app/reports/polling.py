"""When to poll a job next, when to call it stale, and when a user's budget is too low.

The delay grows in proportion to the job's age (``delay = growth * age``, clamped), so the
poll times form a geometric series and the number of Canvas calls per job grows with the
logarithm of its duration until the delay reaches its ceiling. Viewers never poll Canvas.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

NEW_QUIZ = "new_quiz"  # ``kinds.Family.NEW_QUIZ`` (kept literal: kinds imports Flask-Babel)


@dataclass(frozen=True)
class PollPolicy:
    first_delay: timedelta = timedelta(seconds=2)
    growth: float = 0.5
    max_delay: timedelta = timedelta(minutes=10)
    # A live job whose percent has not moved for this long becomes ``stale``.
    stale_after: timedelta = timedelta(minutes=30)
    # New Quizzes Progress is known to stick at ``running`` (canvas-lms#2488); give up sooner.
    stale_after_progress: timedelta = timedelta(minutes=15)
    # A worker that claimed a job and died lets another one take it after this lease.
    lease: timedelta = timedelta(minutes=2)
    # Users whose Canvas throttle budget (X-Rate-Limit-Remaining) is below this wait.
    min_budget: float = 150.0
    budget_delay: timedelta = timedelta(seconds=30)

    def delay(self, age: timedelta) -> timedelta:
        """The wait before the next poll of a job that is ``age`` old."""
        wanted = age * self.growth
        return max(self.first_delay, min(self.max_delay, wanted))

    def next_poll_at(self, created_at: datetime, now: datetime) -> datetime:
        return now + self.delay(now - created_at)

    def is_stale(self, progress_changed_at: datetime, now: datetime, *, progress: bool) -> bool:
        """True when nothing moved for longer than the limit (``progress``: a New Quizzes
        Progress, which has the shorter one)."""
        limit = self.stale_after_progress if progress else self.stale_after
        return now - progress_changed_at > limit

    def stalled(self, family: str, progress_changed_at: datetime, now: datetime) -> bool:
        """The one staleness rule, used by every caller (a poll's answer, a failed poll, a job
        waiting for its user's authorization): nothing moved for longer than ``family``'s
        limit (New Quizzes: ``stale_after_progress``; every other family: ``stale_after``)."""
        return self.is_stale(progress_changed_at, now, progress=family == NEW_QUIZ)

    def budget_ok(self, remaining: float | None) -> bool:
        """Unknown budget (no call yet) counts as enough."""
        return remaining is None or remaining >= self.min_budget


DEFAULT_POLICY = PollPolicy()
