"""Account Reports API (reports-api.md §1): the six endpoints and the Report JSON.

Check order follows ``account_reports_controller.rb``: a user is required, the account must
exist (404), ``read_reports`` on it (401/403), then the report type (404 on create), then
``enrollment_term_id`` (400). There is no duplicate check: every POST makes a new report.
"""

from __future__ import annotations

import html
import re
from typing import Any

from flask import Blueprint, Response, jsonify, request

from emulator.api.auth import authorize, can_read_reports_on_account, require_user
from emulator.api.errors import bad_request, not_found
from emulator.api.files import file_json
from emulator.api.formats import iso
from emulator.api.lookup import api_find
from emulator.api.pagination import paginate
from emulator.reports import account_lifecycle
from emulator.reports.account_catalogue import BY_TYPE, CATALOGUE, ReportType
from emulator.reports.account_csv import resolve_term_ids
from emulator.state import Emulator, current_emulator
from emulator.store import Account, AccountReport, Store, User

bp = Blueprint("emulator_account_reports", __name__)
FORM_PARAMETER = re.compile(r"\Aparameters\[([^\]]+)\](\[\])?\Z")
PREFIX = "/api/v1/accounts/<account_ref>/reports"


def find_account(store: Store, ref: str) -> Account:
    """``api_find(Account.active, id)``: numeric ids and ``sis_account_id:`` forms."""
    return api_find(store.accounts, ref, "sis_account_id")


def user_json(user: User) -> dict[str, Any]:
    """The report's ``user`` (docs: "See the Users API"; shape not confirmed from source)."""
    return {"id": user.id, "name": user.name, "created_at": None,
            "sortable_name": user.sortable_name, "short_name": user.short_name,
            "sis_user_id": user.sis_user_id, "login_id": user.login_id}


def run_time(emulator: Emulator, report: AccountReport) -> float:
    """Seconds waiting (created), running so far, or taken to finish."""
    now = emulator.store.now()
    if report.start_at is None:
        return round((now - report.created_at).total_seconds(), 3)
    end = report.end_at or now
    return round((end - report.start_at).total_seconds(), 3)


def report_json(emulator: Emulator, report: AccountReport) -> dict[str, Any]:
    """``account_report_json`` (+ ``run_time`` and ``user`` from the current docs)."""
    attachment = emulator.store.attachments.get(report.attachment_id or 0)
    body: dict[str, Any] = {
        "id": report.id,
        "progress": report.progress,
        "parameters": report.parameters,
        "current_line": report.current_line,
        "status": report.workflow_state,
        "report": report.report_type,
        "created_at": iso(report.created_at),
        "started_at": iso(report.start_at),
        "ended_at": iso(report.end_at),
        "file_url": (f"{emulator.base_url}/accounts/{report.account_id}/files/"
                     f"{attachment.id}/download" if attachment else None),
        "run_time": run_time(emulator, report),
    }
    if attachment is not None:
        body["attachment"] = file_json(emulator, attachment)
    user = emulator.store.users.get(report.user_id)
    body["user"] = user_json(user) if user else None
    return body


def _context(account_ref: str) -> tuple[Emulator, Account, User]:
    emulator = current_emulator()
    user = require_user()
    account = find_account(emulator.store, account_ref)
    authorize(can_read_reports_on_account(emulator.store, user, account.id))
    return emulator, account, user


def _parameters() -> dict[str, Any]:
    """``params[:parameters]`` from a JSON body or ``parameters[x]`` form/query fields."""
    body = request.get_json(silent=True)
    if isinstance(body, dict) and isinstance(body.get("parameters"), dict):
        return dict(body["parameters"])
    found: dict[str, Any] = {}
    for key in list(request.form.keys()) + list(request.args.keys()):
        match = FORM_PARAMETER.match(key)
        if not match:
            continue
        source = request.form if key in request.form else request.args
        found[match.group(1)] = source.getlist(key) if match.group(2) else source.get(key)
    return found


def _validate_term(store: Store, parameters: dict[str, Any]) -> None:
    for name in ("enrollment_term_id", "enrollment_term"):
        value = parameters.get(name)
        if value in (None, ""):
            continue
        text = str(value)
        if text == "active_terms":
            continue
        if resolve_term_ids(store, text) is None:
            raise bad_request({"error": f"invalid enrollment_term_id '{text}'"})


