"""Scheduled recurring reports (docs/schedules.md)."""
