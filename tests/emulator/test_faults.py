"""Fault knobs and the control interface (``/_emulator/*``)."""

from __future__ import annotations

import threading
import time

import pytest
import requests

from emulator import faults
from emulator.testing import LiveEmulator
from tests.emulator.conftest import api_as


def control(live: LiveEmulator, path: str, body: dict[str, object]) -> requests.Response:
    return requests.post(f"{live.url}/_emulator/{path}", json=body, timeout=10)


def test_error_fault_with_count(emulator: LiveEmulator) -> None:
    response = control(emulator, "faults/routes", {
        "kind": "error", "path": r"^/api/v1/users/", "method": "GET", "status": 503,
        "body": "Service Unavailable", "content_type": "text/plain", "count": 2})
    assert response.status_code == 200
    api = api_as(emulator, 1)
    first = api.get("/api/v1/users/self")
    assert (first.status_code, first.text) == (503, "Service Unavailable")
    assert api.get("/api/v1/users/self").status_code == 503
    assert api.get("/api/v1/users/self").status_code == 200
    assert api.get("/api/v1/accounts").status_code == 200  # other routes untouched


def test_method_filter_and_default_body(emulator: LiveEmulator) -> None:
    faults.add_route_fault(emulator.emulator, "error", r"/reports/", method="POST")
    api = api_as(emulator, 1)
    assert api.get("/api/v1/accounts/1/reports").status_code == 200
    failed = api.post("/api/v1/accounts/1/reports/grade_export_csv")
    assert failed.status_code == 500
    assert failed.json() == {"errors": [{"message": "An error occurred."}]}


def test_latency_fault(emulator: LiveEmulator) -> None:
    faults.add_route_fault(emulator.emulator, "latency", r"^/api/v1/users/self$", delay=0.3,
                           count=1)
    api = api_as(emulator, 1)
    started = time.perf_counter()
    assert api.get("/api/v1/users/self").status_code == 200
    assert time.perf_counter() - started >= 0.3
    started = time.perf_counter()
    api.get("/api/v1/users/self")
    assert time.perf_counter() - started < 0.3


def test_timeout_fault_outlasts_the_client_and_clear_releases_it(emulator: LiveEmulator) -> None:
    fault = faults.add_route_fault(emulator.emulator, "timeout", r"^/api/v1/accounts$", delay=30)
    api = api_as(emulator, 1)
    with pytest.raises(requests.exceptions.ReadTimeout):
        api.get("/api/v1/accounts", timeout=0.3)
    results: list[int] = []
    waiter = threading.Thread(target=lambda: results.append(
        api.get("/api/v1/accounts", timeout=10).status_code))
    waiter.start()
    deadline = time.monotonic() + 5
    while fault.hits < 2 and time.monotonic() < deadline:  # the second request is now held
        threading.Event().wait(0.01)
    assert requests.delete(f"{emulator.url}/_emulator/faults", timeout=10).status_code == 200
    waiter.join(5)
    assert results == [504]
    assert api.get("/api/v1/accounts").status_code == 200


def test_control_routes_are_never_faulted(emulator: LiveEmulator) -> None:
    faults.add_route_fault(emulator.emulator, "error", r".*")
    assert requests.delete(f"{emulator.url}/_emulator/faults", timeout=10).status_code == 200
    assert api_as(emulator, 1).get("/api/v1/users/self").status_code == 200


def test_bad_fault_requests(emulator: LiveEmulator) -> None:
    assert control(emulator, "faults/routes", {"kind": "error"}).status_code == 400
    assert control(emulator, "faults/routes", {"kind": "explode", "path": "x"}).status_code == 400
    assert control(emulator, "faults/reports", {"family": "nope"}).status_code == 400
    assert control(emulator, "faults/reports", {"family": "quiz_report",
                                                "action": "melt"}).status_code == 400
    assert control(emulator, "clock", {"action": "rewind"}).status_code == 400


