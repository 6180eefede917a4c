"""Canvas is the judge: may this viewer see (or act on) a tracked job's Canvas object now?

The launch decides *where* a viewer is (platform, account or course: ``app.reports.access``);
Canvas decides *what* they may see there. Before the tool streams a file, renders insights,
builds a zip, acts on a job, or shows another user's job with its file name and size, it asks
Canvas with the viewer's own token for the very object the job tracks:

==========  ===================================================  ==============================
family      object (single reads and actions)                    listing another user's job
==========  ===================================================  ==============================
account     ``GET /accounts/:a/reports/:type/:id``               ``GET /accounts/:a/reports``
course      ``GET /courses/:c/reports/:type/:id``                never: Canvas shows a course
                                                                 report to its creator only
quiz        ``GET /courses/:c/quizzes/:q/reports/:id``           ``GET .../quizzes/:q/reports``
new_quiz    ``GET /progress/:id``                                the same Progress
==========  ===================================================  ==============================

The listing probes ask Canvas the permission its own index checks (``read_reports`` on the
account, ``read_statistics`` on the quiz), so one answer covers every job of that scope.

A positive answer is remembered per (platform, viewer, object) for at most ``MAX_TTL``
seconds in this process; 401/403/404 denies at once and drops what was remembered. No
stored token (or a revoked one) raises ``CanvasAuthorizationRequired``: the page offers
"Authorize" and serves nothing. Other Canvas trouble (5xx, throttling) propagates: the tool
serves nothing it could not confirm.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import NamedTuple, NoReturn

from cachetools import TTLCache
from flask import Flask, current_app
from sqlalchemy.orm import Session

from app.canvas.client import CanvasClient
from app.canvas.errors import (
    CanvasAuthorizationRequired,
    CanvasError,
    CanvasNotFound,
    CanvasNotPermitted,
)
from app.errors import ToolError
from app.i18n import N_
from app.models.job import Job
from app.models.launch import Launch
from app.reports import audit
from app.reports.kinds import Family

log = logging.getLogger(__name__)

MAX_TTL = 60.0
"""Longest time a positive answer from Canvas is trusted (seconds)."""
DEFAULT_MAXSIZE = 8192
EXTENSION = "reports_rights_cache"

DENIED_TEXT = N_(
    "Canvas does not allow you to see this report. Only people whose Canvas role lets them "
    "see it there can open it here; ask the person who started it or a Canvas administrator."
)
DENIED_ACTION_TEXT = N_(
    "Canvas does not allow you to change this report. Only people whose Canvas role lets "
    "them manage it there can abort, delete or retry it here."
)


class CanvasDenied(ToolError):
    """Canvas refused this viewer the object (401/403/404 with their own token)."""

    status = 403
    code = "canvas_denied"


class ObjectKey(NamedTuple):
    """What was asked about: ``kind`` plus its Canvas ids (and report type where needed)."""

    kind: str
    ids: tuple[int | str, ...]


class RightsKey(NamedTuple):
    platform_id: int
    viewer_id: int
    key: ObjectKey


class RightsCache:
    """Thread-safe remembered "yes" answers; a "no" is never remembered, only forgotten."""

    def __init__(
        self, *, timer: Callable[[], float], ttl: float = MAX_TTL, maxsize: int = DEFAULT_MAXSIZE
    ) -> None:
        if ttl > MAX_TTL:
            raise ValueError(f"rights may be cached for at most {MAX_TTL:g} s")
        self._entries: TTLCache[RightsKey, bool] = TTLCache(maxsize=maxsize, ttl=ttl, timer=timer)
        self._lock = threading.Lock()

    def allowed(self, key: RightsKey) -> bool:
        with self._lock:
            return self._entries.get(key, False)

    def grant(self, key: RightsKey) -> None:
        with self._lock:
            self._entries[key] = True

    def drop(self, key: RightsKey) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)


def init_app(app: Flask) -> None:
    """Give ``app`` its rights cache, on the app's clock (tests replace the clock)."""

    def timer() -> float:
        return float(app.extensions["clock"]().timestamp())

    app.extensions.setdefault(EXTENSION, RightsCache(timer=timer))


