"""The id_token claim set of a resource-link launch (reference 3.5, ``jwt_message.rb``)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from emulator.lti.launch import PendingLaunch
from emulator.lti.options import lti_options
from emulator.lti.roles import lti_roles
from emulator.lti.tools import Tool, opaque_id
from emulator.lti.variables import ExpansionContext, expand_all
from emulator.store import Course, User

if TYPE_CHECKING:
    from emulator.state import Emulator

ID_TOKEN_TTL = timedelta(hours=1)
CLAIM = "https://purl.imsglobal.org/spec/lti/claim"
COURSE_OFFERING = "http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"
ASSIGNMENT_PLACEMENTS = ("assignment_view",)  # Canvas's ASSIGNMENT_GUARD (reference 3.8)
AVATAR_PATH = "/images/messages/avatar-50.png"


def _root_account_id(emulator: Emulator, account_id: int) -> int:
    chain = emulator.store.account_chain(account_id)
    return chain[-1] if chain else account_id


def _names(user: User, privacy_level: str, base_url: str) -> dict[str, Any]:
    claims: dict[str, Any] = {}
    if privacy_level in ("name_only", "public"):
        given, _, family = user.name.partition(" ")
        claims.update({"name": user.name, "given_name": given, "family_name": family})
    if privacy_level in ("email_only", "public"):
        claims["email"] = user.email
    if privacy_level == "public":
        claims["picture"] = f"{base_url}{AVATAR_PATH}"
    return claims


def _assignment_in_scope(emulator: Emulator, launch: PendingLaunch) -> int | None:
    """``$Canvas.assignment.id``: Canvas's ``ASSIGNMENT_GUARD`` (an assignment launch); on
    ``assignment_menu`` only in the opt-in ``custom`` quiz-id mode, never on Canvas."""
    if launch.placement in ASSIGNMENT_PLACEMENTS:
        return launch.assignment_id
    if launch.placement == "assignment_menu" and lti_options(emulator).quiz_id_mode == "custom":
        return launch.assignment_id
    return None


def _quiz_in_scope(emulator: Emulator, launch: PendingLaunch) -> int | None:
    """``$Canvas.quiz.id`` (no such Canvas variable) for a quiz_menu launch, only in the
    opt-in ``custom`` quiz-id mode; by default it arrives as the literal string."""
    if launch.placement == "quiz_menu" and lti_options(emulator).quiz_id_mode == "custom":
        return launch.quiz_id
    return None


def _context_claims(
    emulator: Emulator, launch: PendingLaunch, course: Course | None, account_name: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The context claim and the resource link claim (canvas-lms
    ``lib/lti/messages/resource_link_request.rb`` ``add_resource_link_request_claims!``).

    ``resource_link.id`` is the assignment's resource link when an assignment is in scope
    (``assignment_view``), else the context's own opaque id: a menu launch is one link per
    context, so its claims do not tell which quiz or assignment the menu belonged to.
    ``title`` = ``resource_link&.title || @assignment&.title || ... || @context.name``;
    ``description`` = ``@assignment&.description``.
    """
    if course is not None:
        context: dict[str, Any] = {
            "id": course.lti_context_id,
            "label": course.course_code,
            "title": course.name,
            "type": [COURSE_OFFERING],
        }
    else:
        context = {
            "id": opaque_id("Account", launch.context_id),
            "title": account_name,
            "type": ["Account"],
        }
    link: dict[str, Any] = {"id": context["id"], "title": context["title"], "description": None}
    assignment_id = launch.assignment_id if launch.placement in ASSIGNMENT_PLACEMENTS else None
    assignment = emulator.store.assignments.get(assignment_id) if assignment_id else None
    if assignment is not None:
        link = {
            "id": opaque_id(f"ResourceLink:{launch.deployment_id}", assignment.id),
            "title": assignment.name,
            "description": assignment.description,
        }
    return context, link


