"""Account report files built from the seeded store (reports-api.md §1.4, §1.9).

Each generator returns a ``Output``: one CSV, several named CSVs (zipped by the caller, as
Canvas does for multi-table provisioning/SIS exports), or nothing (the report ends in
``error``). Generators also append Canvas's ``extra_text`` fragments ("Term: All Terms;").
Headers are exactly Canvas's; rows are what the seed holds.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from emulator.store import Account, AccountReport, Course, Enrollment, Store, User

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


def _names(user: User) -> tuple[str, str]:
    if ", " in user.sortable_name:
        last, first = user.sortable_name.split(", ", 1)
        return first, last
    return user.name, ""


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


# ---------------------------------------------------------------- provisioning / SIS export


def _users_table(ctx: Context, sis: bool) -> list[list[CellValue]]:
    if sis:
        header: list[CellValue] = ["user_id", "integration_id", "authentication_provider_id",
                                   "login_id", "password", "first_name", "last_name",
                                   "full_name", "sortable_name", "short_name", "email", "status"]
    else:
        header = ["canvas_user_id", "user_id", "integration_id", "authentication_provider_id",
                  "login_id", "first_name", "last_name", "full_name", "sortable_name",
                  "short_name", "email", "status", "created_by_sis"]
    rows = [header]
    for user in ctx.users_in_scope():
        if sis and not user.sis_user_id:
            continue
        if user.workflow_state == "deleted" and not ctx.flag("include_deleted"):
            continue
        if ctx.flag("created_by_sis") and not user.created_by_sis:
            continue
        first, last = _names(user)
        row: list[CellValue] = [] if sis else [user.id]
        row += [user.sis_user_id, None, None, user.login_id]
        if sis:
            row.append(None)
        row += [first, last, user.name, user.sortable_name, user.short_name, user.email,
                user.workflow_state]
        if not sis:
            row.append(str(user.created_by_sis).lower())
        rows.append(row)
    return rows


def _accounts_table(ctx: Context, sis: bool) -> list[list[CellValue]]:
    header: list[CellValue] = (["account_id", "parent_account_id", "name", "status"] if sis else
                               ["canvas_account_id", "account_id", "canvas_parent_id",
                                "parent_account_id", "name", "status", "created_by_sis"])
    rows = [header]
    for acc in sorted(ctx.store.accounts.values(), key=lambda a: a.id):
        if acc.parent_account_id is None:
            continue  # the root has no parent row (inner join on the parent)
        if ctx.account.parent_account_id is not None and acc.parent_account_id != ctx.account.id:
            continue  # a sub-account report lists its direct children only
        if sis and not acc.sis_account_id:
            continue
        parent = ctx.store.accounts[acc.parent_account_id]
        if sis:
            rows.append([acc.sis_account_id, parent.sis_account_id, acc.name, acc.workflow_state])
        else:
            rows.append([acc.id, acc.sis_account_id, parent.id, parent.sis_account_id, acc.name,
                         acc.workflow_state, str(acc.sis_account_id is not None).lower()])
    return rows


def _terms_table(ctx: Context, sis: bool) -> list[list[CellValue]]:
    header: list[CellValue] = (["term_id", "name", "status", "start_date", "end_date"] if sis else
                               ["canvas_term_id", "term_id", "name", "status", "start_date",
                                "end_date", "created_by_sis"])
    rows = [header]
    for term in sorted(ctx.store.terms.values(), key=lambda t: t.id):
        if sis and not term.sis_term_id:
            continue
        row: list[CellValue] = [] if sis else [term.id]
        row += [term.sis_term_id, term.name, term.workflow_state, iso_or_blank(term.start_at),
                iso_or_blank(term.end_at)]
        if not sis:
            row.append(str(term.sis_term_id is not None).lower())
        rows.append(row)
    return rows


def _courses_table(ctx: Context, sis: bool) -> list[list[CellValue]]:
    header: list[CellValue] = (
        ["course_id", "integration_id", "short_name", "long_name", "account_id", "term_id",
         "status", "start_date", "end_date", "course_format"] if sis else
        ["canvas_course_id", "course_id", "integration_id", "short_name", "long_name",
         "canvas_account_id", "account_id", "canvas_term_id", "term_id", "status", "start_date",
         "end_date", "course_format", "created_by_sis"])
    rows = [header]
    states = None if ctx.flag("include_deleted") else ("available", "unpublished")
    for course in ctx.courses(states=states):
        if sis and not course.sis_course_id:
            continue
        account = ctx.store.accounts[course.account_id]
        term = ctx.store.terms.get(course.enrollment_term_id)
        term_sis = term.sis_term_id if term else None
        if sis:
            status = course.workflow_state if course.workflow_state in (
                "deleted", "completed") else "active"
            rows.append([course.sis_course_id, None, course.course_code, course.name,
                         account.sis_account_id, term_sis, status, None, None, None])
        else:
            rows.append([course.id, course.sis_course_id, None, course.course_code, course.name,
                         account.id, account.sis_account_id, course.enrollment_term_id, term_sis,
                         COURSE_STATE.get(course.workflow_state, course.workflow_state), None,
                         None, None, str(course.sis_course_id is not None).lower()])
    return rows


def _sections_table(ctx: Context, sis: bool) -> list[list[CellValue]]:
    header: list[CellValue] = (
        ["section_id", "course_id", "integration_id", "name", "status", "start_date",
         "end_date"] if sis else
        ["canvas_section_id", "section_id", "canvas_course_id", "course_id", "integration_id",
         "name", "status", "start_date", "end_date", "canvas_account_id", "account_id",
         "created_by_sis"])
    rows = [header]
    courses = {c.id: c for c in ctx.courses(states=None)}
    for section in sorted(ctx.store.sections.values(), key=lambda s: s.id):
        course = courses.get(section.course_id)
        if course is None:
            continue
        if sis and not (section.sis_section_id and course.sis_course_id):
            continue
        account = ctx.store.accounts[course.account_id]
        if sis:
            rows.append([section.sis_section_id, course.sis_course_id, None, section.name,
                         "active", None, None])
        else:
            rows.append([section.id, section.sis_section_id, course.id, course.sis_course_id,
                         None, section.name, "active", None, None, account.id,
                         account.sis_account_id,
                         str(section.sis_section_id is not None).lower()])
    return rows


def _enrollments_table(ctx: Context, sis: bool) -> list[list[CellValue]]:
    header: list[CellValue] = (
        ["course_id", "user_id", "role", "role_id", "section_id", "status",
         "associated_user_id", "limit_section_privileges"] if sis else
        ["canvas_course_id", "course_id", "canvas_user_id", "user_id", "role", "role_id",
         "canvas_section_id", "section_id", "status", "canvas_associated_user_id",
         "associated_user_id", "created_by_sis", "base_role_type", "limit_section_privileges",
         "canvas_enrollment_id"])
    rows = [header]
    courses = {c.id: c for c in ctx.courses(states=None)}
    include_deleted = ctx.flag("include_deleted")
    for enrollment in sorted(ctx.store.enrollments.values(), key=lambda e: e.id):
        course = courses.get(enrollment.course_id)
        if course is None:
            continue
        if not include_deleted and enrollment.workflow_state in ("deleted", "completed"):
            continue
        user = ctx.store.users.get(enrollment.user_id)
        section = ctx.store.sections.get(enrollment.course_section_id)
        if user is None or section is None:
            continue
        if sis and (not user.sis_user_id or not (course.sis_course_id or section.sis_section_id)):
            continue
        role = ROLE_NAMES.get(enrollment.type, enrollment.type)
        state = ENROLLMENT_STATE.get(enrollment.workflow_state, enrollment.workflow_state)
        if sis:
            rows.append([course.sis_course_id, user.sis_user_id, role, ROLE_IDS.get(
                enrollment.type), section.sis_section_id, state, None, "false"])
        else:
            rows.append([course.id, course.sis_course_id, user.id, user.sis_user_id, role,
                         ROLE_IDS.get(enrollment.type), section.id, section.sis_section_id,
                         state, None, None, str(user.created_by_sis).lower(), enrollment.type,
                         "false", enrollment.id])
    return rows


TABLE_BUILDERS: dict[str, Callable[[Context, bool], list[list[CellValue]]]] = {
    "users": _users_table,
    "accounts": _accounts_table,
    "terms": _terms_table,
    "courses": _courses_table,
    "sections": _sections_table,
    "enrollments": _enrollments_table,
}


def _sis_report(ctx: Context, sis: bool) -> Output:
    ctx.term_text()
    ctx.include_deleted()
    selected = [t for t in SIS_TABLES if ctx.flag(t)]
    ctx.add_extra_text("Reports: " + "".join(f"{t} " for t in selected))
    built = {t: TABLE_BUILDERS[t](ctx, sis) for t in selected if t in TABLE_BUILDERS}
    return Output(built, single=len(built) == 1)


def provisioning(ctx: Context) -> Output:
    return _sis_report(ctx, sis=False)


def sis_export(ctx: Context) -> Output:
    return _sis_report(ctx, sis=True)


# ---------------------------------------------------------------- grades


GRADE_HEADER: list[CellValue] = [
    "student name", "student id", "student sis", "course", "course id", "course sis",
    "section", "section id", "section sis", "term", "term id", "term sis", "current score",
    "final score", "enrollment state", "unposted current score", "unposted final score",
    "current grade", "final grade", "unposted current grade", "unposted final grade",
]


def _student_enrollments(ctx: Context, include_deleted: bool,
                         courses: list[Course]) -> list[tuple[Enrollment, Course]]:
    by_id = {c.id: c for c in courses}
    states = None if include_deleted else {"active", "completed"}
    found = [(e, by_id[e.course_id]) for e in ctx.store.enrollments.values()
             if e.type == "StudentEnrollment" and e.course_id in by_id
             and (states is None or e.workflow_state in states)]
    return sorted(found, key=lambda pair: (pair[1].id, pair[0].user_id))


def grade_export(ctx: Context) -> Output:
    ctx.term_text()
    include_deleted = ctx.include_deleted()
    courses = ctx.courses(states=None if include_deleted else ("available",))
    rows = [GRADE_HEADER]
    for enrollment, course in _student_enrollments(ctx, include_deleted, courses):
        user = ctx.store.users[enrollment.user_id]
        section = ctx.store.sections[enrollment.course_section_id]
        term = ctx.store.terms[course.enrollment_term_id]
        rows.append([
            user.sortable_name, user.id, user.sis_user_id, course.name, course.id,
            course.sis_course_id, section.name, section.id, section.sis_section_id, term.name,
            term.id, term.sis_term_id, enrollment.current_score, enrollment.final_score,
            ENROLLMENT_STATE.get(enrollment.workflow_state, enrollment.workflow_state),
            enrollment.current_score, enrollment.final_score, enrollment.current_grade,
            enrollment.final_grade, enrollment.current_grade, enrollment.final_grade,
        ])
    return Output({"grade_export": rows})


def mgp_grade_export(ctx: Context) -> Output:
    """The seed configures no grading periods, so each term gets Canvas's one-line notice."""
    ctx.term_text()
    term_id = ctx.term_id()
    terms = [ctx.store.terms[term_id]] if term_id else [
        t for t in sorted(ctx.store.terms.values(), key=lambda t: t.id)
        if t.workflow_state == "active"]
    notice: list[CellValue] = ["no grading periods configured for this term"]
    tables = {t.name: [list(notice)] for t in terms}
    return Output(tables, single=False)