def current_rights_cache() -> RightsCache:
    cache: RightsCache = current_app.extensions[EXTENSION]
    return cache


def object_key(job: Job) -> ObjectKey | None:
    """The Canvas object ``job`` tracks, or None while Canvas has not named it yet."""
    family = Family(job.family)
    account, course, report = job.canvas_account_id, job.canvas_course_id, job.canvas_report_id
    if family is Family.ACCOUNT and account is not None and report is not None:
        return ObjectKey("account_report", (account, job.report_type, report))
    if family is Family.COURSE and course is not None and report is not None:
        return ObjectKey("course_report", (course, job.report_type, report))
    quiz = job.canvas_quiz_id
    if family is Family.QUIZ and course is not None and quiz is not None and report is not None:
        return ObjectKey("quiz_report", (course, quiz, report))
    if family is Family.NEW_QUIZ and job.canvas_progress_id is not None:
        return ObjectKey("progress", (job.canvas_progress_id,))
    return None


def listing_key(job: Job) -> ObjectKey | None:
    """What to ask Canvas before listing another user's ``job`` (None: never list it)."""
    family = Family(job.family)
    if family is Family.ACCOUNT and job.canvas_account_id is not None:
        return ObjectKey("account_reports", (job.canvas_account_id,))
    course, quiz = job.canvas_course_id, job.canvas_quiz_id
    if family is Family.QUIZ and course is not None and quiz is not None:
        return ObjectKey("quiz_reports", (course, quiz))
    if family is Family.NEW_QUIZ:
        return object_key(job)
    return None  # course reports: Canvas shows them to their creator only


def _ask(client: CanvasClient, key: ObjectKey) -> None:
    """One Canvas call as the viewer; returns when Canvas lets them read ``key``.

    Raises:
        CanvasError: Canvas's refusal (or trouble), typed.
    """
    ids = key.ids
    if key.kind == "account_report":
        client.get_account_report(int(ids[0]), str(ids[1]), int(ids[2]))
    elif key.kind == "course_report":
        client.get_course_report(int(ids[0]), str(ids[1]), int(ids[2]))
    elif key.kind == "quiz_report":
        client.get_quiz_report(int(ids[0]), int(ids[1]), int(ids[2]))
    elif key.kind == "progress":
        client.get_progress(int(ids[0]))
    elif key.kind == "account_reports":
        client.list_available_reports(int(ids[0]))
    elif key.kind == "quiz_reports":
        client.list_quiz_reports(int(ids[0]), int(ids[1]))
    else:  # pragma: no cover - keys come from object_key/listing_key only
        raise ValueError(f"unknown Canvas object kind {key.kind!r}")


