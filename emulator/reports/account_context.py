"""Shared pieces of the account report generators (reports-api.md §1.4, §1.9).

``Output`` (one CSV, several named CSVs zipped by the caller, or nothing: the report ends in
``error``), ``Context`` (one run: store, account, parameters, Canvas's ``extra_text``
fragments such as "Term: All Terms;", and the account/term/course scopes), CSV writing and
the state/role tables the generators share.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from emulator.store import Account, AccountReport, Course, Store, User

CellValue = str | int | float | None
TWO_WEEKS = timedelta(weeks=2)
TRUE_STRINGS = frozenset({"1", "true", "t", "yes", "y", "on"})
SIS_TABLES = ("users", "accounts", "terms", "courses", "sections", "enrollments", "groups",
              "group_categories", "group_membership", "xlist", "user_observers", "admins")


@dataclass
class Output:
    """What a report produced: ``tables`` name → rows (first row = header)."""

    tables: dict[str, list[list[CellValue]]] = field(default_factory=dict)
    single: bool = True  # one table → one .csv; else a .zip of ``<name>.csv`` entries

    @property
    def empty(self) -> bool:
        return not self.tables

    def rows(self) -> int:
        return sum(len(t) for t in self.tables.values())


def to_csv(rows: Iterable[Sequence[CellValue]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue()


def value_to_boolean(value: Any) -> bool:
    """Canvas's ``value_to_boolean``: true, "true", "1", "on", "yes"..."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    return isinstance(value, str) and value.strip().lower() in TRUE_STRINGS


def iso_or_blank(moment: datetime | None) -> str | None:
    """``default_timezone_format``: ISO 8601 in the root account's zone (UTC here)."""
    return moment.astimezone(UTC).isoformat() if moment else None


class Context:
    """One report run: the store, the account, its parameters and its extra text."""

    def __init__(self, store: Store, report: AccountReport, now: datetime) -> None:
        self.store = store
        self.report = report
        self.now = now
        self.account: Account = store.accounts[report.account_id]
        self.params = report.parameters

    # ------------------------------------------------------------ parameters

    def param(self, *names: str) -> Any:
        for name in names:
            value = self.params.get(name)
            if value not in (None, ""):
                return value
        return None

    def flag(self, name: str) -> bool:
        return value_to_boolean(self.params.get(name))

    def term_id(self) -> int | None:
        value = self.param("enrollment_term_id", "enrollment_term")
        if value is None or value == "active_terms":
            return None
        resolved = resolve_term_ids(self.store, str(value))
        return resolved[0] if resolved else None

    def course_id(self) -> int | None:
        value = self.param("course_id", "course")
        if value is None:
            return None
        text = str(value)
        if text.startswith("sis_course_id:"):
            sis = text.split(":", 1)[1]
            return next((c.id for c in self.store.courses.values() if c.sis_course_id == sis), None)
        return int(text) if text.isdigit() else None

    def datetime_param(self, name: str) -> datetime | None:
        value = self.param(name)
        if value is None:
            return None
        try:
            moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            return None
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

    def add_extra_text(self, text: str) -> None:
        current = self.params.get("extra_text")
        self.params["extra_text"] = f"{current} {text}" if current else text

    def course_text(self) -> int | None:
        """The ``course_id`` parameter, noted as ``For Course: <id>;`` in ``extra_text``."""
        course_id = self.course_id()
        if course_id is not None:
            self.add_extra_text(f"For Course: {course_id};")
        return course_id

    def term_text(self) -> None:
        term = self.store.terms.get(self.term_id() or 0)
        self.add_extra_text(f"Term: {term.name if term else 'All Terms'};")

    def include_deleted(self) -> bool:
        deleted = self.flag("include_deleted")
        if deleted:
            self.add_extra_text("Include Deleted Objects;")
        return deleted

    # ------------------------------------------------------------ scopes

    def account_ids(self) -> set[int]:
        """The account and every descendant (``add_course_sub_account_scope``)."""
        ids = {self.account.id}
        changed = True
        while changed:
            changed = False
            for acc in self.store.accounts.values():
                if acc.parent_account_id in ids and acc.id not in ids:
                    ids.add(acc.id)
                    changed = True
        return ids

    def courses(self, *, states: Iterable[str] | None = ("available", "unpublished", "completed"),
                term_scoped: bool = True) -> list[Course]:
        accounts = self.account_ids()
        term = self.term_id() if term_scoped else None
        course_id = self.course_id()
        allowed = set(states) if states is not None else None
        return sorted(
            (c for c in self.store.courses.values()
             if c.account_id in accounts
             and (allowed is None or c.workflow_state in allowed)
             and (term is None or c.enrollment_term_id == term)
             and (course_id is None or c.id == course_id)),
            key=lambda c: c.id,
        )

    def users_in_scope(self) -> list[User]:
        """Users associated with the account (``add_user_sub_account_scope``)."""
        if self.account.parent_account_id is None:
            return sorted(self.store.users.values(), key=lambda u: u.id)
        courses = {c.id for c in self.courses(states=None, term_scoped=False)}
        ids = {e.user_id for e in self.store.enrollments.values() if e.course_id in courses}
        accounts = self.account_ids()
        ids |= {au.user_id for au in self.store.account_users.values()
                if au.account_id in accounts}
        return [self.store.users[i] for i in sorted(ids) if i in self.store.users]


def resolve_term_ids(store: Store, value: str) -> list[int] | None:
    """Comma-separated term ids or ``sis_term_id:`` forms; None if any is unknown."""
    found: list[int] = []
    for raw in value.split(","):
        part = raw.strip()
        if part.startswith("sis_term_id:"):
            sis = part.split(":", 1)[1]
            match = next((t.id for t in store.terms.values() if t.sis_term_id == sis), None)
        elif part.isdigit() and int(part) in store.terms:
            match = int(part)
        else:
            match = None
        if match is None:
            return None
        found.append(match)
    return found


ENROLLMENT_STATE = {"active": "active", "completed": "concluded", "inactive": "inactive",
                    "deleted": "deleted", "invited": "invited", "creation_pending": "invited",
                    "rejected": "rejected"}
COURSE_STATE = {"unpublished": "unpublished", "available": "active", "completed": "concluded",
                "deleted": "deleted"}
ROLE_NAMES = {"StudentEnrollment": "student", "TeacherEnrollment": "teacher",
              "TaEnrollment": "ta", "DesignerEnrollment": "designer",
              "ObserverEnrollment": "observer"}
ROLE_IDS = {"StudentEnrollment": 3, "TeacherEnrollment": 4, "TaEnrollment": 5,
            "DesignerEnrollment": 6, "ObserverEnrollment": 7}
