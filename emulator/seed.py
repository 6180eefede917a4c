"""Deterministic seeded Canvas data.

Everything is derived from ``settings.seed`` with one ``random.Random`` so two emulators with
the same seed and size hold identical data (tests and benchmarks compare runs). The fixed ids
of ``docs/architecture.md`` exist in every size; sizes only change how many students there are.
Timestamps come from fixed reference dates, never from the wall clock, for the same reason.
"""

from __future__ import annotations

import importlib
import itertools
import logging
import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from emulator.store import (
    Account,
    AccountUser,
    Course,
    Enrollment,
    Section,
    Store,
    Term,
    User,
)

if TYPE_CHECKING:
    from emulator import Emulator

log = logging.getLogger(__name__)

# The seeded world's "today": last-access times and scores are spread before it.
SEED_NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)

# Records created at runtime get ids from these ranges, so an id of the wrong kind never
# accidentally resolves (a report id used as an attachment id is a 404, not a wrong file).
RUNTIME_ID_STARTS = {
    "account_report": 1,
    "course_report": 501,
    "progress": 1001,
    "attachment": 2001,
    "enrollment": 1,
    "account_user": 1,
}


@dataclass(frozen=True)
class SizeProfile:
    """How many students each fixed course holds."""

    students_101: int
    students_102: int
    students_103: int
    students_104: int
    students_105: int


SIZES: dict[str, SizeProfile] = {
    "small": SizeProfile(40, 25, 20, 120, 8),
    "demo": SizeProfile(320, 150, 120, 1250, 40),
    "load": SizeProfile(800, 400, 300, 5000, 100),
}

FIRST_NAMES = (
    "Aaliyah", "Ben", "Carmen", "Deepak", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jamal",
    "Kira", "Liam", "Maya", "Nikolai", "Olivia", "Pedro", "Quinn", "Rosa", "Sanjay", "Tara",
    "Umar", "Valentina", "Wei", "Ximena", "Yusuf", "Zoe", "Amara", "Bruno", "Chloe", "Dmitri",
)
LAST_NAMES = (
    "Abbott", "Bianchi", "Chen", "Diallo", "Eriksen", "Fernandez", "Garcia", "Haddad", "Ito",
    "Johansson", "Kowalski", "Lopez", "Mensah", "Nakamura", "Okafor", "Patel", "Quispe",
    "Rossi", "Schmidt", "Tanaka", "Uddin", "Vargas", "Williams", "Xu", "Yilmaz", "Zhang",
)

LETTER_GRADES = ((94, "A"), (90, "A-"), (87, "B+"), (84, "B"), (80, "B-"), (77, "C+"),
                 (74, "C"), (70, "C-"), (67, "D+"), (64, "D"), (61, "D-"), (0, "F"))


def letter_grade(score: float | None) -> str | None:
    """Canvas's default grading scheme."""
    if score is None:
        return None
    for cutoff, letter in LETTER_GRADES:
        if score >= cutoff:
            return letter
    return "F"


def reset(emulator: Emulator) -> None:
    """Rebuild the seeded data from ``emulator.settings.seed`` and ``size``.

    Integration state (developer keys, deployments, OAuth codes and tokens) survives: a tool
    registered with the emulator stays registered across a reseed. ``reset_all`` drops it too.
    """
    seed_store(emulator.store, emulator.settings.seed, emulator.settings.size)


def reset_all(emulator: Emulator) -> None:
    """Reseed and also forget registered tools and issued tokens."""
    store = emulator.store
    with store.lock:
        store.developer_keys.clear()
        store.deployments.clear()
        store.authorization_codes.clear()
        store.access_tokens.clear()
    reset(emulator)


def seed_store(store: Store, seed: int, size: str) -> None:
    """Fill ``store`` (seeded tables and runtime tables cleared first)."""
    if size not in SIZES:
        raise ValueError(f"unknown emulator size {size!r} (small, demo, load)")
    profile = SIZES[size]
    rng = random.Random(seed)
    with store.lock:
        _clear(store)
        _seed_accounts_and_terms(store)
        _seed_courses(store)
        _seed_staff(store, rng)
        _seed_students(store, rng, profile)
        _seed_quizzes(store, rng, size)
        _seed_spanish_teacher(store)


# Seeded last and without the shared random generator, so every other id and value stays as
# it was before she existed.
SPANISH_TEACHER = (7, "Sofía Profesora", "Profesora, Sofía", "sofia.profesora")
SPANISH_TEACHER_COURSE = 103  # "Art History": a classic quiz (204) and a New Quiz (302)


