"""Platform storage (reference 5): the sibling ``post_message_forwarding`` frame.

The frame is served from the auth origin (the emulator) and answers ``lti.capabilities``,
``lti.put_data`` and ``lti.get_data`` itself, storing values in its own localStorage under
``lti|platform_storage|<sender origin>|<key>`` (Canvas's key format), so each tool origin
sees only its own data. Messages from origins that are not a registered tool's get
``wrong_origin``. The storage mode switch makes it silent (mobile apps).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, render_template

from emulator.lti.options import lti_options
from emulator.state import Emulator, current_emulator

bp = Blueprint("lti_storage", __name__)


def _origin(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def tool_origins(emulator: Emulator) -> list[str]:
    """Origins of every registered LTI tool (its login, launch and redirect URLs)."""
    origins: list[str] = []
    for key in emulator.store.developer_keys.values():
        if key.kind != "lti":
            continue
        config = key.lti_config or {}
        urls = [
            config.get("oidc_initiation_url"),
            config.get("target_link_uri"),
            *key.redirect_uris,
        ]
        for url in urls:
            origin = _origin(url if isinstance(url, str) else None)
            if origin and origin not in origins:
                origins.append(origin)
    return origins


@bp.get("/post_message_forwarding")
def post_message_forwarding() -> str:
    emulator = current_emulator()
    return render_template(
        "lti/post_message_forwarding.html",
        allowed_origins=tool_origins(emulator),
        storage_mode=lti_options(emulator).storage_mode,
    )
