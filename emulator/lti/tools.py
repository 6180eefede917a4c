"""A typed view of an LTI developer key's configuration, and tool lookup by context.

The store keeps the tool's ``lti_config.json`` verbatim (as Canvas keeps the pasted JSON);
this module answers the questions launches and the shell ask of it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from emulator.store import DeveloperKey, Store, ToolDeployment

CANVAS_PLATFORM = "canvas.instructure.com"


@dataclass(frozen=True)
class Placement:
    name: str
    message_type: str
    target_link_uri: str
    text: str
    visibility: str | None  # admins | members | public | None (everyone who sees the context)
    enabled: bool
    default: str  # enabled | disabled (course navigation)
    custom_fields: dict[str, str] = field(default_factory=dict)
    icon_url: str | None = None
    window_target: str | None = None
    # ``selection_height``/``selection_width`` of the placement, else of the tool's settings
    # (canvas-lms ``JwtMessage#add_launch_presentation_claims!``); None when neither is set.
    selection_height: int | None = None
    selection_width: int | None = None


@dataclass(frozen=True)
class Tool:
    """One LTI key with its deployment (Canvas's ContextExternalTool)."""

    key: DeveloperKey
    deployment: ToolDeployment
    title: str
    privacy_level: str
    oidc_initiation_url: str
    target_link_uri: str
    custom_fields: dict[str, str]
    placements: dict[str, Placement]

    @property
    def id(self) -> int:
        """The tool id in shell URLs (``/courses/1/external_tools/<id>``), as in deployment ids."""
        return self.key.id

    def custom_fields_for(self, placement: str) -> dict[str, str]:
        merged = dict(self.custom_fields)
        if placement in self.placements:
            merged.update(self.placements[placement].custom_fields)
        return merged


def canvas_extension(config: dict[str, Any]) -> dict[str, Any]:
    for extension in config.get("extensions") or []:
        if isinstance(extension, dict) and extension.get("platform", CANVAS_PLATFORM) == (
            CANVAS_PLATFORM
        ):
            return extension
    return {}


def privacy_level_of(config: dict[str, Any]) -> str | None:
    level = config.get("privacy_level") or canvas_extension(config).get("privacy_level")
    return level if isinstance(level, str) else None


def _strings(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(k): str(v) for k, v in value.items()}


def _size(*values: Any) -> int | None:
    """Canvas: ``value.to_s.gsub(/px$/, "")`` then ``to_i`` when present; first one set wins."""
    for value in values:
        text = str(value).strip().removesuffix("px") if value is not None else ""
        if text:
            number = re.match(r"-?\d+", text)  # Ruby's ``to_i``: leading digits, else 0
            return int(number.group()) if number else 0
    return None


def tool_view(key: DeveloperKey, deployment: ToolDeployment) -> Tool:
    config = key.lti_config or {}
    extension = canvas_extension(config)
    settings = extension.get("settings") or {}
    default_text = settings.get("text") or config.get("title", "")
    placements: dict[str, Placement] = {}
    for raw in settings.get("placements") or []:
        name = raw["placement"]
        placements[name] = Placement(
            name=name,
            message_type=raw.get("message_type", "LtiResourceLinkRequest"),
            target_link_uri=raw.get("target_link_uri") or config["target_link_uri"],
            text=raw.get("text") or default_text,
            visibility=raw.get("visibility"),
            enabled=raw.get("enabled", True) is not False,
            default=raw.get("default", "enabled"),
            custom_fields=_strings(raw.get("custom_fields")),
            icon_url=raw.get("icon_url") or settings.get("icon_url"),
            window_target=raw.get("windowTarget"),
            selection_height=_size(raw.get("selection_height"), settings.get("selection_height")),
            selection_width=_size(raw.get("selection_width"), settings.get("selection_width")),
        )
    return Tool(
        key=key,
        deployment=deployment,
        title=str(config.get("title", key.name)),
        privacy_level=privacy_level_of(config) or "anonymous",
        oidc_initiation_url=str(config.get("oidc_initiation_url", "")),
        target_link_uri=str(config.get("target_link_uri", "")),
        custom_fields=_strings(config.get("custom_fields")),
        placements=placements,
    )


def opaque_id(kind: str, record_id: int) -> str:
    """Canvas's opaque 40-hex identifiers (``Lti::Asset.opaque_identifier_for``)."""
    return hashlib.sha1(f"{kind}:{record_id}".encode(), usedforsecurity=False).hexdigest()


def installed_tools(store: Store, account_id: int) -> list[Tool]:
    """LTI tools deployed on the account or one of its ancestors, in registration order."""
    chain = set(store.account_chain(account_id))
    tools: list[Tool] = []
    for deployment in store.deployments.values():
        key = store.developer_keys.get(deployment.developer_key_id)
        if key is None or key.kind != "lti" or deployment.account_id not in chain:
            continue
        tools.append(tool_view(key, deployment))
    return sorted(tools, key=lambda tool: tool.id)


def find_tool(store: Store, tool_ref: str, account_id: int) -> Tool | None:
    """The installed tool named by its id (deployment's number) or its client id."""
    for tool in installed_tools(store, account_id):
        if tool_ref in (str(tool.id), tool.key.client_id):
            return tool
    return None
