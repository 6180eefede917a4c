"""The natural key of each CSV report: the columns that name one row across two runs.

A report type maps to candidate keys tried in order; the first whose columns are all in the
file's header wins. Multi-table reports (Provisioning, SIS Export) list one candidate per
table, most specific first, because their tables share columns (an enrollment row also has
a section and a course id). Column names are Canvas's own headers (canvas-lms
``account_reports`` ``sis_exporter.rb``, ``grade_reporter.rb``, ``report_helper.rb``; the
emulator writes the same headers, ``tests/unit/reports/test_diff_keys.py`` checks every
candidate against them). docs/reports.md ("What changed") lists the table for admins.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _

from app.errors import BadRequest

Key = tuple[str, ...]

_PROVISIONING: tuple[Key, ...] = (
    ("canvas_enrollment_id",),
    ("canvas_group_id", "canvas_user_id"),  # group_membership
    ("canvas_observer_id", "canvas_student_id"),  # user_observers
    ("canvas_xlist_course_id", "canvas_section_id"),  # xlist
    ("canvas_user_id", "canvas_account_id", "role_id"),  # admins
    ("canvas_section_id",),
    ("canvas_group_category_id",),
    ("canvas_group_id",),
    ("canvas_course_id",),
    ("canvas_user_id",),
    ("canvas_account_id",),
    ("canvas_term_id",),
)
_SIS_EXPORT: tuple[Key, ...] = (
    ("course_id", "user_id", "role_id", "section_id", "associated_user_id"),  # enrollments
    ("group_id", "user_id"),  # group_membership
    ("observer_id", "student_id"),  # user_observers
    ("xlist_course_id", "section_id"),  # xlist
    ("user_id", "account_id", "role_id"),  # admins
    ("section_id",),
    ("group_category_id",),
    ("group_id",),
    ("course_id",),
    ("user_id",),
    ("account_id",),
    ("term_id",),
)
_ENROLMENT_ROW: Key = ("user id", "section id")
_OUTCOME_ROW: Key = ("student id", "assignment id", "learning outcome id", "attempt")

NATURAL_KEYS: dict[str, tuple[Key, ...]] = {
    "provisioning_csv": _PROVISIONING,
    "sis_export_csv": _SIS_EXPORT,
    "grade_export_csv": (("student id", "section id"),),
    "mgp_grade_export_csv": (("student id", "section id"),),
    "last_user_access_csv": (("user id",),),
    "last_enrollment_activity_csv": (("user id",),),
    "students_with_no_submissions_csv": (_ENROLMENT_ROW,),
    "zero_activity_csv": (_ENROLMENT_ROW,),
    "user_access_tokens_csv": (("user id", "token hint", "dev key id"),),
    "unpublished_courses_csv": (("id",),),
    "recently_deleted_courses_csv": (("id",),),
    "public_courses_csv": (("id",),),
    "course_storage_csv": (("id",),),
    "unused_courses_csv": (("course id",),),
    "lti_report_csv": (("context_type", "context_id", "tool_type_id"),),
    "developer_key_report_csv": (("Developer Key ID",),),
    "eportfolio_report_csv": (("eportfolio_id",),),
    "outcome_export_csv": (("vendor_guid",),),
    "outcome_results_csv": (_OUTCOME_ROW,),
    "student_assignment_outcome_map_csv": (_OUTCOME_ROW,),
    # Classic quiz reports (reports-api.md §3): a student's row per attempt, a question's row.
    "student_analysis": (("id", "attempt"), ("id",)),
    "item_analysis": (("Question Id",),),
}


def diffable(report_type: str) -> bool:
    """Whether the tool knows a natural key for ``report_type``."""
    return report_type in NATURAL_KEYS


def key_columns(report_type: str, header: Sequence[str]) -> Key:
    """The natural key of ``report_type`` found in ``header``.

    Raises:
        BadRequest: no key known for the report type, or none of its keys is in the header.
    """
    candidates = NATURAL_KEYS.get(report_type)
    if candidates is None:
        raise BadRequest(_("The tool cannot compare runs of this report: it has no row key."))
    present = set(header)
    for key in candidates:
        if present.issuperset(key):
            return key
    raise BadRequest(
        _(
            "These files do not have the columns that identify a row (%(columns)s).",
            columns=", ".join(candidates[0]),
        )
    )
