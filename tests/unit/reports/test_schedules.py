"""Schedules with a controlled clock: slots, daylight saving, catch-up, two workers, a
revoked or refused owner (app/reports/schedules)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.canvas.errors import CanvasNotPermitted, CanvasUnavailable
from app.db import Database
from app.models import CanvasToken, Job, Platform, Schedule, ScheduleRun
from app.reports.schedules import cadence, relative, runner
from app.reports.schedules.cadence import CadenceError
from app.reports.schedules.relative import RelativeError

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # a Monday


@pytest.fixture
def db(app: Flask) -> Iterator[Database]:
    with app.app_context():
        database: Database = app.extensions["db"]
        yield database


def _platform(session: Session) -> int:
    platform = Platform(
        issuer="https://canvas", client_id="1", auth_login_url="x", auth_token_url="x",
        key_set_url="x", canvas_url="x", api_client_id="2", api_client_secret_encrypted=b"x",
    )  # fmt: skip
    session.add(platform)
    session.flush()
    return platform.id


def _schedule(session: Session, pid: int, *, cron: str = "0 6 * * *",
              zone: str = "America/New_York", token: bool = True,
              parameters: dict[str, object] | None = None) -> Schedule:  # fmt: skip
    schedule = Schedule(
        platform_id=pid, owner_user_id=7, owner_name="Ada Admin", family="account",
        report_type="last_user_access_csv", title="Last User Access", canvas_account_id=1,
        parameters=parameters or {}, cadence="cron", cron=cron, time_zone=zone,
        status="active", created_at=T0, updated_at=T0,
    )  # fmt: skip
    schedule.next_run_at = runner.cadence_of(schedule).next_after(T0)
    session.add(schedule)
    if token:
        session.add(CanvasToken(platform_id=pid, canvas_user_id=7, access_token_encrypted=b"x",
                                refresh_token_encrypted=None))  # fmt: skip
    session.flush()
    return schedule


class Starts:
    """A starter that records a job per call (the real one goes through the start path)."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, dict[str, object]]] = []
        self.fail: Exception | None = None

    def __call__(self, session: Session, schedule: Schedule, parameters: dict[str, object],
                 now: datetime) -> Sequence[Job]:  # fmt: skip
        if self.fail is not None:
            raise self.fail
        self.calls.append((schedule.id, parameters))
        job = Job(
            platform_id=schedule.platform_id, canvas_user_id=schedule.owner_user_id,
            family=schedule.family, report_type=schedule.report_type, status="queued",
            parameters=parameters, canvas_account_id=schedule.canvas_account_id,
            created_at=now, updated_at=now, started_at=now, progress_changed_at=now,
        )  # fmt: skip
        session.add(job)
        session.flush()
        return [job]


def no_term(_schedule: Schedule, _day: datetime) -> int | None:
    return None


def _tick(session: Session, now: datetime, starts: Starts) -> runner.TickResult:
    return runner.tick(session, now, starts, no_term)


# ------------------------------------------------------------------------ cadence


