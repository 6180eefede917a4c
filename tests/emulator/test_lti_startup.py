"""Tools registered at start-up (``settings.tool_configs``) and the reset hook."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
import requests

from emulator.lti.launch import PART as LAUNCHES_PART
from emulator.lti.options import lti_options, set_quiz_id_mode, set_storage_mode
from emulator.oauth.tokens import oauth_stats
from emulator.settings import EmulatorSettings
from emulator.testing import LiveEmulator
from tests.emulator.platform_support import TOOL_CONFIG, acting_as, register, tool_id


def test_configured_tools_are_registered_at_start_up(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config = tmp_path / "lti_config.json"
    config.write_text(json.dumps(TOOL_CONFIG))
    not_json = tmp_path / "broken.json"
    not_json.write_text("{")
    sources = [str(config), str(tmp_path / "missing.json"), str(not_json)]
    with (
        caplog.at_level(logging.INFO, logger="emulator.lti.startup"),
        LiveEmulator(EmulatorSettings(size="small", tool_configs=sources)) as live,
    ):
        keys = list(live.emulator.store.developer_keys.values())
    assert [k.kind for k in keys] == ["lti", "api"]
    assert keys[1].redirect_uris == ["https://tool.test/oauth/callback"]
    assert keys[1].client_secret not in caplog.text
    assert caplog.text.count("not registered") == 2
    assert keys[0].client_id in caplog.text


def test_reset_restores_switches_and_forgets_pending_launches(emulator: LiveEmulator) -> None:
    reg = register(emulator)
    acting_as(emulator, 3).get(f"{emulator.url}/courses/101/external_tools/{tool_id(reg)}")
    set_storage_mode(emulator.emulator, "silent")
    set_quiz_id_mode(emulator.emulator, "custom")
    oauth_stats(emulator.emulator)["refresh_token"] += 1
    assert emulator.emulator.parts[LAUNCHES_PART]
    response = requests.post(f"{emulator.url}/_emulator/reset")
    assert response.status_code == 200
    options = lti_options(emulator.emulator)
    assert options.storage_mode == "normal"
    assert options.quiz_id_mode == "none"  # Canvas's real behaviour
    assert LAUNCHES_PART not in emulator.emulator.parts
    assert oauth_stats(emulator.emulator)["refresh_token"] == 0
