"""Live events (kitsu_orm.events, event.py, event_log.py, event_socket.py).

The bookkeeping that makes "none missed, none twice" is tested on an event log
kept in memory; the rest against the real local Kitsu and its event stream
(``zou.event_stream``, started by the dev server), cut with the fault proxy.
"""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from faultproxy import Action, FaultProxy, delay, respond

import kitsu_orm as kitsu
from kitsu_orm.errors import AuthenticationError, ConfigurationError, ConnectionError, ServerError
from kitsu_orm.event import Event, Listener, compile_pattern
from kitsu_orm.event_log import EventLog
from kitsu_orm.testing import FakeTransport, KitsuServer
from kitsu_orm.transport import Transport

# -- patterns and the log's bookkeeping (no server) -------------------------------------


@pytest.mark.parametrize(
    ("pattern", "name", "matches"),
    [
        ("task:update", "task:update", True),
        ("task:update", "task:updated", False),
        ("task:*", "task:status-changed", True),
        ("task:*", "task-type:new", False),
        ("*:new", "comment:new", True),
        ("*", "anything:at-all", True),
        ("task.*", "taskXupdate", False),  # only * is special
    ],
)
def test_patterns_match_names_with_stars(pattern: str, name: str, matches: bool) -> None:
    assert (compile_pattern(pattern).fullmatch(name) is not None) is matches


def test_an_empty_pattern_is_refused() -> None:
    with pytest.raises(ConfigurationError):
        compile_pattern("")


