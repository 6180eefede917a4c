"""Custom-field expansion (reference 4) and the quiz-id switch of reference 3.8."""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit

import pytest
import requests

from emulator.lti.options import lti_options, set_quiz_id_mode
from emulator.testing import LiveEmulator
from tests.emulator.platform_support import (
    LAUNCH_URL,
    launch,
    placements,
    register,
    tool_config,
    tool_id,
)

CUSTOM = "https://purl.imsglobal.org/spec/lti/claim/custom"
TARGET = "https://purl.imsglobal.org/spec/lti/claim/target_link_uri"
LINK = "https://purl.imsglobal.org/spec/lti/claim/resource_link"


def _custom(live: LiveEmulator, user_id: int, path: str, config: dict | None = None) -> dict:  # type: ignore[type-arg]
    reg = register(live, config)
    claims = launch(live, user_id, path.format(tool=tool_id(reg)), reg["client_id"]).claims
    custom: dict[str, str] = claims[CUSTOM]
    return custom


def test_course_launch_expands_every_available_variable(emulator: LiveEmulator) -> None:
    custom = _custom(emulator, 3, "/courses/101/external_tools/{tool}")
    assert custom["canvas_api_base_url"] == emulator.url
    assert custom["canvas_api_domain"] == urlsplit(emulator.url).netloc
    assert custom["canvas_user_id"] == "3"
    assert custom["canvas_course_id"] == "101"
    assert custom["canvas_account_id"] == "2"  # the course's account
    assert custom["canvas_root_account_id"] == "1"
    assert custom["canvas_membership_roles"] == "TeacherEnrollment"
    assert custom["canvas_user_locale"] == "en"
    uuid.UUID(custom["canvas_post_message_token"])
    assert custom["plain"] == "not a variable"


def test_unavailable_and_unknown_variables_arrive_as_literals(emulator: LiveEmulator) -> None:
    custom = _custom(emulator, 3, "/courses/101/external_tools/{tool}")
    assert custom["canvas_assignment_id"] == "$Canvas.assignment.id"
    assert custom["unknown"] == "$Canvas.no.such.variable"


def test_an_admin_in_a_course_gets_the_admin_role_name(emulator: LiveEmulator) -> None:
    custom = _custom(emulator, 1, "/courses/101/external_tools/{tool}")
    assert custom["canvas_membership_roles"] == "Account Admin"


def test_per_placement_custom_fields_override_the_top_level(emulator: LiveEmulator) -> None:
    config = tool_config()
    placements(config)[0]["custom_fields"] = {
        "plain": "$Canvas.user.id",
        "extra": "$Canvas.course.id",
    }
    custom = _custom(emulator, 3, "/courses/101/external_tools/{tool}", config)
    assert custom["plain"] == "3"
    assert custom["extra"] == "101"


def test_the_user_locale_flows_into_claims_and_variables(emulator: LiveEmulator) -> None:
    emulator.emulator.store.users[3].locale = "pt-BR"
    reg = register(emulator)
    claims = launch(
        emulator, 3, f"/courses/101/external_tools/{tool_id(reg)}", reg["client_id"]
    ).claims
    assert claims["locale"] == "pt-BR"
    assert (
        claims["https://purl.imsglobal.org/spec/lti/claim/launch_presentation"]["locale"] == "pt-BR"
    )
    assert claims[CUSTOM]["canvas_user_locale"] == "pt-BR"


QUIZ = "/courses/101/external_tools/{tool}?launch_type=quiz_menu&quizzes[]=201"
NEW_QUIZ = "/courses/101/external_tools/{tool}?launch_type=assignment_menu&assignments[]=301"


def _launch_claims(live: LiveEmulator, path: str) -> dict:  # type: ignore[type-arg]
    reg = register(live)
    return launch(live, 3, path.format(tool=tool_id(reg)), reg["client_id"]).claims


def test_by_default_a_menu_launch_names_no_item_as_on_canvas(emulator: LiveEmulator) -> None:
    """Reference 3.8: Canvas's 1.3 menu launch reads no ``quizzes[]``/``assignments[]``."""
    assert lti_options(emulator.emulator).quiz_id_mode == "none"
    quiz = _launch_claims(emulator, QUIZ)
    assert quiz[CUSTOM]["canvas_quiz_id"] == "$Canvas.quiz.id"  # no such Canvas variable
    assert quiz[CUSTOM]["canvas_assignment_id"] == "$Canvas.assignment.id"
    assert quiz[TARGET] == LAUNCH_URL
    new_quiz = _launch_claims(emulator, NEW_QUIZ)
    assert new_quiz[CUSTOM]["canvas_assignment_id"] == "$Canvas.assignment.id"
    assert new_quiz[TARGET] == LAUNCH_URL


