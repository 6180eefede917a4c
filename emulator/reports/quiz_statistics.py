"""Classic quiz reports (``Quizzes::QuizStatistics`` rows): reuse, generation, abort.

The model side of reports-api.md §3.2-3.4, kept apart from HTTP so the rules can be read in
one place (canvas-lms ``app/models/quizzes/quiz.rb#current_statistics_for`` and
``app/models/quizzes/quiz_statistics.rb``):

* ``current_statistics_for``: item analysis forces ``includes_all_versions`` and drops SIS
  ids; the latest row with identical flags is reused unless it is older than the quiz's last
  activity (publication or the newest completed submission), else a new row is created;
* ``generate_in_background``: a no-op when the CSV or a Progress exists; otherwise a queued
  Progress (no user, tag/context ``Quizzes::QuizStatistics``) and a job (``quiz_jobs``);
* ``abort``: the DELETE rules (204 vs the two 422 messages).
"""

from __future__ import annotations

from datetime import datetime

from emulator.reports import quiz_jobs
from emulator.reports.item_analysis import item_analysis_csv
from emulator.reports.student_analysis import (
    SectionInfo,
    StudentAnalysisOptions,
    StudentInfo,
    select_submissions,
    student_analysis_csv,
)
from emulator.state import Emulator
from emulator.store import (
    Attachment,
    Quiz,
    QuizStatistics,
    QuizSubmission,
    Store,
    create_progress,
)

REPORT_TYPES = ("student_analysis", "item_analysis")
READABLE_TYPES = {"student_analysis": "Student Analysis", "item_analysis": "Item Analysis"}
QUIZ_READABLE_TYPES = {
    "assignment": "Quiz",
    "practice_quiz": "Practice Quiz",
    "graded_survey": "Graded Survey",
    "survey": "Survey",
}
CONTEXT = "Quizzes::QuizStatistics"
COMPLETED_STATES = ("complete", "pending_review")
PENDING_STATES = ("queued", "running", "waiting_for_external_tool")


class AbortRefusedError(Exception):
    """The DELETE cannot proceed (Canvas answers 422 with this message)."""


def quiz_submissions(store: Store, quiz: Quiz) -> list[QuizSubmission]:
    return [s for s in store.quiz_submissions.values() if s.quiz_id == quiz.id]


def student_ids(store: Store, course_id: int) -> set[int]:
    return {e.user_id for e in store.enrollments.values()
            if e.course_id == course_id and e.type == "StudentEnrollment"
            and e.workflow_state != "deleted"}


def last_activity(store: Store, quiz: Quiz) -> datetime:
    moments = [quiz.published_at or quiz.created_at]
    moments += [s.updated_at for s in quiz_submissions(store, quiz)
                if s.workflow_state in COMPLETED_STATES]
    return max(moments)


def current_statistics_for(store: Store, quiz: Quiz, report_type: str, *,
                           includes_all_versions: bool, includes_sis_ids: bool) -> QuizStatistics:
    if report_type == "item_analysis":
        includes_all_versions, includes_sis_ids = True, False
    with store.lock:
        candidates = [
            s for s in store.quiz_statistics.values()
            if s.quiz_id == quiz.id and s.report_type == report_type
            and s.includes_all_versions == includes_all_versions
            and s.includes_sis_ids == includes_sis_ids
            and s.anonymous == quiz.anonymous_submissions
        ]
        candidate = max(candidates, key=lambda s: s.id, default=None)
        if candidate is not None and candidate.created_at >= last_activity(store, quiz):
            return candidate
        now = store.now()
        stats = QuizStatistics(
            id=store.next_id("quiz_statistics"), quiz_id=quiz.id, report_type=report_type,
            includes_all_versions=includes_all_versions, includes_sis_ids=includes_sis_ids,
            anonymous=quiz.anonymous_submissions, created_at=now, updated_at=now)
        store.quiz_statistics[stats.id] = stats
        return stats


def generatable(quiz: Quiz, stats: QuizStatistics) -> bool:
    """Item analysis cannot be generated for a survey (``ItemAnalysis#generatable?``)."""
    return not (stats.report_type == "item_analysis" and quiz.quiz_type in ("survey",
                                                                             "graded_survey"))


def display_name(quiz: Quiz, report_type: str) -> str:
    quiz_type = QUIZ_READABLE_TYPES.get(quiz.quiz_type, "Quiz")
    return f"{quiz.title} {quiz_type} {READABLE_TYPES[report_type]} Report.csv"


# ---------------------------------------------------------------- the CSVs from the store


def people_of_course(store: Store, course_id: int) -> dict[int, StudentInfo]:
    sections: dict[int, list[SectionInfo]] = {}
    for enrollment in sorted(store.enrollments.values(), key=lambda e: e.id):
        if (enrollment.course_id != course_id or enrollment.type != "StudentEnrollment"
                or enrollment.workflow_state != "active"):
            continue
        section = store.sections.get(enrollment.course_section_id)
        if section is not None:
            sections.setdefault(enrollment.user_id, []).append(
                SectionInfo(section.id, section.name, section.sis_section_id))
    return {
        uid: StudentInfo(user.name, user.sis_user_id, tuple(sections.get(uid, [])))
        for uid, user in store.users.items()
    }


