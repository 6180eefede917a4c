"""Canvas ``Link`` pagination (doc/api/pagination.md).

Header names are matched case-insensitively (proxies and HTTP/2 lower-case them), ``rel``
values too, and links are treated as opaque absolute URLs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

_LINK = re.compile(r"<(?P<url>[^>]*)>(?P<params>[^,<]*)")
_REL = re.compile(r"""rel\s*=\s*(?:"(?P<quoted>[^"]*)"|(?P<bare>[^\s;,"]+))""", re.IGNORECASE)


def header(headers: Mapping[str, str], name: str) -> str | None:
    """The value of header ``name`` whatever its case (works on plain dicts too)."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None


def parse_link_header(value: str) -> dict[str, str]:
    """``rel`` -> URL for every link; a link with several rels (``rel="next last"``) maps each."""
    links: dict[str, str] = {}
    for match in _LINK.finditer(value):
        rel = _REL.search(match.group("params"))
        if rel is None:
            continue
        for name in (rel.group("quoted") or rel.group("bare") or "").split():
            links.setdefault(name.lower(), match.group("url").strip())
    return links


def next_page_url(headers: Mapping[str, str]) -> str | None:
    """The ``rel="next"`` URL, or None on the last page."""
    value = header(headers, "Link")
    if not value:
        return None
    return parse_link_header(value).get("next")
