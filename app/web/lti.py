"""Blueprint: OIDC login, launch, launch confirmation, tool configuration and JWKS."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from flask import Blueprint, current_app, g, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response

from app.db import request_session
from app.errors import BadRequest, NotFound
from app.extensions import current_secret_box, current_settings
from app.i18n import N_
from app.lti import keys, launch_token
from app.lti.claims import landing_for, read_facts
from app.lti.config_json import tool_configuration
from app.lti.dynamic_registration import (
    ToolRegistration,
    check_registration_url,
    store_registration,
)
from app.lti.launch import (
    Checked,
    adopt_first_deployment,
    build_launch,
    check_launch,
    consume,
    hold_pending,
    purge_launches,
    record_launch,
    release_pending,
)
from app.lti.login import new_window_params, start_login
from app.lti.registrations import platform_origins
from app.lti.runtime import LtiRuntime

bp = Blueprint("lti", __name__)


def _runtime() -> LtiRuntime:
    runtime: LtiRuntime = current_app.extensions["lti"]
    return runtime


def _params() -> dict[str, str]:
    """Query and form parameters merged; the form wins (Canvas posts, a GET must work too)."""
    merged = dict(request.args.items())
    merged.update(request.form.items())
    return merged


@bp.route("/lti/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    """Step 1: answer with the redirect to Canvas, or a page that stores state first."""
    runtime = _runtime()
    session = request_session()
    if runtime.housekeeping.due("launch_state"):  # spent states and pending launches
        runtime.store.within(session).purge_expired()
        session.commit()
    result = start_login(
        _params(),
        request.cookies,
        tool_conf=runtime.tool_conf(session),
        secret_key=runtime.settings.secret_key,
        now=runtime.now().timestamp(),
        launch_url=runtime.launch_url,
        tool_base_url=runtime.settings.tool_base_url,
        secure=request.is_secure,
    )
    if result.storage_target is None:
        return result.apply_cookies(redirect(result.auth_url, code=302))
    page = render_template(
        "lti/login_storage.html",
        auth_url=result.auth_url,
        auth_origin=result.auth_origin,
        state=result.state,
        nonce=result.nonce,
        storage_target=result.storage_target,
        new_window_url=url_for("lti.login") + "?" + urlencode(new_window_params(_params())),
    )
    return result.apply_cookies(current_app.make_response(page))


@bp.post("/lti/launch")
def launch() -> ResponseReturnValue:
    """Step 3: verify the id_token; finish now (cookie) or after the page checks storage."""
    runtime = _runtime()
    session = request_session()
    tool_conf = runtime.tool_conf(session)
    checked = check_launch(
        _params(),
        request.cookies,
        tool_conf=tool_conf,
        secret_key=runtime.settings.secret_key,
        keys=runtime.keys,
        now=runtime.now,
        leeway_seconds=runtime.settings.jwt_leeway_seconds,
        tool_base_url=runtime.settings.tool_base_url,
        secure=request.is_secure,
    )
    _speak_the_launch_language(checked)
    if checked.browser_bound:
        return _finish(checked)
    pending_id = hold_pending(runtime.store.within(session), checked)
    auth_origin, canvas_origin = platform_origins(session, checked.platform_id)
    session.commit()
    return render_template(
        "lti/launch_storage.html",
        pending_id=pending_id,
        state=checked.state,
        storage_target=checked.storage_target,
        auth_origin=auth_origin,
        platform_origin=canvas_origin,
    )


@bp.post("/lti/launch/complete")
def complete() -> ResponseReturnValue:
    """Step 3b (cookie-less): the page confirmed the state from platform storage."""
    runtime = _runtime()
    checked = release_pending(  # taken in the request's transaction: _finish commits it
        runtime.store.within(request_session()),
        request.form.get("pending_id", ""),
        request.form.get("state", ""),
    )
    _speak_the_launch_language(checked)
    return _finish(checked)


def _speak_the_launch_language(checked: Checked) -> None:
    """Pages answered before the ``Launch`` row exists (the platform-storage page, a refusal
    for the user's role) use the verified launch's locale, not only the browser's."""
    g.launch_locale = read_facts(checked.claims).locale


def _finish(checked: Checked) -> Response:
    runtime = _runtime()
    session = request_session()
    now = runtime.now()
    launch_row = build_launch(
        session, checked, now=now, ttl_seconds=runtime.settings.launch_token_ttl_seconds
    )
    # Spend state and nonce before writing: of two racing requests only one gets past here.
    consume(runtime.storage(session), checked)
    adopt_first_deployment(session, checked)
    record_launch(session, launch_row)
    if runtime.housekeeping.due("launches"):
        purge_launches(session, now)
    session.commit()
    token = launch_token.issue(runtime.settings, launch_row.id, now=now.timestamp())
    target = url_for(f"landing.{landing_for(launch_row.placement)}", lt=token)
    return redirect(target, code=303)


@bp.get("/lti/register")
def register() -> ResponseReturnValue:
    """Dynamic registration: Canvas opens this in an iframe with its two parameters."""
    runtime = _runtime()
    if not runtime.settings.allow_dynamic_registration:
        raise NotFound(N_("Dynamic registration is turned off for this tool."))
    config_url = request.args.get("openid_configuration", "")
    token = request.args.get("registration_token", "")
    if not config_url or not token:
        raise BadRequest(N_("Start dynamic registration from Canvas's Developer Keys page."))
    # Plain http only for the demo's allow-listed loopback origins, never in production.
    http_origins = () if runtime.settings.production else runtime.settings.registration_http_origins
    check_registration_url(config_url, http_origins=http_origins)
    config, answer = ToolRegistration(
        runtime.settings.tool_base_url, config_url, token, runtime.http, http_origins
    ).run()
    session = request_session()
    platform = store_registration(session, current_secret_box(), config_url, config, answer)
    keys.ensure_active_key(session, current_secret_box(), runtime.now())
    session.commit()
    return render_template(
        "lti/register_done.html",
        issuer=platform.issuer,
        client_id=platform.client_id,
        deployments=[d.deployment_id for d in platform.deployments],
    )


@bp.get("/lti_config.json")
def lti_config() -> ResponseReturnValue:
    """The Canvas developer-key JSON with this deployment's absolute URLs."""
    return jsonify(tool_configuration(current_settings().tool_base_url))


@bp.get("/.well-known/jwks.json")
def jwks() -> ResponseReturnValue:
    """The tool's public keys: the active one plus retired keys still in their grace period."""
    runtime = _runtime()
    session = request_session()
    now = runtime.now()
    keys.ensure_active_key(session, current_secret_box(), now)
    session.commit()
    grace = timedelta(days=runtime.settings.key_rotation_grace_days)
    response = jsonify(keys.published_jwks(session, now, grace))
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
