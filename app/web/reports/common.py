"""The reports blueprint and what its views share: the viewer's client and judge,
committing and scheduling, the way back, streaming a file."""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable, Iterable
from typing import ParamSpec, TypeVar
from urllib.parse import quote

from flask import (
    Blueprint,
    Response,
    current_app,
    g,
    jsonify,
    redirect,
    request,
    stream_with_context,
)
from flask.typing import ResponseReturnValue

from app.canvas.factory import CanvasClient, canvas_client_for_launch
from app.db import request_session
from app.extensions import current_now
from app.models.job import Job
from app.models.launch import Launch
from app.reports import (
    actions,
    canvas_cache,
    files,
    rights,
    service,
    worker,
)
from app.web.auth import current_launch, current_token
from app.web.reports.presenters import job_json

bp = Blueprint("reports", __name__)

# A start request checks the report type against the user's cached catalogue; on a miss it
# asks Canvas once and waits at most this long (the start itself runs in the worker).
START_CHECK_SECONDS = 0.2

P = ParamSpec("P")
R = TypeVar("R")

_ACTIONS: dict[str, Callable[..., Job]] = {
    "abort": actions.abort_job,
    "delete": actions.delete_job,
    "retry": actions.retry_job,
}


def _client(launch: Launch | None = None) -> CanvasClient:
    return canvas_client_for_launch(request_session(), launch or current_launch())


def current_judge() -> rights.Judge:
    """This request's judge of what Canvas lets the viewer see (one per request)."""
    judge: rights.Judge | None = g.get("rights_judge")
    if judge is None:
        launch = current_launch()
        judge = rights.Judge(
            request_session(),
            launch,
            lambda: _client(launch),
            rights.current_rights_cache(),
            current_now(),
        )
        g.rights_judge = judge
    return judge


def _changes_canvas(view: Callable[P, R]) -> Callable[P, R]:
    """Decorator for views that start, abort, delete or retry a report: afterwards (also
    after a failure, which may have reached Canvas) the user's cached Canvas answers for
    the launch's context are dropped, so their next overview asks Canvas again.

    The launch's ids are read before the view runs: afterwards its session may be
    committed (expired rows) or failed, and dropping entries must not touch the database.
    """

    @functools.wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        launch = current_launch()
        platform_id, user_id = launch.platform_id, launch.canvas_user_id
        contexts: list[tuple[canvas_cache.ContextKind, int | None]] = [
            ("account", launch.canvas_account_id),
            ("course", launch.canvas_course_id),
        ]
        try:
            return view(*args, **kwargs)
        finally:
            if user_id is not None:
                cache = canvas_cache.current_cache()
                for kind, context_id in contexts:
                    if context_id is not None:
                        cache.invalidate(platform_id, user_id, kind, context_id)

    return wrapper


def _committed(jobs: Iterable[Job]) -> list[Job]:
    """Commit, then schedule the worker (tasks only see committed rows)."""
    request_session().commit()
    rows = list(jobs)
    worker.schedule_polls(current_app._get_current_object(), rows)  # type: ignore[attr-defined]
    return rows


def _back(default: str, target: str | None, notice: str = "") -> ResponseReturnValue:
    """Redirect to ``target`` (a ``next`` already checked by ``inputs.return_target``, before
    anything changed), else ``default``; with the request's verified launch token (and
    ``notice=...`` for the target page when given)."""
    if target is None:
        return redirect(default, 303)
    separator = "&" if "?" in target else "?"
    extra = f"&notice={notice}" if notice else ""
    return redirect(f"{target}{separator}lt={quote(current_token(), safe='')}{extra}", 303)


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _form_values() -> dict[str, str]:
    """The submitted fields, repeated ones (checkbox groups) joined with commas."""
    return {name: ",".join(v for v in values if v) for name, values in request.form.lists()}


def _started(started: service.Started, page: str) -> ResponseReturnValue:
    """Commit, wake the worker for the starting jobs, answer at once: 303 to ``page``, or
    202 with the jobs for ``fetch`` (``Accept: application/json``)."""
    rows = _committed(started.jobs)
    if request.accept_mimetypes.best == "application/json":
        return jsonify(jobs=[job_json(row) for row in rows], reused=started.reused), 202
    return redirect(page, 303)


def content_disposition(name: str) -> str:
    """``attachment`` with an ASCII fallback and the exact UTF-8 name (RFC 6266 / 5987).

    Quiz titles are often not ASCII ("Café Quiz Report.csv"); HTTP headers are latin-1.
    """
    cleaned = "".join(ch for ch in name if ch not in '"\\\r\n' and ord(ch) >= 0x20)
    ascii_name = (
        unicodedata.normalize("NFKD", cleaned).encode("ascii", "ignore").decode() or "report"
    )
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(cleaned, safe='')}"


def _stream(opened: files.JobFile) -> Response:
    response = Response(stream_with_context(opened.chunks), mimetype=opened.content_type)
    response.headers["Content-Disposition"] = content_disposition(opened.name)
    if opened.size is not None:
        response.headers["Content-Length"] = str(opened.size)
    response.headers["Cache-Control"] = "private, no-store"
    return response