def test_no_claim_of_a_default_menu_launch_carries_the_selected_id(emulator: LiveEmulator) -> None:
    reg = register(emulator)
    store = emulator.emulator.store
    course = store.courses[101]
    for path in (QUIZ, NEW_QUIZ):
        claims = launch(emulator, 3, path.format(tool=tool_id(reg)), reg["client_id"]).claims
        assert claims[LINK] == {
            "id": course.lti_context_id,
            "title": course.name,
            "description": None,
        }
        leaves = _leaves(claims)
        assert not {"201", "301", 201, 301} & set(leaves)
        assert not any("quizzes" in str(v) or "assignments" in str(v) for v in leaves)


def _leaves(value: object) -> list[object]:
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in _leaves(v)]
    if isinstance(value, list):
        return [leaf for v in value for leaf in _leaves(v)]
    return [value]


def test_custom_mode_expands_quiz_and_assignment_ids(emulator: LiveEmulator) -> None:
    response = requests.post(f"{emulator.url}/_emulator/quiz_id_mode", json={"mode": "custom"})
    assert response.json() == {"mode": "custom"}
    quiz = _launch_claims(emulator, QUIZ)
    assert quiz[CUSTOM]["canvas_quiz_id"] == "201"
    assert quiz[TARGET] == LAUNCH_URL
    new_quiz = _launch_claims(emulator, NEW_QUIZ)
    assert new_quiz[CUSTOM]["canvas_assignment_id"] == "301"
    assert new_quiz[TARGET] == LAUNCH_URL


def test_target_link_uri_mode_carries_ids_only_in_the_query(emulator: LiveEmulator) -> None:
    response = requests.post(
        f"{emulator.url}/_emulator/quiz_id_mode", json={"mode": "target_link_uri"}
    )
    assert response.json() == {"mode": "target_link_uri"}
    quiz = _launch_claims(emulator, QUIZ)
    assert quiz[CUSTOM]["canvas_quiz_id"] == "$Canvas.quiz.id"
    assert quiz[TARGET] == f"{LAUNCH_URL}?quizzes%5B%5D=201"
    new_quiz = _launch_claims(emulator, NEW_QUIZ)
    assert new_quiz[CUSTOM]["canvas_assignment_id"] == "$Canvas.assignment.id"
    assert new_quiz[TARGET] == f"{LAUNCH_URL}?assignments%5B%5D=301"


def test_none_mode_carries_no_id_at_all(emulator: LiveEmulator) -> None:
    set_quiz_id_mode(emulator.emulator, "custom")
    set_quiz_id_mode(emulator.emulator, "none")
    quiz = _launch_claims(emulator, QUIZ)
    assert quiz[CUSTOM]["canvas_quiz_id"] == "$Canvas.quiz.id"
    assert quiz[TARGET] == LAUNCH_URL
    new_quiz = _launch_claims(emulator, NEW_QUIZ)
    assert new_quiz[CUSTOM]["canvas_assignment_id"] == "$Canvas.assignment.id"


def test_assignment_view_expands_the_assignment_in_every_mode(emulator: LiveEmulator) -> None:
    set_quiz_id_mode(emulator.emulator, "none")
    claims = _launch_claims(
        emulator, "/courses/101/external_tools/{tool}?launch_type=assignment_view&assignments[]=301"
    )
    assert claims[CUSTOM]["canvas_assignment_id"] == "301"


def test_a_menu_launch_without_an_item_expands_nothing(emulator: LiveEmulator) -> None:
    set_quiz_id_mode(emulator.emulator, "custom")
    claims = _launch_claims(emulator, "/courses/101/external_tools/{tool}?launch_type=quiz_menu")
    assert claims[CUSTOM]["canvas_quiz_id"] == "$Canvas.quiz.id"


@pytest.mark.parametrize("mode", ["", "sometimes"])
def test_the_quiz_id_switch_refuses_unknown_modes(emulator: LiveEmulator, mode: str) -> None:
    response = requests.post(f"{emulator.url}/_emulator/quiz_id_mode", json={"mode": mode})
    assert response.status_code == 400
    with pytest.raises(ValueError, match="quiz id mode"):
        set_quiz_id_mode(emulator.emulator, mode)
