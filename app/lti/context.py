"""Binding every request to its launch's context: a launch in course A never acts on B."""

from __future__ import annotations

from collections.abc import Collection

from app.errors import NotAuthorized
from app.models.launch import Launch


def require_context(
    launch: Launch,
    course_id: int | None = None,
    account_id: int | None = None,
    *,
    sub_account_ids: Collection[int] = (),
) -> None:
    """Refuse when ``course_id``/``account_id`` lie outside the launch's context.

    A course launch may name only its own course and no account. An account launch may name
    its own account, or one of ``sub_account_ids`` (its descendants, which the caller got
    from Canvas with the user's own token); a course only together with that course's
    ``account_id``, which must pass the same test.

    Raises:
        NotAuthorized: the request reaches outside the launch's context.
    """
    if launch.context_type == "course":
        if account_id is not None:
            raise NotAuthorized("This page was opened in a course; account data is not available.")
        if course_id is not None and course_id != launch.canvas_course_id:
            raise NotAuthorized("This page was opened in another course.")
        return
    if launch.context_type != "account" or launch.canvas_account_id is None:
        raise NotAuthorized("This launch has no course or account.")
    if course_id is not None and account_id is None:
        raise NotAuthorized("A course can only be opened together with its account here.")
    if (
        account_id is not None
        and account_id != launch.canvas_account_id
        and (account_id not in set(sub_account_ids))
    ):
        raise NotAuthorized("This page was opened in another account.")
