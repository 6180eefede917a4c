"""``open_download`` follows redirects itself and keeps the token on the Canvas host."""

from __future__ import annotations

import pytest

from app.canvas.client import CanvasClient
from app.canvas.errors import (
    CanvasError,
    CanvasNotFound,
    CanvasNotPermitted,
    CanvasUnavailable,
)
from tests.unit.canvas.conftest import BASE, UA, RotatingTokens
from tests.unit.canvas.fakes import Answer, FakeCanvas

VERIFIER = f"{BASE}/files/5/download"
STORAGE = "https://storage.test/bucket/5.csv"
CSV = b"id,name\n" + b"1,Ada\n" * 50_000


def test_download_follows_redirect_and_never_sends_the_token_to_storage(
    canvas: CanvasClient, fake: FakeCanvas
) -> None:
    fake.script("GET", VERIFIER, Answer(302, "", {"Location": STORAGE + "?sig=abc"}))
    fake.script("GET", STORAGE, Answer(200, CSV, {"Content-Type": "text/csv"}))
    with canvas.open_download(VERIFIER + "?verifier=u-u-i-d&download_frd=1") as chunks:
        received = list(chunks)
    assert b"".join(received) == CSV
    assert len(received) > 1  # streamed, not one blob
    canvas_hop, storage_hop = fake.sent
    assert canvas_hop.headers["Authorization"] == "Bearer token-1"
    assert "Authorization" not in storage_hop.headers
    assert storage_hop.headers["User-Agent"] == UA
    assert storage_hop.url == STORAGE + "?sig=abc"


def test_download_resolves_relative_redirects_on_canvas(
    canvas: CanvasClient, fake: FakeCanvas
) -> None:
    fake.script("GET", VERIFIER, Answer(302, "", {"Location": "/files/5/blob"}))
    fake.script("GET", f"{BASE}/files/5/blob", Answer(200, b"abc"))
    with canvas.open_download("/files/5/download?verifier=x") as chunks:
        assert b"".join(chunks) == b"abc"


def test_download_does_not_send_the_token_to_a_lookalike_host(
    canvas: CanvasClient, fake: FakeCanvas
) -> None:
    fake.script("GET", "https://canvas.test.evil.test/f", Answer(200, b"x"))
    fake.script("GET", "http://canvas.test/f", Answer(200, b"x"))
    for url in ("https://canvas.test.evil.test/f", "http://canvas.test/f"):
        with canvas.open_download(url) as chunks:
            list(chunks)
    assert all("Authorization" not in sent.headers for sent in fake.sent)


def test_download_is_retried_on_storage_5xx(canvas: CanvasClient, fake: FakeCanvas) -> None:
    fake.script("GET", VERIFIER, Answer(302, "", {"Location": STORAGE}))
    fake.script("GET", STORAGE, Answer(503, "busy"), Answer(200, b"ok"))
    with canvas.open_download(VERIFIER) as chunks:
        assert b"".join(chunks) == b"ok"
    assert len(fake.sent) == 4


def test_download_errors_carry_canvas_message(canvas: CanvasClient, fake: FakeCanvas) -> None:
    fake.script(
        "GET",
        VERIFIER,
        Answer(404, {"errors": [{"message": "The specified resource does not exist."}]}),
    )
    with pytest.raises(CanvasNotFound, match="does not exist"), canvas.open_download(VERIFIER):
        pass


def test_download_redirect_loop_stops(canvas: CanvasClient, fake: FakeCanvas) -> None:
    fake.script("GET", VERIFIER, Answer(302, "", {"Location": VERIFIER}))
    with pytest.raises(CanvasError, match="too many"), canvas.open_download(VERIFIER):
        pass
    assert len(fake.sent) == 11


def test_download_refuses_non_http_redirects(canvas: CanvasClient, fake: FakeCanvas) -> None:
    fake.script("GET", VERIFIER, Answer(302, "", {"Location": "file:///etc/passwd"}))
    with pytest.raises(CanvasError, match="unsupported"), canvas.open_download(VERIFIER):
        pass


def test_a_stream_broken_midway_raises_canvas_unavailable(
    canvas: CanvasClient, fake: FakeCanvas
) -> None:
    fake.script("GET", VERIFIER, Answer(200, CSV, break_after=100_000))
    received = bytearray()

    def drain() -> None:
        with canvas.open_download(VERIFIER) as chunks:
            for chunk in chunks:
                received.extend(chunk)

    with pytest.raises(CanvasUnavailable, match="interrupted"):
        drain()
    assert 0 < len(received) < len(CSV)


def test_download_refreshes_a_rejected_token_once_on_canvas(
    canvas: CanvasClient, fake: FakeCanvas, tokens: RotatingTokens
) -> None:
    expired = Answer(
        401, {"errors": [{"message": "Expired access token."}]}, {"WWW-Authenticate": "Bearer"}
    )
    fake.script("GET", VERIFIER, expired, Answer(200, b"ok"))
    with canvas.open_download(VERIFIER) as chunks:
        assert b"".join(chunks) == b"ok"
    assert tokens.refreshes == 1
    assert [s.headers["Authorization"] for s in fake.sent] == ["Bearer token-1", "Bearer token-2"]


def test_storage_refusals_do_not_trigger_a_refresh(
    canvas: CanvasClient, fake: FakeCanvas, tokens: RotatingTokens
) -> None:
    fake.script("GET", VERIFIER, Answer(302, "", {"Location": STORAGE}))
    fake.script("GET", STORAGE, Answer(401, "Unauthorized", {"WWW-Authenticate": "Bearer"}))
    with pytest.raises(CanvasNotPermitted), canvas.open_download(VERIFIER):
        pass
    assert tokens.refreshes == 0