def _seed_spanish_teacher(store: Store) -> None:
    """A teacher whose Canvas speaks Spanish (``locale: es``), so the tool's Spanish UI can
    be tried: every launch of hers carries Canvas's locale claim ``es``."""
    uid, name, sortable, login = SPANISH_TEACHER
    store.users[uid] = User(
        id=uid, name=name, sortable_name=sortable, short_name="Sofía", login_id=login,
        email=f"{login}@example.edu", sis_user_id=f"STAFF{uid:03d}",
        lti_sub=str(uuid.uuid5(uuid.NAMESPACE_URL, f"user:{uid}")), locale="es",
        created_by_sis=True, last_request_at=SEED_NOW - timedelta(hours=uid),
        current_login_ip="10.0.0.7",
    )
    _enroll(store, uid, SPANISH_TEACHER_COURSE, _first_section(SPANISH_TEACHER_COURSE),
            "TeacherEnrollment", state="active")


def _clear(store: Store) -> None:
    for table in (
        store.accounts, store.terms, store.courses, store.sections, store.users,
        store.enrollments, store.account_users, store.custom_account_roles, store.quizzes,
        store.quiz_submissions,
        store.assignments, store.attachments, store.progresses, store.account_reports,
        store.course_reports, store.quiz_statistics, store.new_quiz_reports,
    ):
        table.clear()
    # Sequences restart so a reseeded store hands out the same ids again; developer keys
    # survive a reset (see ``reset``), so their sequence continues after the highest kept id.
    store._sequences.clear()
    for kind, start in RUNTIME_ID_STARTS.items():
        store._sequences[kind] = itertools.count(start)
    if store.developer_keys:
        store._sequences["developer_key"] = itertools.count(max(store.developer_keys) + 1)


def _seed_accounts_and_terms(store: Store) -> None:
    store.accounts[1] = Account(1, "State University", None, None, sis_account_id="STATE_U")
    store.accounts[2] = Account(2, "School of Science", 1, 1, sis_account_id="SCI")
    store.accounts[3] = Account(3, "School of Arts", 1, 1, sis_account_id="ARTS")
    store.terms[1] = Term(1, 1, "Fall 2026", "FA26", datetime(2026, 8, 24, 6, tzinfo=UTC),
                          datetime(2026, 12, 19, 6, tzinfo=UTC))
    store.terms[2] = Term(2, 1, "Spring 2027", "SP27", datetime(2027, 1, 11, 6, tzinfo=UTC),
                          datetime(2027, 5, 8, 5, tzinfo=UTC))
    store.terms[3] = Term(3, 1, "Default Term", None, None, None)


COURSES: tuple[tuple[int, str, str, int, int, str | None, str], ...] = (
    # id, name, code, account, term, sis id, workflow_state
    (101, "Biology 101", "BIO101", 2, 1, "BIO101-FA26", "available"),
    (102, "Chemistry 201", "CHEM201", 2, 1, "CHEM201-FA26", "available"),
    (103, "Art History", "ARTH110", 3, 1, "ARTH110-FA26", "available"),
    (104, "Statistics 300 (large)", "STAT300", 2, 1, "STAT300-FA26", "available"),
    (105, "Physics 150", "PHYS150", 2, 2, None, "unpublished"),
)

SECTIONS: tuple[tuple[int, int, str, str | None], ...] = (
    (1011, 101, "Biology 101 Section A", "BIO101-A"),
    (1012, 101, "Biology 101 Section B", "BIO101-B"),
    (1021, 102, "Chemistry 201", "CHEM201-01"),
    (1031, 103, "Art History", None),
    (1041, 104, "Statistics 300 Lecture 1", "STAT300-L1"),
    (1042, 104, "Statistics 300 Lecture 2", "STAT300-L2"),
    (1051, 105, "Physics 150", None),
)


def _seed_courses(store: Store) -> None:
    for cid, name, code, account, term, sis, state in COURSES:
        # A stable opaque LTI context id (40 hex), as Canvas derives one per course.
        lti_context_id = uuid.uuid5(uuid.NAMESPACE_URL, f"course:{cid}").hex + f"{cid:08x}"
        store.courses[cid] = Course(cid, account, term, name, code, sis, lti_context_id,
                                    workflow_state=state)
    for sid, cid, name, sis in SECTIONS:
        store.sections[sid] = Section(sid, cid, name, sis)


STAFF: tuple[tuple[int, str, str, str], ...] = (
    (1, "Ada Admin", "Admin, Ada", "ada.admin"),
    (2, "Sam Subadmin", "Subadmin, Sam", "sam.subadmin"),
    (3, "Tina Teacher", "Teacher, Tina", "tina.teacher"),
    (4, "Tom Assistant", "Assistant, Tom", "tom.assistant"),
    (5, "Dana Designer", "Designer, Dana", "dana.designer"),
    (6, "Terry Teacher", "Teacher, Terry", "terry.teacher"),
)