class _Log:
    """Zou's event log in memory: ``GET data/events/last`` with after, limit and cursor."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []  # oldest first
        self.base = datetime.datetime(2026, 1, 5, 9, 0, 0)
        self.reads = 0

    def add(self, name: str, data: dict[str, Any], second: float) -> dict[str, Any]:
        row = {
            "id": str(uuid.uuid4()),
            "at": self.base + datetime.timedelta(seconds=second),
            "name": name,
            "user_id": None,
            "project_id": None,
            "data": data,
        }
        self.rows.append(row)
        return row

    def read(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        self.reads += 1
        rows = sorted(self.rows, key=lambda r: r["at"], reverse=True)
        if "after" in params:
            after = datetime.datetime.fromisoformat(params["after"])
            rows = [r for r in rows if r["at"] > after]
        if "cursor_event_id" in params:
            cursor = next(r["at"] for r in self.rows if r["id"] == params["cursor_event_id"])
            rows = [r for r in rows if r["at"] < cursor]
        page = rows[: params.get("limit", 100)]
        return [
            {**{k: v for k, v in r.items() if k != "at"}, "created_at": _second(r["at"])}
            for r in page
        ]


def _second(when: datetime.datetime) -> str:
    return when.replace(microsecond=0).isoformat()


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_log_hands_over_each_event_once_including_those_missed_while_cut() -> None:
    log, clock = _Log(), _Clock()
    log.add("task:update", {"task_id": "old"}, 0)  # before the listener: never handed over
    feed = EventLog(log.read, clock=clock)
    assert feed.start() is True

    first = log.add("task:update", {"task_id": "a"}, 1.2)
    assert feed.pushed("task:update", {"task_id": "a"}) == []  # waits for its row
    assert [r["id"] for r in feed.catch_up()] == [first["id"]]

    # Cut: three events happen, none pushed; two share a second with the first.
    missed = [log.add("task:update", {"task_id": t}, s) for t, s in (("b", 1.5), ("c", 1.7))]
    missed.append(log.add("comment:new", {"comment_id": "x"}, 3.0))
    got = feed.catch_up()  # after the reconnection

    assert [r["id"] for r in got] == [r["id"] for r in missed]
    assert feed.catch_up() == []  # read again (the lookback): nothing twice
    assert not feed.waiting


def test_a_push_never_logged_is_handed_over_after_the_grace_and_only_once() -> None:
    log, clock = _Log(), _Clock()
    feed = EventLog(log.read, grace=3.0, clock=clock)
    feed.start()

    feed.pushed("comment:acknowledge", {"comment_id": "c"})
    assert feed.catch_up() == [] and feed.waiting
    clock.now = 3.5
    late = feed.catch_up()
    assert [(r["name"], r["id"]) for r in late] == [("comment:acknowledge", None)]

    log.add("comment:acknowledge", {"comment_id": "c"}, 4)  # its row shows after all
    assert feed.catch_up() == []


def test_a_push_that_comes_after_its_row_is_not_handed_over_again() -> None:
    log, clock = _Log(), _Clock()
    feed = EventLog(log.read, clock=clock)
    feed.start()
    row = log.add("task:update", {"task_id": "a"}, 1)

    assert [r["id"] for r in feed.catch_up()] == [row["id"]]
    feed.pushed("task:update", {"task_id": "a"})  # a slow socket
    clock.now = 10.0
    assert feed.catch_up() == []


def test_more_than_a_page_of_missed_events_is_read_page_by_page() -> None:
    log, clock = _Log(), _Clock()
    feed = EventLog(log.read, clock=clock)
    feed.start()
    added = [log.add("task:update", {"task_id": str(i)}, i * 0.001) for i in range(2100)]

    got = feed.catch_up()

    assert [r["id"] for r in got] == [r["id"] for r in added]
    assert log.reads >= 4  # the start, then three pages of at most 1000


def test_a_user_who_cannot_read_the_log_gets_pushes_as_they_come() -> None:
    def read(params: dict[str, Any]) -> Any:
        raise kitsu.PermissionDenied("managers only")

    feed = EventLog(read)
    assert feed.start() is False
    assert [r["name"] for r in feed.pushed("task:update", {"task_id": "a"})] == ["task:update"]
    assert feed.catch_up() == []


def test_without_the_extra_the_error_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "socketio", None)  # as if not installed
    fake = FakeTransport(lambda method, path, params, json: [])
    session = kitsu.Session(transport=fake)

    with pytest.raises(ConfigurationError, match=r"pip install kitsu-orm\[events\]"):
        session.events.start()
    assert not session.events.running


def test_the_stream_is_at_the_hosts_root_unless_told(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KITSU_EVENTS_URL", raising=False)
    fake = FakeTransport(lambda method, path, params, json: [])
    assert kitsu.Session(transport=fake).events.url == fake.host.removesuffix("/api")
    monkeypatch.setenv("KITSU_EVENTS_URL", "http://events.test:5001")
    assert kitsu.Session(transport=fake).events.url == "http://events.test:5001"


# -- on the real server -------------------------------------------------------------------


@pytest.fixture
def events_url(kitsu_server: KitsuServer) -> str:
    url = getattr(kitsu_server, "events_url", None) or os.environ.get("KITSU_EVENTS_URL")
    if not url:
        pytest.skip("the test server's event stream is unknown: set KITSU_EVENTS_URL")
    return str(url)


def _tasks(client: Transport, project_id: str, count: int) -> list[str]:
    """``count`` shot tasks of one task type in the project; their ids."""
    seq = client.post(f"data/projects/{project_id}/sequences", {"name": "SQ_EVENTS"})
    shots = [
        client.post(
            f"data/projects/{project_id}/shots", {"name": f"SH{i:03d}", "sequence_id": seq["id"]}
        )
        for i in range(count)
    ]
    task_type = next(t for t in client.get("data/task-types") if t["name"] == "Animation")
    client.post(
        f"data/projects/{project_id}/settings/task-types", {"task_type_id": task_type["id"]}
    )
    route = f"actions/projects/{project_id}/task-types/{task_type['id']}/shots/create-tasks"
    return [t["id"] for t in client.post(route, [s["id"] for s in shots])]


def _status(client: Transport, short_name: str) -> str:
    return next(s["id"] for s in client.get("data/task-status") if s["short_name"] == short_name)


def _wait_for(path: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path.name} never came"
        time.sleep(0.05)


@pytest.fixture
def stream_proxy(events_url: str) -> Iterator[FaultProxy]:
    # A long poll is held by the stream up to its ping interval (25 s).
    with FaultProxy.in_front_of(events_url, io_timeout=60) as proxy:
        yield proxy


# Another process, as the admin: one commit per status change. With a folder
# (argv 3), it stops after 20 commits until the file "cut" is there, makes 10 more
# (while the listener is cut off), says so with the file "ten", and goes on.
_WRITER = """
import os, sys, time
from pathlib import Path
import kitsu_orm as kitsu
session = kitsu.Session(os.environ["KITSU_URL"], token=os.environ["KITSU_TOKEN"])
wip = session.get(kitsu.TaskStatus, sys.argv[2])
tasks = session.fetch(kitsu.Task, {"project_id": sys.argv[1]})
folder = Path(sys.argv[3]) if len(sys.argv) > 3 else None
for n, task in enumerate(tasks):
    if folder is not None and n == 20:
        while not (folder / "cut").exists():
            time.sleep(0.05)
    if folder is not None and n == 30:
        (folder / "ten").touch()
    task.set_status(wip, "on it")
    session.commit()
