"""Choosing which attempts are analysed (first, last or all of each student's attempts)."""

from __future__ import annotations

from app.errors import BadRequest
from app.insights.table import AttemptPolicy, ResponseTable


class UnsupportedPolicy(BadRequest):
    """The report cannot honour the requested attempt policy (no ``attempt`` column, anonymous)."""

    code = "unsupported_policy"


class UnknownSection(BadRequest):
    """The requested section does not appear in the report."""

    code = "unknown_section"


def in_section(table: ResponseTable, section: str | None) -> list[int]:
    """Rows of students enrolled in ``section`` (all rows for None), as Canvas's filter.

    Raises:
        UnknownSection: no row belongs to that section id.
    """
    if section is None:
        return list(range(table.row_count))
    if section not in dict(table.section_names):
        raise UnknownSection("this report has no such section")
    return [row for row, ids in enumerate(table.section_ids) if section in ids]


def select_rows(
    table: ResponseTable, policy: AttemptPolicy, section: str | None = None
) -> list[int]:
    """Indices of the rows analysed under ``policy`` (within ``section``), in report order.

    Each student's first (lowest ``attempt``) or last (highest) attempt. Rows without an
    identity (logged-out submissions) are not a student's: first/last leave them out, as
    Canvas's Item Analysis does (``quiz_submissions.for_students``); ``all`` keeps them.

    Raises:
        UnsupportedPolicy: the data has no attempt column or no student identities;
        UnknownSection: ``section`` is not in the report.
    """
    if policy not in table.policies():
        allowed = ", ".join(p.value for p in table.policies())
        raise UnsupportedPolicy(
            f"this report supports the attempt policies: {allowed} (not {policy.value})"
        )
    rows = in_section(table, section)
    if policy in (AttemptPolicy.ALL, AttemptPolicy.AS_REPORTED):
        return rows
    chosen: dict[str, int] = {}
    attempts = table.attempts
    prefer_later = policy is AttemptPolicy.LAST
    for row in rows:
        who = table.respondents[row]
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
