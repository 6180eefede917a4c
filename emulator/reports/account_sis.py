"""``provisioning_csv`` and ``sis_export_csv``: the users, accounts, terms, courses, sections
and enrollments tables (canvas-lms ``gems/plugins/account_reports/lib/account_reports/
sis_exporter.rb``; headers in its order, SIS-format tables without the ``canvas_*`` columns).
"""

from __future__ import annotations

from collections.abc import Callable

from emulator.reports.account_context import (
    COURSE_STATE,
    ENROLLMENT_STATE,
    ROLE_IDS,
    ROLE_NAMES,
    SIS_TABLES,
    CellValue,
    Context,
    Output,
    iso_or_blank,
)
from emulator.store import User


def _names(user: User) -> tuple[str, str]:
    if ", " in user.sortable_name:
        last, first = user.sortable_name.split(", ", 1)
        return first, last
    return user.name, ""


# ---------------------------------------------------------------- provisioning / SIS export


def _users_table(ctx: Context, sis: bool) -> list[list[CellValue]]:
    if sis:
        header: list[CellValue] = ["user_id", "integration_id", "authentication_provider_id",
                                   "login_id", "password", "first_name", "last_name",
                                   "full_name", "sortable_name", "short_name", "email", "status"]
    else:
        header = ["canvas_user_id", "user_id", "integration_id", "authentication_provider_id",
                  "login_id", "first_name", "last_name", "full_name", "sortable_name",
                  "short_name", "email", "status", "created_by_sis"]
    rows = [header]
    for user in ctx.users_in_scope():
        if sis and not user.sis_user_id:
            continue
        if user.workflow_state == "deleted" and not ctx.flag("include_deleted"):
            continue
        if ctx.flag("created_by_sis") and not user.created_by_sis:
            continue
        first, last = _names(user)
        row: list[CellValue] = [] if sis else [user.id]
        row += [user.sis_user_id, None, None, user.login_id]
        if sis:
            row.append(None)
        row += [first, last, user.name, user.sortable_name, user.short_name, user.email,
                user.workflow_state]
        if not sis:
            row.append(str(user.created_by_sis).lower())
        rows.append(row)
    return rows


def _accounts_table(ctx: Context, sis: bool) -> list[list[CellValue]]:
    header: list[CellValue] = (["account_id", "parent_account_id", "name", "status"] if sis else
                               ["canvas_account_id", "account_id", "canvas_parent_id",
                                "parent_account_id", "name", "status", "created_by_sis"])
    rows = [header]
    for acc in sorted(ctx.store.accounts.values(), key=lambda a: a.id):
        if acc.parent_account_id is None:
            continue  # the root has no parent row (inner join on the parent)
        if ctx.account.parent_account_id is not None and acc.parent_account_id != ctx.account.id:
            continue  # a sub-account report lists its direct children only
        if sis and not acc.sis_account_id:
            continue
        parent = ctx.store.accounts[acc.parent_account_id]
        if sis:
            rows.append([acc.sis_account_id, parent.sis_account_id, acc.name, acc.workflow_state])
        else:
            rows.append([acc.id, acc.sis_account_id, parent.id, parent.sis_account_id, acc.name,
                         acc.workflow_state, str(acc.sis_account_id is not None).lower()])
    return rows


def _terms_table(ctx: Context, sis: bool) -> list[list[CellValue]]:
    header: list[CellValue] = (["term_id", "name", "status", "start_date", "end_date"] if sis else
                               ["canvas_term_id", "term_id", "name", "status", "start_date",
                                "end_date", "created_by_sis"])
    rows = [header]
    for term in sorted(ctx.store.terms.values(), key=lambda t: t.id):
        if sis and not term.sis_term_id:
            continue
        row: list[CellValue] = [] if sis else [term.id]
        row += [term.sis_term_id, term.name, term.workflow_state, iso_or_blank(term.start_at),
                iso_or_blank(term.end_at)]
        if not sis:
            row.append(str(term.sis_term_id is not None).lower())
        rows.append(row)
    return rows