class Judge:
    """Answers for one viewer (the launch's user) in one request, asking Canvas lazily.

    ``client_for`` builds the viewer's client only when a question needs Canvas, so a page
    that lists only the viewer's own jobs costs Canvas nothing.
    """

    def __init__(
        self,
        session: Session,
        launch: Launch,
        client_for: Callable[[], CanvasClient],
        cache: RightsCache,
        now: datetime,
    ) -> None:
        self._session = session
        self._launch = launch
        self._client_for = client_for
        self._client: CanvasClient | None = None
        self._cache = cache
        self._now = now

    @property
    def launch(self) -> Launch:
        return self._launch

    @property
    def viewer_id(self) -> int | None:
        return self._launch.canvas_user_id

    @property
    def session(self) -> Session:
        return self._session

    @property
    def now(self) -> datetime:
        return self._now

    def owns(self, job: Job) -> bool:
        return self.viewer_id is not None and job.canvas_user_id == self.viewer_id

    def client(self) -> CanvasClient:
        """The viewer's client (built once).

        Raises:
            CanvasAuthorizationRequired: no usable token.
        """
        if self._client is None:
            self._client = self._client_for()
        return self._client

    # ------------------------------------------------------------ single objects

    def require_view(self, job: Job, *, fresh: bool = False) -> None:
        """Canvas lets the viewer read the job's object now (own jobs included).

        ``fresh`` asks Canvas even when a "yes" is remembered: reads that serve report data
        (files, insights, zips) do, so a revoked token or a lost role serves nothing, while
        pages that show only a job's row may use the remembered answer.

        Raises:
            CanvasDenied: Canvas said no (recorded in the audit trail);
            CanvasAuthorizationRequired: no usable token; CanvasError: Canvas trouble.
        """
        key = object_key(job)
        if key is None:
            # Canvas has not named the object yet ("starting"): nothing to serve but the row,
            # which only its starter sees.
            if self.owns(job):
                return
            self._deny(job, DENIED_TEXT)
        else:
            self._confirm(job, key, DENIED_TEXT, fresh=fresh)

    def require_manage(self, job: Job) -> None:
        """The viewer may act on ``job``: its starter (Canvas then judges each call made with
        the starter's own token), or someone Canvas lets read the object.

        Raises:
            CanvasDenied, CanvasAuthorizationRequired, CanvasError: as ``require_view``.
        """
        if self.owns(job):
            return
        key = object_key(job)
        if key is None:
            self._deny(job, DENIED_ACTION_TEXT)
        else:
            self._confirm(job, key, DENIED_ACTION_TEXT)

    # ------------------------------------------------------------ lists

    def may_list(self, job: Job) -> bool:
        """Whether a list may show ``job`` with its file name and size.

        The viewer's own jobs always; another user's only when Canvas confirms (no token,
        a refusal or Canvas trouble hide it: a list never fails for someone else's job).
        """
        if self.owns(job):
            return True
        key = listing_key(job)
        if key is None or self.viewer_id is None:
            return False
        rights = RightsKey(self._launch.platform_id, self.viewer_id, key)
        if self._cache.allowed(rights):
            return True
        try:
            _ask(self.client(), key)
        except (CanvasNotPermitted, CanvasNotFound):
            self._cache.drop(rights)
            return False
        except CanvasError:  # no token, throttled, down: hide, ask again next time
            return False
        self._cache.grant(rights)
        return True

    def visible(self, jobs: Iterable[Job]) -> list[Job]:
        """``jobs`` filtered by ``may_list`` (each Canvas question asked once per request)."""
        return [job for job in jobs if self.may_list(job)]

    # ------------------------------------------------------------ internals

    def _confirm(self, job: Job, key: ObjectKey, text: str, *, fresh: bool = False) -> None:
        if self.viewer_id is None:
            raise CanvasAuthorizationRequired(
                N_("Canvas did not tell the tool who you are (no Canvas user id in the launch).")
            )
        rights = RightsKey(self._launch.platform_id, self.viewer_id, key)
        if not fresh and self._cache.allowed(rights):
            return
        try:
            _ask(self.client(), key)
        except (CanvasNotPermitted, CanvasNotFound) as exc:
            self._cache.drop(rights)
            self._deny(job, text, canvas_status=exc.canvas_status)
        self._cache.grant(rights)

    def _deny(self, job: Job, text: str, *, canvas_status: int | None = None) -> NoReturn:
        refuse(
            self._session,
            self._launch,
            self._now,
            text,
            job=job,
            detail=f"Canvas refused ({canvas_status})" if canvas_status else "no Canvas object",
        )


def refuse(
    session: Session,
    launch: Launch,
    now: datetime,
    text: str = DENIED_TEXT,
    *,
    job: Job | None = None,
    detail: str,
) -> NoReturn:
    """Record a refusal in the audit trail (its own commit: the request fails next), raise it.

    Raises:
        CanvasDenied: always, with ``text``.
    """
    audit.record(session, launch, audit.Action.DENIED, now, job=job, detail=detail)
    session.commit()
    log.info(
        "rights.denied",
        extra={"job_id": job.id if job else None, "family": job.family if job else None},
    )
    raise CanvasDenied(text)


def readable_accounts(client: CanvasClient, account_id: int) -> list[int]:
    """``account_id`` and every sub-account Canvas lists for the viewer, if Canvas lets the
    viewer read the account's reports (``GET /accounts/:id/reports``); else ``[]``.

    What an admin may see across accounts: schedules, the audit export.
    """
    try:
        client.list_available_reports(account_id)
    except CanvasNotPermitted:
        return []
    return [account_id, *(a.id for a in client.list_sub_accounts(account_id, recursive=True))]