print(len(tasks))
"""


@pytest.mark.server
def test_a_listener_gets_all_50_status_changes_once_across_a_cut(
    kitsu_as: Any,
    kitsu_client: Transport,
    kitsu_team: Any,
    stream_proxy: FaultProxy,
    tmp_path: Path,
) -> None:
    """A manager listens through a proxy; the admin, in another process, changes 50
    statuses, one commit each; the connection is cut mid-burst, and kept down while
    ten of them are made (so that those come from the event log, whatever the load)."""
    project_id = kitsu_team.project["id"]
    task_ids = _tasks(kitsu_client, project_id, 50)
    wip = _status(kitsu_client, "wip")
    listener_session = kitsu_as("manager")
    listener_session.events.url = stream_proxy.url
    listener = listener_session.events.listen("task:status-changed", timeout=30)
    assert kitsu_client.tokens is not None
    env = {**os.environ, "KITSU_URL": kitsu_client.host, "KITSU_TOKEN": kitsu_client.tokens.access}
    writer = subprocess.Popen(
        [sys.executable, "-c", _WRITER, project_id, wip, str(tmp_path)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    got = []
    try:
        for event in listener:
            if event.project_id != project_id:
                continue  # another test's, on a server shared with another run
            got.append(event)
            if len(got) == 15:  # mid-burst: cut, and keep it down for ten commits
                stream_proxy.refuse()
                assert stream_proxy.cut() >= 1
                (tmp_path / "cut").touch()
                _wait_for(tmp_path / "ten", timeout=120)
                time.sleep(0.5)  # the tenth commit's event is sent meanwhile
                stream_proxy.resume()
            if len(got) == 50:
                break
    finally:
        out, err = writer.communicate(timeout=180)
        listener.close()
    stats = listener_session.events.stats()

    assert writer.returncode == 0 and out.split() == ["50"], err[-2000:]
    assert sorted(e.data["task_id"] for e in got) == sorted(task_ids)
    assert len({e.id for e in got}) == 50 and None not in {e.id for e in got}
    assert stats.reconnections >= 1
    assert stats.pushes <= stats.events - 10  # ten were never pushed to us: the log gave them
    assert all(isinstance(e.object, kitsu.Task) and e.object.task_status_id == wip for e in got)
    assert not listener_session.events.running


@pytest.mark.server
def test_a_cached_read_is_fresh_soon_after_another_users_edit_while_listening(
    kitsu_as: Any, kitsu_client: Transport, kitsu_team: Any, events_url: str, tmp_path: Path
) -> None:
    project_id = kitsu_team.project["id"]
    task_id = _tasks(kitsu_client, project_id, 1)[0]
    route, params = "data/tasks", {"project_id": project_id}
    listening = kitsu_as("manager", cache="on", cache_dir=str(tmp_path / "a"))
    idle = kitsu_as("manager", cache="on", cache_dir=str(tmp_path / "b"))
    listening.events.url = events_url
    for session in (listening, idle):
        assert session.read("Task", route, params)[0]["estimation"] in (None, 0)
    listening.events.start()

    kitsu_client.put(f"data/tasks/{task_id}", {"estimation": 7})  # the admin: another user

    deadline, fresh = time.monotonic() + 5.0, None
    while time.monotonic() < deadline:
        fresh = listening.read("Task", route, params)[0]["estimation"]
        if fresh == 7:
            break
        time.sleep(0.05)
    hits = idle.cache_hits
    stale = idle.read("Task", route, params)[0]["estimation"]
    listening.events.stop()

    assert fresh == 7
    assert stale in (None, 0) and idle.cache_hits == hits + 1  # without events: still cached


@pytest.mark.server
def test_an_artist_gets_pushes_with_the_object_but_no_log_id(
    kitsu_artist: kitsu.Session, kitsu_client: Transport, kitsu_team: Any, events_url: str
) -> None:
    project_id = kitsu_team.project["id"]
    task_id = _tasks(kitsu_client, project_id, 1)[0]
    kitsu_artist.events.url = events_url
    seen: list[Event] = []
    done = threading.Event()

    @kitsu_artist.events.on("task:update")
    def changed(event: Event) -> None:
        if event.data.get("task_id") == task_id:  # not another test's
            seen.append(event)
            done.set()

    @kitsu_artist.events.on("*")
    def broken(event: Event) -> None:
        raise RuntimeError("a failing callback must not stop the stream")

    kitsu_artist.events.start()
    try:
        kitsu_client.put(f"data/tasks/{task_id}", {"estimation": 3})
        assert done.wait(10)
    finally:
        kitsu_artist.events.stop()

    event = seen[0]
    assert event.data["task_id"] == task_id and event.id is None
    assert isinstance(event.object, kitsu.Task) and event.object.estimation == 3
    assert event.object is kitsu_artist.identity_get(task_id)


@pytest.mark.server
def test_a_refused_token_is_an_authentication_error_that_shows_no_token(
    kitsu_server: KitsuServer, events_url: str
) -> None:
    forged = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
    session = kitsu.Session(transport=Transport(kitsu_server.url, token=forged))
    session.events.url = events_url

    with pytest.raises(AuthenticationError) as caught:
        session.events.start()

    assert forged not in str(caught.value) and "c2lnbmF0dXJl" not in repr(caught.value)
    assert not session.events.running


@pytest.mark.server
def test_an_unreachable_stream_is_a_connection_error_naming_it(
    kitsu_as: Any, kitsu_team: Any
) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    session = kitsu_as("manager")
    session.events.url = f"http://127.0.0.1:{port}"

    with pytest.raises(ConnectionError, match=f"127.0.0.1:{port}"):
        session.events.start()
    assert not session.events.running


@pytest.mark.server
def test_run_blocks_until_a_callback_stops_it(
    kitsu_manager: kitsu.Session, kitsu_client: Transport, kitsu_team: Any, events_url: str
) -> None:
    task_id = _tasks(kitsu_client, kitsu_team.project["id"], 1)[0]
    events = kitsu_manager.events
    events.url = events_url
    names: list[str] = []

    @events.on("task:update")
    def first(event: Event) -> None:
        if event.data.get("task_id") == task_id:  # not another test's
            names.append(event.name)
            events.stop()  # from the events thread itself

    events.start()
    edit = threading.Timer(0.2, kitsu_client.put, (f"data/tasks/{task_id}", {"estimation": 2}))
    edit.start()
    events.run(timeout=30)  # returns when the callback stops it (or after 30 s: fails below)
    edit.join()

    assert names[:1] == ["task:update"]
    assert not events.running and not events.connected and events.error is None


@pytest.mark.parametrize("listening", [False, True])
def test_a_listening_session_does_not_read_the_event_log_for_its_cache(
    tmp_path: Path, listening: bool
) -> None:
    from kitsu_orm.cache import Cache

    def kitsu_server(method: str, path: str, params: Any, json: Any) -> Any:
        return []

    first = kitsu.Session(transport=FakeTransport(kitsu_server), cache=Cache(tmp_path))
    first.read("Task", "data/tasks", {})  # the namespace's first look at the log
    fake = FakeTransport(kitsu_server)
    session = kitsu.Session(transport=fake, cache=Cache(tmp_path, events_interval=0))
    session.live_events = listening  # as session.events sets it while connected

    session.read("Task", "data/tasks", {"project_id": "p"})

    log_reads = [r for r in fake.requests if r.path == "data/events/last"]
    assert len(log_reads) == (0 if listening else 1)


@pytest.mark.server
def test_the_token_never_reaches_a_log_line(
    kitsu_manager: kitsu.Session,
    kitsu_client: Transport,
    kitsu_team: Any,
    events_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    import logging

    caplog.set_level(logging.DEBUG)  # every line socket.io and Engine.IO write
    task_id = _tasks(kitsu_client, kitsu_team.project["id"], 1)[0]
    kitsu_manager.events.url = events_url
    tokens = kitsu_manager.transport.tokens
    assert tokens is not None

    with kitsu_manager.events.listen("task:update", timeout=10) as listener:
        kitsu_client.put(f"data/tasks/{task_id}", {"estimation": 4})
        assert any(event.data["task_id"] == task_id for event in listener)

    wire = [r for r in caplog.records if r.name == "kitsu_orm.events.wire"]
    assert wire  # the connection was logged, in detail
    assert tokens.access not in caplog.text
    assert tokens.access.rsplit(".", 1)[-1] not in caplog.text  # not even its signature


@pytest.mark.server
def test_an_artists_listener_is_connected_again_after_a_cut(
    kitsu_artist: kitsu.Session, kitsu_client: Transport, kitsu_team: Any, stream_proxy: FaultProxy
) -> None:
    task_id = _tasks(kitsu_client, kitsu_team.project["id"], 1)[0]
    kitsu_artist.events.url = stream_proxy.url
    events = kitsu_artist.events

    with events.listen("task:update", timeout=15) as listener:
        assert stream_proxy.cut() >= 1
        deadline = time.monotonic() + 15
        while events.stats().reconnections == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        kitsu_client.put(f"data/tasks/{task_id}", {"estimation": 6})
        got = next((e for e in listener if e.data.get("task_id") == task_id), None)

    assert events.stats().reconnections >= 1
    assert got is not None and got.id is None  # a push: artists cannot read the log
    assert isinstance(got.object, kitsu.Task) and got.object.estimation == 6


@pytest.mark.server
def test_a_listening_session_commits_comments_the_stream_reports_meanwhile(
    kitsu_as: Any, kitsu_client: Transport, kitsu_project: dict[str, Any], events_url: str
) -> None:
    """The events thread reads the objects an event names into the session: never while
    a commit of that session takes in the server's answers (the comment pushed as
    ``comment:new`` was held already when the commit adopted its answer: AlreadyExists)."""
    session = kitsu_as("admin")
    session.events.url = events_url
    task_id = _tasks(kitsu_client, kitsu_project["id"], 1)[0]
    task = session.get(kitsu.Task, task_id)
    statuses = [kitsu.TaskStatus.where(short_name=n, session=session).one() for n in ("wip", "wfa")]
    heard: list[Event] = []

    @session.events.on("comment:new")
    def new_comment(event: Event) -> None:
        heard.append(event)

    session.events.start()
    try:
        for n in range(12):
            task.comment(f"take {n}", status=statuses[n % 2])
            session.commit()  # raised CommitError (AlreadyExists) before
        deadline = time.monotonic() + 10
        while len({e.data.get("comment_id") for e in heard}) < 12 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        session.events.stop()

    comments = kitsu_client.get(f"data/tasks/{task_id}/comments")
    assert sorted(c["text"] for c in comments) == sorted(f"take {n}" for n in range(12))
    ours = {c.id for c in session.identity.objects() if isinstance(c, kitsu.Comment)}
    assert {c["id"] for c in comments} <= ours
    pushed = [e.object for e in heard if e.data.get("comment_id") in ours]
    assert pushed and all(isinstance(o, kitsu.Comment) and o.id in ours for o in pushed)


# -- the object an event names, when the server fails to answer for it ----------------


@pytest.fixture
def api_proxy(kitsu_server: KitsuServer) -> Iterator[FaultProxy]:
    with FaultProxy.in_front_of(kitsu_server.url) as proxy:
        yield proxy


def _session_through(proxy: FaultProxy, source: Transport, timeout: float = 60.0) -> kitsu.Session:
    """A session as ``source``'s user whose requests go through ``proxy``."""
    transport = Transport(proxy.url, token=source.tokens, timeout=(5.0, timeout))
    transport.user = dict(source.user or {})  # the role is known: no request to learn it
    return kitsu.Session(transport=transport)