STAFF_ENROLLMENTS: tuple[tuple[int, int, str], ...] = (
    (3, 101, "TeacherEnrollment"),
    (3, 102, "TeacherEnrollment"),
    (3, 104, "TeacherEnrollment"),
    (3, 105, "TeacherEnrollment"),
    (4, 101, "TaEnrollment"),
    (5, 101, "DesignerEnrollment"),
    (6, 103, "TeacherEnrollment"),
)


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _last_access(rng: random.Random) -> tuple[datetime | None, str | None]:
    if rng.random() < 0.06:
        return None, None  # never logged in
    seconds = rng.randint(0, 50 * 24 * 3600)
    ip = f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    return SEED_NOW - timedelta(seconds=seconds), ip


def _seed_staff(store: Store, rng: random.Random) -> None:
    for uid, name, sortable, login in STAFF:
        last, ip = _last_access(rng)
        store.users[uid] = User(
            id=uid, name=name, sortable_name=sortable, short_name=name.split()[0],
            login_id=login, email=f"{login}@example.edu", sis_user_id=f"STAFF{uid:03d}",
            lti_sub=_uuid(rng), created_by_sis=True,
            last_request_at=last or SEED_NOW - timedelta(hours=uid),
            current_login_ip=ip or "10.0.0.1",
        )
    store.account_users[store.next_id("account_user")] = AccountUser(1, 1, 1, "Account Admin")
    store.account_users[store.next_id("account_user")] = AccountUser(2, 2, 2, "Sub-Account Admin")
    for uid, cid, etype in STAFF_ENROLLMENTS:
        _enroll(store, uid, cid, _first_section(cid), etype, state="active")


def _first_section(course_id: int) -> int:
    return min(sid for sid, cid, _, _ in SECTIONS if cid == course_id)


def _sections_of(course_id: int) -> list[int]:
    return sorted(sid for sid, cid, _, _ in SECTIONS if cid == course_id)


def _enroll(store: Store, user_id: int, course_id: int, section_id: int, etype: str, *,
            state: str, score: float | None = None, final: float | None = None) -> Enrollment:
    eid = store.next_id("enrollment")
    enrollment = Enrollment(eid, user_id, course_id, section_id, etype, state,
                            current_score=score, final_score=final,
                            current_grade=letter_grade(score), final_grade=letter_grade(final))
    store.enrollments[eid] = enrollment
    return enrollment


def _seed_students(store: Store, rng: random.Random, profile: SizeProfile) -> None:
    counts = {101: profile.students_101, 102: profile.students_102, 103: profile.students_103,
              104: profile.students_104, 105: profile.students_105}
    pool_size = max(counts.values()) + max(10, max(counts.values()) // 10)
    first_student = 10
    pool = list(range(first_student, first_student + pool_size))
    for uid in pool:
        if uid == first_student:
            first, last = "Stu", "Student"
        else:
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        from_sis = uid % 9 != 0 or uid == first_student
        login = f"{first.lower()}.{last.lower()}{uid}"
        last_at, ip = _last_access(rng)
        store.users[uid] = User(
            id=uid, name=f"{first} {last}", sortable_name=f"{last}, {first}", short_name=first,
            login_id=login, email=f"{login}@student.example.edu",
            sis_user_id=f"S{uid:06d}" if from_sis else None, lti_sub=_uuid(rng),
            created_by_sis=from_sis, last_request_at=last_at, current_login_ip=ip,
        )
    for course_id in sorted(counts):
        members = [first_student] if course_id == 101 else []
        others = [u for u in pool if u != first_student]
        rng.shuffle(others)
        members += others[: counts[course_id] - len(members)]
        sections = _sections_of(course_id)
        for index, uid in enumerate(sorted(members)):
            state = "active"
            if uid != first_student:
                roll = rng.random()
                state = "inactive" if roll < 0.03 else "completed" if roll < 0.05 else "active"
            score = round(min(100.0, max(0.0, rng.gauss(79, 11))), 2)
            final = round(score * rng.uniform(0.82, 1.0), 2)
            _enroll(store, uid, course_id, sections[index % len(sections)], "StudentEnrollment",
                    state=state, score=score, final=final)


def _seed_quizzes(store: Store, rng: random.Random, size: str) -> None:
    """Quizzes 201-204, assignments 301-302 and their submissions come from helper B2's module."""
    try:
        module: Any = importlib.import_module("emulator.seed_quizzes")
    except ModuleNotFoundError as exc:
        if exc.name != "emulator.seed_quizzes":
            raise
        log.info("emulator.seed_quizzes not present; seeding without quizzes")
        return
    module.seed(store, rng, size)
