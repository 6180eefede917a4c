"""The account report state machine, driven by the store clock (reports-api.md §1.4).

A report's state is a function of how much emulator time has passed since it was created
(``settings.report_seconds`` = D): ``created`` for the first 10 % of D, then ``running``
(``started_at`` set, ``parameters`` gain ``locale`` and ``extra_text``, ``progress`` and
``current_line`` grow), then for parallel reports ``compiling`` from 80 %, and at D
``complete`` with its file (or ``error``). ``advance`` applies every transition that is due;
API reads call it lazily and a small ticker thread calls it so reports also finish with
nobody polling. Fault rules (``emulator.faults``) can make a report fail or stick at running.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from emulator import faults
from emulator.reports import account_csv, ticker
from emulator.reports.account_catalogue import BY_TYPE, titleize
from emulator.state import Emulator
from emulator.store import AccountReport, Attachment, create_attachment

START_FRACTION = 0.1
COMPILE_FRACTION = 0.8
STUCK_PROGRESS = 42
NO_FILE_TEXT = "Failed, the report failed to generate a file. Please try again."
ABORTED_TEXT = "Report has been aborted"


@dataclass
class Pending:
    """Generation state the record itself has no columns for."""

    fate: str | None = None  # "fail" | "stick" | None
    output: account_csv.Output | None = None
    deleted_while_running: bool = False
    aborted: bool = False


@dataclass
class LifecycleState:
    pending: dict[int, Pending] = field(default_factory=dict)


def state(emulator: Emulator) -> LifecycleState:
    current: LifecycleState = emulator.parts.setdefault("account_reports", LifecycleState())
    return current


def register(emulator: Emulator, report: AccountReport) -> None:
    """Track a new report (decides its fault fate now) and make sure the ticker runs."""
    fate = faults.report_fate(emulator, "account_report", report.report_type)
    with emulator.store.lock:
        state(emulator).pending[report.id] = Pending(fate=fate)
    ticker.register_family(emulator, "account_report", advance_all)


def _moment(report: AccountReport, duration: float, fraction: float) -> datetime:
    return report.created_at + timedelta(seconds=duration * fraction)


def advance(emulator: Emulator, report: AccountReport) -> None:
    """Apply every transition of ``report`` that is due at the store's current time."""
    store = emulator.store
    with store.lock:
        pending = state(emulator).pending.get(report.id)
        if pending is None:
            return
        now = store.now()
        duration = max(emulator.settings.report_seconds, 0.001)
        started = _moment(report, duration, START_FRACTION)
        if report.workflow_state == "created" and now >= started:
            _start(emulator, report, pending, started)
        if report.workflow_state == "deleted" and not pending.deleted_while_running:
            if report.start_at is None:
                state(emulator).pending.pop(report.id, None)  # never started: stays deleted
                return
            pending.deleted_while_running = True
        if report.start_at is None:
            return
        if pending.fate == "stick":
            report.progress = min(report.progress or STUCK_PROGRESS, STUCK_PROGRESS)
            return
        _progress(report, pending, now, duration)
        if now >= _moment(report, duration, 1.0):
            _finish(emulator, report, pending, _moment(report, duration, 1.0))
            state(emulator).pending.pop(report.id, None)


def _start(emulator: Emulator, report: AccountReport, pending: Pending, at: datetime) -> None:
    user = emulator.store.users.get(report.user_id)
    report.workflow_state = "running"
    report.start_at = at
    report.parameters["locale"] = user.locale if user else "en"
    pending.output = account_csv.generate(emulator.store, report, at)


def _progress(report: AccountReport, pending: Pending, now: datetime,
              duration: float) -> None:
    if report.workflow_state not in ("running", "compiling"):
        return
    started = report.start_at or now
    span = duration * (1 - START_FRACTION)
    fraction = min(1.0, max(0.0, (now - started).total_seconds() / span))
    total = pending.output.rows() if pending.output else 0
    report.progress = min(99, int(fraction * 100))
    report.current_line = int(fraction * total) if fraction > 0 else report.current_line
    parallel = BY_TYPE[report.report_type].parallel
    if (parallel and report.workflow_state == "running"
            and now >= _moment(report, duration, COMPILE_FRACTION)):
        report.workflow_state = "compiling"


def _finish(emulator: Emulator, report: AccountReport, pending: Pending, at: datetime) -> None:
    report.progress = 100
    report.end_at = report.end_at or at
    output = pending.output
    if pending.deleted_while_running:
        # ExtendedCSV finds the record deleted, flips it to aborted and raises (no file).
        report.workflow_state = "aborted"
        report.message = _failure_message(emulator, report)
        report.parameters["extra_text"] = ABORTED_TEXT
        return
    if pending.fate == "fail":
        report.message = _failure_message(emulator, report)
        report.parameters["extra_text"] = NO_FILE_TEXT
        report.workflow_state = "aborted" if report.workflow_state == "aborted" else "error"
        return
    if output is not None and not output.empty:
        report.attachment_id = _attach(emulator, report, output, at).id
        report.current_line = output.rows()
    account = emulator.store.accounts[report.account_id]
    title = BY_TYPE[report.report_type].title
    extra = report.parameters.get("extra_text")
    report.message = (f"{title} report successfully generated with the following settings. "
                      f"Account: {account.name}; {extra or ''}")
    if output is None or output.empty:
        report.parameters["extra_text"] = NO_FILE_TEXT
    if report.workflow_state == "aborted":
        report.parameters["extra_text"] = ABORTED_TEXT
    else:
        report.workflow_state = "complete" if report.attachment_id else "error"


def _failure_message(emulator: Emulator, report: AccountReport) -> str:
    error_id = faults.next_error_report_id(emulator)
    return (f"Generating the report, {titleize(report.report_type)}, failed. Please report the "
            f"following error code to your system administrator: ErrorReport:{error_id}")


def file_name(report: AccountReport, at: datetime) -> str:
    """``<report_type>_<dd_Mon_YYYY>_<id>`` (``generate_file_name``)."""
    return f"{report.report_type}_{at.strftime('%d_%b_%Y')}_{report.id}"


def _attach(emulator: Emulator, report: AccountReport, output: account_csv.Output,
            at: datetime) -> Attachment:
    base = file_name(report, at)
    if output.single and len(output.tables) == 1:
        rows = next(iter(output.tables.values()))
        data = account_csv.to_csv(rows).encode()
        name, content_type = f"{base}.csv", "text/csv"
    else:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for table, rows in output.tables.items():
                archive.writestr(f"{table}.csv", account_csv.to_csv(rows))
        data = buffer.getvalue()
        name, content_type = f"{base}.zip", "application/zip"
    return create_attachment(emulator.store, "Account", report.account_id, name, name,
                             content_type, data, report.user_id)


def abort(emulator: Emulator, report: AccountReport) -> None:
    """``abort``: a running report becomes ``aborted``; its job still finalizes it later
    (progress 100, ``extra_text`` "Report has been aborted"), as Canvas's does."""
    with emulator.store.lock:
        report.workflow_state = "aborted"
        pending = state(emulator).pending.get(report.id)
        if pending is not None:
            pending.aborted = True
            if pending.fate == "stick":
                pending.fate = None


def advance_all(emulator: Emulator) -> bool:
    """Advance every pending report; True if any is still pending."""
    return ticker.advance_pending(emulator, state(emulator).pending,
                                  emulator.store.account_reports, advance)


def reset(emulator: Emulator) -> None:
    with emulator.store.lock:
        state(emulator).pending.clear()
