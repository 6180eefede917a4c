"""Step 1 of a launch: cache the launch, sign ``lti_message_hint``, build the login initiation.

Like Canvas (``lti_advantage_adapter.rb``), the launch is prepared when the page renders and
cached under a random verifier; ``/api/lti/authorize`` fetches **and deletes** it, so each
login initiation can complete once.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlencode, urlsplit

from flask import has_request_context, request

from emulator.lti import signed
from emulator.lti.options import lti_options
from emulator.lti.tools import Tool, opaque_id
from emulator.store import User

if TYPE_CHECKING:
    from emulator.state import Emulator

PART = "lti_launches"
HINT_TTL = timedelta(minutes=5)
LAUNCH_TTL = timedelta(minutes=5)
STORAGE_TARGET = "post_message_forwarding"


@dataclass(frozen=True)
class PendingLaunch:
    verifier: str
    user_id: int
    developer_key_id: int
    deployment_id: str
    placement: str
    context_type: str  # Course | Account
    context_id: int
    target_link_uri: str
    quiz_id: int | None
    assignment_id: int | None
    locale: str
    expires_at: datetime


def login_hint_for(user: User) -> str:
    """Canvas sends the user's opaque identifier as ``login_hint``."""
    return opaque_id("User", user.id)


def _launches(emulator: Emulator) -> dict[str, PendingLaunch]:
    return cast(dict[str, PendingLaunch], emulator.parts.setdefault(PART, {}))


def _target_link_uri(
    emulator: Emulator, base: str, quiz_id: int | None, assignment_id: int | None
) -> str:
    if lti_options(emulator).quiz_id_mode != "target_link_uri":
        return base
    query: list[tuple[str, str]] = []
    if quiz_id is not None:
        query.append(("quizzes[]", str(quiz_id)))
    if assignment_id is not None:
        query.append(("assignments[]", str(assignment_id)))
    if not query:
        return base
    separator = "&" if urlsplit(base).query else "?"
    return f"{base}{separator}{urlencode(query)}"


def _canvas_domain(emulator: Emulator) -> str:
    """The host the user's browser is on (Canvas: ``request.host_with_port``): its session
    cookie lives there, so ``authorize_redirect`` must send the browser back to it."""
    if has_request_context():
        return request.host
    return urlsplit(emulator.base_url).netloc


def begin_launch(
    emulator: Emulator,
    *,
    user: User,
    tool: Tool,
    placement: str,
    context_type: str,
    context_id: int,
    quiz_id: int | None = None,
    assignment_id: int | None = None,
) -> dict[str, str]:
    """Cache a launch and return the login initiation parameters (reference 3.1)."""
    store = emulator.store
    now = store.now()
    verifier = secrets.token_hex(32)
    launch = PendingLaunch(
        verifier=verifier,
        user_id=user.id,
        developer_key_id=tool.key.id,
        deployment_id=tool.deployment.deployment_id,
        placement=placement,
        context_type=context_type,
        context_id=context_id,
        target_link_uri=_target_link_uri(
            emulator, tool.placements[placement].target_link_uri, quiz_id, assignment_id
        ),
        quiz_id=quiz_id,
        assignment_id=assignment_id,
        locale=user.locale,
        expires_at=now + LAUNCH_TTL,
    )
    with store.lock:
        launches = _launches(emulator)
        for stale in [v for v, pending in launches.items() if pending.expires_at <= now]:
            del launches[stale]
        launches[verifier] = launch
    hint = signed.sign(
        emulator,
        {
            "verifier": verifier,
            "canvas_domain": _canvas_domain(emulator),
            "context_type": context_type,
            "context_id": context_id,
            "canvas_locale": user.locale,
            "include_storage_target": True,
        },
        now + HINT_TTL,
    )
    return {
        "iss": emulator.base_url,
        "login_hint": login_hint_for(user),
        "target_link_uri": launch.target_link_uri,
        "lti_message_hint": hint,
        "client_id": tool.key.client_id,
        "lti_deployment_id": tool.deployment.deployment_id,
        "canvas_region": "unknown",
        "canvas_environment": "production",
        "lti_storage_target": STORAGE_TARGET,
    }


def decode_message_hint(emulator: Emulator, hint: str | None) -> dict[str, Any] | None:
    """The hint's claims, or None when it is missing, forged or expired (by the store clock)."""
    return signed.verify(emulator, hint, ["verifier"]) if hint else None


def take_launch(emulator: Emulator, verifier: str) -> PendingLaunch | None:
    """Fetch and delete the cached launch (single use); None when consumed or expired."""
    with emulator.store.lock:
        launch = _launches(emulator).pop(verifier, None)
    if launch is None or launch.expires_at <= emulator.store.now():
        return None
    return launch
