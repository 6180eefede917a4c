"""Human labels and short help for account report parameters (the report forms).

Canvas's ``available_reports`` only gives each parameter a developer's description ("Get
the Provisioning file for group_categories", "The canvas id of the term to get grades
from"). The forms show a label and a short help text from here instead: first the entry for
``(report, parameter)``, then the one for the parameter in any report, else the parameter's
name made readable (``no_enrollments`` → "No enrollments"). Choice values (sort orders,
enrollment states and types) have labels too. Every text is translated when rendered.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeAlias

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

Text: TypeAlias = LazyString | str


@dataclass(frozen=True)
class Label:
    text: Text
    help: Text = ""


# The SIS/Provisioning tables (one flag each); at least one must be chosen.
SIS_TABLES: tuple[str, ...] = (
    "users",
    "accounts",
    "terms",
    "courses",
    "sections",
    "enrollments",
    "groups",
    "group_categories",
    "group_membership",
    "xlist",
    "user_observers",
    "admins",
)
TABLE_REPORTS: frozenset[str] = frozenset({"provisioning_csv", "sis_export_csv"})

_BY_PARAMETER: Mapping[str, Label] = {
    "enrollment_term_id": Label(_l("Term"), _l("Only courses in this term.")),
    "enrollment_term": Label(_l("Term"), _l("Only courses in this term.")),
    "course_id": Label(_l("Course"), _l("Only this course.")),
    "course": Label(_l("Course"), _l("Only this course.")),
    "start_at": Label(_l("Start date")),
    "end_at": Label(_l("End date"), _l("Included in the report.")),
    "include_deleted": Label(_l("Include deleted items")),
    "order": Label(_l("Sort order")),
    "enrollment_filter": Label(_l("Enrollment types"), _l("None ticked: every type.")),
    "enrollment_states": Label(_l("Enrollment states"), _l("None ticked: every state.")),
    "enrollment_state": Label(_l("Enrollment states"), _l("None ticked: every state.")),
    "include_enrollment_state": Label(_l("Add a column with each enrollment's state")),
    "no_enrollments": Label(_l("Only users with no enrollments")),
    "created_by_sis": Label(_l("Only items created by SIS imports")),
    "users": Label(_l("Users")),
    "accounts": Label(_l("Accounts")),
    "terms": Label(_l("Terms")),
    "courses": Label(_l("Courses")),
    "sections": Label(_l("Sections")),
    "enrollments": Label(_l("Enrollments")),
    "groups": Label(_l("Groups")),
    "group_categories": Label(_l("Group sets")),
    "group_membership": Label(_l("Group memberships")),
    "xlist": Label(_l("Cross-listed sections")),
    "user_observers": Label(_l("Observers")),
    "admins": Label(_l("Admins")),
}

_BY_REPORT: Mapping[tuple[str, str], Label] = {
    ("course_storage_csv", "enrollment_term_id"): Label(
        _l("Term"), _l("Storage used by the courses of this term.")
    ),
    ("grade_export_csv", "enrollment_term_id"): Label(
        _l("Term"), _l("Grades of the courses in this term.")
    ),
    ("mgp_grade_export_csv", "enrollment_term_id"): Label(
        _l("Term"), _l("The term whose grading periods are exported.")
    ),
    ("last_enrollment_activity_csv", "course_id"): Label(
        _l("Course"), _l("Only this course's enrollments.")
    ),
    ("outcome_results_csv", "order"): Label(_l("Sort order"), _l("How the rows are sorted.")),
    ("students_with_no_submissions_csv", "start_at"): Label(
        _l("Start date"), _l("First day to look for submissions.")
    ),
    ("students_with_no_submissions_csv", "end_at"): Label(
        _l("End date"), _l("Last day to look for submissions (included).")
    ),
    ("zero_activity_csv", "start_at"): Label(
        _l("Activity since"), _l("No activity from this day until the report runs.")
    ),
    ("eportfolio_report_csv", "no_enrollments"): Label(
        _l("Only ePortfolios of users with no enrollments")
    ),
}

CHOICE_LABELS: Mapping[str, Text] = {
    # order (outcome results)
    "users": _l("By user"),
    "courses": _l("By course"),
    "outcomes": _l("By outcome"),
    # enrollment states (Canvas's Enrollment workflow states)
    "active": _l("Active"),
    "invited": _l("Invited"),
    "creation_pending": _l("Pending"),
    "completed": _l("Completed"),
    "inactive": _l("Inactive"),
    "deleted": _l("Deleted"),
    "rejected": _l("Rejected"),
    # enrollment types (Enrollment.valid_types)
    "StudentEnrollment": _l("Students"),
    "TeacherEnrollment": _l("Teachers"),
    "TaEnrollment": _l("TAs"),
    "DesignerEnrollment": _l("Designers"),
    "ObserverEnrollment": _l("Observers"),
    "StudentViewEnrollment": _l("Test students"),
}


def humanize(name: str) -> str:
    """``no_enrollments`` → ``No enrollments`` (the fallback for parameters we do not know)."""
    words = name.replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else name


def label_for(report: str, name: str) -> Label:
    """The label and help of parameter ``name`` of ``report``."""
    return _BY_REPORT.get((report, name)) or _BY_PARAMETER.get(name) or Label(humanize(name))


def choice_label(value: str) -> str:
    label = CHOICE_LABELS.get(value)
    return str(label) if label is not None else humanize(value)
