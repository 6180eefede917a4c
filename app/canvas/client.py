"""``CanvasClient``: one typed method per Canvas endpoint the tool uses.

Each API method is marked ``@endpoint``: its route and scope are declared in
``app/canvas_endpoints.py``, from which the tool's requested scopes are derived.

Methods return payload models (``payloads.py``) and raise ``CanvasError`` subclasses; they
never return a ``requests.Response``. HTTP behaviour (retries, throttle, token refresh,
redirects) lives in ``http.CanvasRequester``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any, TypeVar
from urllib.parse import quote

from pydantic import BaseModel, ValidationError

from app.canvas.errors import CanvasError, CanvasNotFound
from app.canvas.http import CanvasRequester
from app.canvas.payloads import (
    Account,
    AccountReport,
    Assignment,
    AvailableReport,
    Course,
    CourseReport,
    File,
    Progress,
    Quiz,
    QuizReport,
    Term,
)
from app.canvas.throttle import ThrottleGovernor
from app.canvas_endpoints import endpoint

JSON_API = "application/vnd.api+json"
PER_PAGE = 100
QUIZ_REPORT_TYPES = ("student_analysis", "item_analysis")

M = TypeVar("M", bound=BaseModel)


class CanvasClient:
    """Canvas REST calls made with one user's token."""

    def __init__(self, requester: CanvasRequester, *, page_size: int = PER_PAGE) -> None:
        self._http = requester
        self.page_size = page_size

    @contextmanager
    def budget(self, seconds: float) -> Iterator[None]:
        """Inside, each request waits at most ``seconds`` (connect and read), a 5xx, timeout
        or throttled answer is not retried and a low throttle budget pauses at most
        ``seconds``: a report start's attempt stays short (the worker tries again later on its
        own schedule)."""
        saved, governor = self._http.policy, self._http.governor
        saved_throttle = governor.policy
        self._http.policy = dataclasses.replace(
            saved,
            connect_timeout=min(saved.connect_timeout, seconds),
            read_timeout=min(saved.read_timeout, seconds),
            max_retries=0,
        )
        governor.policy = dataclasses.replace(
            saved_throttle,
            max_pause=min(saved_throttle.max_pause, seconds),
            max_throttled_retries=0,
        )
        try:
            yield
        finally:
            self._http.policy = saved
            governor.policy = saved_throttle

    @property
    def base_url(self) -> str:
        return self._http.base_url

    @property
    def governor(self) -> ThrottleGovernor:
        """The throttle state of this client's token (shared by its threads)."""
        return self._http.governor

    @property
    def rate_limit_remaining(self) -> float | None:
        """Canvas's last ``X-Rate-Limit-Remaining`` (None before the first answer)."""
        return self._http.governor.remaining

    # ------------------------------------------------------------------ account reports

    @endpoint
    def list_available_reports(self, account_id: int) -> list[AvailableReport]:
        return self._list(AvailableReport, f"/api/v1/accounts/{account_id}/reports")

    @endpoint
    def start_account_report(
        self, account_id: int, report_type: str, parameters: dict[str, Any]
    ) -> AccountReport:
        """Create a report (never retried on 5xx/timeout: see ``CanvasUnavailable``).

        A JSON body keeps parameter types (Canvas stores them verbatim).
        """
        return self._one(
            AccountReport,
            "POST",
            f"/api/v1/accounts/{account_id}/reports/{_segment(report_type)}",
            json_body={"parameters": parameters},
        )

    @endpoint
    def list_account_reports(self, account_id: int, report_type: str) -> list[AccountReport]:
        return self._list(
            AccountReport, f"/api/v1/accounts/{account_id}/reports/{_segment(report_type)}"
        )

    @endpoint
    def get_account_report(
        self, account_id: int, report_type: str, report_id: int
    ) -> AccountReport:
        return self._one(
            AccountReport, "GET", _account_report_path(account_id, report_type, report_id)
        )

    @endpoint
    def delete_account_report(
        self, account_id: int, report_type: str, report_id: int
    ) -> AccountReport:
        return self._one(
            AccountReport, "DELETE", _account_report_path(account_id, report_type, report_id)
        )

    @endpoint
    def abort_account_report(
        self, account_id: int, report_type: str, report_id: int
    ) -> AccountReport:
        """Only a ``running`` report can be aborted; otherwise Canvas answers 404."""
        path = _account_report_path(account_id, report_type, report_id)
        return self._one(AccountReport, "PUT", f"{path}/abort")

    # ------------------------------------------------------------------ course reports

    @endpoint
    def start_course_report(
        self, course_id: int, report_type: str, parameters: dict[str, Any]
    ) -> CourseReport:
        return self._one(
            CourseReport,
            "POST",
            f"/api/v1/courses/{course_id}/reports/{_segment(report_type)}",
            json_body={"parameters": parameters},
        )

    @endpoint
    def get_course_report(self, course_id: int, report_type: str, report_id: int) -> CourseReport:
        path = f"/api/v1/courses/{course_id}/reports/{_segment(report_type)}/{report_id}"
        return self._one(CourseReport, "GET", path)

    @endpoint
    def last_course_report(self, course_id: int, report_type: str) -> CourseReport | None:
        """The user's latest report of this type; None when there is none (``{}`` or 404)."""
        try:
            data = self._call("GET", f"/api/v1/courses/{course_id}/reports/{_segment(report_type)}")
        except CanvasNotFound:
            return None
        if not data:
            return None
        return _parse(CourseReport, data)

    # ------------------------------------------------------------------ classic quiz reports

    @endpoint
    def list_quiz_reports(
        self, course_id: int, quiz_id: int, *, json_api: bool = False
    ) -> list[QuizReport]:
        data = self._call(
            "GET", _quiz_reports_path(course_id, quiz_id), **_quiz_report_format(json_api)
        )
        return [_quiz_report(item, quiz_id, self.base_url) for item in _quiz_report_items(data)]

    @endpoint
    def create_quiz_report(
        self,
        course_id: int,
        quiz_id: int,
        report_type: str,
        *,
        includes_all_versions: bool = False,
        json_api: bool = False,
    ) -> QuizReport:
        """Ask for a report; Canvas reuses a current one (same id) and 409s while generating."""
        if report_type not in QUIZ_REPORT_TYPES:
            raise ValueError(f"unknown quiz report type {report_type!r}")
        fields = {"report_type": report_type, "includes_all_versions": includes_all_versions}
        data = self._call(
            "POST",
            _quiz_reports_path(course_id, quiz_id),
            json_body={"quiz_reports": [fields]} if json_api else {"quiz_report": fields},
            **_quiz_report_format(json_api),
        )
        return _single_quiz_report(data, quiz_id, self.base_url)

    @endpoint
    def get_quiz_report(
        self, course_id: int, quiz_id: int, report_id: int, *, json_api: bool = False
    ) -> QuizReport:
        data = self._call(
            "GET",
            f"{_quiz_reports_path(course_id, quiz_id)}/{report_id}",
            **_quiz_report_format(json_api),
        )
        return _single_quiz_report(data, quiz_id, self.base_url)

    @endpoint
    def abort_quiz_report(self, course_id: int, quiz_id: int, report_id: int) -> None:
        """Abort a queued generation or delete a generated CSV (Canvas: 204, or 422)."""
        self._call("DELETE", f"{_quiz_reports_path(course_id, quiz_id)}/{report_id}")

    # ------------------------------------------------------------------ New Quizzes, Progress

    @endpoint
    def create_new_quiz_report(
        self, course_id: int, assignment_id: int, report_type: str, fmt: str
    ) -> Progress:
        """Start a New Quizzes report; Canvas answers with the Progress to poll."""
        return self._one(
            Progress,
            "POST",
            f"/api/quiz/v1/courses/{course_id}/quizzes/{assignment_id}/reports",
            json_body={"quiz_report": {"report_type": report_type, "format": fmt}},
        )

    @endpoint
    def get_progress(self, progress_id: int) -> Progress:
        return self._one(Progress, "GET", f"/api/v1/progress/{progress_id}")

    @endpoint
    def cancel_progress(self, progress_id: int, message: str | None = None) -> Progress:
        """Cancelling twice is harmless, so this POST may be retried."""
        body = {"message": message} if message is not None else {}
        return self._one(
            Progress,
            "POST",
            f"/api/v1/progress/{progress_id}/cancel",
            json_body=body,
            idempotent=True,
        )

    # ------------------------------------------------------------------ files

    @endpoint
    def get_file(self, file_id: int) -> File:
        return self._one(File, "GET", f"/api/v1/files/{file_id}")

    def open_download(self, url: str) -> AbstractContextManager[Iterator[bytes]]:
        """Stream a file from its (verifier) URL; the token never leaves the Canvas host."""
        return self._http.open_download(url)

    # ------------------------------------------------------------------ people and places

    @endpoint
    def get_account(self, account_id: int) -> Account:
        return self._one(Account, "GET", f"/api/v1/accounts/{account_id}")

    @endpoint
    def list_accounts(self) -> list[Account]:
        return self._list(Account, "/api/v1/accounts")

    @endpoint
    def list_courses(self, account_id: int, **filters: Any) -> list[Course]:
        """Courses of an account; ``filters`` pass through (e.g. ``enrollment_term_id``)."""
        return self._list(Course, f"/api/v1/accounts/{account_id}/courses", filters)

    @endpoint
    def list_sub_accounts(self, account_id: int, *, recursive: bool = False) -> list[Account]:
        params = {"recursive": "true"} if recursive else {}
        return self._list(Account, f"/api/v1/accounts/{account_id}/sub_accounts", params)

    @endpoint
    def list_terms(self, account_id: int) -> list[Term]:
        return self._list(Term, f"/api/v1/accounts/{account_id}/terms", key="enrollment_terms")

    @endpoint
    def list_quizzes(self, course_id: int) -> list[Quiz]:
        return self._list(Quiz, f"/api/v1/courses/{course_id}/quizzes")

    @endpoint
    def list_assignments(self, course_id: int) -> list[Assignment]:
        return self._list(Assignment, f"/api/v1/courses/{course_id}/assignments")

    # ------------------------------------------------------------------ plumbing

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: Any = None,
        json_body: Any = None,
        accept: str = "application/json",
        idempotent: bool | None = None,
    ) -> Any:
        data, _headers = self._http.request_json(
            method, path, params=params, json_body=json_body, accept=accept, idempotent=idempotent
        )
        return data

    def _one(self, model: type[M], method: str, path: str, **options: Any) -> M:
        """One object of type ``model`` (``options`` as for ``_call``)."""
        return _parse(model, self._call(method, path, **options))

    def _list(
        self,
        model: type[M],
        path: str,
        params: dict[str, Any] | None = None,
        *,
        key: str | None = None,
    ) -> list[M]:
        query = {"per_page": self.page_size, **(params or {})}
        items: list[M] = []
        for page in self._http.get_pages(path, params=query):
            rows = page.get(key, []) if key and isinstance(page, dict) else page
            if not isinstance(rows, list):
                raise CanvasError("Canvas returned an unexpected list shape.")
            items.extend(_parse(model, row) for row in rows)
        return items


