"""New Quizzes report files: the emulator's own CSV and JSON shapes.

Canvas does not publish what the New Quizzes service puts in these files (reports-api.md §4),
so these shapes are the emulator's design, documented in ``docs/emulator-quizzes.md``. They
stay close to the classic reports so a client can reuse its parsing:

* student analysis: one row per student (their latest completed attempt), an answer and a
  points column per item, then ``n correct``, ``n incorrect``, ``score``;
* item analysis: one row per item from each student's first completed attempt, with
  difficulty, discrimination (upper minus lower 27 %), item-total point biserial, score
  variance and, for choice items, the frequency of every answer.

Pure functions of plain records (``Assignment``, its questions and attempts, people).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from emulator.reports.quiz_format import RubyValue, csv_line, html_to_text, ruby_round, strip_tags
from emulator.reports.student_analysis import StudentInfo
from emulator.store import Assignment, QuizQuestion, QuizSubmission

CHOICE_TYPES = ("multiple_choice_question", "true_false_question", "multiple_answers_question")
COMPLETED_STATES = ("complete", "pending_review")
GROUP_SHARE = 0.27
MAX_ANSWER_COLUMNS_FLOOR = 0

ITEM_HEADER = (
    "item_id", "position", "item_type", "item_title", "points_possible", "responses",
    "correct", "partially_correct", "incorrect", "blank", "difficulty_index",
    "discrimination_index", "point_biserial", "mean_score", "variance", "standard_deviation",
)


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _pvariance(values: Sequence[float]) -> float | None:
    mean = _mean(values)
    if mean is None:
        return None
    return sum((v - mean) ** 2 for v in values) / len(values)


def _pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Correlation, None when either side has no spread (or fewer than two points)."""
    if len(xs) < 2:
        return None
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / math.sqrt(sxx * syy)


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def latest_attempts(submissions: Sequence[QuizSubmission]) -> list[QuizSubmission]:
    chosen: dict[int, QuizSubmission] = {}
    for sub in sorted(submissions, key=lambda s: (s.attempt, s.id)):
        if sub.user_id is not None and sub.workflow_state in COMPLETED_STATES:
            chosen[sub.user_id] = sub
    return sorted(chosen.values(), key=lambda s: s.user_id or 0)


def first_attempts(submissions: Sequence[QuizSubmission]) -> list[QuizSubmission]:
    chosen: dict[int, QuizSubmission] = {}
    for sub in sorted(submissions, key=lambda s: (s.attempt, s.id)):
        if sub.user_id is not None and sub.workflow_state in COMPLETED_STATES:
            chosen.setdefault(sub.user_id, sub)
    return sorted(chosen.values(), key=lambda s: s.user_id or 0)


def _answer_text(question: QuizQuestion, response: Mapping[str, Any]) -> str:
    if question.question_type == "multiple_answers_question":
        return ", ".join(a.text for a in question.answers
                         if response.get(f"answer_{a.id}") == "1")
    chosen = next((a for a in question.answers if a.id == response.get("answer_id")), None)
    if chosen is not None:
        return chosen.text
    return html_to_text(str(response.get("text") or ""))


def _is_correct(response: Mapping[str, Any]) -> bool:
    return response.get("correct") is True


# ---------------------------------------------------------------- student analysis


def _student_rows(assignment: Assignment,
                  people: Mapping[int, StudentInfo]) -> list[dict[str, Any]]:
    rows = []
    for sub in latest_attempts(assignment.new_quiz_submissions):
        person = people.get(sub.user_id or 0, StudentInfo(name=""))
        responses = []
        for question in assignment.new_quiz_questions:
            response = sub.responses.get(question.id)
            responses.append({
                "item_id": question.id,
                "answer": _answer_text(question, response) if response else None,
                "points": float(response.get("points") or 0.0) if response else None,
                "correct": response.get("correct") if response else None,
            })
        seconds = (sub.finished_at - sub.started_at).total_seconds() if sub.finished_at else None
        rows.append({
            "user_id": sub.user_id,
            "name": person.name,
            "sis_id": person.sis_id,
            "sections": [s.name for s in person.sections],
            "attempt": sub.attempt,
            "started_at": _iso(sub.started_at),
            "submitted_at": _iso(sub.finished_at),
            "time_spent_seconds": int(seconds) if seconds is not None else None,
            "score": sub.score,
            "n_correct": sum(1 for r in sub.responses.values() if _is_correct(r)),
            "n_incorrect": sum(1 for r in sub.responses.values() if not _is_correct(r)),
            "responses": responses,
        })
    return rows


