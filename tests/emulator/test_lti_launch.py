"""Whole launches, acting as a small tool: login initiation → authorize → verified id_token."""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit

import pytest
import requests

from emulator.lti.roles import (
    INSTITUTION_ADMIN,
    INSTITUTION_INSTRUCTOR,
    INSTITUTION_STUDENT,
    LIS,
    SYSTEM_USER,
)
from emulator.lti.tools import opaque_id
from emulator.testing import LiveEmulator
from tests.emulator.platform_support import (
    LAUNCH_URL,
    LOGIN_URL,
    acting_as,
    auth_request,
    extension,
    launch,
    login_initiation,
    placements,
    register,
    tool_config,
    tool_id,
)

CLAIM = "https://purl.imsglobal.org/spec/lti/claim"
INSTRUCTOR = f"{LIS}/membership#Instructor"
TA = f"{LIS}/membership/Instructor#TeachingAssistant"
DESIGNER = f"{LIS}/membership#ContentDeveloper"
LEARNER = f"{LIS}/membership#Learner"


def test_login_initiation_carries_every_parameter_canvas_sends(emulator: LiveEmulator) -> None:
    reg = register(emulator)
    result = launch(
        emulator, 3, f"/courses/101/external_tools/{tool_id(reg)}?launch_type=course_navigation",
        reg["client_id"],
    )  # fmt: skip
    initiation = result.initiation
    assert initiation.action == LOGIN_URL
    assert initiation.method == "POST"
    assert initiation.fields == {
        "iss": emulator.url,
        "login_hint": opaque_id("User", 3),
        "target_link_uri": LAUNCH_URL,
        "lti_message_hint": initiation.fields["lti_message_hint"],
        "client_id": reg["client_id"],
        "lti_deployment_id": reg["deployment_id"],
        "canvas_region": "unknown",
        "canvas_environment": "production",
        "lti_storage_target": "post_message_forwarding",
    }
    assert initiation.fields["lti_message_hint"].count(".") == 2  # a JWT


def test_authorize_redirect_sends_the_browser_to_authorize_with_the_same_parameters(
    emulator: LiveEmulator,
) -> None:
    reg = register(emulator)
    session = acting_as(emulator, 3)
    initiation = login_initiation(
        session, f"{emulator.url}/courses/101/external_tools/{tool_id(reg)}"
    )
    params = auth_request(initiation)
    response = session.post(
        f"{emulator.url}/api/lti/authorize_redirect", data=params, allow_redirects=False
    )
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}" == emulator.url
    assert location.path == "/api/lti/authorize"
    followed = session.get(response.headers["Location"])
    assert followed.status_code == 200
    assert 'name="id_token"' in followed.text


def test_course_navigation_teacher_launch_has_the_full_claim_set(emulator: LiveEmulator) -> None:
    reg = register(emulator)
    result = launch(
        emulator, 3, f"/courses/101/external_tools/{tool_id(reg)}?launch_type=course_navigation",
        reg["client_id"],
    )  # fmt: skip
    claims, store = result.claims, emulator.emulator.store
    course, user = store.courses[101], store.users[3]
    assert result.response_form.action == LAUNCH_URL
    assert result.response_form.fields["state"] == result.params["state"]
    assert result.response_form.fields["lti_storage_target"] == "post_message_forwarding"
    assert claims["iss"] == emulator.url
    assert claims["aud"] == claims["azp"] == reg["client_id"]
    assert claims["sub"] == user.lti_sub
    assert claims["exp"] == claims["iat"] + 3600
    assert claims["nonce"] == result.params["nonce"]
    assert claims[f"{CLAIM}/message_type"] == "LtiResourceLinkRequest"
    assert claims[f"{CLAIM}/version"] == "1.3.0"
    assert claims[f"{CLAIM}/deployment_id"] == reg["deployment_id"]
    assert claims[f"{CLAIM}/target_link_uri"] == LAUNCH_URL
    assert claims[f"{CLAIM}/resource_link"] == {
        "id": course.lti_context_id, "title": "Biology 101", "description": None,
    }  # fmt: skip
    assert claims[f"{CLAIM}/context"] == {
        "id": course.lti_context_id,
        "label": "BIO101",
        "title": "Biology 101",
        "type": ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"],
    }
    platform = claims[f"{CLAIM}/tool_platform"]
    assert platform["name"] == "State University"
    assert platform["product_family_code"] == "canvas"
    assert platform["guid"].endswith(":canvas-lms")
    assert claims[f"{CLAIM}/launch_presentation"] == {
        "document_target": "iframe",
        "return_url": f"{emulator.url}/courses/101/external_content/success/external_tool_redirect",
        "locale": "en",
    }  # no null height/width: Canvas sets them only when the tool configures a size
    assert claims["locale"] == "en"
    assert claims[f"{CLAIM}/roles"] == [INSTITUTION_INSTRUCTOR, INSTRUCTOR, SYSTEM_USER]
    assert claims[f"{CLAIM}/lis"] == {
        "person_sourcedid": user.sis_user_id,
        "course_offering_sourcedid": course.sis_course_id,
    }
    assert claims["https://www.instructure.com/placement"] == "course_navigation"
    assert claims["name"] == "Tina Teacher"
    assert claims["given_name"] == "Tina"
    assert claims["family_name"] == "Teacher"
    assert claims["email"] == user.email
    assert claims["picture"].startswith(emulator.url)
    assert claims[f"{CLAIM}/lti11_legacy_user_id"] == opaque_id("User", 3)
    assert claims[f"{CLAIM}/lti1p1"] == {"user_id": opaque_id("User", 3)}


