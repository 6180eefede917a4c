"""A tool + live emulator pair for the report tests: platform, tokens, launches, one clock.

The emulator's clock is frozen and the tool reads the same clock (``app.extensions["clock"]``),
so tests advance time instead of sleeping and pass ``now`` to the worker's sweep.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from app.canvas.factory import ClientOptions, canvas_client_for_user
from app.canvas.oauth import TokenGrant
from app.canvas.token_store import TokenStore
from app.config import Settings
from app.crypto import SecretBox
from app.db import Database
from app.lti import launch_token
from app.models.job import Job
from app.models.launch import Launch
from app.models.platform import Platform
from app.reports import worker
from app.reports.polling import DEFAULT_POLICY, PollPolicy
from emulator.testing import LiveEmulator
from tests.emulator.conftest import make_token

LIS = "http://purl.imsglobal.org/vocab/lis/v2"
ADMIN_ROLES = [f"{LIS}/institution/person#Administrator"]
TEACHER_ROLES = [f"{LIS}/membership#Instructor"]
TA_ROLES = [f"{LIS}/membership/Instructor#TeachingAssistant"]
STUDENT_ROLES = [f"{LIS}/membership#Learner"]


@dataclass
class Actor:
    """One launched user: a launch row, its token, and a test client that sends it."""

    world: World
    launch_id: str
    token: str
    user_id: int
    http: FlaskClient

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        sep = "&" if "?" in path else "?"
        return self.http.get(f"{path}{sep}lt={self.token}", **kwargs)

    def api(self, path: str) -> TestResponse:
        return self.http.get(path, headers={"Authorization": f"Bearer {self.token}"})

    def post(self, path: str, data: dict[str, str] | None = None, **kwargs: Any) -> TestResponse:
        return self.http.post(path, data={"lt": self.token, **(data or {})}, **kwargs)


class RequestCounter:
    """WSGI middleware on the emulator: how many requests Canvas has answered."""

    def __init__(self, wsgi: Any) -> None:
        self.wsgi = wsgi
        self.count = 0

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if not environ.get("PATH_INFO", "").startswith("/_emulator/"):
            self.count += 1
        return self.wsgi(environ, start_response)


@dataclass
class World:
    app: Flask
    live: LiveEmulator
    platform_id: int
    canvas: RequestCounter
    policy: PollPolicy = field(default_factory=lambda: DEFAULT_POLICY)
    actors: dict[str, Actor] = field(default_factory=dict)

    @property
    def db(self) -> Database:
        db: Database = self.app.extensions["db"]
        return db

    def now(self) -> datetime:
        return self.live.emulator.store.clock.now()

    def advance(self, seconds: float) -> None:
        self.live.emulator.store.clock.advance(seconds)

    def options(self) -> ClientOptions:
        return ClientOptions(
            settings=self.app.extensions["settings"],
            box=self.app.extensions["secret_box"],
            now=self.now,
            sleep=lambda _s: None,
        )

    def sweep(self) -> worker.SweepResult:
        """One worker pass at the emulator's current time."""
        with self.app.app_context():
            return worker.sweep(
                self.db,
                lambda session, platform, user: canvas_client_for_user(
                    session, platform, user, self.options()
                ),
                self.now(),
                self.policy,
            )

    def run_until_settled(self, step: float = 1.0, limit: int = 400) -> None:
        """Advance the clock in ``step`` seconds, sweeping, until no job is live."""
        for _ in range(limit):
            if not self.live_jobs():
                return
            self.advance(step)
            self.sweep()
        raise AssertionError("jobs did not settle")

    def live_jobs(self) -> list[Job]:
        with self.db.session() as session:
            rows = (
                session.query(Job).filter(Job.status.in_(["starting", "queued", "running"])).all()
            )
            return list(rows)

    def job(self, job_id: int) -> Job:
        with self.db.session() as session:
            row = session.get(Job, job_id)
            assert row is not None
            _ = list(row.events)
            return row

    def jobs(self) -> list[Job]:
        with self.db.session() as session:
            rows = session.query(Job).order_by(Job.id).all()
            for row in rows:
                _ = list(row.events)
            return list(rows)

    def authorize(self, user_id: int) -> str:
        """Give ``user_id`` a Canvas token in the emulator and store it in the tool."""
        token = make_token(self.live.emulator, user_id)
        box: SecretBox = self.app.extensions["secret_box"]
        with self.db.session() as session:
            TokenStore(session, box).save(
                self.platform_id,
                user_id,
                TokenGrant(
                    access_token=token,
                    refresh_token=None,
                    expires_at=self.now() + timedelta(days=30),
                    canvas_user_id=user_id,
                    scopes="",
                ),
            )
        return token

    def launch(
        self,
        user_id: int,
        *,
        roles: list[str],
        canvas_roles: list[str] | None = None,
        course_id: int | None = None,
        account_id: int | None = None,
        quiz_id: int | None = None,
        assignment_id: int | None = None,
        authorize: bool = True,
        name: str | None = None,
        placement: str | None = None,
    ) -> Actor:
        launch_id = str(uuid.uuid4())
        context_type = "course" if course_id is not None else "account"
        with self.db.session() as session:
            session.add(
                Launch(
                    id=launch_id,
                    platform_id=self.platform_id,
                    deployment_id="1",
                    user_sub=f"sub-{user_id}",
                    canvas_user_id=user_id,
                    user_name=name or f"User {user_id}",
                    roles=roles,
                    canvas_roles=canvas_roles or [],
                    placement=placement or f"{context_type}_navigation",
                    context_type=context_type,
                    context_title=f"{context_type} {course_id or account_id}",
                    canvas_course_id=course_id,
                    canvas_account_id=account_id,
                    canvas_quiz_id=quiz_id,
                    canvas_assignment_id=assignment_id,
                    canvas_api_base_url=self.live.url,
                    created_at=self.now(),
                    expires_at=self.now() + timedelta(days=1),
                )
            )
        if authorize:
            self.authorize(user_id)
        settings: Settings = self.app.extensions["settings"]
        token = launch_token.issue(settings, launch_id, now=self.now().timestamp())
        return Actor(self, launch_id, token, user_id, self.app.test_client())


def build_world(app: Flask, live: LiveEmulator) -> World:
    """Register the emulator as a platform in the tool and share the emulator's clock."""
    live.emulator.store.clock.freeze()
    box: SecretBox = app.extensions["secret_box"]
    app.extensions["clock"] = live.emulator.store.clock.now
    db: Database = app.extensions["db"]
    with db.session() as session:
        platform = Platform(
            issuer=live.url,
            client_id="10000000000001",
            auth_login_url=f"{live.url}/api/lti/authorize_redirect",
            auth_token_url=f"{live.url}/login/oauth2/token",
            key_set_url=f"{live.url}/api/lti/security/jwks",
            canvas_url=live.url,
            api_client_id="10000000000002",
            api_client_secret_encrypted=box.encrypt("not-used-with-stored-tokens"),
        )
        session.add(platform)
        session.flush()
        platform_id = platform.id
    counter = RequestCounter(live.app.wsgi_app)
    live.app.wsgi_app = counter  # type: ignore[method-assign]
    return World(app=app, live=live, platform_id=platform_id, canvas=counter)


def world_for(app: Flask, emulator: LiveEmulator) -> Iterator[World]:
    """Body of each test module's ``world`` fixture (tool + live emulator, one frozen clock)."""
    built = build_world(app, emulator)
    yield built
    emulator.emulator.store.clock.unfreeze()