def _items(assignment: Assignment) -> list[dict[str, Any]]:
    return [{"id": q.id, "position": q.position, "type": q.question_type,
             "title": strip_tags(q.question_text), "points_possible": q.points_possible}
            for q in assignment.new_quiz_questions]


def _quiz_block(assignment: Assignment) -> dict[str, Any]:
    return {"assignment_id": assignment.id, "course_id": assignment.course_id,
            "title": assignment.name, "points_possible": assignment.points_possible,
            "item_count": len(assignment.new_quiz_questions)}


def student_analysis_json(assignment: Assignment, people: Mapping[int, StudentInfo],
                          generated_at: datetime) -> str:
    return json.dumps({
        "report_type": "student_analysis",
        "generated_at": _iso(generated_at),
        "quiz": _quiz_block(assignment),
        "items": _items(assignment),
        "students": _student_rows(assignment, people),
    }, indent=2)


def student_analysis_csv(assignment: Assignment, people: Mapping[int, StudentInfo]) -> str:
    header: list[RubyValue] = ["name", "user_id", "sis_id", "section", "attempt", "started_at",
                               "submitted_at", "time_spent_seconds"]
    for question in assignment.new_quiz_questions:
        header += [f"{question.id}: {strip_tags(question.question_text)}",
                   question.points_possible]
    header += ["n correct", "n incorrect", "score"]
    lines = [csv_line(header)]
    for row in _student_rows(assignment, people):
        values: list[RubyValue] = [row["name"], row["user_id"], row["sis_id"],
                                   ", ".join(row["sections"]), row["attempt"],
                                   row["started_at"], row["submitted_at"],
                                   row["time_spent_seconds"]]
        for response in row["responses"]:
            values += [response["answer"], response["points"]]
        values += [row["n_correct"], row["n_incorrect"], row["score"]]
        lines.append(csv_line(values))
    return "".join(lines)


# ---------------------------------------------------------------- item analysis


@dataclass(frozen=True)
class _Groups:
    upper: frozenset[int]
    lower: frozenset[int]


def _groups(scores: Mapping[int, float]) -> _Groups:
    """Upper and lower 27 % of students by total score (at least one each)."""
    ranked = sorted(scores, key=lambda uid: (scores[uid], uid))
    size = max(1, ruby_round(len(ranked) * GROUP_SHARE)) if ranked else 0
    return _Groups(frozenset(ranked[-size:]) if size else frozenset(),
                   frozenset(ranked[:size]))


