"""Custom-field variable expansion (reference 4, ``lib/lti/variable_expander.rb``).

Values that are not variables pass through; a variable that is unknown or unavailable in
this launch is sent **unchanged** (the literal ``$Canvas.course.id``), as Canvas does.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from emulator.lti.roles import canvas_membership_roles
from emulator.store import Course, Store, User


@dataclass(frozen=True)
class ExpansionContext:
    """What is in scope for one launch."""

    store: Store
    base_url: str
    user: User
    account_id: int  # the context's account (the course's account in a course)
    root_account_id: int
    course: Course | None
    assignment_id: int | None  # only when Canvas launches with an assignment in scope
    quiz_id: int | None  # a classic quiz in scope (quiz_menu, when the switch says so)
    locale: str
    post_message_token: str


def _value(name: str, ctx: ExpansionContext) -> str | None:
    store, course = ctx.store, ctx.course
    simple: dict[str, str | None] = {
        "$Canvas.api.baseUrl": ctx.base_url,
        "$Canvas.api.domain": urlsplit(ctx.base_url).netloc,
        "$Canvas.user.id": str(ctx.user.id),
        "$Canvas.user.loginId": ctx.user.login_id or None,
        "$Canvas.user.sisSourceId": ctx.user.sis_user_id,
        "$Canvas.user.prefersHighContrast": "false",
        "$Canvas.account.id": str(ctx.account_id),
        "$Canvas.rootAccount.id": str(ctx.root_account_id),
        "$Message.locale": ctx.locale,
        "$com.instructure.PostMessageToken": ctx.post_message_token,
        "$Person.name.full": ctx.user.name,
        "$Person.email.primary": ctx.user.email,
        "$Canvas.assignment.id": None if ctx.assignment_id is None else str(ctx.assignment_id),
        "$Canvas.quiz.id": None if ctx.quiz_id is None else str(ctx.quiz_id),
        "$Canvas.membership.roles": canvas_membership_roles(
            store, ctx.user, course.id if course else None, ctx.account_id
        ),
    }
    if course is not None:
        section_ids = sorted(
            e.course_section_id for e in store.enrollments_of(ctx.user.id, course.id)
        )
        simple.update(
            {
                "$Canvas.course.id": str(course.id),
                "$Canvas.course.name": course.name,
                "$Canvas.course.sisSourceId": course.sis_course_id,
                "$Canvas.course.sectionIds": ",".join(str(s) for s in section_ids),
                "$Context.id": course.lti_context_id,
            }
        )
    return simple.get(name)


def expand(value: str, ctx: ExpansionContext) -> str:
    if not value.startswith("$"):
        return value
    expanded = _value(value, ctx)
    return value if expanded is None else expanded


def expand_all(fields: dict[str, str], ctx: ExpansionContext) -> dict[str, str]:
    return {name: expand(value, ctx) for name, value in fields.items()}
