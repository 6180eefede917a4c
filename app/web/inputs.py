"""Request-level input checks for the views (the rules themselves live in ``app.inputs``).

Every check here runs before a view changes anything: a refused value is a 400 with a
message naming the field, and neither the database nor Canvas has been touched.
"""

from __future__ import annotations

from flask import request
from flask_babel import gettext as _

from app.errors import BadRequest
from app.inputs import is_local_return_path, is_tool_page_path, parse_id

MAX_IDS = 200


def id_list(raw: str) -> list[int]:
    """``?ids=1,2,3``: at most ``MAX_IDS`` ids, each ASCII digits below 2**63.

    Raises:
        BadRequest: anything else (``"²"``, ``"-1"``, ``"2**63"``, ...).
    """
    parts = [part.strip() for part in raw.split(",") if part.strip()]
    ids = [parse_id(part) for part in parts]
    if len(parts) > MAX_IDS or any(number is None for number in ids):
        raise BadRequest(_("ids must be a comma-separated list of job ids."))
    return [number for number in ids if number is not None]


def return_target() -> str | None:
    """The form's ``next`` when it is a local ``/reports/...`` path; None when absent.

    Call it before changing anything: a view then refuses a bad target with nothing done.

    Raises:
        BadRequest: ``next`` is present but not such a path (off-site, protocol-relative,
            a backslash, or a control character such as CR/LF).
    """
    target = request.form.get("next", "")
    if not target:
        return None
    if not is_local_return_path(target):
        raise BadRequest(
            _("next must be a path of this tool under /reports/ (no control characters).")
        )
    return target


def page_return_target(name: str = "return_to") -> str | None:
    """The query's ``return_to``: a page of this tool (``inputs.is_tool_page_path``) without
    its ``lt`` (the redirect adds a fresh one); None when absent.

    Raises:
        BadRequest: present but not such a path (off-site, ``//``, backslash, dot segments,
            control characters, longer than 2 KB).
    """
    target = request.args.get(name, "")
    if not target:
        return None
    if not is_tool_page_path(target):
        raise BadRequest(
            _("%(name)s must be a page of this tool (no other site, no control characters).",
              name=name)
        )
    return without_token(target)


def without_token(target: str) -> str:
    """``target`` without any ``lt`` query parameter."""
    path, _sep, query = target.partition("?")
    kept = [part for part in query.split("&") if part and not part.startswith("lt=")]
    return path + ("?" + "&".join(kept) if kept else "")