def _item_stats(question: QuizQuestion, attempts: Sequence[QuizSubmission],
                groups: _Groups) -> dict[str, Any]:
    answered = [(s, s.responses[question.id]) for s in attempts
                if question.id in s.responses and not _blank(question, s.responses[question.id])]
    blank = sum(1 for s in attempts if question.id in s.responses) - len(answered)
    points = [float(r.get("points") or 0.0) for _s, r in answered]
    totals = [s.score for s, _r in answered]
    possible = question.points_possible or 0.0
    correct = sum(1 for _s, r in answered if r.get("correct") is True)
    partial = sum(1 for _s, r in answered if r.get("correct") == "partial")

    def share(group: frozenset[int]) -> float | None:
        earned = [float(r.get("points") or 0.0) / possible
                  for s, r in answered if s.user_id in group]
        return _mean(earned) if possible else None

    upper, lower = share(groups.upper), share(groups.lower)
    variance = _pvariance(points)
    stats: dict[str, Any] = {
        "item_id": question.id,
        "position": question.position,
        "item_type": question.question_type,
        "item_title": strip_tags(question.question_text),
        "points_possible": possible,
        "responses": len(answered),
        "correct": correct,
        "partially_correct": partial,
        "incorrect": len(answered) - correct - partial,
        "blank": blank,
        "difficulty_index": _round(sum(points) / len(points) / possible
                                   if points and possible else None),
        "discrimination_index": _round(upper - lower
                                       if upper is not None and lower is not None else None),
        "point_biserial": _round(_pearson(points, totals)),
        "mean_score": _round(_mean(points)),
        "variance": _round(variance),
        "standard_deviation": _round(math.sqrt(variance) if variance is not None else None),
        "answers": [],
    }
    if question.question_type in CHOICE_TYPES:
        for answer in question.answers:
            count = sum(1 for _s, r in answered if _chose(r, answer.id))
            stats["answers"].append({
                "id": answer.id, "text": answer.text, "correct": answer.weight == 100,
                "count": count,
                "ratio": _round(count / len(answered) if answered else 0.0),
            })
    return stats


def _chose(response: Mapping[str, Any], answer_id: int) -> bool:
    return response.get("answer_id") == answer_id or response.get(f"answer_{answer_id}") == "1"


def _blank(question: QuizQuestion, response: Mapping[str, Any]) -> bool:
    if question.question_type == "multiple_answers_question":
        return not any(response.get(f"answer_{a.id}") == "1" for a in question.answers)
    if question.question_type in CHOICE_TYPES:
        return response.get("answer_id") is None
    return not str(response.get("text") or "").strip()


def item_analysis(assignment: Assignment) -> dict[str, Any]:
    attempts = first_attempts(assignment.new_quiz_submissions)
    scores = {s.user_id or 0: s.score for s in attempts}
    groups = _groups(scores)
    items = [_item_stats(q, attempts, groups) for q in assignment.new_quiz_questions
             if q.question_type != "text_only_question"]
    item_variances = [i["variance"] for i in items if i["variance"] is not None]
    total_variance = _pvariance(list(scores.values()))
    alpha = None
    if len(items) > 1 and total_variance and len(item_variances) == len(items):
        alpha = len(items) / (len(items) - 1) * (1 - sum(item_variances) / total_variance)
    return {
        "report_type": "item_analysis",
        "quiz": _quiz_block(assignment),
        "summary": {
            "respondents": len(attempts),
            "mean_score": _round(_mean(list(scores.values()))),
            "standard_deviation": _round(math.sqrt(total_variance)
                                         if total_variance is not None else None),
            "alpha": _round(alpha),
        },
        "items": items,
    }


def item_analysis_json(assignment: Assignment, generated_at: datetime) -> str:
    body = item_analysis(assignment)
    return json.dumps({"report_type": body.pop("report_type"),
                       "generated_at": _iso(generated_at), **body}, indent=2)


def item_analysis_csv(assignment: Assignment) -> str:
    body = item_analysis(assignment)
    items: list[dict[str, Any]] = body["items"]
    width = max((len(i["answers"]) for i in items), default=MAX_ANSWER_COLUMNS_FLOOR)
    header: list[RubyValue] = list(ITEM_HEADER)
    for n in range(1, width + 1):
        header += [f"answer_{n}_text", f"answer_{n}_correct", f"answer_{n}_count"]
    lines = [csv_line(header)]
    for item in items:
        values: list[RubyValue] = [item[key] for key in ITEM_HEADER]
        for n in range(width):
            answer = item["answers"][n] if n < len(item["answers"]) else None
            values += ([answer["text"], answer["correct"], answer["count"]] if answer
                       else [None, None, None])
        lines.append(csv_line(values))
    return "".join(lines)
