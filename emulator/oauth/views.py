"""OAuth2 endpoints for the REST API (reference 7.1-7.3, ``oauth2_provider_controller.rb``)."""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import Blueprint, Response, jsonify, redirect, render_template, request, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response as BaseResponse

from emulator.api import throttle
from emulator.oauth.tokens import (
    OAuthError,
    active_token,
    find_api_key,
    issue_code,
    oauth_stats,
    redeem_code,
    refresh,
    revoke,
    token_response,
)
from emulator.session import current_user
from emulator.state import Emulator, current_emulator
from emulator.store import DeveloperKey, User

bp = Blueprint("oauth", __name__)

OOB = "urn:ietf:wg:oauth:2.0:oob"
CONSENT_PART = "oauth_consents"
CONSENT_SALT = "oauth-consent"
CONSENT_MAX_AGE = 600
CLIENT_AUTH_HEADER = "Canvas OAuth 2.0"
TOKEN_REQUEST_COST = 200.0  # reference 7.2: each token request costs 200 throttle units


def _json_error(error: OAuthError) -> Response:
    response = jsonify(error.body())
    response.status_code = error.status
    if error.status == 401:
        response.headers["WWW-Authenticate"] = CLIENT_AUTH_HEADER
    return response


def redirect_uri_allowed(key: DeveloperKey, redirect_uri: str | None) -> bool:
    """Host equal to, or a subdomain of, the host of one of the key's redirect URIs."""
    if not redirect_uri:
        return False
    if redirect_uri == OOB:
        return True
    host = urlsplit(redirect_uri).hostname
    if not host:
        return False
    for allowed in key.redirect_uris:
        allowed_host = urlsplit(allowed).hostname
        if allowed_host and (host == allowed_host or host.endswith("." + allowed_host)):
            return True
    return False


def _redirect_with(redirect_uri: str, **params: str | None) -> BaseResponse:
    query = urlencode({k: v for k, v in params.items() if v is not None})
    separator = "&" if "?" in redirect_uri else "?"
    return redirect(f"{redirect_uri}{separator}{query}", code=302)


def _consents(emulator: Emulator) -> set[tuple[int, int, tuple[str, ...]]]:
    with emulator.store.lock:
        consents: set[tuple[int, int, tuple[str, ...]]] = emulator.parts.setdefault(
            CONSENT_PART, set()
        )
        return consents


def _serializer(emulator: Emulator) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(emulator.settings.secret_key, salt=CONSENT_SALT)


def _refusal(
    emulator: Emulator, key: DeveloperKey, user: User | None, scopes: list[str]
) -> tuple[str, str] | None:
    """The ``(error, error_description)`` Canvas sends to the redirect_uri, in its order of
    checks; None when the request may go on (to the consent page, or a code for
    ``prompt=none``)."""
    args = request.args
    if key.require_scopes:
        not_granted = [s for s in scopes if s not in key.scopes]
        if not_granted:
            return "invalid_scope", (
                "A requested scope is invalid, unknown, malformed, or exceeds the scope granted"
                " by the resource owner. The following scopes were requested, but not granted: "
                + " ".join(not_granted)
            )
        if not scopes:
            return "invalid_scope", "A scope is required when the developer key enforces scopes"
    if key.workflow_state != "on":
        return (
            "unauthorized_client",
            "Client does not have access to the specified Canvas account.",
        )
    if args.get("response_type") != "code":
        return "unsupported_response_type", "Only response_type=code is supported"
    if "prompt" not in args:
        return None
    if args["prompt"] != "none":
        return "unsupported_prompt_type", "prompt must be none"
    if user is None:
        return "login_required", "the user must be logged in"
    if (user.id, key.id, tuple(sorted(scopes))) not in _consents(emulator):
        return "interaction_required", "the user must authorize the application"
    return None


@bp.get("/login/oauth2/auth")
def auth() -> BaseResponse | str:
    emulator = current_emulator()
    args = request.args
    key = find_api_key(emulator, args.get("client_id"))
    if key is None:
        return _json_error(OAuthError(401, "invalid_client", "unknown client"))
    redirect_uri = args.get("redirect_uri")
    if redirect_uri is None or not redirect_uri_allowed(key, redirect_uri):
        return _json_error(
            OAuthError(400, "invalid_request", "redirect_uri does not match client settings")
        )
    state = args.get("state")
    scopes = args.get("scope", "").split()
    user = current_user(emulator)
    refused = _refusal(emulator, key, user, scopes)
    if refused is not None:
        error, description = refused
        return _redirect_with(redirect_uri, error=error, error_description=description, state=state)
    if "prompt" in args and user is not None:  # prompt=none, consent given: a code at once
        code = issue_code(emulator, key, user, redirect_uri, scopes)
        return _redirect_with(redirect_uri, code=code, state=state)
    if user is None:
        return render_template(
            "shell/login.html",
            users=sorted(emulator.store.users.values(), key=lambda u: u.id),
            return_to=request.full_path,
        )
    ticket = _serializer(emulator).dumps(
        {"client_id": key.client_id, "redirect_uri": redirect_uri, "state": state,
         "scopes": scopes, "user_id": user.id}
    )  # fmt: skip
    return render_template(
        "shell/oauth_consent.html", app_name=key.name, user=user, ticket=ticket, scopes=scopes
    )


