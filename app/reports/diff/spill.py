"""Encrypted scratch partitions: rows spill to disk in batches, sealed with a throwaway key.

A diff cannot hold two large reports in memory, so it partitions their rows by key hash
into temporary files and compares one partition at a time. Those rows are student data,
and the tool keeps nothing unencrypted at rest: every batch is sealed with AES-256-GCM
under a key made for this one diff and held only in memory, so the scratch files are
unreadable (and tamper-evident) even if the process dies before it deletes them.

Batches are ``marshal``-encoded lists of rows, each row joined into one string with the
unit separator (U+001F) when no cell holds it, else kept as a tuple: several times faster
than re-writing CSV, and safe here because only this process writes them and GCM
authenticates every batch before it is decoded.
"""

from __future__ import annotations

import marshal
import os
import struct
import tempfile
from collections.abc import Iterator
from typing import IO

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

Row = list[str]

_SEPARATOR = "\x1f"

_NONCE = 12
_LENGTH = struct.Struct(">I")


class Partitions:
    """``count`` append-only encrypted row files; flushes a partition every ``batch`` rows."""

    def __init__(self, count: int, *, batch: int = 2000, directory: str | None = None) -> None:
        self._aead = AESGCM(AESGCM.generate_key(bit_length=256))
        self._files: list[IO[bytes]] = [
            tempfile.TemporaryFile(dir=directory)  # noqa: SIM115 - closed by close()
            for _ in range(count)
        ]
        self._pending: list[list[str | tuple[str, ...]]] = [[] for _ in range(count)]
        self._batch = batch

    @property
    def count(self) -> int:
        return len(self._files)

    def add(self, index: int, row: Row) -> None:
        pending = self._pending[index]
        line = _SEPARATOR.join(row)
        pending.append(line if line.count(_SEPARATOR) == len(row) - 1 else tuple(row))
        if len(pending) >= self._batch:
            self._flush(index)

    def _flush(self, index: int) -> None:
        rows = self._pending[index]
        if not rows:
            return
        nonce = os.urandom(_NONCE)
        sealed = self._aead.encrypt(nonce, marshal.dumps(rows), None)
        out = self._files[index]
        out.write(_LENGTH.pack(len(sealed)))
        out.write(nonce)
        out.write(sealed)
        self._pending[index] = []

    def rows(self, index: int) -> Iterator[Row]:
        """Every row added to partition ``index``, in order (after flushing it)."""
        self._flush(index)
        source = self._files[index]
        source.seek(0)
        while header := source.read(_LENGTH.size):
            (length,) = _LENGTH.unpack(header)
            nonce = source.read(_NONCE)
            sealed = source.read(length)
            batch: list[str | tuple[str, ...]] = marshal.loads(  # noqa: S302 - authenticated
                self._aead.decrypt(nonce, sealed, None)
            )
            for item in batch:
                yield item.split(_SEPARATOR) if type(item) is str else list(item)

    def close(self) -> None:
        for handle in self._files:
            handle.close()
        self._files = []
        self._pending = []

    def __enter__(self) -> Partitions:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
