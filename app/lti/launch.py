"""Step 3 and 4: validate the id_token Canvas posts and record the launch.

Validation follows lti-oauth.md 3.4 on top of pylti1p3's ``MessageLaunch``; what pylti1p3
lacks is added here: shared one-time nonces, ``azp``, clock leeway, JWKS refetch on an
unknown ``kid``, and browser binding through platform storage when no cookie came back.
Nothing is written until every check has passed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt
from pylti1p3.contrib.flask.message_launch import FlaskMessageLaunch
from pylti1p3.exception import LtiException
from sqlalchemy import delete
from sqlalchemy.orm import Session

from app.errors import LaunchError, NotAuthorized
from app.i18n import N_
from app.lti import claims as c
from app.lti.adapters import PartitionedCookieService, StoreSessionService, ToolRequest
from app.lti.launch_state import StateStore, StoreLaunchDataStorage
from app.lti.login import STATE_TTL_SECONDS
from app.lti.platform_keys import PlatformKeySet
from app.lti.registrations import add_deployment
from app.lti.roles import may_use_placement
from app.lti.tool_conf import DbToolConf, PlatformRegistration
from app.models.launch import Launch
from app.models.platform import Platform

MAX_ID_TOKEN_LENGTH = 64 * 1024
PENDING_TTL_SECONDS = 120
_REQUIRED = ("iss", "aud", "sub", "exp", "iat", "nonce")


class ToolMessageLaunch(FlaskMessageLaunch):  # type: ignore[misc]
    """pylti1p3's launch with the tool's checks; ``check()`` replaces ``validate()``."""

    def __init__(
        self,
        request: ToolRequest,
        tool_conf: DbToolConf,
        session_service: StoreSessionService,
        cookie_service: PartitionedCookieService,
        keys: PlatformKeySet,
        *,
        now: Callable[[], datetime],
        leeway_seconds: int,
        tool_base_url: str,
    ) -> None:
        super().__init__(
            request, tool_conf, session_service=session_service, cookie_service=cookie_service
        )
        self._keys = keys
        self._now = now
        self._leeway = leeway_seconds
        self._tool_base_url = tool_base_url
        self.state_record: dict[str, Any] = {}
        self.cookie_matched = False
        self.first_deployment = False

    # -- the checks, in order -------------------------------------------------------------
    def check(self) -> dict[str, Any]:
        """Run every check; returns the claims. Raises LaunchError with a clear message."""
        self._validated = True  # lets pylti1p3 getters read the body without re-validating
        request: ToolRequest = self._request
        state = str(request.get_param("state") or "")
        id_token = str(request.get_param("id_token") or "")
        if not id_token:
            raise LaunchError(N_("The launch has no id_token; start the tool from Canvas."))
        if len(id_token) > MAX_ID_TOKEN_LENGTH or len(state) > 255:
            raise LaunchError(N_("The launch request is malformed (a parameter is too long)."))
        self._check_state_known(state)
        try:
            self.validate_jwt_format()
        except LtiException as exc:
            raise LaunchError(N_("The launch's id_token is malformed.")) from exc
        if not isinstance(self._jwt.get("body"), dict) or not isinstance(
            self._jwt.get("header"), dict
        ):
            raise LaunchError(N_("The launch's id_token is malformed."))
        self._check_registration()
        self._check_signature_and_times(id_token)
        self._check_nonce_matches_state()
        self._check_deployment()
        self._check_message()
        self.cookie_matched = self._cookie_service.get_cookie(state) == state
        return dict(self._body())

    def _body(self) -> dict[str, Any]:
        body: Any = self._jwt.get("body")
        return body if isinstance(body, dict) else {}

    def _check_state_known(self, state: str) -> None:
        if not state:
            raise LaunchError(N_("The launch has no state; start the tool from Canvas again."))
        record = self._session_service.get_state_params(state)
        if not isinstance(record, dict):
            raise LaunchError(
                "The launch's state does not match a login started by this tool "
                "(it expired or was already used). Reload the page in Canvas."
            )
        self.state_record = record

    def get_client_id(self) -> str:
        body = self._body()
        aud = body.get("aud")
        if isinstance(aud, list):
            azp = body.get("azp")
            if isinstance(azp, str) and azp in aud:
                return azp
            return str(aud[0]) if aud else ""
        return str(aud or "")

    def _check_registration(self) -> None:
        body = self._body()
        if not isinstance(body.get("iss"), str) or not body.get("aud"):
            raise LaunchError(N_("The launch is missing its issuer or audience."))
        try:
            self.validate_registration()
        except LtiException as exc:
            raise LaunchError(
                "The launch comes from an issuer or client id this tool does not know "
                "(wrong iss or aud)."
            ) from exc
        registration = self.registration
        if registration.platform_id != self.state_record.get("platform_id"):
            raise LaunchError(
                N_("The launch does not come from the platform the login started at.")
            )
        aud = body["aud"]
        client_id = registration.get_client_id()
        azp = body.get("azp")
        if isinstance(aud, list) and len(aud) > 1 and azp != client_id:
            raise LaunchError(N_("The launch has several audiences but azp is not this tool."))
        if azp is not None and azp != client_id:
            raise LaunchError(N_("The launch's azp does not name this tool."))

    @property
    def registration(self) -> PlatformRegistration:
        registration = self._registration
        if not isinstance(registration, PlatformRegistration):
            raise LaunchError(N_("The launch's registration could not be found."))
        return registration

    def _check_signature_and_times(self, id_token: str) -> None:
        header = self._jwt["header"]
        kid, alg = header.get("kid"), header.get("alg")
        if alg != "RS256":
            raise LaunchError(N_("The launch is not signed with RS256."))
        if not isinstance(kid, str) or not kid:
            raise LaunchError(N_("The launch's signature names no key (kid)."))
        public_key = self._keys.public_key(self.registration.get_key_set_url() or "", kid, alg)
        client_id = self.registration.get_client_id()
        try:
            jwt.decode(
                id_token,
                public_key,
                algorithms=["RS256"],
                audience=client_id,
                issuer=self.registration.get_issuer(),
                # Times are checked below against the tool's clock, with leeway.
                options={
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                    "require": list(_REQUIRED),
                },
            )
        except jwt.InvalidSignatureError as exc:
            raise LaunchError(N_("The launch's signature is not valid.")) from exc
        except jwt.MissingRequiredClaimError as exc:
            raise LaunchError(f"The launch is missing the required claim {exc.claim}.") from exc
        except jwt.InvalidAudienceError as exc:
            raise LaunchError(N_("The launch's audience (aud) is not this tool.")) from exc
        except jwt.InvalidIssuerError as exc:
            raise LaunchError(N_("The launch's issuer (iss) is not the registered one.")) from exc
        except jwt.PyJWTError as exc:
            raise LaunchError(N_("The launch's id_token could not be verified.")) from exc
        body = self._body()
        now = self._now().timestamp()
        try:
            exp, iat = float(body["exp"]), float(body["iat"])
        except (TypeError, ValueError) as exc:
            raise LaunchError(N_("The launch's exp or iat is not a number.")) from exc
        if exp < now - self._leeway:
            raise LaunchError(N_("The launch has expired (exp is in the past). Reload the page."))
        if iat > now + self._leeway:
            raise LaunchError(N_("The launch was issued in the future (iat); check the clocks."))
        nbf = body.get("nbf")
        if isinstance(nbf, int | float) and nbf > now + self._leeway:
            raise LaunchError(N_("The launch is not valid yet (nbf)."))

    def _check_nonce_matches_state(self) -> None:
        # The state record exists only until a launch consumes it, so a nonce that matches
        # it has not been used yet; ``consume`` makes that atomic.
        nonce = self._body().get("nonce")
        if not isinstance(nonce, str) or nonce != self.state_record.get("nonce"):
            raise LaunchError(
                "The launch's nonce was not issued with this login or was already used."
            )

    def _check_deployment(self) -> None:
        deployment_id = self._body().get(c.DEPLOYMENT_ID)
        if not isinstance(deployment_id, str) or not deployment_id:
            raise LaunchError(N_("The launch is missing the required claim deployment_id."))
        try:
            self.validate_deployment()
        except LtiException as exc:
            if not self._tool_config.platform_has_deployments(self.registration.platform_id):
                # Canvas's Dynamic Registration returns no deployment id; it arrives with
                # the first launch, signed by the registered platform for our client id.
                self.first_deployment = True
                return
            raise LaunchError(
                f"This deployment of the tool ({deployment_id[:120]}) is not registered "
                "(unknown deployment_id). An administrator can add it with "
                "`flask --app app platforms add --deployment-id ...`."
            ) from exc

    def _check_message(self) -> None:
        body = self._body()
        message_type = body.get(c.MESSAGE_TYPE)
        if message_type != "LtiResourceLinkRequest":
            raise LaunchError(
                f"The tool only accepts resource link launches, not {str(message_type)[:64]!r}."
            )
        if body.get(c.VERSION) != "1.3.0":
            raise LaunchError(N_("The launch is not LTI version 1.3.0."))
        link = body.get(c.RESOURCE_LINK)
        if not isinstance(link, dict) or not link.get("id"):
            raise LaunchError(N_("The launch is missing the required claim resource_link.id."))
        if not isinstance(body.get(c.ROLES), list):
            raise LaunchError(N_("The launch is missing the required claim roles."))
        target = body.get(c.TARGET_LINK_URI)
        if not isinstance(target, str) or not target.startswith(self._tool_base_url + "/"):
            raise LaunchError(N_("The launch's target_link_uri is not one of this tool's URLs."))
        try:
            self.validate_message()
        except LtiException as exc:
            raise LaunchError(N_("The launch message is not valid.")) from exc


@dataclass(frozen=True)
class Checked:
    """A launch whose id_token passed every check, not yet recorded."""

    platform_id: int
    state: str
    nonce: str
    claims: dict[str, Any]
    browser_bound: bool
    storage_target: str | None
    first_deployment: bool = False  # the platform had no deployment: adopt this one


def check_launch(
    params: Mapping[str, str],
    cookies: Mapping[str, str],
    *,
    tool_conf: DbToolConf,
    storage: StoreLaunchDataStorage,
    keys: PlatformKeySet,
    now: Callable[[], datetime],
    leeway_seconds: int,
    tool_base_url: str,
    secure: bool,
) -> Checked:
    """Validate a launch POST.

    Raises:
        LaunchError: Canvas sent an error, or any check failed (nothing was stored).
    """
    if params.get("error"):
        raise LaunchError(canvas_error_message(params["error"], params.get("error_description")))
    request = ToolRequest(params, cookies, secure=secure)
    cookie_service = PartitionedCookieService(request)
    session_service = StoreSessionService(request, storage, STATE_TTL_SECONDS)
    launch = ToolMessageLaunch(
        request,
        tool_conf,
        session_service,
        cookie_service,
        keys,
        now=now,
        leeway_seconds=leeway_seconds,
        tool_base_url=tool_base_url,
    )
    body = launch.check()
    storage_target = launch.state_record.get("storage_target") or params.get("lti_storage_target")
    if not launch.cookie_matched and not storage_target:
        raise LaunchError(
            N_(
                "The launch's state does not match this browser (no state cookie came back "
                "and Canvas offered no platform storage). Open the tool in a new tab from "
                "Canvas."
            )
        )
    return Checked(
        platform_id=launch.registration.platform_id,
        state=str(params.get("state")),
        nonce=str(body["nonce"]),
        claims=body,
        browser_bound=launch.cookie_matched,
        storage_target=storage_target if isinstance(storage_target, str) else None,
        first_deployment=launch.first_deployment,
    )


def consume(storage: StoreLaunchDataStorage, checked: Checked) -> None:
    """Use the state (and the nonce it holds) up; only one request can ever succeed.

    Raises:
        LaunchError: another request consumed them first (a replay).
    """
    record = storage.take_value(f"lti1p3-{checked.state}")
    if not isinstance(record, dict) or record.get("nonce") != checked.nonce:
        raise LaunchError(N_("The launch's state was already used. Reload the page in Canvas."))


def hold_pending(store: StateStore, checked: Checked) -> str:
    """Park a checked launch until the page confirms the state via platform storage."""
    pending_id = uuid.uuid4().hex
    store.put(
        f"pending-{pending_id}",
        {
            "platform_id": checked.platform_id,
            "state": checked.state,
            "nonce": checked.nonce,
            "claims": checked.claims,
            "storage_target": checked.storage_target,
            "first_deployment": checked.first_deployment,
        },
        PENDING_TTL_SECONDS,
    )
    return pending_id


def release_pending(store: StateStore, pending_id: str, state: str) -> Checked:
    """The launch parked under ``pending_id``, once, if ``state`` is the one it was issued for.

    Raises:
        LaunchError: unknown, used or expired id, or a different state.
    """
    if not pending_id or len(pending_id) > 64 or not pending_id.isalnum():
        raise LaunchError(N_("The launch confirmation is malformed."))
    record = store.take(f"pending-{pending_id}")
    if not isinstance(record, dict):
        raise LaunchError(
            N_("The launch confirmation expired or was already used. Reload the page.")
        )
    if not state or state != record.get("state"):
        raise LaunchError(
            "The launch's state does not match the one stored in this browser. "
            "Reload the page in Canvas."
        )
    return Checked(
        platform_id=int(record["platform_id"]),
        state=state,
        nonce=str(record["nonce"]),
        claims=dict(record["claims"]),
        browser_bound=True,
        storage_target=record.get("storage_target"),
        first_deployment=record.get("first_deployment") is True,
    )


def adopt_first_deployment(session: Session, checked: Checked) -> None:
    """Record the launch's deployment when its platform has none yet (after Dynamic
    Registration); later deployments must be added by an administrator."""
    if not checked.first_deployment:  # the deployment was found registered: nothing to read
        return
    platform = session.get(Platform, checked.platform_id)
    deployment_id = checked.claims.get(c.DEPLOYMENT_ID)
    if platform is not None and not platform.deployments and isinstance(deployment_id, str):
        add_deployment(session, platform, deployment_id)


def build_launch(session: Session, checked: Checked, *, now: datetime, ttl_seconds: int) -> Launch:
    """Check the user's role for the placement and build the ``Launch`` row (not added).

    Raises:
        NotAuthorized: a student (or anyone without the rights) opened a staff placement.
    """
    facts = c.read_facts(checked.claims)
    platform = session.get(Platform, checked.platform_id)
    if platform is None:
        raise LaunchError(N_("The platform of this launch was removed. Ask an administrator."))
    launch = Launch(
        id=str(uuid.uuid4()),
        platform_id=platform.id,
        deployment_id=facts.deployment_id,
        user_sub=facts.user_sub[:255],
        canvas_user_id=facts.canvas_user_id,
        user_name=facts.user_name,
        roles=facts.roles,
        canvas_roles=facts.canvas_roles,
        placement=facts.placement,
        context_type=facts.context_type,
        lti_context_id=facts.lti_context_id,
        context_title=facts.context_title,
        canvas_course_id=facts.canvas_course_id,
        canvas_account_id=facts.canvas_account_id,
        canvas_assignment_id=facts.quiz.assignment_id,
        canvas_quiz_id=facts.quiz.quiz_id,
        # The API host comes from the registration, never from the (signed but
        # platform-wide) claims: tokens must only ever go to the registered Canvas.
        canvas_api_base_url=platform.canvas_url,
        locale=facts.locale,
        claims=_kept_claims(checked.claims),
        created_at=now,
        expires_at=now + timedelta(seconds=ttl_seconds),
    )
    if not may_use_placement(launch, facts.context_type):
        raise NotAuthorized(
            N_(
                "Reports are for teachers, teaching assistants, designers and administrators. "
                "Your role in this course or account does not give access."
            )
            if facts.context_type == "course"
            else N_("Account reports are for account administrators only.")
        )
    return launch


LAUNCH_RETENTION = timedelta(days=1)


def purge_launches(session: Session, now: datetime) -> int:
    """Delete launches expired for over a day (their claims hold names and emails)."""
    result = session.execute(delete(Launch).where(Launch.expires_at < now - LAUNCH_RETENTION))
    return int(getattr(result, "rowcount", 0) or 0)


def _kept_claims(claims: Mapping[str, Any]) -> dict[str, Any]:
    """The claims worth keeping (no nonce: it is spent)."""
    return {key: value for key, value in claims.items() if key not in ("nonce",)}


_CANVAS_ERRORS = {
    "login_required": N_(
        "Canvas refused the launch because you are not logged in there any more. "
        "Log in to Canvas again and reload the page."
    ),
    "unauthorized_client": N_(
        "This tool is not enabled for your Canvas account. Ask a Canvas administrator to "
        "turn the developer key on."
    ),
    "launch_no_longer_valid": N_("The launch expired. Reload the page in Canvas to start again."),
    "invalid_request_object": N_(
        "Canvas rejected the tool's login request. Reload the page; if it keeps happening, "
        "tell an administrator."
    ),
}


def canvas_error_message(error: str, description: str | None) -> str:
    """A friendly sentence for an ``error`` Canvas form-posted instead of an id_token."""
    known = _CANVAS_ERRORS.get(error[:64])
    if known:
        return known
    detail = f" ({description[:200]})" if description else ""
    return f"Canvas refused the launch: {error[:64]}{detail}. Reload the page in Canvas."
