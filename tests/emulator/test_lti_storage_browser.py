"""Platform storage in a real browser: a fake tool in the shell's ``tool_content`` iframe talks
to the sibling ``post_message_forwarding`` frame and to the Canvas window (reference 5.2)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from playwright.sync_api import sync_playwright

from emulator.lti.options import lti_options, set_storage_mode
from emulator.testing import LiveEmulator
from tests.emulator.platform_support import register, tool_config, tool_id

pytestmark = pytest.mark.browser


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# The fake tool: runs a list of postMessage exchanges and publishes the answers.
TOOL_PAGE = """<!DOCTYPE html><html><head><title>fake tool</title></head><body><script>
const PLATFORM = %(platform)s;
const T = %(timeout)d;
window.results = {};
function ask(target, origin, id, message) {
  message.message_id = id;
  return new Promise(resolve => {
    function on(event) {
      if (event.data && event.data.message_id === id) {
        clearTimeout(timer);
        window.removeEventListener("message", on);
        resolve({origin: event.origin, data: event.data});
      }
    }
    const timer = setTimeout(() => {
      window.removeEventListener("message", on);
      resolve("timeout");
    }, T);
    window.addEventListener("message", on);
    target.postMessage(message, origin);
  });
}
(async () => {
  let frame = null;
  try { frame = window.parent.frames["post_message_forwarding"]; } catch (e) { frame = null; }
  const r = window.results;
  const put = "lti.put_data", get = "lti.get_data";
  const toFrame = (id, message) => ask(frame, PLATFORM, id, message);
  const toParent = (id, message) => ask(window.parent, "*", id, message);
  if (frame) {
    r.capabilities = await toFrame("m1", {subject: "lti.capabilities"});
    r.put = await toFrame("m2", {subject: put, key: "state-abc", value: "abc"});
    r.get = await toFrame("m3", {subject: get, key: "state-abc"});
    r.missing = await toFrame("m4", {subject: get, key: "nope"});
    r.unsupported = await toFrame("m5", {subject: "lti.fly"});
    r.bad = await toFrame("m6", {subject: put, value: "x"});
    r.deleted = await toFrame("m7", {subject: put, key: "state-abc", value: null});
    r.after_delete = await toFrame("m8", {subject: get, key: "state-abc"});
    r.put_again = await toFrame("m9", {subject: put, key: "nonce-n", value: "n"});
  } else {
    r.no_frame = true;
  }
  r.parent_caps = await toParent("p1", {subject: "lti.capabilities"});
  r.parent_put = await toParent("p2", {subject: put, key: "k", value: "v"});
  r.parent_get = await toParent("p3", {subject: get, key: "k"});
  r.resize = await toParent("p4", {subject: "lti.frameResize", height: 777});
  r.alert = await toParent("p5", {subject: "lti.showAlert", body: "Saved", alertType: "success"});
  document.title = "done";
})();
</script></body></html>"""


WRONG_ORIGIN_PROBE = """() => new Promise(resolve => {
    window.addEventListener("message", e => {
      if (e.data && e.data.message_id === "w1") resolve(e.data);
    });
    window.frames["post_message_forwarding"].postMessage(
      {subject: "lti.get_data", message_id: "w1", key: "state-abc"}, "*");
})"""


def _drive_browser(live: LiveEmulator, timeout_ms: int) -> dict[str, Any]:
    """Launch the fake tool (served by Playwright on 127.0.0.1, another origin) in the shell,
    then read everything the assertions need. Runs in its own thread: Playwright's sync API
    refuses to start where another suite's session-wide Playwright already runs a loop."""
    port = live.url.rsplit(":", 1)[1]
    tool_base = f"http://127.0.0.1:{port}/fake-tool"
    config = tool_config(
        oidc_initiation_url=f"{tool_base}/login",
        target_link_uri=f"{tool_base}/launch",
        public_jwk_url=f"{tool_base}/jwks.json",
    )
    for placement in config["extensions"][0]["settings"]["placements"]:
        placement["target_link_uri"] = f"{tool_base}/launch"
    reg = register(live, config)
    body = TOOL_PAGE % {"platform": f'"{live.url}"', "timeout": timeout_ms}
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.route(
                f"{tool_base}/**",
                lambda route: route.fulfill(status=200, content_type="text/html", body=body),
            )
            page.goto(
                f"{live.url}/_emulator/login_as/3"
                f"?return_to=/courses/101/external_tools/{tool_id(reg)}"
            )
            tool = page.frame(name="tool_content")
            assert tool is not None
            tool.wait_for_function("document.title === 'done'", timeout=20000)
            seen: dict[str, Any] = {"results": tool.evaluate("window.results")}
            seen["height"] = page.eval_on_selector(
                "iframe[name='tool_content']", "f => f.style.height"
            )
            seen["flash"] = page.inner_text("#flash_message_holder")
            storage = page.frame(name="post_message_forwarding")
            if storage is not None and lti_options(live.emulator).storage_mode == "normal":
                seen["stored"] = storage.evaluate("Object.assign({}, window.localStorage)")
                seen["wrong_origin"] = page.evaluate(WRONG_ORIGIN_PROBE)
            return seen
        finally:
            browser.close()


