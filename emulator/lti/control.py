"""Control routes (``/_emulator/...``) for the platform side: tools, keys, switches, sessions.

Tests and the demo drive the emulator through these (or the Python functions they call).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, redirect, request
from werkzeug.wrappers import Response as BaseResponse

from emulator.lti import options
from emulator.lti.keys import rotate
from emulator.lti.registration import RegistrationError, fetch_lti_config, register_tool
from emulator.oauth.tokens import revoke_user_tokens
from emulator.session import log_in
from emulator.state import current_emulator

bp = Blueprint("lti_control", __name__, url_prefix="/_emulator")


def _error(status: int, *messages: str) -> Response:
    response = jsonify({"errors": [{"message": m} for m in messages]})
    response.status_code = status
    return response


def _json_body() -> dict[str, Any] | None:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else None


@bp.post("/tools")
def create_tool() -> Response:
    """Register a tool from ``lti_config`` (object) or ``lti_config_url`` (fetched)."""
    body = _json_body()
    if body is None:
        return _error(400, "expected a JSON object body")
    try:
        if "lti_config" in body:
            config = body["lti_config"]
        elif "lti_config_url" in body:
            config = fetch_lti_config(str(body["lti_config_url"]))
        else:
            return _error(400, "one of lti_config or lti_config_url is required")
        redirect_uris = body.get("api_redirect_uris", [])
        scopes = body.get("scopes", [])
        if not isinstance(redirect_uris, list) or not isinstance(scopes, list):
            return _error(400, "api_redirect_uris and scopes must be lists")
        result = register_tool(
            current_emulator(),
            lti_config=config,
            api_redirect_uris=[str(u) for u in redirect_uris],
            require_scopes=bool(body.get("require_scopes", False)),
            scopes=[str(s) for s in scopes],
        )
    except RegistrationError as exc:
        return _error(400, *exc.errors)
    response = jsonify(result)
    response.status_code = 201
    return response


@bp.post("/keys/rotate")
def rotate_keys() -> Response:
    keys = rotate(current_emulator())
    return jsonify({"past": keys.past.kid, "present": keys.present.kid, "future": keys.future.kid})


def _set_mode(setter: Any) -> Response:
    body = _json_body() or {}
    try:
        setter(current_emulator(), str(body.get("mode", "")))
    except ValueError as exc:
        return _error(400, str(exc))
    return jsonify({"mode": body["mode"]})


@bp.post("/storage_mode")
def storage_mode() -> Response:
    """``{"mode": "normal" | "silent" | "absent"}``."""
    return _set_mode(options.set_storage_mode)


@bp.post("/quiz_id_mode")
def quiz_id_mode() -> Response:
    """``{"mode": "custom" | "target_link_uri" | "none"}``."""
    return _set_mode(options.set_quiz_id_mode)


@bp.post("/strict_oidc_params")
def strict_oidc_params() -> Response:
    body = _json_body() or {}
    options.lti_options(current_emulator()).strict_oidc_params = bool(body.get("strict", True))
    return jsonify({"strict": options.lti_options(current_emulator()).strict_oidc_params})


@bp.post("/developer_keys/<client_id>/workflow_state")
def developer_key_state(client_id: str) -> Response:
    """Turn a developer key ``on``/``off``/``allow`` (``{"workflow_state": "off"}``)."""
    emulator = current_emulator()
    state = str((_json_body() or {}).get("workflow_state", ""))
    if state not in ("on", "off", "allow"):
        return _error(400, "workflow_state must be on, off or allow")
    with emulator.store.lock:
        for key in emulator.store.developer_keys.values():
            if key.client_id == client_id:
                key.workflow_state = state
                return jsonify({"client_id": client_id, "workflow_state": state})
    return _error(404, "unknown developer key")


@bp.get("/login_as/<int:user_id>")
def login_as(user_id: int) -> BaseResponse:
    """Act as a user: set the Canvas session cookie and go to the dashboard."""
    emulator = current_emulator()
    if user_id not in emulator.store.users:
        return _error(404, "unknown user")
    return_to = request.args.get("return_to", "/")
    if not return_to.startswith("/") or return_to.startswith("//"):
        return_to = "/"  # only same-site paths: never an open redirect
    return log_in(emulator, redirect(return_to), user_id)


@bp.post("/users/<int:user_id>/revoke_tokens")
def revoke_tokens(user_id: int) -> Response:
    emulator = current_emulator()
    if user_id not in emulator.store.users:
        return _error(404, "unknown user")
    return jsonify({"revoked": revoke_user_tokens(emulator, user_id)})
