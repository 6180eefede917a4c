"""Re-encrypt every encrypted column with the first key of ``ENCRYPTION_KEYS``.

Rotation: put a new key first, keep the old ones after it, run ``keys reencrypt``, then drop
the old keys. Columns are found by name (``*_encrypted``) so a new secret column is covered
without touching this module.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import LargeBinary, select
from sqlalchemy.orm import Session

from app.crypto import SecretBox
from app.db import Base


@dataclass(frozen=True)
class EncryptedColumn:
    model: type[Base]
    attribute: str


def encrypted_columns() -> list[EncryptedColumn]:
    """Every mapped ``*_encrypted`` column of the tool's models."""
    import app.models  # noqa: F401, PLC0415 - registers every model on Base

    found: list[EncryptedColumn] = []
    for mapper in Base.registry.mappers:
        for column in mapper.columns:
            if column.key.endswith("_encrypted") and isinstance(column.type, LargeBinary):
                found.append(EncryptedColumn(mapper.class_, column.key))
    return sorted(found, key=lambda c: (c.model.__name__, c.attribute))


def reencrypt_all(session: Session, box: SecretBox) -> dict[str, int]:
    """Rotate each stored ciphertext to the newest key; returns counts per table.column.

    Raises:
        ConfigurationError: a value no configured key can decrypt (an old key was dropped
            too early); nothing is written in that case if the caller rolls back.
    """
    counts: dict[str, int] = {}
    for column in encrypted_columns():
        name = f"{column.model.__tablename__}.{column.attribute}"
        counts[name] = 0
        for row in session.scalars(select(column.model)):
            value = getattr(row, column.attribute)
            if value is None:
                continue
            box.decrypt(value)  # a clear ConfigurationError for an undecryptable value
            setattr(row, column.attribute, box.rotate(value))
            counts[name] += 1
    session.flush()
    return counts
