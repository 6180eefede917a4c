"""Fault injection: slow, failing or hanging routes, and reports that fail or never finish.

Two registries live in ``emulator.parts["faults"]``:

* route faults, applied by a ``before_request`` hook on every route except ``/_emulator/``:
  ``latency`` (delay, then serve normally), ``error`` (a chosen status and body),
  ``timeout`` (hold the request, then answer 504 — longer than a client's timeout) and
  ``lost`` (serve the request — a POST creates its report — but the client gets a 502, or
  after ``delay`` seconds a 504: the answer to a request that did its work is lost);
* report faults, which report families consult when they create a report:
  ``report_fate(emulator, family, key)`` (``fail``, ``stick`` or None), built on
  ``should_fail(emulator, family, key)`` / ``should_stick(emulator, family, key)``.
  Families: ``account_report``, ``course_report``, ``quiz_report``, ``new_quiz_report``;
  ``key`` is the report type (a rule with ``key=None`` matches every type).

Latency and timeouts use real time (they exist to exercise HTTP clients); held requests are
released early by ``clear``, so a test never waits for a timeout it no longer needs.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Literal

from flask import Flask, Response, g, request

from emulator.state import Emulator, current_emulator

RouteFaultKind = Literal["latency", "error", "timeout", "lost"]
ROUTE_FAULT_KINDS = ("latency", "error", "timeout", "lost")
ReportAction = Literal["fail", "stick"]
FAMILIES = ("account_report", "course_report", "quiz_report", "new_quiz_report")
CONTROL_PREFIX = "/_emulator/"


@dataclass
class RouteFault:
    id: int
    kind: RouteFaultKind
    path: re.Pattern[str]
    method: str | None = None  # None: any method
    delay: float = 0.0  # seconds (latency, timeout)
    status: int = 500
    body: str = '{"errors":[{"message":"An error occurred."}]}'
    content_type: str = "application/json"
    remaining: int | None = None  # None: every matching request
    hits: int = 0


@dataclass
class ReportFault:
    id: int
    family: str
    key: str | None
    action: ReportAction
    remaining: int | None = 1


@dataclass
class FaultState:
    routes: list[RouteFault] = field(default_factory=list)
    reports: list[ReportFault] = field(default_factory=list)
    next_id: int = 1
    release: threading.Event = field(default_factory=threading.Event)
    error_report_id: int = 40000


def state(emulator: Emulator) -> FaultState:
    current: FaultState = emulator.parts.setdefault("faults", FaultState())
    return current


def add_route_fault(emulator: Emulator, kind: RouteFaultKind, path: str, *,
                    method: str | None = None, delay: float = 0.0, status: int = 500,
                    body: str | None = None, content_type: str = "application/json",
                    count: int | None = None) -> RouteFault:
    """Make requests whose path matches the regex ``path`` slow, fail or hang.

    ``count`` limits how many requests are affected (None: all until cleared).
    """
    if kind not in ROUTE_FAULT_KINDS:
        raise ValueError(f"unknown route fault kind {kind!r}")
    with emulator.store.lock:
        faults = state(emulator)
        fault = RouteFault(faults.next_id, kind, re.compile(path),
                           method.upper() if method else None, delay, status,
                           body if body is not None else RouteFault.body, content_type, count)
        faults.next_id += 1
        faults.routes.append(fault)
        return fault


def add_report_fault(emulator: Emulator, family: str, action: ReportAction, *,
                     key: str | None = None, count: int | None = 1) -> ReportFault:
    """Make the next ``count`` reports of ``family`` (and type ``key``) fail or stick."""
    if family not in FAMILIES:
        raise ValueError(f"unknown report family {family!r}")
    if action not in ("fail", "stick"):
        raise ValueError(f"unknown report fault action {action!r}")
    with emulator.store.lock:
        faults = state(emulator)
        fault = ReportFault(faults.next_id, family, key, action, count)
        faults.next_id += 1
        faults.reports.append(fault)
        return fault


def _consume_report_fault(emulator: Emulator, family: str, key: str | None,
                          action: ReportAction) -> bool:
    with emulator.store.lock:
        faults = state(emulator)
        for fault in faults.reports:
            if (fault.family == family and fault.action == action
                    and (fault.key is None or fault.key == key)
                    and (fault.remaining is None or fault.remaining > 0)):
                if fault.remaining is not None:
                    fault.remaining -= 1
                return True
        return False


def should_fail(emulator: Emulator, family: str, key: str | None = None) -> bool:
    """Whether the report being created now must end in ``error`` (consumes one use)."""
    return _consume_report_fault(emulator, family, key, "fail")


def should_stick(emulator: Emulator, family: str, key: str | None = None) -> bool:
    """Whether the report being created now must stay ``running`` forever (consumes one use)."""
    return _consume_report_fault(emulator, family, key, "stick")


def report_fate(emulator: Emulator, family: str, key: str | None = None) -> ReportAction | None:
    """What must happen to the report being created now: ``fail``, ``stick`` or None.

    A report family asks once, at creation; a matching ``fail`` rule wins over ``stick``.
    """
    if should_fail(emulator, family, key):
        return "fail"
    if should_stick(emulator, family, key):
        return "stick"
    return None


def next_error_report_id(emulator: Emulator) -> int:
    """An ``ErrorReport`` id for Canvas's failure messages."""
    with emulator.store.lock:
        faults = state(emulator)
        faults.error_report_id += 1
        return faults.error_report_id


def clear(emulator: Emulator) -> None:
    """Remove every fault and release requests held by ``timeout``/``latency`` faults."""
    with emulator.store.lock:
        faults = state(emulator)
        faults.routes.clear()
        faults.reports.clear()
        faults.release.set()
        faults.release = threading.Event()


def _match(emulator: Emulator, method: str, path: str) -> RouteFault | None:
    with emulator.store.lock:
        for fault in state(emulator).routes:
            if fault.method not in (None, method):
                continue
            if not fault.path.search(path):
                continue
            if fault.remaining is not None:
                if fault.remaining <= 0:
                    continue
                fault.remaining -= 1
            fault.hits += 1
            return fault
        return None


def apply_route_faults() -> Response | None:
    """``before_request``: the first matching route fault decides what happens."""
    if request.path.startswith(CONTROL_PREFIX):
        return None
    emulator = current_emulator()
    fault = _match(emulator, request.method, request.path)
    if fault is None:
        return None
    release = state(emulator).release
    if fault.kind == "latency":
        release.wait(fault.delay)
        return None
    if fault.kind == "timeout":
        release.wait(fault.delay)
        return Response("504 Gateway Timeout", status=504, mimetype="text/plain")
    if fault.kind == "lost":
        g.emulator_lost_fault = fault  # served normally; ``lose_answer`` drops the answer
        return None
    return Response(fault.body, status=fault.status, mimetype=fault.content_type)


def lose_answer(response: Response) -> Response:
    """``after_request``: a ``lost`` fault's request did its work; the client never hears of
    it (502 at once, or 504 after holding ``delay`` seconds like a gateway timeout)."""
    fault: RouteFault | None = g.pop("emulator_lost_fault", None)
    if fault is None:
        return response
    if fault.delay > 0:
        state(current_emulator()).release.wait(fault.delay)
        return Response("504 Gateway Timeout", status=504, mimetype="text/plain")
    return Response("502 Bad Gateway", status=502, mimetype="text/plain")


def init_app(app: Flask) -> None:
    """Install the route-fault hooks (registered before every other part's hooks)."""
    app.before_request(apply_route_faults)
    app.after_request(lose_answer)
