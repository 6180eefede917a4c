"""Registrations are found by (issuer, client id), never by the issuer alone."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import delete, event

from app.db import Database
from app.lti.registrations import PlatformInput, add_platform
from app.lti.tool_conf import DbToolConf, Registration
from app.models.platform import Deployment
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
    assert conf.platform_has_deployments(platform_id)


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
    assert not conf.platform_has_deployments(platform_id)


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
