"""A requests-level fake Canvas: scripted answers per (method, path), every request recorded.

Only for behaviour the live emulator cannot be told to produce cheaply (exact retry counts,
timeouts, odd header spellings); everything else is tested against the emulator.
"""

from __future__ import annotations

import io
import json
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3 import HTTPResponse
from urllib3.exceptions import ProtocolError


@dataclass
class Answer:
    status: int = 200
    body: Any = None  # dict/list -> JSON; str/bytes -> raw
    headers: dict[str, str] = field(default_factory=dict)
    raises: Exception | None = None
    break_after: int | None = None  # the connection dies after this many body bytes


@dataclass
class Sent:
    method: str
    url: str
    headers: dict[str, str]
    body: bytes | None
    timeout: Any

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    @property
    def host(self) -> str:
        return urlsplit(self.url).netloc

    def json(self) -> Any:
        return json.loads(self.body or b"null")


class FakeCanvas(HTTPAdapter):
    """Mount on a ``requests.Session`` for ``http://`` and ``https://``."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: dict[tuple[str, str], deque[Answer]] = {}
        self.fallback: dict[tuple[str, str], Answer] = {}
        self.handlers: dict[tuple[str, str], Callable[[Sent], Answer]] = {}
        self.sent: list[Sent] = []

    def script(self, method: str, url: str, *answers: Answer) -> None:
        """Answer in order; the last answer repeats."""
        key = (method.upper(), url)
        self.scripts.setdefault(key, deque()).extend(answers)
        self.fallback[key] = answers[-1]

    def handle(self, method: str, url: str, handler: Callable[[Sent], Answer]) -> None:
        self.handlers[(method.upper(), url)] = handler

    def session(self) -> requests.Session:
        session = requests.Session()
        session.mount("http://", self)
        session.mount("https://", self)
        return session

    def requests_to(self, path: str) -> list[Sent]:
        return [sent for sent in self.sent if sent.path == path]

    def send(  # type: ignore[override]  # noqa: PLR0917 - HTTPAdapter.send signature
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: Any = True,
        cert: Any = None,
        proxies: Any = None,
    ) -> requests.Response:
        body = request.body.encode() if isinstance(request.body, str) else request.body
        parts = urlsplit(request.url or "")
        sent = Sent(request.method or "", request.url or "", dict(request.headers), body, timeout)
        self.sent.append(sent)
        keyed = f"{parts.scheme}://{parts.netloc}{parts.path}"
        key = (sent.method, keyed)
        if key in self.handlers:
            answer = self.handlers[key](sent)
        elif self.scripts.get(key):
            answer = self.scripts[key].popleft()
        elif key in self.fallback:
            answer = self.fallback[key]
        else:
            answer = Answer(
                404, {"errors": [{"message": "The specified resource does not exist."}]}
            )
        if answer.raises is not None:
            raise answer.raises
        if isinstance(answer.body, (dict, list)):
            raw_body = json.dumps(answer.body).encode()
            headers = {"Content-Type": "application/json", **answer.headers}
        elif isinstance(answer.body, str):
            raw_body, headers = answer.body.encode(), dict(answer.headers)
        else:
            raw_body, headers = answer.body or b"", dict(answer.headers)
        body_stream = (
            io.BytesIO(raw_body)
            if answer.break_after is None
            else _Broken(raw_body, answer.break_after)
        )
        raw = HTTPResponse(
            body=body_stream,
            headers=headers,
            status=answer.status,
            preload_content=False,
            decode_content=False,
        )
        return self.build_response(request, raw)


class _Broken(io.BytesIO):
    """A body whose connection drops after ``limit`` bytes."""

    def __init__(self, data: bytes, limit: int) -> None:
        super().__init__(data)
        self._limit = limit

    def read(self, size: int | None = -1) -> bytes:
        if self.tell() >= self._limit:
            raise ProtocolError("Connection broken: reset by peer")
        return super().read(size)
