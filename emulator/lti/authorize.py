"""Steps 2-3 of a launch: ``/api/lti/authorize_redirect`` and ``/api/lti/authorize``.

Mirrors ``Lti::IMS::AuthenticationController``: every validation runs and the **last**
failing one names the error (Canvas overwrites ``@oidc_error``); the launch is consumed
only when no error was found; a forged/expired ``lti_message_hint`` or an unregistered
``redirect_uri`` is a bare 400, anything else goes back to the tool in an auto-submitting
form, like a success.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from flask import Blueprint, Response, jsonify, redirect, render_template, request
from werkzeug.wrappers import Response as BaseResponse

from emulator.lti.claims import build_claims
from emulator.lti.keys import platform_keys
from emulator.lti.launch import STORAGE_TARGET, decode_message_hint, login_hint_for, take_launch
from emulator.lti.options import lti_options
from emulator.lti.tools import Tool, find_tool
from emulator.session import current_user
from emulator.state import Emulator, current_emulator
from emulator.store import DeveloperKey

bp = Blueprint("lti_authorize", __name__)

REQUIRED_PARAMS = (
    "client_id", "login_hint", "lti_message_hint", "nonce", "prompt",
    "redirect_uri", "response_mode", "response_type", "scope",
)  # fmt: skip
OPTIONAL_PARAMS = ("state",)
SCOPE = "openid"


def _bad_request(message: str) -> Response:
    response = jsonify({"errors": [{"message": message}]})
    response.status_code = 400
    return response


def _oidc_params() -> dict[str, str]:
    """Only the permitted parameters, from the query string or the form body."""
    return {
        name: request.values[name]
        for name in (*OPTIONAL_PARAMS, *REQUIRED_PARAMS)
        if name in request.values
    }


@bp.get("/api/lti/security/jwks")
def jwks() -> Response:
    return jsonify(platform_keys(current_emulator()).jwks())


@bp.route("/api/lti/authorize_redirect", methods=["GET", "POST"])
def authorize_redirect() -> BaseResponse:
    """Send the browser to ``authorize`` on the institution's domain named in the hint."""
    emulator = current_emulator()
    params = _oidc_params()
    hint = decode_message_hint(emulator, params.get("lti_message_hint"))
    if hint is None:
        return _bad_request("Invalid lti_message_hint")
    scheme = urlsplit(emulator.base_url).scheme or "http"
    url = f"{scheme}://{hint['canvas_domain']}/api/lti/authorize?{urlencode(params)}"
    return redirect(url, code=302)


def _redirect_uri_valid(key: DeveloperKey, requested: str) -> bool:
    base, _, query = requested.partition("?")
    requested_params = set(parse_qsl(query, keep_blank_values=True))
    for uri in key.redirect_uris:
        if "?" in uri:
            required = set(parse_qsl(uri.partition("?")[2], keep_blank_values=True))
            if required <= requested_params:
                return True
        elif uri == base:
            return True
    return False


def _strict_errors(params: dict[str, str]) -> str | None:
    expected = {"response_mode": "form_post", "prompt": "none", "response_type": "id_token"}
    for name, value in expected.items():
        if name in params and params[name] != value:
            return f"The '{name}' must be '{value}'"
    if not params.get("state"):
        return "The 'state' parameter is required"
    if not params.get("nonce"):
        return "The 'nonce' must not be empty"
    return None


def _validate(
    emulator: Emulator, params: dict[str, str], key: DeveloperKey, tool: Tool | None
) -> tuple[str, str] | None:
    error: tuple[str, str] | None = None
    missing = [name for name in REQUIRED_PARAMS if name not in params]
    if missing:
        error = (
            "invalid_request_object",
            f"The following parameters are missing: {','.join(missing)}",
        )
    if params.get("scope") != SCOPE:
        error = ("invalid_request_object", f"The 'scope' must be '{SCOPE}'")
    if not missing and lti_options(emulator).strict_oidc_params:
        strict = _strict_errors(params)
        if strict is not None:
            error = ("invalid_request_object", strict)
    user = current_user(emulator)
    if user is None or login_hint_for(user) != params.get("login_hint"):
        error = ("login_required", "Must have an active user session")
    if key.kind != "lti" or key.workflow_state != "on" or tool is None:
        error = ("unauthorized_client", "Client not authorized in requested context")
    return error


def _context_account(emulator: Emulator, hint: dict[str, Any]) -> int | None:
    store = emulator.store
    context_id = int(hint.get("context_id", 0))
    if hint.get("context_type") == "Course":
        course = store.courses.get(context_id)
        return course.account_id if course else None
    return context_id if context_id in store.accounts else None


@bp.route("/api/lti/authorize", methods=["GET", "POST"])
def authorize() -> Response | tuple[str, int]:
    emulator = current_emulator()
    params = _oidc_params()
    hint = decode_message_hint(emulator, params.get("lti_message_hint"))
    if hint is None:
        return _bad_request("Invalid lti_message_hint")
    account_id = _context_account(emulator, hint)
    key = next(
        (
            k
            for k in emulator.store.developer_keys.values()
            if k.client_id == params.get("client_id")
        ),
        None,
    )
    if key is None or account_id is None:
        response = jsonify({"errors": [{"message": "The specified resource does not exist."}]})
        response.status_code = 404
        return response
    tool = find_tool(emulator.store, str(key.id), account_id)
    error = _validate(emulator, params, key, tool)
    fields: dict[str, str]
    if error is None and tool is not None:
        launch = take_launch(emulator, str(hint["verifier"]))
        if launch is None or launch.developer_key_id != key.id:
            error = (
                "launch_no_longer_valid",
                "The launch has either expired or already been consumed",
            )
        else:
            claims = build_claims(emulator, tool, launch, params["nonce"])
            fields = {"id_token": platform_keys(emulator).sign(claims)}
            if "state" in params:
                fields["state"] = params["state"]
            if hint.get("include_storage_target"):
                fields["lti_storage_target"] = STORAGE_TARGET
    if error is not None:
        fields = {"error": error[0], "error_description": error[1]}
        if "state" in params:
            fields["state"] = params["state"]
    redirect_uri = params.get("redirect_uri", "")
    if not _redirect_uri_valid(key, redirect_uri):
        return _bad_request("Invalid redirect_uri")
    return render_template("lti/form_post.html", action=redirect_uri, fields=fields), 200