def _courses_table(ctx: Context, sis: bool) -> list[list[CellValue]]:
    """``course_headers``/``course_row`` of canvas-lms ``sis_exporter.rb``: the blueprint's
    Canvas id (``canvas_blueprint_course_id``, not in the SIS format) and SIS id
    (``blueprint_course_id``) follow ``course_format``, before ``created_by_sis``."""
    header: list[CellValue] = (
        ["course_id", "integration_id", "short_name", "long_name", "account_id", "term_id",
         "status", "start_date", "end_date", "course_format", "blueprint_course_id"] if sis else
        ["canvas_course_id", "course_id", "integration_id", "short_name", "long_name",
         "canvas_account_id", "account_id", "canvas_term_id", "term_id", "status", "start_date",
         "end_date", "course_format", "canvas_blueprint_course_id", "blueprint_course_id",
         "created_by_sis"])
    rows = [header]
    states = None if ctx.flag("include_deleted") else ("available", "unpublished")
    for course in ctx.courses(states=states):
        if sis and not course.sis_course_id:
            continue
        account = ctx.store.accounts[course.account_id]
        term = ctx.store.terms.get(course.enrollment_term_id)
        term_sis = term.sis_term_id if term else None
        blueprint = ctx.store.courses.get(course.blueprint_course_id or 0)
        blueprint_sis = blueprint.sis_course_id if blueprint else None
        if sis:
            status = course.workflow_state if course.workflow_state in (
                "deleted", "completed") else "active"
            rows.append([course.sis_course_id, None, course.course_code, course.name,
                         account.sis_account_id, term_sis, status, None, None, None,
                         blueprint_sis])
        else:
            rows.append([course.id, course.sis_course_id, None, course.course_code, course.name,
                         account.id, account.sis_account_id, course.enrollment_term_id, term_sis,
                         COURSE_STATE.get(course.workflow_state, course.workflow_state), None,
                         None, None, blueprint.id if blueprint else None, blueprint_sis,
                         str(course.sis_course_id is not None).lower()])
    return rows


def _sections_table(ctx: Context, sis: bool) -> list[list[CellValue]]:
    header: list[CellValue] = (
        ["section_id", "course_id", "integration_id", "name", "status", "start_date",
         "end_date"] if sis else
        ["canvas_section_id", "section_id", "canvas_course_id", "course_id", "integration_id",
         "name", "status", "start_date", "end_date", "canvas_account_id", "account_id",
         "created_by_sis"])
    rows = [header]
    courses = {c.id: c for c in ctx.courses(states=None)}
    for section in sorted(ctx.store.sections.values(), key=lambda s: s.id):
        course = courses.get(section.course_id)
        if course is None:
            continue
        if sis and not (section.sis_section_id and course.sis_course_id):
            continue
        account = ctx.store.accounts[course.account_id]
        if sis:
            rows.append([section.sis_section_id, course.sis_course_id, None, section.name,
                         "active", None, None])
        else:
            rows.append([section.id, section.sis_section_id, course.id, course.sis_course_id,
                         None, section.name, "active", None, None, account.id,
                         account.sis_account_id,
                         str(section.sis_section_id is not None).lower()])
    return rows


def _enrollments_table(ctx: Context, sis: bool) -> list[list[CellValue]]:
    header: list[CellValue] = (
        ["course_id", "user_id", "role", "role_id", "section_id", "status",
         "associated_user_id", "limit_section_privileges"] if sis else
        ["canvas_course_id", "course_id", "canvas_user_id", "user_id", "role", "role_id",
         "canvas_section_id", "section_id", "status", "canvas_associated_user_id",
         "associated_user_id", "created_by_sis", "base_role_type", "limit_section_privileges",
         "canvas_enrollment_id"])
    rows = [header]
    courses = {c.id: c for c in ctx.courses(states=None)}
    include_deleted = ctx.flag("include_deleted")
    for enrollment in sorted(ctx.store.enrollments.values(), key=lambda e: e.id):
        course = courses.get(enrollment.course_id)
        if course is None:
            continue
        if not include_deleted and enrollment.workflow_state in ("deleted", "completed"):
            continue
        user = ctx.store.users.get(enrollment.user_id)
        section = ctx.store.sections.get(enrollment.course_section_id)
        if user is None or section is None:
            continue
        if sis and (not user.sis_user_id or not (course.sis_course_id or section.sis_section_id)):
            continue
        role = ROLE_NAMES.get(enrollment.type, enrollment.type)
        state = ENROLLMENT_STATE.get(enrollment.workflow_state, enrollment.workflow_state)
        if sis:
            rows.append([course.sis_course_id, user.sis_user_id, role, ROLE_IDS.get(
                enrollment.type), section.sis_section_id, state, None, "false"])
        else:
            rows.append([course.id, course.sis_course_id, user.id, user.sis_user_id, role,
                         ROLE_IDS.get(enrollment.type), section.id, section.sis_section_id,
                         state, None, None, str(user.created_by_sis).lower(), enrollment.type,
                         "false", enrollment.id])
    return rows


TABLE_BUILDERS: dict[str, Callable[[Context, bool], list[list[CellValue]]]] = {
    "users": _users_table,
    "accounts": _accounts_table,
    "terms": _terms_table,
    "courses": _courses_table,
    "sections": _sections_table,
    "enrollments": _enrollments_table,
}


def _sis_report(ctx: Context, sis: bool) -> Output:
    ctx.term_text()
    ctx.include_deleted()
    selected = [t for t in SIS_TABLES if ctx.flag(t)]
    ctx.add_extra_text("Reports: " + "".join(f"{t} " for t in selected))
    built = {t: TABLE_BUILDERS[t](ctx, sis) for t in selected if t in TABLE_BUILDERS}
    return Output(built, single=len(built) == 1)


def provisioning(ctx: Context) -> Output:
    return _sis_report(ctx, sis=False)


def sis_export(ctx: Context) -> Output:
    return _sis_report(ctx, sis=True)
