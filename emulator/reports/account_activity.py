"""Grade exports and the student/activity reports (``grade_export_csv``,
``mgp_grade_export_csv``, ``last_user_access_csv``, ``last_enrollment_activity_csv``,
``students_with_no_submissions_csv``, ``zero_activity_csv``, ``user_access_tokens_csv``).
"""

from __future__ import annotations

from datetime import datetime

from emulator.reports.account_context import (
    ENROLLMENT_STATE,
    TWO_WEEKS,
    CellValue,
    Context,
    Output,
    iso_or_blank,
)
from emulator.store import Course, Enrollment, Store

# ---------------------------------------------------------------- grades


GRADE_HEADER: list[CellValue] = [
    "student name", "student id", "student sis", "course", "course id", "course sis",
    "section", "section id", "section sis", "term", "term id", "term sis", "current score",
    "final score", "enrollment state", "unposted current score", "unposted final score",
    "current grade", "final grade", "unposted current grade", "unposted final grade",
]


def _student_enrollments(ctx: Context, include_deleted: bool,
                         courses: list[Course]) -> list[tuple[Enrollment, Course]]:
    by_id = {c.id: c for c in courses}
    states = None if include_deleted else {"active", "completed"}
    found = [(e, by_id[e.course_id]) for e in ctx.store.enrollments.values()
             if e.type == "StudentEnrollment" and e.course_id in by_id
             and (states is None or e.workflow_state in states)]
    return sorted(found, key=lambda pair: (pair[1].id, pair[0].user_id))


def grade_export(ctx: Context) -> Output:
    ctx.term_text()
    include_deleted = ctx.include_deleted()
    courses = ctx.courses(states=None if include_deleted else ("available",))
    rows = [GRADE_HEADER]
    for enrollment, course in _student_enrollments(ctx, include_deleted, courses):
        user = ctx.store.users[enrollment.user_id]
        section = ctx.store.sections[enrollment.course_section_id]
        term = ctx.store.terms[course.enrollment_term_id]
        rows.append([
            user.sortable_name, user.id, user.sis_user_id, course.name, course.id,
            course.sis_course_id, section.name, section.id, section.sis_section_id, term.name,
            term.id, term.sis_term_id, enrollment.current_score, enrollment.final_score,
            ENROLLMENT_STATE.get(enrollment.workflow_state, enrollment.workflow_state),
            enrollment.current_score, enrollment.final_score, enrollment.current_grade,
            enrollment.final_grade, enrollment.current_grade, enrollment.final_grade,
        ])
    return Output({"grade_export": rows})


def mgp_grade_export(ctx: Context) -> Output:
    """The seed configures no grading periods, so each term gets Canvas's one-line notice."""
    ctx.term_text()
    term_id = ctx.term_id()
    terms = [ctx.store.terms[term_id]] if term_id else [
        t for t in sorted(ctx.store.terms.values(), key=lambda t: t.id)
        if t.workflow_state == "active"]
    notice: list[CellValue] = ["no grading periods configured for this term"]
    tables = {t.name: [list(notice)] for t in terms}
    return Output(tables, single=False)


# ---------------------------------------------------------------- students and access


def last_user_access(ctx: Context) -> Output:
    ctx.term_text()
    course_id = ctx.course_text()
    include_deleted = ctx.include_deleted()
    users = ctx.users_in_scope()
    if ctx.term_id() is not None or course_id is not None:
        courses = {c.id for c in ctx.courses(states=None)}
        member = {e.user_id for e in ctx.store.enrollments.values() if e.course_id in courses
                  and (include_deleted or e.workflow_state != "deleted")}
        users = [u for u in users if u.id in member]
    rows: list[list[CellValue]] = [["user id", "user sis id", "user name", "last access at",
                                    "last ip"]]
    for user in users:
        if user.workflow_state == "deleted" and not include_deleted:
            continue
        rows.append([user.id, user.sis_user_id, user.sortable_name,
                     iso_or_blank(user.last_request_at), user.current_login_ip])
    return Output({"last_user_access": rows})


def last_enrollment_activity(ctx: Context) -> Output:
    ctx.term_text()
    ctx.course_text()
    courses = {c.id for c in ctx.courses(states=None)}
    ids = sorted({e.user_id for e in ctx.store.enrollments.values() if e.course_id in courses})
    rows: list[list[CellValue]] = [["user id", "user name", "last activity at"]]
    for uid in ids:
        user = ctx.store.users[uid]
        rows.append([user.id, user.sortable_name, iso_or_blank(user.last_request_at)])
    return Output({"last_enrollment_activity": rows})


def submission_window(ctx: Context) -> tuple[datetime, datetime]:
    """Canvas's two-week rule (``StudentReports#start_and_end_times``).

    Both given and more than two weeks apart: start moves to end minus 2 weeks; only start:
    end = start plus 2 weeks; only end: start = end minus 2 weeks; neither: the two weeks
    before the run. Every adjusted value is written back into ``parameters``.
    """
    start, end = ctx.datetime_param("start_at"), ctx.datetime_param("end_at")
    if start and end and end - start > TWO_WEEKS:
        start = end - TWO_WEEKS
        ctx.params["start_at"] = iso_or_blank(start)
    if start and not end:
        end = start + TWO_WEEKS
        ctx.params["end_at"] = iso_or_blank(end)
    if end and not start:
        start = end - TWO_WEEKS
        ctx.params["start_at"] = iso_or_blank(start)
    if start is None or end is None:  # neither was given
        start, end = ctx.now - TWO_WEEKS, ctx.now
        ctx.params["start_at"] = iso_or_blank(start)
        ctx.params["end_at"] = iso_or_blank(end)
    return start, end