# ---------------------------------------------------------------- students and access


def last_user_access(ctx: Context) -> Output:
    ctx.term_text()
    course_id = ctx.course_text()
    include_deleted = ctx.include_deleted()
    users = ctx.users_in_scope()
    if ctx.term_id() is not None or course_id is not None:
        courses = {c.id for c in ctx.courses(states=None)}
        member = {e.user_id for e in ctx.store.enrollments.values() if e.course_id in courses
                  and (include_deleted or e.workflow_state != "deleted")}
        users = [u for u in users if u.id in member]
    rows: list[list[CellValue]] = [["user id", "user sis id", "user name", "last access at",
                                    "last ip"]]
    for user in users:
        if user.workflow_state == "deleted" and not include_deleted:
            continue
        rows.append([user.id, user.sis_user_id, user.sortable_name,
                     iso_or_blank(user.last_request_at), user.current_login_ip])
    return Output({"last_user_access": rows})


def last_enrollment_activity(ctx: Context) -> Output:
    ctx.term_text()
    ctx.course_text()
    courses = {c.id for c in ctx.courses(states=None)}
    ids = sorted({e.user_id for e in ctx.store.enrollments.values() if e.course_id in courses})
    rows: list[list[CellValue]] = [["user id", "user name", "last activity at"]]
    for uid in ids:
        user = ctx.store.users[uid]
        rows.append([user.id, user.sortable_name, iso_or_blank(user.last_request_at)])
    return Output({"last_enrollment_activity": rows})


