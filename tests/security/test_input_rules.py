"""Bad input gets one exact 4xx with a clear message, and changes nothing (issue 13, point 5).

Against the live emulator (``reports_harness``): every refusal is checked for its status, its
message, the job rows (status unchanged, none added) and Canvas (the requests the emulator
answered, by path: none made with the refused value, none at all where the rule is checked
first).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask

from app.inputs import MAX_ID
from app.reports.status import JobStatus
from emulator import faults
from emulator.testing import LiveEmulator
from tests.integration.reports_harness import ADMIN_ROLES, TEACHER_ROLES, Actor, World, world_for

IDS_MESSAGE = "ids must be a comma-separated list of job ids."
NEXT_MESSAGE = "next must be a path of this tool under /reports/ (no control characters)."
NOT_OFFERED = "This account does not offer the report"


class CanvasPaths:
    """WSGI middleware on the emulator: the path (and query) of every Canvas API request."""

    def __init__(self, wsgi: Any) -> None:
        self.wsgi = wsgi
        self.seen: list[str] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        if not path.startswith("/_emulator/"):
            raw = environ.get("RAW_URI") or environ.get("REQUEST_URI") or path
            self.seen.append(f"{environ.get('REQUEST_METHOD')} {path} {raw}")
        return self.wsgi(environ, start_response)

    def since(self, mark: int) -> list[str]:
        return self.seen[mark:]


@pytest.fixture
def world(app: Flask, emulator: LiveEmulator) -> Iterator[World]:
    yield from world_for(app, emulator)


@pytest.fixture
def canvas(world: World) -> CanvasPaths:
    paths = CanvasPaths(world.live.app.wsgi_app)
    world.live.app.wsgi_app = paths  # type: ignore[method-assign]
    return paths


def admin(world: World) -> Actor:
    return world.launch(1, roles=ADMIN_ROLES, canvas_roles=["Account Admin"], account_id=1)


def quiz_teacher(world: World) -> Actor:
    return world.launch(3, roles=TEACHER_ROLES, course_id=101, placement="quiz_menu")


# ---------------------------------------------------------------- ids: ASCII digits, < 2**63

BAD_IDS = ["²", "١٢", "1,²", "٣", "-1", "+1", "1_0", "0x1", "1e3", "1.0", str(MAX_ID + 1)]


@pytest.mark.parametrize("ids", BAD_IDS)
def test_ids_that_are_not_ascii_digits_are_a_400(world: World, ids: str) -> None:
    ada = admin(world)
    response = ada.http.get(
        "/api/jobs", query_string={"ids": ids}, headers={"Authorization": f"Bearer {ada.token}"}
    )
    assert response.status_code == 400, (ids, response.status_code)
    assert response.get_json()["message"] == IDS_MESSAGE


def test_ids_up_to_the_cap_are_accepted(world: World) -> None:
    ada = admin(world)
    response = ada.http.get(
        "/api/jobs",
        query_string={"ids": f" 1, {MAX_ID} ,0"},
        headers={"Authorization": f"Bearer {ada.token}"},
    )
    assert response.status_code == 200
    assert response.get_json() == {"jobs": []}


@pytest.mark.parametrize("name", ["quiz_id", "assignment_id"])
@pytest.mark.parametrize("value", ["²", "١٢", "-3", "0", "2" + "0" * 16, str(MAX_ID + 1)])
def test_picked_quiz_ids_must_be_ascii_digits(world: World, name: str, value: str) -> None:
    tina = quiz_teacher(world)
    response = tina.http.get("/quiz", query_string={name: value, "lt": tina.token})
    assert response.status_code == 400, (name, value, response.status_code)
    assert f"{name} must be a Canvas id." in response.text


def test_a_picked_quiz_still_opens(world: World) -> None:
    tina = quiz_teacher(world)
    response = tina.get("/quiz?quiz_id=201")
    assert response.status_code == 200
    assert tina.get("/quiz?quiz_id=").status_code == 200  # empty: the picker


# ---------------------------------------------------------------- next: checked before acting


def _job_for(world: World, ada: Actor, action: str) -> int:
    """An account job the action applies to: running in Canvas for ``abort``, complete for
    ``delete``."""
    if action == "abort":
        faults.add_report_fault(world.live.emulator, "account_report", "stick")
    started = ada.post("/reports/account/last_user_access_csv")
    assert started.status_code == 303, started.text
    [job] = world.jobs()
    if action == "delete":
        world.run_until_settled()
        assert world.job(job.id).status == JobStatus.COMPLETE
    else:
        world.advance(3)
        world.sweep()
        assert world.job(job.id).canvas_state == "running"
    return job.id


HOSTILE_NEXT = [
    "/x\r\nSet-Cookie: a=1",
    "/reports/jobs\r\nSet-Cookie: a=1",
    "/reports/jobs\nx",
    "/reports/jobs\rx",
    "/reports/jobs\x00",
    "/reports/jobs\x1b[2J",
    "/reports/jobs\x85",
    "/reports/jobs\u2028x",
    "https://evil.example/reports/x",
    "//evil.example/reports/",
    "/reports//evil.example",
    "/reports/\\evil.example",
]


@pytest.mark.parametrize(
    ("action", "next_value", "accept"),
    [("delete", value, "text/html") for value in HOSTILE_NEXT]
    + [("abort", value, "text/html") for value in HOSTILE_NEXT[:3]]
    + [(action, HOSTILE_NEXT[0], "application/json") for action in ("delete", "abort")],
)
def test_a_bad_next_is_a_400_before_the_action(
    world: World, canvas: CanvasPaths, action: str, next_value: str, accept: str
) -> None:
    """The tester's case first: ``next`` with CR/LF on a delete was a 500 after the commit."""
    ada = admin(world)
    job_id = _job_for(world, ada, action)
    before_status, before_events = world.job(job_id).status, len(world.job(job_id).events)
    mark = len(canvas.seen)
    response = ada.post(
        f"/reports/jobs/{job_id}/{action}", {"next": next_value}, headers={"Accept": accept}
    )
    assert response.status_code == 400, (next_value, response.status_code)
    assert NEXT_MESSAGE in response.text
    assert "Set-Cookie" not in response.headers
    job = world.job(job_id)
    assert (job.status, len(job.events)) == (before_status, before_events)
    assert canvas.since(mark) == []  # nothing asked of Canvas


