"""Classic quiz reports: POST (Canvas reuses a current report), lookup in the quiz's index,
DELETE to abort a stuck generation."""

from __future__ import annotations

from collections.abc import Sequence

from app.canvas.client import CanvasClient
from app.canvas.errors import CanvasConflict, CanvasNotFound
from app.canvas.payloads import QuizReport
from app.i18n import N_
from app.models.job import Job
from app.reports import observe
from app.reports.families import Attempt, register
from app.reports.kinds import Family
from app.reports.observe import Observation
from app.reports.status import JobStatus


def matching_quiz_report(
    reports: Sequence[QuizReport], report_type: str, all_versions: bool
) -> QuizReport | None:
    for report in reports:
        if report.report_type != report_type:
            continue
        # Canvas forces includes_all_versions on item analysis (reports-api.md 3.2).
        if report_type == "item_analysis" or report.includes_all_versions == all_versions:
            return report
    return None


def observed(report: QuizReport) -> Observation:
    """What a create/index answer tells before the first poll: a file means complete;
    otherwise the report is queued and the next poll reads its Progress."""
    if report.file is not None:
        return observe.from_quiz_report(report, None)
    return Observation(
        status=JobStatus.QUEUED,
        canvas_state="queued",
        payload=observe.dump(report),
        report_id=report.id,
        progress_id=observe.progress_id_from_url(report.progress_url),
    )


def _all_versions(job: Job) -> bool:
    return bool(job.parameters.get("includes_all_versions")) or job.report_type == "item_analysis"


class QuizFamily:
    family = Family.QUIZ

    def post(self, client: CanvasClient, attempt: Attempt) -> Observation:
        """Canvas reuses a current report (same id); a 409 ("already being generated") means
        the report being generated is the one to follow."""
        job = attempt.job
        course_id = observe.require_id(job.canvas_course_id, "course")
        quiz_id = observe.require_id(job.canvas_quiz_id, "quiz")
        try:
            report = client.create_quiz_report(
                course_id, quiz_id, job.report_type, includes_all_versions=_all_versions(job)
            )
        except CanvasConflict:
            found = self._listed(client, job)
            if found is None:
                raise
            report = found
        return observed(report)

    def find_created(self, client: CanvasClient, attempt: Attempt) -> Observation | None:
        """Canvas keeps one current report per type and version setting (its index,
        ``includes_all_versions`` as sent): that one is what a lost POST created or reused."""
        found = self._listed(client, attempt.job)
        return observed(found) if found is not None else None

    def abandon(self, client: CanvasClient, job: Job) -> str:
        """DELETE aborts a queued or failed generation (204); while running Canvas says 422,
        which the caller reports (a retry would only meet Canvas's 409)."""
        try:
            client.abort_quiz_report(
                observe.require_id(job.canvas_course_id, "course"),
                observe.require_id(job.canvas_quiz_id, "quiz"),
                observe.require_id(job.canvas_report_id, "report"),
            )
        except CanvasNotFound:
            return N_("Canvas no longer had the stuck report.")
        return N_("Canvas aborted the stuck report.")

    @staticmethod
    def _listed(client: CanvasClient, job: Job) -> QuizReport | None:
        course_id = observe.require_id(job.canvas_course_id, "course")
        quiz_id = observe.require_id(job.canvas_quiz_id, "quiz")
        return matching_quiz_report(
            client.list_quiz_reports(course_id, quiz_id), job.report_type, _all_versions(job)
        )


register(QuizFamily())