def submission_window(ctx: Context) -> tuple[datetime, datetime]:
    """Canvas's two-week rule (``StudentReports#start_and_end_times``).

    Both given and more than two weeks apart: start moves to end minus 2 weeks; only start:
    end = start plus 2 weeks; only end: start = end minus 2 weeks; neither: the two weeks
    before the run. Every adjusted value is written back into ``parameters``.
    """
    start, end = ctx.datetime_param("start_at"), ctx.datetime_param("end_at")
    if start and end and end - start > TWO_WEEKS:
        start = end - TWO_WEEKS
        ctx.params["start_at"] = iso_or_blank(start)
    if start and not end:
        end = start + TWO_WEEKS
        ctx.params["end_at"] = iso_or_blank(end)
    if end and not start:
        start = end - TWO_WEEKS
        ctx.params["start_at"] = iso_or_blank(start)
    if start is None or end is None:  # neither was given
        start, end = ctx.now - TWO_WEEKS, ctx.now
        ctx.params["start_at"] = iso_or_blank(start)
        ctx.params["end_at"] = iso_or_blank(end)
    return start, end


def submission_times(store: Store) -> dict[tuple[int, int], list[datetime]]:
    """(course id, user id) → submission times, from classic and New Quiz attempts."""
    times: dict[tuple[int, int], list[datetime]] = {}
    for sub in store.quiz_submissions.values():
        quiz = store.quizzes.get(sub.quiz_id)
        if quiz is None or sub.user_id is None or sub.finished_at is None:
            continue
        times.setdefault((quiz.course_id, sub.user_id), []).append(sub.finished_at)
    for assignment in store.assignments.values():
        for sub in assignment.new_quiz_submissions:
            if sub.user_id is not None and sub.finished_at is not None:
                times.setdefault((assignment.course_id, sub.user_id), []).append(
                    sub.finished_at)
    return times


