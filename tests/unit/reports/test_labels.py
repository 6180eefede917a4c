"""Labels, order and validation of account report form fields (app/reports/labels.py, kinds.py)."""

from __future__ import annotations

import pytest

from app.reports.kinds import FormErrors, ParamKind, param_specs, validate
from app.reports.labels import choice_label, humanize, label_for

NO_SUBMISSIONS = {
    "include_enrollment_state": {},
    "end_at": {"required": True},
    "enrollment_state": {},
    "start_at": {"required": True},
    "course_id": {},
    "enrollment_term_id": {},
}
PROVISIONING = {"enrollment_term_id": {}, "users": {}, "courses": {}, "include_deleted": {}}


def test_fields_come_in_logical_order_start_before_end() -> None:
    names = [spec.name for spec in param_specs(NO_SUBMISSIONS)]
    assert names == [
        "enrollment_term_id",
        "course_id",
        "start_at",
        "end_at",
        "enrollment_state",
        "include_enrollment_state",
    ]


def test_enrollment_states_and_types_are_multiple_choices() -> None:
    specs = {s.name: s for s in param_specs({"enrollment_states": {}, "enrollment_filter": {}})}
    assert specs["enrollment_states"].kind is ParamKind.MULTI
    assert "creation_pending" in specs["enrollment_states"].choices
    assert specs["enrollment_filter"].choices[0] == "StudentEnrollment"


def test_labels_prefer_the_report_then_the_parameter_then_the_name() -> None:
    assert str(label_for("zero_activity_csv", "start_at").text) == "Activity since"
    assert str(label_for("grade_export_csv", "start_at").text) == "Start date"
    assert str(label_for("x_csv", "group_categories").text) == "Group sets"
    assert str(label_for("x_csv", "only_new_things").text) == "Only new things"
    assert humanize("") == ""
    assert choice_label("TaEnrollment") == "TAs"
    assert choice_label("odd_value") == "Odd value"


def test_every_problem_is_reported_at_once_per_field() -> None:
    with pytest.raises(FormErrors) as caught:
        validate(
            "students_with_no_submissions_csv",
            param_specs(NO_SUBMISSIONS),
            {"p_start_at": "2026-09-10", "p_end_at": "2026-09-01", "p_course_id": "BIO"},
        )
    assert caught.value.status == 400
    assert caught.value.errors == {
        "p_course_id": "Course must be a Canvas course id.",
        "p_end_at": "The end date is before the start date.",
    }


def test_too_long_a_range_is_an_error_on_the_end_date() -> None:
    with pytest.raises(FormErrors) as caught:
        validate(
            "students_with_no_submissions_csv",
            param_specs(NO_SUBMISSIONS),
            {"p_start_at": "2026-01-01", "p_end_at": "2029-01-01"},
        )
    assert caught.value.errors == {"p_end_at": "The date range is too long: at most two years."}


def test_table_reports_need_a_table_other_reports_do_not() -> None:
    specs = param_specs(PROVISIONING)
    with pytest.raises(FormErrors) as caught:
        validate("provisioning_csv", specs, {"p_include_deleted": "1"})
    assert caught.value.errors == {"p_tables": "Choose at least one table to export."}
    assert validate("provisioning_csv", specs, {"p_courses": "1"}) == {"courses": True}
    # Not a SIS/Provisioning export: the same flags are ordinary options.
    assert validate("other_csv", specs, {}) == {}


def test_multiple_choices_are_deduplicated_lists() -> None:
    specs = param_specs({"enrollment_states": {}})
    assert validate("provisioning_x", specs, {"p_enrollment_states": "active,active,deleted"}) == {
        "enrollment_states": ["active", "deleted"]
    }
