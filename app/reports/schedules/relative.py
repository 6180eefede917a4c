"""Relative parameter values of a schedule, resolved at each run's slot.

Stored as strings starting with ``@`` (Canvas's own parameter values never do):

- ``@today``: the slot's local date;
- ``@days_ago:N``: N days before it (0-730: Canvas's date-bounded reports are split into
  two-week runs, and the tool caps a range at two years);
- ``@month_start``: the first day of the slot's month;
- ``@last_month_start``: the first day of the previous month;
- ``@current_term``: the account's term whose dates contain the slot (Canvas's terms list,
  read with the owner's token at run time); none → the run is skipped with that reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _

from app.i18n import N_

PREFIX = "@"
MAX_DAYS_AGO = 730
DATE_TOKENS = ("@today", "@month_start", "@last_month_start")
CURRENT_TERM = "@current_term"
_DAYS_AGO = re.compile(r"@days_ago:(\d{1,4})")


class RelativeError(ValueError):
    """A relative value that cannot be used; ``field`` names the parameter.

    Raised in forms (shown translated: ``message``) and in the worker, which has no request
    locale and stores ``english`` (``msgid`` with its values) instead.
    """

    def __init__(self, field: str, msgid: str, **values: object) -> None:
        super().__init__(msgid % values if values else msgid)
        self.field = field
        self.msgid = msgid
        self.values = values

    @property
    def english(self) -> str:
        return self.msgid % self.values if self.values else self.msgid

    @property
    def message(self) -> str:
        """In the request's locale (call inside a request)."""
        return str(_(self.msgid, **self.values))


def is_relative(value: object) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def date_token(choice: str, days: str) -> str:
    """The stored token for a date field's relative choice (``days_ago`` takes ``days``).

    Raises:
        RelativeError: unknown choice or days outside 0-730.
    """
    if choice == "days_ago":
        text = days.strip()
        if not text.isascii() or not text.isdigit() or int(text) > MAX_DAYS_AGO:
            raise RelativeError("days", N_("Enter a number of days from 0 to %(max)s."),
                                max=MAX_DAYS_AGO)  # fmt: skip
        return f"@days_ago:{int(text)}"
    token = f"@{choice}"
    if token not in DATE_TOKENS:
        raise RelativeError("choice", N_("Choose when the date falls."))
    return token


def _date(relative: str, day: date) -> date:
    if relative == DATE_TOKENS[0]:  # @today
        return day
    if relative == DATE_TOKENS[1]:  # @month_start
        return day.replace(day=1)
    if relative == DATE_TOKENS[2]:  # @last_month_start
        return (day.replace(day=1) - timedelta(days=1)).replace(day=1)
    match = _DAYS_AGO.fullmatch(relative)
    if match is None:
        raise RelativeError("value", N_("%(value)s is not a relative date."), value=relative)
    return day - timedelta(days=int(match.group(1)))


def check(parameters: Mapping[str, Any]) -> None:
    """Every relative value is known, and a relative range can never run backwards.

    Raises:
        RelativeError: naming the parameter.
    """
    probe = date(2027, 3, 1)  # a day after a short month: month tokens differ most here
    resolved: dict[str, date] = {}
    for name, value in parameters.items():
        if not is_relative(value) or value == CURRENT_TERM:
            continue
        try:
            resolved[name] = _date(value, probe)
        except RelativeError as error:
            raise RelativeError(name, error.msgid, **error.values) from error
    start, end = parameters.get("start_at"), parameters.get("end_at")
    if "start_at" in resolved or "end_at" in resolved:
        for day in (probe, date(2027, 1, 31), date(2027, 12, 1)):
            first = _on(start, day)
            last = _on(end, day)
            if first is not None and last is not None and last < first:
                raise RelativeError(
                    "end_at", N_("The end date would fall before the start date on some runs.")
                )


def _on(value: object, day: date) -> date | None:
    """A start/end value on ``day``: relative resolved, fixed parsed, absent None."""
    if isinstance(value, str) and is_relative(value):
        return _date(value, day)
    if isinstance(value, str) and value:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def resolve(
    parameters: Mapping[str, Any], day: date, current_term: Callable[[], int | None]
) -> dict[str, Any]:
    """Concrete parameters for a run on local date ``day``.

    Raises:
        RelativeError: ``@current_term`` and no term contains ``day``.
    """
    out: dict[str, Any] = {}
    for name, value in parameters.items():
        if value == CURRENT_TERM:
            term = current_term()
            if term is None:
                raise RelativeError(name, N_("No term in Canvas contains %(day)s."),
                                    day=day.isoformat())  # fmt: skip
            out[name] = term
        elif is_relative(value):
            out[name] = _date(value, day).isoformat()
        else:
            out[name] = value
    return out
