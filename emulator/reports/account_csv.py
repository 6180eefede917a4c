"""Account report files built from the seeded store (reports-api.md §1.4, §1.9).

Each generator returns an ``Output``: one CSV, several named CSVs (zipped by the caller, as
Canvas does for multi-table provisioning/SIS exports), or nothing (the report ends in
``error``). Generators also append Canvas's ``extra_text`` fragments ("Term: All Terms;").
Headers are exactly Canvas's; rows are what the seed holds. The generators live per report
family: ``account_sis`` (provisioning / SIS export), ``account_activity`` (grades, access,
submissions), ``account_lists`` (course lists, storage, LTI, keys, header-only reports);
``account_context`` holds what they share. This module is the registry.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from emulator.reports.account_activity import (
    grade_export,
    last_enrollment_activity,
    last_user_access,
    mgp_grade_export,
    students_with_no_submissions,
    user_access_tokens,
    zero_activity,
)
from emulator.reports.account_context import (
    CellValue,
    Context,
    Output,
    iso_or_blank,
    resolve_term_ids,
    to_csv,
    value_to_boolean,
)
from emulator.reports.account_lists import (
    course_storage,
    deleted_text,
    developer_key_report,
    header_only,
    lti_report,
    public_courses,
    recently_deleted_courses,
    term_and_deleted,
    unpublished_courses,
    unused_courses,
)
from emulator.reports.account_sis import provisioning, sis_export
from emulator.store import AccountReport, Store

__all__ = [
    "GENERATORS",
    "CellValue",
    "Context",
    "Output",
    "generate",
    "iso_or_blank",
    "resolve_term_ids",
    "to_csv",
    "value_to_boolean",
]


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
    "eportfolio_report_csv": header_only("eportfolio_report", [
        "eportfolio_id", "eportfolio_name", "author_id", "author_name", "author_sis_id",
        "created_at", "updated_at", "is_public", "workflow_state"], deleted_text),
    "outcome_export_csv": header_only("outcome_export", [
        "vendor_guid", "object_type", "title", "description", "display_name", "calculation_method",
        "calculation_int", "workflow_state", "parent_guids", "ratings"]),
    "outcome_results_csv": header_only("outcome_results", [
        "student name", "student id", "student sis id", "assignment title", "assignment id",
        "assignment url", "course id", "course name", "course sis id", "section id",
        "section name", "section sis id", "assessment title", "assessment id", "assessment type",
        "submission date", "submission score", "learning outcome name", "learning outcome id",
        "attempt", "outcome score", "course id", "learning outcome points possible",
        "learning outcome mastered", "learning outcome rating",
        "learning outcome rating points", "account id", "account name", "enrollment state"],
        term_and_deleted),
    "student_assignment_outcome_map_csv": header_only("student_assignment_outcome_map", [
        "student name", "student id", "student sis id", "assignment title", "assignment id",
        "submission date", "submission score", "learning outcome name", "learning outcome id",
        "attempt", "outcome score", "course name", "course id", "course sis id", "section name",
        "section id", "section sis id", "assignment url", "learning outcome friendly name",
        "learning outcome points possible", "learning outcome mastery score",
        "learning outcome mastered", "learning outcome rating",
        "learning outcome rating points", "account id", "account name", "enrollment state"],
        term_and_deleted),
}


def generate(store: Store, report: AccountReport, now: datetime) -> Output:
    """Run the report's generator (mutates ``report.parameters`` like Canvas does)."""
    return GENERATORS[report.report_type](Context(store, report, now))
