"""The OAuth callback never hurts the person whose code it received (issue 13, point 3).

The code is exchanged without ``replace_tokens``; a token for the wrong user is revoked
alone; on success the new token is committed before the tool's older one is revoked, a
failure to revoke that one does not fail the authorization, and the user's jobs that wait
for authorization are woken at once. All against the live emulator.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import pytest
import requests
from flask import Flask
from sqlalchemy import select

from app.canvas.errors import CanvasUnavailable
from app.canvas.factory import canvas_client_for_user
from app.canvas.oauth import CanvasOAuth, TokenGrant
from app.models.job import Job
from app.reports import wake, worker
from app.reports.polling import DEFAULT_POLICY
from emulator import faults
from tests.integration.oauth_harness import (  # noqa: F401 - the fixture
    CanvasWorld,
    canvas_world_fixture,
)

TINA, TOM, STU = 3, 4, 10
TOKEN_URL = r"^/login/oauth2/token$"


def _get_self(canvas: CanvasWorld, access_token: str) -> requests.Response:
    """A real API call with ``access_token``, as any Canvas client would make it."""
    return requests.get(
        f"{canvas.live.url}/api/v1/users/self",
        headers={"Authorization": f"Bearer {access_token}", "User-Agent": "tests"},
        timeout=10,
    )


def _row(canvas: CanvasWorld, user_id: int) -> tuple[Any, ...] | None:
    """The tool's stored token row, every column as the database holds it."""
    with canvas.db.engine.connect() as connection:
        row = connection.exec_driver_sql(
            "SELECT * FROM canvas_token WHERE platform_id = ? AND canvas_user_id = ?",
            (canvas.platform_id, user_id),
        ).one_or_none()
    return tuple(row) if row is not None else None


def _page(result: Any) -> str:
    page: str = result.get_data(as_text=True)
    return page


# ---------------------------------------------------------------- the attacker's state


def test_a_victims_consent_on_an_attackers_state_leaves_the_victim_untouched(
    canvas: CanvasWorld,
) -> None:
    assert canvas.authorize(canvas.launch(TINA)).status_code == 200  # Tina's working token
    victims = canvas.stored(TINA)
    assert victims is not None
    row_before = _row(canvas, TINA)
    attacker = canvas.launch(STU)
    lure = canvas.start(attacker)  # the attacker's /oauth/authorize redirect, his state
    callback = canvas.consent(lure, as_user=TINA)  # Tina follows it and authorizes
    issued_before = {t.token for t in canvas.emulator_tokens(TINA)}

    result = canvas.callback(callback)

    assert result.status_code == 400
    assert 'data-reason="wrong_user"' in _page(result)
    assert canvas.oauth_stats().get("replace_tokens", 0) == 0
    fresh = [t for t in canvas.emulator_tokens(TINA) if t.token not in issued_before]
    assert len(fresh) == 1
    assert fresh[0].revoked
    assert _get_self(canvas, fresh[0].token).status_code == 401
    answer = _get_self(canvas, victims.access_token)
    assert answer.status_code == 200
    assert answer.json()["id"] == TINA
    assert canvas.client(TINA).get_self().id == TINA  # the tool's own client, too
    assert _row(canvas, TINA) == row_before
    assert canvas.stored(STU) is None


# ---------------------------------------------------------------- re-authorization


def test_reauthorizing_stores_the_new_token_then_revokes_the_old_one(
    canvas: CanvasWorld,
) -> None:
    launch = canvas.launch(TINA)
    canvas.authorize(launch)
    old = canvas.stored(TINA)
    assert old is not None
    result = canvas.authorize(launch)
    assert result.status_code == 200
    assert 'data-oauth-result="connected"' in _page(result)
    new = canvas.stored(TINA)
    assert new is not None
    assert new.access_token != old.access_token
    assert _get_self(canvas, old.access_token).status_code == 401
    assert _get_self(canvas, new.access_token).status_code == 200
    olds = [t for t in canvas.emulator_tokens(TINA) if t.refresh_token == old.refresh_token]
    assert olds
    assert all(t.revoked for t in olds)  # its refresh token died with it
    assert canvas.oauth_stats().get("replace_tokens", 0) == 0


