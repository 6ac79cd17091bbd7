"""The usage page's "Cache functions", through kitsu_orm.compat.gazu."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import kitsu_orm as kitsu
from kitsu_orm.compat import gazu
from kitsu_orm.compat.gazu import memo
from kitsu_orm.compat.gazu.memo import cached_function, read_type, written_types
from kitsu_orm.session import Session, cache_use
from kitsu_orm.session_cache import _all_type_names
from kitsu_orm.testing import KitsuServer

PID = "0f0c0a6e-6a66-4c1b-9d3b-3c1c1e1f2a3b"


def test_read_type_caches_routes_whose_every_word_names_a_type() -> None:
    assert read_type("data/projects") == "Project"
    assert read_type("data/projects/open") == "Project"
    assert read_type("data/user/projects/open") == "Project"
    assert read_type(f"data/projects/{PID}/asset-types") == "AssetType"
    assert read_type(f"data/shots/{PID}/tasks") == "Task"
    assert read_type(f"data/entities/{PID}") == "EntityRow"
    assert read_type(f"data/projects/{PID}/sequences/all/casting") == "Casting"
    for uncached in ("data/assets/with-tasks", "auth/authenticated", f"actions/tasks/{PID}", ""):
        assert read_type(uncached) is None


def test_written_types_are_every_type_when_unsure() -> None:
    assert written_types(f"data/projects/{PID}") == ["Project"]
    assert set(written_types(f"data/projects/{PID}/shots")) >= {
        "Project",
        "Shot",
        "EntityRow",
        "Casting",
    }
    everything = sorted(_all_type_names())
    assert sorted(written_types(f"actions/tasks/{PID}/comment")) == everything
    assert sorted(written_types("data/assets/with-tasks")) == everything


def test_cache_use_records_types_and_bypasses_inside() -> None:
    with cache_use() as outer:
        with cache_use(bypass=True) as inner, cache_use() as innermost:
            assert innermost.bypass
            innermost.types.add("Shot")
        assert inner.types == {"Shot"}
    assert outer.types == {"Shot"} and not outer.bypass


def test_cached_functions_keep_their_names_and_switches() -> None:
    assert gazu.client.fetch_all.__name__ == "fetch_all"
    assert gazu.client.fecth is gazu.client.fetch_all
    for name in ("clear_cache", "disable_cache", "enable_cache", "get_cache_infos"):
        assert callable(getattr(gazu.client.get, name))
    assert {"clear_all", "disable", "enable", "cache", "get_cache_key"} <= set(gazu.cache.__all__)
    assert "cache" in gazu.__all__


def test_every_read_of_the_page_wears_the_switches() -> None:
    """Each ``all_*`` / ``get_*`` read is decorated where it is defined (nothing is
    wrapped at import): a name the usage page reaches in two modules is one function."""
    modules = (
        gazu.asset,
        gazu.files,
        gazu.person,
        gazu.playlist,
        gazu.project,
        gazu.shot,
        gazu.task,
        gazu.user,
    )
    for module in modules:
        for name in module.__all__:
            if name.startswith(("all_", "get_")):
                function = getattr(module, name)
                assert isinstance(function, memo.CachedFunction), f"{module.__name__}.{name}"
    assert gazu.shot.get_task_type is gazu.task.get_task_type
    assert gazu.task.all_tasks_for_shot.__name__ == "all_tasks_for_shot"
    assert {gazu.client.get, gazu.client.fetch_all, gazu.client.fetch_one} <= {
        f for f in vars(gazu.client).values() if isinstance(f, memo.CachedFunction)
    }


# -- against the server ------------------------------------------------------------------


@pytest.fixture
def facade(
    kitsu_server: KitsuServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Session]:
    """The facade logged in as the admin, its cache in this test's folder; all switches
    back to gazu's defaults afterwards."""
    monkeypatch.setenv("KITSU_ORM_CACHE_DIR", str(tmp_path / "cache"))
    gazu.client.set_host(kitsu_server.url)
    gazu.client.log_in(kitsu_server.admin_email, kitsu_server.admin_password)
    session = gazu.client.default_session()
    yield session
    for function in (gazu.client.get, gazu.client.fetch_all, gazu.client.fetch_one):
        function.enable_cache()
    memo.bypass_all(False)
    gazu.client.log_out()