def submission_times(store: Store) -> dict[tuple[int, int], list[datetime]]:
    """(course id, user id) → submission times, from classic and New Quiz attempts."""
    times: dict[tuple[int, int], list[datetime]] = {}
    for sub in store.quiz_submissions.values():
        quiz = store.quizzes.get(sub.quiz_id)
        if quiz is None or sub.user_id is None or sub.finished_at is None:
            continue
        times.setdefault((quiz.course_id, sub.user_id), []).append(sub.finished_at)
    for assignment in store.assignments.values():
        for sub in assignment.new_quiz_submissions:
            if sub.user_id is not None and sub.finished_at is not None:
                times.setdefault((assignment.course_id, sub.user_id), []).append(
                    sub.finished_at)
    return times


def students_with_no_submissions(ctx: Context) -> Output:
    start, end = submission_window(ctx)
    ctx.term_text()
    ctx.add_extra_text(f"Start At: {iso_or_blank(start)};")
    ctx.add_extra_text(f"End At: {iso_or_blank(end)};")
    ctx.course_text()
    include_state = ctx.params.get("include_enrollment_state") not in (None, "")
    raw_states = ctx.params.get("enrollment_state")
    states = None if raw_states in (None, "") else (
        raw_states if isinstance(raw_states, list) else str(raw_states).split(","))
    if states is not None and "all" in states:
        states = None
    if include_state:
        ctx.add_extra_text("Include Enrollment State: true;")
    ctx.add_extra_text(f"Enrollment States: {' '.join(states) if states else 'all'};")
    times = submission_times(ctx.store)
    header: list[CellValue] = ["user id", "user sis id", "user name", "section id",
                               "section sis id", "section name", "course id", "course sis id",
                               "course name"]
    if include_state:
        header.append("enrollment state")
    rows = [header]
    courses = {c.id: c for c in ctx.courses(states=("available", "unpublished", "completed"))}
    for enrollment in sorted(ctx.store.enrollments.values(), key=lambda e: (e.course_id, e.id)):
        course = courses.get(enrollment.course_id)
        if course is None or enrollment.type != "StudentEnrollment":
            continue
        if states is not None and enrollment.workflow_state not in states:
            continue
        submitted = times.get((course.id, enrollment.user_id), [])
        if any(start < moment < end for moment in submitted):
            continue
        user = ctx.store.users[enrollment.user_id]
        section = ctx.store.sections[enrollment.course_section_id]
        row: list[CellValue] = [user.id, user.sis_user_id, user.sortable_name, section.id,
                                section.sis_section_id, section.name, course.id,
                                course.sis_course_id, course.name]
        if include_state:
            row.append(enrollment.workflow_state)
        rows.append(row)
    return Output({"students_with_no_submissions": rows})


def zero_activity(ctx: Context) -> Output:
    """Active students without course activity after ``start_at`` (no window: Canvas uses
    ``start_at`` only here). Course activity is the user's last request in the seed."""
    ctx.term_text()
    start = ctx.datetime_param("start_at")
    if start:
        ctx.add_extra_text(f"Start At: {iso_or_blank(start)};")
    ctx.course_text()
    rows: list[list[CellValue]] = [["user id", "user sis id", "name", "section id",
                                    "section sis id", "section name", "course id",
                                    "course sis id", "course name"]]
    courses = {c.id: c for c in ctx.courses(states=("available",))}
    for enrollment in sorted(ctx.store.enrollments.values(), key=lambda e: (e.course_id, e.id)):
        course = courses.get(enrollment.course_id)
        if (course is None or enrollment.type != "StudentEnrollment"
                or enrollment.workflow_state != "active"):
            continue
        user = ctx.store.users[enrollment.user_id]
        last = user.last_request_at
        active = last is not None and (start is None or last > start)
        if active:
            continue
        section = ctx.store.sections[enrollment.course_section_id]
        rows.append([user.id, user.sis_user_id, user.sortable_name, section.id,
                     section.sis_section_id, section.name, course.id, course.sis_course_id,
                     course.name])
    return Output({"zero_activity": rows})


def user_access_tokens(ctx: Context) -> Output:
    ctx.include_deleted()
    rows: list[list[CellValue]] = [["user id", "user name", "token hint", "expiration",
                                    "last used", "dev key id", "dev key name"]]
    scope = {u.id for u in ctx.users_in_scope()}
    tokens = sorted((t for t in ctx.store.access_tokens.values() if t.user_id in scope),
                    key=lambda t: (t.user_id, t.created_at))
    for token in tokens:
        user = ctx.store.users[token.user_id]
        key = ctx.store.developer_keys.get(token.developer_key_id)
        rows.append([user.id, user.sortable_name, token.token[:5],
                     iso_or_blank(token.expires_at) or "never",
                     iso_or_blank(token.last_refreshed_at) or "never", token.developer_key_id,
                     key.name if key else None])
    return Output({"user_access_tokens": rows})
