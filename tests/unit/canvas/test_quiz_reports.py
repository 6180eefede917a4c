"""Plain and JSON-API quiz report answers normalise to the same payload."""

from __future__ import annotations

from app.canvas.client import CanvasClient
from tests.unit.canvas.conftest import BASE
from tests.unit.canvas.fakes import Answer, FakeCanvas

URL = f"{BASE}/api/v1/courses/101/quizzes/201/reports"
FILE = {
    "id": 9,
    "display_name": "Midterm Student Analysis Report.csv",
    "content-type": "text/csv",
    "url": f"{BASE}/files/9/download?verifier=abc",
    "size": 1234,
}
PLAIN = {
    "id": 5,
    "quiz_id": 201,
    "report_type": "student_analysis",
    "readable_type": "Student Analysis",
    "includes_all_versions": False,
    "generatable": True,
    "anonymous": False,
    "url": f"{URL}/5",
    "progress_url": f"{BASE}/api/v1/progress/77",
    "created_at": "2026-09-01T10:00:00Z",
    "updated_at": "2026-09-01T10:00:01Z",
    "file": FILE,
}
JSON_API = {
    "quiz_reports": [
        {
            "id": "5",
            "report_type": "student_analysis",
            "readable_type": "Student Analysis",
            "includes_all_versions": False,
            "generatable": True,
            "anonymous": False,
            "url": f"{URL}/5",
            "links": {"quiz": f"{BASE}/api/v1/courses/101/quizzes/201"},
            "created_at": "2026-09-01T10:00:00Z",
            "updated_at": "2026-09-01T10:00:01Z",
            "file": FILE,
            "progress": {
                "id": 77,
                "workflow_state": "completed",
                "completion": 100,
                "url": f"{BASE}/api/v1/progress/77",
            },
        }
    ]
}


def test_json_api_and_plain_answers_give_the_same_report(
    canvas: CanvasClient, fake: FakeCanvas
) -> None:
    fake.handle(
        "GET",
        f"{URL}/5",
        lambda sent: (
            Answer(200, JSON_API)
            if sent.headers["Accept"] == "application/vnd.api+json"
            else Answer(200, PLAIN)
        ),
    )
    plain = canvas.get_quiz_report(101, 201, 5)
    json_api = canvas.get_quiz_report(101, 201, 5, json_api=True)
    assert json_api.model_dump(exclude={"progress"}) == plain.model_dump(exclude={"progress"})
    assert json_api.id == 5
    assert json_api.quiz_id == 201
    assert json_api.progress_url == f"{BASE}/api/v1/progress/77"
    assert "include%5B%5D=file" in fake.sent[1].url
    assert "include%5B%5D=progress" in fake.sent[1].url


def test_create_sends_the_body_shape_of_each_form(canvas: CanvasClient, fake: FakeCanvas) -> None:
    fake.handle(
        "POST",
        URL,
        lambda sent: (
            Answer(200, JSON_API)
            if sent.headers["Accept"] == "application/vnd.api+json"
            else Answer(200, PLAIN)
        ),
    )
    canvas.create_quiz_report(101, 201, "student_analysis", includes_all_versions=True)
    canvas.create_quiz_report(101, 201, "item_analysis", json_api=True)
    assert fake.sent[0].json() == {
        "quiz_report": {"report_type": "student_analysis", "includes_all_versions": True}
    }
    assert fake.sent[1].json() == {
        "quiz_reports": [{"report_type": "item_analysis", "includes_all_versions": False}]
    }


def test_list_handles_arrays_and_envelopes(canvas: CanvasClient, fake: FakeCanvas) -> None:
    item = dict(PLAIN, id=6, report_type="item_analysis", file=None, progress_url=None)
    fake.handle(
        "GET",
        URL,
        lambda sent: (
            Answer(200, {"quiz_reports": [JSON_API["quiz_reports"][0]]})
            if sent.headers["Accept"] == "application/vnd.api+json"
            else Answer(200, [PLAIN, item])
        ),
    )
    assert [r.report_type for r in canvas.list_quiz_reports(101, 201)] == [
        "student_analysis",
        "item_analysis",
    ]
    assert [r.id for r in canvas.list_quiz_reports(101, 201, json_api=True)] == [5]


def test_abort_accepts_204_no_content(canvas: CanvasClient, fake: FakeCanvas) -> None:
    fake.script("DELETE", f"{URL}/5", Answer(204, b""))
    canvas.abort_quiz_report(101, 201, 5)  # no error, nothing to parse
    assert [sent.method for sent in fake.sent] == ["DELETE"]
