"""Proof that each cookie policy does what the journeys rely on, in this Chromium.

Two tiny sites stand in for Canvas (``localhost``) and the tool (``127.0.0.1``): the Canvas page
frames the tool, the framed tool sets an ordinary ``SameSite=None; Secure`` cookie and a
``Partitioned`` one, then a second framed request reports which cookies came back.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Iterator
from typing import Any

import pytest
from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response

from tests.browser.conftest import ContextFactory
from tests.browser.harness import CookiePolicy, profile_preferences

pytestmark = pytest.mark.browser


def _canvas_site(tool_url: str) -> Any:
    def wsgi(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        if request.path == "/login":
            response = Response("signed in", mimetype="text/plain")
            response.set_cookie("canvas_session", "first-party", samesite="Lax")
            return response(environ, start_response)
        if request.path == "/whoami":
            return Response(json.dumps(dict(request.cookies)), mimetype="application/json")(
                environ, start_response
            )
        body = f'<!doctype html><title>Canvas</title><iframe id="tool" src="{tool_url}/set">'
        return Response(body, mimetype="text/html")(environ, start_response)

    return wsgi


def _tool_site(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    request = Request(environ)
    if request.path == "/set":
        response = Response(
            "<!doctype html><title>tool</title><p id=set>set</p>", mimetype="text/html"
        )
        response.headers.add("Set-Cookie", "plain=1; Path=/; SameSite=None; Secure")
        response.headers.add(
            "Set-Cookie", "partitioned=1; Path=/; SameSite=None; Secure; Partitioned"
        )
        return response(environ, start_response)
    return Response(json.dumps(dict(request.cookies)), mimetype="application/json")(
        environ, start_response
    )


def _serve(host: str, app: Any) -> BaseWSGIServer:
    server = make_server(host, 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def sites() -> Iterator[tuple[str, str]]:
    tool = _serve("127.0.0.1", _tool_site)
    tool_url = f"http://127.0.0.1:{tool.server_port}"
    canvas = _serve("localhost", _canvas_site(tool_url))
    yield f"http://localhost:{canvas.server_port}", tool_url
    for server in (canvas, tool):
        server.shutdown()
        server.server_close()


def _cookies_sent_back_to_framed_tool(
    new_context: ContextFactory, policy: CookiePolicy, canvas_url: str, tool_url: str
) -> dict[str, str]:
    page = new_context(policy, tool_origin=tool_url, canvas_origin=canvas_url).new_page()
    page.goto(f"{canvas_url}/")
    page.frame_locator("#tool").locator("#set").wait_for()
    frame = page.frames[1]
    frame.goto(f"{tool_url}/echo")
    echoed: dict[str, str] = json.loads(frame.locator("body").inner_text())
    return echoed


def test_allow_all_sends_third_party_cookies(
    new_context: ContextFactory, sites: tuple[str, str]
) -> None:
    sent = _cookies_sent_back_to_framed_tool(new_context, CookiePolicy.ALLOW_ALL, *sites)
    assert sent == {"plain": "1", "partitioned": "1"}


def test_block_third_party_withholds_ordinary_cookies_but_keeps_partitioned(
    new_context: ContextFactory, sites: tuple[str, str]
) -> None:
    sent = _cookies_sent_back_to_framed_tool(new_context, CookiePolicy.BLOCK_THIRD_PARTY, *sites)
    assert sent == {"partitioned": "1"}


def test_block_tool_withholds_every_tool_cookie(
    new_context: ContextFactory, sites: tuple[str, str]
) -> None:
    sent = _cookies_sent_back_to_framed_tool(new_context, CookiePolicy.BLOCK_TOOL, *sites)
    assert sent == {}


def test_block_tool_keeps_the_tools_first_party_cookies_in_a_popup(
    new_context: ContextFactory, sites: tuple[str, str]
) -> None:
    canvas_url, tool_url = sites
    context = new_context(CookiePolicy.BLOCK_TOOL, tool_origin=tool_url, canvas_origin=canvas_url)
    page = context.new_page()
    page.goto(f"{tool_url}/set")
    page.goto(f"{tool_url}/echo")
    assert json.loads(page.locator("body").inner_text()) == {"plain": "1", "partitioned": "1"}


def test_block_tool_without_canvas_origin_refuses_the_tools_cookies_everywhere(
    new_context: ContextFactory, sites: tuple[str, str]
) -> None:
    _canvas_url, tool_url = sites
    page = new_context(CookiePolicy.BLOCK_TOOL, tool_origin=tool_url).new_page()
    page.goto(f"{tool_url}/set")
    page.goto(f"{tool_url}/echo")
    assert json.loads(page.locator("body").inner_text()) == {}


def test_block_tool_keeps_canvas_first_party_session(
    new_context: ContextFactory, sites: tuple[str, str]
) -> None:
    canvas_url, tool_url = sites
    context = new_context(CookiePolicy.BLOCK_TOOL, tool_origin=tool_url, canvas_origin=canvas_url)
    page = context.new_page()
    page.goto(f"{canvas_url}/login")
    page.goto(f"{canvas_url}/whoami")
    assert json.loads(page.locator("body").inner_text()) == {"canvas_session": "first-party"}


def test_block_tool_needs_the_tool_origin() -> None:
    with pytest.raises(ValueError, match="origin"):
        profile_preferences(CookiePolicy.BLOCK_TOOL)
