"""Quiz insights: pure statistics on parsed Canvas quiz reports (standard library only).

Parsed rows in (``parse.py``), frozen dataclasses out (``analysis.py``). Nothing here imports
Flask, SQLAlchemy or an HTTP library; import-linter enforces it.
"""
