"""Platform state that follows the emulator's life: start-up tools and the reset hook."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from emulator.lti.launch import PART as LAUNCHES_PART
from emulator.lti.options import PART as OPTIONS_PART
from emulator.lti.registration import RegistrationError, fetch_lti_config, register_tool
from emulator.oauth.tokens import STATS_PART

if TYPE_CHECKING:
    from emulator.state import Emulator

log = logging.getLogger(__name__)
OAUTH_CALLBACK_PATH = "/oauth/callback"  # the tool's callback (docs/architecture.md)


def _load(source: str) -> dict[str, Any]:
    if source.startswith(("http://", "https://")):
        return fetch_lti_config(source)
    try:
        config = json.loads(Path(source).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RegistrationError([f"could not read {source}: {exc}"]) from exc
    if not isinstance(config, dict):
        raise RegistrationError([f"{source} is not a JSON object"])
    return config


def register_startup_tools(emulator: Emulator) -> None:
    """Register ``settings.tool_configs`` (files or URLs); the API key's redirect URI is the
    tool's ``/oauth/callback`` on the origin of its ``target_link_uri``. A tool that cannot be
    read is logged and skipped, so the emulator still starts."""
    for source in emulator.settings.tool_configs:
        try:
            config = _load(source)
            target = urlsplit(str(config.get("target_link_uri", "")))
            callback = f"{target.scheme}://{target.netloc}{OAUTH_CALLBACK_PATH}"
            result = register_tool(emulator, lti_config=config, api_redirect_uris=[callback])
        except RegistrationError as exc:
            log.warning("tool %s not registered: %s", source, exc)
            continue
        log.info(
            "registered tool %s: client_id=%s deployment_id=%s api_client_id=%s",
            source,
            result["client_id"],
            result["deployment_id"],
            result["api_client_id"],
        )


def reset_hook(emulator: Emulator) -> None:
    """On ``/_emulator/reset``: switches back to defaults, pending launches and token-call
    counts forgotten (registered tools, keys and tokens are the seed module's business)."""
    for part in (OPTIONS_PART, LAUNCHES_PART, STATS_PART):
        emulator.parts.pop(part, None)
