"""Account Reports API: endpoints, errors and the clock-driven state machine (reports-api §1)."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest

from emulator import faults
from emulator.reports.account_catalogue import CATALOGUE
from emulator.testing import LiveEmulator
from tests.emulator.conftest import Api, api_as

FIXTURES = Path("/work/shared/canvas/fixtures")
NOT_FOUND = {"errors": [{"message": "The specified resource does not exist."}]}
SPEC_KEYS = {"id", "progress", "parameters", "current_line", "status", "report", "created_at",
             "started_at", "ended_at", "file_url"}


def fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    return data


def create(api: Api, report: str = "grade_export_csv", account: int = 1,
           parameters: dict[str, Any] | None = None) -> dict[str, Any]:
    response = api.post(f"/api/v1/accounts/{account}/reports/{report}",
                        json={"parameters": parameters or {}})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def show(api: Api, report: dict[str, Any], account: int = 1) -> dict[str, Any]:
    response = api.get(f"/api/v1/accounts/{account}/reports/{report['report']}/{report['id']}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_create_returns_a_fresh_created_report(frozen: LiveEmulator) -> None:
    body = create(api_as(frozen, 1), "zero_activity_csv", parameters={"enrollment_term_id": 1})
    assert body.keys() >= SPEC_KEYS
    assert body["status"] == "created"
    assert body["progress"] == 0
    assert body["current_line"] is None
    assert body["started_at"] is None
    assert body["ended_at"] is None
    assert body["file_url"] is None
    assert "attachment" not in body
    assert body["parameters"] == {"enrollment_term_id": 1}  # JSON types survive
    assert body["user"]["id"] == 1
    assert body["run_time"] == 0.0


def test_lifecycle_created_running_complete(frozen: LiveEmulator) -> None:
    api = api_as(frozen, 1)
    clock = frozen.emulator.store.clock
    report = create(api, "last_user_access_csv")
    clock.advance(0.04)
    assert show(api, report)["status"] == "created"
    clock.advance(0.02)  # past 10 % of report_seconds (0.5)
    running = show(api, report)
    assert running["status"] == "running"
    assert running["started_at"] is not None
    assert running["parameters"]["locale"] == "en"
    assert running["parameters"]["extra_text"] == "Term: All Terms;"
    clock.advance(0.2)
    middle = show(api, report)
    assert 0 < middle["progress"] < 100
    assert middle["current_line"] > 0
    assert middle["run_time"] == pytest.approx(0.21, abs=0.01)
    clock.advance(0.3)
    done = show(api, report)
    assert done["status"] == "complete"
    assert done["progress"] == 100
    assert done["ended_at"] is not None
    assert done["run_time"] == pytest.approx(0.45, abs=0.01)
    attachment = done["attachment"]
    assert done["file_url"] == f"{frozen.url}/accounts/1/files/{attachment['id']}/download"
    assert attachment["content-type"] == "text/csv"
    expected = fixture("account.delete_report.json")["data"]["attachment"].keys() - {
        "workflow_state"}  # older Canvas only
    assert expected <= attachment.keys()


def test_parallel_reports_compile_before_completing(frozen: LiveEmulator) -> None:
    api = api_as(frozen, 1)
    report = create(api, "grade_export_csv")
    frozen.emulator.store.clock.advance(0.41)
    assert show(api, report)["status"] == "compiling"
    frozen.emulator.store.clock.advance(0.1)
    assert show(api, report)["status"] == "complete"


def test_reports_advance_with_nobody_polling(emulator: LiveEmulator) -> None:
    report = create(api_as(emulator, 1), "last_user_access_csv")
    stored = emulator.emulator.store.account_reports[report["id"]]
    for _ in range(100):
        if stored.workflow_state == "complete":
            break
        threading.Event().wait(0.05)  # real time: the ticker runs on its own
    assert stored.workflow_state == "complete"


def test_abort_only_while_running(frozen: LiveEmulator) -> None:
    api = api_as(frozen, 1)
    report = create(api, "last_user_access_csv")
    url = f"/api/v1/accounts/1/reports/last_user_access_csv/{report['id']}/abort"
    refused = api.put(url)
    assert refused.status_code == 404
    assert refused.json() == NOT_FOUND
    assert show(api, report)["status"] == "created"
    frozen.emulator.store.clock.advance(0.1)
    aborted = api.put(url)
    assert aborted.status_code == 200
    assert aborted.json()["status"] == "aborted"
    frozen.emulator.store.clock.advance(1)
    final = show(api, report)
    assert final["status"] == "aborted"
    assert final["progress"] == 100
    assert final["parameters"]["extra_text"] == "Report has been aborted"
    assert api.put(url).status_code == 404  # no longer running


def test_abort_refuses_compiling_and_finished(frozen: LiveEmulator) -> None:
    api = api_as(frozen, 1)
    report = create(api, "grade_export_csv")
    frozen.emulator.store.clock.advance(0.45)
    assert show(api, report)["status"] == "compiling"
    url = f"/api/v1/accounts/1/reports/grade_export_csv/{report['id']}/abort"
    assert api.put(url).status_code == 404
    frozen.emulator.store.clock.advance(1)
    assert api.put(url).status_code == 404


def test_delete_is_soft_and_hides_the_report(frozen: LiveEmulator) -> None:
    api = api_as(frozen, 1)
    report = create(api, "zero_activity_csv")
    frozen.emulator.store.clock.advance(1)
    deleted = api.delete(f"/api/v1/accounts/1/reports/zero_activity_csv/{report['id']}")
    assert deleted.status_code == 200
    body = deleted.json()
    assert body["status"] == "deleted"
    reference = fixture("account.delete_report.json")["data"]
    assert reference.keys() <= body.keys()
    assert body["parameters"]["extra_text"].startswith("Term: All Terms;")
    assert api.get(f"/api/v1/accounts/1/reports/zero_activity_csv/{report['id']}"
                   ).status_code == 404
    assert api.get("/api/v1/accounts/1/reports/zero_activity_csv").json() == []
    assert frozen.emulator.store.account_reports[report["id"]].workflow_state == "deleted"
    again = api.delete(f"/api/v1/accounts/1/reports/zero_activity_csv/{report['id']}")
    assert again.status_code == 404


def test_deleting_a_running_report_turns_it_aborted(frozen: LiveEmulator) -> None:
    api = api_as(frozen, 1)
    report = create(api, "last_user_access_csv")
    frozen.emulator.store.clock.advance(0.1)
    api.delete(f"/api/v1/accounts/1/reports/last_user_access_csv/{report['id']}")
    frozen.emulator.store.clock.advance(1)
    final = show(api, report)  # ExtendedCSV revived it as aborted
    assert final["status"] == "aborted"
    assert "attachment" not in final


def test_unknown_type_is_404_and_bad_term_400(frozen: LiveEmulator) -> None:
    api = api_as(frozen, 1)
    unknown = api.post("/api/v1/accounts/1/reports/no_such_csv")
    assert unknown.status_code == 404
    assert unknown.json() == NOT_FOUND
    for bad in ("99", "1,99", "sis_term_id:NOPE", "fall"):
        response = api.post("/api/v1/accounts/1/reports/grade_export_csv",
                            json={"parameters": {"enrollment_term_id": bad}})
        assert response.status_code == 400
        assert response.json() == {"error": f"invalid enrollment_term_id '{bad}'"}
    for good in ("1", "1,2", "sis_term_id:FA26", "active_terms", ""):
        assert api.post("/api/v1/accounts/1/reports/grade_export_csv",
                        json={"parameters": {"enrollment_term_id": good}}).status_code == 200


def test_permission_is_checked_before_the_type(frozen: LiveEmulator) -> None:
    response = api_as(frozen, 10).post("/api/v1/accounts/1/reports/no_such_csv")
    assert response.status_code == 401


def test_form_encoded_parameters_are_strings(frozen: LiveEmulator) -> None:
    api = api_as(frozen, 1)
    response = api.post("/api/v1/accounts/1/reports/provisioning_csv",
                        data={"parameters[users]": "true", "parameters[enrollment_term_id]": "1"})
    assert response.json()["parameters"] == {"users": "true", "enrollment_term_id": "1"}


def test_no_duplicate_check_and_index_newest_first(frozen: LiveEmulator) -> None:
    api = api_as(frozen, 1)
    ids = []
    for _ in range(3):
        ids.append(create(api, "sis_export_csv")["id"])
        frozen.emulator.store.clock.advance(0.01)
    assert len(set(ids)) == 3
    page = api.get("/api/v1/accounts/1/reports/sis_export_csv", params={"per_page": 2})
    assert [r["id"] for r in page.json()] == [ids[2], ids[1]]
    assert 'rel="next"' in page.headers["Link"]
    second = api.get("/api/v1/accounts/1/reports/sis_export_csv",
                     params={"per_page": 2, "page": 2})
    assert [r["id"] for r in second.json()] == [ids[0]]
    keys = fixture("account.report_index.json")["data"][0].keys()
    assert keys <= page.json()[0].keys()
    assert api.get("/api/v1/accounts/1/reports/unknown_csv").json() == []


def test_reports_are_per_account(frozen: LiveEmulator) -> None:
    api = api_as(frozen, 1)
    report = create(api, "grade_export_csv", account=2)
    assert api.get(f"/api/v1/accounts/1/reports/grade_export_csv/{report['id']}"
                   ).status_code == 404
    assert api.get(f"/api/v1/accounts/sis_account_id:SCI/reports/grade_export_csv/{report['id']}"
                   ).status_code == 200


def test_available_reports(frozen: LiveEmulator) -> None:
    api = api_as(frozen, 1)
    done = create(api, "zero_activity_csv")
    frozen.emulator.store.clock.advance(1)
    entries = api.get("/api/v1/accounts/1/reports").json()
    titles = [e["title"] for e in entries]
    assert titles == sorted(titles)
    assert {e["report"] for e in entries} == {r.report for r in CATALOGUE}
    by_type = {e["report"]: e for e in entries}
    zero = by_type["zero_activity_csv"]
    reference = fixture("account.create_report.json")["data"]  # an available-report entry
    assert zero["title"] == reference["title"]
    assert zero["parameters"] == reference["parameters"]
    assert zero["last_run"]["id"] == done["id"]
    assert zero["last_run"]["status"] == "complete"
    assert zero["last_run"]["progress"] == 100
    assert by_type["grade_export_csv"]["last_run"] is None
    assert by_type["developer_key_report_csv"]["parameters"] is None
    assert by_type["mgp_grade_export_csv"]["parameters"]["enrollment_term_id"]["required"]
    assert "description_html" not in zero


def test_available_reports_includes(frozen: LiveEmulator) -> None:
    entries = api_as(frozen, 1).get("/api/v1/accounts/1/reports", params=[
        ("include[]", "description_html"), ("include[]", "parameters_html")]).json()
    entry = next(e for e in entries if e["report"] == "provisioning_csv")
    assert entry["description_html"].startswith("<p>")
    assert entry["parameters_html"].startswith('<form id="provisioning_csv_form"')


def test_provisioning_without_tables_ends_in_error(frozen: LiveEmulator) -> None:
    api = api_as(frozen, 1)
    report = create(api, "provisioning_csv")
    frozen.emulator.store.clock.advance(1)
    final = show(api, report)
    assert final["status"] == "error"
    assert final["progress"] == 100
    assert final["file_url"] is None
    assert "attachment" not in final
    assert final["parameters"]["extra_text"] == (
        "Failed, the report failed to generate a file. Please try again.")


def test_fault_makes_the_next_report_fail(frozen: LiveEmulator) -> None:
    faults.add_report_fault(frozen.emulator, "account_report", "fail", key="grade_export_csv")
    api = api_as(frozen, 1)
    failing, fine = create(api, "grade_export_csv"), create(api, "grade_export_csv")
    frozen.emulator.store.clock.advance(1)
    failed = show(api, failing)
    assert failed["status"] == "error"
    assert failed["progress"] == 100
    stored = frozen.emulator.store.account_reports[failing["id"]]
    assert stored.message is not None
    assert stored.message.startswith("Generating the report, Grade Export Csv, failed. "
                                     "Please report the following error code to your system "
                                     "administrator: ErrorReport:")
    assert show(api, fine)["status"] == "complete"


def test_fault_makes_a_report_stick_at_running(frozen: LiveEmulator) -> None:
    faults.add_report_fault(frozen.emulator, "account_report", "stick", count=None)
    api = api_as(frozen, 1)
    report = create(api, "last_user_access_csv")
    frozen.emulator.store.clock.advance(3000)
    stuck = show(api, report)
    assert stuck["status"] == "running"
    assert stuck["progress"] < 100
    aborted = api.put(f"/api/v1/accounts/1/reports/last_user_access_csv/{report['id']}/abort")
    assert aborted.json()["status"] == "aborted"
