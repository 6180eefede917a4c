"""Who may see and act on which job: the launch's platform and context decide.

Canvas ids always come from the launch, never from the URL, so a sub-account admin cannot
name the parent account and a TA in course A cannot name course B.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.errors import NotAuthorized, NotFound
from app.lti.roles import is_admin, is_course_staff
from app.models.job import Job
from app.models.launch import Launch
from app.reports.kinds import Family

_COURSE_FAMILIES = (Family.COURSE.value, Family.QUIZ.value, Family.NEW_QUIZ.value)


def require_account_admin(launch: Launch) -> int:
    """The launch's Canvas account id, if its user administers it.

    Raises:
        NotAuthorized: not an account launch, or not an admin.
    """
    if launch.canvas_account_id is None or launch.context_type != "account":
        raise NotAuthorized(_("Account reports are available from account navigation only."))
    if not is_admin(launch):
        raise NotAuthorized(_("Only account administrators can use account reports."))
    return launch.canvas_account_id


def require_course_staff(launch: Launch) -> int:
    """The launch's Canvas course id, if its user teaches, assists or designs there.

    Raises:
        NotAuthorized: not a course launch, or a student.
    """
    if launch.canvas_course_id is None:
        raise NotAuthorized(_("Course reports are available from a course only."))
    if not (is_course_staff(launch) or is_admin(launch)):
        raise NotAuthorized(_("Only teachers, TAs and designers can use course reports."))
    return launch.canvas_course_id


def visible_jobs(launch: Launch) -> Select[Job]:
    """A query for the jobs this launch may see (its platform, its account or course)."""
    query = select(Job).where(Job.platform_id == launch.platform_id)
    if launch.context_type == "account" and launch.canvas_account_id is not None:
        if not is_admin(launch):
            return query.where(Job.id.is_(None))
        return query.where(
            Job.family == Family.ACCOUNT.value, Job.canvas_account_id == launch.canvas_account_id
        )
    if launch.canvas_course_id is not None and (is_course_staff(launch) or is_admin(launch)):
        return query.where(
            Job.family.in_(_COURSE_FAMILIES), Job.canvas_course_id == launch.canvas_course_id
        )
    return query.where(Job.id.is_(None))


def can_see(launch: Launch, job: Job) -> bool:
    if job.platform_id != launch.platform_id:
        return False
    if job.family == Family.ACCOUNT.value:
        return (
            launch.context_type == "account"
            and launch.canvas_account_id is not None
            and job.canvas_account_id == launch.canvas_account_id
            and is_admin(launch)
        )
    return (
        launch.canvas_course_id is not None
        and job.canvas_course_id == launch.canvas_course_id
        and (is_course_staff(launch) or is_admin(launch))
    )


def get_job(session: Session, launch: Launch, job_id: int) -> Job:
    """The job, if this launch may see it; others look exactly like missing ones.

    Raises:
        NotFound: no such job, or not visible to this launch.
    """
    job = session.get(Job, job_id)
    if job is None or not can_see(launch, job):
        raise NotFound(_("No such report job."))
    return job
