"""Canvas misbehaving: 5xx, timeouts, lost answers, 429 storms, report errors, stuck Progress.

Every fault is injected through the live emulator; every test ends by checking the job's
status, its history and that nothing was lost (the row still tracks its Canvas report, and
Canvas holds exactly the reports the tool started).
"""

from __future__ import annotations

from collections.abc import Callable

from app.canvas.http import HttpPolicy
from app.reports.status import JobStatus
from emulator import faults
from emulator.api import throttle
from tests.emulator.conftest import api_as
from tests.reliability.conftest import (
    ADA,
    REPORT_SECONDS,
    TINA,
    AnswerLost,
    ReliableWorld,
    assert_intact,
    history,
)

JSON = {"Accept": "application/json"}
CREATE_PATH = "/api/v1/accounts/1/reports/last_user_access_csv"
REPORT_GET = r"^/api/v1/accounts/1/reports/last_user_access_csv/\d+$"
# Long enough that ordinary answers on a loaded CI machine never time out; ``HOLD`` is
# longer still, and a held request is released by ``faults.clear`` as soon as it is moot.
BUSY_MACHINE_TIMEOUT = 1.5
HOLD = 20.0


def test_5xx_on_a_poll_is_retried_within_the_poll(world: ReliableWorld) -> None:
    world.connect(ADA)
    ada = world.admin()
    assert ada.post("/reports/account/last_user_access_csv").status_code == 303
    [job] = world.jobs()
    fault = faults.add_route_fault(world.live.emulator, "error", REPORT_GET, status=503, count=2)
    world.advance(10)
    result = world.sweep()
    assert result.polled == [job.id]
    assert fault.hits == 2  # two 503s, then the third attempt answered
    polled = world.job(job.id)
    assert polled.error is None
    assert polled.status == JobStatus.RUNNING
    assert len(world.pauses) == 2  # backed off before each retry
    world.settle()
    assert_intact(world.job(job.id), status=JobStatus.COMPLETE, report_id=job.canvas_report_id)
    assert len(world.canvas_account_reports()) == 1


def test_a_long_outage_only_delays_the_job(world: ReliableWorld) -> None:
    world.connect(ADA)
    ada = world.admin()
    ada.post("/reports/account/last_user_access_csv")
    [job] = world.jobs()
    faults.add_route_fault(world.live.emulator, "error", REPORT_GET, status=502)
    for _ in range(3):
        world.advance(30)
        world.sweep()
    during = world.job(job.id)
    assert during.status == JobStatus.QUEUED
    assert during.error == "An error occurred."  # Canvas's body, as the job page shows it
    assert during.polls == 3
    faults.clear(world.live.emulator)
    world.settle()
    done = world.job(job.id)
    assert_intact(done, status=JobStatus.COMPLETE, report_id=job.canvas_report_id)
    assert done.error is None
    assert done.file_name


def test_a_timed_out_poll_is_retried(world: ReliableWorld) -> None:
    world.connect(ADA)
    world.http_policy = HttpPolicy(read_timeout=BUSY_MACHINE_TIMEOUT)
    ada = world.admin()
    ada.post("/reports/account/last_user_access_csv")
    [job] = world.jobs()
    # Canvas holds the request (real time); the client gives up first and retries the GET.
    hold = faults.add_route_fault(world.live.emulator, "timeout", REPORT_GET, delay=HOLD, count=1)
    world.advance(REPORT_SECONDS / 2)
    world.sweep()
    faults.clear(world.live.emulator)  # release the held request
    assert hold.hits == 1
    polled = world.job(job.id)
    assert polled.error is None
    assert polled.status == JobStatus.RUNNING
    world.settle()
    assert_intact(world.job(job.id), status=JobStatus.COMPLETE, report_id=job.canvas_report_id)


def test_a_create_whose_answer_is_lost_is_reconciled_not_duplicated(
    world: ReliableWorld, lose_answers: Callable[[str, str, int], AnswerLost]
) -> None:
    world.connect(ADA)
    lost = lose_answers("POST", CREATE_PATH, 1)
    ada = world.admin()
    answer = ada.post("/reports/account/last_user_access_csv")
    assert answer.status_code == 303, answer.text
    assert lost.lost == 1  # Canvas made the report, the tool saw a 502
    [report] = world.canvas_account_reports()
    [job] = world.jobs()
    assert job.canvas_report_id == report.id
    world.settle()
    assert_intact(world.job(job.id), status=JobStatus.COMPLETE, report_id=report.id)
    assert len(world.canvas_account_reports()) == 1


def test_a_create_held_until_a_gateway_504_is_not_sent_twice(world: ReliableWorld) -> None:
    world.connect(ADA)
    # Canvas's gateway holds the worker's POST and answers 504 without running it.
    faults.add_route_fault(
        world.live.emulator, "timeout", f"^{CREATE_PATH}$", method="POST", delay=2, count=1
    )
    ada = world.admin()
    answer = ada.post("/reports/account/last_user_access_csv")
    faults.clear(world.live.emulator)
    assert answer.status_code == 303  # recorded; the worker's attempt met the 504
    [job] = world.jobs()
    assert job.status == JobStatus.STARTING  # no report in Canvas, none pretended
    assert job.canvas_report_id is None
    assert world.canvas_account_reports() == []
    world.settle()  # the next attempt looks first, finds nothing, POSTs once
    assert_intact(world.job(job.id), status=JobStatus.COMPLETE, report_id=job.canvas_report_id)
    assert len(world.canvas_account_reports()) == 1


