"""The way back from an error page, and the input the failed request carried.

- **Back**: the tool page the browser came from (a same-origin ``Referer`` that is one of
  the tool's pages, ``app.inputs.is_tool_page_path``), with this request's launch token;
- **Reports home**: the launch's landing page (course reports, account catalogue, quiz);
- without a launch (expired, none): the words saying how to reopen the tool from Canvas.

``kept_input`` lists what a form sent (never the launch token), so the error page can show it
and offer to send it again: nothing the user typed is lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

from flask import g, request
from flask_babel import gettext
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from app.errors import ToolError
from app.inputs import is_tool_page_path
from app.lti.claims import landing_for
from app.web.auth import current_token, launch_url, load_launch
from app.web.inputs import without_token

MAX_FIELDS = 30
MAX_VALUE = 500

# What Canvas refused, by the view that asked (the rest: "do this").
_ACTIONS = {
    "reports.account": "see this account's reports",
    "reports.account_report": "see or run this account report",
    "reports.start_account_report": "run this account report",
    "reports.canvas_account_file": "download this account report",
    "reports.course": "see this course's reports and quizzes",
    "reports.start_course_report": "run this course report",
    "reports.quiz": "see this quiz's reports",
    "reports.start_quiz_report": "run reports on this quiz",
    "reports.new_quiz": "see this New Quiz's reports",
    "reports.start_new_quiz_report": "run reports on this New Quiz",
    "reports.job": "see this report",
    "reports.job_action": "change this report",
    "reports.download": "download this report",
    "reports.download_group": "download these reports",
    "insights.job": "see this report's analysis",
    "insights.items": "download this report's analysis",
    "landing.course": "see this course's reports and quizzes",
    "landing.account": "see this account's reports",
    "landing.quiz": "see this quiz's reports",
}


def _translated_actions() -> dict[str, str]:
    # Listed here so pybabel extracts them (gettext at call time: the request's language).
    return {
        "see this account's reports": gettext("see this account's reports"),
        "see or run this account report": gettext("see or run this account report"),
        "run this account report": gettext("run this account report"),
        "download this account report": gettext("download this account report"),
        "see this course's reports and quizzes": gettext("see this course's reports and quizzes"),
        "run this course report": gettext("run this course report"),
        "see this quiz's reports": gettext("see this quiz's reports"),
        "run reports on this quiz": gettext("run reports on this quiz"),
        "see this New Quiz's reports": gettext("see this New Quiz's reports"),
        "run reports on this New Quiz": gettext("run reports on this New Quiz"),
        "see this report": gettext("see this report"),
        "change this report": gettext("change this report"),
        "download this report": gettext("download this report"),
        "download these reports": gettext("download these reports"),
        "see this report's analysis": gettext("see this report's analysis"),
        "download this report's analysis": gettext("download this report's analysis"),
    }


def refused_action() -> str:
    """What the refused request tried, in words ("download this report")."""
    action = _ACTIONS.get(request.endpoint or "")
    if action is None:
        return str(gettext("do this"))
    return str(_translated_actions()[action])


@dataclass(frozen=True)
class WayBack:
    """Links out of an error page (either may be None)."""

    back_url: str | None
    home_url: str | None


@dataclass(frozen=True)
class KeptInput:
    """What the failed request sent; ``resend`` when it can be sent again as it was."""

    fields: list[tuple[str, str]] = field(default_factory=list)
    resend: bool = False
    action: str = ""


def _with_token(target: str) -> str:
    token = current_token()
    if not token:
        return target
    kept = without_token(target)
    separator = "&" if "?" in kept else "?"
    return f"{kept}{separator}lt={quote(token, safe='')}"


def _referrer_page() -> str | None:
    """The same-origin tool page the browser came from, if it is not this very request."""
    referrer = request.referrer
    if not referrer:
        return None
    parts, here = urlsplit(referrer), urlsplit(request.host_url)
    if (parts.scheme, parts.netloc) != (here.scheme, here.netloc):
        return None
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    if not is_tool_page_path(target):
        return None
    same = without_token(target) == without_token(request.full_path.rstrip("?"))
    if same and request.method == "GET":
        return None  # the failing page itself: "back" would fail again
    return _with_token(target)


def _home(database_up: bool) -> str | None:
    launch = g.get("launch")
    if launch is None and database_up:
        try:
            launch = load_launch()
        except (ToolError, SQLAlchemyError, HTTPException):  # e.g. a body too large to read
            return None
    if launch is None:
        return None
    return launch_url(f"landing.{landing_for(launch.placement)}")


def find(*, database_up: bool = True) -> WayBack:
    """Where the error page's links lead."""
    home = _home(database_up)
    back = _referrer_page()
    if back is not None and home is not None and without_token(back) == without_token(home):
        home = None  # one link is enough: "back" says where it leads
    return WayBack(back_url=back, home_url=home)


_SECRET_NAMES = frozenset({"lt", "code", "state", "nonce", "password", "client_secret"})


def _secret(name: str) -> bool:
    """Fields never shown back: the launch token and anything shaped like a credential."""
    lowered = name.lower()
    return lowered in _SECRET_NAMES or lowered.endswith("token")


def kept_input(status: int) -> KeptInput:
    """The fields of the failed request to one of the tool's pages (form body for POST, else
    the query), credentials left out; a 413 body is never read (it is what was too large)."""
    if status == 413 or not is_tool_page_path(request.path):
        return KeptInput()  # LTI/OAuth endpoints carry Canvas's tokens and codes: never shown
    if request.method == "POST":
        if request.mimetype not in ("application/x-www-form-urlencoded", "multipart/form-data"):
            return KeptInput()
        source: MultiDict[str, str] = request.form
    else:
        source = request.args
    fields = [(name, value) for name, value in source.items(multi=True) if not _secret(name)]
    whole = len(fields) <= MAX_FIELDS and all(len(value) <= MAX_VALUE for _, value in fields)
    shown = [(name[:100], value[:MAX_VALUE]) for name, value in fields[:MAX_FIELDS]]
    resend = request.method == "POST" and whole and bool(current_token()) and bool(shown)
    return KeptInput(fields=shown, resend=resend, action=request.path)