@pytest.mark.parametrize(
    ("user_id", "expected_roles"),
    [
        (3, [INSTITUTION_INSTRUCTOR, INSTRUCTOR, SYSTEM_USER]),
        (4, [TA, INSTRUCTOR, SYSTEM_USER]),
        (5, [DESIGNER, SYSTEM_USER]),
        (1, [INSTITUTION_ADMIN, SYSTEM_USER]),
        (2, [INSTITUTION_ADMIN, SYSTEM_USER]),
    ],
)
def test_course_navigation_roles_per_user(
    emulator: LiveEmulator, user_id: int, expected_roles: list[str]
) -> None:
    reg = register(emulator)
    path = f"/courses/101/external_tools/{tool_id(reg)}?launch_type=course_navigation"
    claims = launch(emulator, user_id, path, reg["client_id"]).claims
    assert claims[f"{CLAIM}/roles"] == expected_roles


def test_students_get_the_not_authorized_page_for_admins_only_navigation(
    emulator: LiveEmulator,
) -> None:
    reg = register(emulator)
    session = acting_as(emulator, 10)
    page = session.get(
        f"{emulator.url}/courses/101/external_tools/{tool_id(reg)}?launch_type=course_navigation"
    )
    assert page.status_code == 401
    assert "Access Denied" in page.text
    assert "tool_form" not in page.text


def test_a_student_launches_a_members_placement_as_learner(emulator: LiveEmulator) -> None:
    config = tool_config()
    placements(config)[0]["visibility"] = "members"
    reg = register(emulator, config)
    path = f"/courses/101/external_tools/{tool_id(reg)}?launch_type=course_navigation"
    claims = launch(emulator, 10, path, reg["client_id"]).claims
    assert claims[f"{CLAIM}/roles"] == [INSTITUTION_STUDENT, LEARNER, SYSTEM_USER]
    assert claims[f"{CLAIM}/custom"]["canvas_membership_roles"] == "StudentEnrollment"


def test_account_navigation_has_the_account_as_context(emulator: LiveEmulator) -> None:
    reg = register(emulator)
    path = f"/accounts/1/external_tools/{tool_id(reg)}?launch_type=account_navigation"
    claims = launch(emulator, 1, path, reg["client_id"]).claims
    assert claims[f"{CLAIM}/context"] == {
        "id": opaque_id("Account", 1), "title": "State University", "type": ["Account"],
    }  # fmt: skip
    assert claims[f"{CLAIM}/roles"] == [INSTITUTION_ADMIN, SYSTEM_USER]
    assert claims["https://www.instructure.com/placement"] == "account_navigation"
    custom = claims[f"{CLAIM}/custom"]
    assert custom["canvas_account_id"] == "1"
    assert custom["canvas_course_id"] == "$Canvas.course.id"
    assert custom["canvas_membership_roles"] == "Account Admin"
    assert f"{CLAIM}/lis" not in claims or "course_offering_sourcedid" not in claims[f"{CLAIM}/lis"]


