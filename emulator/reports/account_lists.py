"""Course lists, storage, unused courses, LTI and developer-key reports, and the header-only
reports whose subject the seed does not model.
"""

from __future__ import annotations

from collections.abc import Callable

from emulator.reports.account_context import (
    COURSE_STATE,
    CellValue,
    Context,
    Output,
    iso_or_blank,
)

# ---------------------------------------------------------------- courses


COURSE_LIST_HEADER: list[CellValue] = ["id", "sis id", "short name", "name", "start date",
                                       "end date"]


def _course_list(ctx: Context, states: tuple[str, ...]) -> Output:
    ctx.term_text()
    rows = [COURSE_LIST_HEADER]
    rows += [[c.id, c.sis_course_id, c.course_code, c.name, None, None]
             for c in ctx.courses(states=states)]
    return Output({"courses": rows})


def unpublished_courses(ctx: Context) -> Output:
    return _course_list(ctx, ("unpublished",))


def recently_deleted_courses(ctx: Context) -> Output:
    return _course_list(ctx, ("deleted",))


def public_courses(ctx: Context) -> Output:
    # No seeded course is public.
    ctx.term_text()
    return Output({"courses": [COURSE_LIST_HEADER]})


def course_storage(ctx: Context) -> Output:
    ctx.term_text()
    rows: list[list[CellValue]] = [["id", "sis id", "short name", "name", "account id",
                                    "account sis id", "account name", "storage used in MB",
                                    "sum of all files in MB"]]
    for course in ctx.courses(states=("available", "unpublished", "completed")):
        account = ctx.store.accounts[course.account_id]
        size = sum(len(a.data) for a in ctx.store.attachments.values()
                   if a.context_type == "Course" and a.context_id == course.id)
        megabytes = round(size / 1024 / 1024, 2)
        rows.append([course.id, course.sis_course_id, course.course_code, course.name,
                     account.id, account.sis_account_id, account.name, megabytes, megabytes])
    return Output({"course_storage": rows})


def unused_courses(ctx: Context) -> Output:
    ctx.term_text()
    used = {q.course_id for q in ctx.store.quizzes.values()}
    used |= {a.course_id for a in ctx.store.assignments.values()}
    rows: list[list[CellValue]] = [["course id", "course sis id", "short name", "long name",
                                    "status", "created at"]]
    for course in ctx.courses(states=("available", "unpublished", "completed")):
        if course.id in used:
            continue
        rows.append([course.id, course.sis_course_id, course.course_code, course.name,
                     COURSE_STATE.get(course.workflow_state, course.workflow_state),
                     iso_or_blank(course.created_at)])
    return Output({"unused_courses": rows})


# ---------------------------------------------------------------- the rest of the catalogue


def header_only(name: str, header: list[CellValue],
                 text: Callable[[Context], None] | None = None) -> Callable[[Context], Output]:
    """Reports whose subject the seed does not model: Canvas's header, no rows."""

    def generate(ctx: Context) -> Output:
        if text:
            text(ctx)
        return Output({name: [header]})

    return generate


def lti_report(ctx: Context) -> Output:
    ctx.include_deleted()
    rows: list[list[CellValue]] = [["context_type", "context_id", "account_name", "course_name",
                                    "tool_type_name", "tool_type_id", "tool_created_at",
                                    "privacy_level", "launch_url", "custom_fields"]]
    for deployment in sorted(ctx.store.deployments.values(), key=lambda d: d.deployment_id):
        key = ctx.store.developer_keys.get(deployment.developer_key_id)
        account = ctx.store.accounts.get(deployment.account_id)
        if key is None or account is None or deployment.account_id not in ctx.account_ids():
            continue
        config = key.lti_config or {}
        rows.append(["Account", account.id, account.name, None, key.name, key.id, None,
                     config.get("privacy_level", "public"), config.get("target_link_uri"),
                     None])
    return Output({"lti_report": rows})


def developer_key_report(ctx: Context) -> Output:
    rows: list[list[CellValue]] = [["Developer Key Name", "Developer Key ID", "Owner Email",
                                    "Type", "Status", "Active Tokens"]]
    for key in sorted(ctx.store.developer_keys.values(), key=lambda k: k.id):
        tokens = sum(1 for t in ctx.store.access_tokens.values()
                     if t.developer_key_id == key.id and not t.revoked)
        rows.append([key.name, key.client_id, None, "LTI" if key.kind == "lti" else "API",
                     key.workflow_state, tokens])
    return Output({"developer_keys": rows})


def deleted_text(ctx: Context) -> None:
    ctx.include_deleted()


def term_and_deleted(ctx: Context) -> None:
    ctx.term_text()
    ctx.include_deleted()
