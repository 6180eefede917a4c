"""Blueprint: insights pages and endpoints."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("insights", __name__)
