"""``ProbeClient``: ``CanvasClient`` plus calls only tests make.

The tool asks Canvas for exactly the scopes of the endpoints it calls (app/canvas_endpoints.py),
so reads the tool never needs (who am I, every account, every course) are not in its client.
Tests use them as cheap authenticated requests; against a developer key that enforces the
tool's scopes they are refused, as they would be at a real Canvas.
"""

from __future__ import annotations

from app.canvas.client import CanvasClient
from app.canvas.payloads import User


class ProbeClient(CanvasClient):
    """A ``CanvasClient`` on the same requester, with test-only reads."""

    @classmethod
    def of(cls, client: CanvasClient) -> ProbeClient:
        return cls(client._http, page_size=client.page_size)

    def get_self(self) -> User:
        return self._one(User, "GET", "/api/v1/users/self")