@pytest.mark.parametrize("action", ["delete", "abort"])
def test_a_local_next_is_followed_after_the_action(
    world: World, canvas: CanvasPaths, action: str
) -> None:
    """The control: the same request with a good ``next`` acts (Canvas too) and redirects."""
    ada = admin(world)
    job_id = _job_for(world, ada, action)
    mark = len(canvas.seen)
    response = ada.post(
        f"/reports/jobs/{job_id}/{action}", {"next": "/reports/account", "confirm": "1"}
    )
    assert response.status_code == 303, response.text
    assert response.headers["Location"] == f"/reports/account?lt={ada.token}"
    assert world.job(job_id).status in {JobStatus.DELETED, JobStatus.ABORTED}
    assert canvas.since(mark), "the action reached Canvas"


# ---------------------------------------------------------------- report_type: the catalogue

ODD_TYPES = ["no_such_report_csv", "a?b#c", "..", "x%2Fy", "provisioning_csv\r\nX: 1"]


@pytest.mark.parametrize("report_type", ODD_TYPES)
def test_unknown_report_type_on_the_file_route_is_a_404_without_canvas(
    world: World, canvas: CanvasPaths, report_type: str
) -> None:
    ada = admin(world)
    assert ada.get("/reports/account").status_code == 200  # the catalogue, now cached
    mark = len(canvas.seen)
    response = ada.http.get(
        f"/reports/account/{_quote(report_type)}/5/file", query_string={"lt": ada.token}
    )
    assert response.status_code == 404, (report_type, response.status_code)
    assert NOT_OFFERED in response.text
    assert canvas.since(mark) == []


def test_unknown_report_type_asks_canvas_only_for_the_catalogue(
    world: World, canvas: CanvasPaths
) -> None:
    """Without a cached catalogue: one ``available_reports`` call, never one with the type."""
    ada = admin(world)
    mark = len(canvas.seen)
    response = ada.get("/reports/account/no_such_report_csv/5/file")
    assert response.status_code == 404
    calls = canvas.since(mark)
    assert [call.split()[:2] for call in calls] == [["GET", "/api/v1/accounts/1/reports"]]


def test_known_report_type_on_the_file_route_reaches_canvas(
    world: World, canvas: CanvasPaths
) -> None:
    """The control: a catalogue type goes on to Canvas (no such report there: its 404)."""
    ada = admin(world)
    mark = len(canvas.seen)
    response = ada.get("/reports/account/last_user_access_csv/999999/file")
    assert response.status_code == 404
    assert any("/reports/last_user_access_csv/999999" in call for call in canvas.since(mark))


@pytest.mark.parametrize("report_type", ODD_TYPES)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_unknown_account_report_type_is_a_404_and_starts_nothing(
    world: World, canvas: CanvasPaths, report_type: str, method: str
) -> None:
    ada = admin(world)
    mark = len(canvas.seen)
    path = f"/reports/account/{_quote(report_type)}"
    if method == "GET":
        response = ada.http.get(path, query_string={"lt": ada.token})
    else:
        response = ada.http.post(path, data={"lt": ada.token})
    assert response.status_code == 404, (report_type, response.status_code)
    assert NOT_OFFERED in response.text
    assert world.jobs() == []
    assert [call.split()[:2] for call in canvas.since(mark)] == [
        ["GET", "/api/v1/accounts/1/reports"]
    ]


@pytest.mark.parametrize("report_type", ["grade_export_csv", "a?b#c", ".."])
def test_unknown_course_report_type_is_a_404_without_canvas(
    world: World, canvas: CanvasPaths, report_type: str
) -> None:
    tina = world.launch(3, roles=TEACHER_ROLES, course_id=101)
    mark = len(canvas.seen)
    response = tina.http.post(f"/reports/course/{_quote(report_type)}", data={"lt": tina.token})
    assert response.status_code == 404, (report_type, response.status_code)
    assert "Unknown course report." in response.text
    assert world.jobs() == []
    assert canvas.since(mark) == []


def _quote(segment: str) -> str:
    """One URL path segment that reaches the view as ``segment`` (dots encoded too, so no
    client resolves ``..``)."""
    return quote(segment, safe="").replace(".", "%2E")


def test_the_redirect_carries_the_verified_token_not_the_form_field(world: World) -> None:
    """Authority from the header, a forged ``lt`` in the form: the redirect uses the token
    that was verified (the form's value, with CR/LF, used to reach the Location header)."""
    ada = admin(world)
    job_id = _job_for(world, ada, "delete")
    response = ada.http.post(
        f"/reports/jobs/{job_id}/delete",
        data={"lt": "x\r\nSet-Cookie: a=1", "next": "/reports/account", "confirm": "1"},
        headers={"Authorization": f"Bearer {ada.token}"},
    )
    assert response.status_code == 303, response.text
    assert response.headers["Location"] == f"/reports/account?lt={ada.token}"
    assert "Set-Cookie" not in response.headers
