"""Builders for small Student Analysis CSVs used by the insights tests."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass
class Attempt:
    """One row: answers and points per question (None: question not shown), and the score."""

    answers: Sequence[str | None]
    points: Sequence[float | None]
    score: float | None = None
    student: int | None = None
    attempt: int = 1
    name: str = ""
    section: tuple[str, str] = ("Section 1", "7")  # names and ids, joined with ", "


@dataclass
class QuizSpec:
    questions: Sequence[tuple[int, str, float]]  # id, text, points possible
    attempts: list[Attempt] = field(default_factory=list)


def student_analysis_csv(
    spec: QuizSpec,
    *,
    all_versions: bool = False,
    anonymous: bool = False,
    delimiter: str = ",",
    bom: bool = False,
) -> str:
    """A classic Student Analysis CSV shaped like reports-api.md section 3.6."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    header: list[str] = [] if anonymous else ["name", "id"]
    header += ["section", "section_id", "submitted"]
    if all_versions:
        header.append("attempt")
    for qid, text, points in spec.questions:
        header += [f"{qid}: {text}", f"{points:.1f}"]
    header += ["n correct", "n incorrect", "score"]
    writer.writerow(header)
    for number, row in enumerate(spec.attempts):
        cells: list[str] = []
        if not anonymous:
            student = row.student if row.student is not None else 100 + number
            cells += [row.name or f"Student {student}", str(student)]
        cells += [*row.section, "2026-09-15 10:00:00 UTC"]
        if all_versions:
            cells.append(str(row.attempt))
        for answer, earned in zip(row.answers, row.points, strict=True):
            cells += ["" if answer is None else answer, "" if earned is None else f"{earned}"]
        total = sum(p or 0.0 for p in row.points) if row.score is None else row.score
        correct = sum(1 for p in row.points if p)
        cells += [str(correct), str(len(row.points) - correct), f"{total}"]
        writer.writerow(cells)
    text = out.getvalue()
    return ("\ufeff" + text) if bom else text


def dichotomous(
    matrix: Sequence[Sequence[int]], keys: Sequence[str], choices: Sequence[Sequence[str]]
) -> QuizSpec:
    """A 1-point-per-item quiz from a 0/1 matrix; ``choices[r][q]`` is the answer given."""
    questions = [(1000 + q, f"Question {q + 1}", 1.0) for q in range(len(keys))]
    attempts = [
        Attempt(answers=list(answers), points=[float(v) for v in row])
        for row, answers in zip(matrix, choices, strict=True)
    ]
    return QuizSpec(questions, attempts)
