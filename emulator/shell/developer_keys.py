"""Admin > Developer Keys: paste ``lti_config.json`` (or its URL), toggle keys, and install a
tool by LTI Dynamic Registration (the tool's page opens in an iframe)."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from flask import Blueprint, render_template, request

from emulator.lti.dynamic import issue_registration_token
from emulator.lti.registration import RegistrationError, fetch_lti_config, register_tool
from emulator.shell.views import account_for, account_nav, not_found
from emulator.state import current_emulator

bp = Blueprint("shell_developer_keys", __name__)


def _page(account_id: int, **extra: object) -> str:
    emulator = current_emulator()
    user = account_for(account_id)
    if emulator.store.accounts[account_id].parent_account_id is not None:
        raise not_found()
    keys = sorted(emulator.store.developer_keys.values(), key=lambda k: k.id)
    return render_template(
        "shell/developer_keys.html",
        user=user,
        account=emulator.store.accounts[account_id],
        nav=account_nav(user, account_id, "developer_keys"),
        keys=keys,
        **extra,
    )


@bp.get("/accounts/<int:account_id>/developer_keys")
def developer_keys(account_id: int) -> str:
    return _page(account_id)


@bp.post("/accounts/<int:account_id>/developer_keys")
def create_developer_key(account_id: int) -> tuple[str, int] | str:
    account_for(account_id)
    emulator = current_emulator()
    form = request.form
    try:
        if form.get("lti_config_url", "").strip():
            config = fetch_lti_config(form["lti_config_url"].strip())
        else:
            try:
                config = json.loads(form.get("lti_config", ""))
            except ValueError as exc:
                raise RegistrationError([f"the configuration is not valid JSON: {exc}"]) from exc
        redirect_uris = [
            u.strip() for u in form.get("api_redirect_uris", "").splitlines() if u.strip()
        ]
        result = register_tool(emulator, lti_config=config, api_redirect_uris=redirect_uris)
    except RegistrationError as exc:
        return _page(account_id, errors=exc.errors, form=form), 400
    return _page(account_id, created=result)


@bp.post("/accounts/<int:account_id>/developer_keys/<client_id>/toggle")
def toggle_developer_key(account_id: int, client_id: str) -> str:
    account_for(account_id)
    emulator = current_emulator()
    with emulator.store.lock:
        for key in emulator.store.developer_keys.values():
            if key.client_id == client_id:
                key.workflow_state = "off" if key.workflow_state == "on" else "on"
                break
        else:
            raise not_found()
    return _page(account_id)


@bp.get("/accounts/<int:account_id>/developer_keys/dynamic_registration")
def dynamic_registration(account_id: int) -> str:
    """Open the tool's registration URL in an iframe with the two parameters of 2.3."""
    user = account_for(account_id)
    emulator = current_emulator()
    url = request.args.get("registration_url", "").strip()
    if not url.startswith(("http://", "https://")):
        return _page(account_id, errors=["the registration URL must be an http(s) URL"])
    query = urlencode(
        {
            "openid_configuration": f"{emulator.base_url}/api/lti/security/openid-configuration",
            "registration_token": issue_registration_token(emulator, user.id),
        }
    )
    separator = "&" if "?" in url else "?"
    return render_template(
        "shell/dynamic_registration.html",
        user=user,
        account=emulator.store.accounts[account_id],
        nav=account_nav(user, account_id, "developer_keys"),
        frame_url=f"{url}{separator}{query}",
    )
