"""The demo's self-test (``scripts/demo --check``): a teacher's launch, as a browser runs it.

Canvas's course page, the tool's OIDC login, Canvas's id_token form, the tool's launch, then
Canvas's consent for the API, up to the course's reports page listing its quizzes. Only the
standard library at import time: ``scripts/demo --help`` must answer before anything is
installed.
"""

from __future__ import annotations

import re
from html import unescape
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import requests

TEACHER_ID = 3  # "Tina Teacher" in the seeded data (docs/architecture.md)
COURSE_ID = 101  # "Biology 101"


class DemoError(RuntimeError):
    """Something the person can act on (the message says what)."""


class Urls(Protocol):
    @property
    def emulator_url(self) -> str: ...

    @property
    def tool_url(self) -> str: ...


_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')
_TOOL_FORM = re.compile(r'<form id="tool_form" action="([^"]+)"')
_ANY_FORM = re.compile(r'<form[^>]*action="([^"]+)"')
_TICKET = re.compile(r'name="ticket" value="([^"]+)"')


def _hidden(html: str) -> dict[str, str]:
    return {unescape(k): unescape(v) for k, v in _HIDDEN.findall(html)}


def launch_page_loads(config: Urls) -> str:
    """Act as the teacher and launch the tool from the course menu, as a browser would:
    Canvas's page, the tool's OIDC login, Canvas's id_token form, the tool's launch, then
    Canvas's consent for the API; returns the course's reports page (quizzes listed)."""
    import requests  # noqa: PLC0415 - after --help

    with requests.Session() as canvas, requests.Session() as tool:
        canvas.get(f"{config.emulator_url}/_emulator/login_as/{TEACHER_ID}", timeout=10)
        course = canvas.get(f"{config.emulator_url}/courses/{COURSE_ID}", timeout=10)
        if course.status_code != 200:
            raise DemoError(f"course {COURSE_ID} page answered {course.status_code}")
        link = find_tool_link(course.text, COURSE_ID)
        page = canvas.get(f"{config.emulator_url}{link}", timeout=10)
        form = _TOOL_FORM.search(page.text)
        if page.status_code != 200 or config.tool_url not in page.text or form is None:
            raise DemoError(f"the tool placement {link} did not frame the tool")
        landing = _launch(config, canvas, tool, unescape(form.group(1)), _hidden(page.text))
        reports = _consent(config, canvas, tool, landing)
        if "Cell Biology Midterm" not in reports:
            raise DemoError("the course's reports page does not list the course's quizzes")
        return reports


def _launch(
    config: Urls,
    canvas: requests.Session,
    tool: requests.Session,
    login_url: str,
    login_fields: dict[str, str],
) -> str:
    """OIDC login → Canvas's authorize → the id_token post; returns the landing URL."""
    login = tool.post(login_url, data=login_fields, allow_redirects=False, timeout=10)
    found = re.search(r'data-auth-url="([^"]*)"', login.text)
    auth_url = login.headers.get("Location") or (unescape(found.group(1)) if found else "")
    if not auth_url:
        raise DemoError(f"the tool's login answered {login.status_code} without a redirect")
    for cookie in tool.cookies:  # a browser sends the Secure state cookie to loopback http
        cookie.secure = False
    auth = canvas.get(auth_url, timeout=10)
    target = _ANY_FORM.search(auth.text)
    if target is None or "id_token" not in auth.text:
        raise DemoError(f"Canvas's authorize answered {auth.status_code} without an id_token")
    launched = tool.post(unescape(target.group(1)), data=_hidden(auth.text),
                         allow_redirects=False, timeout=10)  # fmt: skip
    if launched.status_code != 303:
        raise DemoError(f"the tool refused the launch ({launched.status_code})")
    return config.tool_url + launched.headers["Location"]


def _consent(config: Urls, canvas: requests.Session, tool: requests.Session, url: str) -> str:
    """The landing asks for Canvas in place; answer Canvas's consent and follow the
    callback's "continue" link back to the landing; returns that page's HTML."""
    first = tool.get(url, timeout=10)
    if first.status_code != 200:
        raise DemoError(f"the landing page answered {first.status_code}")
    authorize = re.search(r'href="(/oauth/authorize[^"]*)"', first.text)
    if authorize is None:
        return first.text  # already connected (a second --check on the same instance)
    start = tool.get(config.tool_url + unescape(authorize.group(1)), allow_redirects=False,
                     timeout=10)  # fmt: skip
    consent = canvas.get(start.headers.get("Location", ""), allow_redirects=False, timeout=10)
    ticket = _TICKET.search(consent.text)
    if ticket is None:
        raise DemoError(f"Canvas's consent page answered {consent.status_code}")
    answer = canvas.post(f"{config.emulator_url}/login/oauth2/confirm",
                         data={"ticket": ticket.group(1), "decision": "authorize"},
                         allow_redirects=False, timeout=10)  # fmt: skip
    callback = tool.get(answer.headers.get("Location", ""), timeout=10)
    found = re.search(r'href="([^"]+)" data-oauth-continue', callback.text)
    if callback.status_code != 200 or found is None:
        raise DemoError(f"the tool's OAuth callback answered {callback.status_code}")
    reports = tool.get(config.tool_url + unescape(found.group(1)), timeout=10)
    if reports.status_code != 200:
        raise DemoError(f"the course's reports page answered {reports.status_code}")
    return reports.text


def find_tool_link(html: str, course_id: int) -> str:
    """The course-navigation link to an external tool in a course page."""
    marker = f"/courses/{course_id}/external_tools/"
    start = html.find(marker)
    if start < 0:
        raise DemoError(f"course {course_id} shows no external tool link")
    end = min(i for i in (html.find('"', start), html.find("'", start)) if i >= 0)
    return html[start:end].replace("&amp;", "&")


