"""``CANVAS_SCOPES`` is exact: with a key that enforces exactly those scopes, every client
method works; a scope the key lacks gives ``CanvasNotPermitted`` with Canvas's message; and
reads the tool does not make (only tests do) are refused, because their scopes are not asked."""

from __future__ import annotations

from typing import Any

import pytest

from app.canvas.errors import CanvasNotPermitted
from app.canvas_endpoints import ENDPOINTS
from tests.integration.oauth_harness import CanvasWorld, canvas_world_fixture  # noqa: F401
from tests.support.canvas_probe import ProbeClient

ADA, TINA = 1, 3


class Recording:
    """Forwards to a client and notes which of its methods were called."""

    def __init__(self, client: ProbeClient, called: set[str]) -> None:
        self._client = client
        self._called = called

    def __getattr__(self, name: str) -> Any:
        self._called.add(name)
        return getattr(self._client, name)


def exercise_everything(canvas: CanvasWorld, ada: Any, tina: Any) -> None:
    ada.list_terms(1)
    ada.get_account(1)
    ada.list_accounts()
    ada.list_sub_accounts(1, recursive=True)
    ada.list_courses(1)
    ada.list_available_reports(1)
    report = ada.start_account_report(1, "grade_export_csv", {})
    ada.list_account_reports(1, "grade_export_csv")
    canvas.advance(0.2)
    ada.abort_account_report(1, "grade_export_csv", report.id)
    again = ada.start_account_report(1, "grade_export_csv", {})
    canvas.advance(2)
    done = ada.get_account_report(1, "grade_export_csv", again.id)
    assert done.attachment is not None
    ada.get_file(done.attachment.id)
    ada.delete_account_report(1, "grade_export_csv", again.id)
    tina.list_quizzes(101)
    tina.list_assignments(101)
    course_report = tina.start_course_report(101, "course_pace_docx", {"section_ids": []})
    tina.get_course_report(101, "course_pace_docx", course_report.id)
    tina.last_course_report(101, "course_pace_docx")
    quiz_report = tina.create_quiz_report(101, 201, "student_analysis")
    tina.list_quiz_reports(101, 201)
    tina.get_quiz_report(101, 201, quiz_report.id, json_api=True)
    tina.abort_quiz_report(101, 201, quiz_report.id)
    progress = tina.create_new_quiz_report(101, 301, "student_analysis", "csv")
    tina.get_progress(progress.id)
    tina.cancel_progress(progress.id)


def test_every_method_works_with_exactly_the_configured_scopes(canvas: CanvasWorld) -> None:
    canvas.scope_api_key(list(canvas.settings.canvas_scopes))
    called: set[str] = set()
    exercise_everything(canvas, Recording(canvas.connected_client(ADA), called),
                        Recording(canvas.connected_client(TINA), called))
    assert called == set(ENDPOINTS)  # every declared endpoint was called, and only those


@pytest.mark.parametrize("read", [
    lambda client: client.get_self(),
])
def test_reads_only_tests_make_are_outside_the_tools_scopes(canvas: CanvasWorld, read: Any) -> None:
    canvas.scope_api_key(list(canvas.settings.canvas_scopes))
    with pytest.raises(CanvasNotPermitted, match="Insufficient scopes"):
        read(canvas.connected_client(ADA))


def test_a_missing_scope_is_not_permitted_with_canvas_message(canvas: CanvasWorld) -> None:
    scopes = [s for s in canvas.settings.canvas_scopes if s != "url:GET|/api/v1/progress/:id"]
    canvas.scope_api_key(scopes)
    settings = canvas.settings.with_overrides(canvas_scopes=tuple(scopes))
    canvas.app.extensions["settings"] = settings
    tina = canvas.connected_client(TINA)
    progress = tina.create_new_quiz_report(101, 301, "student_analysis", "csv")
    with pytest.raises(CanvasNotPermitted, match="Insufficient scopes"):
        tina.get_progress(progress.id)


def test_newer_canvas_403_for_unauthorized_is_not_permitted(canvas: CanvasWorld) -> None:
    canvas.live.emulator.settings.auth_error_403 = True
    tina = canvas.connected_client(TINA)
    with pytest.raises(CanvasNotPermitted, match="not authorized") as caught:
        tina.list_available_reports(1)
    assert caught.value.canvas_status == 403
