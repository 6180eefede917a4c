"""Encryption at rest for secrets (tool private keys, OAuth client secrets, user tokens).

MultiFernet: the first key encrypts, every key decrypts, so keys rotate by putting a new
key first in ``ENCRYPTION_KEYS`` and running ``flask --app app keys reencrypt``.
"""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from app.errors import ConfigurationError


class SecretBox:
    """Encrypts and decrypts short secrets with the configured key ring."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ConfigurationError("at least one encryption key is required")
        try:
            self._fernet = MultiFernet([Fernet(key.encode()) for key in keys])
        except ValueError as exc:
            raise ConfigurationError("ENCRYPTION_KEYS holds an invalid Fernet key") from exc

    def encrypt(self, plaintext: str) -> bytes:
        return self._fernet.encrypt(plaintext.encode())

    def decrypt(self, ciphertext: bytes) -> str:
        """Raises: ConfigurationError when no configured key can decrypt (key ring lost)."""
        try:
            return self._fernet.decrypt(ciphertext).decode()
        except InvalidToken as exc:
            raise ConfigurationError(
                "a stored secret cannot be decrypted with ENCRYPTION_KEYS"
            ) from exc

    def rotate(self, ciphertext: bytes) -> bytes:
        """Re-encrypt with the first (newest) key."""
        return self._fernet.rotate(ciphertext)
