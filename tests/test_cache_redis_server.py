"""The shared cache tier on Redis against the real server: users kept apart, a write
seen at once by another process, single flight of twenty processes counted by a proxy
in front of the server, an unreachable Redis.

Each test has a key prefix of its own on the machine's Redis, cleared at the end.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from faultproxy import FaultProxy
from test_cache_redis import REDIS, closed_port, needs_redis

import kitsu_orm as kitsu
from kitsu_orm.testing import KitsuServer, ProjectFactory
from kitsu_orm.transport import Transport

redis = pytest.importorskip("redis")

pytestmark = [pytest.mark.server, needs_redis]


@pytest.fixture
def shared(request: pytest.FixtureRequest) -> Iterator[str]:
    """A Redis cache URL with a prefix of this test's own; its keys are gone afterwards."""
    prefix = f"kitsu-orm-test-{uuid.uuid4().hex[:12]}:"
    yield f"{REDIS}?prefix={prefix}"
    client = redis.Redis.from_url(REDIS)
    left = list(client.scan_iter(match=prefix + "*"))
    if left:
        client.delete(*left)


def _session(url: str, client: Transport, cache: str) -> kitsu.Session:
    assert client.tokens is not None
    return kitsu.Session(transport=Transport(url, token=client.tokens), cache=cache)


def _make_shot(client: Transport, project_id: str, name: str = "SH010") -> dict[str, Any]:
    seq = client.post(f"data/projects/{project_id}/sequences", {"name": "SQ01"})
    return client.post(
        f"data/projects/{project_id}/shots",
        {"name": name, "sequence_id": seq["id"], "data": {"frame_in": 1, "frame_out": 10}},
    )


_READER = textwrap.dedent(
    """
    import json, os, pathlib, time
    import kitsu_orm as kitsu
    from kitsu_orm.transport import Transport
    ready, go = pathlib.Path(os.environ["READY"]), pathlib.Path(os.environ["GO"])
    s = kitsu.Session(transport=Transport(os.environ["URL"], token=os.environ["TOKEN"]),
                      cache=os.environ["CACHE"])
    ready.touch()
    while not go.exists():
        time.sleep(0.01)
    shots = kitsu.Shot.where(project_id=os.environ["PROJECT_ID"], session=s).all()
    print(json.dumps({"frame_outs": [x.frame_out for x in shots], "hits": s.cache_hits}))
    """
)


def _readers(
    count: int, url: str, token: str, cache: str, project_id: str, folder: Path
) -> list[Any]:
    """``count`` processes that read the project's shots at the same moment (they wait
    for a file once their session is open); their answers."""
    go = folder / "go"
    env = {**os.environ, "URL": url, "TOKEN": token, "CACHE": cache, "PROJECT_ID": project_id}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _READER],
            env={**env, "READY": str(folder / f"ready-{i}"), "GO": str(go)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(count)
    ]
    deadline = time.monotonic() + 120
    while len(list(folder.glob("ready-*"))) < count:
        assert time.monotonic() < deadline, "the readers did not start"
        assert all(p.poll() is None for p in procs), [p.communicate()[1] for p in procs]
        time.sleep(0.05)
    go.touch()
    answers = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        answers.append(json.loads(out))
    for path in folder.glob("*"):
        path.unlink()
    return answers


def test_two_users_never_share_answers(
    kitsu_as: Any, kitsu_project: dict[str, Any], kitsu_make_project: ProjectFactory, shared: str
) -> None:
    other = kitsu_make_project()  # the artist is not on its team
    admin = kitsu_as("admin", cache=shared)
    assert {kitsu_project["name"], other["name"]} <= {
        p.name for p in kitsu.Project.where(session=admin).all()
    }
    artist = kitsu_as("artist", cache=shared)
    assert [p.name for p in kitsu.Project.where(session=artist).all()] == [kitsu_project["name"]]
    assert artist.cache_hits == 0
    assert [p.name for p in kitsu.Project.where(session=artist).all()] == [kitsu_project["name"]]
    assert artist.cache_hits == 1  # its own answer, from Redis
    admin.cache.clear()


