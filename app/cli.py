"""``flask --app app ...`` commands: platforms, keys, db."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import click
from alembic import command
from alembic.config import Config
from flask import Flask
from flask.cli import AppGroup

from app.db import database
from app.errors import ToolError
from app.extensions import current_now, current_secret_box, current_settings
from app.lti import keys as tool_keys
from app.lti.registrations import PlatformInput, add_platform, list_platforms, remove_platform

platforms = AppGroup("platforms", help="LTI platform registrations (a Canvas and its deployments).")
keys = AppGroup("keys", help="The tool's RSA signing keys.")
db = AppGroup("db", help="Database schema (Alembic).")

REPO_ROOT = Path(__file__).resolve().parent.parent


@platforms.command("add")
@click.option("--issuer", required=True)
@click.option("--client-id", required=True)
@click.option("--deployment-id", required=True)
@click.option("--auth-login-url", required=True)
@click.option("--auth-token-url", required=True)
@click.option("--key-set-url", required=True)
@click.option("--canvas-url", required=True)
@click.option("--api-client-id", required=True)
@click.option("--api-client-secret", required=True)
def platforms_add(**values: str) -> None:
    """Register a Canvas (or add a deployment to a registered one)."""
    try:
        with database().session() as session:
            platform, created = add_platform(session, current_secret_box(), PlatformInput(**values))
            tool_keys.ensure_active_key(session, current_secret_box(), current_now())
            message = (
                f"{'Added' if created else 'Updated'} platform {platform.id} "
                f"({platform.issuer}, client {platform.client_id}); "
                f"deployment {values['deployment_id']} registered."
            )
    except ToolError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(message)


@platforms.command("list")
def platforms_list() -> None:
    """Show registrations (never secrets)."""
    with database().session() as session:
        found = list_platforms(session)
        if not found:
            click.echo("No platforms registered.")
            return
        for platform in found:
            deployments = ", ".join(d.deployment_id for d in platform.deployments) or "-"
            click.echo(
                f"{platform.id}\t{platform.issuer}\tclient {platform.client_id}\t"
                f"canvas {platform.canvas_url}\tapi key {platform.api_client_id}\t"
                f"deployments: {deployments}"
            )


@platforms.command("remove")
@click.argument("platform_id", type=int)
@click.option("--deployment-id", default=None, help="Remove only this deployment.")
def platforms_remove(platform_id: int, deployment_id: str | None) -> None:
    """Remove a platform (with its launches and tokens) or one of its deployments."""
    try:
        with database().session() as session:
            remove_platform(session, platform_id, deployment_id)
    except ToolError as exc:
        raise click.ClickException(exc.message) from exc
    what = f"deployment {deployment_id} of " if deployment_id else ""
    click.echo(f"Removed {what}platform {platform_id}.")


@keys.command("rotate")
def keys_rotate() -> None:
    """Add a new signing key; old keys stay published for the grace period, then go."""
    grace = timedelta(days=current_settings().key_rotation_grace_days)
    with database().session() as session:
        key = tool_keys.rotate(session, current_secret_box(), current_now(), grace)
        kid = key.kid
    click.echo(f"New signing key {kid}; retired keys stay published for {grace.days} days.")


@keys.command("list")
def keys_list() -> None:
    """Show key ids and states (never private keys)."""
    with database().session() as session:
        for key in tool_keys.all_keys(session):
            state = "active" if key.retired_at is None else f"retired {key.retired_at:%Y-%m-%d}"
            click.echo(f"{key.kid}\t{state}")


def alembic_config(database_url: str) -> Config:
    """An Alembic ``Config`` for this repository's ``migrations/`` and the given database."""
    config = Config(str(REPO_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(REPO_ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


@db.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Bring the schema to ``revision`` (default: head)."""
    command.upgrade(alembic_config(current_settings().database_url), revision)
    click.echo(f"Database upgraded to {revision}.")


@db.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Step the schema back to ``revision`` (``base`` drops every table)."""
    command.downgrade(alembic_config(current_settings().database_url), revision)
    click.echo(f"Database downgraded to {revision}.")


def init_app(app: Flask) -> None:
    """Register the command groups."""
    for group in (platforms, keys, db):
        app.cli.add_command(group)
    from app.ops import cli as ops_cli  # noqa: PLC0415 - jobs, tokens, keys reencrypt

    ops_cli.init_app(app, keys)