def students_with_no_submissions(ctx: Context) -> Output:
    start, end = submission_window(ctx)
    ctx.term_text()
    ctx.add_extra_text(f"Start At: {iso_or_blank(start)};")
    ctx.add_extra_text(f"End At: {iso_or_blank(end)};")
    ctx.course_text()
    include_state = ctx.params.get("include_enrollment_state") not in (None, "")
    raw_states = ctx.params.get("enrollment_state")
    states = None if raw_states in (None, "") else (
        raw_states if isinstance(raw_states, list) else str(raw_states).split(","))
    if states is not None and "all" in states:
        states = None
    if include_state:
        ctx.add_extra_text("Include Enrollment State: true;")
    ctx.add_extra_text(f"Enrollment States: {' '.join(states) if states else 'all'};")
    times = submission_times(ctx.store)
    header: list[CellValue] = ["user id", "user sis id", "user name", "section id",
                               "section sis id", "section name", "course id", "course sis id",
                               "course name"]
    if include_state:
        header.append("enrollment state")
    rows = [header]
    courses = {c.id: c for c in ctx.courses(states=("available", "unpublished", "completed"))}
    for enrollment in sorted(ctx.store.enrollments.values(), key=lambda e: (e.course_id, e.id)):
        course = courses.get(enrollment.course_id)
        if course is None or enrollment.type != "StudentEnrollment":
            continue
        if states is not None and enrollment.workflow_state not in states:
            continue
        submitted = times.get((course.id, enrollment.user_id), [])
        if any(start < moment < end for moment in submitted):
            continue
        user = ctx.store.users[enrollment.user_id]
        section = ctx.store.sections[enrollment.course_section_id]
        row: list[CellValue] = [user.id, user.sis_user_id, user.sortable_name, section.id,
                                section.sis_section_id, section.name, course.id,
                                course.sis_course_id, course.name]
        if include_state:
            row.append(enrollment.workflow_state)
        rows.append(row)
    return Output({"students_with_no_submissions": rows})


