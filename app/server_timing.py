"""``Server-Timing: app;dur=<ms>, cpu;dur=<ms>`` on every response (WSGI middleware).

What the tool itself spent on a request, as the W3C Server-Timing header that browser
developer tools and load tests read: ``app`` is the wall time inside the Flask app (after
gunicorn has accepted and parsed the request, so a queue for a free worker is not in it)
and ``cpu`` the CPU time of the thread that served it. Durations only; nothing else leaks.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class ServerTiming:
    def __init__(self, app: WSGIApp) -> None:
        self._app = app

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        started, cpu_started = time.perf_counter(), time.thread_time()

        def timed_start_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Any:
            wall = (time.perf_counter() - started) * 1000
            cpu = (time.thread_time() - cpu_started) * 1000
            headers.append(("Server-Timing", f"app;dur={wall:.2f}, cpu;dur={cpu:.2f}"))
            return start_response(status, headers, exc_info)

        return self._app(environ, timed_start_response)
