"""What each report page shows: the data a view renders, gathered in one call per page."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy.orm import Session

from app.canvas.client import CanvasClient
from app.canvas.errors import CanvasNotFound, CanvasNotPermitted
from app.canvas.payloads import Assignment, Course, Quiz, QuizReport, Term
from app.i18n import N_
from app.models.job import AuditEvent, Job
from app.models.launch import Launch
from app.reports import audit
from app.reports.access import require_account_admin, require_course_staff, visible_jobs
from app.reports.canvas_cache import CacheKey, CanvasAnswerCache, ContextKind
from app.reports.catalogue import CatalogueEntry, catalogue, catalogue_entry, find_catalogue_entry
from app.reports.history import HistoryEntry, account_history
from app.reports.kinds import Family
from app.reports.rights import Judge
from app.reports.status import JobStatus

T = TypeVar("T")


@dataclass(frozen=True)
class AccountOverview:
    entries: list[CatalogueEntry]
    jobs: Sequence[Job]
    audit: Sequence[AuditEvent]


# A course picker longer than this is a number field instead (a select of thousands of
# courses helps nobody and costs Canvas pages of listing).
MAX_PICKER_COURSES = 500


@dataclass(frozen=True)
class AccountReportPage:
    entry: CatalogueEntry
    terms: list[Term]
    history: list[HistoryEntry]
    courses: list[Course] | None = None  # None: no picker (a number field instead)


@dataclass(frozen=True)
class CourseOverview:
    quizzes: list[Quiz]
    new_quizzes: list[Assignment]
    jobs: Sequence[Job]


@dataclass(frozen=True)
class QuizPage:
    quiz_id: int
    title: str
    canvas_reports: list[QuizReport]
    jobs: Sequence[Job]
    new_quiz: bool = False
    formats: tuple[str, ...] = field(default=())


def jobs_where(
    session: Session,
    judge: Judge,
    *,
    family: Family | None = None,
    limit: int = 50,
    **ids: int,
) -> Sequence[Job]:
    """The context's jobs (not deleted) the viewer may see, newest first, optionally narrowed:
    their own, and other users' where Canvas lets the viewer see them (``judge``)."""
    query = visible_jobs(judge.launch).where(Job.status != JobStatus.DELETED.value)
    if family is not None:
        query = query.where(Job.family == family.value)
    for name, value in ids.items():
        query = query.where(getattr(Job, name) == value)
    rows = session.scalars(query.order_by(Job.created_at.desc(), Job.id.desc()).limit(limit))
    return judge.visible(rows)


def _cached(
    cache: CanvasAnswerCache | None,
    launch: Launch,
    fetch: Callable[[], T],
    *,
    context: ContextKind,
    context_id: int,
    what: str,
) -> T:
    """``fetch()``, through ``cache`` under this user's key when there is one."""
    if cache is None or launch.canvas_user_id is None:
        return fetch()
    key = CacheKey(launch.platform_id, launch.canvas_user_id, context, context_id, what)
    return cache.get_or_fetch(key, fetch)


def account_overview(
    session: Session,
    client: CanvasClient,
    judge: Judge,
    cache: CanvasAnswerCache | None = None,
) -> AccountOverview:
    """The catalogue (from ``cache`` when given: Canvas is asked at most once a TTL)."""
    launch = judge.launch
    account_id = require_account_admin(launch)
    return AccountOverview(
        entries=_cached(
            cache,
            launch,
            lambda: catalogue(client, launch),
            context="account",
            context_id=account_id,
            what="catalogue",
        ),
        jobs=jobs_where(session, judge, family=Family.ACCOUNT),
        audit=audit.recent(session, account_id, launch.platform_id),
    )


def cached_catalogue_entry(
    client: CanvasClient, launch: Launch, cache: CanvasAnswerCache | None, report_type: str
) -> CatalogueEntry:
    """``catalogue_entry`` from the user's cached catalogue (the one the overview showed,
    at most a TTL old): an unknown ``report_type`` costs no Canvas call made with it.

    Raises:
        NotAuthorized: not an admin of the launch's account; NotFound: not offered.
    """
    account_id = require_account_admin(launch)
    entries = _cached(
        cache,
        launch,
        lambda: catalogue(client, launch),
        context="account",
        context_id=account_id,
        what="catalogue",
    )
    return find_catalogue_entry(entries, report_type)


