"""Reading facts from claims: quiz id resolution (lti-oauth.md 3.8), placement, locale."""

from __future__ import annotations

from typing import Any

import pytest

from app.lti import claims as c


def _claims(
    custom: dict[str, str] | None = None, target: str = "https://t/lti/launch", **extra: Any
) -> dict[str, Any]:
    return {c.CUSTOM: custom or {}, c.TARGET_LINK_URI: target, **extra}


@pytest.mark.parametrize(
    ("custom", "target", "expected"),
    [
        ({"canvas_assignment_id": "301"}, "https://t/lti/launch", c.QuizRef(assignment_id=301)),
        (
            {"canvas_assignment_id": "$Canvas.assignment.id", "canvas_quiz_id": "201"},
            "https://t/x",
            c.QuizRef(quiz_id=201),
        ),
        ({"quiz_id": "202"}, "https://t/x", c.QuizRef(quiz_id=202)),
        (
            {"canvas_quiz_id": "$Canvas.quiz.id"},
            "https://t/x?quizzes[]=203",
            c.QuizRef(quiz_id=203),
        ),
        ({}, "https://t/x?assignments%5B%5D=302", c.QuizRef(assignment_id=302)),
        ({}, "https://t/x?quiz_id=204", c.QuizRef(quiz_id=204)),
        ({}, "https://t/x?quiz_id=$Canvas.quiz.id", c.QuizRef()),
        ({}, "https://t/x?quizzes[]=abc", c.QuizRef()),
        ({"canvas_assignment_id": "0"}, "https://t/x", c.QuizRef()),
        ({}, "https://t/x", c.QuizRef()),
    ],
)
def test_resolve_quiz(custom: dict[str, str], target: str, expected: c.QuizRef) -> None:
    assert c.resolve_quiz(_claims(custom, target)) == expected


def test_placement_and_context_type() -> None:
    account = c.read_facts(
        _claims({"canvas_account_id": "1"}, **{c.PLACEMENT: "account_navigation"})
    )
    assert (account.placement, account.context_type, account.canvas_course_id) == (
        "account_navigation",
        "account",
        None,
    )
    quiz = c.read_facts(
        _claims(
            {"canvas_course_id": "101"}, "https://t/x?quizzes[]=201", **{c.PLACEMENT: "quiz_menu"}
        )
    )
    assert (quiz.context_type, quiz.canvas_course_id, quiz.quiz.quiz_id) == ("course", 101, 201)
    inferred = c.read_facts(_claims({"canvas_course_id": "101"}))
    assert inferred.placement == "course_navigation"
    assert c.landing_for("assignment_menu") == "quiz"
    assert c.landing_for("account_navigation") == "account"
    assert c.landing_for("course_navigation") == "course"


def test_locale_prefers_custom_then_presentation() -> None:
    assert c.read_facts(_claims({"canvas_user_locale": "de"})).locale == "de"
    presentation: dict[str, Any] = {c.LAUNCH_PRESENTATION: {"locale": "pt-BR"}}
    assert (
        c.read_facts(_claims({"canvas_user_locale": "$Message.locale"}, **presentation)).locale
        == "pt-BR"
    )
    assert c.read_facts(_claims()).locale == "en"


def test_name_falls_back_to_given_and_family() -> None:
    assert (
        c.read_facts(_claims(given_name="Ada", family_name="Lovelace")).user_name == "Ada Lovelace"
    )