def _parse(model: type[M], data: Any) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise CanvasError(
            f"Canvas returned an unexpected {model.__name__} ({exc.error_count()} problems)."
        ) from exc


def _segment(value: str) -> str:
    """A string as one URL path segment: every reserved character percent-encoded, and the
    dot segments ``.``/``..`` too (HTTP clients would resolve them), so ``/``, ``?``, ``#``,
    ``%`` or ``..`` cannot change which Canvas endpoint is called. Ints are written as is.

    Raises:
        ValueError: an empty segment (callers check their strings first).
    """
    if not value:
        raise ValueError("an empty Canvas URL path segment")
    encoded = quote(value, safe="")
    return encoded.replace(".", "%2E") if encoded in {".", ".."} else encoded


def _quiz_reports_path(course_id: int, quiz_id: int) -> str:
    return f"/api/v1/courses/{course_id}/quizzes/{quiz_id}/reports"


def _account_report_path(account_id: int, report_type: str, report_id: int) -> str:
    return f"/api/v1/accounts/{account_id}/reports/{_segment(report_type)}/{report_id}"


def _quiz_report_format(json_api: bool) -> dict[str, Any]:
    """Query and ``Accept`` of the plain form, or of the JSON-API form with file and progress."""
    if json_api:
        return {"params": [("include[]", "file"), ("include[]", "progress")], "accept": JSON_API}
    return {"params": None, "accept": "application/json"}


def _quiz_report_items(data: Any) -> list[Any]:
    """Plain answers are an object or an array; JSON-API wraps both in ``quiz_reports``."""
    if isinstance(data, dict) and "quiz_reports" in data:
        data = data["quiz_reports"]
    if isinstance(data, dict):
        return [data]
    if isinstance(data, list):
        return data
    raise CanvasError("Canvas returned an unexpected quiz report shape.")


def _single_quiz_report(data: Any, quiz_id: int, base_url: str) -> QuizReport:
    items = _quiz_report_items(data)
    if not items:
        raise CanvasError("Canvas returned no quiz report.")
    return _quiz_report(items[0], quiz_id, base_url)


def _quiz_report(item: Any, quiz_id: int, base_url: str) -> QuizReport:
    """One report; the JSON-API form lacks ``quiz_id`` and ``progress_url``: derive them."""
    report = _parse(QuizReport, item)
    changes: dict[str, Any] = {}
    if report.quiz_id is None:
        changes["quiz_id"] = quiz_id
    if report.progress_url is None and report.progress is not None:
        changes["progress_url"] = (
            report.progress.url or f"{base_url}/api/v1/progress/{report.progress.id}"
        )
    return report.model_copy(update=changes) if changes else report
