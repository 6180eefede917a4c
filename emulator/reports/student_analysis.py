"""Classic quiz Student Analysis CSV, exactly like Canvas (reports-api.md §3.6).

Port of ``Quizzes::QuizStatistics::StudentAnalysis#to_csv`` (canvas-lms
``app/models/quizzes/quiz_statistics/student_analysis.rb``): attempt selection, the header,
per-type answer formatting and Ruby's value printing. Pure: it takes the quiz, its
submissions (one record per attempt) and what it needs to know about the people.

Responses follow Canvas's ``submission_data`` keys, one entry per question the attempt saw:
``answer_id``/``text``/``points``/``correct`` plus ``answer_for_<blank>`` (fill in multiple
blanks, dropdowns), ``answer_<id>`` (multiple answers: "1"/"0"; matching: match id) and
``attachment_ids`` (file upload).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from emulator.reports.quiz_format import RubyValue, csv_line, html_to_text, ruby_value, strip_tags
from emulator.store import Quiz, QuizQuestion, QuizSubmission

COMPLETED_STATES = ("complete", "pending_review")


@dataclass(frozen=True)
class SectionInfo:
    id: int
    name: str
    sis_id: str | None = None


@dataclass(frozen=True)
class StudentInfo:
    """A student's name, SIS id and active sections in the quiz's course."""

    name: str
    sis_id: str | None = None
    sections: tuple[SectionInfo, ...] = ()


@dataclass(frozen=True)
class StudentAnalysisOptions:
    includes_all_versions: bool = False
    includes_sis_ids: bool = False
    anonymous: bool = False
    scoring_policy: str = "keep_highest"  # keep_highest | keep_latest | keep_average
    attachment_names: Mapping[int, str] = field(default_factory=dict)


def _kept(attempts: Sequence[QuizSubmission], policy: str) -> QuizSubmission | None:
    """``QuizSubmissionHistory#kept``: the attempt whose score is the kept score."""
    latest = attempts[-1]
    scores = [a.score for a in attempts if a.workflow_state in COMPLETED_STATES]
    if not scores:
        return latest
    if policy == "keep_latest":
        kept_score = latest.score
    elif policy == "keep_average":
        kept_score = sum(scores) / len(scores)
    else:
        kept_score = max(scores)
    if latest.score == kept_score:
        return latest
    return next((a for a in attempts if a.score == kept_score), None)


def select_submissions(
    submissions: Iterable[QuizSubmission], options: StudentAnalysisOptions
) -> list[QuizSubmission]:
    """Students' rows (newest ``updated_at`` first), then logged-out ones (``prep_submissions``).

    One quiz submission per user (its attempts are our records); logged-out attempts
    (``user_id`` None) are each their own quiz submission.
    """
    students: dict[int, list[QuizSubmission]] = {}
    logged_out: list[list[QuizSubmission]] = []
    for sub in sorted(submissions, key=lambda s: (s.attempt, s.id)):
        if sub.user_id is None:
            logged_out.append([sub])
        else:
            students.setdefault(sub.user_id, []).append(sub)

    def prep(groups: Iterable[list[QuizSubmission]]) -> list[QuizSubmission]:
        chosen: list[QuizSubmission] = []
        for attempts in groups:
            if options.includes_all_versions:
                chosen.extend(attempts)
            else:
                kept = _kept(attempts, options.scoring_policy)
                if kept is not None:
                    chosen.append(kept)
        done = [s for s in chosen if s.workflow_state in COMPLETED_STATES]
        return list(reversed(sorted(done, key=lambda s: s.updated_at)))

    return prep(students.values()) + prep(logged_out)


def _escape_commas(text: str) -> str:
    return text.replace(",", "\\,")


def _escape_arrows(text: str) -> str:
    return text.replace("=>", "\\=>")


def _answer_text(question: QuizQuestion, answer_id: Any) -> str | None:
    for answer in question.answers:
        if answer.id == answer_id:
            return answer.text
    return None


def _blank_ids(question: QuizQuestion) -> list[str | None]:
    seen: list[str | None] = []
    for answer in question.answers:
        blank = answer.extra.get("blank_id")
        if blank not in seen:
            seen.append(blank)
    return seen