@pytest.mark.parametrize(
    ("form", "cron"),
    [
        ({"cadence": "daily", "time": "06:30"}, "30 6 * * *"),
        ({"cadence": "weekly", "time": "7:05", "weekday": "1"}, "5 7 * * 1"),
        ({"cadence": "monthly", "time": "23:59", "day": "28"}, "59 23 28 * *"),
        ({"cadence": "cron", "cron": " 0  */6 * * 1-5 "}, "0 */6 * * 1-5"),
    ],
)
def test_cadences_become_cron_expressions(app: Flask, form: dict[str, str], cron: str) -> None:
    with app.test_request_context():
        parsed = cadence.parse({**form, "time_zone": "Europe/Madrid"})
    assert (parsed.cron, parsed.time_zone) == (cron, "Europe/Madrid")


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"cadence": "hourly"}, "cadence", "Choose how often the report runs."),
        ({"cadence": "daily", "time": "25:00"}, "time",
         "Enter the time as HH:MM, for example 06:30."),
        ({"cadence": "weekly", "time": "06:00", "weekday": "7"}, "weekday",
         "Choose the day of the week."),
        ({"cadence": "monthly", "time": "06:00", "day": "31"}, "day",
         "Choose a day of the month from 1 to 28."),
        ({"cadence": "cron", "cron": "61 * * * *"}, "cron",
         "“61 * * * *” is not a cron expression Canvas Reports can run (five fields: "
         "minute hour day-of-month month day-of-week)."),
        ({"cadence": "cron", "cron": "* * * * *"}, "cron",
         "A schedule may run at most once an hour."),
        ({"cadence": "daily", "time": "06:00", "time_zone": "Mars/Olympus"}, "time_zone",
         "Mars/Olympus is not a time zone (use a name such as America/Chicago)."),
    ],
)  # fmt: skip
def test_bad_cadences_name_the_field(
    app: Flask, form: dict[str, str], field: str, message: str
) -> None:
    with app.test_request_context(), pytest.raises(CadenceError) as caught:
        cadence.parse({"time_zone": "UTC", **form})
    assert (caught.value.field, caught.value.message) == (field, message)


def test_daylight_saving_days_run_once_at_the_local_time() -> None:
    daily = cadence.Cadence("daily", "30 2 * * *", "America/New_York")
    # 2026-03-08: 02:30 does not exist (clocks jump to 03:00): the run is at 03:00 EDT.
    assert daily.next_after(datetime(2026, 3, 8, 5, tzinfo=UTC)) == datetime(
        2026, 3, 8, 7, 0, tzinfo=UTC
    )
    assert daily.next_after(datetime(2026, 3, 8, 7, tzinfo=UTC)) == datetime(
        2026, 3, 9, 6, 30, tzinfo=UTC
    )
    # 2026-11-01: 01:30 happens twice; the schedule runs once, at the first.
    night = cadence.Cadence("daily", "30 1 * * *", "America/New_York")
    first = night.next_after(datetime(2026, 11, 1, 4, tzinfo=UTC))
    assert first == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)
    assert night.next_after(first) == datetime(2026, 11, 2, 6, 30, tzinfo=UTC)


# ------------------------------------------------------------------------ relative dates


def test_relative_dates_resolve_at_the_run_day() -> None:
    params = {"start_at": "@days_ago:7", "end_at": "@today", "course_id": 5,
              "enrollment_term_id": "@current_term"}  # fmt: skip
    out = relative.resolve(params, date(2026, 3, 1), lambda: 42)
    assert out == {"start_at": "2026-02-22", "end_at": "2026-03-01", "course_id": 5,
                   "enrollment_term_id": 42}  # fmt: skip
    month = relative.resolve({"start_at": "@last_month_start", "end_at": "@month_start"},
                             date(2026, 1, 15), lambda: None)  # fmt: skip
    assert month == {"start_at": "2025-12-01", "end_at": "2026-01-01"}


def test_relative_ranges_that_would_run_backwards_are_refused(app: Flask) -> None:
    with app.test_request_context():
        with pytest.raises(RelativeError) as caught:
            relative.check({"start_at": "@today", "end_at": "@days_ago:1"})
        assert caught.value.field == "end_at"
        assert caught.value.message == "The end date would fall before the start date on some runs."
        with pytest.raises(RelativeError) as unknown:
            relative.check({"start_at": "@yesterday"})
        assert (unknown.value.field, unknown.value.message) == (
            "start_at", "@yesterday is not a relative date.")
        with pytest.raises(RelativeError) as too_far:
            relative.date_token("days_ago", "731")
        assert too_far.value.message == "Enter a number of days from 0 to 730."
        relative.check({"start_at": "@days_ago:14", "end_at": "@today"})


