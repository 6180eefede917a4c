"""Small builders shared by the quiz tests (helper B2's test files)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from emulator.store import Answer, QuizQuestion

T0 = datetime(2026, 9, 15, 10, 0, tzinfo=UTC)


def mc_question(qid: int, position: int, *, text: str = "Question", points: float = 1.0,
                kind: str = "multiple_choice_question") -> QuizQuestion:
    """A question with answers ``qid*10+1`` (correct), ``+2`` and ``+3``."""
    answers = [Answer(qid * 10 + 1, "Right", 100.0, 1), Answer(qid * 10 + 2, "Wrong", 0.0, 2),
               Answer(qid * 10 + 3, "Other", 0.0, 3)]
    return QuizQuestion(qid, 1, position, kind, f"Question {position}", text, points, answers)


def question(qid: int, kind: str, answers: list[Answer] | None = None, *,
             text: str = "Q", points: float = 1.0,
             extra: dict[str, Any] | None = None) -> QuizQuestion:
    return QuizQuestion(qid, 1, qid, kind, f"Question {qid}", text, points, answers or [],
                        extra or {})