@bp.post("/login/oauth2/confirm")
def confirm() -> BaseResponse:
    """The consent form: Authorize issues a code, Cancel sends ``access_denied``."""
    emulator = current_emulator()
    try:
        ticket: dict[str, Any] = _serializer(emulator).loads(
            request.form.get("ticket", ""), max_age=CONSENT_MAX_AGE
        )
    except BadSignature:
        return _json_error(OAuthError(400, "invalid_request", "the authorization form expired"))
    user = current_user(emulator)
    key = find_api_key(emulator, ticket["client_id"])
    if user is None or user.id != ticket["user_id"] or key is None:
        return _json_error(OAuthError(400, "invalid_request", "the session changed"))
    redirect_uri, state = ticket["redirect_uri"], ticket["state"]
    if request.form.get("decision") != "authorize":
        return _redirect_with(
            redirect_uri,
            error="access_denied",
            error_description="user requested that the request be denied",
            state=state,
        )
    scopes = list(ticket["scopes"])
    if request.form.get("remember"):
        with emulator.store.lock:
            _consents(emulator).add((user.id, key.id, tuple(sorted(scopes))))
    code = issue_code(emulator, key, user, redirect_uri, scopes)
    if redirect_uri == OOB:
        return redirect(url_for("oauth.oob", code=code))
    return _redirect_with(redirect_uri, code=code, state=state)


@bp.get("/login/oauth2/auth/oob")
def oob() -> str:
    return render_template("shell/oauth_oob.html", code=request.args.get("code", ""))


def _client_credentials() -> tuple[str | None, str | None]:
    client_id = request.form.get("client_id") or None
    secret = request.form.get("client_secret") or None
    header = request.headers.get("Authorization", "")
    if header.startswith("Basic "):
        try:
            decoded = base64.b64decode(header[6:]).decode()
        except (binascii.Error, UnicodeDecodeError):
            decoded = ""
        basic_id, _, basic_secret = decoded.partition(":")
        client_id = client_id or basic_id or None
        secret = secret or basic_secret or None
    return client_id, secret


def _token_grant(emulator: Emulator) -> Response:
    form = request.form
    grant_type = form.get("grant_type") or ("authorization_code" if form.get("code") else "")
    oauth_stats(emulator)[grant_type or "missing"] += 1
    client_id, secret = _client_credentials()
    key = find_api_key(emulator, client_id)
    if key is None:
        raise OAuthError(401, "invalid_client", "unknown client")
    if secret != key.client_secret:
        raise OAuthError(401, "invalid_client", "invalid client")
    if grant_type == "authorization_code":
        redirect_uri = form.get("redirect_uri")
        if redirect_uri is not None and not redirect_uri_allowed(key, redirect_uri):
            raise OAuthError(400, "invalid_request", "redirect_uri does not match client settings")
        code = form.get("code")
        if not code:
            raise OAuthError(
                400,
                "invalid_request",
                "You must provide the code parameter when using the authorization_code grant type",
            )
        if "replace_tokens" in form:  # tests check that a client never asks for it
            oauth_stats(emulator)["replace_tokens"] += 1
        token = redeem_code(emulator, key, code, replace_tokens=form.get("replace_tokens") == "1")
        throttle.charge(emulator, token.token, TOKEN_REQUEST_COST)
        return jsonify(token_response(emulator, token, include_refresh=True))
    if grant_type == "refresh_token":
        refresh_token = form.get("refresh_token")
        if not refresh_token:
            raise OAuthError(
                400,
                "invalid_request",
                "You must provide the refresh_token parameter when using the refresh_token"
                " grant type",
            )
        token = refresh(emulator, key, refresh_token)
        throttle.charge(emulator, token.token, TOKEN_REQUEST_COST)
        return jsonify(token_response(emulator, token, include_refresh=False))
    raise OAuthError(
        400, "unsupported_grant_type", "The grant_type you requested is not currently supported"
    )


@bp.post("/login/oauth2/token")
def token() -> Response:
    try:
        return _token_grant(current_emulator())
    except OAuthError as error:
        return _json_error(error)


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return header[7:].strip() or None
    return request.values.get("access_token") or None


@bp.delete("/login/oauth2/token")
def delete_token() -> Response:
    emulator = current_emulator()
    raw = _bearer()
    if raw is None:
        response = jsonify(
            {"message": "can't delete OAuth access token when not using an OAuth access token"}
        )
        response.status_code = 400
        return response
    token = active_token(emulator, raw)
    if token is None:
        known = emulator.store.access_tokens.get(raw)
        expired = known is not None and not known.revoked
        message = "Expired access token." if expired else "Invalid access token."
        response = jsonify({"errors": [{"message": message}]})
        response.status_code = 401
        response.headers["WWW-Authenticate"] = 'Bearer realm="canvas-lms"'
        return response
    revoke(emulator, token)
    return jsonify({})
