"""The transport's retry and error mapping, against the real Kitsu behind a fault proxy.

The proxy (tests/faultproxy.py) breaks chosen requests on the wire; everything
else reaches the real server, so these tests show what a user would see:
which faults are retried, which are not, and that only kitsu_orm errors
come out.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import urllib3.exceptions
from faultproxy import (
    DROP,
    FORWARD_THEN_RESET,
    RESET,
    Action,
    FaultProxy,
    Pass,
    delay,
    respond,
    stall_body,
)

from kitsu_orm import errors
from kitsu_orm.retry import Retry
from kitsu_orm.transport import Transport

pytestmark = pytest.mark.server

FAST = Retry(total=5, backoff=0.05, backoff_max=0.2, jitter=0.0)
TIMEOUT = (1.0, 5.0)


@pytest.fixture
def proxy(kitsu_server: Any) -> Iterator[FaultProxy]:
    with FaultProxy.in_front_of(kitsu_server.url) as proxy:
        yield proxy


def _through(
    proxy: FaultProxy,
    kitsu_client: Transport,
    *,
    retry: Retry = FAST,
    timeout: tuple[float, float] = TIMEOUT,
) -> Transport:
    assert kitsu_client.tokens is not None
    return Transport(proxy.url, token=kitsu_client.tokens, retry=retry, timeout=timeout)


@pytest.fixture
def client(proxy: FaultProxy, kitsu_client: Transport) -> Iterator[Transport]:
    with _through(proxy, kitsu_client) as client:
        yield client


def _milestone(project: dict[str, Any]) -> dict[str, str]:
    # Zou creates a milestone for every POST, where it would hand back the
    # existing sequence of the same name: only here would a replay show.
    return {"project_id": project["id"], "name": f"m-{uuid.uuid4().hex[:12]}", "date": "2030-01-01"}


def _milestones_named(kitsu_client: Transport, body: dict[str, str]) -> list[Any]:
    found = kitsu_client.get(
        "data/milestones", {"project_id": body["project_id"], "name": body["name"]}
    )
    assert isinstance(found, list)
    return found


def _assert_ours(exc: BaseException) -> None:
    """Only kitsu_orm's own errors reach the caller, with no foreign cause attached."""
    assert isinstance(exc, errors.KitsuError)
    assert not isinstance(exc, (requests.exceptions.RequestException, urllib3.exceptions.HTTPError))
    assert exc.__cause__ is None or isinstance(exc.__cause__, errors.KitsuError)


def test_get_succeeds_after_transient_faults(
    proxy: FaultProxy, client: Transport, kitsu_project: dict[str, Any]
) -> None:
    faults: list[Action] = [RESET, DROP, respond(502), respond(503)]
    proxy.script(*faults)

    project = client.get(f"data/projects/{kitsu_project['id']}")

    assert project["id"] == kitsu_project["id"]
    assert project["name"] == kitsu_project["name"]
    assert client.stats.retries == len(faults)
    assert client.stats.by_method == {"GET": len(faults) + 1}
    assert [s.action for s in proxy.received] == [*faults, Pass()]
    assert {s.path for s in proxy.received} == {f"/api/data/projects/{kitsu_project['id']}"}
    assert proxy.count(forwarded=True) == 1


def test_retry_after_is_honoured(
    proxy: FaultProxy, client: Transport, kitsu_project: dict[str, Any]
) -> None:
    proxy.script(respond(503, {"Retry-After": "1"}))

    started = time.monotonic()
    project = client.get(f"data/projects/{kitsu_project['id']}")
    elapsed = time.monotonic() - started

    assert project["id"] == kitsu_project["id"]
    assert elapsed >= 0.9  # the backoff alone would wait 0.05 s
    assert client.stats.retries == 1


def test_post_is_retried_after_429(
    proxy: FaultProxy,
    client: Transport,
    kitsu_client: Transport,
    kitsu_project: dict[str, Any],
) -> None:
    body = _milestone(kitsu_project)
    proxy.script(respond(429, {"Retry-After": "0"}))

    created = client.post("data/milestones", body)

    assert created["name"] == body["name"]
    assert client.stats.retries == 1
    assert proxy.count("POST") == 2
    assert proxy.count("POST", forwarded=True) == 1
    assert len(_milestones_named(kitsu_client, body)) == 1


