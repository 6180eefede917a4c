"""Small JSON formatting helpers shared by the API blueprints."""

from __future__ import annotations

from datetime import UTC, datetime


def iso(moment: datetime | None) -> str | None:
    """Canvas's ``iso8601`` in UTC (``2026-11-20T12:00:00Z``), or None."""
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
