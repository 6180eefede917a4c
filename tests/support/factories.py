"""Typed factories for the tool's rows: platforms, deployments, launches, tokens and jobs.

Each builds a valid row with test defaults; keyword arguments override any column. Rows are
not added to a session (except ``canvas_token``, which goes through the real ``TokenStore`` so
the secrets are encrypted as in production). Column defaults declared with ``mapped_column``
(``status``, ``polls``, timestamps...) apply only on insert; pass them for in-memory rows.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from app.canvas.oauth import TokenGrant
from app.canvas.token_store import TokenStore
from app.crypto import SecretBox
from app.models.canvas_token import CanvasToken
from app.models.job import Job
from app.models.launch import Launch
from app.models.platform import Deployment, Platform

CANVAS_URL = "https://canvas.test"
LIS = "http://purl.imsglobal.org/vocab/lis/v2"
INSTRUCTOR = f"{LIS}/membership#Instructor"
LEARNER = f"{LIS}/membership#Learner"
ADMINISTRATOR = f"{LIS}/institution/person#Administrator"


def platform(
    *,
    issuer: str = CANVAS_URL,
    client_id: str = "1",
    canvas_url: str = CANVAS_URL,
    auth_login_url: str = "x",
    auth_token_url: str = "x",
    key_set_url: str = "x",
    api_client_id: str = "2",
    api_client_secret_encrypted: bytes = b"x",
    **fields: Any,
) -> Platform:
    """A registration whose URLs are placeholders (enough for rows that never call Canvas)."""
    return Platform(
        issuer=issuer, client_id=client_id, canvas_url=canvas_url,
        auth_login_url=auth_login_url, auth_token_url=auth_token_url, key_set_url=key_set_url,
        api_client_id=api_client_id, api_client_secret_encrypted=api_client_secret_encrypted,
        **fields,
    )


def deployment(platform_id: int, deployment_id: str = "1:deployment", **fields: Any) -> Deployment:
    return Deployment(platform_id=platform_id, deployment_id=deployment_id, **fields)


def launch(
    *,
    platform_id: int = 1,
    context_type: str = "course",
    canvas_course_id: int | None = 101,
    canvas_account_id: int | None = None,
    roles: list[str] | None = None,
    canvas_roles: list[str] | None = None,
    **fields: Any,
) -> Launch:
    """Tina Teacher's course launch by default (override ``roles``, the context ids...)."""
    values: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "deployment_id": "1:deployment",
        "user_sub": "user-3",
        "canvas_user_id": 3,
        "placement": "course_navigation" if context_type == "course" else "account_navigation",
        "expires_at": datetime.now(UTC) + timedelta(hours=1),
    }
    values.update(fields)
    return Launch(
        platform_id=platform_id, context_type=context_type, canvas_course_id=canvas_course_id,
        canvas_account_id=canvas_account_id, roles=list(roles or []),
        canvas_roles=list(canvas_roles or []), **values,
    )


def job(
    *,
    platform_id: int = 1,
    canvas_user_id: int = 1,
    family: str = "account",
    report_type: str = "last_user_access_csv",
    **fields: Any,
) -> Job:
    """A tracked report job (an account report by default) with no events yet."""
    values: dict[str, Any] = {"events": []}
    values.update(fields)
    return Job(platform_id=platform_id, canvas_user_id=canvas_user_id, family=family,
               report_type=report_type, **values)


def canvas_token(
    session: Session,
    box: SecretBox,
    *,
    platform_id: int,
    canvas_user_id: int,
    access_token: str = "access-token",
    refresh_token: str | None = "refresh-token",
    expires_at: datetime | None = None,
    scopes: str = "",
) -> CanvasToken:
    """Store a user's tokens, encrypted, as the OAuth callback does; returns the row."""
    store = TokenStore(session, box)
    store.save(platform_id, canvas_user_id,
               TokenGrant(access_token, refresh_token, expires_at, canvas_user_id, scopes))
    row = store.row(platform_id, canvas_user_id)
    assert row is not None
    return row
