"""The current session per thread and asyncio task (kitsu_orm/context.py), and one
session shared by several threads (the locks of kitsu_orm/session.py).

The rules under test are drawn in context.py's docstring and docs/guarantees.md
("Threads"). Tests that need no server answer reads with a FakeTransport whose user
says which session answered; those marked *server* run as real users of a local Kitsu.
"""

from __future__ import annotations

import asyncio
import contextvars
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

import kitsu_orm as kitsu
from kitsu_orm import context
from kitsu_orm.testing import FakeTransport, ProjectFactory, TeamMember
from kitsu_orm.transport import Transport

PROJECT_ID = "0f9a5f5e-7c39-4a1e-8d2e-5b1b3b9c0a11"


def fake(name: str, rows: Callable[[], list[dict[str, Any]]] | None = None) -> FakeTransport:
    """A fake transport of user ``name`` that answers every read with ``rows()``."""
    user = {"id": str(uuid.uuid4()), "role": "admin", "email": f"{name}@example.com"}
    return FakeTransport(lambda *_: rows() if rows else [], host=f"http://{name}.test", user=user)


def task_rows(n: int) -> list[dict[str, Any]]:
    """``n`` task rows with new ids, as Zou answers them."""
    return [
        {
            "id": str(uuid.uuid4()),
            "type": "Task",
            "name": "main",
            "priority": 1,
            "assignees": [],
            "data": {"frames": [1, 2]},
            "project_id": PROJECT_ID,
            "entity_id": "6d9a3d2a-7f2c-4c7a-8f2a-5b3c4d5e6f7a",
            "task_type_id": "4b7f1b0e-5d0a-4a5e-8d0e-3f1a2b3c4d5e",
            "task_status_id": "5c8f2c1f-6e1b-4b6f-9e1f-4a2b3c4d5e6f",
            "created_at": "2026-11-27T21:06:23",
            "updated_at": "2026-11-28T08:00:00",
        }
        for _ in range(n)
    ]


def answered_by() -> str:
    """Which stub the current session reads through (one list read)."""
    kitsu.Project.where().all()
    return str(kitsu.current_session().transport.user["email"]).split("@")[0]


@pytest.fixture(autouse=True)
def own_context() -> Iterator[None]:
    """Each test starts with no current session and leaves the process default as it
    was (this thread's context is restored by running the test in a copy of it)."""
    before = context.default_session()
    context.set_default(None)
    yield
    context.set_default(before)


def in_new_context(fn: Callable[[], Any]) -> Any:
    """Run ``fn`` in a copy of this thread's context: what it connects stays there."""
    return contextvars.copy_context().run(fn)


