"""Registrations by issuer alone answer only when the issuer has a single client."""

from __future__ import annotations

from flask import Flask

from app.db import Database
from app.lti.registrations import PlatformInput, add_platform
from app.lti.tool_conf import DbToolConf, PlatformRegistration
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


def test_an_issuers_only_client_is_found_by_issuer(app: Flask) -> None:
    register(app)
    conf = _conf(app)
    found = conf.find_registration_by_issuer(fakes.ISSUER)
    assert isinstance(found, PlatformRegistration)
    assert found.get_client_id() == fakes.CLIENT_ID
    deployment = conf.find_deployment(fakes.ISSUER, fakes.DEPLOYMENT_ID)
    assert deployment is not None
    assert deployment.get_deployment_id() == fakes.DEPLOYMENT_ID
    assert conf.find_registration_by_issuer("https://unknown.example") is None
    assert conf.find_deployment(fakes.ISSUER, "9:unknown") is None


def test_an_issuer_with_two_clients_is_never_resolved_by_issuer_alone(app: Flask) -> None:
    register(app)
    _add_client(app, "20000000000002", fakes.DEPLOYMENT_ID)  # same deployment id, other key
    conf = _conf(app)
    assert conf.find_registration_by_issuer(fakes.ISSUER) is None
    assert conf.find_deployment(fakes.ISSUER, fakes.DEPLOYMENT_ID) is None
    # With the client id both are still found.
    assert conf.find_registration_by_params(fakes.ISSUER, fakes.CLIENT_ID) is not None
    assert conf.find_deployment_by_params(fakes.ISSUER, fakes.DEPLOYMENT_ID, fakes.CLIENT_ID)
    assert not conf.check_iss_has_one_client(fakes.ISSUER)
