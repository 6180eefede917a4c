"""The clickable Canvas shell renders for every seeded role and enforces who sees what."""

from __future__ import annotations

import json

import pytest
import requests

from emulator.testing import LiveEmulator
from tests.emulator.platform_support import TOOL_CONFIG, acting_as, register, tool_config, tool_id


def test_the_front_page_lists_people_to_act_as(emulator: LiveEmulator) -> None:
    page = requests.get(f"{emulator.url}/")
    assert page.status_code == 200
    for name in ("Ada Admin", "Sam Subadmin", "Tina Teacher", "Stu Student"):
        assert name in page.text
    assert "/_emulator/login_as/1?return_to=/" in page.text.replace("%2F", "/")


def test_login_as_sets_the_canvas_session_cookies(emulator: LiveEmulator) -> None:
    response = requests.get(f"{emulator.url}/_emulator/login_as/3", allow_redirects=False)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    cookies = response.raw.headers.getlist("Set-Cookie")
    lax = next(c for c in cookies if c.startswith("canvas_session="))
    xsite = next(c for c in cookies if c.startswith("canvas_session_xsite="))
    assert "SameSite=Lax" in lax
    assert "HttpOnly" in lax
    assert "SameSite=None" in xsite
    assert "Secure" in xsite


@pytest.mark.parametrize("return_to", ["https://evil.test/", "//evil.test/x"])
def test_login_as_never_redirects_off_site(emulator: LiveEmulator, return_to: str) -> None:
    response = requests.get(
        f"{emulator.url}/_emulator/login_as/3",
        params={"return_to": return_to},
        allow_redirects=False,
    )
    assert response.headers["Location"] == "/"


def test_login_as_an_unknown_user_is_404(emulator: LiveEmulator) -> None:
    assert requests.get(f"{emulator.url}/_emulator/login_as/999999").status_code == 404


def test_a_forged_session_cookie_is_ignored(emulator: LiveEmulator) -> None:
    page = requests.get(f"{emulator.url}/", cookies={"canvas_session": "eyJ1c2VyX2lkIjoxfQ.forged"})
    assert "Log in to Canvas" in page.text


@pytest.mark.parametrize(
    ("user_id", "courses", "admin"),
    [
        (1, [], True),
        (2, [], True),
        (3, ["Biology 101", "Chemistry 201", "Statistics 300 (large)"], False),
        (4, ["Biology 101"], False),
        (5, ["Biology 101"], False),
        (6, ["Art History"], False),
        (10, ["Biology 101"], False),
    ],
)
def test_the_dashboard_shows_each_users_courses_and_admin_accounts(
    emulator: LiveEmulator, user_id: int, courses: list[str], admin: bool
) -> None:
    page = acting_as(emulator, user_id).get(f"{emulator.url}/")
    assert page.status_code == 200
    assert f"Acting as <strong>{emulator.emulator.store.users[user_id].name}</strong>" in page.text
    for course in courses:
        assert course in page.text
    assert ('id="admin-heading"' in page.text) is admin


def test_logout_ends_the_session(emulator: LiveEmulator) -> None:
    session = acting_as(emulator, 3)
    session.get(f"{emulator.url}/logout")
    assert "Log in to Canvas" in session.get(f"{emulator.url}/").text


@pytest.mark.parametrize(
    ("user_id", "sees_tool"), [(3, True), (4, True), (5, True), (1, True), (10, False)]
)
def test_course_navigation_shows_the_tool_to_those_who_may_launch_it(
    emulator: LiveEmulator, user_id: int, sees_tool: bool
) -> None:
    reg = register(emulator)
    page = acting_as(emulator, user_id).get(f"{emulator.url}/courses/101")
    assert page.status_code == 200
    assert "Biology 101" in page.text
    for item in ("Home", "Assignments", "Quizzes"):
        assert f">{item}</a>" in page.text
    link = f"/courses/101/external_tools/{tool_id(reg)}?launch_type=course_navigation"
    assert (link in page.text) is sees_tool
    assert (">Reports</a>" in page.text) is sees_tool


def test_a_disabled_by_default_navigation_item_is_hidden(emulator: LiveEmulator) -> None:
    config = tool_config()
    config["extensions"][0]["settings"]["placements"][0]["default"] = "disabled"
    register(emulator, config)
    page = acting_as(emulator, 3).get(f"{emulator.url}/courses/101")
    assert ">Reports</a>" not in page.text


@pytest.mark.parametrize(("user_id", "status"), [(6, 401), (10, 200), (2, 200)])
def test_course_pages_need_an_enrollment_or_admin_rights(
    emulator: LiveEmulator, user_id: int, status: int
) -> None:
    page = acting_as(emulator, user_id).get(f"{emulator.url}/courses/101")
    assert page.status_code == status
    if status == 401:
        assert "Access Denied" in page.text


def test_unknown_courses_are_not_found_and_pages_need_a_session(emulator: LiveEmulator) -> None:
    assert acting_as(emulator, 3).get(f"{emulator.url}/courses/999999").status_code == 404
    anonymous = requests.get(f"{emulator.url}/courses/101/quizzes", allow_redirects=False)
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"].startswith("/?return_to=")