def _presentation(tool: Tool, launch: PendingLaunch, return_url: str) -> dict[str, Any]:
    """``launch_presentation``: ``height``/``width`` only when the tool configures a selection
    size (canvas-lms ``JwtMessage#add_launch_presentation_claims!`` sets them ``if present?``)."""
    presentation: dict[str, Any] = {
        "document_target": "iframe",
        "return_url": return_url,
        "locale": launch.locale,
    }
    placement = tool.placements.get(launch.placement)
    if placement is not None and placement.selection_height is not None:
        presentation["height"] = placement.selection_height
    if placement is not None and placement.selection_width is not None:
        presentation["width"] = placement.selection_width
    return presentation


def include_lti1p1(user: User) -> bool:
    """canvas-lms ``JwtMessage#include_lti1p1_claims?``: the user's LTI 1.1 id (its
    ``lti_context_id``, set by ``lti11_legacy_user_id`` just before) differs from its LTI 1.3
    ``lti_id`` (or an associated 1.1 tool exists: none is modelled). Seeded users have a UUID
    ``lti_sub`` and a 40-hex legacy id, so they always get the claim, as on Canvas."""
    return opaque_id("User", user.id) != user.lti_sub


def build_claims(
    emulator: Emulator, tool: Tool, launch: PendingLaunch, nonce: str
) -> dict[str, Any]:
    """Every claim Canvas sends for ``launch``; ``nonce`` comes from the auth request."""
    store = emulator.store
    base = emulator.base_url
    user = store.users[launch.user_id]
    course = store.courses.get(launch.context_id) if launch.context_type == "Course" else None
    account_id = course.account_id if course else launch.context_id
    root_id = _root_account_id(emulator, account_id)
    root = store.accounts.get(root_id)
    account = store.accounts.get(account_id)
    now = store.now()
    post_message_token = str(uuid.uuid4())
    custom_fields = tool.custom_fields_for(launch.placement)
    ctx = ExpansionContext(
        store=store,
        base_url=base,
        user=user,
        account_id=account_id,
        root_account_id=root_id,
        course=course,
        assignment_id=_assignment_in_scope(emulator, launch),
        quiz_id=_quiz_in_scope(emulator, launch),
        locale=launch.locale,
        post_message_token=post_message_token,
    )
    custom = expand_all(custom_fields, ctx)
    context, resource_link = _context_claims(
        emulator, launch, course, account.name if account else ""
    )
    return_path = f"/courses/{course.id}" if course else f"/accounts/{account_id}"
    claims: dict[str, Any] = {
        "iss": base,
        "aud": tool.key.client_id,
        "azp": tool.key.client_id,
        "sub": user.lti_sub,
        "exp": int((now + ID_TOKEN_TTL).timestamp()),
        "iat": int(now.timestamp()),
        "nonce": nonce,
        f"{CLAIM}/message_type": "LtiResourceLinkRequest",
        f"{CLAIM}/version": "1.3.0",
        f"{CLAIM}/deployment_id": launch.deployment_id,
        f"{CLAIM}/target_link_uri": launch.target_link_uri,
        f"{CLAIM}/resource_link": resource_link,
        f"{CLAIM}/context": context,
        f"{CLAIM}/tool_platform": {
            "guid": f"{opaque_id('Account', root_id)}:canvas-lms",
            "name": root.name if root else "",
            "version": "cloud",
            "product_family_code": "canvas",
        },
        f"{CLAIM}/launch_presentation": _presentation(
            tool, launch, f"{base}{return_path}/external_content/success/external_tool_redirect"
        ),
        "locale": launch.locale,
        f"{CLAIM}/roles": lti_roles(store, user, course.id if course else None),
        f"{CLAIM}/custom": custom,
        f"{CLAIM}/lti11_legacy_user_id": opaque_id("User", user.id),
        "https://www.instructure.com/placement": launch.placement,
    }
    if include_lti1p1(user):
        claims[f"{CLAIM}/lti1p1"] = {"user_id": opaque_id("User", user.id)}
    lis: dict[str, str] = {}
    if tool.privacy_level == "public" and user.sis_user_id:
        lis["person_sourcedid"] = user.sis_user_id
    if course is not None and course.sis_course_id:
        lis["course_offering_sourcedid"] = course.sis_course_id
    if lis:
        claims[f"{CLAIM}/lis"] = lis
    claims.update(_names(user, tool.privacy_level, base))
    return claims
