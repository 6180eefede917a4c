"""Production gunicorn settings for the tool: ``gunicorn -c config/gunicorn.conf.py``.

Why these choices:
- ``gthread`` workers: requests mostly wait on PostgreSQL and Canvas; a few threads per process
  serve those waits without an async rewrite. Canvas calls from pages are rare (pages read the
  database; the job worker talks to Canvas).
- no ``preload_app``: every worker builds its own app, so database pools and Redis connections
  are never shared across ``fork``.
- the access log records the path without the query string, because page links carry the
  launch token as ``?lt=...`` and tokens must never reach a log.
- ``forwarded_allow_ips``: behind a TLS-terminating proxy gunicorn trusts ``X-Forwarded-Proto``
  only from the proxy's address, so the tool builds ``https://`` URLs.

Every value can be overridden from the environment (names below).
"""

from __future__ import annotations

import multiprocessing
import os

wsgi_app = "app:create_app()"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", str(multiprocessing.cpu_count() * 2 + 1)))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10
preload_app = False
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
limit_request_line = 8190
limit_request_field_size = 8190
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms request_id=%({x-request-id}o)s'