def _next_status_change(listener: Listener, task_id: str) -> Event | None:
    return next((e for e in listener if e.data.get("task_id") == task_id), None)


@pytest.mark.server
@pytest.mark.parametrize("role", ["manager", "admin"])
@pytest.mark.parametrize(
    "faults",
    [pytest.param((respond(500), respond(500)), id="500"), pytest.param((delay(4),), id="timeout")],
)
def test_an_events_object_is_read_again_when_the_server_failed_for_a_moment(
    kitsu_client: Transport,
    kitsu_role_clients: dict[str, Transport],
    kitsu_team: Any,
    events_url: str,
    api_proxy: FaultProxy,
    role: str,
    faults: tuple[Action, ...],
) -> None:
    """A loaded server fails a read now and then (a 500, a read timeout, which the
    transport does not send again): the event was handed over with the session's old
    copy of the task (or None), silently. It is read again, after a short wait."""
    task_id = _tasks(kitsu_client, kitsu_team.project["id"], 1)[0]
    wip = _status(kitsu_client, "wip")
    source = kitsu_client if role == "admin" else kitsu_role_clients[role]
    session = _session_through(api_proxy, source, timeout=2.0)
    session.events.url = events_url
    held = session.get(kitsu.Task, task_id)  # the session's copy, soon outdated
    try:
        with session.events.listen("task:status-changed", timeout=20) as listener:
            api_proxy.script(*faults, path=urlsplit(api_proxy.url).path + "/data/tasks")
            kitsu_client.post(f"actions/tasks/{task_id}/comment", {"task_status_id": wip})
            event = _next_status_change(listener, task_id)
    finally:
        session.close()
        session.transport.close()

    assert api_proxy.pending == 0  # every fault was met
    assert event is not None and event.object is held and held.task_status_id == wip
    assert event.error is None