def test_a_write_in_one_process_is_seen_at_once_by_another(
    kitsu_server: KitsuServer,
    kitsu_client: Transport,
    kitsu_project: dict[str, Any],
    shared: str,
    tmp_path: Path,
) -> None:
    pid = kitsu_project["id"]
    _make_shot(kitsu_client, pid)
    assert kitsu_client.tokens is not None
    token = kitsu_client.tokens.access
    writer = _session(kitsu_server.url, kitsu_client, shared)
    (shot,) = kitsu.Shot.where(project_id=pid, session=writer).all()
    (before,) = _readers(1, kitsu_server.url, token, shared, pid, tmp_path)
    assert before == {"frame_outs": [10], "hits": 1}  # the writer's answer, from Redis

    shot.frame_out = 99
    writer.commit()
    (after,) = _readers(1, kitsu_server.url, token, shared, pid, tmp_path)
    assert after == {"frame_outs": [99], "hits": 0}
    (again,) = _readers(1, kitsu_server.url, token, shared, pid, tmp_path)
    assert again == {"frame_outs": [99], "hits": 1}
    writer.cache.clear()  # type: ignore[union-attr]


def test_twenty_processes_missing_one_answer_send_the_server_one_request(
    kitsu_server: KitsuServer,
    kitsu_client: Transport,
    kitsu_project: dict[str, Any],
    shared: str,
    tmp_path: Path,
) -> None:
    pid = kitsu_project["id"]
    _make_shot(kitsu_client, pid)
    assert kitsu_client.tokens is not None
    time.sleep(1.1)  # the event log's look below starts after the shot's event (seconds)
    with FaultProxy.in_front_of(kitsu_server.url) as proxy:
        # The token is confirmed once, and the event log looked at, before the crowd comes.
        warm = _session(proxy.url, kitsu_client, shared)
        kitsu.Project.where(session=warm).all()
        proxy.clear()
        answers = _readers(20, proxy.url, kitsu_client.tokens.access, shared, pid, tmp_path)
        seen = [s.path for s in proxy.received]
    # One read of the shots; and, when the crowd came more than ``events_interval``
    # (10 s) after the warm session's look, one read of the event log, by one process.
    assert seen.count("/api/data/shots/with-tasks") == 1, seen
    assert len(seen) - 1 == seen.count("/api/data/events/last") <= 1, seen
    assert all(a["frame_outs"] == [10] for a in answers)
    assert sorted(a["hits"] for a in answers) == [0] + [1] * 19
    warm.cache.clear()  # type: ignore[union-attr]


def test_a_crowd_reads_the_event_log_once_and_none_serves_what_that_read_outdates(
    kitsu_server: KitsuServer,
    kitsu_client: Transport,
    kitsu_project: dict[str, Any],
    shared: str,
) -> None:
    from kitsu_orm.cache_redis import RedisCache
    from kitsu_orm.cache_shared import split_settings

    pid = kitsu_project["id"]
    row = _make_shot(kitsu_client, pid)
    prefix = split_settings(shared)[1]["prefix"]

    def session(url: str) -> kitsu.Session:  # a process of the farm, its own connections
        cache = RedisCache(REDIS, prefix=prefix, events_interval=1)
        return kitsu.Session(transport=Transport(url, token=kitsu_client.tokens), cache=cache)

    def frame_outs(s: kitsu.Session) -> list[Any]:
        return [x.frame_out for x in kitsu.Shot.where(project_id=pid, session=s)]

    time.sleep(1.1)  # the event log's marks are seconds: the shot's event is before the first
    with FaultProxy.in_front_of(kitsu_server.url) as proxy:
        warm = session(proxy.url)
        assert frame_outs(warm) == [10]  # cached; and the namespace's first look marked
        time.sleep(1.1)  # the interval runs out, and the write below is after that mark
        kitsu_client.put(f"data/entities/{row['id']}", {"data": {"frame_in": 1, "frame_out": 99}})
        crowd = [session(proxy.url) for _ in range(8)]
        proxy.clear()
        start, answers = threading.Barrier(len(crowd)), []

        def read(s: kitsu.Session) -> None:
            start.wait()
            answers.append(frame_outs(s))

        threads = [threading.Thread(target=read, args=(s,)) for s in crowd]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        seen = [s.path for s in proxy.received]
    # One of them reads the log; the others wait for that read instead of serving the
    # shots it outdates; the shots are then asked once (single flight).
    assert sorted(seen) == ["/api/data/events/last", "/api/data/shots/with-tasks"], seen
    assert answers == [[99]] * len(crowd)
    warm.cache.clear()  # type: ignore[union-attr]


