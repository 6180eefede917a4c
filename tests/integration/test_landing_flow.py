"""Landing where the user is: each placement opens its reports, the quiz placement its quiz.

Against the live emulator with a connected teacher (``world``): what the quiz placement opens
for every way Canvas may (or may not) name the item, the picker, Canvas calls per page,
error pages' way back and kept input, Canvas's refusals in plain words.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from urllib.parse import urlsplit

import pytest
from flask import Flask

from emulator import faults
from emulator.testing import LiveEmulator
from tests.integration.reports_harness import ADMIN_ROLES, TEACHER_ROLES, Actor, World, world_for

DESIGNER_ROLES = ["http://purl.imsglobal.org/vocab/lis/v2/membership#ContentDeveloper"]


@pytest.fixture
def world(app: Flask, emulator: LiveEmulator) -> Iterator[World]:
    yield from world_for(app, emulator)


def quiz_launch(world: World, **ids: int | None) -> Actor:
    return world.launch(
        3, roles=TEACHER_ROLES, course_id=101, placement="quiz_menu", name="Tina Teacher", **ids
    )


def h1(html: str) -> str:
    found = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    assert found is not None, html[:500]
    return " ".join(unescape(re.sub(r"<[^>]+>", "", found.group(1))).split())


def text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


# ------------------------------------------------------------------ the quiz placement


@pytest.mark.parametrize(
    ("ids", "title"),
    [
        ({"quiz_id": 201}, "Cell Biology Midterm"),  # a custom field or the target link
        ({"assignment_id": 311}, "Cell Biology Midterm"),  # a classic quiz's assignment
        ({"assignment_id": 301}, "Genetics Check"),  # a New Quiz
        ({"quiz_id": 205}, "Course Feedback Survey"),  # ungraded: no assignment at all
    ],
)
def test_a_named_quiz_opens_in_one_step_by_its_title(
    world: World, ids: dict[str, int], title: str
) -> None:
    page = quiz_launch(world, **ids).get("/quiz")
    assert page.status_code == 200, page.text
    assert h1(page.text) == title
    for bare_id in ("#201", "#311", "#301"):
        assert bare_id not in page.text


def test_a_classic_quiz_assignment_is_never_a_new_quiz(world: World) -> None:
    tina = quiz_launch(world, assignment_id=311)
    assert "Generate Item Analysis" in tina.get("/quiz").text  # the classic quiz's forms
    moved = tina.get("/reports/new_quiz/311")  # the old link of the issue
    assert moved.status_code == 303
    assert urlsplit(moved.headers["Location"]).path == "/reports/quiz/201"


@pytest.mark.parametrize(
    ("ids", "notice"),
    [
        ({}, None),
        ({"quiz_id": 999}, "The quiz Canvas named is not among this course's quizzes"),
        ({"assignment_id": 999}, "from an assignment this course does not list for you"),
        ({"quiz_id": 204}, "The quiz Canvas named is not among"),  # another course's quiz
    ],
)
def test_without_a_quiz_the_picker_lists_every_quiz_most_recent_first(
    world: World, ids: dict[str, int], notice: str | None
) -> None:
    page = quiz_launch(world, **ids).get("/quiz")
    assert page.status_code == 200
    assert h1(page.text) == "Choose a quiz"
    rows = re.findall(r'<tr data-quiz-kind="(\w+)" data-quiz-id="(\d+)">', page.text)
    # Genetics Check (New Quiz, due), then the classic quizzes by their assignments'
    # creation, then the ungraded survey (no date at all).
    assert rows == [("new", "301"), ("classic", "202"), ("classic", "201"), ("classic", "205")]
    table = text(page.text)
    assert "Genetics Check New Quiz" in table
    assert "Cell Biology Midterm Classic quiz No due date Yes 3" in table  # attempts allowed
    if notice is None:
        assert 'data-testid="quiz-notice"' not in page.text
    else:
        assert notice in unescape(page.text)


def test_the_picker_searches_titles_and_keeps_the_words(world: World) -> None:
    tina = quiz_launch(world)
    page = tina.get("/quiz?q=biology%20CELL")
    assert re.findall(r'data-quiz-id="(\d+)"', page.text) == ["201"]
    assert 'value="biology CELL"' in page.text
    empty = tina.get("/quiz?q=Calculus")
    assert "No quiz title contains “Calculus”." in unescape(empty.text)
    assert 'value="Calculus"' in empty.text


def test_picking_and_launch_pages_cost_no_canvas_call_for_titles(world: World) -> None:
    tina = quiz_launch(world)
    tina.get("/quiz")  # lists quizzes and assignments once
    before = world.canvas.count
    assert tina.get("/quiz").status_code == 200
    assert world.canvas.count == before  # the picker again: cached lists
    assert tina.get("/reports/quiz/201").status_code == 200
    assert world.canvas.count == before + 1  # the quiz's Canvas reports only, no title call
    assert tina.get("/reports/new_quiz/301").status_code == 200
    assert world.canvas.count == before + 1  # a New Quiz page: no Canvas call at all


def test_an_unknown_quiz_page_offers_the_picker(world: World) -> None:
    tina = quiz_launch(world)
    for path in ("/reports/quiz/999", "/reports/new_quiz/999", "/reports/new_quiz/201"):
        page = tina.get(path)
        assert page.status_code == 404, path
        assert h1(page.text) == "Choose a quiz", path
        assert 'data-testid="quiz-notice"' in page.text


def test_a_picked_bad_id_is_a_400_with_a_way_back(world: World) -> None:
    tina = quiz_launch(world)
    page = tina.get("/quiz?quiz_id=%C2%B2")
    assert page.status_code == 400
    assert "quiz_id must be a Canvas id." in page.text
    assert 'data-testid="home-link"' in page.text
    assert "<dt>quiz_id</dt><dd>²</dd>" in page.text  # what was sent, kept


# ------------------------------------------------------------------ course and account


def test_course_navigation_opens_the_course_reports_with_its_quizzes(world: World) -> None:
    tina = world.launch(3, roles=TEACHER_ROLES, course_id=101, name="Tina Teacher")
    page = tina.get("/course")
    assert page.status_code == 200
    assert h1(page.text) == "Course reports"
    assert f"/reports/quiz/201?lt={tina.token}" in page.text
    assert "Export course pace" in page.text


def test_account_navigation_opens_the_catalogue(world: World) -> None:
    ada = world.launch(1, roles=ADMIN_ROLES, canvas_roles=["Account Admin"], account_id=1)
    page = ada.get("/account")
    assert page.status_code == 200
    assert h1(page.text) == "Account reports"
    assert "Students with no submissions" in page.text


# ------------------------------------------------------------------ error pages


def test_canvas_refusal_is_said_in_plain_words(world: World) -> None:
    dana = world.launch(5, roles=DESIGNER_ROLES, course_id=101, placement="quiz_menu",
                        quiz_id=201)  # fmt: skip
    page = dana.get("/quiz")  # designers may not read quiz statistics in Canvas
    assert page.status_code == 403
    assert "user not authorized" not in page.text
    assert (
        "Canvas does not allow you to see this quiz&#39;s reports. If you need to, ask your "
        "Canvas admin to give your role that permission." in page.text
    )
    home = re.search(r'href="([^"]+)" data-testid="home-link"', page.text)
    assert home is not None
    assert unescape(home.group(1)) == f"/quiz?lt={dana.token}"


def test_error_page_goes_back_to_the_tool_page_the_user_came_from(world: World) -> None:
    tina = world.launch(3, roles=TEACHER_ROLES, course_id=101)
    came_from = f"http://localhost/reports/course?lt={tina.token}"
    page = tina.get("/reports/nothing-here", headers={"Referer": came_from})
    assert page.status_code == 404
    back = re.search(r'href="([^"]+)" data-testid="back-link"', page.text)
    assert back is not None
    assert unescape(back.group(1)) == f"/reports/course?lt={tina.token}"
    assert tina.get(unescape(back.group(1))[: -len(f"?lt={tina.token}")]).status_code == 200


@pytest.mark.parametrize(
    "referer",
    [
        "https://evil.example/reports/course",  # another site
        "http://localhost//evil.example/reports/course",  # protocol-relative
        "http://localhost/lti/login?x=1",  # not a page to go back to
        "http://localhost/reports/../lti/launch",  # dot segments
    ],
)
def test_error_page_never_goes_back_off_the_tool(world: World, referer: str) -> None:
    tina = world.launch(3, roles=TEACHER_ROLES, course_id=101)
    page = tina.get("/reports/nothing-here", headers={"Referer": referer})
    assert 'data-testid="back-link"' not in page.text
    assert 'data-testid="home-link"' in page.text


def test_a_failed_form_keeps_what_was_sent_and_can_send_it_again(world: World) -> None:
    tina = world.launch(3, roles=TEACHER_ROLES, course_id=101)
    sent = {"next": "https://evil.example/", "comment": "my words"}
    page = tina.post("/reports/jobs/1/abort", sent)
    assert page.status_code == 400
    assert "<dt>next</dt><dd>https://evil.example/</dd>" in page.text
    assert "<dt>comment</dt><dd>my words</dd>" in page.text
    assert "<dt>lt</dt>" not in page.text  # the launch token is never shown as input
    assert page.text.count(f'value="{tina.token}"') == 1  # the resend form's own lt only
    form = re.search(r'<form method="post" action="/reports/jobs/1/abort">(.*?)</form>',
                     page.text, re.S)  # fmt: skip
    assert form is not None
    assert f'name="lt" value="{tina.token}"' in form.group(1)
    assert 'name="comment" value="my words"' in form.group(1)
    assert 'data-testid="home-link"' in page.text


def test_without_a_launch_the_error_page_says_how_to_come_back(world: World) -> None:
    page = world.app.test_client().get("/reports/course")
    assert page.status_code == 403
    assert "Open Canvas Reports again from Canvas" in page.text
    assert 'data-testid="home-link"' not in page.text


def test_canvas_faults_on_the_lists_are_pages_with_a_way_back(world: World) -> None:
    faults.add_route_fault(world.live.emulator, "error", r"^/api/v1/courses/101/quizzes$",
                           status=500)  # fmt: skip
    tina = quiz_launch(world)
    page = tina.get("/quiz")
    assert page.status_code >= 500
    assert 'data-testid="home-link"' in page.text


def test_a_missing_report_page_offers_the_way_back(world: World) -> None:
    tina = world.launch(3, roles=TEACHER_ROLES, course_id=101)
    came_from = f"http://localhost/reports/course?lt={tina.token}"
    page = tina.get("/reports/jobs/12345", headers={"Referer": came_from})
    assert page.status_code == 404
    assert 'data-testid="back-link"' in page.text
    assert f'href="/course?lt={tina.token}" data-testid="home-link"' in page.text


def test_a_failing_page_does_not_offer_itself_as_the_way_back(world: World) -> None:
    tina = quiz_launch(world)
    here = f"http://localhost/quiz?quiz_id=abc&lt={tina.token}"
    page = tina.http.get(here.removeprefix("http://localhost"), headers={"Referer": here})
    assert page.status_code == 400
    assert 'data-testid="back-link"' not in page.text
    assert f'href="/quiz?lt={tina.token}" data-testid="home-link"' in page.text


def test_a_too_large_form_gets_its_page_without_reading_the_body(world: World) -> None:
    tina = world.launch(3, roles=TEACHER_ROLES, course_id=101)
    page = tina.http.post(
        "/reports/course/course_pace_docx", data={"lt": tina.token, "big": "x" * 1_100_000}
    )
    assert page.status_code == 413
    assert "The request is too large." in page.text
    assert 'data-testid="kept-input"' not in page.text
    assert 'data-testid="way-back"' in page.text


def test_kept_input_never_shows_credentials_or_lti_fields(world: World) -> None:
    tina = world.launch(3, roles=TEACHER_ROLES, course_id=101)
    sent = {"next": "https://evil.example/", "id_token": "eyJ.secret", "state": "s3cret"}
    page = tina.post("/reports/jobs/1/abort", sent)
    assert page.status_code == 400
    assert "eyJ.secret" not in page.text
    assert "s3cret" not in page.text
    assert "<dt>next</dt>" in page.text
    launch = world.app.test_client().post("/lti/launch", data={"id_token": "x.y.z", "q": "kept?"})
    assert launch.status_code == 400
    assert 'data-testid="kept-input"' not in launch.get_data(as_text=True)
