"""Emulator settings (all optional; defaults make a small, fast, deterministic Canvas)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field


@dataclass
class EmulatorSettings:
    base_url: str = "http://localhost:5001"  # also the LTI issuer; set after binding a port
    seed: int = 42
    size: str = "demo"  # "small" (unit tests) | "demo" | "load"
    token_ttl_seconds: int = 3600
    # Throttle (lti-oauth.md 7.5): high-water mark, outflow per second, up-front cost.
    throttle_hwm: float = 700.0
    throttle_outflow_per_second: float = 10.0
    throttle_upfront_cost: float = 50.0
    throttle_legacy_403: bool = False
    auth_error_403: bool = False  # Canvas's api_auth_error_updates flag
    # How long (seconds of emulator clock) a report takes to generate.
    report_seconds: float = 3.0
    # Tools registered at start-up: paths or URLs of lti_config.json files.
    tool_configs: list[str] = field(default_factory=list)
    secret_key: str = "emulator-secret-not-for-production"  # noqa: S105 (a local test double)

    @classmethod
    def from_env(cls) -> EmulatorSettings:
        env = os.environ
        settings = cls()
        settings.base_url = env.get("EMULATOR_BASE_URL", settings.base_url).rstrip("/")
        settings.seed = int(env.get("EMULATOR_SEED", settings.seed))
        settings.size = env.get("EMULATOR_SIZE", settings.size)
        settings.report_seconds = float(env.get("EMULATOR_REPORT_SECONDS", settings.report_seconds))
        configs = env.get("EMULATOR_TOOL_CONFIGS", "")
        settings.tool_configs = [c for c in configs.split(",") if c]
        return settings