def run_threads(*targets: Callable[[], None]) -> None:
    """Run each target in its own thread, raising the first failure here."""
    errors: list[BaseException] = []

    def guarded(target: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                target()
            except BaseException as exc:  # noqa: BLE001 - handed to the test's thread
                errors.append(exc)

        return run

    threads = [threading.Thread(target=guarded(t), daemon=True) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    if errors:
        raise errors[0]


# -- the current session ----------------------------------------------------------------


def test_each_thread_that_connected_works_in_its_own_session() -> None:
    """The issue's case: A connects, then B does; A still reads as A."""
    a_connected, b_connected = threading.Event(), threading.Event()
    seen: dict[str, list[str]] = {"a": [], "b": []}

    def a() -> None:
        kitsu.connect("http://a.test", transport=fake("a"))
        a_connected.set()
        assert b_connected.wait(10)
        seen["a"] += [answered_by() for _ in range(20)]

    def b() -> None:
        assert a_connected.wait(10)
        kitsu.connect("http://b.test", transport=fake("b"))
        b_connected.set()
        seen["b"] += [answered_by() for _ in range(20)]

    run_threads(a, b)
    assert seen == {"a": ["a"] * 20, "b": ["b"] * 20}


def test_threads_that_never_connected_use_the_main_threads_session() -> None:
    def main() -> None:
        kitsu.connect("http://main.test", transport=fake("main"))
        with ThreadPoolExecutor(4) as pool:
            assert set(pool.map(lambda _: answered_by(), range(8))) == {"main"}
        # A worker connecting on its own changes neither the main thread nor the pool.
        other = threading.Thread(
            target=lambda: kitsu.connect("http://w.test", transport=fake("worker"))
        )
        other.start()
        other.join()
        assert answered_by() == "main"
        with ThreadPoolExecutor(2) as pool:
            assert set(pool.map(lambda _: answered_by(), range(4))) == {"main"}

    in_new_context(main)


def test_a_single_threaded_script_that_connects_again_moves_on() -> None:
    def main() -> None:
        kitsu.connect("http://one.test", transport=fake("one"))
        kitsu.connect("http://two.test", transport=fake("two"))
        assert answered_by() == "two"
        with ThreadPoolExecutor(1) as pool:
            assert pool.submit(answered_by).result() == "two"

    in_new_context(main)


def test_a_thread_with_no_session_anywhere_is_told_what_to_do() -> None:
    """Never another thread's user: with no default, a thread that did not connect fails."""
    messages: list[str] = []

    def worker_connects() -> None:
        kitsu.connect("http://w.test", transport=fake("worker"))

    def forgetful() -> None:
        with pytest.raises(kitsu.ConfigurationError) as caught:
            kitsu.Project.where().all()
        messages.append(str(caught.value))

    run_threads(worker_connects)
    run_threads(forgetful)
    assert "connect(...) in it" in messages[0] and "session=" in messages[0]


def test_a_default_named_off_the_main_thread() -> None:
    """A GUI whose login runs in a worker names the default for the other workers."""

    def login() -> None:
        context.set_default(kitsu.connect("http://gui.test", transport=fake("gui")))

    seen: list[str] = []
    run_threads(login)
    run_threads(lambda: seen.append(answered_by()))
    assert seen == ["gui"]


def test_blocks_of_one_session_in_several_threads_at_once() -> None:
    """``with session:`` in two threads at once: each leaves its own block."""
    shared = kitsu.Session(transport=fake("shared"))
    inside = threading.Barrier(2)

    def block() -> None:
        kitsu.connect("http://own.test", transport=fake("own"))
        with shared:
            inside.wait(10)
            assert answered_by() == "shared"
            inside.wait(10)
        assert answered_by() == "own"

    run_threads(block, block)


def test_a_thread_copying_the_context_carries_the_session() -> None:
    def worker() -> None:
        kitsu.connect("http://w.test", transport=fake("worker"))
        with ThreadPoolExecutor(1) as pool:
            carried = pool.submit(contextvars.copy_context().run, answered_by).result()
            assert carried == "worker"

    run_threads(worker)


def test_asyncio_tasks_each_keep_the_session_they_connected() -> None:
    async def user(name: str, ready: asyncio.Event, go: asyncio.Event) -> list[str]:
        kitsu.connect(f"http://{name}.test", transport=fake(name))
        ready.set()
        await go.wait()
        seen = []
        for _ in range(10):
            seen.append(answered_by())
            seen.append(await asyncio.to_thread(answered_by))
            await asyncio.sleep(0)
        return seen

    async def main() -> tuple[list[str], list[str]]:
        a_ready, b_ready, go = asyncio.Event(), asyncio.Event(), asyncio.Event()
        a = asyncio.create_task(user("a", a_ready, go))
        await a_ready.wait()
        b = asyncio.create_task(user("b", b_ready, go))
        await b_ready.wait()
        go.set()
        return await a, await b

    a, b = in_new_context(lambda: asyncio.run(main()))
    assert a == ["a"] * 20 and b == ["b"] * 20


def test_the_gazu_facade_logs_in_per_thread() -> None:
    """A render-farm thread pointing the facade elsewhere leaves the others alone."""
    from kitsu_orm.compat import gazu

    def main() -> None:
        gazu.client.set_host("http://main.test/api")
        run_threads(lambda: gazu.client.set_host("http://farm.test/api"))
        assert gazu.client.get_host() == "http://main.test/api"

    in_new_context(main)


# -- one session, several threads -----------------------------------------------------------


def test_loads_in_one_thread_while_another_reviews_and_rolls_back() -> None:
    """The issue's case: ``dirty``, ``rollback()`` and ``changes()`` while another
    thread loads; no error, and each answer is the one a single thread would get."""
    session = kitsu.Session(transport=fake("s", lambda: task_rows(300)))
    query = kitsu.Task.where(project_id=PROJECT_ID, session=session)
    mine = query.first()
    assert mine is not None
    stop = time.monotonic() + 2.0
    loaded: list[kitsu.Task] = []
    rounds = [0]

    def loader() -> None:
        while time.monotonic() < stop:
            loaded.extend(query.all())

    def reviewer() -> None:
        while time.monotonic() < stop:
            mine.priority = 5
            mine.data["frames"].append(3)  # type: ignore[index]
            assert session.dirty == [mine]
            change = session.changes()
            assert [c.obj for c in change] == [mine] and len(change) == 1
            assert not session.new and not session.deleted
            session.rollback()
            assert mine.priority == 1 and mine.data == {"frames": [1, 2]}
            assert session.dirty == [] and not session.changes()
            rounds[0] += 1

    run_threads(loader, reviewer)
    assert rounds[0] > 10 and len(loaded) > 300
    assert all(session.get(kitsu.Task, t.id) is t for t in loaded if t.id)  # one object per id


def test_two_threads_loading_the_same_rows_share_one_object_per_id(
    fast_switches: None,
) -> None:
    for _ in range(5):
        rows = task_rows(500)
        session = kitsu.Session(transport=fake("s", lambda rows=rows: [dict(r) for r in rows]))
        query = kitsu.Task.where(project_id=PROJECT_ID, session=session)
        results: list[list[kitsu.Task]] = []
        start = threading.Barrier(4)

        def load(query: Any = query, results: Any = results, start: Any = start) -> None:
            start.wait(10)
            results.append(query.all())

        run_threads(load, load, load, load)
        first = {t.id: t for t in results[0]}
        assert len(first) == 500
        assert all(first[t.id] is t for result in results for t in result)


@pytest.fixture
def fast_switches() -> Iterator[None]:
    """Threads switch every 10 microseconds (instead of 5 ms): races show at once."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    yield
    sys.setswitchinterval(before)


# -- on a real Kitsu: real users ------------------------------------------------------------


@pytest.fixture
def two_projects(
    kitsu_as: Callable[..., kitsu.Session],
    kitsu_project: dict[str, Any],
    kitsu_make_project: ProjectFactory,
) -> tuple[str, str]:
    """The artist's project (its team has every test account) and one the artist is not in."""
    kitsu_as("admin")  # puts the team on kitsu_project
    return kitsu_project["id"], kitsu_make_project()["id"]


def _connect_as(kitsu_as: Callable[..., kitsu.Session], key: str) -> kitsu.Session:
    """``kitsu.connect()`` on the tokens of a test account (no login)."""
    transport: Transport = kitsu_as(key).transport
    return kitsu.connect(transport.host, transport=transport)


@pytest.mark.server
def test_threads_connected_as_an_artist_and_an_admin_read_as_themselves(
    kitsu_as: Callable[..., kitsu.Session], two_projects: tuple[str, str]
) -> None:
    team_project, other_project = two_projects
    artist_in, admin_in = threading.Event(), threading.Event()
    seen: dict[str, list[set[str]]] = {"artist": [], "admin": []}
    users: dict[str, set[str]] = {"artist": set(), "admin": set()}

    def as_user(key: str, wait_for: threading.Event | None, done: threading.Event) -> None:
        if wait_for is not None:
            assert wait_for.wait(30)
        session = _connect_as(kitsu_as, key)
        done.set()
        assert (artist_in if key == "admin" else admin_in).wait(30)
        for _ in range(5):
            assert kitsu.current_session() is session
            seen[key].append({p.id for p in kitsu.Project.where().all() if p.id})
            users[key].add(kitsu.current_session().transport.user["email"])

    run_threads(
        lambda: as_user("artist", None, artist_in), lambda: as_user("admin", artist_in, admin_in)
    )
    assert all(team_project in ids and other_project not in ids for ids in seen["artist"])
    assert all({team_project, other_project} <= ids for ids in seen["admin"])
    assert users["artist"] == {"artist.kitsu-orm@example.com"}
    assert len(users["admin"]) == 1 and users["admin"] != users["artist"]


@pytest.mark.server
def test_asyncio_tasks_connected_as_an_artist_and_an_admin_read_as_themselves(
    kitsu_as: Callable[..., kitsu.Session], two_projects: tuple[str, str]
) -> None:
    team_project, other_project = two_projects

    async def as_user(key: str, ready: asyncio.Event, go: asyncio.Event) -> list[set[str]]:
        _connect_as(kitsu_as, key)
        ready.set()
        await go.wait()
        seen = []
        for _ in range(3):
            query = kitsu.Project.where()
            seen.append({p.id for p in await asyncio.to_thread(query.all) if p.id})
            await asyncio.sleep(0)
        return seen

    async def main() -> tuple[list[set[str]], list[set[str]]]:
        artist_ready, admin_ready, go = asyncio.Event(), asyncio.Event(), asyncio.Event()
        artist = asyncio.create_task(as_user("artist", artist_ready, go))
        await artist_ready.wait()
        admin = asyncio.create_task(as_user("admin", admin_ready, go))
        await admin_ready.wait()
        go.set()
        return await artist, await admin

    artist, admin = in_new_context(lambda: asyncio.run(main()))
    assert all(team_project in ids and other_project not in ids for ids in artist)
    assert all({team_project, other_project} <= ids for ids in admin)


@pytest.mark.server
def test_two_threads_committing_one_session_create_once(
    kitsu_as: Callable[..., kitsu.Session], kitsu_project: dict[str, Any], kitsu_client: Transport
) -> None:
    session = kitsu_as("admin")
    project = session.get(kitsu.Project, kitsu_project["id"])
    for n in range(20):
        session.add(kitsu.Sequence(name=f"SQ{n:02}", project=project))
    start = threading.Barrier(3)

    def commit() -> None:
        start.wait(10)
        session.commit()

    run_threads(commit, commit, commit)
    names = [s["name"] for s in kitsu_client.get(f"data/projects/{project.id}/sequences")]
    assert sorted(names) == [f"SQ{n:02}" for n in range(20)]
    assert not session.new and not session.dirty
    assert session.stats.by_method.get("POST") == 20  # each sent once, by one of the commits


@pytest.mark.server
def test_a_worker_logging_in_through_the_facade_leaves_the_other_threads_as_they_were(
    kitsu_server: Any, kitsu_client: Transport, kitsu_people: dict[str, TeamMember]
) -> None:
    from kitsu_orm.compat import gazu

    artist = kitsu_people["artist"]
    seen: dict[str, str] = {}

    def worker(key: str) -> Callable[[], None]:
        def run() -> None:
            if key == "artist":
                gazu.client.log_in(artist.email, artist.password)
            seen[key] = gazu.client.get_current_user()["email"]

        return run

    def main() -> None:
        transport = Transport(kitsu_server.url, token=kitsu_client.tokens)
        kitsu.connect(kitsu_server.url, transport=transport)
        try:
            run_threads(worker("artist"))
            run_threads(worker("other"))  # a thread that never logged in: the main thread's
            seen["main"] = gazu.client.get_current_user()["email"]
        finally:
            transport.close()

    in_new_context(main)
    assert seen == {
        "artist": artist.email,
        "other": kitsu_server.admin_email,
        "main": kitsu_server.admin_email,
    }
