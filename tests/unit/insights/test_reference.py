"""The optimised statistics equal a plain, definition-by-definition implementation.

``analyse`` takes shortcuts for speed (score-sorted slices, runs of equal scores, columns
with blanks left uncopied); this recomputes everything the slow obvious way on random
quizzes with ties, blanks, unshown questions, partial credit, blanks that earned points and
many distinct answers.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

import pytest

from app.insights.analysis import analyse
from app.insights.groups import ruby_round
from app.insights.parse import parse_report
from app.insights.table import ResponseTable
from tests.unit.insights.reports import Attempt, QuizSpec, student_analysis_csv


@dataclass
class Cell:
    answer: str | None  # None: not shown
    points: float | None


def random_quiz(seed: int) -> tuple[QuizSpec, list[list[Cell]], list[float]]:
    rng = random.Random(seed)
    # every fourth quiz has many distinct wrong answers (the per-answer loop, not compress)
    wrong = "bcd" if seed % 4 != 1 else ["b", *(f"w{j}" for j in range(20))]
    n, k = rng.randint(4, 60), rng.randint(3, 8)
    possible = [rng.choice([1.0, 2.0]) for _ in range(k)]
    partial = [rng.random() < 0.3 for _ in range(k)]
    rows: list[list[Cell]] = []
    scores: list[float] = []
    for _ in range(n):
        ability = rng.random()
        row = []
        for q in range(k):
            roll = rng.random()
            if roll < 0.05:
                row.append(Cell(None, None))
            elif roll < 0.10:
                row.append(Cell("", possible[q] if rng.random() < 0.3 else 0.0))
            else:
                answer = "a" if rng.random() < ability else rng.choice(wrong)
                earned = possible[q] if answer == "a" else 0.0
                if partial[q] and answer == "b":
                    earned = possible[q] / 2
                row.append(Cell(answer, earned))
        rows.append(row)
        total = sum(c.points or 0.0 for c in row)
        scores.append(total + (rng.choice([0.0, 0.0, 1.0]) if seed % 3 == 0 else 0.0))
    spec = QuizSpec(
        [(10 + q, f"Q{q}", possible[q]) for q in range(k)],
        [
            Attempt([c.answer for c in row], [c.points for c in row], score=score)
            for row, score in zip(rows, scores, strict=True)
        ],
    )
    return spec, rows, scores


def canvas_groups(scores: list[float]) -> dict[str, set[int]]:
    ranked = sorted(range(len(scores)), key=lambda i: scores[i])
    previous, groups = len(ranked), {}
    for name, cutoff in (("top", 0.73), ("middle", 0.27), ("bottom", 0.0)):
        floor = ruby_round(cutoff * len(ranked))
        floor_score = scores[ranked[floor]] if floor < len(ranked) else None
        while floor > 0 and scores[ranked[floor - 1]] == floor_score:
            floor -= 1
        groups[name] = set(ranked[floor:previous])
        previous = floor
    return groups


def pvar(values: list[float]) -> float:
    mean = sum(values) / len(values)
    return sum((v - mean) ** 2 for v in values) / len(values)


def pearson(xs: list[float], ys: list[float]) -> float | None:
    if len(xs) < 2 or pvar(xs) < 1e-12 or pvar(ys) < 1e-12:
        return None
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    cov = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / len(xs)
    return cov / math.sqrt(pvar(xs) * pvar(ys))


def canvas_pb(chosen: list[int], respondents: list[int], scores: list[float]) -> float | None:
    others = [i for i in respondents if i not in set(chosen)]
    if not chosen or not others:
        return None
    sd = math.sqrt(pvar([scores[i] for i in respondents]))
    if sd == 0:
        return None
    p = len(chosen) / len(respondents)
    m1 = sum(scores[i] for i in chosen) / len(chosen)
    m0 = sum(scores[i] for i in others) / len(others)
    return (m1 - m0) / sd * math.sqrt(p * (1 - p))


def alpha(matrix: list[list[float]]) -> float | None:
    k = len(matrix[0])
    totals = [sum(r) for r in matrix]
    if k < 2 or pvar(totals) <= 0:
        return None
    return k / (k - 1) * (1 - sum(pvar([r[q] for r in matrix]) for q in range(k)) / pvar(totals))


def close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


@pytest.mark.parametrize("seed", range(40))
def test_statistics_equal_the_plain_definitions(seed: int) -> None:
    spec, rows, scores = random_quiz(seed)
    table = parse_report(student_analysis_csv(spec))
    assert isinstance(table, ResponseTable)
    insights = analyse(table)
    groups = canvas_groups(scores)
    matrix = [[c.points or 0.0 for c in row] for row in rows]
    assert close(insights.reliability.alpha, alpha(matrix))
    for q, item in enumerate(insights.items):
        s, pp = item.stats, spec.questions[q][2]
        resp = [i for i, row in enumerate(rows) if row[q].answer]
        xs = {i: rows[i][q].points or 0.0 for i in resp}
        assert s.respondents == len(resp)
        assert s.not_shown == sum(1 for row in rows if row[q].answer is None)
        if not resp:
            continue
        assert close(s.difficulty, sum(xs.values()) / len(resp) / pp)
        shares = {}
        for name in ("top", "bottom"):
            members = [i for i in resp if i in groups[name]]
            shares[name] = sum(xs[i] for i in members) / len(members) / pp if members else None
        assert (s.top_respondents, s.bottom_respondents) == (
            len([i for i in resp if i in groups["top"]]),
            len([i for i in resp if i in groups["bottom"]]),
        )
        assert close(s.upper_difficulty, shares["top"])
        assert close(s.lower_difficulty, shares["bottom"])
        if s.dichotomous:
            full = [i for i in resp if xs[i] == pp]
            assert close(s.point_biserial, canvas_pb(full, resp, scores))
        else:
            assert close(
                s.point_biserial, pearson([xs[i] for i in resp], [scores[i] for i in resp])
            )
        column = [r[q] for r in matrix]
        rest = [sum(r) - r[q] for r in matrix]
        assert close(s.item_rest, pearson(column, rest))
        if len(matrix[0]) > 2:
            assert close(s.alpha_if_deleted, alpha([r[:q] + r[q + 1 :] for r in matrix]))
        for option in s.options:
            chosen = [i for i in resp if rows[i][q].answer == option.text]
            assert option.count == len(chosen)
            assert option.top == len([i for i in chosen if i in groups["top"]])
            assert option.bottom == len([i for i in chosen if i in groups["bottom"]])
            assert close(option.point_biserial, canvas_pb(chosen, resp, scores))
            assert option.correct == all(xs[i] >= pp for i in chosen)
