from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.errors import BadRequest
from app.reports.kinds import (
    ParamKind,
    is_date_bounded,
    param_specs,
    parse_parameters,
    split_parameters,
    split_range,
)

NO_SUBMISSIONS = {
    "enrollment_term_id": {"required": False, "description": "The canvas id of the term"},
    "course_id": {"required": False, "description": "The course to report on"},
    "start_at": {"required": True, "description": "The beginning date"},
    "end_at": {"required": True, "description": "The end date"},
    "include_enrollment_state": {"required": False, "description": "Include enrollment state"},
}


def test_specs_take_kinds_from_parameter_names() -> None:
    kinds = {spec.name: spec.kind for spec in param_specs(NO_SUBMISSIONS)}
    assert kinds == {
        "enrollment_term_id": ParamKind.TERM,
        "course_id": ParamKind.COURSE,
        "start_at": ParamKind.DATE,
        "end_at": ParamKind.DATE,
        "include_enrollment_state": ParamKind.BOOLEAN,
    }


def test_null_parameters_give_no_fields() -> None:
    assert param_specs(None) == []


def test_reports_with_start_and_end_are_date_bounded() -> None:
    assert is_date_bounded(param_specs(NO_SUBMISSIONS))
    assert not is_date_bounded(param_specs({"start_at": {}}))


def test_unchecked_flags_are_omitted_not_sent_as_false() -> None:
    specs = param_specs({"users": {}, "courses": {}, "skip_message": {}})
    assert parse_parameters(specs, {"p_users": "1"}) == {"users": True}


def test_values_are_typed() -> None:
    form = {
        "p_enrollment_term_id": "2",
        "p_course_id": "101",
        "p_start_at": "2026-09-01",
        "p_end_at": "2026-09-10",
    }
    assert parse_parameters(param_specs(NO_SUBMISSIONS), form) == {
        "enrollment_term_id": 2,
        "course_id": 101,
        "start_at": "2026-09-01",
        "end_at": "2026-09-10",
    }


def test_active_terms_is_accepted() -> None:
    specs = param_specs({"enrollment_term_id": {}})
    assert parse_parameters(specs, {"p_enrollment_term_id": "active_terms"}) == {
        "enrollment_term_id": "active_terms"
    }


@pytest.mark.parametrize(
    "form",
    [
        {"p_start_at": "2026-09-01"},  # end_at required
        {"p_start_at": "yesterday", "p_end_at": "2026-09-02"},
        {"p_start_at": "2026-09-01", "p_end_at": "2026-09-02", "p_course_id": "BIO"},
        {"p_start_at": "2026-09-01", "p_end_at": "2026-09-02", "p_enrollment_term_id": "x"},
    ],
)
def test_bad_values_are_refused(form: dict[str, str]) -> None:
    with pytest.raises(BadRequest):
        parse_parameters(param_specs(NO_SUBMISSIONS), form)


def test_choices_are_checked() -> None:
    specs = param_specs({"order": {}})
    assert parse_parameters(specs, {"p_order": "users"}) == {"order": "users"}
    with pytest.raises(BadRequest):
        parse_parameters(specs, {"p_order": "sideways"})


def test_split_range_covers_every_day_once_in_two_week_pieces() -> None:
    pieces = split_range(date(2026, 9, 1), date(2026, 10, 5))
    assert [(p.start.isoformat(), p.end.isoformat()) for p in pieces] == [
        ("2026-09-01", "2026-09-14"),
        ("2026-09-15", "2026-09-28"),
        ("2026-09-29", "2026-10-05"),
    ]


def test_exactly_two_weeks_is_one_run() -> None:
    assert len(split_range(date(2026, 9, 1), date(2026, 9, 14))) == 1
    assert len(split_range(date(2026, 9, 1), date(2026, 9, 15))) == 2


def test_reversed_range_is_refused() -> None:
    with pytest.raises(BadRequest):
        split_range(date(2026, 9, 2), date(2026, 9, 1))


def test_split_parameters_keeps_other_parameters() -> None:
    runs = split_parameters({"start_at": "2026-09-01", "end_at": "2026-09-20", "course_id": 101})
    assert runs == [
        {"start_at": "2026-09-01T00:00:00", "end_at": "2026-09-15T00:00:00", "course_id": 101},
        {"start_at": "2026-09-15T00:00:00", "end_at": "2026-09-21T00:00:00", "course_id": 101},
    ]


def test_a_short_range_is_one_run_ending_after_its_last_day() -> None:
    assert split_parameters({"start_at": "2026-09-01", "end_at": "2026-09-01"}) == [
        {"start_at": "2026-09-01T00:00:00", "end_at": "2026-09-02T00:00:00"}
    ]


def test_without_dates_nothing_is_split() -> None:
    assert split_parameters({"users": True}) == [{"users": True}]


@given(
    start=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 1, 1)),
    days=st.integers(min_value=0, max_value=400),
)
def test_split_pieces_tile_the_range_in_at_most_two_weeks(start: date, days: int) -> None:
    end = start + timedelta(days=days)
    pieces = split_range(start, end)
    assert pieces[0].start == start
    assert pieces[-1].end == end
    for piece in pieces:
        assert 0 <= (piece.end - piece.start).days < 14
    for before, after in itertools.pairwise(pieces):
        assert after.start == before.end + timedelta(days=1)
    assert len(pieces) == days // 14 + 1