@pytest.mark.server
def test_an_events_object_the_server_keeps_failing_to_read_is_none_with_the_error(
    kitsu_client: Transport,
    kitsu_role_clients: dict[str, Transport],
    kitsu_team: Any,
    events_url: str,
    api_proxy: FaultProxy,
) -> None:
    task_ids = _tasks(kitsu_client, kitsu_team.project["id"], 2)
    wip = _status(kitsu_client, "wip")
    session = _session_through(api_proxy, kitsu_role_clients["manager"])
    session.events.url = events_url
    held = session.get(kitsu.Task, task_ids[0])
    tasks_path = urlsplit(api_proxy.url).path + "/data/tasks"
    try:
        with session.events.listen("task:status-changed", timeout=20) as listener:
            api_proxy.script(*[respond(500)] * 10, path=tasks_path)
            kitsu_client.post(f"actions/tasks/{task_ids[0]}/comment", {"task_status_id": wip})
            failed = _next_status_change(listener, task_ids[0])
            left = api_proxy.pending
            api_proxy.clear()  # the server answers again: the next event has its object
            kitsu_client.post(f"actions/tasks/{task_ids[1]}/comment", {"task_status_id": wip})
            then = _next_status_change(listener, task_ids[1])
    finally:
        session.close()
        session.transport.close()

    assert failed is not None and failed.object is None  # not the outdated copy
    assert isinstance(failed.error, ServerError) and held.task_status_id != wip
    assert 0 < left < 10  # tried a few times, then given up
    assert then is not None and then.error is None
    assert isinstance(then.object, kitsu.Task) and then.object.task_status_id == wip