def test_a_sub_account_admin_launches_in_their_sub_account(emulator: LiveEmulator) -> None:
    reg = register(emulator)
    path = f"/accounts/2/external_tools/{tool_id(reg)}?launch_type=account_navigation"
    claims = launch(emulator, 2, path, reg["client_id"]).claims
    assert claims[f"{CLAIM}/custom"]["canvas_account_id"] == "2"
    assert claims[f"{CLAIM}/custom"]["canvas_root_account_id"] == "1"
    assert claims[f"{CLAIM}/custom"]["canvas_membership_roles"] == "Sub-Account Admin"


@pytest.mark.parametrize(("user_id", "account_id"), [(2, 3), (2, 1), (3, 2), (10, 1)])
def test_account_navigation_is_refused_outside_ones_admin_accounts(
    emulator: LiveEmulator, user_id: int, account_id: int
) -> None:
    reg = register(emulator)
    session = acting_as(emulator, user_id)
    page = session.get(
        f"{emulator.url}/accounts/{account_id}/external_tools/{tool_id(reg)}"
        "?launch_type=account_navigation"
    )
    assert page.status_code == 401


def test_quiz_menu_launch_is_a_plain_resource_link_launch(emulator: LiveEmulator) -> None:
    reg = register(emulator)
    path = f"/courses/101/external_tools/{tool_id(reg)}?launch_type=quiz_menu&quizzes[]=201"
    claims = launch(emulator, 3, path, reg["client_id"]).claims
    assert claims["https://www.instructure.com/placement"] == "quiz_menu"
    assert claims[f"{CLAIM}/custom"]["canvas_quiz_id"] == "$Canvas.quiz.id"
    assert claims[f"{CLAIM}/custom"]["canvas_assignment_id"] == "$Canvas.assignment.id"
    assert claims[f"{CLAIM}/resource_link"]["id"] == claims[f"{CLAIM}/context"]["id"]
    assert claims[f"{CLAIM}/target_link_uri"] == LAUNCH_URL


def test_assignment_menu_launch_leaves_the_assignment_variable_literal(
    emulator: LiveEmulator,
) -> None:
    reg = register(emulator)
    path = (
        f"/courses/101/external_tools/{tool_id(reg)}?launch_type=assignment_menu&assignments[]=301"
    )
    claims = launch(emulator, 3, path, reg["client_id"]).claims
    assert claims["https://www.instructure.com/placement"] == "assignment_menu"
    assert claims[f"{CLAIM}/custom"]["canvas_assignment_id"] == "$Canvas.assignment.id"


def test_assignment_view_expands_the_assignment_for_a_student(emulator: LiveEmulator) -> None:
    reg = register(emulator)
    path = (
        f"/courses/101/external_tools/{tool_id(reg)}?launch_type=assignment_view&assignments[]=301"
    )
    claims = launch(emulator, 10, path, reg["client_id"]).claims
    assert claims[f"{CLAIM}/custom"]["canvas_assignment_id"] == "301"
    assert claims[f"{CLAIM}/roles"][-2:] == [LEARNER, SYSTEM_USER]
    link = claims[f"{CLAIM}/resource_link"]
    assert link["title"] == "Genetics Check"  # @assignment&.title
    assert link["id"] != claims[f"{CLAIM}/context"]["id"]


def test_account_launch_resource_link_falls_back_to_the_account_name(
    emulator: LiveEmulator,
) -> None:
    reg = register(emulator)
    path = f"/accounts/2/external_tools/{tool_id(reg)}?launch_type=account_navigation"
    claims = launch(emulator, 2, path, reg["client_id"]).claims
    assert claims[f"{CLAIM}/resource_link"] == {
        "id": opaque_id("Account", 2), "title": "School of Science", "description": None,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("placement_size", "settings_size", "expected"),
    [({"selection_height": 500, "selection_width": "800px"}, {}, {"height": 500, "width": 800}),
     ({}, {"selection_height": "600"}, {"height": 600}),
     ({}, {}, {})],
)  # fmt: skip
def test_launch_presentation_sizes_only_when_configured(
    emulator: LiveEmulator,
    placement_size: dict[str, object],
    settings_size: dict[str, object],
    expected: dict[str, int],
) -> None:
    config = tool_config()
    placements(config)[0].update(placement_size)
    extension(config)["settings"].update(settings_size)
    reg = register(emulator, config)
    path = f"/courses/101/external_tools/{tool_id(reg)}?launch_type=course_navigation"
    presentation = launch(emulator, 3, path, reg["client_id"]).claims[
        f"{CLAIM}/launch_presentation"
    ]
    sizes = {k: v for k, v in presentation.items() if k in ("height", "width")}
    assert sizes == expected


