"""Operator tasks behind ``flask --app app jobs|tokens|keys ...`` (retention, revocation, rekey)."""
