"""``flask --app app jobs|tokens|users|retention`` and ``keys reencrypt``; DB trouble becomes
a clear message.

Registered from ``app.cli.init_app``. ``guard_commands`` wraps every command of the app so an
unreachable database or a missing schema prints one line (never a traceback or a password).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import click
from flask import Flask
from flask.cli import AppGroup, ScriptInfo, with_appcontext
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, ProgrammingError, SQLAlchemyError

from app.canvas.factory import oauth_for_platform
from app.canvas.revocation import revoke_at_canvas
from app.canvas.token_store import StoredToken
from app.config import Settings
from app.db import database
from app.errors import ToolError
from app.extensions import current_now, current_secret_box
from app.models.platform import Platform
from app.ops.rekey import reencrypt_all
from app.ops.retention import ALL_STATUSES, list_jobs, purge_jobs
from app.ops.tokens import revoke_all
from app.reports.stewardship.forget import forget_user
from app.reports.stewardship.policy import apply_all

jobs = AppGroup("jobs", help="Tracked report jobs: list them, purge old finished ones.")
tokens = AppGroup("tokens", help="Canvas OAuth tokens the tool holds for its users.")
users = AppGroup("users", help="People the tool holds data about (docs/privacy.md).")
retention = AppGroup("retention", help="How long the tool keeps data, per platform.")

_DAYS = click.IntRange(min=0)


@jobs.command("list")
@click.option("--status", type=click.Choice(ALL_STATUSES), default=None)
@click.option("--older-than", "older_than", type=_DAYS, default=None, help="Created > DAYS ago.")
@click.option("--limit", type=click.IntRange(min=1), default=1000, show_default=True)
def jobs_list(status: str | None, older_than: int | None, limit: int) -> None:
    """One line per job: id, status, platform, context, report, created, finished."""
    with database().session() as session:
        rows = list_jobs(
            session, now=current_now(), status=status, older_than_days=older_than, limit=limit
        )
        if not rows:
            click.echo("No jobs match.")
            return
        for job in rows:
            context = (
                f"course {job.canvas_course_id}"
                if job.canvas_course_id
                else f"account {job.canvas_account_id}"
            )
            finished = f"{job.finished_at:%Y-%m-%d %H:%M}" if job.finished_at else "-"
            click.echo(
                f"{job.id}\t{job.status}\tplatform {job.platform_id}\t{context}\t"
                f"{job.family}/{job.report_type}\tcreated {job.created_at:%Y-%m-%d %H:%M}\t"
                f"finished {finished}"
            )


@jobs.command("purge")
@click.option("--older-than", "older_than", type=_DAYS, required=True, help="Finished > DAYS ago.")
@click.option("--include-audit", is_flag=True, help="Also delete audit events older than DAYS.")
def jobs_purge(older_than: int, include_audit: bool) -> None:
    """Delete finished jobs and their history; audit events stay unless --include-audit."""
    with database().session() as session:
        result = purge_jobs(
            session, now=current_now(), older_than_days=older_than, include_audit=include_audit
        )
        session.commit()
    click.echo(
        f"Purged {result.jobs} finished job(s) older than {older_than} day(s), "
        f"{result.job_events} job event(s), {result.audit_events} audit event(s)."
    )


@tokens.command("revoke-all")
@click.option("--platform", "platform_id", type=int, required=True, help="Id from platforms list.")
def tokens_revoke_all(platform_id: int) -> None:
    """Forget every stored token of a platform and revoke each at Canvas."""
    with database().session() as session:
        platform = session.get(Platform, platform_id)
        if platform is None:
            raise click.ClickException(
                f"No platform with id {platform_id}; see: flask --app app platforms list"
            )
        result = revoke_all(
            session,
            current_secret_box(),
            oauth_for_platform(platform),
            platform_id,
            current_now(),
        )
        session.commit()
    click.echo(
        f"Deleted {result.deleted} token(s) of platform {platform_id}; "
        f"Canvas confirmed {result.revoked_at_canvas} revocation(s)."
    )
    if result.failed_user_ids:
        users = ", ".join(str(user) for user in result.failed_user_ids)
        click.echo(
            f"Canvas did not confirm revocation for user(s) {users}; the tool no longer "
            "holds their tokens. Revoke them in Canvas (user settings) if needed.",
            err=True,
        )


@users.command("forget")
@click.option("--platform", "platform_id", type=int, required=True, help="Id from platforms list.")
@click.option("--user", "canvas_user_id", type=click.IntRange(min=1), required=True,
              help="The person's Canvas user id.")  # fmt: skip
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def users_forget(platform_id: int, canvas_user_id: int, yes: bool) -> None:
    """Revoke and delete the user's tokens, delete their jobs and launches, anonymise their
    audit entries."""
    if not yes:
        click.confirm(
            f"Forget Canvas user {canvas_user_id} of platform {platform_id}? This cannot be "
            "undone.",
            abort=True,
        )
    with database().session() as session:
        platform = session.get(Platform, platform_id)
        if platform is None:
            raise click.ClickException(
                f"No platform with id {platform_id}; see: flask --app app platforms list"
            )
        oauth, now = oauth_for_platform(platform), current_now()

        def revoke(stored: StoredToken, user_id: int) -> bool:
            return revoke_at_canvas(oauth, stored, now, canvas_user_id=user_id)

        done = forget_user(
            session, current_secret_box(), revoke,
            platform_id=platform_id, canvas_user_id=canvas_user_id,
        )  # fmt: skip
        session.commit()
    click.echo(
        f"Forgot Canvas user {canvas_user_id}: {done.tokens} token(s) deleted "
        f"({'revoked in Canvas' if done.revoked_at_canvas else 'Canvas did not confirm'}), "
        f"{done.jobs} job(s) and {done.launches + done.launch_states} launch record(s) "
        f"deleted, {done.audit_entries} audit entr(ies) anonymised."
    )


@retention.command("apply")
def retention_apply() -> None:
    """Delete what is older than each platform's retention periods (the worker does this
    daily)."""
    with database().session() as session:
        purged = apply_all(session, current_now())
        session.commit()
    for platform_id, result in sorted(purged.items()):
        click.echo(
            f"platform {platform_id}: {result.jobs} finished job(s), "
            f"{result.audit_events} audit event(s) deleted"
        )


@click.command("reencrypt")
@with_appcontext
def keys_reencrypt() -> None:
    """Re-encrypt every stored secret with the first key of ENCRYPTION_KEYS."""
    with database().session() as session:
        counts = reencrypt_all(session, current_secret_box())
        session.commit()
    total = sum(counts.values())
    details = ", ".join(f"{name} {count}" for name, count in counts.items())
    click.echo(f"Re-encrypted {total} value(s) with the first ENCRYPTION_KEYS key ({details}).")
    click.echo("Older keys may now be removed from ENCRYPTION_KEYS.")


def _safe_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(unparsable DATABASE_URL)"


def explain(error: Exception, settings: Settings) -> str:
    """One line for an operator; never a password or a traceback."""
    where = _safe_url(settings.database_url)
    if isinstance(error, ToolError):
        return error.message
    if isinstance(error, OperationalError):
        reason = str(error.orig).strip().splitlines()[0] if error.orig else "no answer"
        if "no such table" in reason:
            return f"The database {where} has no tables yet; run: flask --app app db upgrade"
        return f"Cannot use the database {where}: {reason}"
    if isinstance(error, ProgrammingError):
        return (
            f"The database {where} does not have the expected tables; "
            "run: flask --app app db upgrade"
        )
    return f"Database error on {where}: {type(error).__name__}"


def _guarded(callback: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(callback)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return callback(*args, **kwargs)
        except (ToolError, SQLAlchemyError) as error:
            # The app context has been popped by now; the script info keeps the loaded app.
            app = click.get_current_context().ensure_object(ScriptInfo).load_app()
            raise click.ClickException(explain(error, app.extensions["settings"])) from error

    run.__dict__["_ops_guarded"] = True
    return run


def guard_commands(command: click.Command) -> None:
    """Wrap ``command`` (and its subcommands) so expected failures print one clear line."""
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            guard_commands(sub)
    callback = command.callback
    if callback is not None and not getattr(callback, "_ops_guarded", False):
        command.callback = _guarded(callback)


def init_app(app: Flask, keys_group: click.Group) -> None:
    """Register ``jobs``, ``tokens``, ``users``, ``retention`` and ``keys reencrypt``; guard
    every app command."""
    app.cli.add_command(jobs)
    app.cli.add_command(tokens)
    app.cli.add_command(users)
    app.cli.add_command(retention)
    keys_group.add_command(keys_reencrypt)
    for command in app.cli.commands.values():
        guard_commands(command)