def test_the_lti1p1_claim_only_when_the_legacy_user_id_differs(emulator: LiveEmulator) -> None:
    """canvas-lms ``JwtMessage#include_lti1p1_claims?``: lti_context_id != lti_id."""
    store = emulator.emulator.store
    store.users[3].lti_sub = opaque_id("User", 3)  # a user whose 1.3 id is its 1.1 id
    reg = register(emulator)
    path = f"/courses/101/external_tools/{tool_id(reg)}?launch_type=course_navigation"
    claims = launch(emulator, 3, path, reg["client_id"]).claims
    assert f"{CLAIM}/lti1p1" not in claims
    assert claims[f"{CLAIM}/lti11_legacy_user_id"] == opaque_id("User", 3)


@pytest.mark.parametrize(
    "query",
    [
        "launch_type=quiz_menu&quizzes[]=204",  # quiz of another course
        "launch_type=quiz_menu&quizzes[]=999999",
        "launch_type=assignment_menu&assignments[]=302",
        "launch_type=quiz_menu&quizzes[]=abc",
        "launch_type=editor_button",
    ],
)
def test_launches_of_unknown_items_or_placements_are_not_found(
    emulator: LiveEmulator, query: str
) -> None:
    reg = register(emulator)
    session = acting_as(emulator, 3)
    page = session.get(f"{emulator.url}/courses/101/external_tools/{tool_id(reg)}?{query}")
    assert page.status_code == 404


def test_menu_placements_are_for_course_staff_only(emulator: LiveEmulator) -> None:
    reg = register(emulator)
    session = acting_as(emulator, 10)
    page = session.get(
        f"{emulator.url}/courses/101/external_tools/{tool_id(reg)}?launch_type=quiz_menu&quizzes[]=201"
    )
    assert page.status_code == 401


def test_a_tool_may_be_named_by_client_id_and_unknown_tools_are_404(emulator: LiveEmulator) -> None:
    reg = register(emulator)
    session = acting_as(emulator, 3)
    assert (
        session.get(f"{emulator.url}/courses/101/external_tools/{reg['client_id']}").status_code
        == 200
    )
    assert session.get(f"{emulator.url}/courses/101/external_tools/424242").status_code == 404


def test_launch_pages_need_a_session(emulator: LiveEmulator) -> None:
    reg = register(emulator)
    page = requests.get(
        f"{emulator.url}/courses/101/external_tools/{tool_id(reg)}", allow_redirects=False
    )
    assert page.status_code == 302
    assert page.headers["Location"].startswith("/?return_to=")


@pytest.mark.parametrize(
    ("level", "present", "absent"),
    [
        ("anonymous", [], ["name", "email", "picture", "given_name"]),
        ("name_only", ["name", "given_name", "family_name"], ["email", "picture"]),
        ("email_only", ["email"], ["name", "picture"]),
        ("public", ["name", "email", "picture"], []),
    ],
)
def test_privacy_levels_decide_which_personal_claims_are_sent(
    emulator: LiveEmulator, level: str, present: list[str], absent: list[str]
) -> None:
    config = tool_config()
    extension(config)["privacy_level"] = level
    reg = register(emulator, config)
    claims = launch(
        emulator, 3, f"/courses/101/external_tools/{tool_id(reg)}", reg["client_id"]
    ).claims
    for name in present:
        assert name in claims
    for name in absent:
        assert name not in claims
    lis = claims.get(f"{CLAIM}/lis", {})
    assert ("person_sourcedid" in lis) is (level == "public")
    uuid.UUID(claims["sub"])  # always sent, whatever the level


def test_authorize_redirect_returns_to_the_host_the_browser_used(emulator: LiveEmulator) -> None:
    reg = register(emulator)
    port = emulator.url.rsplit(":", 1)[1]
    other = f"http://127.0.0.1:{port}"
    session = requests.Session()
    session.get(f"{other}/_emulator/login_as/3")
    initiation = login_initiation(session, f"{other}/courses/101/external_tools/{tool_id(reg)}")
    response = session.get(
        f"{emulator.url}/api/lti/authorize_redirect",
        params=auth_request(initiation),
        allow_redirects=False,
    )
    assert response.headers["Location"].startswith(f"{other}/api/lti/authorize?")
    followed = session.get(response.headers["Location"])
    assert 'name="id_token"' in followed.text
