"""The reliability world: the tool registered for real in a live emulator, one frozen clock.

Why not reuse the report tests' harness as is: reliability tests need *real* OAuth tokens
(refresh tokens that Canvas can refresh or revoke), a client whose timeouts and sleeps the
test controls, and a record of every pause the client made. ``ReliableWorld`` is the report
harness's ``World`` on a platform registered through the emulator's developer-key
registration, with users authorized through the real OAuth round trip.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask

from app.canvas.factory import ClientOptions
from app.canvas.http import HttpPolicy
from app.models.job import Job
from app.reports.status import JobStatus
from emulator.settings import EmulatorSettings
from emulator.store import AccountReport
from emulator.testing import LiveEmulator
from tests.integration.oauth_harness import CanvasWorld, build_canvas_world
from tests.integration.reports_harness import (
    ADMIN_ROLES,
    TEACHER_ROLES,
    Actor,
    RequestCounter,
    World,
)

ADA = 1  # root account admin
TINA = 3  # teacher of 101, 102, 104
REPORT_SECONDS = 60.0

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


@dataclass
class ReliableWorld(World):
    """``World`` plus real OAuth, an adjustable HTTP policy and a log of the client's pauses."""

    oauth_world: CanvasWorld | None = None
    http_policy: HttpPolicy = field(default_factory=HttpPolicy)
    pauses: list[float] = field(default_factory=list)

    def options(self) -> ClientOptions:
        return ClientOptions(
            settings=self.app.extensions["settings"],
            box=self.app.extensions["secret_box"],
            now=self.now,
            sleep=self.pause,
            policy=self.http_policy,
        )

    def pause(self, seconds: float) -> None:
        """The client's sleep: recorded, and time passes on Canvas (its throttle leaks)."""
        self.pauses.append(seconds)
        self.advance(seconds)

    @property
    def oauth(self) -> CanvasWorld:
        assert self.oauth_world is not None
        return self.oauth_world

    def connect(self, user_id: int) -> None:
        """The user authorizes the tool through Canvas's consent page (real tokens)."""
        answer = self.oauth.authorize(self.oauth.launch(user_id))
        assert answer.status_code == 200, answer.get_data(as_text=True)

    def admin(self) -> Actor:
        return self.launch(
            ADA, roles=ADMIN_ROLES, canvas_roles=["Account Admin"], account_id=1, authorize=False
        )

    def teacher(self) -> Actor:
        return self.launch(
            TINA,
            roles=TEACHER_ROLES,
            canvas_roles=["TeacherEnrollment"],
            course_id=101,
            authorize=False,
        )

    def canvas_account_reports(self) -> list[AccountReport]:
        store = self.live.emulator.store
        with store.lock:
            return list(store.account_reports.values())

    def settle(self, step: float = 1.0, limit: int = 2000) -> None:
        """Advance and sweep until no job is live (the harness's loop, with a wider limit)."""
        self.run_until_settled(step=step, limit=limit)


def history(job: Job) -> list[str]:
    """The job's status history, oldest first (``None`` → the creation event)."""
    return [event.to_status for event in job.events]


def assert_intact(job: Job, *, status: JobStatus, report_id: int | None) -> None:
    """The row still names its Canvas report and its history ends in ``status``."""
    assert job.status == status, (job.status, job.error, history(job))
    assert history(job)[0] == JobStatus.STARTING  # recorded by the request, started by the worker
    assert history(job)[-1] == status
    if report_id is not None:
        assert job.canvas_report_id == report_id


@pytest.fixture
def emulator() -> Iterator[LiveEmulator]:
    """A small emulator whose reports take a minute of its (frozen) clock."""
    with LiveEmulator(EmulatorSettings(size="small", report_seconds=REPORT_SECONDS)) as live:
        yield live


def build_reliable_world(app: Flask, live: LiveEmulator) -> ReliableWorld:
    oauth_world = build_canvas_world(app, live)
    counter = RequestCounter(live.app.wsgi_app)
    live.app.wsgi_app = counter  # type: ignore[method-assign]
    return ReliableWorld(
        app=app,
        live=live,
        platform_id=oauth_world.platform_id,
        canvas=counter,
        oauth_world=oauth_world,
    )


@pytest.fixture
def world(app: Flask, emulator: LiveEmulator) -> Iterator[ReliableWorld]:
    built = build_reliable_world(app, emulator)
    yield built
    emulator.emulator.store.clock.unfreeze()


class AnswerLost:
    """WSGI middleware: Canvas does the work, then a gateway loses the answer.

    Route faults in the emulator act *before* the view; a lost answer needs the view to
    run (the report exists) and the client to see a 502 anyway, as behind a load balancer
    that gave up on a slow upstream. Matching requests (``method`` + exact ``path``) are
    served normally and their answer replaced, ``count`` times.
    """

    def __init__(self, inner: WsgiApp, method: str, path: str, count: int = 1) -> None:
        self.inner = inner
        self.method = method
        self.path = path
        self.remaining = count
        self.lost = 0

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        matches = environ["REQUEST_METHOD"] == self.method and environ["PATH_INFO"] == self.path
        if not matches or self.remaining <= 0:
            return self.inner(environ, start_response)
        self.remaining -= 1
        captured: list[Any] = []

        def swallow(status: str, headers: list[tuple[str, str]], *_exc: Any) -> None:
            captured.append(status)

        body = self.inner(environ, swallow)
        for _chunk in body:  # let the view finish, as Canvas would
            pass
        close = getattr(body, "close", None)
        if callable(close):
            close()
        self.lost += 1
        start_response("502 Bad Gateway", [("Content-Type", "text/html")])
        return [b"<html><body>502 Bad Gateway</body></html>"]


@pytest.fixture
def lose_answers(emulator: LiveEmulator) -> Iterator[Callable[[str, str, int], AnswerLost]]:
    """Install ``AnswerLost`` on the live emulator (removed after the test)."""
    original = emulator.app.wsgi_app

    def install(method: str, path: str, count: int = 1) -> AnswerLost:
        middleware = AnswerLost(emulator.app.wsgi_app, method, path, count)
        emulator.app.wsgi_app = middleware  # type: ignore[method-assign]
        return middleware

    yield install
    emulator.app.wsgi_app = original  # type: ignore[method-assign]
