"""Progress records and the Progress API (reports-api.md §5).

``progress_json`` is shared with the quiz-report blueprints, which own their progresses'
transitions (records come from ``emulator.store.create_progress``); this module only serves and
cancels them.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from emulator.api.auth import (
    authorize,
    can_read_report_context,
    can_read_statistics,
    require_user,
)
from emulator.api.errors import not_found
from emulator.api.formats import iso
from emulator.state import Emulator, current_emulator
from emulator.store import Progress, Store, User

PENDING_STATES = frozenset({"queued", "running", "waiting_for_external_tool"})

bp = Blueprint("emulator_progress", __name__)


def progress_url(emulator: Emulator, progress_id: int) -> str:
    return f"{emulator.base_url}/api/v1/progress/{progress_id}"


def progress_json(emulator: Emulator, progress: Progress, *,
                  include_results: bool = True) -> dict[str, Any]:
    """``progress_json``; ``results`` only once finished and non-nil.

    ``include_results=False`` gives the ``ProgressSerializer`` shape embedded in JSON-API
    quiz reports (never any ``results``).
    """
    body: dict[str, Any] = {
        "id": progress.id,
        "context_id": progress.context_id,
        "context_type": progress.context_type,
        "user_id": progress.user_id,
        "tag": progress.tag,
        "completion": progress.completion,
        "workflow_state": progress.workflow_state,
        "created_at": iso(progress.created_at),
        "updated_at": iso(progress.updated_at),
        "message": progress.message,
        "url": progress_url(emulator, progress.id),
    }
    if (include_results and progress.workflow_state not in PENDING_STATES
            and progress.results is not None):
        body["results"] = progress.results
    return body


def can_read_progress(store: Store, user: User, progress: Progress) -> bool:
    """``:read`` on the progress's context."""
    if progress.user_id is not None and progress.user_id == user.id:
        return True
    if progress.context_type == "Course":
        return can_read_statistics(store, user, progress.context_id)
    return can_read_report_context(store, user, progress.context_type, progress.context_id)


def refresh_hooks(emulator: Emulator) -> list[Any]:
    """Callables ``hook(emulator, progress)`` that advance a progress lazily before it is read.

    Report families that drive a Progress by the clock register one here
    (``emulator.parts["progress_refreshers"]``).
    """
    hooks: list[Any] = emulator.parts.setdefault("progress_refreshers", [])
    return hooks


def _load(progress_id: int) -> tuple[Emulator, Progress]:
    emulator = current_emulator()
    user = require_user()
    store = emulator.store
    progress = store.progresses.get(progress_id)
    if progress is None:
        raise not_found()
    for hook in refresh_hooks(emulator):
        hook(emulator, progress)
    authorize(can_read_progress(store, user, progress))
    return emulator, progress


@bp.get("/api/v1/progress/<int:progress_id>")
def show(progress_id: int) -> Response:
    emulator, progress = _load(progress_id)
    with emulator.store.lock:
        return jsonify(progress_json(emulator, progress))


@bp.post("/api/v1/progress/<int:progress_id>/cancel")
def cancel(progress_id: int) -> Response:
    """Only the progress's own user may cancel; it becomes ``failed`` with the message."""
    emulator, progress = _load(progress_id)
    user = require_user()
    authorize(progress.user_id is not None and progress.user_id == user.id)
    store = emulator.store
    payload = request.get_json(silent=True) or {}
    message = request.values.get("message") or payload.get("message")
    with store.lock:
        progress.workflow_state = "failed"
        progress.message = message
        progress.updated_at = store.now()
        return jsonify(progress_json(emulator, progress))