def test_post_whose_answer_was_lost_is_not_replayed(
    proxy: FaultProxy,
    client: Transport,
    kitsu_client: Transport,
    kitsu_project: dict[str, Any],
) -> None:
    body = _milestone(kitsu_project)
    proxy.script(FORWARD_THEN_RESET)

    with pytest.raises(errors.ConnectionError) as caught:
        client.post("data/milestones", body)

    _assert_ours(caught.value)
    assert type(caught.value) is errors.ConnectionError
    assert (caught.value.method, caught.value.path) == ("POST", "/data/milestones")
    assert client.stats.retries == 0
    assert proxy.count("POST") == proxy.count("POST", forwarded=True) == 1
    # The server did apply it: a blind replay would have made a second one.
    assert len(_milestones_named(kitsu_client, body)) == 1


def test_refused_post_is_retried_then_raises(proxy: FaultProxy, client: Transport) -> None:
    proxy.refuse()

    with pytest.raises(errors.ConnectionError) as caught:
        client.post("data/milestones", {"name": "never sent"})

    _assert_ours(caught.value)
    assert type(caught.value) is errors.ConnectionError
    assert "could not connect" in caught.value.message
    assert client.stats.retries == FAST.total
    assert client.stats.by_method == {"POST": FAST.total + 1}
    assert proxy.received == []


def test_refused_post_is_sent_once_when_the_server_comes_back(
    proxy: FaultProxy, kitsu_client: Transport, kitsu_project: dict[str, Any]
) -> None:
    body = _milestone(kitsu_project)
    patient = Retry(total=10, backoff=0.05, backoff_max=0.2, jitter=0.0)
    proxy.refuse(seconds=0.3)

    with _through(proxy, kitsu_client, retry=patient) as client:
        created = client.post("data/milestones", body)
        retries = client.stats.retries

    assert created["name"] == body["name"]
    assert retries >= 1
    assert proxy.count("POST") == proxy.count("POST", forwarded=True) == 1
    assert len(_milestones_named(kitsu_client, body)) == 1


@pytest.mark.parametrize(
    ("fault", "read_timeout", "bound"),
    [(delay(3), 0.5, 1.5), (stall_body(5), 1.5, 3.0)],
    ids=["no-headers", "stalled-body"],
)
def test_read_timeout_is_raised_within_the_bound(
    proxy: FaultProxy,
    kitsu_client: Transport,
    kitsu_project: dict[str, Any],
    fault: Action,
    read_timeout: float,
    bound: float,
) -> None:
    proxy.script(fault)

    with _through(proxy, kitsu_client, timeout=(1.0, read_timeout)) as client:
        started = time.monotonic()
        with pytest.raises(errors.Timeout) as caught:
            client.get(f"data/projects/{kitsu_project['id']}")
        elapsed = time.monotonic() - started
        stats = client.stats

    _assert_ours(caught.value)
    assert elapsed < bound
    assert stats.retries == 0
    assert proxy.count("GET") == 1


def test_exhausted_retries_raise_server_error(
    proxy: FaultProxy, client: Transport, kitsu_project: dict[str, Any]
) -> None:
    proxy.script(*[respond(503)] * (FAST.total + 1))
    path = f"data/projects/{kitsu_project['id']}"

    with pytest.raises(errors.ServerError) as caught:
        client.get(path)

    _assert_ours(caught.value)
    assert (caught.value.status, caught.value.method, caught.value.path) == (503, "GET", "/" + path)
    assert client.stats.retries == FAST.total
    assert proxy.count("GET") == FAST.total + 1
    assert proxy.count(forwarded=True) == 0
    assert proxy.pending == 0


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        (RESET, errors.ConnectionError),
        (DROP, errors.ConnectionError),
        (FORWARD_THEN_RESET, errors.ConnectionError),
        (respond(502, body=b"<html>bad gateway</html>"), errors.ServerError),
        (respond(429), errors.KitsuError),
        (delay(3), errors.Timeout),
        (None, errors.ConnectionError),
    ],
    ids=["reset", "drop", "forward-then-reset", "502", "429", "delay", "refused"],
)
def test_no_foreign_exception_escapes(
    proxy: FaultProxy,
    kitsu_client: Transport,
    kitsu_project: dict[str, Any],
    fault: Action | None,
    expected: type[errors.KitsuError],
) -> None:
    if fault is None:
        proxy.refuse()
    else:
        proxy.script(fault)
    path = f"data/projects/{kitsu_project['id']}"

    with (
        _through(proxy, kitsu_client, retry=Retry.never(), timeout=(1.0, 0.5)) as client,
        pytest.raises(errors.KitsuError) as caught,
    ):
        client.get(path)

    _assert_ours(caught.value)
    assert type(caught.value) is expected
    assert (caught.value.method, caught.value.path) == ("GET", "/" + path)
