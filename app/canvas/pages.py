"""Canvas ``Link`` pagination (doc/api/pagination.md) and header lookups.

``requests`` parses the ``Link`` header (``Response.links``, keyed by ``rel``); Canvas's links
are opaque absolute URLs. Header names are matched case-insensitively (proxies and HTTP/2
lower-case them).
"""

from __future__ import annotations

from collections.abc import Mapping

import requests


def header(headers: Mapping[str, str], name: str) -> str | None:
    """The value of header ``name`` whatever its case (works on plain dicts too)."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None


def next_page_url(response: requests.Response) -> str | None:
    """The ``rel="next"`` URL, or None on the last page (or without a ``Link`` header)."""
    url = response.links.get("next", {}).get("url")
    return url or None
