"""The retry policy, as a value: no server needed."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest

from kitsu_orm.retry import Retry


def test_idempotent_methods_retry_on_transient_statuses() -> None:
    retry = Retry(total=2)
    for method in ("GET", "PUT", "DELETE", "HEAD"):
        for status in (502, 503, 504, 429):
            assert retry.allows_status(method, status)
        assert not retry.allows_status(method, 500)
        assert not retry.allows_status(method, 404)


def test_post_is_replayed_only_when_it_never_left() -> None:
    retry = Retry(total=3)
    assert not retry.allows_status("POST", 502)
    assert not retry.allows_status("POST", 503)
    assert retry.allows_status("POST", 429)
    assert not retry.allows_connection_error("POST", sent=True)
    assert retry.allows_connection_error("POST", sent=False)
    assert retry.allows_connection_error("GET", sent=True)


def test_increment_is_immutable_and_exhausts() -> None:
    first = Retry(total=2)
    second = first.increment()
    assert first.attempt == 0 and second.attempt == 1
    third = second.increment()
    assert third.exhausted and not third.allows_status("GET", 503)
    assert not Retry.never().allows_connection_error("GET", sent=False)


def test_backoff_grows_exponentially_with_bounded_jitter() -> None:
    for attempt, base in [(0, 0.1), (1, 0.2), (2, 0.4), (5, 1.0)]:
        delays = {
            Retry(backoff=0.1, jitter=0.5, backoff_max=1.0, attempt=attempt).wait()
            for _ in range(50)
        }
        assert all(base <= d <= base * 1.5 for d in delays)
        assert len(delays) > 1  # jitter spreads clients apart


@pytest.mark.parametrize("header", ["3", "  3 "])
def test_retry_after_seconds_wins_when_longer(header: str) -> None:
    assert Retry(backoff=0.01).wait(header) >= 3


def test_retry_after_http_date_and_cap() -> None:
    later = datetime.now(timezone.utc) + timedelta(seconds=5)
    assert 3.5 <= Retry(backoff=0.01).wait(format_datetime(later, usegmt=True)) <= 5.5
    assert Retry(backoff=0.01, retry_after_max=2).wait("3600") == 2
    assert Retry(backoff=0.01).wait("garbage") < 1