def _requests(session: Session) -> int:
    return session.stats.requests


@pytest.mark.server
def test_the_cache_is_off_until_enabled(facade: Session, kitsu_project: dict[str, Any]) -> None:
    assert facade.cache is None
    gazu.client.fetch_all("projects")
    before = _requests(facade)
    gazu.client.fetch_all("projects")
    assert _requests(facade) == before + 1
    assert gazu.cache.enable() is True
    assert facade.cache is not None and facade.cache_mode == "on"
    gazu.client.fetch_all("projects")
    before = _requests(facade)
    rows = gazu.client.fetch_all("projects")
    assert _requests(facade) == before and facade.cache_hits == 1
    assert any(p["id"] == kitsu_project["id"] for p in rows)


@pytest.mark.server
def test_a_facade_write_is_read_back_at_once(
    facade: Session, kitsu_project: dict[str, Any]
) -> None:
    gazu.cache.enable()
    path = f"data/projects/{kitsu_project['id']}"
    assert gazu.client.get(path)["description"] in (None, "")
    assert gazu.client.fetch_one("projects", kitsu_project["id"])["id"] == kitsu_project["id"]
    gazu.client.put(path, {"description": "first"})
    assert gazu.client.get(path)["description"] == "first"
    assert gazu.client.fetch_one("projects", kitsu_project["id"])["description"] == "first"
    listed = {p["id"]: p for p in gazu.client.fetch_all("projects")}
    assert listed[kitsu_project["id"]]["description"] == "first"
    gazu.client.update("projects", kitsu_project["id"], {"description": "second"})
    listed = {p["id"]: p for p in gazu.client.fetch_all("projects")}
    assert listed[kitsu_project["id"]]["description"] == "second"


@pytest.mark.server
def test_an_orm_commit_outdates_the_facades_answers(
    facade: Session, kitsu_project: dict[str, Any]
) -> None:
    gazu.cache.enable()
    path = f"data/projects/{kitsu_project['id']}"
    assert gazu.client.get(path)["description"] in (None, "")
    project = facade.get(kitsu.Project, kitsu_project["id"])
    project.description = "from the ORM"
    facade.commit()
    assert gazu.client.get(path)["description"] == "from the ORM"


@pytest.mark.server
def test_disable_cache_clear_cache_and_enable_cache_of_one_function(
    facade: Session, kitsu_project: dict[str, Any]
) -> None:
    gazu.cache.enable()
    gazu.client.fetch_all("projects")
    gazu.client.get("data/projects")  # the same answer: cached under the same key

    gazu.client.fetch_all.disable_cache()
    before, hits = _requests(facade), facade.cache_hits
    gazu.client.fetch_all("projects")
    gazu.client.fetch_all("projects")
    assert _requests(facade) == before + 2 and facade.cache_hits == hits
    assert gazu.client.get.get_cache_infos()["enabled"] is True
    assert gazu.client.fetch_all.get_cache_infos()["enabled"] is False
    gazu.client.get("data/projects")
    assert facade.cache_hits == hits + 1  # other functions still read the cache

    gazu.client.fetch_all.enable_cache()
    gazu.client.fetch_all("projects")
    assert facade.cache_hits == hits + 2
    assert "Project" in gazu.client.fetch_all.get_cache_infos()["types"]  # and any read before

    gazu.client.fetch_all.clear_cache()
    before = _requests(facade)
    gazu.client.fetch_all("projects")
    assert _requests(facade) == before + 1


@pytest.mark.server
def test_disable_and_clear_all(facade: Session, kitsu_project: dict[str, Any]) -> None:
    gazu.cache.enable()
    gazu.client.fetch_all("projects")
    assert gazu.cache.disable() is False
    before = _requests(facade)
    gazu.client.fetch_all("projects")
    assert _requests(facade) == before + 1
    # Writes while disabled still outdate the cache: nothing stale once enabled again.
    gazu.client.put(f"data/projects/{kitsu_project['id']}", {"description": "while off"})
    gazu.cache.enable()
    listed = {p["id"]: p for p in gazu.client.fetch_all("projects")}
    assert listed[kitsu_project["id"]]["description"] == "while off"
    assert facade.cache is not None and facade.cache.stats().entries > 0
    gazu.cache.clear_all()
    assert facade.cache.stats().entries == 0


