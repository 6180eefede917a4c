"""require_context: a launch in course A can never act on course B."""

from __future__ import annotations

import pytest

from app.errors import NotAuthorized
from app.lti.context import require_context
from app.models import Launch
from tests.support import factories


def _launch(context_type: str, course: int | None, account: int | None) -> Launch:
    return factories.launch(context_type=context_type, canvas_course_id=course,
                            canvas_account_id=account)


def test_course_launch_may_act_on_its_course_only() -> None:
    launch = _launch("course", 101, 2)
    require_context(launch, course_id=101)
    require_context(launch)
    with pytest.raises(NotAuthorized, match="another course"):
        require_context(launch, course_id=102)
    with pytest.raises(NotAuthorized, match="account data"):
        require_context(launch, account_id=2)


def test_account_launch_may_act_on_its_account_and_given_sub_accounts() -> None:
    launch = _launch("account", None, 2)
    require_context(launch, account_id=2)
    require_context(launch, account_id=5, sub_account_ids=[5, 6])
    require_context(launch, course_id=101, account_id=2)
    with pytest.raises(NotAuthorized, match="another account"):
        require_context(launch, account_id=3)
    with pytest.raises(NotAuthorized, match="another account"):
        require_context(launch, course_id=103, account_id=3)
    with pytest.raises(NotAuthorized, match="together with its account"):
        require_context(launch, course_id=101)


def test_launch_without_context_may_do_nothing() -> None:
    with pytest.raises(NotAuthorized):
        require_context(_launch("account", None, None), account_id=1)
