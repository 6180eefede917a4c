"""``JobLinks`` and the per-request status labels give exactly what they replace."""

from __future__ import annotations

import pytest
from flask import Flask, g, url_for

from app.reports.status import JobStatus
from app.web.auth import launch_url
from app.web.reports import JobLinks, status_label

IDS = [0, 1, 42, 10**9, 2**63 - 1]


@pytest.mark.parametrize("base_url", ["http://tool.test/", "http://tool.test/mounted/under"])
@pytest.mark.parametrize("token", ["", "abc.DEF-123_x", f"x{JobLinks._MARKER}y"])
def test_links_equal_url_for(app: Flask, base_url: str, token: str) -> None:
    with app.test_request_context("/", base_url=base_url):
        g.launch_token = token
        links = JobLinks()
        for job_id in IDS:
            assert links.page(job_id) == launch_url("reports.job", job_id=job_id)
            assert links.download(job_id) == launch_url("reports.download", job_id=job_id)
            assert links.insights(job_id) == launch_url("insights.job", job_id=job_id)
            for action in ("abort", "retry", "delete"):
                expected = url_for("reports.job_action", job_id=job_id, action=action)
                assert links.action(job_id, action) == expected


def test_status_labels_follow_the_request_locale(app: Flask) -> None:
    for lang, complete in (("es", "Completado"), ("en", "Complete")):
        with app.test_request_context("/", headers={"Accept-Language": lang}):
            assert status_label(JobStatus.COMPLETE.value) == complete
            assert status_label(JobStatus.COMPLETE.value) == complete  # remembered
            assert status_label(JobStatus.QUEUED.value) != complete