def test_report_fault_registry(emulator: LiveEmulator) -> None:
    live = emulator.emulator
    assert control(emulator, "faults/reports", {"family": "quiz_report", "action": "fail",
                                                "key": "item_analysis"}).status_code == 200
    assert not faults.should_fail(live, "quiz_report", "student_analysis")
    assert faults.should_fail(live, "quiz_report", "item_analysis")
    assert not faults.should_fail(live, "quiz_report", "item_analysis")  # count 1, used up
    faults.add_report_fault(live, "new_quiz_report", "stick", count=None)
    assert all(faults.should_stick(live, "new_quiz_report", "x") for _ in range(3))
    assert not faults.should_fail(live, "new_quiz_report", "x")
    faults.clear(live)
    assert not faults.should_stick(live, "new_quiz_report", "x")


def test_clock_control(emulator: LiveEmulator) -> None:
    store = emulator.emulator.store
    frozen = control(emulator, "clock", {"action": "freeze", "at": "2026-12-01T00:00:00+00:00"})
    assert frozen.json() == {"now": "2026-12-01T00:00:00Z"}
    advanced = control(emulator, "clock", {"action": "advance", "seconds": 90})
    assert advanced.json() == {"now": "2026-12-01T00:01:30Z"}
    assert store.now().isoformat() == "2026-12-01T00:01:30+00:00"
    control(emulator, "clock", {"action": "unfreeze"})
    assert store.clock.now() != store.clock.now()  # moving again


def test_reset_reseeds_and_clears_faults(emulator: LiveEmulator) -> None:
    live = emulator.emulator
    api = api_as(emulator, 1)
    report = api.post("/api/v1/accounts/1/reports/grade_export_csv").json()
    live.store.users[10].name = "Changed"
    faults.add_route_fault(live, "error", r"^/api/v1/users/")
    assert control(emulator, "reset", {}).status_code == 200
    assert live.store.users[10].name == "Stu Student"
    assert report["id"] not in live.store.account_reports
    assert api.get("/api/v1/users/self").status_code == 200  # fault gone, token kept
    assert control(emulator, "reset", {"full": True}).status_code == 200
    assert api.get("/api/v1/users/self").status_code == 401  # tokens forgotten


def test_report_fate_prefers_fail_and_consumes_one_use(emulator: LiveEmulator) -> None:
    live = emulator.emulator
    faults.add_report_fault(live, "course_report", "stick", count=1)
    faults.add_report_fault(live, "course_report", "fail", count=1)
    assert faults.report_fate(live, "course_report", "course_pace_docx") == "fail"
    assert faults.report_fate(live, "course_report", "course_pace_docx") == "stick"
    assert faults.report_fate(live, "course_report", "course_pace_docx") is None


def test_lost_fault_does_the_work_but_the_answer_never_arrives(emulator: LiveEmulator) -> None:
    response = control(emulator, "faults/routes", {
        "kind": "lost", "path": r"^/api/v1/accounts/1/reports/grade_export_csv$",
        "method": "POST", "count": 1})
    assert response.status_code == 200
    api = api_as(emulator, 1)
    lost = api.post("/api/v1/accounts/1/reports/grade_export_csv")
    assert (lost.status_code, lost.text) == (502, "502 Bad Gateway")
    [created] = emulator.emulator.store.account_reports.values()  # Canvas made it anyway
    listed = api.get("/api/v1/accounts/1/reports/grade_export_csv").json()
    assert [report["id"] for report in listed] == [created.id]
    again = api.post("/api/v1/accounts/1/reports/grade_export_csv")  # count spent
    assert again.status_code == 200
    assert len(emulator.emulator.store.account_reports) == 2


def test_lost_fault_with_a_delay_answers_a_gateway_timeout(emulator: LiveEmulator) -> None:
    faults.add_route_fault(emulator.emulator, "lost", r"^/api/v1/courses/101/reports/",
                           method="POST", delay=0.2, count=1)
    lost = api_as(emulator, 3).post("/api/v1/courses/101/reports/course_pace_docx")
    assert lost.status_code == 504
    assert len(emulator.emulator.store.course_reports) == 1


def test_unknown_route_fault_kind_is_refused(emulator: LiveEmulator) -> None:
    response = control(emulator, "faults/routes", {"kind": "vanish", "path": "x"})
    assert response.status_code == 400
