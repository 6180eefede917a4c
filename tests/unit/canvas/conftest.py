from __future__ import annotations

import random

import pytest

from app.canvas.http import CanvasRequester
from app.canvas.tokens import StaticTokenSource
from tests.support.canvas_probe import ProbeClient
from tests.unit.canvas.fakes import FakeCanvas

BASE = "https://canvas.test"
UA = "canvas-reports-tests/1.0 (+https://tool.test)"


class RecordingSleep:
    """Stands in for time.sleep: records the waits, never blocks."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)

    @property
    def total(self) -> float:
        return sum(self.calls)


class RotatingTokens:
    """A token source whose refresh hands out a new token (counts refreshes)."""

    def __init__(self) -> None:
        self.current = "token-1"
        self.refreshes = 0

    def access_token(self) -> str:
        return self.current

    def refresh(self, rejected: str) -> str:
        self.refreshes += 1
        self.current = f"token-{self.refreshes + 1}"
        return self.current


@pytest.fixture
def fake() -> FakeCanvas:
    return FakeCanvas()


@pytest.fixture
def sleep() -> RecordingSleep:
    return RecordingSleep()


@pytest.fixture
def tokens() -> RotatingTokens:
    return RotatingTokens()


@pytest.fixture
def requester(fake: FakeCanvas, sleep: RecordingSleep, tokens: RotatingTokens) -> CanvasRequester:
    return CanvasRequester(
        BASE, tokens, user_agent=UA, session=fake.session(), sleep=sleep, rng=random.Random(4)
    )


@pytest.fixture
def canvas(requester: CanvasRequester) -> ProbeClient:
    return ProbeClient(requester)


@pytest.fixture
def static_canvas(fake: FakeCanvas, sleep: RecordingSleep) -> ProbeClient:
    return ProbeClient(
        CanvasRequester(
            BASE, StaticTokenSource("fixed"), user_agent=UA, session=fake.session(), sleep=sleep
        )
    )