@pytest.mark.server
def test_a_decorated_facade_function_clears_the_types_it_read(
    facade: Session, kitsu_project: dict[str, Any]
) -> None:
    @cached_function
    def project_names() -> list[str]:
        return sorted(p["name"] for p in gazu.client.fetch_all("projects"))

    gazu.cache.enable()
    assert kitsu_project["name"] in project_names()
    assert project_names.types == {"Project"}
    before = _requests(facade)
    project_names()
    assert _requests(facade) == before
    project_names.disable_cache()  # bypasses the functions it calls too
    project_names()
    assert _requests(facade) == before + 1
    project_names.enable_cache()
    project_names.clear_cache()
    project_names()
    assert _requests(facade) == before + 2
    name = "renamed-" + uuid.uuid4().hex[:8]
    gazu.client.put(f"data/projects/{kitsu_project['id']}", {"name": name})
    assert name in project_names()


# -- gazu's memo helpers, compared with gazu 1.3.1's -----------------------------------------


def test_the_memo_helpers_answer_as_gazu_s() -> None:
    import datetime

    import gazu as real

    client = gazu.client.create_client("http://localhost/api", access_token="secret")
    theirs_client = real.client.create_client("http://localhost/api", access_token="secret")
    for args, kwargs in [((), {}), ((1, "a"), {}), ((), {"b": [2]}), ((PID,), {"x": None})]:
        assert gazu.cache.get_cache_key(args, kwargs) == real.cache.get_cache_key(args, kwargs)
    key = gazu.cache.get_cache_key((PID,), {"client": client})
    assert key == real.cache.get_cache_key((PID,), {"client": theirs_client})
    assert "secret" not in key
    now = datetime.datetime.now()
    old = now - datetime.timedelta(seconds=300)

    def memo() -> dict[str, Any]:
        return {"a": {"date_accessed": old, "value": [1]}, "b": {"date_accessed": now, "value": 2}}

    for size in (0, 1, 2, 5):
        ours, theirs = memo(), memo()
        assert gazu.cache.remove_oldest_entry(ours, size) == real.cache.remove_oldest_entry(
            theirs, size
        )
        assert ours == theirs
    for expire in (0, 120, 600):
        state = {"enabled": True, "expire": expire, "maxsize": 3}
        for key in ("a", "b"):
            assert gazu.cache.is_cache_expired(memo(), state, key) == real.cache.is_cache_expired(
                memo(), state, key
            )
    store = memo()
    copy = gazu.cache.get_value(store, "a")
    copy.append(9)
    assert store["a"]["value"] == [1] == real.cache.get_value(store, "a")
    ours_store: dict[str, Any] = {}
    assert gazu.cache.insert_value(lambda x: [x], ours_store, (3,), {}) == [3]
    assert list(ours_store) == [gazu.cache.get_cache_key((3,), {})]


def test_a_script_s_own_function_decorated_with_cache(facade: Session) -> None:
    calls: list[int] = []

    @gazu.cache.cache
    def double(x: int) -> list[int]:
        calls.append(x)
        return [x, x]

    gazu.cache.disable()
    assert gazu.cache.is_cache_enabled({"enabled": True}) is False
    double(2), double(2)
    assert calls == [2, 2]  # off: every call runs
    gazu.cache.enable()
    assert gazu.cache.is_cache_enabled({"enabled": True}) is True
    assert gazu.cache.is_cache_enabled({"enabled": False}) is False
    first = double(3)
    first.append(0)  # the memo keeps its own copy
    assert double(3) == [3, 3] and calls == [2, 2, 3]
    infos = double.get_cache_infos()  # type: ignore[attr-defined]
    assert (infos["hits"], infos["misses"], infos["current_size"]) == (1, 1, 1)
    double.disable_cache()  # type: ignore[attr-defined]
    double(3)
    assert calls == [2, 2, 3, 3]
    double.enable_cache()  # type: ignore[attr-defined]
    gazu.cache.clear_all()
    double(3)
    assert calls == [2, 2, 3, 3, 3]
    gazu.cache.disable()
