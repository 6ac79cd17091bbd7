"""Keep-alive connections shared by the transports of a process, on a real Kitsu.

Zou's gunicorn closes every connection after one answer; the nginx in front of a
hosted Kitsu keeps the client's open. The benchmarks' latency proxy does the same
(with no delay here), and counts the connections clients open to it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import kitsu_orm as kitsu
from kitsu_orm.testing import KitsuServer
from kitsu_orm.transport import Transport

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from latency_proxy import LatencyProxy  # noqa: E402

pytestmark = pytest.mark.server


@pytest.fixture
def nginx(kitsu_server: KitsuServer) -> Iterator[LatencyProxy]:
    """A proxy that keeps the clients' connections open, as nginx does."""
    with LatencyProxy.in_front_of(kitsu_server.url, rtt=0.0, handshake_rtts=0) as proxy:
        yield proxy


def test_each_new_session_reuses_the_connection_of_the_last(
    nginx: LatencyProxy, kitsu_client: Transport, kitsu_project: dict[str, Any]
) -> None:
    """A script that opens a session per job pays a new connection's handshakes
    (two round trips to a hosted Kitsu) once, not once per session."""
    for n in range(4):
        s = kitsu.Session(nginx.url, token=kitsu_client.tokens)
        assert s.get(kitsu.Project, kitsu_project["id"]).name == kitsu_project["name"]
        s.transport.close()
        assert s.stats.requests == 1, n
    assert nginx.stats.client_connections == 1
    assert nginx.stats.requests == 4


def test_sessions_share_connections_never_tokens(
    nginx: LatencyProxy,
    kitsu_client: Transport,
    kitsu_role_clients: dict[str, Transport],
) -> None:
    """An admin's and an artist's transports take turns on the same connection:
    each request carries its own transport's token."""
    artist = kitsu_role_clients["artist"]
    admin_side = Transport(nginx.url, token=kitsu_client.tokens)
    artist_side = Transport(nginx.url, token=artist.tokens)
    for _ in range(3):
        assert admin_side.current_user()["email"] == kitsu_client.user["email"]  # type: ignore[index]
        assert artist_side.current_user()["email"] == artist.user["email"]  # type: ignore[index]
    with pytest.raises(kitsu.PermissionDenied):
        artist_side.post("data/task-types", {"name": "Not for artists", "for_entity": "Shot"})
    assert nginx.stats.client_connections == 1


@pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork: POSIX only")
def test_a_forked_child_opens_connections_of_its_own(
    nginx: LatencyProxy, kitsu_client: Transport
) -> None:
    """A render-farm launcher that forks after its first request: the child's
    requests, on the transport it inherited, never go on the parent's socket (both
    processes' requests and answers would mix on it)."""
    parent = Transport(nginx.url, token=kitsu_client.tokens)
    email = parent.current_user()["email"]
    pid = os.fork()
    if pid == 0:  # the child: exit 0 only if its requests are answered rightly
        code = 1
        try:
            ok = all(parent.current_user()["email"] == email for _ in range(2))
            code = 0 if ok else 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert parent.current_user()["email"] == email  # the parent's connection still works
    # The parent's, and the child's own (reusing the parent's: one in all).
    assert nginx.stats.client_connections == 2
