"""tests/support/factories.py builds rows that a real database accepts, with their defaults."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from app.db import Database
from app.models.canvas_token import CanvasToken
from app.models.job import Job
from app.models.launch import Launch
from app.models.platform import Deployment, Platform
from tests.support import factories


def test_every_factory_row_inserts_and_links_up(app: Flask) -> None:
    db: Database = app.extensions["db"]
    box = app.extensions["secret_box"]
    with db.session() as session:
        platform = factories.platform()
        session.add(platform)
        session.flush()
        session.add(factories.deployment(platform.id))
        session.add(factories.launch(platform_id=platform.id))
        session.add(factories.job(platform_id=platform.id))
        token = factories.canvas_token(session, box, platform_id=platform.id, canvas_user_id=3)
        assert token.access_token_encrypted != b"access-token"
        assert box.decrypt(token.access_token_encrypted) == "access-token"
    with db.session() as session:
        [stored] = session.scalars(select(Platform)).all()
        assert (stored.issuer, stored.canvas_url) == ("https://canvas.test", "https://canvas.test")
        assert [d.deployment_id for d in stored.deployments] == ["1:deployment"]
        launch = session.scalars(select(Launch)).one()
        assert (launch.context_type, launch.canvas_course_id, launch.canvas_user_id) == (
            "course", 101, 3)
        job = session.scalars(select(Job)).one()
        assert (job.family, job.status, job.events) == ("account", "queued", [])
        assert session.scalars(select(CanvasToken.canvas_user_id)).all() == [3]
        assert session.scalars(select(Deployment.platform_id)).all() == [stored.id]


def test_keywords_override_the_defaults() -> None:
    launch = factories.launch(context_type="account", canvas_course_id=None, canvas_account_id=2,
                              roles=[factories.ADMINISTRATOR], user_name="Ada Admin")
    assert (launch.placement, launch.canvas_account_id, launch.roles, launch.user_name) == (
        "account_navigation", 2, [factories.ADMINISTRATOR], "Ada Admin")
    job = factories.job(family="quiz", canvas_quiz_id=201)
    assert (job.family, job.canvas_quiz_id, job.report_type) == (
        "quiz", 201, "last_user_access_csv")
    assert factories.launch().id != factories.launch().id