def test_current_term_without_a_term_skips_the_run_with_the_reason(db: Database) -> None:
    starts = Starts()
    with db.session() as session:
        schedule = _schedule(session, _platform(session),
                             parameters={"enrollment_term_id": "@current_term"})  # fmt: skip
        session.commit()
        _tick(session, datetime(2026, 3, 3, 11, 0, tzinfo=UTC), starts)
        [run] = session.scalars(select(ScheduleRun)).all()
        assert (run.outcome, run.detail) == ("skipped", "No term in Canvas contains 2026-03-03.")
        assert starts.calls == []
        assert schedule.status == "active"


# ------------------------------------------------------------------------ ticks


def test_each_slot_runs_once(db: Database) -> None:
    starts = Starts()
    with db.session() as session:
        schedule = _schedule(session, _platform(session))  # daily 06:00 New York = 11:00 UTC
        session.commit()
        assert _tick(session, datetime(2026, 3, 3, 10, 59, tzinfo=UTC), starts).started == []
        at_slot = datetime(2026, 3, 3, 11, 0, 30, tzinfo=UTC)
        assert _tick(session, at_slot, starts).started == [schedule.id]
        assert _tick(session, at_slot + timedelta(seconds=20), starts).started == []
        assert _tick(session, datetime(2026, 3, 4, 11, 1, tzinfo=UTC), starts).started == [
            schedule.id
        ]
        slots = session.scalars(select(ScheduleRun.slot_at).order_by(ScheduleRun.slot_at)).all()
        assert slots == [datetime(2026, 3, 3, 11, tzinfo=UTC), datetime(2026, 3, 4, 11, tzinfo=UTC)]
        assert schedule.next_run_at == datetime(2026, 3, 5, 11, tzinfo=UTC)


def test_after_downtime_one_catch_up_run_not_a_burst(db: Database) -> None:
    starts = Starts()
    with db.session() as session:
        schedule = _schedule(session, _platform(session))
        session.commit()
        _tick(session, datetime(2026, 3, 3, 11, 0, tzinfo=UTC), starts)
        # The workers were down for four days.
        back = datetime(2026, 3, 7, 15, 0, tzinfo=UTC)
        assert _tick(session, back, starts).started == [schedule.id]
        assert _tick(session, back + timedelta(minutes=1), starts).started == []
        slots = session.scalars(select(ScheduleRun.slot_at).order_by(ScheduleRun.slot_at)).all()
        assert slots[-1] == datetime(2026, 3, 7, 11, tzinfo=UTC)  # the latest missed slot
        assert len(slots) == 2
        assert len(starts.calls) == 2


def test_two_workers_ticking_together_start_one_run(app: Flask, db: Database) -> None:
    starts = Starts()
    with db.session() as setup:
        schedule_id = _schedule(setup, _platform(setup)).id
        setup.commit()
    now = datetime(2026, 3, 3, 11, 0, tzinfo=UTC)
    with db.session() as first, db.session() as second:
        # Both workers have read the schedule as due before either claims the slot.
        mine = first.get(Schedule, schedule_id)
        theirs = second.get(Schedule, schedule_id)
        assert mine is not None
        assert theirs is not None
        assert mine.next_run_at is not None
        assert theirs.next_run_at is not None
        result = runner.TickResult([], [], [])
        runner._run_one(first, mine, now, (starts, no_term), result)
        first.commit()
        runner._run_one(second, theirs, now, (starts, no_term), result)
        second.commit()
    assert result.started == [schedule_id]
    with db.session() as check:
        assert len(check.scalars(select(ScheduleRun)).all()) == 1
        assert len(check.scalars(select(Job)).all()) == 1


