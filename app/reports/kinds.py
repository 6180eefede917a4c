"""What the tool knows about Canvas report types: families, parameter kinds, date splitting.

Canvas's ``available_reports`` gives names and descriptions only (reports-api.md 1.7), so
how to render and parse each parameter is decided here, from the parameter's name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from flask_babel import gettext as _

from app.errors import BadRequest
from app.inputs import parse_id


class Family(StrEnum):
    ACCOUNT = "account"
    COURSE = "course"
    QUIZ = "quiz"
    NEW_QUIZ = "new_quiz"


class ParamKind(StrEnum):
    TERM = "term"
    COURSE = "course"
    DATE = "date"
    CHOICE = "choice"
    TEXT = "text"
    BOOLEAN = "boolean"


QUIZ_REPORT_TYPES: tuple[str, ...] = ("student_analysis", "item_analysis")
NEW_QUIZ_FORMATS: tuple[str, ...] = ("csv", "json")
COURSE_REPORT_TYPES: tuple[str, ...] = ("course_pace_docx",)

# Canvas limits date-bounded reports to two weeks (peers-and-pitfalls.md 4, 8);
# longer ranges are split into several runs that share a group key.
MAX_DATE_RANGE = timedelta(days=14)
MAX_SPLIT_DAYS = 2 * 366  # at most ~53 two-week runs for one request

_TERM_NAMES = frozenset({"enrollment_term_id", "enrollment_term"})
_COURSE_NAMES = frozenset({"course_id", "course"})
_DATE_NAMES = frozenset({"start_at", "end_at"})
_TEXT_NAMES = frozenset({"enrollment_filter", "enrollment_states", "enrollment_state"})
_CHOICES: Mapping[str, tuple[str, ...]] = {"order": ("users", "courses", "outcomes")}


@dataclass(frozen=True)
class ParamSpec:
    """One parameter of an account report, ready for a form."""

    name: str
    kind: ParamKind
    required: bool
    description: str
    choices: tuple[str, ...] = ()


def param_kind(name: str) -> ParamKind:
    if name in _TERM_NAMES:
        return ParamKind.TERM
    if name in _COURSE_NAMES:
        return ParamKind.COURSE
    if name in _DATE_NAMES:
        return ParamKind.DATE
    if name in _CHOICES:
        return ParamKind.CHOICE
    if name in _TEXT_NAMES:
        return ParamKind.TEXT
    # Everything else in the built-in catalogue is a flag read with value_to_boolean.
    return ParamKind.BOOLEAN


def param_specs(parameters: Mapping[str, Any] | None) -> list[ParamSpec]:
    """Form fields for an ``available_reports`` entry's ``parameters`` (``None`` → none)."""
    specs: list[ParamSpec] = []
    for name, meta in (parameters or {}).items():
        info = meta if isinstance(meta, Mapping) else {}
        specs.append(
            ParamSpec(
                name=name,
                kind=param_kind(name),
                required=bool(info.get("required", False)),
                description=str(info.get("description") or ""),
                choices=_CHOICES.get(name, ()),
            )
        )
    return specs


def is_date_bounded(specs: list[ParamSpec]) -> bool:
    names = {spec.name for spec in specs}
    return names >= _DATE_NAMES


def parse_parameters(specs: list[ParamSpec], form: Mapping[str, str]) -> dict[str, Any]:
    """Canvas ``parameters`` from submitted form fields (``p_<name>``).

    Unchecked flags are omitted rather than sent as false: Canvas tests some flags
    (``skip_message``) for presence, so ``"false"`` would switch them on.

    Raises:
        BadRequest: a required value is missing or a value has the wrong shape.
    """
    out: dict[str, Any] = {}
    for spec in specs:
        raw = (form.get(f"p_{spec.name}") or "").strip()
        if spec.kind is ParamKind.BOOLEAN:
            if raw in {"1", "true", "on", "yes"}:
                out[spec.name] = True
            continue
        if not raw:
            if spec.required:
                raise BadRequest(_("%(name)s is required.", name=spec.name))
            continue
        out[spec.name] = _parse_value(spec, raw)
    return out


def _parse_value(spec: ParamSpec, raw: str) -> Any:
    if spec.kind is ParamKind.COURSE:
        course_id = parse_id(raw)
        if course_id is None:
            raise BadRequest(_("%(name)s must be a Canvas course id.", name=spec.name))
        return course_id
    if spec.kind is ParamKind.TERM:
        if raw == "active_terms":
            return raw
        term_id = parse_id(raw)
        if term_id is None:
            raise BadRequest(_("%(name)s must be a term.", name=spec.name))
        return term_id
    if spec.kind is ParamKind.DATE:
        try:
            return date.fromisoformat(raw[:10]).isoformat()
        except ValueError as exc:
            raise BadRequest(_("%(name)s must be a date (YYYY-MM-DD).", name=spec.name)) from exc
    if spec.kind is ParamKind.CHOICE and raw not in spec.choices:
        raise BadRequest(
            _(
                "%(name)s must be one of %(choices)s.",
                name=spec.name,
                choices=", ".join(spec.choices),
            )
        )
    return raw


@dataclass(frozen=True)
class DateRange:
    start: date
    end: date  # inclusive


def split_range(start: date, end: date, limit: timedelta = MAX_DATE_RANGE) -> list[DateRange]:
    """Consecutive inclusive ranges of at most ``limit`` covering ``start``..``end``.

    Raises:
        BadRequest: ``end`` is before ``start``.
    """
    if end < start:
        raise BadRequest(_("The end date is before the start date."))
    # A mistyped year must not start thousands of Canvas reports (nor overflow the calendar).
    if (end - start).days >= MAX_SPLIT_DAYS or end >= date.max - timedelta(days=1):
        raise BadRequest(_("The date range is too long: at most two years."))
    days = max(limit.days, 1)
    pieces: list[DateRange] = []
    cursor = start
    while cursor <= end:
        last = min(cursor + timedelta(days=days - 1), end)
        pieces.append(DateRange(cursor, last))
        cursor = last + timedelta(days=1)
    return pieces


def split_parameters(parameters: dict[str, Any]) -> list[dict[str, Any]]:
    """One parameter set per two-week piece of ``start_at``..``end_at`` (inclusive days).

    Canvas reads these as datetimes in the account's zone and clamps a window longer than
    two weeks (it moves ``start_at`` forward), so each run gets midnight of its first day to
    midnight after its last day: exactly two weeks at most, and the pieces meet.
    """
    start_raw, end_raw = parameters.get("start_at"), parameters.get("end_at")
    if not (isinstance(start_raw, str) and isinstance(end_raw, str)):
        return [parameters]
    pieces = split_range(date.fromisoformat(start_raw[:10]), date.fromisoformat(end_raw[:10]))
    return [
        {
            **parameters,
            "start_at": f"{piece.start.isoformat()}T00:00:00",
            "end_at": f"{(piece.end + timedelta(days=1)).isoformat()}T00:00:00",
        }
        for piece in pieces
    ]


def piece_last_day(end_at: str) -> str:
    """The inclusive last day of a run whose ``end_at`` is the following midnight."""
    return (date.fromisoformat(end_at[:10]) - timedelta(days=1)).isoformat()
