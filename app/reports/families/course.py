"""Course reports: POST, the lost-POST lookup (Canvas's "last report" of the type)."""

from __future__ import annotations

from app.canvas.client import CanvasClient
from app.i18n import N_
from app.models.job import Job
from app.reports import observe
from app.reports.families import Attempt, register
from app.reports.kinds import Family
from app.reports.observe import Observation


class CourseFamily:
    family = Family.COURSE

    def post(self, client: CanvasClient, attempt: Attempt) -> Observation:
        job = attempt.job
        report = client.start_course_report(
            observe.require_id(job.canvas_course_id, "course"), job.report_type, {}
        )
        return observe.from_course_report(report)

    def find_created(self, client: CanvasClient, attempt: Attempt) -> Observation | None:
        """Canvas lists only the user's latest course report of a type
        (``GET /courses/:id/reports/:type``): ours when created since the attempt began."""
        job = attempt.job
        report = client.last_course_report(
            observe.require_id(job.canvas_course_id, "course"), job.report_type
        )
        if (
            report is None
            or report.id in attempt.tracked
            or report.id == job.canvas_report_id
            or report.created_at is None
            or report.created_at < attempt.since
        ):
            return None
        return observe.from_course_report(report)

    def abandon(self, client: CanvasClient, job: Job) -> str:
        """Canvas has no abort or delete for course reports: the new run gets a new id."""
        del client, job
        return N_("Canvas cannot stop a course report; the stuck one is left alone.")


register(CourseFamily())
