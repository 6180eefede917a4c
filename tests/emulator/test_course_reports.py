"""Course Reports API (reports-api §2): course_pace_docx with its Progress."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from emulator import faults
from emulator.testing import LiveEmulator
from tests.emulator.conftest import Api, api_as

URL = "/api/v1/courses/101/reports/course_pace_docx"


def create(api: Api, parameters: dict[str, Any] | None = None) -> dict[str, Any]:
    response = api.post(URL, json={"parameters": parameters or {"section_ids": ["1011"]}})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_create_shape_and_progress(frozen: LiveEmulator) -> None:
    api = api_as(frozen, 3)
    body = create(api, {"section_ids": ["1011"], "enrollment_ids": [1], "evil": "x"})
    assert body["status"] == "created"
    assert body["report_type"] == "course_pace_docx"
    assert body["course_id"] == 101
    assert body["parameters"] == {"section_ids": ["1011"], "enrollment_ids": [1]}
    assert body["progress"] == 0
    assert body["file_url"] is None
    assert "attachment" not in body
    report = frozen.emulator.store.course_reports[body["id"]]
    progress = api.get(f"/api/v1/progress/{report.progress_id}").json()
    assert progress["context_type"] == "CourseReport"
    assert progress["context_id"] == body["id"]
    assert progress["tag"] == "course_report"
    assert progress["user_id"] is None
    assert progress["workflow_state"] == "queued"


def test_lifecycle_to_a_real_docx(frozen: LiveEmulator) -> None:
    api = api_as(frozen, 3)
    body = create(api)
    show = f"{URL}/{body['id']}"
    frozen.emulator.store.clock.advance(0.2)
    running = api.get(show).json()
    assert running["status"] == "running"
    assert 0 <= running["progress"] < 100
    assert running["started_at"] is not None
    frozen.emulator.store.clock.advance(1)
    done = api.get(show).json()
    assert done["status"] == "complete"
    assert done["progress"] == 100
    assert done["ended_at"] is not None
    assert "verifier=" in done["file_url"]
    assert done["attachment"]["content-type"].endswith("wordprocessingml.document")
    data = api.session.get(done["file_url"], timeout=10).content
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert {"[Content_Types].xml", "_rels/.rels", "word/document.xml"} <= set(archive.namelist())
    assert "Course Pace: Biology 101" in archive.read("word/document.xml").decode()
    report = frozen.emulator.store.course_reports[body["id"]]
    progress = api.get(f"/api/v1/progress/{report.progress_id}").json()
    assert progress["workflow_state"] == "completed"
    assert progress["completion"] == 100


def test_invalid_type_is_400_before_permission(frozen: LiveEmulator) -> None:
    student = api_as(frozen, 10)
    response = student.post("/api/v1/courses/101/reports/nope", json={"parameters": {}})
    assert response.status_code == 400
    assert response.json() == {"error": "invalid report type nope"}
    assert student.post(URL, json={"parameters": {}}).status_code == 401
    assert api_as(frozen, 3).post("/api/v1/courses/999/reports/course_pace_docx",
                                  json={"parameters": {}}).status_code == 404
    assert api_as(frozen, None).post(URL, json={"parameters": {}}).status_code == 401


def test_show_only_for_the_creator(frozen: LiveEmulator) -> None:
    body = create(api_as(frozen, 3))
    assert api_as(frozen, 4).get(f"{URL}/{body['id']}").status_code == 401  # TA, not creator
    assert api_as(frozen, 1).get(f"{URL}/{body['id']}").status_code == 401  # even the admin
    assert api_as(frozen, 3).get(f"{URL}/999999").status_code == 404
    assert api_as(frozen, 3).get(
        f"/api/v1/courses/102/reports/course_pace_docx/{body['id']}").status_code == 404


def test_last_is_per_user(frozen: LiveEmulator) -> None:
    tina, tom = api_as(frozen, 3), api_as(frozen, 4)
    assert tina.get(URL).json() == {}
    first = create(tina)
    frozen.emulator.store.clock.advance(0.01)
    second = create(tina)
    assert tina.get(URL).json()["id"] == second["id"] != first["id"]
    assert tom.get(URL).json() == {}


def test_progress_of_a_course_report_cannot_be_cancelled(frozen: LiveEmulator) -> None:
    api = api_as(frozen, 3)
    body = create(api)
    report = frozen.emulator.store.course_reports[body["id"]]
    assert api.post(f"/api/v1/progress/{report.progress_id}/cancel").status_code == 401


def test_fault_fail_and_stick(frozen: LiveEmulator) -> None:
    emulator = frozen.emulator
    faults.add_report_fault(emulator, "course_report", "fail")
    api = api_as(frozen, 3)
    failing = create(api)
    faults.add_report_fault(emulator, "course_report", "stick")
    stuck = create(api)
    emulator.store.clock.advance(100)
    failed = api.get(f"{URL}/{failing['id']}").json()
    assert failed["status"] == "error"
    assert failed["file_url"] is None
    progress = emulator.store.progresses[emulator.store.course_reports[failing["id"]].progress_id]
    assert progress.workflow_state == "failed"
    assert progress.message is not None
    assert progress.message.startswith("Unexpected error, ID: ")
    still = api.get(f"{URL}/{stuck['id']}").json()
    assert still["status"] == "running"
    assert still["progress"] < 100


def test_form_encoded_parameters(frozen: LiveEmulator) -> None:
    response = api_as(frozen, 3).post(URL, data={"parameters[section_ids][]": ["1011", "1012"],
                                                 "parameters[other]": "x"})
    assert response.status_code == 200
    assert response.json()["parameters"] == {"section_ids": ["1011", "1012"]}
