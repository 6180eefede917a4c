"""Registrations are found by (issuer, client id), never by the issuer alone."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, event, insert, select

from app.db import Database
from app.lti.registrations import PlatformInput, add_deployment, add_platform, remove_platform
from app.lti.tool_conf import DbToolConf, Registration, RegistrationCache
from app.models.platform import Deployment, Platform
from tests.unit.lti import fakes
from tests.unit.lti.conftest import register


def _add_client(app: Flask, client_id: str, deployment_id: str) -> None:
    db: Database = app.extensions["db"]
    with db.session() as session:
        add_platform(
            session,
            app.extensions["secret_box"],
            PlatformInput(
                issuer=fakes.ISSUER,
                client_id=client_id,
                deployment_id=deployment_id,
                auth_login_url=fakes.AUTH_LOGIN_URL,
                auth_token_url="https://sso.test.example/login/oauth2/token",
                key_set_url=fakes.KEY_SET_URL,
                canvas_url="https://other-school.test.example",
                api_client_id="2",
                api_client_secret="s",
            ),
        )


def _conf(app: Flask) -> DbToolConf:
    db: Database = app.extensions["db"]
    return DbToolConf(db.sessions())


def test_a_registration_is_found_by_issuer_and_client_id_only(app: Flask) -> None:
    platform_id = register(app)
    conf = _conf(app)
    found = conf.registration(fakes.ISSUER, fakes.CLIENT_ID)
    assert found == Registration(
        platform_id=platform_id,
        issuer=fakes.ISSUER,
        client_id=fakes.CLIENT_ID,
        auth_login_url=fakes.AUTH_LOGIN_URL,
        key_set_url=fakes.KEY_SET_URL,
        canvas_url=fakes.CANVAS_URL,
        deployment_ids=frozenset({fakes.DEPLOYMENT_ID}),
    )
    assert conf.registration(fakes.ISSUER, "") is None
    assert conf.registration("", fakes.CLIENT_ID) is None
    assert conf.registration("https://unknown.example", fakes.CLIENT_ID) is None
    assert conf.registration(fakes.ISSUER, "99999") is None


def test_two_clients_of_one_issuer_are_told_apart_by_client_id(app: Flask) -> None:
    register(app)
    _add_client(app, "20000000000002", "7:other")
    conf = _conf(app)
    first = conf.registration(fakes.ISSUER, fakes.CLIENT_ID)
    second = conf.registration(fakes.ISSUER, "20000000000002")
    assert first is not None
    assert second is not None
    assert first.platform_id != second.platform_id
    assert first.deployment_ids == {fakes.DEPLOYMENT_ID}
    assert second.deployment_ids == {"7:other"}
    assert second.canvas_url == "https://other-school.test.example"


def test_a_platform_without_deployments_has_an_empty_set(app: Flask) -> None:
    platform_id = register(app)
    db: Database = app.extensions["db"]
    with db.session() as session:
        session.execute(delete(Deployment))
    conf = _conf(app)
    found = conf.registration(fakes.ISSUER, fakes.CLIENT_ID)
    assert found is not None
    assert found.deployment_ids == frozenset()
    assert found.platform_id == platform_id


def test_a_request_reads_each_registration_once(app: Flask) -> None:
    register(app)
    conf = _conf(app)
    seen: list[str] = []
    engine = app.extensions["db"].engine

    def record(_c: object, _cur: object, statement: str, *_: object) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        assert conf.registration(fakes.ISSUER, fakes.CLIENT_ID) is not None
        assert conf.registration(fakes.ISSUER, fakes.CLIENT_ID) is not None
        assert conf.registration(fakes.ISSUER, "99999") is None
        assert conf.registration(fakes.ISSUER, "99999") is None
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert len(seen) == 2


# ------------------------------------------------------------------ the per-process cache


class _Ticks:
    def __init__(self) -> None:
        self.value = 0.0

    def __call__(self) -> float:
        return self.value


def _count_statements(app: Flask) -> list[str]:
    seen: list[str] = []

    def record(_c: object, _cur: object, statement: str, *_: object) -> None:
        seen.append(statement)

    event.listen(app.extensions["db"].engine, "before_cursor_execute", record)
    return seen


def test_the_cache_answers_later_requests_until_its_ttl(app: Flask) -> None:
    register(app)
    ticks = _Ticks()
    cache = RegistrationCache(ttl_seconds=30, clock=ticks)
    db: Database = app.extensions["db"]
    assert DbToolConf(db.sessions(), cache).registration(fakes.ISSUER, fakes.CLIENT_ID)
    seen = _count_statements(app)
    assert DbToolConf(db.sessions(), cache).registration(fakes.ISSUER, fakes.CLIENT_ID)
    assert seen == []
    ticks.value = 30.0
    assert DbToolConf(db.sessions(), cache).registration(fakes.ISSUER, fakes.CLIENT_ID)
    assert len(seen) == 1


def test_unknown_registrations_are_never_cached(app: Flask) -> None:
    register(app)
    cache = RegistrationCache()
    db: Database = app.extensions["db"]
    seen = _count_statements(app)
    for _ in range(3):
        assert DbToolConf(db.sessions(), cache).registration(fakes.ISSUER, "99999") is None
    assert len(seen) == 3


def test_a_change_committed_in_this_process_drops_the_cache(app: Flask) -> None:
    platform_id = register(app)
    cache = RegistrationCache()
    db: Database = app.extensions["db"]
    before = DbToolConf(db.sessions(), cache).registration(fakes.ISSUER, fakes.CLIENT_ID)
    assert before is not None
    with db.session() as session:
        platform = session.get(Platform, platform_id)
        assert platform is not None
        add_deployment(session, platform, "9:added")
    after = DbToolConf(db.sessions(), cache).registration(fakes.ISSUER, fakes.CLIENT_ID)
    assert after is not None
    assert after.deployment_ids == {fakes.DEPLOYMENT_ID, "9:added"}
    with db.session() as session:
        remove_platform(session, platform_id)
    assert DbToolConf(db.sessions(), cache).registration(fakes.ISSUER, fakes.CLIENT_ID) is None


def test_a_deployment_another_process_added_is_read_afresh(
    app: Flask, client: FlaskClient, canvas: fakes.FakeCanvas
) -> None:
    """The cached snapshot lacks it (no event in this process), the launch still works."""
    state, nonce, _ = fakes.login(client)  # caches the registration
    db: Database = app.extensions["db"]
    with db.engine.begin() as connection:  # another process: no ORM event here
        platform_id = connection.execute(select(Platform.id)).scalar_one()
        connection.execute(
            insert(Deployment).values(
                platform_id=platform_id, deployment_id="9:new", created_at=datetime.now(UTC)
            )
        )
    claims = canvas.claims(nonce, **{fakes.CLAIM + "deployment_id": "9:new"})
    answer = client.post("/lti/launch", data={"id_token": canvas.sign(claims), "state": state})
    assert answer.status_code == 303
    state, nonce, _ = fakes.login(client)
    claims = canvas.claims(nonce, **{fakes.CLAIM + "deployment_id": "9:unknown"})
    refused = client.post("/lti/launch", data={"id_token": canvas.sign(claims), "state": state})
    assert refused.status_code == 400
    assert "9:unknown" in refused.get_data(as_text=True)
