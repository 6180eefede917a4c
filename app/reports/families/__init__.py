"""Per-family Canvas calls that start and retry reports, behind one small Protocol.

Each family (``account``, ``course``, ``quiz``, ``new_quiz``) knows how to ask Canvas for a
report (``post``), how to find one it may already have created when the answer to a POST
was lost (``find_created``) and how to stop a stuck run before a retry (``abandon``).
``create`` is the one create path that starts and retries share: it never POSTs again
after an attempt whose answer was lost without first looking in Canvas for that report.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from app.canvas.client import CanvasClient
from app.canvas.errors import CanvasUnavailable
from app.models.job import Job
from app.reports.kinds import Family
from app.reports.observe import Observation

# Canvas's clock and ours differ a little; a report created this long before the attempt
# began still counts as the attempt's own.
CLOCK_SLACK = timedelta(seconds=30)


@dataclass(frozen=True)
class Attempt:
    """What the create path knows about this attempt to start ``job`` in Canvas."""

    job: Job
    began: datetime  # when this start (or retry) was asked for
    tracked: Set[int]  # Canvas ids (report/Progress) other live jobs already follow
    earlier_attempts: int  # POSTs already sent for this start whose answer was lost

    @property
    def since(self) -> datetime:
        return self.began - CLOCK_SLACK


class ReportFamily(Protocol):
    family: Family

    def post(self, client: CanvasClient, attempt: Attempt) -> Observation:
        """Ask Canvas for a new report (one report-creating request, never retried)."""
        ...

    def find_created(self, client: CanvasClient, attempt: Attempt) -> Observation | None:
        """A report Canvas created for this attempt (the POST's answer lost), if any."""
        ...

    def abandon(self, client: CanvasClient, job: Job) -> str:
        """Abort or delete the job's stuck Canvas run where Canvas allows; a note for history.

        Raises:
            CanvasError: Canvas refused in a way that forbids a new run now.
        """
        ...


_REGISTRY: dict[Family, ReportFamily] = {}


def register(family: ReportFamily) -> ReportFamily:
    _REGISTRY[family.family] = family
    return family


def family_of(job: Job) -> ReportFamily:
    """The family implementation for ``job`` (``KeyError`` for an unknown family)."""
    return _REGISTRY[Family(job.family)]


def create(client: CanvasClient, attempt: Attempt) -> Observation:
    """The one create path (start and retry): look first when an earlier POST was lost, POST,
    and look again when this POST's answer is lost.

    Raises:
        CanvasError: Canvas refused, or did not answer and has no report for this attempt.
    """
    family = family_of(attempt.job)
    if attempt.earlier_attempts:
        found = family.find_created(client, attempt)
        if found is not None:
            return found
    try:
        return family.post(client, attempt)
    except CanvasUnavailable:
        found = family.find_created(client, attempt)
        if found is None:
            raise
        return found


# Each family module registers itself; imported last, as they import the names above.
from app.reports.families import account, course, new_quiz, quiz  # noqa: E402, F401