def test_a_revoked_owner_pauses_the_schedule_until_they_authorize(db: Database) -> None:
    starts = Starts()
    with db.session() as session:
        pid = _platform(session)
        schedule = _schedule(session, pid, token=False)
        session.commit()
        result = _tick(session, datetime(2026, 3, 3, 11, 0, tzinfo=UTC), starts)
        assert result.paused == [schedule.id]
        assert (schedule.status, schedule.paused_code) == ("paused", "authorization")
        assert schedule.paused_reason == runner.NEEDS_AUTHORIZATION
        assert _tick(session, datetime(2026, 3, 4, 11, 0, tzinfo=UTC), starts).started == []
        # The owner authorizes on the 5th at 09:00 UTC: one catch-up run, then daily again.
        session.add(CanvasToken(platform_id=pid, canvas_user_id=7, access_token_encrypted=b"x",
                                refresh_token_encrypted=None))  # fmt: skip
        back = datetime(2026, 3, 5, 9, 0, tzinfo=UTC)
        assert [s.id for s in runner.resume_authorized(session, pid, 7, back)] == [schedule.id]
        session.commit()
        assert schedule.next_run_at == back
        assert _tick(session, back, starts).started == [schedule.id]
        assert session.scalars(select(ScheduleRun.slot_at)).all() == [
            datetime(2026, 3, 4, 11, tzinfo=UTC)
        ]
        assert schedule.next_run_at == datetime(2026, 3, 5, 11, tzinfo=UTC)


def test_canvas_refusing_the_owner_pauses_with_canvas_words(db: Database) -> None:
    starts = Starts()
    starts.fail = CanvasNotPermitted("user not authorized to perform that action")
    with db.session() as session:
        schedule = _schedule(session, _platform(session))
        session.commit()
        result = _tick(session, datetime(2026, 3, 3, 11, 0, tzinfo=UTC), starts)
        assert result.paused == [schedule.id]
        assert schedule.paused_code == "canvas"
        assert schedule.paused_reason == runner.CANVAS_REFUSED
        assert schedule.paused_detail == "user not authorized to perform that action"
        # An owner's own resume makes it active again; a refused run is not retried at once.
        runner.resume(schedule, datetime(2026, 3, 3, 12, 0, tzinfo=UTC))
        assert schedule.status == "active"
        assert schedule.next_run_at == datetime(2026, 3, 4, 11, tzinfo=UTC)


def test_a_previous_run_refused_by_canvas_pauses_before_the_next(db: Database) -> None:
    starts = Starts()
    with db.session() as session:
        schedule = _schedule(session, _platform(session))
        session.commit()
        _tick(session, datetime(2026, 3, 3, 11, 0, tzinfo=UTC), starts)
        job = session.scalars(select(Job)).one()
        job.status, job.error = "failed", "Canvas does not allow you to start this report."
        session.commit()
        result = _tick(session, datetime(2026, 3, 4, 11, 0, tzinfo=UTC), starts)
        assert result.paused == [schedule.id]
        assert schedule.paused_reason == runner.CANVAS_REFUSED
        assert schedule.paused_detail == "Canvas does not allow you to start this report."
        assert len(starts.calls) == 1


def test_relative_parameters_resolve_in_the_schedules_time_zone(db: Database) -> None:
    starts = Starts()
    with db.session() as session:
        # 23:30 in Honolulu on March 2nd is already March 3rd in UTC.
        _schedule(session, _platform(session), cron="30 23 * * *", zone="Pacific/Honolulu",
                  parameters={"start_at": "@days_ago:1", "end_at": "@today"})  # fmt: skip
        session.commit()
        _tick(session, datetime(2026, 3, 3, 9, 31, tzinfo=UTC), starts)
    assert starts.calls[0][1] == {"start_at": "2026-03-01", "end_at": "2026-03-02"}


def test_canvas_down_gives_the_slot_back_and_retries_it(db: Database) -> None:
    starts = Starts()
    starts.fail = CanvasUnavailable("Canvas is not answering")
    with db.session() as session:
        schedule = _schedule(session, _platform(session))
        session.commit()
        at = datetime(2026, 3, 3, 11, 0, tzinfo=UTC)
        assert _tick(session, at, starts).skipped == [schedule.id]
        assert session.scalars(select(ScheduleRun)).all() == []
        assert schedule.status == "active"
        assert schedule.next_run_at == at + runner.RETRY_AFTER
        starts.fail = None
        assert _tick(session, at + runner.RETRY_AFTER, starts).started == [schedule.id]
        assert session.scalars(select(ScheduleRun.slot_at)).all() == [at]
