"""A fake Canvas for unit tests: its own RSA keys, signed id_tokens, a counting JWKS fetcher."""

from __future__ import annotations

import json
import re
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask.testing import FlaskClient
from jwcrypto.jwk import JWK

ISSUER = "https://canvas.test.example"
CANVAS_URL = "https://school.test.example"
CLIENT_ID = "10000000000001"
DEPLOYMENT_ID = "6:8865aa05b4b79b64a91a86042e43af5ea8ae79eb"
AUTH_LOGIN_URL = "https://sso.test.example/api/lti/authorize_redirect"
KEY_SET_URL = "https://sso.test.example/api/lti/security/jwks"
TOOL = "http://127.0.0.1:5000"
LIS = "http://purl.imsglobal.org/vocab/lis/v2"
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"

TEACHER = [f"{LIS}/membership#Instructor", f"{LIS}/institution/person#Instructor"]
STUDENT = [f"{LIS}/membership#Learner", f"{LIS}/institution/person#Student"]
ADMIN = [f"{LIS}/institution/person#Administrator", f"{LIS}/system/person#User"]


def new_rsa() -> tuple[str, dict[str, Any]]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    kid = "canvas-" + uuid.uuid4().hex[:8]
    jwk = json.loads(JWK.from_pem(pem.encode()).export_public())
    jwk.update({"kid": kid, "alg": "RS256", "use": "sig"})
    return pem, jwk


_KEY_CACHE: list[tuple[str, dict[str, Any]]] = []


def cached_rsa(index: int) -> tuple[str, dict[str, Any]]:
    """RSA generation is slow; tests share a few keys."""
    while len(_KEY_CACHE) <= index:
        _KEY_CACHE.append(new_rsa())
    return _KEY_CACHE[index]


class FakeResponse:
    def __init__(self, body: Any, status: int = 200) -> None:
        self._body = body
        self.status_code = status

    def raise_for_status(self) -> None:
        if self.status_code >= 400:
            raise requests.HTTPError(f"status {self.status_code}")

    def json(self) -> Any:
        return self._body


@dataclass
class FakeCanvas:
    """Signs launches like Canvas and serves its JWKS through ``get`` (counts fetches)."""

    keys: list[tuple[str, dict[str, Any]]] = field(default_factory=lambda: [cached_rsa(0)])
    fetches: int = 0

    # requests.Session-compatible for PlatformKeySet
    def get(self, url: str, timeout: float | None = None) -> FakeResponse:
        assert url == KEY_SET_URL
        self.fetches += 1
        return FakeResponse({"keys": [jwk for _, jwk in self.keys]})

    @property
    def kid(self) -> str:
        return str(self.keys[0][1]["kid"])

    def claims(self, nonce: str, **overrides: Any) -> dict[str, Any]:
        now = int(time.time())
        body: dict[str, Any] = {
            "iss": ISSUER,
            "aud": CLIENT_ID,
            "azp": CLIENT_ID,
            "sub": "535fa085-f62f-4a1a-9f7c-6cd86c1a0ebb",
            "exp": now + 3600,
            "iat": now,
            "nonce": nonce,
            CLAIM + "message_type": "LtiResourceLinkRequest",
            CLAIM + "version": "1.3.0",
            CLAIM + "deployment_id": DEPLOYMENT_ID,
            CLAIM + "target_link_uri": f"{TOOL}/lti/launch",
            CLAIM + "resource_link": {"id": "8865aa05", "title": None},
            CLAIM + "context": {
                "id": "8865aa05",
                "label": "BIO101",
                "title": "Biology 101",
                "type": [f"{LIS}/course#CourseOffering"],
            },
            CLAIM + "roles": TEACHER,
            CLAIM + "custom": {
                "canvas_api_base_url": CANVAS_URL,
                "canvas_user_id": "3",
                "canvas_course_id": "101",
                "canvas_account_id": "2",
                "canvas_assignment_id": "$Canvas.assignment.id",
                "canvas_membership_roles": "TeacherEnrollment",
                "canvas_user_locale": "en",
            },
            CLAIM + "launch_presentation": {"document_target": "iframe", "locale": "en"},
            "https://www.instructure.com/placement": "course_navigation",
            "name": "Tina Teacher",
        }
        for key, value in overrides.items():
            if value is _DROP:
                body.pop(key, None)
            else:
                body[key] = value
        return body

    def sign(self, body: dict[str, Any], *, key_index: int = 0, headers: Any = None) -> str:
        pem, jwk = self.keys[key_index]
        hdr = {"kid": jwk["kid"]}
        hdr.update(headers or {})
        return jwt.encode(body, pem, algorithm="RS256", headers=hdr)


_DROP = object()
DROP: Any = _DROP


def login(client: FlaskClient, **extra: str) -> tuple[str, str, Any]:
    """POST the login initiation; returns (state, nonce, response)."""
    params = {
        "iss": ISSUER,
        "login_hint": "hint-3",
        "target_link_uri": f"{TOOL}/lti/launch",
        "lti_message_hint": "msg-hint",
        "client_id": CLIENT_ID,
        "lti_deployment_id": DEPLOYMENT_ID,
    }
    params.update(extra)
    response = client.post("/lti/login", data=params)
    if response.status_code == 302:
        query = parse_qs(urlsplit(response.headers["Location"]).query)
        return query["state"][0], query["nonce"][0], response
    html = response.get_data(as_text=True)
    if 'id="lti-login"' in html:
        state = re.search(r'data-state="([^"]+)"', html)
        nonce = re.search(r'data-nonce="([^"]+)"', html)
        assert state
        assert nonce
        return state.group(1), nonce.group(1), response
    return "", "", response
