"""``ProbeClient``: ``CanvasClient`` plus calls only tests make.

The tool asks Canvas for exactly the scopes of the endpoints it calls (app/canvas_endpoints.py),
so reads the tool never needs (who am I, every account, every course) are not in its client.
Tests use them as cheap authenticated requests; against a developer key that enforces the
tool's scopes they are refused, as they would be at a real Canvas.
"""

from __future__ import annotations

from typing import Any

from app.canvas.client import CanvasClient, _parse, _segment
from app.canvas.errors import CanvasNotFound
from app.canvas.payloads import Account, Course, CourseReport, User


class ProbeClient(CanvasClient):
    """A ``CanvasClient`` on the same requester, with test-only reads."""

    @classmethod
    def of(cls, client: CanvasClient) -> ProbeClient:
        return cls(client._http, page_size=client.page_size)

    def get_self(self) -> User:
        return self._one(User, "GET", "/api/v1/users/self")

    def list_accounts(self) -> list[Account]:
        return self._list(Account, "/api/v1/accounts")

    def list_sub_accounts(self, account_id: int, *, recursive: bool = False) -> list[Account]:
        params = {"recursive": "true"} if recursive else {}
        return self._list(Account, f"/api/v1/accounts/{account_id}/sub_accounts", params)

    def list_courses(self, account_id: int, **filters: Any) -> list[Course]:
        """Courses of an account; ``filters`` pass through (e.g. ``enrollment_term_id``)."""
        return self._list(Course, f"/api/v1/accounts/{account_id}/courses", filters)

    def last_course_report(self, course_id: int, report_type: str) -> CourseReport | None:
        """The user's latest report of this type; None when there is none (``{}`` or 404)."""
        try:
            data = self._call(
                "GET", f"/api/v1/courses/{course_id}/reports/{_segment(report_type)}"
            )
        except CanvasNotFound:
            return None
        if not data:
            return None
        return _parse(CourseReport, data)