def test_an_unreachable_redis_leaves_reads_working_with_one_warning(
    kitsu_server: KitsuServer,
    kitsu_client: Transport,
    kitsu_project: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
) -> None:
    pid = kitsu_project["id"]
    _make_shot(kitsu_client, pid)
    nowhere = f"redis://127.0.0.1:{closed_port()}/0"
    with caplog.at_level(logging.WARNING, "kitsu_orm.cache"):
        alone = _session(kitsu_server.url, kitsu_client, nowhere)
        for _ in range(3):
            alone.close()
            assert [s.frame_out for s in kitsu.Shot.where(project_id=pid, session=alone)] == [10]
        assert alone.cache_hits == 0  # the server answered each time
        layered = kitsu.Session(
            transport=Transport(kitsu_server.url, token=kitsu_client.tokens),  # type: ignore[arg-type]
            cache="disk+" + nowhere,
            cache_dir=str(tmp_path / "disk"),
        )
        for _ in range(2):
            layered.close()
            assert [s.frame_out for s in kitsu.Shot.where(project_id=pid, session=layered)] == [10]
        assert layered.cache_hits == 1  # the disk tier answered the second read
    warnings = [r for r in caplog.records if "unreachable" in r.getMessage()]
    assert len(warnings) == 2  # once for each cache: not once per read


def test_an_output_path_is_computed_once_until_a_name_it_shows_changes(
    kitsu_server: KitsuServer,
    kitsu_client: Transport,
    kitsu_project: dict[str, Any],
    shared: str,
) -> None:
    from kitsu_orm.filetree import file_tree

    pid = kitsu_project["id"]
    kitsu_client.put(f"data/projects/{pid}", {"file_tree": file_tree("default")})
    if not kitsu_client.get("data/output-types", {"name": "Render"}):
        kitsu_client.post("data/output-types", {"name": "Render", "short_name": "rnd"})
    row = _make_shot(kitsu_client, pid)
    s = _session(kitsu_server.url, kitsu_client, shared)
    shot = s.get(kitsu.Shot, row["id"])
    render = kitsu.OutputType.where(name="Render", session=s).one()
    lighting = kitsu.TaskType.where(name="Lighting", session=s).one()
    before = s.transport.stats.by_method.get("POST", 0)
    path = kitsu.OutputFile.build_path(shot, render, lighting)
    assert "sh010" in path
    other = _session(kitsu_server.url, kitsu_client, shared)  # another process's session
    assert kitsu.OutputFile.build_path(
        other.get(kitsu.Shot, row["id"]), render, lighting
    ) == path
    assert other.transport.stats.by_method.get("POST", 0) == 0
    assert s.transport.stats.by_method.get("POST", 0) == before + 1
    shot.name = "SH020"
    s.commit()
    other.close()
    renamed = kitsu.OutputFile.build_path(other.get(kitsu.Shot, row["id"]), render, lighting)
    assert "sh020" in renamed and "sh010" not in renamed
    s.cache.clear()  # type: ignore[union-attr]
