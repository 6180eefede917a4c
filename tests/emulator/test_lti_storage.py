"""The platform-storage frame and the storage-mode switch (reference 5, without a browser)."""

from __future__ import annotations

import json
import re

import pytest
import requests

from emulator.lti.options import lti_options, set_storage_mode
from emulator.lti.storage import tool_origins
from emulator.testing import LiveEmulator
from tests.emulator.platform_support import TOOL, acting_as, login_initiation, register, tool_id


def _frame_settings(html: str) -> dict[str, object]:
    mode = re.search(r"mode: (\"\w+\")", html)
    origins = re.search(r"allowedOrigins: (\[.*?\])", html)
    assert mode
    assert origins
    return {"mode": json.loads(mode.group(1)), "origins": json.loads(origins.group(1))}


def test_the_forwarding_frame_knows_the_registered_tool_origins(emulator: LiveEmulator) -> None:
    register(emulator)
    page = requests.get(f"{emulator.url}/post_message_forwarding")
    assert page.status_code == 200
    assert "lti_messages.js" in page.text
    assert _frame_settings(page.text) == {"mode": "normal", "origins": [TOOL]}
    assert tool_origins(emulator.emulator) == [TOOL]


def test_the_messages_script_is_served(emulator: LiveEmulator) -> None:
    script = requests.get(f"{emulator.url}/static/emulator/lti_messages.js")
    assert script.status_code == 200
    for subject in ("lti.capabilities", "lti.put_data", "lti.get_data", "lti.frameResize"):
        assert subject in script.text
    for code in ("unsupported_subject", "wrong_origin", "bad_request"):
        assert code in script.text


def _launch_page(live: LiveEmulator) -> str:
    reg = register(live)
    session = acting_as(live, 3)
    page = session.get(f"{live.url}/courses/101/external_tools/{tool_id(reg)}")
    assert page.status_code == 200
    return page.text


@pytest.mark.parametrize(
    ("mode", "sibling"), [("normal", True), ("silent", True), ("absent", False)]
)
def test_storage_modes_shape_the_launch_page(
    emulator: LiveEmulator, mode: str, sibling: bool
) -> None:
    response = requests.post(f"{emulator.url}/_emulator/storage_mode", json={"mode": mode})
    assert response.status_code == 200
    assert response.json() == {"mode": mode}
    assert lti_options(emulator.emulator).storage_mode == mode
    page = _launch_page(emulator)
    assert ('name="post_message_forwarding"' in page) is sibling
    assert 'name="tool_content"' in page
    assert f'mode: "{mode}"' in page
    frame = requests.get(f"{emulator.url}/post_message_forwarding").text
    assert _frame_settings(frame)["mode"] == mode


@pytest.mark.parametrize("mode", ["silent", "absent"])
def test_every_mode_still_sends_the_storage_target(emulator: LiveEmulator, mode: str) -> None:
    set_storage_mode(emulator.emulator, mode)
    reg = register(emulator)
    session = acting_as(emulator, 3)
    form = login_initiation(session, f"{emulator.url}/courses/101/external_tools/{tool_id(reg)}")
    assert form.fields["lti_storage_target"] == "post_message_forwarding"


def test_unknown_storage_modes_are_refused(emulator: LiveEmulator) -> None:
    response = requests.post(f"{emulator.url}/_emulator/storage_mode", json={"mode": "loud"})
    assert response.status_code == 400
    assert "storage mode" in response.json()["errors"][0]["message"]
    with pytest.raises(ValueError, match="storage mode"):
        set_storage_mode(emulator.emulator, "loud")
    assert lti_options(emulator.emulator).storage_mode == "normal"