def zero_activity(ctx: Context) -> Output:
    """Active students without course activity after ``start_at`` (no window: Canvas uses
    ``start_at`` only here). Course activity is the user's last request in the seed."""
    ctx.term_text()
    start = ctx.datetime_param("start_at")
    if start:
        ctx.add_extra_text(f"Start At: {iso_or_blank(start)};")
    ctx.course_text()
    rows: list[list[CellValue]] = [["user id", "user sis id", "name", "section id",
                                    "section sis id", "section name", "course id",
                                    "course sis id", "course name"]]
    courses = {c.id: c for c in ctx.courses(states=("available",))}
    for enrollment in sorted(ctx.store.enrollments.values(), key=lambda e: (e.course_id, e.id)):
        course = courses.get(enrollment.course_id)
        if (course is None or enrollment.type != "StudentEnrollment"
                or enrollment.workflow_state != "active"):
            continue
        user = ctx.store.users[enrollment.user_id]
        last = user.last_request_at
        active = last is not None and (start is None or last > start)
        if active:
            continue
        section = ctx.store.sections[enrollment.course_section_id]
        rows.append([user.id, user.sis_user_id, user.sortable_name, section.id,
                     section.sis_section_id, section.name, course.id, course.sis_course_id,
                     course.name])
    return Output({"zero_activity": rows})


def user_access_tokens(ctx: Context) -> Output:
    ctx.include_deleted()
    rows: list[list[CellValue]] = [["user id", "user name", "token hint", "expiration",
                                    "last used", "dev key id", "dev key name"]]
    scope = {u.id for u in ctx.users_in_scope()}
    tokens = sorted((t for t in ctx.store.access_tokens.values() if t.user_id in scope),
                    key=lambda t: (t.user_id, t.created_at))
    for token in tokens:
        user = ctx.store.users[token.user_id]
        key = ctx.store.developer_keys.get(token.developer_key_id)
        rows.append([user.id, user.sortable_name, token.token[:5],
                     iso_or_blank(token.expires_at) or "never",
                     iso_or_blank(token.last_refreshed_at) or "never", token.developer_key_id,
                     key.name if key else None])
    return Output({"user_access_tokens": rows})


# ---------------------------------------------------------------- courses


COURSE_LIST_HEADER: list[CellValue] = ["id", "sis id", "short name", "name", "start date",
                                       "end date"]


def _course_list(ctx: Context, states: tuple[str, ...]) -> Output:
    ctx.term_text()
    rows = [COURSE_LIST_HEADER]
    rows += [[c.id, c.sis_course_id, c.course_code, c.name, None, None]
             for c in ctx.courses(states=states)]
    return Output({"courses": rows})


def unpublished_courses(ctx: Context) -> Output:
    return _course_list(ctx, ("unpublished",))


def recently_deleted_courses(ctx: Context) -> Output:
    return _course_list(ctx, ("deleted",))


def public_courses(ctx: Context) -> Output:
    # No seeded course is public.
    ctx.term_text()
    return Output({"courses": [COURSE_LIST_HEADER]})


def course_storage(ctx: Context) -> Output:
    ctx.term_text()
    rows: list[list[CellValue]] = [["id", "sis id", "short name", "name", "account id",
                                    "account sis id", "account name", "storage used in MB",
                                    "sum of all files in MB"]]
    for course in ctx.courses(states=("available", "unpublished", "completed")):
        account = ctx.store.accounts[course.account_id]
        size = sum(len(a.data) for a in ctx.store.attachments.values()
                   if a.context_type == "Course" and a.context_id == course.id)
        megabytes = round(size / 1024 / 1024, 2)
        rows.append([course.id, course.sis_course_id, course.course_code, course.name,
                     account.id, account.sis_account_id, account.name, megabytes, megabytes])
    return Output({"course_storage": rows})


def unused_courses(ctx: Context) -> Output:
    ctx.term_text()
    used = {q.course_id for q in ctx.store.quizzes.values()}
    used |= {a.course_id for a in ctx.store.assignments.values()}
    rows: list[list[CellValue]] = [["course id", "course sis id", "short name", "long name",
                                    "status", "created at"]]
    for course in ctx.courses(states=("available", "unpublished", "completed")):
        if course.id in used:
            continue
        rows.append([course.id, course.sis_course_id, course.course_code, course.name,
                     COURSE_STATE.get(course.workflow_state, course.workflow_state),
                     iso_or_blank(course.created_at)])
    return Output({"unused_courses": rows})


# ---------------------------------------------------------------- the rest of the catalogue


def _header_only(name: str, header: list[CellValue],
                 text: Callable[[Context], None] | None = None) -> Callable[[Context], Output]:
    """Reports whose subject the seed does not model: Canvas's header, no rows."""

    def generate(ctx: Context) -> Output:
        if text:
            text(ctx)
        return Output({name: [header]})

    return generate


