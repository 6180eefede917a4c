"""The id_token as a JWS (RFC 7515 compact form): parsed once, its RS256 signature verified.

The launch checks (``app/lti/launch.py``) read the header and claims from here; nothing is
trusted until ``verify_rs256`` has passed for the key the platform publishes under ``kid``.
"""

from __future__ import annotations

import binascii
import json
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from jwt.utils import base64url_decode

from app.errors import LaunchError
from app.i18n import N_

MALFORMED = N_("The launch's id_token is malformed.")


@dataclass(frozen=True)
class IdToken:
    header: dict[str, Any]
    claims: dict[str, Any]
    signing_input: bytes
    signature: bytes


def parse(token: str) -> IdToken:
    """Split and decode; header and payload must be JSON objects.

    Raises:
        LaunchError: not three base64url segments, or not JSON objects.
    """
    parts = token.split(".")
    if len(parts) != 3:
        raise LaunchError(MALFORMED)
    try:
        header = json.loads(base64url_decode(parts[0]))
        claims = json.loads(base64url_decode(parts[1]))
        signature = base64url_decode(parts[2])
        signing_input = f"{parts[0]}.{parts[1]}".encode("ascii")
    except (ValueError, TypeError, binascii.Error, UnicodeError, RecursionError) as exc:
        # RecursionError: JSON nested deeper than the decoder goes (a hostile token).
        raise LaunchError(MALFORMED) from exc
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise LaunchError(MALFORMED)
    return IdToken(header, claims, signing_input, signature)


def verify_rs256(token: IdToken, key: RSAPublicKey) -> None:
    """RSASSA-PKCS1-v1_5 with SHA-256 over ``header.payload`` (RFC 7518 3.3).

    Raises:
        LaunchError: the signature does not verify with ``key``.
    """
    try:
        key.verify(token.signature, token.signing_input, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature as exc:
        raise LaunchError(N_("The launch's signature is not valid.")) from exc