def test_the_old_token_is_revoked_only_once_the_new_one_is_committed(
    canvas: CanvasWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    launch = canvas.launch(TINA)
    canvas.authorize(launch)
    old = canvas.stored(TINA)
    assert old is not None
    committed_at_revoke: list[str | None] = []
    real_revoke = CanvasOAuth.revoke

    def revoke(self: CanvasOAuth, access_token: str) -> bool:
        if access_token == old.access_token:  # what another process reads at that moment
            seen = canvas.stored(TINA)
            committed_at_revoke.append(seen.access_token if seen else None)
        return real_revoke(self, access_token)

    monkeypatch.setattr(CanvasOAuth, "revoke", revoke)
    assert canvas.authorize(launch).status_code == 200
    new = canvas.stored(TINA)
    assert new is not None
    assert committed_at_revoke == [new.access_token]


def test_a_token_canvas_hands_back_again_is_not_revoked(
    canvas: CanvasWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A key with ``force_token_reuse`` answers a new code with the token already held."""
    launch = canvas.launch(TINA)
    canvas.authorize(launch)
    held = canvas.stored(TINA)
    assert held is not None
    real_exchange = CanvasOAuth.exchange_code

    def exchange_code(self: CanvasOAuth, code: str) -> TokenGrant:
        issued = real_exchange(self, code)
        return TokenGrant(held.access_token, held.refresh_token, None, issued.canvas_user_id, "")

    monkeypatch.setattr(CanvasOAuth, "exchange_code", exchange_code)
    assert canvas.authorize(launch).status_code == 200
    stored = canvas.stored(TINA)
    assert stored is not None
    assert stored.access_token == held.access_token
    assert _get_self(canvas, held.access_token).status_code == 200


def test_an_expired_old_token_is_refreshed_so_it_can_be_revoked(canvas: CanvasWorld) -> None:
    canvas.authorize(canvas.launch(TINA))
    old = canvas.stored(TINA)
    assert old is not None
    canvas.advance(2 * 3600)  # Canvas will not let an expired token revoke itself
    assert canvas.authorize(canvas.launch(TINA)).status_code == 200
    olds = [t for t in canvas.emulator_tokens(TINA) if t.refresh_token == old.refresh_token]
    assert len(olds) == 2  # the expired one and the refresh that revoked the record
    assert all(t.revoked for t in olds)


def test_canvas_failing_to_revoke_the_old_token_still_authorizes(
    canvas: CanvasWorld, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    launch = canvas.launch(TINA)
    canvas.authorize(launch)
    old = canvas.stored(TINA)
    assert old is not None
    fault = faults.add_route_fault(
        canvas.live.emulator, "error", TOKEN_URL, method="DELETE", status=503
    )
    try:
        result = canvas.authorize(launch)
    finally:
        faults.state(canvas.live.emulator).routes.remove(fault)
    assert result.status_code == 200
    assert 'data-oauth-result="connected"' in _page(result)
    new = canvas.stored(TINA)
    assert new is not None
    assert new.access_token != old.access_token
    assert _get_self(canvas, new.access_token).status_code == 200
    assert fault.hits >= 1
    warnings = [r for r in caplog.records if r.getMessage() == "oauth.replaced_token_not_revoked"]
    assert [r.levelno for r in warnings] == [logging.WARNING]
    logged = "\n".join(r.getMessage() + repr(r.__dict__) for r in caplog.records)
    for secret in (old.access_token, old.refresh_token or "-", new.access_token):
        assert secret not in logged


def test_canvas_unreachable_for_the_old_token_still_authorizes(
    canvas: CanvasWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    launch = canvas.launch(TINA)
    canvas.authorize(launch)
    old = canvas.stored(TINA)
    assert old is not None
    real_revoke = CanvasOAuth.revoke

    def revoke(self: CanvasOAuth, access_token: str) -> bool:
        if access_token != old.access_token:
            return real_revoke(self, access_token)
        raise CanvasUnavailable("Canvas could not be reached to revoke the token.")

    monkeypatch.setattr(CanvasOAuth, "revoke", revoke)
    monkeypatch.setattr(CanvasOAuth, "refresh", _unreachable_refresh)
    result = canvas.authorize(launch)
    assert result.status_code == 200
    new = canvas.stored(TINA)
    assert new is not None
    assert new.access_token != old.access_token
    assert canvas.client(TINA).get_self().id == TINA


def _unreachable_refresh(self: CanvasOAuth, refresh_token: str) -> Any:
    raise CanvasUnavailable("Canvas's token endpoint could not be reached.")


# ---------------------------------------------------------------- waking waiting jobs


def _park(canvas: CanvasWorld, user_id: int) -> int:
    """A live job the real worker parked because ``user_id`` has no usable token."""
    with canvas.db.session() as session:
        job = Job(
            platform_id=canvas.platform_id,
            canvas_user_id=user_id,
            family="account",
            report_type="last_user_access_csv",
            status="running",
            canvas_account_id=1,
            canvas_report_id=9 + user_id,  # two live jobs never follow one Canvas report
            next_poll_at=canvas.now(),
            progress_changed_at=canvas.now(),
            started_at=canvas.now(),
            created_at=canvas.now(),
        )
        session.add(job)
        session.flush()
        job_id = job.id
    with canvas.db.session() as session:
        outcome = worker.poll_jobs(
            session,
            [job_id],
            lambda s, p, u: canvas_client_for_user(s, p, u, canvas.options()),
            canvas.now(),
            DEFAULT_POLICY,
        )
    assert outcome.unauthorized == [job_id]
    return job_id


def _job(canvas: CanvasWorld, job_id: int) -> Job:
    with canvas.db.session() as session:
        job = session.scalars(select(Job).where(Job.id == job_id)).one()
        session.expunge(job)
        return job


def test_a_successful_callback_wakes_that_users_waiting_jobs_at_once(
    canvas: CanvasWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    tinas, toms = _park(canvas, TINA), _park(canvas, TOM)
    toms_before = _job(canvas, toms)
    assert _job(canvas, tinas).error == wake.WAITING_FOR_AUTHORIZATION
    assert _job(canvas, tinas).next_poll_at == canvas.now() + DEFAULT_POLICY.max_delay
    scheduled: list[tuple[int, Any]] = []

    def schedule_polls(app: Flask, jobs: Sequence[Job]) -> None:
        assert app is canvas.app
        scheduled.extend((job.id, job.next_poll_at) for job in jobs)

    monkeypatch.setattr(worker, "schedule_polls", schedule_polls)
    canvas.advance(30)
    assert canvas.authorize(canvas.launch(TINA)).status_code == 200

    now = canvas.now()
    woken = _job(canvas, tinas)
    assert woken.next_poll_at == now
    assert woken.error is None
    assert scheduled == [(tinas, now)]
    untouched = _job(canvas, toms)
    assert (untouched.next_poll_at, untouched.error) == (
        toms_before.next_poll_at,
        toms_before.error,
    )


def test_a_failed_callback_wakes_nothing(
    canvas: CanvasWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    tinas = _park(canvas, TINA)
    before = _job(canvas, tinas)
    scheduled: list[int] = []
    monkeypatch.setattr(
        worker, "schedule_polls", lambda _app, jobs: scheduled.extend(j.id for j in jobs)
    )
    result = canvas.authorize(canvas.launch(TINA), as_user=TOM)
    assert 'data-reason="wrong_user"' in _page(result)
    after = _job(canvas, tinas)
    assert (after.next_poll_at, after.error) == (before.next_poll_at, before.error)
    assert scheduled == []
