"""request_log: the request counters and the echo log (no server)."""

from __future__ import annotations

import logging
import threading

import pytest

from kitsu_orm.request_log import RequestStats, log_request, log_retry


def test_counters_add_up_across_threads_and_reset() -> None:
    stats = RequestStats()

    def send() -> None:
        for _ in range(500):
            stats.record("GET", 0.001, failed=False)

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stats.record("POST", 0.5, failed=True)
    stats.count_retry()
    assert (stats.total, stats.by_method, stats.errors, stats.retries) == (
        2001,
        {"GET": 2000, "POST": 1},
        1,
        1,
    )
    stats.reset()
    assert (stats.total, stats.by_method, stats.seconds) == (0, {}, 0.0)


def test_a_request_is_logged_at_info_only_with_echo(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="kitsu_orm.http"):
        log_request("GET", "/data/shots", 200, 0.0123, echo=False)
        log_request("POST", "data/tasks", "error", 0.5, echo=True)
        log_retry("GET", "data/shots", 0.25, 2)
    assert [(r.levelno, r.getMessage()) for r in caplog.records] == [
        (logging.DEBUG, "GET /data/shots 200 12.3 ms"),
        (logging.INFO, "POST /data/tasks error 500.0 ms"),
        (logging.INFO, "retrying GET /data/shots in 0.25 s (attempt 2)"),
    ]
