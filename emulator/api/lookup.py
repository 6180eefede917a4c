"""Canvas's ``api_find``: a record named by its id or by ``sis_..._id:<value>`` in a URL."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, TypeVar

from emulator.api.errors import not_found


class _Findable(Protocol):
    workflow_state: str


Record = TypeVar("Record", bound=_Findable)


def api_find(records: Mapping[int, Record], ref: str, sis_column: str) -> Record:
    """The record ``ref`` names: a numeric id or ``<sis_column>:<value>``.

    Raises:
        ApiError: 404 for an unknown or deleted record (Canvas's ``.active`` scope).
    """
    record: Record | None = None
    if ref.isdigit():
        record = records.get(int(ref))
    elif ref.startswith(f"{sis_column}:"):
        sis = ref.split(":", 1)[1]
        record = next((r for r in records.values() if getattr(r, sis_column) == sis), None)
    if record is None or record.workflow_state == "deleted":
        raise not_found()
    return record
