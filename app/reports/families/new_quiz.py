"""New Quizzes reports: POST (a Progress), the lost-POST check, cancel of a stuck Progress.

Canvas offers no index of New Quizzes reports (reports-api.md 4), so a lost POST cannot be
adopted by id; what Canvas does tell is whether a report of that type is being generated
(409). After a lost answer the create path therefore asks with the POST itself: 409 means
the lost report exists and runs, and the start waits for it instead of adding a second.
"""

from __future__ import annotations

from app.canvas.client import CanvasClient
from app.canvas.errors import CanvasNotFound, CanvasNotPermitted
from app.i18n import N_
from app.models.job import Job
from app.reports import observe
from app.reports.families import Attempt, register
from app.reports.kinds import Family
from app.reports.observe import Observation


class NewQuizFamily:
    family = Family.NEW_QUIZ

    def post(self, client: CanvasClient, attempt: Attempt) -> Observation:
        job = attempt.job
        progress = client.create_new_quiz_report(
            observe.require_id(job.canvas_course_id, "course"),
            observe.require_id(job.canvas_assignment_id, "assignment"),
            job.report_type,
            str(job.parameters.get("format", "csv")),
        )
        return observe.from_progress(progress, None)

    def find_created(self, client: CanvasClient, attempt: Attempt) -> Observation | None:
        """Nothing to adopt: Canvas has no list of New Quizzes reports or Progresses."""
        del client, attempt
        return None

    def abandon(self, client: CanvasClient, job: Job) -> str:
        """Cancel the stuck Progress (only its owner may), freeing Canvas's one-per-type slot."""
        progress_id = observe.require_id(job.canvas_progress_id, "progress")
        try:
            client.cancel_progress(progress_id, message="Stalled; retried from the tool")
        except CanvasNotFound:
            return N_("Canvas no longer had the stuck report.")
        except CanvasNotPermitted:
            return N_("Only the person who started the stuck report may cancel it in Canvas.")
        return N_("Canvas canceled the stuck report.")


register(NewQuizFamily())
