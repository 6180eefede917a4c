"""Choosing which attempts are analysed (first, last or all of each student's attempts)."""

from __future__ import annotations

from app.errors import BadRequest
from app.insights.table import AttemptPolicy, ResponseTable


class UnsupportedPolicy(BadRequest):
    """The report cannot honour the requested attempt policy (no ``attempt`` column, anonymous)."""

    code = "unsupported_policy"


def select_rows(table: ResponseTable, policy: AttemptPolicy) -> list[int]:
    """Indices of the rows analysed under ``policy``, in report order.

    Each student's first (lowest ``attempt``) or last (highest) attempt. Rows without an
    identity (logged-out submissions) are not a student's: first/last leave them out, as
    Canvas's Item Analysis does (``quiz_submissions.for_students``); ``all`` keeps them.

    Raises:
        UnsupportedPolicy: the data has no attempt column or no student identities.
    """
    if policy not in table.policies():
        allowed = ", ".join(p.value for p in table.policies())
        raise UnsupportedPolicy(
            f"this report supports the attempt policies: {allowed} (not {policy.value})"
        )
    if policy in (AttemptPolicy.ALL, AttemptPolicy.AS_REPORTED):
        return list(range(table.row_count))
    chosen: dict[str, int] = {}
    attempts = table.attempts
    prefer_later = policy is AttemptPolicy.LAST
    for row, who in enumerate(table.respondents):
        if who is None:
            continue
        best = chosen.get(who)
        if best is None:
            chosen[who] = row
            continue
        mine, theirs = attempts[row] or 0, attempts[best] or 0
        if (mine > theirs) if prefer_later else (mine < theirs):
            chosen[who] = row
    return sorted(chosen.values())
