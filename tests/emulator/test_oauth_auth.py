"""GET /login/oauth2/auth and the consent page (reference 7.1), every outcome row."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from emulator.testing import LiveEmulator
from tests.emulator.platform_support import REDIRECT_URI, acting_as, read_form, register

SCOPE = "url:GET|/api/v1/users/:id"


def _auth(session: requests.Session, live: LiveEmulator, **params: str) -> requests.Response:
    return session.get(f"{live.url}/login/oauth2/auth", params=params, allow_redirects=False)


def _params(reg: dict[str, str], **changes: str | None) -> dict[str, str]:
    """The authorize query for ``reg``; a change to None leaves that parameter out."""
    params: dict[str, str | None] = {
        "client_id": reg["api_client_id"],
        "response_type": "code",
        "redirect_uri": REDIRECT_URI,
        "state": "s-123",
    }
    params.update(changes)
    return {name: value for name, value in params.items() if value is not None}


def _redirected(response: requests.Response) -> dict[str, str]:
    assert response.status_code == 302, response.text[:300]
    location = urlsplit(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT_URI
    return {k: v[0] for k, v in parse_qs(location.query).items()}


def consent(
    session: requests.Session,
    live: LiveEmulator,
    reg: dict[str, str],
    *,
    decision: str = "authorize",
    remember: bool = False,
    **changes: str,
) -> dict[str, str]:
    page = _auth(session, live, **_params(reg, **changes))
    assert page.status_code == 200, page.text[:300]
    form = read_form(page.text)
    data = {"ticket": form.fields["ticket"], "decision": decision}
    if remember:
        data["remember"] = "1"
    return _redirected(session.post(f"{live.url}{form.action}", data=data, allow_redirects=False))


@pytest.mark.parametrize("client_id", ["10000000009999", "", None])
def test_an_unknown_client_is_401_without_redirect(
    emulator: LiveEmulator, client_id: str | None
) -> None:
    reg = register(emulator)
    response = _auth(acting_as(emulator, 3), emulator, **_params(reg, client_id=client_id))
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Canvas OAuth 2.0"
    assert response.json() == {"error": "invalid_client", "error_description": "unknown client"}


def test_an_lti_key_is_not_an_api_client(emulator: LiveEmulator) -> None:
    reg = register(emulator)
    response = _auth(acting_as(emulator, 3), emulator, **_params(reg, client_id=reg["client_id"]))
    assert response.status_code == 401


@pytest.mark.parametrize(
    "redirect_uri", ["https://evil.test/cb", "https://tool.test.evil/cb", "/cb", None]
)
def test_a_foreign_redirect_uri_is_400_without_redirect(
    emulator: LiveEmulator, redirect_uri: str | None
) -> None:
    reg = register(emulator)
    response = _auth(acting_as(emulator, 3), emulator, **_params(reg, redirect_uri=redirect_uri))
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_request",
        "error_description": "redirect_uri does not match client settings",
    }


def test_a_subdomain_of_a_registered_host_is_allowed(emulator: LiveEmulator) -> None:
    reg = register(emulator)
    response = _auth(
        acting_as(emulator, 3),
        emulator,
        **_params(reg, redirect_uri="https://eu.tool.test/oauth/cb"),
    )
    assert response.status_code == 200
    assert "is requesting access to your account" in response.text


def test_scoped_keys_need_scopes_they_hold(emulator: LiveEmulator) -> None:
    reg = register(emulator, require_scopes=True, scopes=[SCOPE])
    session = acting_as(emulator, 3)
    none = _redirected(_auth(session, emulator, **_params(reg)))
    assert none["error"] == "invalid_scope"
    assert none["state"] == "s-123"
    extra = "url:GET|/api/v1/courses"
    wrong = _redirected(_auth(session, emulator, **_params(reg, scope=f"{SCOPE} {extra}")))
    assert wrong["error"] == "invalid_scope"
    assert wrong["error_description"].endswith(extra)
    ok = _auth(session, emulator, **_params(reg, scope=SCOPE))
    assert ok.status_code == 200
    assert SCOPE in ok.text


def test_unscoped_keys_accept_any_scope(emulator: LiveEmulator) -> None:
    reg = register(emulator)
    assert (
        _auth(acting_as(emulator, 3), emulator, **_params(reg, scope="anything")).status_code == 200
    )


def test_a_key_turned_off_is_unauthorized_client(emulator: LiveEmulator) -> None:
    reg = register(emulator)
    requests.post(
        f"{emulator.url}/_emulator/developer_keys/{reg['api_client_id']}/workflow_state",
        json={"workflow_state": "off"},
    )
    query = _redirected(_auth(acting_as(emulator, 3), emulator, **_params(reg)))
    assert query == {
        "error": "unauthorized_client",
        "error_description": "Client does not have access to the specified Canvas account.",
        "state": "s-123",
    }


def test_only_the_code_response_type_is_supported(emulator: LiveEmulator) -> None:
    reg = register(emulator)
    query = _redirected(
        _auth(acting_as(emulator, 3), emulator, **_params(reg, response_type="token"))
    )
    assert query["error"] == "unsupported_response_type"


def test_prompt_none_without_a_session_is_login_required(emulator: LiveEmulator) -> None:
    reg = register(emulator)
    query = _redirected(_auth(requests.Session(), emulator, **_params(reg, prompt="none")))
    assert query["error"] == "login_required"
    assert query["state"] == "s-123"


def test_prompt_none_needing_consent_is_interaction_required(emulator: LiveEmulator) -> None:
    reg = register(emulator)
    session = acting_as(emulator, 3)
    consent(session, emulator, reg)  # authorized, but not remembered
    query = _redirected(_auth(session, emulator, **_params(reg, prompt="none")))
    assert query["error"] == "interaction_required"


def test_prompt_none_with_remembered_consent_redirects_with_a_code(emulator: LiveEmulator) -> None:
    reg = register(emulator)
    session = acting_as(emulator, 3)
    consent(session, emulator, reg, remember=True)
    query = _redirected(_auth(session, emulator, **_params(reg, prompt="none")))
    assert re.fullmatch(r"[0-9a-f]{128}", query["code"])
    other_user = acting_as(emulator, 4)
    assert _redirected(_auth(other_user, emulator, **_params(reg, prompt="none")))["error"] == (
        "interaction_required"
    )


def test_other_prompts_are_unsupported(emulator: LiveEmulator) -> None:
    reg = register(emulator)
    query = _redirected(_auth(acting_as(emulator, 3), emulator, **_params(reg, prompt="login")))
    assert query["error"] == "unsupported_prompt_type"


def test_without_a_session_the_user_logs_in_first(emulator: LiveEmulator) -> None:
    reg = register(emulator)
    session = requests.Session()
    page = _auth(session, emulator, **_params(reg))
    assert page.status_code == 200
    assert "Log in to Canvas" in page.text
    link = re.search(r'href="(/_emulator/login_as/3\?return_to=[^"]+)"', page.text)
    assert link
    back = session.get(
        f"{emulator.url}{link.group(1).replace('&amp;', '&')}", allow_redirects=False
    )
    assert back.status_code == 302
    assert back.headers["Location"].startswith("/login/oauth2/auth?")
    consent_page = session.get(f"{emulator.url}{back.headers['Location']}")
    assert "Canvas Reports (API) is requesting access to your account" in consent_page.text


def test_the_consent_page_offers_authorize_and_cancel(emulator: LiveEmulator) -> None:
    reg = register(emulator)
    page = _auth(acting_as(emulator, 3), emulator, **_params(reg))
    assert page.status_code == 200
    assert "is requesting access to your account" in page.text
    assert 'value="authorize">Authorize</button>' in page.text
    assert 'value="cancel">Cancel</button>' in page.text
    assert "Tina Teacher" in page.text


def test_cancel_is_access_denied(emulator: LiveEmulator) -> None:
    reg = register(emulator)
    query = consent(acting_as(emulator, 3), emulator, reg, decision="cancel")
    assert query["error"] == "access_denied"
    assert query["state"] == "s-123"
    assert "code" not in query


def test_authorize_redirects_with_a_128_hex_code_and_the_state(emulator: LiveEmulator) -> None:
    reg = register(emulator)
    query = consent(acting_as(emulator, 3), emulator, reg)
    assert re.fullmatch(r"[0-9a-f]{128}", query["code"])
    assert query["state"] == "s-123"
    grant = emulator.emulator.store.authorization_codes[query["code"]]
    assert grant.user_id == 3
    assert grant.redirect_uri == REDIRECT_URI
    assert (grant.expires_at - emulator.emulator.store.now()).total_seconds() == pytest.approx(
        600, abs=5
    )


def test_the_consent_form_cannot_be_forged_or_replayed_by_another_user(
    emulator: LiveEmulator,
) -> None:
    reg = register(emulator)
    session = acting_as(emulator, 3)
    form = read_form(_auth(session, emulator, **_params(reg)).text)
    forged = session.post(
        f"{emulator.url}/login/oauth2/confirm", data={"ticket": "x", "decision": "authorize"}
    )
    assert forged.status_code == 400
    other = acting_as(emulator, 4)
    stolen = other.post(
        f"{emulator.url}/login/oauth2/confirm",
        data={"ticket": form.fields["ticket"], "decision": "authorize"},
        allow_redirects=False,
    )
    assert stolen.status_code == 400


def test_the_out_of_band_redirect_shows_the_code(emulator: LiveEmulator) -> None:
    reg = register(emulator)
    session = acting_as(emulator, 3)
    oob = "urn:ietf:wg:oauth:2.0:oob"
    form = read_form(_auth(session, emulator, **_params(reg, redirect_uri=oob)).text)
    answer = session.post(
        f"{emulator.url}{form.action}",
        data={"ticket": form.fields["ticket"], "decision": "authorize"},
        allow_redirects=False,
    )
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/login/oauth2/auth/oob?code=")
    page = session.get(f"{emulator.url}{answer.headers['Location']}")
    code = parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]
    assert code in page.text
    assert emulator.emulator.store.authorization_codes[code].redirect_uri == oob
