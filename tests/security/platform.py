"""Helpers for the security suite: real logins through the emulator, forged id_tokens.

A forged token starts from the id_token the emulator really issued for this login (so the
state, nonce and every claim are the genuine ones) and changes one thing, re-signed with the
emulator's own platform key unless the case is about the signature.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.db import Database
from app.models import AuditEvent, CanvasToken, Job, JobEvent, Launch, LaunchStateEntry, OAuthState
from emulator.lti.keys import platform_keys
from emulator.testing import LiveEmulator
from tests.integration.launch_helpers import Journey, data_attribute

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
COURSE_NAV = "/courses/101/external_tools/{tool}?launch_type=course_navigation"
ACCOUNT_NAV = "/accounts/{account}/external_tools/{tool}?launch_type=account_navigation"

_OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class Login:
    """A login the tool accepted and the form Canvas would post back to the launch URL."""

    journey: Journey
    form: dict[str, str]
    header: dict[str, Any]
    claims: dict[str, Any]

    def sign(self, claims: dict[str, Any], **header: Any) -> str:
        """``claims`` signed with the emulator's present key (header overrides allowed)."""
        keys = platform_keys(self.journey.emulator.emulator)
        headers = {"typ": "JWT", "kid": keys.present.kid, **header}
        return jwt.encode(claims, keys.present.private_key, algorithm="RS256", headers=headers)

    def sign_other_key(self, claims: dict[str, Any], kid: str | None = None) -> str:
        keys = platform_keys(self.journey.emulator.emulator)
        return jwt.encode(
            claims, _OTHER_KEY, algorithm="RS256", headers={"kid": kid or keys.present.kid}
        )

    def post(self, **fields: str | None) -> Any:
        """POST the launch form with some fields replaced (``None`` drops a field)."""
        data = dict(self.form)
        for name, value in fields.items():
            if value is None:
                data.pop(name, None)
            else:
                data[name] = value
        return self.journey.tool.post("/lti/launch", data=data)


def tool_id(registration: dict[str, Any]) -> str:
    return str(registration["deployment_id"]).split(":", 1)[0]


def start_login(
    app: Flask, emulator: LiveEmulator, registration: dict[str, Any], user_id: int = 3,
    path: str = COURSE_NAV,
) -> Login:  # fmt: skip
    """Log in at the tool and let the emulator answer with a genuine id_token form."""
    journey = Journey.as_user(emulator, app, user_id)
    _, params = journey.login_params(path.format(tool=tool_id(registration), account=1))
    answer = journey.tool.post("/lti/login", data=params)
    if answer.status_code == 302:  # no platform storage offered: straight to Canvas
        auth_url = answer.headers["Location"]
    else:  # the page stores state in platform storage first, then goes to Canvas
        assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
        auth_url = data_attribute(answer.get_data(as_text=True), "auth-url")
    form = journey.authorize(auth_url)
    assert "id_token" in form, form
    token = form["id_token"]
    claims = jwt.decode(token, options={"verify_signature": False})
    return Login(journey, form, jwt.get_unverified_header(token), claims)


def launch_token(
    app: Flask, emulator: LiveEmulator, registration: dict[str, Any], user_id: int, path: str
) -> str:
    """A complete launch; returns the launch token from the landing redirect."""
    journey = Journey.as_user(emulator, app, user_id)
    response = journey.launch(path.format(tool=tool_id(registration), account=1))
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    location = str(response.headers["Location"])
    return parse_qs(urlsplit(location).query)["lt"][0]


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def raw_jwt(header: Any, payload: bytes, signature: bytes = b"sig") -> str:
    return f"{b64(json.dumps(header).encode())}.{b64(payload)}.{b64(signature)}"


Counts = dict[str, int]


def stored(app: Flask) -> tuple[Counts, frozenset[str]]:
    """Row counts of every table a request could write, and the state keys (minus JWKS cache)."""
    db: Database = app.extensions["db"]
    counts: Counts = {}
    with db.session() as session:
        for model in (Launch, Job, JobEvent, AuditEvent, CanvasToken, OAuthState):
            counts[model.__tablename__] = int(
                session.scalar(select(func.count()).select_from(model)) or 0
            )
        keys = frozenset(
            key
            for key in session.scalars(select(LaunchStateEntry.key))
            if not key.startswith("jwks")
        )
    return counts, keys


Snapshot = Callable[[], tuple[Counts, frozenset[str]]]


def message_of(response: Any) -> str:
    return str(response.get_data(as_text=True))


__all__ = ["FlaskClient", "Login", "launch_token", "raw_jwt", "start_login", "stored"]
