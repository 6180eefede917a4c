"""Tokens going bad while jobs run: expiry is refreshed, revocation waits for re-authorization.

A revoked user's jobs must not fail or vanish: they wait with a clear "authorize again"
message, and finish once the user authorizes again (the Canvas report is still there).
"""

from __future__ import annotations

import requests

from app.canvas.refresh import REVOKED
from app.reports.status import JobStatus
from emulator import faults
from tests.reliability.conftest import ADA, REPORT_SECONDS, ReliableWorld, assert_intact


def refreshes(world: ReliableWorld) -> int:
    return world.oauth.oauth_stats().get("refresh_token", 0)


def revoke(world: ReliableWorld, user_id: int) -> None:
    answer = requests.post(f"{world.live.url}/_emulator/users/{user_id}/revoke_tokens", timeout=10)
    assert answer.json()["revoked"] >= 1


def test_a_token_expiring_mid_job_is_refreshed_once(world: ReliableWorld) -> None:
    world.connect(ADA)
    ada = world.admin()
    ada.post("/reports/account/last_user_access_csv")
    ada.post("/reports/account/zero_activity_csv")
    jobs = world.jobs()
    before = world.oauth.stored(ADA)
    assert before is not None
    world.advance(3601)  # the hour-long access token has expired at Canvas
    result = world.sweep()
    assert sorted(result.polled) == [job.id for job in jobs]
    assert refreshes(world) == 1  # one refresh serves both jobs
    after = world.oauth.stored(ADA)
    assert after is not None
    assert after.access_token != before.access_token
    world.settle()
    for job in jobs:
        done = world.job(job.id)
        assert_intact(done, status=JobStatus.COMPLETE, report_id=job.canvas_report_id)
        assert done.error is None
    assert refreshes(world) == 1


def test_a_token_canvas_rejects_early_is_refreshed(world: ReliableWorld) -> None:
    world.connect(ADA)
    ada = world.admin()
    ada.post("/reports/account/last_user_access_csv")
    [job] = world.jobs()
    stored = world.oauth.stored(ADA)
    assert stored is not None
    store = world.live.emulator.store
    with store.lock:  # Canvas expired it early (the tool still believes it valid)
        store.access_tokens[stored.access_token].expires_at = store.now()
    world.advance(10)
    world.sweep()
    assert refreshes(world) == 1
    polled = world.job(job.id)
    assert polled.error is None
    world.settle()
    assert_intact(world.job(job.id), status=JobStatus.COMPLETE, report_id=job.canvas_report_id)


def test_revoked_tokens_park_the_job_until_the_user_authorizes_again(
    world: ReliableWorld,
) -> None:
    world.connect(ADA)
    ada = world.admin()
    ada.post("/reports/account/last_user_access_csv")
    [job] = world.jobs()
    revoke(world, ADA)
    world.advance(10)
    world.sweep()
    waiting = world.job(job.id)
    assert waiting.status == JobStatus.QUEUED  # not failed: nothing is lost
    assert waiting.error == REVOKED
    assert world.oauth.stored(ADA) is None  # the dead token is gone
    shown = ada.api(f"/api/jobs/{job.id}").get_json()
    assert "Authorize" in shown["error"]
    # Later sweeps keep waiting, without calling Canvas.
    world.advance(REPORT_SECONDS * 10)
    requests_before = world.canvas.count
    result = world.sweep()
    assert result.unauthorized == [job.id]
    assert world.canvas.count == requests_before
    parked = world.job(job.id)
    assert parked.status == JobStatus.QUEUED
    assert parked.error is not None
    assert "authorize" in parked.error
    # The user authorizes again: the same row picks up the same Canvas report.
    world.connect(ADA)
    world.settle()
    done = world.job(job.id)
    assert_intact(done, status=JobStatus.COMPLETE, report_id=job.canvas_report_id)
    assert done.error is None
    assert len(world.canvas_account_reports()) == 1


def test_a_user_who_never_comes_back_leaves_a_stale_job_with_the_reason(
    world: ReliableWorld,
) -> None:
    world.connect(ADA)
    ada = world.admin()
    ada.post("/reports/account/last_user_access_csv")
    [job] = world.jobs()
    revoke(world, ADA)
    world.settle(step=60)
    stale = world.job(job.id)
    assert_intact(stale, status=JobStatus.STALE, report_id=job.canvas_report_id)
    assert stale.events[-1].detail == stale.error
    assert stale.error is not None
    assert "authorize" in stale.error
    # Stale is not lost: after authorizing again, Retry finds the report Canvas finished
    # meanwhile instead of running it a second time.
    world.connect(ADA)
    retried = ada.post(f"/reports/jobs/{job.id}/retry", headers={"Accept": "application/json"})
    assert retried.status_code == 200, retried.text
    world.settle()
    done = world.job(job.id)
    assert_intact(done, status=JobStatus.COMPLETE, report_id=job.canvas_report_id)
    assert done.file_name
    assert len(world.canvas_account_reports()) == 1


def test_a_token_endpoint_outage_during_refresh_delays_jobs_and_keeps_the_token(
    world: ReliableWorld,
) -> None:
    world.connect(ADA)
    ada = world.admin()
    ada.post("/reports/account/last_user_access_csv")
    [job] = world.jobs()
    kept = world.oauth.stored(ADA)
    assert kept is not None
    outage = faults.add_route_fault(
        world.live.emulator, "error", r"^/login/oauth2/token$", method="POST", status=503
    )
    store = world.live.emulator.store
    with store.lock:  # Canvas says the access token expired; refreshing it fails
        store.access_tokens[kept.access_token].expires_at = store.now()
    world.advance(10)
    world.sweep()
    assert outage.hits >= 1
    during = world.job(job.id)
    assert during.status == JobStatus.QUEUED  # delayed, not failed
    assert during.error
    stored = world.oauth.stored(ADA)
    assert stored is not None
    assert stored.refresh_token == kept.refresh_token  # nothing thrown away
    faults.clear(world.live.emulator)
    world.settle()
    done = world.job(job.id)
    assert_intact(done, status=JobStatus.COMPLETE, report_id=job.canvas_report_id)
    assert done.error is None
    assert refreshes(world) >= 1
