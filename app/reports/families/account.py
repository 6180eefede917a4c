"""Account reports: POST, the lost-POST lookup in Canvas's index, abort/delete of a stuck run."""

from __future__ import annotations

from typing import Any

from app.canvas.client import CanvasClient
from app.canvas.errors import CanvasNotFound
from app.i18n import N_
from app.models.job import Job
from app.reports import observe
from app.reports.families import Attempt, register
from app.reports.kinds import Family
from app.reports.observe import Observation

# Keys Canvas adds to ``parameters`` once a report runs (reports-api.md 1.4).
ADDED_PARAMETERS = frozenset({"locale", "extra_text"})


def sent_parameters(parameters: dict[str, Any] | None) -> dict[str, Any]:
    return {k: v for k, v in (parameters or {}).items() if k not in ADDED_PARAMETERS}


class AccountFamily:
    family = Family.ACCOUNT

    def post(self, client: CanvasClient, attempt: Attempt) -> Observation:
        job = attempt.job
        report = client.start_account_report(
            observe.require_id(job.canvas_account_id, "account"),
            job.report_type,
            dict(job.parameters),
        )
        return observe.from_account_report(report)

    def find_created(self, client: CanvasClient, attempt: Attempt) -> Observation | None:
        """The newest untracked report of this type with the same parameters, created
        since the attempt began (``GET /accounts/:id/reports/:type``, newest first)."""
        job = attempt.job
        account_id = observe.require_id(job.canvas_account_id, "account")
        for report in client.list_account_reports(account_id, job.report_type):
            if (
                report.id not in attempt.tracked
                and report.id != job.canvas_report_id
                and report.created_at is not None
                and report.created_at >= attempt.since
                and sent_parameters(report.parameters) == dict(job.parameters)
            ):
                return observe.from_account_report(report)
        return None

    def abandon(self, client: CanvasClient, job: Job) -> str:
        """Abort a running report (Canvas's PUT abort), else soft-delete it (DELETE)."""
        account_id = observe.require_id(job.canvas_account_id, "account")
        report_id = observe.require_id(job.canvas_report_id, "report")
        try:
            if job.canvas_state == "running":
                try:
                    client.abort_account_report(account_id, job.report_type, report_id)
                    return N_("Canvas aborted the stuck report.")
                except CanvasNotFound:
                    pass  # no longer running: delete it instead
            client.delete_account_report(account_id, job.report_type, report_id)
            return N_("Canvas deleted the stuck report.")
        except CanvasNotFound:
            return N_("Canvas no longer had the stuck report.")


register(AccountFamily())
