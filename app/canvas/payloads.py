"""Canvas JSON as validated, frozen pydantic models (Canvas's own field names).

Canvas responses are untrusted and partly optional: every model ignores unknown keys,
accepts missing optional ones, and turns timestamps into aware datetimes (naive values,
which Canvas does not send but older servers and mocks do, are read as UTC).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


CanvasTime = Annotated[datetime, AfterValidator(_aware)]


class CanvasPayload(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)


class File(CanvasPayload):
    id: int
    display_name: str = ""
    filename: str | None = None
    uuid: str | None = None
    size: int | None = None
    url: str | None = None
    content_type: str | None = Field(default=None, alias="content-type")
    created_at: CanvasTime | None = None
    updated_at: CanvasTime | None = None
    locked_for_user: bool = False


class AccountReport(CanvasPayload):
    id: int
    report: str | None = None
    status: str
    progress: float | None = None
    current_line: int | None = None
    parameters: dict[str, Any] | None = None
    created_at: CanvasTime | None = None
    started_at: CanvasTime | None = None
    ended_at: CanvasTime | None = None
    run_time: float | None = None
    file_url: str | None = None
    attachment: File | None = None
    message: str | None = None


class ReportParameter(CanvasPayload):
    required: bool = False
    description: str = ""


class AvailableReport(CanvasPayload):
    report: str
    title: str = ""
    parameters: dict[str, ReportParameter] | None = None
    last_run: AccountReport | None = None


class CourseReport(CanvasPayload):
    id: int
    status: str
    report_type: str | None = None
    course_id: int | None = None
    progress: float | None = None
    parameters: dict[str, Any] | None = None
    created_at: CanvasTime | None = None
    started_at: CanvasTime | None = None
    ended_at: CanvasTime | None = None
    file_url: str | None = None
    attachment: File | None = None


class Progress(CanvasPayload):
    id: int
    context_id: int | None = None
    context_type: str | None = None
    user_id: int | None = None
    tag: str | None = None
    completion: float | None = None
    # queued | running | waiting_for_external_tool | completed | failed | canceled
    workflow_state: str
    message: str | None = None
    results: dict[str, Any] | None = None
    url: str | None = None
    created_at: CanvasTime | None = None
    updated_at: CanvasTime | None = None


class QuizReport(CanvasPayload):
    """One classic quiz report; plain and JSON-API answers normalise to this shape."""

    id: int
    quiz_id: int | None = None
    report_type: str
    readable_type: str | None = None
    includes_all_versions: bool | None = None
    includes_sis_ids: bool | None = None
    generatable: bool | None = None
    anonymous: bool | None = None
    url: str | None = None
    progress_url: str | None = None
    created_at: CanvasTime | None = None
    updated_at: CanvasTime | None = None
    file: File | None = None
    progress: Progress | None = None


class User(CanvasPayload):
    id: int
    name: str = ""
    sortable_name: str | None = None
    short_name: str | None = None
    login_id: str | None = None
    primary_email: str | None = None
    locale: str | None = None
    effective_locale: str | None = None


class Account(CanvasPayload):
    id: int
    name: str = ""
    parent_account_id: int | None = None
    root_account_id: int | None = None
    sis_account_id: str | None = None
    workflow_state: str | None = None
    default_time_zone: str | None = None


class Term(CanvasPayload):
    id: int
    name: str = ""
    sis_term_id: str | None = None
    start_at: CanvasTime | None = None
    end_at: CanvasTime | None = None
    workflow_state: str | None = None


class Course(CanvasPayload):
    id: int
    name: str = ""
    course_code: str | None = None
    account_id: int | None = None
    enrollment_term_id: int | None = None
    sis_course_id: str | None = None
    workflow_state: str | None = None


class Quiz(CanvasPayload):
    id: int
    title: str = ""
    quiz_type: str | None = None
    points_possible: float | None = None
    published: bool | None = None
    assignment_id: int | None = None
    question_count: int | None = None
    anonymous_submissions: bool | None = None
    due_at: CanvasTime | None = None
    allowed_attempts: int | None = None  # -1: unlimited


class Assignment(CanvasPayload):
    id: int
    name: str = ""
    course_id: int | None = None
    points_possible: float | None = None
    is_quiz_lti_assignment: bool = False
    quiz_id: int | None = None
    submission_types: list[str] = Field(default_factory=list)
    published: bool | None = None
    due_at: CanvasTime | None = None
    created_at: CanvasTime | None = None