def format_answer(
    question: QuizQuestion, response: Mapping[str, Any], attachment_names: Mapping[int, str]
) -> str:
    """The answer cell for one question of one attempt (before ``html_to_text``)."""
    kind = question.question_type
    if kind == "fill_in_multiple_blanks_question":
        values = [response.get(f"answer_for_{blank}") for blank in _blank_ids(question)]
        return ",".join(_escape_commas(str(v)) for v in values if v is not None)
    if kind == "multiple_answers_question":
        selected = [a.text for a in question.answers if response.get(f"answer_{a.id}") == "1"]
        return ",".join(_escape_commas(text) for text in selected)
    if kind == "multiple_dropdowns_question":
        texts = [
            _answer_text(question, response.get(f"answer_for_{blank}"))
            for blank in _blank_ids(question)
        ]
        return ",".join(_escape_commas(t) for t in texts if t is not None)
    if kind == "calculated_question":
        items: list[str | None] = []
        for answer in question.answers[:1]:
            for variable in answer.extra.get("variables", []):
                pair = [str(variable["name"]), ruby_value(variable["value"])]
                items.append("=>".join(_escape_arrows(part) for part in pair))
        items.append(response.get("text"))
        return ",".join(_escape_commas(item or "") for item in items)
    if kind == "matching_question":
        matches = question.extra.get("matches", [])
        pairs = []
        for answer in question.answers:
            match_id = _ruby_to_i(response.get(f"answer_{answer.id}"))
            match = next((m for m in matches if m.get("match_id") == match_id), None)
            right = (match.get("right") or match.get("text")) if match else None
            joined = "=>".join(_escape_arrows(part or "") for part in (answer.text, right))
            pairs.append(_escape_commas(joined))
        return ",".join(pairs)
    if kind == "numerical_question":
        return ruby_value(response.get("text"))
    if kind == "file_upload_question":
        ids = response.get("attachment_ids") or []
        return attachment_names.get(int(ids[0]), "") if ids else ""
    chosen = _answer_text(question, response.get("answer_id"))
    if chosen is not None:
        return chosen
    return str(response.get("text") or "")


def _ruby_to_i(value: Any) -> int:
    """``String#to_i`` / ``nil.to_i``: leading digits or 0."""
    if isinstance(value, int):
        return value
    digits = ""
    for ch in str(value or "").strip():
        if not ch.isdigit():
            break
        digits += ch
    return int(digits) if digits else 0


def header(quiz: Quiz, options: StudentAnalysisOptions) -> list[RubyValue]:
    columns: list[RubyValue] = []
    if not options.anonymous:
        columns += ["name", "id"]
        if options.includes_sis_ids:
            columns.append("sis_id")
    columns += ["section", "section_id"]
    if options.includes_sis_ids:
        columns.append("section_sis_id")
    columns.append("submitted")
    if options.includes_all_versions:
        columns.append("attempt")
    for question in quiz.questions:
        columns.append(f"{question.id}: {strip_tags(question.question_text)}")
        columns.append(question.points_possible)
    columns += ["n correct", "n incorrect", "score"]
    return columns


def _row(
    quiz: Quiz,
    sub: QuizSubmission,
    people: Mapping[int, StudentInfo],
    options: StudentAnalysisOptions,
) -> list[RubyValue]:
    person = people.get(sub.user_id) if sub.user_id is not None else None
    row: list[RubyValue] = []
    if not options.anonymous:
        if person is not None:
            row += [person.name, sub.user_id]
            if options.includes_sis_ids:
                row.append(person.sis_id)
        else:
            row += ["", ""]
            if options.includes_sis_ids:
                row.append("")
    sections = person.sections if person else ()
    row.append(", ".join(s.name for s in sections))
    row.append(", ".join(str(s.id) for s in sections))
    if options.includes_sis_ids:
        row.append(", ".join(s.sis_id or "" for s in sections))
    row.append(sub.finished_at)
    if options.includes_all_versions:
        row.append(sub.attempt)
    for question in quiz.questions:
        response = sub.responses.get(question.id)
        if response is None:  # the question was not part of this attempt
            row += ["", ""]
            continue
        row.append(html_to_text(format_answer(question, response, options.attachment_names)))
        row.append(response.get("points"))
    responses = list(sub.responses.values())
    correct = sum(1 for r in responses if _truthy(r.get("correct")))
    row += [correct, len(responses) - correct, sub.score]
    return row


def _truthy(value: Any) -> bool:
    """Ruby truthiness: "partial", "undefined" and "no_score" count (only nil/false don't)."""
    return value is not None and value is not False


def student_analysis_csv(
    quiz: Quiz,
    submissions: Iterable[QuizSubmission],
    people: Mapping[int, StudentInfo],
    options: StudentAnalysisOptions | None = None,
) -> str:
    """The Student Analysis CSV; ``submissions`` are the quiz's students' and logged-out ones."""
    options = options or StudentAnalysisOptions()
    lines = [csv_line(header(quiz, options))]
    lines += [
        csv_line(_row(quiz, sub, people, options))
        for sub in select_submissions(submissions, options)
    ]
    return "".join(lines)