def test_a_429_storm_backs_off_and_every_job_finishes(world: ReliableWorld) -> None:
    world.connect(ADA)
    world.connect(TINA)
    ada = world.admin()
    tina = world.teacher()
    for report in ("last_user_access_csv", "zero_activity_csv", "unused_courses_csv"):
        assert ada.post(f"/reports/account/{report}").status_code == 303
    assert tina.post("/reports/course/course_pace_docx").status_code == 303
    jobs = world.jobs()
    assert len(jobs) == 4
    emulator = world.live.emulator
    throttle.force_rejections(emulator, 6)  # the next six API calls are refused with 429
    world.advance(REPORT_SECONDS / 2)
    first = world.sweep()
    assert sorted(first.polled) == [job.id for job in jobs]
    assert len(world.pauses) >= 6  # one back-off per 429, no call given up
    world.settle()
    for job in jobs:
        assert_intact(world.job(job.id), status=JobStatus.COMPLETE, report_id=job.canvas_report_id)
    assert len(world.canvas_account_reports()) == 3
    assert len(emulator.store.course_reports) == 1


def test_a_storm_longer_than_the_retries_delays_jobs_without_failing_them(
    world: ReliableWorld,
) -> None:
    world.connect(ADA)
    ada = world.admin()
    ada.post("/reports/account/last_user_access_csv")
    [job] = world.jobs()
    throttle.force_rejections(world.live.emulator, 50)
    world.advance(10)
    swept_at = world.now()  # the client's back-offs move the clock during the sweep
    world.sweep()
    during = world.job(job.id)
    assert during.status == JobStatus.QUEUED
    assert during.error
    assert "limiting" in during.error
    assert during.next_poll_at is not None
    assert during.next_poll_at >= swept_at + world.policy.budget_delay
    throttle.force_rejections(world.live.emulator, 0)
    world.settle()
    done = world.job(job.id)
    assert_intact(done, status=JobStatus.COMPLETE, report_id=job.canvas_report_id)
    assert done.error is None


def test_a_drained_budget_defers_the_users_other_jobs(world: ReliableWorld) -> None:
    world.connect(ADA)
    ada = world.admin()
    for report in ("last_user_access_csv", "zero_activity_csv"):
        ada.post(f"/reports/account/{report}")
    jobs = world.jobs()
    stored = world.oauth.stored(ADA)
    assert stored is not None
    throttle.drain(world.live.emulator, stored.access_token)
    world.advance(3)  # due, but the bucket has barely leaked
    result = world.sweep()
    assert len(result.polled) == 1  # the first call reads the low X-Rate-Limit-Remaining
    assert len(result.deferred) == 1
    world.settle()
    for job in jobs:
        assert_intact(world.job(job.id), status=JobStatus.COMPLETE, report_id=job.canvas_report_id)


def test_a_report_error_fails_the_job_with_canvas_message(world: ReliableWorld) -> None:
    world.connect(ADA)
    faults.add_report_fault(world.live.emulator, "account_report", "fail")
    ada = world.admin()
    ada.post("/reports/account/last_user_access_csv")
    [job] = world.jobs()
    world.settle()
    failed = world.job(job.id)
    assert_intact(failed, status=JobStatus.FAILED, report_id=job.canvas_report_id)
    [report] = world.canvas_account_reports()
    assert report.workflow_state == "error"
    # Canvas's report JSON has no ``message`` (reports-api.md 1.3); what it says about a
    # failure is ``parameters.extra_text``, and that is what the user is shown.
    canvas_says = (
        api_as(world.live, ADA)
        .get(f"/api/v1/accounts/1/reports/last_user_access_csv/{report.id}")
        .json()
    )
    assert "message" not in canvas_says
    assert failed.error == canvas_says["parameters"]["extra_text"]
    shown = ada.api(f"/api/jobs/{job.id}").get_json()
    assert shown["status"] == "failed"
    assert shown["error"] == failed.error
    # Retry starts a new Canvas report on the same row, and it completes.
    assert ada.post(f"/reports/jobs/{job.id}/retry", headers=JSON).status_code == 200
    world.settle()
    retried = world.job(job.id)
    assert_intact(retried, status=JobStatus.COMPLETE, report_id=None)
    assert retried.retries == 1
    assert len(world.canvas_account_reports()) == 2


def test_a_stuck_progress_goes_stale_and_retry_recovers(world: ReliableWorld) -> None:
    world.connect(TINA)
    emulator = world.live.emulator
    faults.add_report_fault(emulator, "new_quiz_report", "stick")
    tina = world.teacher()
    started = tina.post("/reports/new_quiz/301", {"report_type": "item_analysis", "format": "csv"})
    assert started.status_code == 303, started.text
    [job] = world.jobs()
    stuck_id = job.canvas_progress_id
    assert stuck_id is not None
    world.settle(step=30)
    stale = world.job(job.id)
    assert_intact(stale, status=JobStatus.STALE, report_id=None)
    assert stale.next_poll_at is None  # stopped polling
    assert stale.events[-1].at - stale.events[-2].at >= world.policy.stale_after_progress
    assert tina.post(f"/reports/jobs/{job.id}/retry", headers=JSON).status_code == 200
    world.settle()  # the worker cancels the stuck Progress, then starts a new report
    assert emulator.store.progresses[stuck_id].workflow_state == "failed"  # cancelled
    done = world.job(job.id)
    assert_intact(done, status=JobStatus.COMPLETE, report_id=None)
    assert done.canvas_progress_id != stuck_id
    assert done.retries == 1
    assert JobStatus.STALE in history(done)
    assert len(emulator.store.new_quiz_reports) == 2
