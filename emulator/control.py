"""Test and demo control interface (``/_emulator/*``): faults, throttle, clock, reset.

Every knob is also a plain Python function (``emulator.faults``, ``emulator.api.throttle``,
``store.clock``, ``emulator.seed``); these routes only translate JSON into those calls so
tests of other programs (the tool, benchmarks, browser tests) can drive them over HTTP.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, Flask, Response, jsonify, request

from emulator import faults, seed
from emulator.api import throttle
from emulator.api.files import storage_hits
from emulator.api.formats import iso
from emulator.state import Emulator, current_emulator

bp = Blueprint("emulator_control", __name__, url_prefix="/_emulator")


def _json() -> dict[str, Any]:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


def _bad(message: str) -> Response:
    response = jsonify({"error": message})
    response.status_code = 400
    return response


def reset(emulator: Emulator, *, full: bool = False) -> None:
    """Reseed the data, clear faults, throttle buckets and storage records.

    ``full`` also forgets registered tools and issued tokens (``seed.reset_all``).
    """
    faults.clear(emulator)
    with emulator.store.lock:
        for part in ("throttle", "account_reports", "course_reports"):
            emulator.parts.pop(part, None)
        storage_hits(emulator).clear()
        for hook in emulator.parts.get("reset_hooks", []):
            hook(emulator)
    (seed.reset_all if full else seed.reset)(emulator)


@bp.post("/faults/routes")
def add_route_fault() -> Response:
    body = _json()
    try:
        fault = faults.add_route_fault(
            current_emulator(), body.get("kind", "error"), str(body["path"]),
            method=body.get("method"), delay=float(body.get("delay", 0.0)),
            status=int(body.get("status", 500)), body=body.get("body"),
            content_type=body.get("content_type", "application/json"),
            count=body.get("count"),
        )
    except (KeyError, ValueError, TypeError) as exc:
        return _bad(str(exc))
    return jsonify({"id": fault.id})


@bp.post("/faults/reports")
def add_report_fault() -> Response:
    body = _json()
    try:
        fault = faults.add_report_fault(
            current_emulator(), str(body["family"]), body.get("action", "fail"),
            key=body.get("key"), count=body.get("count", 1),
        )
    except (KeyError, ValueError) as exc:
        return _bad(str(exc))
    return jsonify({"id": fault.id})


@bp.delete("/faults")
def clear_faults() -> Response:
    faults.clear(current_emulator())
    return jsonify({})


@bp.post("/throttle/drain")
def drain() -> Response:
    body = _json()
    if "token" not in body:
        return _bad("token is required")
    throttle.drain(current_emulator(), str(body["token"]))
    return jsonify({})


@bp.post("/throttle/reject")
def reject_next() -> Response:
    body = _json()
    throttle.force_rejections(current_emulator(), int(body.get("count", 1)))
    return jsonify({})


@bp.post("/clock")
def clock() -> Response:
    """``{"action": "freeze"|"advance"|"unfreeze", "seconds": n, "at": iso}``."""
    body = _json()
    store = current_emulator().store
    action = body.get("action")
    with store.lock:
        if action == "freeze":
            at = body.get("at")
            store.clock.freeze(datetime.fromisoformat(at) if at else None)
        elif action == "advance":
            store.clock.advance(float(body.get("seconds", 0)))
        elif action == "unfreeze":
            store.clock.unfreeze()
        elif action is not None:
            return _bad(f"unknown clock action {action!r}")
        return jsonify({"now": iso(store.now())})


@bp.post("/reset")
def reset_view() -> Response:
    reset(current_emulator(), full=bool(_json().get("full", False)))
    return jsonify({})


@bp.get("/storage_hits")
def list_storage_hits() -> Response:
    hits = storage_hits(current_emulator())
    return jsonify([{"attachment_id": h.attachment_id, "authorization": h.authorization,
                     "host": h.host} for h in hits])


def init_app(app: Flask) -> None:
    """Register the control blueprint and the route-fault hook (first of all hooks)."""
    faults.init_app(app)
    app.register_blueprint(bp)
