"""The account report catalogue (reports-api.md §1.8; canvas-lms ``account_reports/engine.rb``).

Titles and parameter descriptions are Canvas's English defaults. ``parallel`` marks the reports
Canvas runs with parallel runners, which pass through ``compiling`` before completing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

TERM = "The canvas id of the term to get grades from"
TERM_OF_COURSES = "The canvas id of the term of courses to report on"
COURSE = "The course to report on"
INCLUDE_DELETED = "Include deleted objects"


@dataclass(frozen=True)
class ReportType:
    report: str
    title: str
    parameters: dict[str, tuple[bool, str]] | None  # name → (required, description)
    parallel: bool = False

    def parameters_json(self) -> dict[str, dict[str, Any]] | None:
        if self.parameters is None:
            return None
        return {name: {"required": required, "description": description}
                for name, (required, description) in self.parameters.items()}


def _sis_tables(kind: str) -> dict[str, tuple[bool, str]]:
    tables = {
        "users": f"Get the {kind} file for users",
        "accounts": f"Get the {kind} file for accounts",
        "terms": f"Get the {kind} file for terms",
        "courses": f"Get the {kind} file for courses",
        "sections": f"Get the {kind} file for sections",
        "enrollments": f"Get the {kind} file for enrollments",
        "groups": f"Get the {kind} file for groups",
        "group_categories": f"Get the {kind} file for group_categories",
        "group_membership": f"Get the {kind} file for group_membership",
        "xlist": f"Get the {kind} file for cross listed courses",
        "user_observers": f"Get the {kind} file for user_observers",
        "admins": f"Get the {kind} file for admins",
        "created_by_sis": "Only include objects that were created by sis",
        "include_deleted": INCLUDE_DELETED,
    }
    params = {"enrollment_term_id": (False, TERM_OF_COURSES)}
    params.update({name: (False, text) for name, text in tables.items()})
    return params


_PROVISIONING = _sis_tables("Provisioning")
_PROVISIONING["enrollment_filter"] = (
    False, "Include enrollment types, Options: 'StudentEnrollment', 'TeacherEnrollment', ...")
_PROVISIONING["enrollment_states"] = (
    False, "Include enrollment states, Options: 'active', 'invited', 'completed', ...")

CATALOGUE: tuple[ReportType, ...] = (
    ReportType("course_storage_csv", "Course Storage", {
        "enrollment_term_id": (False,
                               "The canvas id of the term to get courses from for storage report"),
    }),
    ReportType("developer_key_report_csv", "Developer Keys Report", None),
    ReportType("eportfolio_report_csv", "Eportfolio Report", {
        "no_enrollments": (False, "Only include eportfolios of users with no enrollments"),
        "include_deleted": (False, INCLUDE_DELETED),
    }),
    ReportType("grade_export_csv", "Grade Export", {
        "enrollment_term_id": (False, TERM),
        "include_deleted": (False, INCLUDE_DELETED),
    }, parallel=True),
    ReportType("last_enrollment_activity_csv", "Last Enrollment Activity", {
        "enrollment_term_id": (False, "The canvas id of the term's courses to get activity from"),
        "course_id": (False, "The course's enrollments to report on"),
    }),
    ReportType("last_user_access_csv", "Last User Access", {
        "enrollment_term_id": (False, TERM),
        "course_id": (False, COURSE),
        "include_deleted": (False, INCLUDE_DELETED),
    }),
    ReportType("lti_report_csv", "LTI Report", {"include_deleted": (False, INCLUDE_DELETED)}),
    ReportType("mgp_grade_export_csv", "Multiple Grading Periods Grade Export", {
        "enrollment_term_id": (True, TERM),
    }, parallel=True),
    ReportType("outcome_export_csv", "Outcome Export", None),
    ReportType("outcome_results_csv", "Outcome Results", {
        "enrollment_term_id": (False, TERM_OF_COURSES),
        "order": (False, "The sort order for the csv, Options: 'users', 'courses', 'outcomes'"),
        "include_deleted": (False, INCLUDE_DELETED),
    }),
    ReportType("provisioning_csv", "Provisioning", _PROVISIONING),
    ReportType("public_courses_csv", "Public Courses", {
        "enrollment_term_id": (False, "The canvas id of the term to get public courses from"),
    }),
    ReportType("recently_deleted_courses_csv", "Recently Deleted Courses", {
        "enrollment_term_id": (False, TERM),
    }),
    ReportType("sis_export_csv", "SIS Export", _sis_tables("SIS")),
    ReportType("student_assignment_outcome_map_csv", "Student Competency", {
        "enrollment_term_id": (False, TERM_OF_COURSES),
        "include_deleted": (False, INCLUDE_DELETED),
    }),
    ReportType("students_with_no_submissions_csv", "Students with no submissions", {
        "enrollment_term_id": (False, "The term to report on"),
        "course_id": (False, COURSE),
        "start_at": (True, "The beginning date for submissions. Max time range is 2 weeks."),
        "end_at": (True, "The end date for submissions. Max time range is 2 weeks."),
        "include_enrollment_state": (False, "Include enrollment state."),
        "enrollment_state": (False, "Enrollment states to include, defaults to 'all', Options "
                             "'active'|'invited'|'creation_pending'|'deleted'|'rejected'|"
                             "'completed'|'inactive'"),
    }),
    ReportType("unpublished_courses_csv", "Unpublished Courses", {
        "enrollment_term_id": (False,
                               "The canvas id of the term to get unpublished courses from"),
    }),
    ReportType("unused_courses_csv", "Unused Courses", {
        "enrollment_term_id": (False, "The canvas id of the term to get courses from"),
    }),
    ReportType("user_access_tokens_csv", "User Access Tokens", {
        "include_deleted": (False, INCLUDE_DELETED),
    }),
    ReportType("zero_activity_csv", "Zero Activity", {
        "enrollment_term_id": (False, TERM),
        "start_at": (False, "The first date in the date range, the second date is the time "
                     "the report is run."),
        "course_id": (False, COURSE),
    }),
)

BY_TYPE: dict[str, ReportType] = {r.report: r for r in CATALOGUE}


def titleize(report_type: str) -> str:
    """Rails ``titleize`` for failure messages: ``grade_export_csv`` → ``Grade Export Csv``."""
    return " ".join(word.capitalize() for word in report_type.split("_"))