def _picker_list(
    cache: CanvasAnswerCache | None,
    launch: Launch,
    account_id: int,
    what: str,
    fetch: Callable[[int], list[T]],
) -> list[T]:
    """A form picker's list of the account (cached per user and account); empty when Canvas
    has none for the viewer or refuses it."""
    try:
        return _cached(
            cache, launch, lambda: fetch(account_id),
            context="account", context_id=account_id, what=what,
        )  # fmt: skip
    except (CanvasNotFound, CanvasNotPermitted):
        return []


def account_report_page(
    session: Session,
    client: CanvasClient,
    launch: Launch,
    report_type: str,
    cache: CanvasAnswerCache | None = None,
) -> AccountReportPage:
    """The form and history of one report type; the term and course pickers' lists come
    from ``cache`` when given (Canvas is asked at most once a TTL per user and account)."""
    account_id = require_account_admin(launch)
    entry = catalogue_entry(client, launch, report_type)
    kinds = {p.kind for p in entry.params}
    terms: list[Term] = []
    if "term" in kinds:  # none: the form falls back to "all terms" / "active terms"
        terms = _picker_list(cache, launch, account_id, "terms", client.list_terms)
    courses: list[Course] | None = None
    if "course" in kinds:
        listed = _picker_list(cache, launch, account_id, "courses", client.list_courses)
        if 0 < len(listed) <= MAX_PICKER_COURSES:
            courses = sorted(listed, key=lambda c: (c.name.casefold(), c.id))
    return AccountReportPage(
        entry=entry,
        terms=terms,
        history=account_history(session, client, launch, report_type),
        courses=courses,
    )


@dataclass(frozen=True)
class CourseQuizzes:
    """A course's quizzes as Canvas lists them to the viewer (cached per user, see below).

    ``quiz_assignments`` are the assignments behind classic quizzes (Canvas's assignment JSON
    has ``quiz_id`` for them): an assignment-menu launch on one resolves to its quiz.
    """

    classic: list[Quiz]
    new: list[Assignment]
    quiz_assignments: list[Assignment] = field(default_factory=list)
    other_assignment_ids: frozenset[int] = frozenset()


def course_quizzes(client: CanvasClient, launch: Launch) -> CourseQuizzes:
    """The course's classic quizzes and New Quizzes (the latter are quiz LTI assignments)."""
    course_id = require_course_staff(launch)
    assignments = client.list_assignments(course_id)
    return CourseQuizzes(
        classic=client.list_quizzes(course_id),
        new=[a for a in assignments if a.is_quiz_lti_assignment],
        quiz_assignments=[
            a for a in assignments if a.quiz_id is not None and not a.is_quiz_lti_assignment
        ],
        other_assignment_ids=frozenset(
            a.id for a in assignments if a.quiz_id is None and not a.is_quiz_lti_assignment
        ),
    )


def cached_course_quizzes(
    client: CanvasClient, launch: Launch, cache: CanvasAnswerCache | None
) -> CourseQuizzes:
    """``course_quizzes`` through ``cache`` (the overview and the landing picker share it)."""
    course_id = require_course_staff(launch)
    return _cached(
        cache,
        launch,
        lambda: course_quizzes(client, launch),
        context="course",
        context_id=course_id,
        what="quizzes",
    )


def course_overview(
    session: Session,
    client: CanvasClient,
    judge: Judge,
    cache: CanvasAnswerCache | None = None,
) -> CourseOverview:
    """The course's quizzes (from ``cache`` when given) and its latest course-report jobs."""
    quizzes = cached_course_quizzes(client, judge.launch, cache)
    return CourseOverview(
        quizzes=quizzes.classic,
        new_quizzes=quizzes.new,
        jobs=jobs_where(session, judge, family=Family.COURSE),
    )


