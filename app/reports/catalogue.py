"""The account report catalogue: Canvas's ``available_reports`` with their form fields."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext as _

from app.canvas.client import CanvasClient
from app.errors import NotFound
from app.models.launch import Launch
from app.reports.access import require_account_admin
from app.reports.kinds import ParamSpec, is_date_bounded, param_specs


@dataclass(frozen=True)
class CatalogueEntry:
    """One account report type with its form fields and Canvas's last run."""

    report: str
    title: str
    params: list[ParamSpec]
    date_bounded: bool
    last_run_status: str | None
    last_run_id: int | None


def catalogue(client: CanvasClient, launch: Launch) -> list[CatalogueEntry]:
    """The account's report types (Canvas ``available_reports``), with form fields."""
    account_id = require_account_admin(launch)
    entries = []
    for item in client.list_available_reports(account_id):
        specs = param_specs(
            {name: meta.model_dump() for name, meta in (item.parameters or {}).items()}
        )
        entries.append(
            CatalogueEntry(
                report=item.report,
                title=item.title,
                params=specs,
                date_bounded=is_date_bounded(specs),
                last_run_status=item.last_run.status if item.last_run else None,
                last_run_id=item.last_run.id if item.last_run else None,
            )
        )
    return entries


def catalogue_entry(client: CanvasClient, launch: Launch, report_type: str) -> CatalogueEntry:
    """One catalogue entry.

    Raises:
        NotFound: the account does not offer ``report_type``.
    """
    return find_catalogue_entry(catalogue(client, launch), report_type)


def find_catalogue_entry(entries: Sequence[CatalogueEntry], report_type: str) -> CatalogueEntry:
    """The entry for ``report_type``.

    Raises:
        NotFound: none.
    """
    for entry in entries:
        if entry.report == report_type:
            return entry
    raise NotFound(_("This account does not offer the report %(name)s.", name=report_type))
