"""Report files: attachments, the File JSON, downloads and the separate storage host.

Canvas serves ``/files/:id/download?verifier=<uuid>`` without credentials and redirects to a
signed URL on another host (InstFS/S3). The emulator does the same with a second host name for
itself (``localhost`` ↔ ``127.0.0.1``) so a client's redirect handling is exercised for real;
the storage endpoint records whether an ``Authorization`` header reached it, because a client
must never forward its Canvas bearer token there (reports-api.md §6).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from flask import Blueprint, Response, jsonify, redirect, request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from emulator.api.auth import authorize, can_read_attachment, require_user, session_user
from emulator.api.errors import not_found
from emulator.api.formats import iso
from emulator.state import Emulator, current_emulator
from emulator.store import Attachment

STORAGE_URL_TTL_SECONDS = 300
MIME_CLASSES = {
    "text/csv": "file",
    "application/zip": "zip",
    "application/json": "code",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "doc",
    "text/plain": "text",
}

bp = Blueprint("emulator_files", __name__)


@dataclass(frozen=True)
class StorageHit:
    """One request that reached the storage host (inspected by the tool's tests)."""

    attachment_id: int
    authorization: str | None  # the Authorization header as received, if any
    host: str


def download_url(emulator: Emulator, attachment: Attachment) -> str:
    """``file_download_url(attachment, download_frd: 1, verifier: uuid)``."""
    return (f"{emulator.base_url}/files/{attachment.id}/download"
            f"?download_frd=1&verifier={attachment.uuid}")


def file_json(emulator: Emulator, attachment: Attachment) -> dict[str, Any]:
    """The File object (``attachment_json``), incl. the hyphenated ``content-type``."""
    created = iso(attachment.created_at)
    return {
        "id": attachment.id,
        "uuid": attachment.uuid,
        "folder_id": _folder_id(attachment),
        "display_name": attachment.display_name,
        "filename": attachment.filename,
        "upload_status": "success",
        "content-type": attachment.content_type,
        "url": download_url(emulator, attachment),
        "size": len(attachment.data),
        "created_at": created,
        "updated_at": created,
        "unlock_at": None,
        "locked": False,
        "hidden": False,
        "lock_at": None,
        "hidden_for_user": False,
        "thumbnail_url": None,
        "modified_at": created,
        "mime_class": MIME_CLASSES.get(attachment.content_type, "file"),
        "media_entry_id": None,
        "category": "uncategorized",
        "locked_for_user": False,
    }


def _folder_id(attachment: Attachment) -> int:
    # One hidden folder per context, with a stable made-up id.
    return 9000 + sum(attachment.context_type.encode()) + attachment.context_id


def storage_base_url(emulator: Emulator) -> str:
    """The emulator's base URL under its other host name (storage must be another host)."""
    parts = urlsplit(emulator.base_url)
    host = parts.hostname or "localhost"
    other = "127.0.0.1" if host != "127.0.0.1" else "localhost"
    netloc = f"{other}:{parts.port}" if parts.port else other
    return urlunsplit((parts.scheme, netloc, "", "", ""))


def _serializer(emulator: Emulator) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(emulator.settings.secret_key, salt="emulator-storage")


def storage_url(emulator: Emulator, attachment: Attachment) -> str:
    token = _serializer(emulator).dumps({"id": attachment.id, "uuid": attachment.uuid})
    return f"{storage_base_url(emulator)}/_storage/{token}"


def storage_hits(emulator: Emulator) -> list[StorageHit]:
    """Every request the storage host received since the last reset (oldest first)."""
    hits: list[StorageHit] = emulator.parts.setdefault("storage_hits", [])
    return hits


# ---------------------------------------------------------------- views


@bp.get("/api/v1/files/<int:file_id>")
def show(file_id: int) -> Response:
    emulator = current_emulator()
    user = require_user()
    with emulator.store.lock:
        attachment = emulator.store.attachments.get(file_id)
        if attachment is None:
            raise not_found()
        authorize(can_read_attachment(emulator.store, user, attachment))
        return jsonify(file_json(emulator, attachment))


def _plain(status: int, text: str) -> Response:
    return Response(text, status=status, mimetype="text/plain")


def _download(attachment: Attachment | None) -> Response:
    """A verifier equal to the uuid, or a session user with read rights, gets the redirect."""
    emulator = current_emulator()
    if attachment is None:
        return _plain(404, "The specified resource does not exist.")
    verifier = request.args.get("verifier")
    if verifier is not None:
        if verifier != attachment.uuid:
            return _plain(401, "Unauthorized")
    else:
        user = session_user(emulator)  # non-API path: bearer tokens are ignored here
        if user is None or not can_read_attachment(emulator.store, user, attachment):
            return _plain(401, "Unauthorized")
    response: Response = redirect(storage_url(emulator, attachment), code=302)  # type: ignore[assignment]
    return response


@bp.get("/files/<int:file_id>/download")
def download(file_id: int) -> Response:
    return _download(current_emulator().store.attachments.get(file_id))


@bp.get("/<any(accounts, courses):context>/<int:context_id>/files/<int:file_id>/download")
def context_download(context: str, context_id: int, file_id: int) -> Response:
    attachment = current_emulator().store.attachments.get(file_id)
    context_type = "Account" if context == "accounts" else "Course"
    if attachment is not None and attachment.context_type == "Account" and (
            context_type != "Account" or attachment.context_id != context_id):
        attachment = None
    return _download(attachment)


@bp.get("/_storage/<token>")
def storage(token: str) -> Response:
    """The "InstFS" host: serves bytes for a signed, short-lived URL; records the headers."""
    emulator = current_emulator()
    try:
        claims = _serializer(emulator).loads(token, max_age=STORAGE_URL_TTL_SECONDS)
    except SignatureExpired:
        return _plain(403, "Request has expired")
    except BadSignature:
        return _plain(403, "Invalid signature")
    attachment = emulator.store.attachments.get(int(claims["id"]))
    if attachment is None or attachment.uuid != claims["uuid"]:
        return _plain(404, "Not Found")
    with emulator.store.lock:
        storage_hits(emulator).append(StorageHit(
            attachment.id, request.headers.get("Authorization"), request.host))
    response = Response(attachment.data, mimetype=attachment.content_type)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{attachment.filename}"')
    response.headers["Content-Length"] = str(len(attachment.data))
    return response