def quiz_title(client: CanvasClient, launch: Launch, quiz_id: int) -> str:
    course_id = require_course_staff(launch)
    for quiz in client.list_quizzes(course_id):
        if quiz.id == quiz_id:
            return quiz.title
    raise CanvasNotFound(N_("No such quiz in this course."), canvas_status=404)


def new_quiz_title(client: CanvasClient, launch: Launch, assignment_id: int) -> str:
    course_id = require_course_staff(launch)
    for assignment in client.list_assignments(course_id):
        if assignment.id == assignment_id and assignment.is_quiz_lti_assignment:
            return assignment.name
    raise CanvasNotFound(N_("No such New Quiz in this course."), canvas_status=404)


def fresh_course_quizzes(
    client: CanvasClient, launch: Launch, cache: CanvasAnswerCache | None
) -> CourseQuizzes:
    """The course's quizzes asked again (a quiz made in Canvas within the cache's TTL)."""
    course_id = require_course_staff(launch)
    if cache is not None and launch.canvas_user_id is not None:
        cache.invalidate(launch.platform_id, launch.canvas_user_id, "course", course_id)
    return cached_course_quizzes(client, launch, cache)


def cached_quiz_title(
    client: CanvasClient, launch: Launch, cache: CanvasAnswerCache | None, quiz_id: int
) -> str:
    """A classic quiz's title from the cached course lists (asked again once if absent).

    Raises:
        CanvasNotFound: not one of the course's quizzes the viewer can see.
    """
    for lister in (cached_course_quizzes, fresh_course_quizzes):
        for quiz in lister(client, launch, cache).classic:
            if quiz.id == quiz_id:
                return quiz.title
    raise CanvasNotFound(N_("No such quiz in this course."), canvas_status=404)


def cached_new_quiz_title(
    client: CanvasClient, launch: Launch, cache: CanvasAnswerCache | None, assignment_id: int
) -> str:
    """A New Quiz's title from the cached course lists (asked again once if absent).

    Raises:
        CanvasNotFound: not one of the course's New Quizzes the viewer can see.
    """
    for lister in (cached_course_quizzes, fresh_course_quizzes):
        for assignment in lister(client, launch, cache).new:
            if assignment.id == assignment_id:
                return assignment.name
    raise CanvasNotFound(N_("No such New Quiz in this course."), canvas_status=404)


def quiz_page(
    session: Session,
    client: CanvasClient,
    judge: Judge,
    quiz_id: int,
    cache: CanvasAnswerCache | None = None,
) -> QuizPage:
    launch = judge.launch
    course_id = require_course_staff(launch)
    title = cached_quiz_title(client, launch, cache, quiz_id)
    return QuizPage(
        quiz_id=quiz_id,
        title=title,
        canvas_reports=client.list_quiz_reports(course_id, quiz_id),
        jobs=jobs_where(session, judge, family=Family.QUIZ, canvas_quiz_id=quiz_id),
    )


def new_quiz_page(
    session: Session,
    client: CanvasClient,
    judge: Judge,
    assignment_id: int,
    cache: CanvasAnswerCache | None = None,
) -> QuizPage:
    title = cached_new_quiz_title(client, judge.launch, cache, assignment_id)
    return QuizPage(
        quiz_id=assignment_id,
        title=title,
        canvas_reports=[],
        jobs=jobs_where(session, judge, family=Family.NEW_QUIZ, canvas_assignment_id=assignment_id),
        new_quiz=True,
        formats=("csv", "json"),
    )


def jobs_by_ids(session: Session, judge: Judge, ids: Sequence[int]) -> Sequence[Job]:
    """The visible ones among ``ids`` (the live-progress endpoint: the database, plus Canvas's
    remembered answer for other users' jobs)."""
    if not ids:
        return []
    rows = session.scalars(visible_jobs(judge.launch).where(Job.id.in_(ids)).order_by(Job.id))
    return judge.visible(rows)


def group_jobs(session: Session, judge: Judge, group_key: str) -> Sequence[Job]:
    """Split runs offered together."""
    rows = session.scalars(
        visible_jobs(judge.launch).where(Job.group_key == group_key).order_by(Job.id)
    )
    return judge.visible(rows)

