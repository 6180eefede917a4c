"""Test helpers for the emulator's platform side: a tiny LTI tool and an HTML form reader.

The "tool" never runs a server: it reads the login initiation form from the shell's launch
page, sends the OIDC auth request itself, and verifies the id_token against the JWKS, which
is all a real tool does with Canvas's answers.
"""

from __future__ import annotations

import copy
import secrets
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import requests

from emulator.lti.registration import register_tool
from emulator.testing import LiveEmulator

TOOL = "https://tool.test"
LAUNCH_URL = f"{TOOL}/lti/launch"
LOGIN_URL = f"{TOOL}/lti/login"
REDIRECT_URI = f"{TOOL}/oauth/callback"

TOOL_CONFIG: dict[str, Any] = {
    "title": "Canvas Reports",
    "description": "Reports in context",
    "oidc_initiation_url": LOGIN_URL,
    "target_link_uri": LAUNCH_URL,
    "public_jwk_url": f"{TOOL}/.well-known/jwks.json",
    "scopes": [],
    "extensions": [
        {
            "domain": "tool.test",
            "tool_id": "canvas-reports",
            "platform": "canvas.instructure.com",
            "privacy_level": "public",
            "settings": {
                "text": "Reports",
                "placements": [
                    {
                        "placement": "course_navigation",
                        "message_type": "LtiResourceLinkRequest",
                        "target_link_uri": LAUNCH_URL,
                        "text": "Reports",
                        "visibility": "admins",
                        "default": "enabled",
                    },
                    {
                        "placement": "account_navigation",
                        "message_type": "LtiResourceLinkRequest",
                        "target_link_uri": LAUNCH_URL,
                        "text": "Account Reports",
                    },
                    {
                        "placement": "quiz_menu",
                        "message_type": "LtiResourceLinkRequest",
                        "target_link_uri": LAUNCH_URL,
                        "text": "Quiz analysis",
                        "custom_fields": {"canvas_quiz_id": "$Canvas.quiz.id"},
                    },
                    {
                        "placement": "assignment_menu",
                        "message_type": "LtiResourceLinkRequest",
                        "target_link_uri": LAUNCH_URL,
                        "text": "New Quiz analysis",
                    },
                    {
                        "placement": "assignment_view",
                        "message_type": "LtiResourceLinkRequest",
                        "target_link_uri": LAUNCH_URL,
                        "text": "Assignment view",
                    },
                ],
            },
        }
    ],
    "custom_fields": {
        "canvas_api_base_url": "$Canvas.api.baseUrl",
        "canvas_api_domain": "$Canvas.api.domain",
        "canvas_user_id": "$Canvas.user.id",
        "canvas_course_id": "$Canvas.course.id",
        "canvas_account_id": "$Canvas.account.id",
        "canvas_root_account_id": "$Canvas.rootAccount.id",
        "canvas_assignment_id": "$Canvas.assignment.id",
        "canvas_membership_roles": "$Canvas.membership.roles",
        "canvas_user_locale": "$Message.locale",
        "canvas_post_message_token": "$com.instructure.PostMessageToken",
        "plain": "not a variable",
        "unknown": "$Canvas.no.such.variable",
    },
}


def tool_config(**changes: Any) -> dict[str, Any]:
    """A deep copy of the test tool's configuration with top-level changes applied."""
    config = copy.deepcopy(TOOL_CONFIG)
    config.update(changes)
    return config


def extension(config: dict[str, Any]) -> dict[str, Any]:
    ext: dict[str, Any] = config["extensions"][0]
    return ext


def placements(config: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = extension(config)["settings"]["placements"]
    return found


def register(
    live: LiveEmulator, config: dict[str, Any] | None = None, **kwargs: Any
) -> dict[str, str]:
    kwargs.setdefault("api_redirect_uris", [REDIRECT_URI])
    return register_tool(live.emulator, lti_config=config or tool_config(), **kwargs)


def tool_id(registration: dict[str, str]) -> str:
    """The tool id in shell launch URLs: the number before ':' in the deployment id."""
    return registration["deployment_id"].split(":")[0]


class _FormReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[dict[str, str | None], dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "form":
            self.forms.append((dict(attrs), {}))
        elif tag == "input" and self.forms:
            values = dict(attrs)
            if values.get("name"):
                self.forms[-1][1][str(values["name"])] = values.get("value") or ""


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str]
    attrs: dict[str, str | None] = field(default_factory=dict)


def read_form(html: str, form_id: str | None = None) -> Form:
    reader = _FormReader()
    reader.feed(html)
    for attrs, fields in reader.forms:
        if form_id is None or attrs.get("id") == form_id:
            return Form(
                action=str(attrs.get("action") or ""),
                method=str(attrs.get("method") or "GET").upper(),
                fields=fields,
                attrs=attrs,
            )
    raise AssertionError(f"no form {form_id!r} in page")


def acting_as(live: LiveEmulator, user_id: int) -> requests.Session:
    """A browser-like session logged in to the shell as ``user_id``."""
    session = requests.Session()
    response = session.get(f"{live.url}/_emulator/login_as/{user_id}", allow_redirects=False)
    assert response.status_code == 302
    return session


def login_initiation(session: requests.Session, url: str) -> Form:
    """Open a shell launch page and read the form it auto-posts to the tool's login URL."""
    page = session.get(url)
    assert page.status_code == 200, page.text[:500]
    form = read_form(page.text, "tool_form")
    assert form.attrs.get("target") == "tool_content"
    return form


def auth_request(initiation: Form, **overrides: str | None) -> dict[str, str]:
    """The tool's step-2 parameters for a login initiation (override or drop with None)."""
    fields = initiation.fields
    params: dict[str, str | None] = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": fields["client_id"],
        "redirect_uri": fields["target_link_uri"].split("?")[0],
        "login_hint": fields["login_hint"],
        "lti_message_hint": fields["lti_message_hint"],
        "state": secrets.token_urlsafe(16),
        "nonce": secrets.token_urlsafe(16),
    }
    params.update(overrides)
    return {k: v for k, v in params.items() if v is not None}


def authorize(
    session: requests.Session, live: LiveEmulator, params: dict[str, str]
) -> requests.Response:
    """Send the auth request to the OIDC auth URL and follow its redirect to ``authorize``."""
    return session.get(f"{live.url}/api/lti/authorize_redirect", params=params)


def verify_id_token(live: LiveEmulator, token: str, client_id: str) -> dict[str, Any]:
    """Verify as a tool: header, kid from the JWKS, RS256 signature, iss, aud."""
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "RS256"
    assert header["typ"] == "JWT"
    jwks = jwt.PyJWKSet.from_dict(requests.get(f"{live.url}/api/lti/security/jwks").json())
    key = next(k for k in jwks.keys if k.key_id == header["kid"])
    claims: dict[str, Any] = jwt.decode(
        token,
        key.key,
        algorithms=["RS256"],
        audience=client_id,
        issuer=live.url,
        options={"require": ["exp", "iat", "nonce", "sub"]},
    )
    return claims


@dataclass
class LaunchResult:
    initiation: Form
    params: dict[str, str]
    response_form: Form
    claims: dict[str, Any]


def launch(live: LiveEmulator, user_id: int, path: str, client_id: str) -> LaunchResult:
    """A whole launch: shell page → login initiation → authorize → verified id_token."""
    session = acting_as(live, user_id)
    initiation = login_initiation(session, f"{live.url}{path}")
    params = auth_request(initiation)
    response = authorize(session, live, params)
    assert response.status_code == 200, response.text[:500]
    form = read_form(response.text, "lti_form")
    assert "id_token" in form.fields, form.fields
    claims = verify_id_token(live, form.fields["id_token"], client_id)
    return LaunchResult(initiation, params, form, claims)


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def oauth_code(
    live: LiveEmulator, reg: dict[str, str], user_id: int = 3, scope: str | None = None
) -> str:
    """Walk the OAuth2 consent flow as ``user_id`` and return the authorization code."""
    session = acting_as(live, user_id)
    params = {
        "client_id": reg["api_client_id"],
        "response_type": "code",
        "redirect_uri": REDIRECT_URI,
        "state": "st",
    }
    if scope is not None:
        params["scope"] = scope
    page = session.get(f"{live.url}/login/oauth2/auth", params=params)
    form = read_form(page.text)
    answer = session.post(
        f"{live.url}{form.action}",
        data={"ticket": form.fields["ticket"], "decision": "authorize"},
        allow_redirects=False,
    )
    location = answer.headers["Location"]
    return parse_qs(urlsplit(location).query)["code"][0]
