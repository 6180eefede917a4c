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
from app.reports.labels import SIS_TABLES, TABLE_REPORTS, label_for


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
    MULTI = "multi"  # several of fixed choices (checkboxes), sent as a list


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
_TEXT_NAMES: frozenset[str] = frozenset()
_CHOICES: Mapping[str, tuple[str, ...]] = {"order": ("users", "courses", "outcomes")}
# Canvas reads these with ``Api.value_to_array`` and keeps only known values
# (gems/plugins/account_reports/lib/account_reports/report_helper.rb).
ENROLLMENT_STATES: tuple[str, ...] = (
    "active",
    "invited",
    "creation_pending",
    "completed",
    "inactive",
    "deleted",
    "rejected",
)
ENROLLMENT_TYPES: tuple[str, ...] = (
    "StudentEnrollment",
    "TeacherEnrollment",
    "TaEnrollment",
    "DesignerEnrollment",
    "ObserverEnrollment",
    "StudentViewEnrollment",
)
_MULTI: Mapping[str, tuple[str, ...]] = {
    "enrollment_states": ENROLLMENT_STATES,
    "enrollment_state": ENROLLMENT_STATES,
    "enrollment_filter": ENROLLMENT_TYPES,
}


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
    if name in _MULTI:
        return ParamKind.MULTI
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
                choices=_CHOICES.get(name) or _MULTI.get(name, ()),
            )
        )
    return sorted(specs, key=_form_order)


_KIND_ORDER = {
    ParamKind.TERM: 0,
    ParamKind.COURSE: 1,
    ParamKind.DATE: 2,
    ParamKind.CHOICE: 4,
    ParamKind.MULTI: 5,
    ParamKind.TEXT: 6,
    ParamKind.BOOLEAN: 7,
}


def _form_order(spec: ParamSpec) -> int:
    """Pickers first, the start date before the end date, flags last (a stable sort keeps
    Canvas's order within a kind)."""
    if spec.name == "end_at":
        return 3
    return _KIND_ORDER[spec.kind]


def is_date_bounded(specs: list[ParamSpec]) -> bool:
    names = {spec.name for spec in specs}
    return names >= _DATE_NAMES


class FormErrors(BadRequest):
    """Submitted report parameters that Canvas would refuse or misread, per field.

    ``errors`` maps a form field (``p_<name>``, or ``p_tables`` for the table choice of
    the SIS/Provisioning reports) to its message; ``message`` summarises them for JSON
    clients. Raised before anything is sent to Canvas; the page shows each message next to
    its field and keeps every value the user entered.
    """

    code = "invalid_form"

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__(" ".join(errors.values()))
        self.errors = dict(errors)


TABLES_FIELD = "p_tables"


def validate(report: str, specs: list[ParamSpec], form: Mapping[str, str]) -> dict[str, Any]:
    """Canvas ``parameters`` from submitted form fields (``p_<name>``), or every problem.

    Multiple choices arrive comma-separated (the view joins repeated fields) and go to
    Canvas as a list. Unchecked flags are omitted rather than sent as false: Canvas tests
    some flags (``skip_message``) for presence, so ``"false"`` would switch them on.

    Raises:
        FormErrors: a required value is missing, a value has the wrong shape, the end date
            is before the start date or the range is too long, or a SIS/Provisioning export
            names no table.
    """
    out: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for spec in specs:
        field = f"p_{spec.name}"
        raw = (form.get(field) or "").strip()
        if spec.kind is ParamKind.BOOLEAN:
            if raw in {"1", "true", "on", "yes"}:
                out[spec.name] = True
            continue
        if not raw:
            if spec.required:
                errors[field] = _("%(name)s is required.", name=_field_name(report, spec))
            continue
        try:
            out[spec.name] = _parse_value(report, spec, raw)
        except BadRequest as exc:
            errors[field] = exc.message
    _check_range(out, errors)
    _check_tables(report, specs, out, errors)
    if errors:
        raise FormErrors(errors)
    return out


def parse_parameters(
    specs: list[ParamSpec], form: Mapping[str, str], report: str = ""
) -> dict[str, Any]:
    """``validate`` (kept for callers that do not name the report)."""
    return validate(report, specs, form)


def _field_name(report: str, spec: ParamSpec) -> str:
    return str(label_for(report, spec.name).text)


def _parse_value(report: str, spec: ParamSpec, raw: str) -> Any:
    name = _field_name(report, spec)
    if spec.kind is ParamKind.COURSE:
        course_id = parse_id(raw)
        if course_id is None:
            raise BadRequest(_("%(name)s must be a Canvas course id.", name=name))
        return course_id
    if spec.kind is ParamKind.TERM:
        if raw == "active_terms":
            return raw
        term_id = parse_id(raw)
        if term_id is None:
            raise BadRequest(_("%(name)s must be a term.", name=name))
        return term_id
    if spec.kind is ParamKind.DATE:
        try:
            return date.fromisoformat(raw[:10]).isoformat()
        except ValueError as exc:
            raise BadRequest(_("%(name)s must be a date (YYYY-MM-DD).", name=name)) from exc
    if spec.kind is ParamKind.MULTI:
        values = [part.strip() for part in raw.split(",") if part.strip()]
        unknown = [value for value in values if value not in spec.choices]
        if unknown:
            raise BadRequest(
                _(
                    "%(name)s must be among %(choices)s.",
                    name=name,
                    choices=", ".join(spec.choices),
                )
            )
        return list(dict.fromkeys(values))
    if spec.kind is ParamKind.CHOICE and raw not in spec.choices:
        raise BadRequest(
            _(
                "%(name)s must be one of %(choices)s.",
                name=name,
                choices=", ".join(spec.choices),
            )
        )
    return raw


def _check_range(out: Mapping[str, Any], errors: dict[str, str]) -> None:
    start, end = out.get("start_at"), out.get("end_at")
    if not (isinstance(start, str) and isinstance(end, str)):
        return
    try:
        split_range(date.fromisoformat(start), date.fromisoformat(end))
    except BadRequest as exc:
        errors["p_end_at"] = exc.message


def _check_tables(
    report: str, specs: list[ParamSpec], out: Mapping[str, Any], errors: dict[str, str]
) -> None:
    if report not in TABLE_REPORTS:
        return
    offered = [spec.name for spec in specs if spec.name in SIS_TABLES]
    if offered and not any(out.get(name) for name in offered):
        errors[TABLES_FIELD] = _("Choose at least one table to export.")


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
