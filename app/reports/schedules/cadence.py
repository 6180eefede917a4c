"""When a schedule runs: daily, weekly or monthly at a local time, or a cron expression, in
an IANA time zone. Slots are computed with ``cronsim`` (the cron semantics healthchecks.io
maintains, DST included: a local time that does not exist on a spring-forward day runs at
the first minute after the gap, a time that occurs twice on a fall-back day runs once).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cronsim import CronSim, CronSimError
from flask_babel import gettext as _

CADENCES = ("daily", "weekly", "monthly", "cron")
_TIME = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")


class CadenceError(ValueError):
    """A field of the schedule form is wrong; ``field`` names it, ``message`` says why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Cadence:
    kind: str
    cron: str
    time_zone: str

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def next_after(self, moment: datetime) -> datetime:
        """The first slot strictly after ``moment`` (UTC)."""
        local = moment.astimezone(self.zone)
        return next(iter(CronSim(self.cron, local))).astimezone(UTC)

    def latest_at_or_before(self, moment: datetime) -> datetime | None:
        """The last slot at or before ``moment`` (UTC), or None if the expression never ran."""
        # Reverse iteration yields slots strictly before its start: start at second 59 so a
        # slot at ``moment``'s own minute counts.
        local = moment.astimezone(self.zone).replace(second=59, microsecond=0)
        slot = next(iter(CronSim(self.cron, local, reverse=True)), None)
        return slot.astimezone(UTC) if slot is not None else None


def zone(name: str) -> str:
    """A valid IANA time zone name.

    Raises:
        CadenceError: unknown zone.
    """
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise CadenceError(
            "time_zone", _("%(zone)s is not a time zone (use a name such as America/Chicago).",
                           zone=name or "''")
        ) from exc  # fmt: skip
    return name


def parse(form: dict[str, str]) -> Cadence:
    """The cadence from the form fields ``cadence``, ``time`` (HH:MM), ``weekday`` (0=Sunday
    .. 6), ``day`` (1-28), ``cron`` and ``time_zone``.

    Raises:
        CadenceError: the first wrong field, with a message for it.
    """
    kind = form.get("cadence", "")
    if kind not in CADENCES:
        raise CadenceError("cadence", _("Choose how often the report runs."))
    time_zone = zone(form.get("time_zone", "").strip())
    if kind == "cron":
        expression = " ".join(form.get("cron", "").split())
        try:
            CronSim(expression, datetime.now(UTC))
        except (CronSimError, ValueError) as exc:
            raise CadenceError(
                "cron",
                _("“%(cron)s” is not a cron expression Canvas Reports can run "
                  "(five fields: minute hour day-of-month month day-of-week).",
                  cron=expression),
            ) from exc  # fmt: skip
        if expression.split()[0] in {"*", "*/1"}:
            raise CadenceError("cron", _("A schedule may run at most once an hour."))
        return Cadence(kind, expression, time_zone)
    match = _TIME.fullmatch(form.get("time", "").strip())
    if match is None:
        raise CadenceError("time", _("Enter the time as HH:MM, for example 06:30."))
    minute, hour = int(match.group(2)), int(match.group(1))
    if kind == "daily":
        return Cadence(kind, f"{minute} {hour} * * *", time_zone)
    if kind == "weekly":
        weekday = form.get("weekday", "")
        if weekday not in {str(d) for d in range(7)}:
            raise CadenceError("weekday", _("Choose the day of the week."))
        return Cadence(kind, f"{minute} {hour} * * {weekday}", time_zone)
    day = form.get("day", "")
    if day not in {str(d) for d in range(1, 29)}:
        raise CadenceError("day", _("Choose a day of the month from 1 to 28."))
    return Cadence(kind, f"{minute} {hour} {day} * *", time_zone)
