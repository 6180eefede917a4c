"""Canvas failures as typed errors, so callers catch meanings rather than status codes.

Every error carries Canvas's own message (safe to show: Canvas never echoes tokens) and,
where one exists, the HTTP status Canvas answered with (``canvas_status``).
"""

from __future__ import annotations

from app.errors import ToolError


class CanvasError(ToolError):
    """Canvas answered something the tool cannot use (502: the upstream failed)."""

    status = 502
    code = "canvas_error"

    def __init__(self, message: str, *, canvas_status: int | None = None) -> None:
        super().__init__(message)
        self.canvas_status = canvas_status


class CanvasAuthorizationRequired(CanvasError):
    """No usable token for this user: the page must offer "Authorize" again."""

    status = 401
    code = "canvas_authorization_required"


class CanvasNotPermitted(CanvasError):
    """Canvas says the user may not do this (401/403 without ``WWW-Authenticate``)."""

    status = 403
    code = "canvas_not_permitted"


class CanvasNotFound(CanvasError):
    status = 404
    code = "canvas_not_found"


class CanvasConflict(CanvasError):
    """E.g. a quiz report that is already being generated."""

    status = 409
    code = "canvas_conflict"


class CanvasUnprocessable(CanvasError):
    status = 422
    code = "canvas_unprocessable"


class CanvasBadRequest(CanvasError):
    status = 400
    code = "canvas_bad_request"


class CanvasThrottled(CanvasError):
    """Canvas kept answering "Rate Limit Exceeded" after every backoff."""

    status = 503
    code = "canvas_throttled"


class CanvasUnavailable(CanvasError):
    """5xx or timeouts after the allowed retries, or once for a non-idempotent create.

    For a report-creating POST this means "unknown whether Canvas created it": the caller
    reconciles by listing instead of posting again.
    """

    status = 503
    code = "canvas_unavailable"


class CanvasTokenRejected(CanvasError):
    """Internal signal: 401 with ``WWW-Authenticate`` (invalid/expired/revoked token).

    The requester turns it into one refresh attempt; callers see
    ``CanvasAuthorizationRequired`` if that does not help.
    """

    status = 401
    code = "canvas_token_rejected"


class CanvasOAuthError(CanvasError):
    """The token endpoint refused a grant (``error`` is OAuth2's error code)."""

    code = "canvas_oauth_error"

    def __init__(self, message: str, *, error: str, canvas_status: int | None = None) -> None:
        super().__init__(message, canvas_status=canvas_status)
        self.error = error


class AuthorizationFlowError(ToolError):
    """The OAuth2 authorization round trip failed; ``reason`` says which way.

    Reasons: ``access_denied``, ``invalid_scope``, ``unauthorized_client``, ``canvas_error``,
    ``state_unknown``, ``state_used``, ``state_expired``, ``token_error``, ``wrong_user``.
    """

    status = 400
    code = "authorization_failed"

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason
