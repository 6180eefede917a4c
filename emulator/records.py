"""The emulator's typed Canvas records (rows of the in-memory ``Store``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

# ---------------------------------------------------------------- people and places


@dataclass
class Account:
    id: int
    name: str
    parent_account_id: int | None
    root_account_id: int | None  # None for the root itself
    sis_account_id: str | None = None
    workflow_state: str = "active"


@dataclass
class Term:
    id: int
    root_account_id: int
    name: str
    sis_term_id: str | None
    start_at: datetime | None
    end_at: datetime | None
    workflow_state: str = "active"


@dataclass
class Course:
    id: int
    account_id: int
    enrollment_term_id: int
    name: str
    course_code: str
    sis_course_id: str | None
    lti_context_id: str  # opaque 40-hex, as in the id_token's context.id
    workflow_state: str = "available"  # available | unpublished | completed | deleted
    created_at: datetime = field(default_factory=lambda: datetime(2026, 8, 1, tzinfo=UTC))
    # the blueprint (master) course this course is associated with; none is seeded
    blueprint_course_id: int | None = None


@dataclass
class Section:
    id: int
    course_id: int
    name: str
    sis_section_id: str | None = None


@dataclass
class User:
    id: int
    name: str
    sortable_name: str
    short_name: str
    login_id: str
    email: str
    sis_user_id: str | None
    lti_sub: str  # the LTI 1.3 ``sub`` (UUID)
    locale: str = "en"
    workflow_state: str = "active"
    created_by_sis: bool = False
    last_request_at: datetime | None = None
    current_login_ip: str | None = None
    site_admin: bool = False


@dataclass
class Enrollment:
    id: int
    user_id: int
    course_id: int
    course_section_id: int
    type: str  # StudentEnrollment | TeacherEnrollment | TaEnrollment | DesignerEnrollment | ...
    workflow_state: str = "active"  # active | completed | inactive | deleted | invited
    current_score: float | None = None
    final_score: float | None = None
    current_grade: str | None = None
    final_grade: str | None = None


@dataclass
class AccountUser:
    """An account admin membership (``role`` is the Canvas role name, e.g. "Account Admin")."""

    id: int
    account_id: int
    user_id: int
    role: str = "Account Admin"


# ---------------------------------------------------------------- quizzes


@dataclass
class Answer:
    id: int
    text: str
    weight: float  # 100 = correct
    position: int = 0
    extra: dict[str, Any] = field(default_factory=dict)  # blank_id, variables, left/right...


@dataclass
class QuizQuestion:
    id: int
    quiz_id: int
    position: int
    question_type: str  # multiple_choice_question, true_false_question, essay_question, ...
    question_name: str
    question_text: str  # HTML
    points_possible: float
    answers: list[Answer] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)  # blanks, matches, formulas...


@dataclass
class QuizSubmission:
    """One attempt (``attempt`` numbers 1..n per user); ``responses`` keyed by question id."""

    id: int
    quiz_id: int
    user_id: int | None  # None: logged-out/anonymous
    attempt: int
    started_at: datetime
    finished_at: datetime | None
    updated_at: datetime
    score: float
    workflow_state: str = "complete"  # complete | pending_review | untaken
    responses: dict[int, dict[str, Any]] = field(default_factory=dict)
    # response: {"answer_id": int | None, "text": str, "points": float, "correct": bool | "partial"}


@dataclass
class Quiz:
    """A classic quiz."""

    id: int
    course_id: int
    title: str
    quiz_type: str  # assignment | practice_quiz | graded_survey | survey
    points_possible: float
    created_at: datetime
    published_at: datetime | None
    anonymous_submissions: bool = False
    assignment_id: int | None = None
    scoring_policy: str = "keep_highest"  # keep_highest | keep_latest | keep_average
    allowed_attempts: int = 1  # -1: unlimited
    questions: list[QuizQuestion] = field(default_factory=list)


@dataclass
class Assignment:
    id: int
    course_id: int
    name: str
    points_possible: float
    is_quiz_lti_assignment: bool = False  # True: a New Quiz
    quiz_id: int | None = None  # classic quiz behind a quiz assignment
    created_at: datetime = field(default_factory=lambda: datetime(2026, 8, 1, tzinfo=UTC))
    description: str | None = None  # HTML (a New Quiz's ``instructions``)
    due_at: datetime | None = None
    published: bool = True
    # New Quizzes: questions and attempts reuse the classic records' shapes
    new_quiz_questions: list[QuizQuestion] = field(default_factory=list)
    new_quiz_submissions: list[QuizSubmission] = field(default_factory=list)


# ---------------------------------------------------------------- developer keys, tokens


@dataclass
class DeveloperKey:
    id: int
    client_id: str  # digits, e.g. "10000000000001"
    kind: str  # "lti" | "api"
    name: str
    client_secret: str = ""
    redirect_uris: list[str] = field(default_factory=list)
    require_scopes: bool = False
    scopes: list[str] = field(default_factory=list)
    workflow_state: str = "on"  # on | off | allow
    lti_config: dict[str, Any] | None = None  # the tool's lti_config.json (LTI keys)
    public_jwk_url: str | None = None
    public_jwk: dict[str, Any] | None = None


@dataclass
class ToolDeployment:
    """A deployment of an LTI key in an account (installs the tool there and below)."""

    deployment_id: str
    developer_key_id: int
    account_id: int


@dataclass
class AuthorizationCode:
    code: str
    developer_key_id: int
    user_id: int
    redirect_uri: str
    scopes: list[str]
    expires_at: datetime
    used: bool = False


@dataclass
class AccessToken:
    token: str
    refresh_token: str
    user_id: int
    developer_key_id: int
    scopes: list[str]
    created_at: datetime
    expires_at: datetime | None
    revoked: bool = False
    last_refreshed_at: datetime | None = None


# ---------------------------------------------------------------- reports, progress, files


@dataclass
class Attachment:
    id: int
    uuid: str
    context_type: str  # Account | Course | Quizzes::QuizStatistics | Assignment
    context_id: int
    display_name: str
    filename: str
    content_type: str
    data: bytes
    created_at: datetime
    user_id: int | None = None


@dataclass
class Progress:
    id: int
    context_id: int
    context_type: str
    tag: str
    user_id: int | None
    completion: float | None
    workflow_state: str  # queued | running | completed | failed
    created_at: datetime
    updated_at: datetime
    message: str | None = None
    results: dict[str, Any] | None = None


@dataclass
class AccountReport:
    id: int
    account_id: int
    report_type: str
    user_id: int
    parameters: dict[str, Any]
    workflow_state: str  # created running compiling complete error aborted deleted
    progress: int
    created_at: datetime
    current_line: int | None = None
    start_at: datetime | None = None
    end_at: datetime | None = None
    attachment_id: int | None = None
    message: str | None = None


@dataclass
class CourseReport:
    id: int
    course_id: int
    report_type: str
    user_id: int
    parameters: dict[str, Any]
    workflow_state: str
    progress_id: int
    created_at: datetime
    start_at: datetime | None = None
    end_at: datetime | None = None
    attachment_id: int | None = None
    message: str | None = None


@dataclass
class QuizStatistics:
    """A classic quiz report (Canvas's Quizzes::QuizStatistics row)."""

    id: int
    quiz_id: int
    report_type: str  # student_analysis | item_analysis
    includes_all_versions: bool
    includes_sis_ids: bool
    anonymous: bool
    created_at: datetime
    updated_at: datetime
    progress_id: int | None = None
    attachment_id: int | None = None


@dataclass
class NewQuizReport:
    id: int
    course_id: int
    assignment_id: int
    report_type: str
    format: str  # csv | json
    user_id: int
    progress_id: int
    attachment_id: int | None = None