def _active(store: Store, account_id: int, report_type: str) -> list[AccountReport]:
    return sorted(
        (r for r in store.account_reports.values()
         if r.account_id == account_id and r.report_type == report_type
         and r.workflow_state != "deleted"),
        key=lambda r: (r.created_at, r.id), reverse=True,
    )


def _find(store: Store, account_id: int, report_type: str, report_id: int) -> AccountReport:
    report = store.account_reports.get(report_id)
    if (report is None or report.account_id != account_id or report.report_type != report_type
            or report.workflow_state == "deleted"):
        raise not_found()
    return report


def _advance_one(emulator: Emulator, report_id: int) -> None:
    report = emulator.store.account_reports.get(report_id)
    if report is not None:
        account_lifecycle.advance(emulator, report)


@bp.get(PREFIX)
def available_reports(account_ref: str) -> Response:
    emulator, account, _user = _context(account_ref)
    includes = set(request.args.getlist("include[]") + request.args.getlist("include"))
    store = emulator.store
    with store.lock:
        account_lifecycle.advance_all(emulator)
        entries = []
        for kind in sorted(CATALOGUE, key=lambda r: r.title):
            runs = _active(store, account.id, kind.report)
            entry: dict[str, Any] = {
                "title": kind.title,
                "parameters": kind.parameters_json(),
                "report": kind.report,
                "last_run": report_json(emulator, runs[0]) if runs else None,
            }
            if "description_html" in includes:
                entry["description_html"] = _description_html(kind)
            if "parameters_html" in includes:
                entry["parameters_html"] = _parameters_html(kind)
            entries.append(entry)
    return jsonify(entries)


def _description_html(kind: ReportType) -> str:
    return (f"<p>{html.escape(kind.title)} report: generated from the account's data; "
            f"the file is attached to the account when the report completes.</p>")


def _parameters_html(kind: ReportType) -> str:
    fields = "".join(
        f'<label><input type="checkbox" name="parameters[{name}]"> '
        f"{html.escape(description)}</label>"
        for name, (_required, description) in (kind.parameters or {}).items()
    )
    return (f'<form id="{kind.report}_form" class="run_report_form" '
            f'action="/accounts/reports/{kind.report}">{fields}</form>')


@bp.post(f"{PREFIX}/<report_type>")
def create(account_ref: str, report_type: str) -> Response:
    emulator, account, user = _context(account_ref)
    store = emulator.store
    if report_type not in BY_TYPE:
        raise not_found()
    parameters = _parameters()
    _validate_term(store, parameters)
    with store.lock:
        report = AccountReport(
            id=store.next_id("account_report"), account_id=account.id, report_type=report_type,
            user_id=user.id, parameters=parameters, workflow_state="created", progress=0,
            created_at=store.now(),
        )
        store.account_reports[report.id] = report
        body = report_json(emulator, report)
    account_lifecycle.register(emulator, report)
    return jsonify(body)


@bp.get(f"{PREFIX}/<report_type>")
def index(account_ref: str, report_type: str) -> Response:
    emulator, account, _user = _context(account_ref)
    with emulator.store.lock:
        account_lifecycle.advance_all(emulator)
        reports = _active(emulator.store, account.id, report_type)
        return paginate(reports, lambda r: report_json(emulator, r))


@bp.get(f"{PREFIX}/<report_type>/<int:report_id>")
def show(account_ref: str, report_type: str, report_id: int) -> Response:
    emulator, account, _user = _context(account_ref)
    with emulator.store.lock:
        _advance_one(emulator, report_id)  # first: a deleted running report may be revived
        return jsonify(report_json(emulator, _find(emulator.store, account.id, report_type,
                                                   report_id)))


@bp.delete(f"{PREFIX}/<report_type>/<int:report_id>")
def destroy(account_ref: str, report_type: str, report_id: int) -> Response:
    emulator, account, _user = _context(account_ref)
    with emulator.store.lock:
        _advance_one(emulator, report_id)
        report = _find(emulator.store, account.id, report_type, report_id)
        report.workflow_state = "deleted"
        return jsonify(report_json(emulator, report))


@bp.put(f"{PREFIX}/<report_type>/<int:report_id>/abort")
def abort(account_ref: str, report_type: str, report_id: int) -> Response:
    emulator, account, _user = _context(account_ref)
    with emulator.store.lock:
        _advance_one(emulator, report_id)
        report = _find(emulator.store, account.id, report_type, report_id)
        if report.workflow_state != "running":
            raise not_found()
        account_lifecycle.abort(emulator, report)
        return jsonify(report_json(emulator, report))