def student_submissions(store: Store, quiz: Quiz) -> list[QuizSubmission]:
    """``for_students`` plus logged-out submissions (what ``submissions_for_statistics`` reads)."""
    students = student_ids(store, quiz.course_id)
    return [s for s in quiz_submissions(store, quiz)
            if s.user_id is None or s.user_id in students]


def options_for(store: Store, quiz: Quiz, stats: QuizStatistics) -> StudentAnalysisOptions:
    return StudentAnalysisOptions(
        includes_all_versions=stats.includes_all_versions,
        includes_sis_ids=stats.includes_sis_ids,
        anonymous=stats.anonymous,
        scoring_policy=quiz.scoring_policy,
        attachment_names={a.id: a.display_name for a in store.attachments.values()},
    )


def build_csv(store: Store, quiz: Quiz, stats: QuizStatistics) -> str:
    if stats.report_type == "item_analysis":
        students = student_ids(store, quiz.course_id)
        subs = [s for s in quiz_submissions(store, quiz) if s.user_id in students]
        return item_analysis_csv(quiz, subs)
    return student_analysis_csv(quiz, student_submissions(store, quiz),
                                people_of_course(store, quiz.course_id),
                                options_for(store, quiz, stats))


def row_count(store: Store, quiz: Quiz, stats: QuizStatistics) -> int:
    """``n`` of the generator's ``update_progress(i, n)`` calls."""
    if stats.report_type == "item_analysis":
        return sum(1 for q in quiz.questions
                   if q.question_type in ("multiple_choice_question", "true_false_question"))
    return len(select_submissions(student_submissions(store, quiz),
                                  options_for(store, quiz, stats)))


# ---------------------------------------------------------------- lifecycle


def refresh(emulator: Emulator, stats: QuizStatistics) -> None:
    """Advance the row's job to now (lazy background work)."""
    if stats.progress_id is not None:
        progress = emulator.store.progresses.get(stats.progress_id)
        if progress is not None:
            quiz_jobs.advance(emulator, progress)


def generating(emulator: Emulator, stats: QuizStatistics) -> bool:
    progress = emulator.store.progresses.get(stats.progress_id or 0)
    return progress is not None and progress.workflow_state in PENDING_STATES


def failed(emulator: Emulator, stats: QuizStatistics) -> bool:
    progress = emulator.store.progresses.get(stats.progress_id or 0)
    return progress is not None and progress.workflow_state == "failed"


def _destroy_progress(emulator: Emulator, stats: QuizStatistics) -> None:
    if stats.progress_id is not None:
        emulator.store.progresses.pop(stats.progress_id, None)
        quiz_jobs.forget(emulator, stats.progress_id)
        stats.progress_id = None


def generate_in_background(emulator: Emulator, quiz: Quiz, stats: QuizStatistics) -> None:
    """Queue the CSV unless it exists or a progress exists (Canvas's no-op rule)."""
    store = emulator.store
    with store.lock:
        if stats.attachment_id is not None or stats.progress_id is not None:
            return
        progress = create_progress(store, CONTEXT, stats.id, CONTEXT, None)
        stats.progress_id = progress.id

        def build() -> quiz_jobs.FileSpec:
            data = build_csv(store, quiz, stats).encode("utf-8")
            return quiz_jobs.FileSpec(CONTEXT, stats.id, display_name(quiz, stats.report_type),
                                      f"quiz_{stats.report_type}_report.csv", "text/csv", data)

        def done(attachment: Attachment) -> None:
            stats.attachment_id = attachment.id
            stats.updated_at = attachment.created_at

        quiz_jobs.enqueue(emulator, progress, quiz_jobs.QuizJob(
            progress_id=progress.id, created_at=progress.created_at,
            rows=row_count(store, quiz, stats),
            fate=quiz_jobs.fate_for(emulator, "quiz_report", stats.report_type),
            build=build, on_complete=done))


def regenerate_if_failed(emulator: Emulator, stats: QuizStatistics) -> None:
    """``abort_csv_generation if csv_generation_failed?`` (create does this first)."""
    with emulator.store.lock:
        if failed(emulator, stats):
            _destroy_progress(emulator, stats)


def abort(emulator: Emulator, stats: QuizStatistics) -> None:
    """DELETE: remove a generated CSV, or abort a queued/failed generation."""
    store = emulator.store
    with store.lock:
        refresh(emulator, stats)
        if stats.attachment_id is not None:
            store.attachments.pop(stats.attachment_id, None)
            stats.attachment_id = None
            _destroy_progress(emulator, stats)
            return
        progress = store.progresses.get(stats.progress_id or 0)
        if progress is None:
            raise AbortRefusedError("report is not being generated")
        if progress.workflow_state not in ("queued", "failed"):
            raise AbortRefusedError("report generation can not be aborted")
        _destroy_progress(emulator, stats)
