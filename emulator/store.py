"""The emulator's in-memory Canvas: id sequences, a controllable clock.

Everything lives in one ``Store`` guarded by one re-entrant lock, because the live server
is threaded. ``reset()`` rebuilds the seeded state (see ``emulator/seed.py``).

Records are defined in ``emulator/records.py`` and re-exported here. ``create_attachment`` and
``create_progress`` add the two records that both the API and report generation create; they
live here so that ``emulator.reports`` never imports ``emulator.api`` (api → reports → store).
"""

from __future__ import annotations

import itertools
import threading
import uuid as uuid_module
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from emulator.records import (
    AccessToken,
    Account,
    AccountReport,
    AccountUser,
    Answer,
    Assignment,
    Attachment,
    AuthorizationCode,
    Course,
    CourseReport,
    DeveloperKey,
    Enrollment,
    NewQuizReport,
    Progress,
    Quiz,
    QuizQuestion,
    QuizStatistics,
    QuizSubmission,
    Section,
    Term,
    ToolDeployment,
    User,
)

__all__ = [
    "AccessToken",
    "Account",
    "AccountReport",
    "AccountUser",
    "Answer",
    "Assignment",
    "Attachment",
    "AuthorizationCode",
    "Clock",
    "Course",
    "CourseReport",
    "DeveloperKey",
    "Enrollment",
    "NewQuizReport",
    "Progress",
    "Quiz",
    "QuizQuestion",
    "QuizStatistics",
    "QuizSubmission",
    "Section",
    "Store",
    "Term",
    "ToolDeployment",
    "User",
    "create_attachment",
    "create_progress",
]


class Clock:
    """Real time unless frozen; tests freeze and advance it instead of sleeping."""

    def __init__(self) -> None:
        self._frozen: datetime | None = None
        self._offset = timedelta(0)

    def now(self) -> datetime:
        if self._frozen is not None:
            return self._frozen
        return datetime.now(UTC) + self._offset

    def freeze(self, at: datetime | None = None) -> None:
        self._frozen = at or self.now()

    def unfreeze(self) -> None:
        self._frozen = None

    def advance(self, seconds: float) -> None:
        if self._frozen is not None:
            self._frozen += timedelta(seconds=seconds)
        else:
            self._offset += timedelta(seconds=seconds)


@dataclass
class Store:
    """All emulator state. Mutate only while holding ``lock``."""

    clock: Clock = field(default_factory=Clock)
    lock: threading.RLock = field(default_factory=threading.RLock)
    accounts: dict[int, Account] = field(default_factory=dict)
    terms: dict[int, Term] = field(default_factory=dict)
    courses: dict[int, Course] = field(default_factory=dict)
    sections: dict[int, Section] = field(default_factory=dict)
    users: dict[int, User] = field(default_factory=dict)
    enrollments: dict[int, Enrollment] = field(default_factory=dict)
    account_users: dict[int, AccountUser] = field(default_factory=dict)
    # Custom account roles (Canvas's Role with base_role_type AccountMembership): name →
    # the permissions switched on for it, e.g. {"Report Viewer": {"read_reports"}}.
    custom_account_roles: dict[str, frozenset[str]] = field(default_factory=dict)
    quizzes: dict[int, Quiz] = field(default_factory=dict)
    quiz_submissions: dict[int, QuizSubmission] = field(default_factory=dict)
    assignments: dict[int, Assignment] = field(default_factory=dict)
    developer_keys: dict[int, DeveloperKey] = field(default_factory=dict)
    deployments: dict[str, ToolDeployment] = field(default_factory=dict)
    authorization_codes: dict[str, AuthorizationCode] = field(default_factory=dict)
    access_tokens: dict[str, AccessToken] = field(default_factory=dict)
    attachments: dict[int, Attachment] = field(default_factory=dict)
    progresses: dict[int, Progress] = field(default_factory=dict)
    account_reports: dict[int, AccountReport] = field(default_factory=dict)
    course_reports: dict[int, CourseReport] = field(default_factory=dict)
    quiz_statistics: dict[int, QuizStatistics] = field(default_factory=dict)
    new_quiz_reports: dict[int, NewQuizReport] = field(default_factory=dict)
    _sequences: dict[str, Iterator[int]] = field(default_factory=dict)

    def next_id(self, kind: str, start: int = 1) -> int:
        """Monotonic ids per kind (like Canvas's per-table sequences)."""
        with self.lock:
            if kind not in self._sequences:
                self._sequences[kind] = itertools.count(start)
            return next(self._sequences[kind])

    def now(self) -> datetime:
        return self.clock.now()

    # Convenience lookups used by several blueprints.
    def enrollments_of(self, user_id: int, course_id: int) -> list[Enrollment]:
        return [
            e
            for e in self.enrollments.values()
            if e.user_id == user_id and e.course_id == course_id and e.workflow_state != "deleted"
        ]

    def admin_roles(self, user_id: int, account_id: int) -> list[str]:
        """Admin roles the user holds on ``account_id`` or any of its ancestors."""
        chain = set(self.account_chain(account_id))
        return [
            au.role
            for au in self.account_users.values()
            if au.user_id == user_id and au.account_id in chain
        ]

    def account_chain(self, account_id: int) -> list[int]:
        """The account and its ancestors, nearest first."""
        chain: list[int] = []
        current: int | None = account_id
        while current is not None and current in self.accounts:
            chain.append(current)
            current = self.accounts[current].parent_account_id
        return chain


# ---------------------------------------------------------------- records both API and reports add


def create_attachment(  # noqa: PLR0917 (positional by contract with the quiz reports)
    store: Store, context_type: str, context_id: int, display_name: str, filename: str,
    content_type: str, data: bytes, user_id: int | None,
) -> Attachment:
    """Store a generated file as an Attachment of ``context``."""
    with store.lock:
        attachment = Attachment(
            id=store.next_id("attachment"), uuid=_uuid(), context_type=context_type,
            context_id=context_id, display_name=display_name, filename=filename,
            content_type=content_type, data=data, created_at=store.now(), user_id=user_id,
        )
        store.attachments[attachment.id] = attachment
        return attachment


def _uuid() -> str:
    # Canvas uuids are 40 url-safe characters; any unguessable string works as a verifier.
    return (uuid_module.uuid4().hex + uuid_module.uuid4().hex)[:40]


def create_progress(store: Store, context_type: str, context_id: int, tag: str,
                    user_id: int | None, *, completion: float | None = 0,
                    workflow_state: str = "queued") -> Progress:
    """A new queued Progress (Canvas ``Progress.create!``)."""
    with store.lock:
        now = store.now()
        progress = Progress(
            id=store.next_id("progress"), context_id=context_id, context_type=context_type,
            tag=tag, user_id=user_id, completion=completion, workflow_state=workflow_state,
            created_at=now, updated_at=now,
        )
        store.progresses[progress.id] = progress
        return progress
