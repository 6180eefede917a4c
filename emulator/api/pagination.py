"""Canvas ``Link``-header pagination (canvas-lms ``doc/api/pagination.md``, reports-api.md §0.3).

``paginate(items)`` slices by ``page``/``per_page`` (default 10, capped at 100) and builds the
``Link`` header with absolute URLs for current, next, prev, first and last. The request's
other query parameters are kept (so filters survive paging) except ``access_token``, which
Canvas never echoes into links.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from urllib.parse import urlencode

from flask import Response, jsonify, request

from emulator.state import current_emulator

T = TypeVar("T")

DEFAULT_PER_PAGE = 10
MAX_PER_PAGE = 100


def _positive_int(value: str | None, default: int) -> int:
    try:
        number = int(value) if value is not None else default
    except ValueError:
        return default
    return number if number > 0 else default


def page_params() -> tuple[int, int]:
    """(page, per_page) of the current request."""
    per_page = min(_positive_int(request.args.get("per_page"), DEFAULT_PER_PAGE), MAX_PER_PAGE)
    return _positive_int(request.args.get("page"), 1), per_page


def _link(page: int, per_page: int) -> str:
    params = [(k, v) for k, v in request.args.items(multi=True)
              if k not in {"page", "per_page", "access_token"}]
    params += [("page", str(page)), ("per_page", str(per_page))]
    return f"{current_emulator().base_url}{request.path}?{urlencode(params)}"


def link_header(page: int, per_page: int, total: int) -> str:
    last = max(1, -(-total // per_page))
    rels = [("current", page)]
    if page < last:
        rels.append(("next", page + 1))
    if page > 1:
        rels.append(("prev", page - 1))
    rels += [("first", 1), ("last", last)]
    return ",".join(f'<{_link(number, per_page)}>; rel="{rel}"' for rel, number in rels)


def paginate(items: Sequence[T], render: Callable[[T], Any] | None = None) -> Response:
    """A JSON array response of one page of ``items`` with its ``Link`` header."""
    page, per_page = page_params()
    start = (page - 1) * per_page
    chunk = list(items[start:start + per_page])
    body = [render(item) for item in chunk] if render else chunk
    response = jsonify(body)
    response.headers["Link"] = link_header(page, per_page, len(items))
    return response


def paginate_envelope(key: str, items: Sequence[T],
                      render: Callable[[T], Any] | None = None) -> Response:
    """Like ``paginate`` but wrapped in ``{key: [...]}`` (e.g. ``enrollment_terms``)."""
    response = paginate(items, render)
    body = response.get_json()
    envelope = jsonify({key: body})
    envelope.headers["Link"] = response.headers["Link"]
    return envelope