def _run_tool(live: LiveEmulator, timeout_ms: int = 1500) -> dict[str, Any]:
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_drive_browser, live, timeout_ms).result()


def test_the_forwarding_frame_answers_capabilities_put_and_get(emulator: LiveEmulator) -> None:
    seen = _run_tool(emulator)
    r = seen["results"]
    assert r["capabilities"]["origin"] == emulator.url
    caps = r["capabilities"]["data"]
    assert caps["subject"] == "lti.capabilities.response"
    assert caps["message_id"] == "m1"
    supported = {m["subject"]: m.get("frame") for m in caps["supported_messages"]}
    assert supported["lti.put_data"] == "post_message_forwarding"
    assert supported["lti.get_data"] == "post_message_forwarding"
    assert "lti.frameResize" in supported
    assert r["put"]["data"] == {
        "subject": "lti.put_data.response", "message_id": "m2", "key": "state-abc", "value": "abc",
    }  # fmt: skip
    assert r["get"]["data"] == {
        "subject": "lti.get_data.response", "message_id": "m3", "key": "state-abc", "value": "abc",
    }  # fmt: skip
    assert r["missing"]["data"]["value"] is None
    assert r["unsupported"]["data"]["subject"] == "lti.fly.response"
    assert r["unsupported"]["data"]["error"] == {"code": "unsupported_subject"}
    assert r["bad"]["data"]["error"] == {
        "code": "bad_request", "message": "Missing required 'key' field",
    }  # fmt: skip
    assert r["deleted"]["data"]["value"] is None
    assert r["after_delete"]["data"]["value"] is None
    port = emulator.url.rsplit(":", 1)[1]
    prefix = f"lti|platform_storage|http://127.0.0.1:{port}|"
    # Partitioned by the tool's origin; the Canvas window (legacy target) shares the storage.
    assert seen["stored"] == {f"{prefix}nonce-n": "n", f"{prefix}k": "v"}


def test_the_canvas_window_answers_and_resizes_the_tool(emulator: LiveEmulator) -> None:
    seen = _run_tool(emulator)
    r = seen["results"]
    assert r["parent_caps"]["data"]["subject"] == "lti.capabilities.response"
    assert r["parent_put"]["data"]["value"] == "v"
    assert r["parent_get"]["data"]["value"] == "v"
    assert r["resize"]["data"] == {"subject": "lti.frameResize.response", "message_id": "p4"}
    assert seen["height"] == "777px"
    assert "Saved" in seen["flash"]


def test_messages_from_other_origins_get_wrong_origin(emulator: LiveEmulator) -> None:
    seen = _run_tool(emulator)
    assert seen["wrong_origin"] == {
        "subject": "lti.get_data.response", "message_id": "w1", "error": {"code": "wrong_origin"},
    }  # fmt: skip


def test_silent_mode_answers_nothing(emulator: LiveEmulator) -> None:
    set_storage_mode(emulator.emulator, "silent")
    r = _run_tool(emulator, timeout_ms=300)["results"]
    assert r["capabilities"] == "timeout"
    assert r["put"] == "timeout"
    assert r["parent_caps"] == "timeout"


def test_absent_mode_has_no_sibling_and_the_parent_answers(emulator: LiveEmulator) -> None:
    set_storage_mode(emulator.emulator, "absent")
    r = _run_tool(emulator)["results"]
    assert r["no_frame"] is True
    assert r["parent_put"]["data"]["value"] == "v"
    assert r["parent_get"]["data"]["value"] == "v"