def lti_report(ctx: Context) -> Output:
    ctx.include_deleted()
    rows: list[list[CellValue]] = [["context_type", "context_id", "account_name", "course_name",
                                    "tool_type_name", "tool_type_id", "tool_created_at",
                                    "privacy_level", "launch_url", "custom_fields"]]
    for deployment in sorted(ctx.store.deployments.values(), key=lambda d: d.deployment_id):
        key = ctx.store.developer_keys.get(deployment.developer_key_id)
        account = ctx.store.accounts.get(deployment.account_id)
        if key is None or account is None or deployment.account_id not in ctx.account_ids():
            continue
        config = key.lti_config or {}
        rows.append(["Account", account.id, account.name, None, key.name, key.id, None,
                     config.get("privacy_level", "public"), config.get("target_link_uri"),
                     None])
    return Output({"lti_report": rows})


def developer_key_report(ctx: Context) -> Output:
    rows: list[list[CellValue]] = [["Developer Key Name", "Developer Key ID", "Owner Email",
                                    "Type", "Status", "Active Tokens"]]
    for key in sorted(ctx.store.developer_keys.values(), key=lambda k: k.id):
        tokens = sum(1 for t in ctx.store.access_tokens.values()
                     if t.developer_key_id == key.id and not t.revoked)
        rows.append([key.name, key.client_id, None, "LTI" if key.kind == "lti" else "API",
                     key.workflow_state, tokens])
    return Output({"developer_keys": rows})


def _deleted_text(ctx: Context) -> None:
    ctx.include_deleted()


def _term_and_deleted(ctx: Context) -> None:
    ctx.term_text()
    ctx.include_deleted()


GENERATORS: dict[str, Callable[[Context], Output]] = {
    "provisioning_csv": provisioning,
    "sis_export_csv": sis_export,
    "grade_export_csv": grade_export,
    "mgp_grade_export_csv": mgp_grade_export,
    "last_user_access_csv": last_user_access,
    "last_enrollment_activity_csv": last_enrollment_activity,
    "students_with_no_submissions_csv": students_with_no_submissions,
    "zero_activity_csv": zero_activity,
    "user_access_tokens_csv": user_access_tokens,
    "unpublished_courses_csv": unpublished_courses,
    "recently_deleted_courses_csv": recently_deleted_courses,
    "public_courses_csv": public_courses,
    "course_storage_csv": course_storage,
    "unused_courses_csv": unused_courses,
    "lti_report_csv": lti_report,
    "developer_key_report_csv": developer_key_report,
    "eportfolio_report_csv": _header_only("eportfolio_report", [
        "eportfolio_id", "eportfolio_name", "author_id", "author_name", "author_sis_id",
        "created_at", "updated_at", "is_public", "workflow_state"], _deleted_text),
    "outcome_export_csv": _header_only("outcome_export", [
        "vendor_guid", "object_type", "title", "description", "display_name", "calculation_method",
        "calculation_int", "workflow_state", "parent_guids", "ratings"]),
    "outcome_results_csv": _header_only("outcome_results", [
        "student name", "student id", "student sis id", "assignment title", "assignment id",
        "assignment url", "course id", "course name", "course sis id", "section id",
        "section name", "section sis id", "assessment title", "assessment id", "assessment type",
        "submission date", "submission score", "learning outcome name", "learning outcome id",
        "attempt", "outcome score", "course id", "learning outcome points possible",
        "learning outcome mastered", "learning outcome rating",
        "learning outcome rating points", "account id", "account name", "enrollment state"],
        _term_and_deleted),
    "student_assignment_outcome_map_csv": _header_only("student_assignment_outcome_map", [
        "student name", "student id", "student sis id", "assignment title", "assignment id",
        "submission date", "submission score", "learning outcome name", "learning outcome id",
        "attempt", "outcome score", "course name", "course id", "course sis id", "section name",
        "section id", "section sis id", "assignment url", "learning outcome friendly name",
        "learning outcome points possible", "learning outcome mastery score",
        "learning outcome mastered", "learning outcome rating",
        "learning outcome rating points", "account id", "account name", "enrollment state"],
        _term_and_deleted),
}


def generate(store: Store, report: AccountReport, now: datetime) -> Output:
    """Run the report's generator (mutates ``report.parameters`` like Canvas does)."""
    return GENERATORS[report.report_type](Context(store, report, now))
