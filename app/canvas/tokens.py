"""Where the client gets its bearer token from, and how it asks for a new one."""

from __future__ import annotations

from typing import Protocol

from app.canvas.errors import CanvasAuthorizationRequired
from app.i18n import N_


class TokenSource(Protocol):
    """A user's access token, plus a way to replace one Canvas rejected."""

    def access_token(self) -> str:
        """A token believed valid (may refresh first when it is about to expire).

        Raises:
            CanvasAuthorizationRequired: the user must authorize (again).
        """
        ...

    def refresh(self, rejected: str) -> str:
        """A token other than ``rejected`` (refreshing unless someone already did).

        Raises:
            CanvasAuthorizationRequired: the refresh token is gone or revoked.
        """
        ...


class StaticTokenSource:
    """A fixed token that cannot be refreshed (scripts, benchmarks, tests)."""

    def __init__(self, token: str) -> None:
        self._token = token

    def access_token(self) -> str:
        return self._token

    def refresh(self, rejected: str) -> str:  # noqa: ARG002 - the protocol's signature
        raise CanvasAuthorizationRequired(
            N_("Canvas rejected the access token and it cannot be refreshed.")
        )
