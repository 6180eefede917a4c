"""The checks of a launch's id_token, in the order docs/launch.md lists them.

They are the tool's own (no pylti1p3): every check of pylti1p3's ``MessageLaunch.validate()``
(state, JWT format, registration, signature, deployment, the resource-link message rules)
plus ``azp``, required claims, clock leeway and a nonce bound to the login's state record.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from app.errors import LaunchError
from app.i18n import N_
from app.lti import claims as c
from app.lti import login_state
from app.lti.id_token import IdToken, parse, verify_rs256
from app.lti.platform_keys import PlatformKeySet
from app.lti.tool_conf import DbToolConf, Registration

MAX_ID_TOKEN_LENGTH = 64 * 1024
_REQUIRED = ("iss", "aud", "sub", "exp", "iat", "nonce")


class LaunchChecks:
    """The checks, in the order docs/launch.md lists them."""

    def __init__(
        self,
        tool_conf: DbToolConf,
        secret_key: str,
        keys: PlatformKeySet,
        *,
        now: Callable[[], datetime],
        leeway_seconds: int,
        tool_base_url: str,
    ) -> None:
        self._tool_conf = tool_conf
        self._secret_key = secret_key
        self._keys = keys
        self._now = now
        self._leeway = leeway_seconds
        self._tool_base_url = tool_base_url
        self.first_deployment = False

    def run(self, state: str, id_token: str) -> tuple[dict[str, Any], dict[str, Any], Registration]:
        """(state record, claims, registration) of a launch that passed every check."""
        if not id_token:
            raise LaunchError(N_("The launch has no id_token; start the tool from Canvas."))
        if len(id_token) > MAX_ID_TOKEN_LENGTH or len(state) > 255:
            raise LaunchError(N_("The launch request is malformed (a parameter is too long)."))
        record = self._state_record(state)
        token = parse(id_token)
        registration = self._registration(token.claims, record)
        self._signature(token, registration)
        body = token.claims
        self._required_claims(body, registration)
        self._times(body)
        nonce = body.get("nonce")
        if not isinstance(nonce, str) or nonce != record.get("nonce"):
            # The record lives until a launch consumes it (``consume``, atomically), so a
            # nonce that matches it has not been used yet.
            raise LaunchError(
                "The launch's nonce was not issued with this login or was already used."
            )
        self._deployment(body, registration)
        self._message(body)
        return record, body, registration

    def _state_record(self, state: str) -> dict[str, Any]:
        if not state:
            raise LaunchError(N_("The launch has no state; start the tool from Canvas again."))
        found = login_state.read(self._secret_key, state, self._now().timestamp())
        if found is None:
            raise LaunchError(
                "The launch's state does not match a login started by this tool "
                "(it expired or was already used). Reload the page in Canvas."
            )
        return {
            "platform_id": found.platform_id,
            "storage_target": found.storage_target,
            "nonce": found.nonce,
        }

    def _registration(self, body: dict[str, Any], record: dict[str, Any]) -> Registration:
        iss, aud, azp = body.get("iss"), body.get("aud"), body.get("azp")
        if not isinstance(iss, str) or not iss or not aud:
            raise LaunchError(N_("The launch is missing its issuer or audience."))
        registration = self._tool_conf.registration(iss, _client_id(aud, azp))
        if registration is None:
            raise LaunchError(
                "The launch comes from an issuer or client id this tool does not know "
                "(wrong iss or aud)."
            )
        if registration.platform_id != record.get("platform_id"):
            raise LaunchError(
                N_("The launch does not come from the platform the login started at.")
            )
        if isinstance(aud, list) and len(aud) > 1 and azp != registration.client_id:
            raise LaunchError(N_("The launch has several audiences but azp is not this tool."))
        if azp is not None and azp != registration.client_id:
            raise LaunchError(N_("The launch's azp does not name this tool."))
        return registration

    def _signature(self, token: IdToken, registration: Registration) -> None:
        kid, alg = token.header.get("kid"), token.header.get("alg")
        if alg != "RS256":
            raise LaunchError(N_("The launch is not signed with RS256."))
        if not isinstance(kid, str) or not kid:
            raise LaunchError(N_("The launch's signature names no key (kid)."))
        verify_rs256(token, self._keys.public_key(registration.key_set_url, kid, alg))

    @staticmethod
    def _required_claims(body: dict[str, Any], registration: Registration) -> None:
        for claim in _REQUIRED:
            if body.get(claim) is None:
                raise LaunchError(f"The launch is missing the required claim {claim}.")
        aud = body["aud"]
        audiences = aud if isinstance(aud, list) else [aud]
        if not all(isinstance(a, str) for a in audiences) or registration.client_id not in aud:
            raise LaunchError(N_("The launch's audience (aud) is not this tool."))
        if body["iss"] != registration.issuer:
            raise LaunchError(N_("The launch's issuer (iss) is not the registered one."))
        if not body["sub"]:
            raise LaunchError(N_("The launch message is not valid."))

    def _times(self, body: dict[str, Any]) -> None:
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

    def _deployment(self, body: dict[str, Any], registration: Registration) -> None:
        deployment_id = body.get(c.DEPLOYMENT_ID)
        if not isinstance(deployment_id, str) or not deployment_id:
            raise LaunchError(N_("The launch is missing the required claim deployment_id."))
        if deployment_id in registration.deployment_ids:
            return
        # The snapshot may predate a deployment another process added: ask the database.
        fresh = self._tool_conf.fresh(registration)
        if fresh is None:  # removed by another process since it was cached
            raise LaunchError(
                "The launch comes from an issuer or client id this tool does not know "
                "(wrong iss or aud)."
            )
        if deployment_id in fresh.deployment_ids:
            return
        if not fresh.deployment_ids:
            # Canvas's Dynamic Registration returns no deployment id; it arrives with
            # the first launch, signed by the registered platform for our client id.
            self.first_deployment = True
            return
        raise LaunchError(
            f"This deployment of the tool ({deployment_id[:120]}) is not registered "
            "(unknown deployment_id). An administrator can add it with "
            "`flask --app app platforms add --deployment-id ...`."
        )

    def _message(self, body: dict[str, Any]) -> None:
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


def _client_id(aud: Any, azp: Any) -> str:
    """The client id a launch is for: ``azp`` when it is one of a list ``aud``, else the
    (first) audience. The checks after the lookup refuse what does not fit."""
    if isinstance(aud, list):
        if isinstance(azp, str) and azp in aud:
            return azp
        return str(aud[0]) if aud else ""
    return str(aud)