def test_the_quizzes_page_offers_the_tool_in_quiz_and_assignment_menus(
    emulator: LiveEmulator,
) -> None:
    reg = register(emulator)
    tool = tool_id(reg)
    page = acting_as(emulator, 3).get(f"{emulator.url}/courses/101/quizzes")
    assert page.status_code == 200
    assert "Cell Biology Midterm" in page.text
    assert "Genetics Check" in page.text
    assert (
        f"/courses/101/external_tools/{tool}?launch_type=quiz_menu&amp;quizzes[]=201" in page.text
    )
    assert (
        f"/courses/101/external_tools/{tool}?launch_type=assignment_menu&amp;assignments[]=301"
        in page.text
    )
    assert "Quiz analysis" in page.text
    assert "Renaissance Quiz" not in page.text  # another course's quiz


def test_students_see_quizzes_without_tool_menus(emulator: LiveEmulator) -> None:
    register(emulator)
    page = acting_as(emulator, 10).get(f"{emulator.url}/courses/101/quizzes")
    assert page.status_code == 200
    assert "Cell Biology Midterm" in page.text
    assert "launch_type=quiz_menu" not in page.text


def test_the_assignments_page_lists_new_quizzes_and_menus(emulator: LiveEmulator) -> None:
    reg = register(emulator)
    page = acting_as(emulator, 3).get(f"{emulator.url}/courses/101/assignments")
    assert page.status_code == 200
    assert "Genetics Check" in page.text
    assert "New Quiz" in page.text
    assert (
        f"external_tools/{tool_id(reg)}?launch_type=assignment_menu&amp;assignments[]=301"
        in page.text
    )
    assert "launch_type=assignment_view&amp;assignments[]=301" in page.text


def test_the_root_account_page_has_developer_keys_and_the_account_tool(
    emulator: LiveEmulator,
) -> None:
    reg = register(emulator)
    page = acting_as(emulator, 1).get(f"{emulator.url}/accounts/1")
    assert page.status_code == 200
    assert "State University" in page.text
    assert "School of Science" in page.text
    assert "Biology 101" in page.text
    assert ">Developer Keys</a>" in page.text
    assert f"/accounts/1/external_tools/{tool_id(reg)}?launch_type=account_navigation" in page.text
    assert ">Account Reports</a>" in page.text


def test_a_sub_account_admin_sees_only_their_sub_account(emulator: LiveEmulator) -> None:
    register(emulator)
    session = acting_as(emulator, 2)
    page = session.get(f"{emulator.url}/accounts/2")
    assert page.status_code == 200
    assert "Developer Keys" not in page.text
    assert ">Account Reports</a>" in page.text
    assert "Art History" not in page.text
    assert session.get(f"{emulator.url}/accounts/1").status_code == 401
    assert session.get(f"{emulator.url}/accounts/3").status_code == 401
    assert session.get(f"{emulator.url}/accounts/2/developer_keys").status_code == 404


def test_teachers_have_no_admin_pages(emulator: LiveEmulator) -> None:
    session = acting_as(emulator, 3)
    assert session.get(f"{emulator.url}/accounts/1").status_code == 401
    assert session.get(f"{emulator.url}/accounts/999").status_code == 404


def test_developer_keys_page_registers_pasted_json(emulator: LiveEmulator) -> None:
    session = acting_as(emulator, 1)
    page = session.get(f"{emulator.url}/accounts/1/developer_keys")
    assert page.status_code == 200
    assert "No developer keys yet." in page.text
    created = session.post(
        f"{emulator.url}/accounts/1/developer_keys",
        data={"lti_config": json.dumps(TOOL_CONFIG), "api_redirect_uris": "https://tool.test/cb\n"},
    )
    assert created.status_code == 200
    assert "Tool registered" in created.text
    keys = list(emulator.emulator.store.developer_keys.values())
    assert [k.kind for k in keys] == ["lti", "api"]
    assert keys[1].redirect_uris == ["https://tool.test/cb"]
    assert keys[0].client_id in created.text


def test_developer_keys_page_shows_every_error(emulator: LiveEmulator) -> None:
    session = acting_as(emulator, 1)
    bad_json = session.post(f"{emulator.url}/accounts/1/developer_keys", data={"lti_config": "{"})
    assert bad_json.status_code == 400
    assert "not valid JSON" in bad_json.text
    invalid = session.post(
        f"{emulator.url}/accounts/1/developer_keys", data={"lti_config": json.dumps({"title": "x"})}
    )
    assert invalid.status_code == 400
    assert "description is required" in invalid.text
    assert "privacy_level is required" in invalid.text
    assert emulator.emulator.store.developer_keys == {}


def test_developer_keys_can_be_turned_off_and_on(emulator: LiveEmulator) -> None:
    reg = register(emulator)
    session = acting_as(emulator, 1)
    url = f"{emulator.url}/accounts/1/developer_keys/{reg['client_id']}/toggle"
    page = session.post(url)
    assert page.status_code == 200
    key = next(k for k in emulator.emulator.store.developer_keys.values() if k.kind == "lti")
    assert key.workflow_state == "off"
    session.post(url)
    assert key.workflow_state == "on"
    assert session.post(f"{emulator.url}/accounts/1/developer_keys/1/toggle").status_code == 404


def test_the_launch_page_frames_the_tool_like_canvas(emulator: LiveEmulator) -> None:
    reg = register(emulator)
    page = acting_as(emulator, 3).get(
        f"{emulator.url}/courses/101/external_tools/{tool_id(reg)}?launch_type=course_navigation"
    )
    assert page.status_code == 200
    assert '<iframe name="tool_content"' in page.text
    assert 'target="tool_content"' in page.text
    assert 'name="post_message_forwarding"' in page.text
    assert 'src="/post_message_forwarding"' in page.text
    assert 'id="flash_message_holder"' in page.text
    assert 'role: "main_window"' in page.text
