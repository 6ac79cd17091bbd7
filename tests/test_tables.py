"""Tables out (kitsu_orm.tables): dotted columns checked before any request, loaded
in a number of requests that does not grow with the rows, typed pandas and polars
frames; on the real server, as the admin and as an artist."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import pytest
from conftest import SessionFactory
from small_production import make_production

import kitsu_orm as kitsu
from kitsu_orm import tables
from kitsu_orm.fake_transport import FakeTransport
from kitsu_orm.testing import KitsuServer, remove_project
from kitsu_orm.transport import Transport

SHOT_COLUMNS = ("name", "sequence.name", "sequence.episode.name", "project.name", "frame_in")
TASK_COLUMNS = ("entity.name", "task_type.name", "task_status.short_name", "due_date", "id")


# -- checked before any request ---------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "message"),
    [
        ("tasks.name", "crosses Shot.tasks, a list of Task"),
        ("assets.name", "crosses Shot.assets, a list of Asset"),
        (
            "sequence",
            "ends on Shot.sequence, a Sequence: name one of its fields, e.g. 'sequence.name'",
        ),
        (
            "sequense.name",
            "Shot has no relationship 'sequense' (in column 'sequense.name') (did you mean sequence?)",
        ),
        (
            "sequence.nam",
            "Sequence has no field 'nam' (in column 'sequence.nam') (did you mean name",
        ),
        ("sequence.shots.name", "crosses Sequence.shots, a list of Shot"),
        ("name.", "a column is a dotted path"),
        ("instantiate", "Shot has no field 'instantiate'"),
    ],
)
def test_a_bad_column_raises_before_any_request(column: str, message: str) -> None:
    fake = FakeTransport(lambda *a: [])
    s = kitsu.Session(transport=fake)
    query = kitsu.Shot.where(project_id="p", session=s)
    makers = [query.to_dicts]
    # Without the extra, to_pandas / to_polars name it first (test_a_missing_extra_...).
    makers += [query.to_pandas] if importlib.util.find_spec("pandas") else []
    makers += [query.to_polars] if importlib.util.find_spec("polars") else []
    for make in makers:
        with pytest.raises(kitsu.ValidationError) as caught:
            make("name", column)
        assert message in str(caught.value)
    assert fake.requests == []


def test_columns_are_typed_from_the_declarations() -> None:
    kinds = {
        c.path: c.kind for c in tables.columns(kitsu.Task, (*TASK_COLUMNS, "data", "priority"))
    }
    assert kinds == {
        "entity.name": "str",
        "task_type.name": "str",
        "task_status.short_name": "str",
        "due_date": "datetime",
        "id": "id",
        "data": "object",
        "priority": "int",
    }
    assert tables.columns(kitsu.Shot, ("created_by", "parent_id"))[0].kind == "id"
    assert [c.path for c in tables.columns(kitsu.Shot, ())][:3] == [
        "id",
        "created_at",
        "updated_at",
    ]


def test_a_missing_extra_is_named_before_any_request(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeTransport(lambda *a: [])
    query = kitsu.Shot.where(session=kitsu.Session(transport=fake))
    monkeypatch.setitem(sys.modules, "pandas", None)
    monkeypatch.setitem(sys.modules, "polars", None)
    with pytest.raises(kitsu.ConfigurationError, match=r"pip install 'kitsu-orm\[pandas\]'"):
        query.to_pandas("name")
    with pytest.raises(kitsu.ConfigurationError, match=r"pip install 'kitsu-orm\[polars\]'"):
        query.to_polars("name")
    assert fake.requests == []


# -- on the server -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def productions(
    kitsu_server: KitsuServer, kitsu_client: Transport
) -> Iterator[dict[int, dict[str, Any]]]:
    """Two projects alike but for their size: 5 shots and 50 shots."""
    made = {n: make_production(kitsu_server.url, kitsu_client, f"tables-{n}", n) for n in (5, 50)}
    yield made
    for project in made.values():
        remove_project(kitsu_client, project)


@pytest.mark.server
@pytest.mark.parametrize("size", [5, 50])
def test_shot_columns_cost_the_same_requests_for_5_and_50_shots(
    new_session: SessionFactory, productions: dict[int, dict[str, Any]], size: int
) -> None:
    project = productions[size]
    s = new_session()

    rows = (
        kitsu.Shot.where(project_id=project["id"], session=s)
        .order_by("name")
        .to_dicts(*SHOT_COLUMNS)
    )

    # The shots; their sequences' parents (the sequences themselves and the project
    # are named in the shot rows), and the episodes: one request each, whatever the rows.
    assert s.transport.stats.total == 3 and s.transport.stats.by_method == {"GET": 3}
    assert len(rows) == size
    assert rows[1] == {
        "name": "SH001",
        "sequence.name": "SQ02",
        "sequence.episode.name": "E01",
        "project.name": project["name"],
        "frame_in": 1,
    }
    assert [r["sequence.name"] for r in rows[:3]] == ["SQ01", "SQ02", "SQ01"]


@pytest.mark.server
@pytest.mark.parametrize("size", [5, 50])
def test_task_columns_cost_the_same_requests_for_5_and_50_tasks(
    new_session: SessionFactory, productions: dict[int, dict[str, Any]], size: int
) -> None:
    s = new_session()
    query = kitsu.Task.where(project_id=productions[size]["id"], session=s)

    rows = query.to_dicts(*TASK_COLUMNS)

    # tasks, their shots, then the task types and statuses (whole, once per session)
    assert s.transport.stats.total == 4
    assert len(rows) == size
    by_shot = {r["entity.name"]: r for r in rows}
    assert by_shot["SH003"]["task_type.name"] == "Animation"
    assert by_shot["SH003"]["task_status.short_name"] == "todo"
    assert by_shot["SH003"]["due_date"] == datetime(2027, 3, 4, 18, tzinfo=timezone.utc)
    before = s.transport.stats.total
    query.to_dicts(*TASK_COLUMNS)  # the query again: its rows, the rest is loaded
    assert s.transport.stats.total == before + 1


@pytest.mark.server
def test_to_pandas_types_its_columns(
    new_session: SessionFactory, productions: dict[int, dict[str, Any]]
) -> None:
    pd = pytest.importorskip("pandas")
    s = new_session()
    query = kitsu.Task.where(project_id=productions[50]["id"], session=s)

    frame = query.to_pandas(*TASK_COLUMNS, "priority", "created_at")

    assert s.transport.stats.total == 4
    assert list(frame.columns) == [*TASK_COLUMNS, "priority", "created_at"]
    assert len(frame) == 50
    for name in ("due_date", "created_at"):  # ns or us, as the pandas version makes them
        assert pd.api.types.is_datetime64_any_dtype(frame[name]), frame[name].dtype
        assert str(frame[name].dt.tz) == "UTC"
    assert str(frame["id"].dtype) == "string" and str(frame["entity.name"].dtype) == "string"
    assert str(frame["priority"].dtype) == "Int64"
    row = frame.set_index("entity.name").loc["SH003"]
    assert row["due_date"] == pd.Timestamp("2027-03-04 18:00", tz="UTC")
    projects = kitsu.Project.where(id=productions[50]["id"], session=s).to_pandas(
        "name", "start_date", "end_date"
    )
    for name in ("start_date", "end_date"):  # days: datetimes at midnight, with no zone
        assert pd.api.types.is_datetime64_any_dtype(projects[name]), projects[name].dtype
        assert projects[name].dt.tz is None


@pytest.mark.server
def test_to_polars_types_its_columns(
    new_session: SessionFactory, productions: dict[int, dict[str, Any]]
) -> None:
    pl = pytest.importorskip("polars")
    s = new_session()

    frame = kitsu.Task.where(project_id=productions[5]["id"], session=s).to_polars(
        *TASK_COLUMNS, "data"
    )

    assert s.transport.stats.total == 4
    assert frame.columns == [*TASK_COLUMNS, "data"]
    assert frame.schema["due_date"] == pl.Datetime("us", "UTC")
    assert frame.schema["id"] == pl.Utf8 and frame.schema["task_type.name"] == pl.Utf8
    assert frame.filter(pl.col("entity.name") == "SH003")["due_date"][0] == datetime(
        2027, 3, 4, 18, tzinfo=timezone.utc
    )


@pytest.mark.server
def test_an_artist_gets_the_same_table_in_as_few_requests(
    kitsu_as: Any, kitsu_team: Any, kitsu_client: Transport, kitsu_server: KitsuServer
) -> None:
    project = make_production(kitsu_server.url, kitsu_client, "tables-artist", 6)
    try:
        artist = kitsu_team["artist"]
        kitsu_client.post(f"data/projects/{project['id']}/team", {"person_id": artist.id})
        s = kitsu_as("artist")
        rows = kitsu.Shot.where(project_id=project["id"], session=s).to_dicts(*SHOT_COLUMNS)
        assert sorted(r["name"] for r in rows) == [f"SH00{n}" for n in range(6)]
        assert {r["sequence.episode.name"] for r in rows} == {"E01"}
        assert s.transport.stats.total == 3, s.transport.stats  # as for the admin
    finally:
        remove_project(kitsu_client, project)


@pytest.mark.server
def test_tables_of_loaded_objects_and_of_none(
    new_session: SessionFactory, productions: dict[int, dict[str, Any]]
) -> None:
    s = new_session()
    shots = kitsu.Shot.where(project_id=productions[5]["id"], session=s).order_by("name").all()
    for shot in shots:
        assert shot.sequence is not None  # loaded lazily: one request for all
    before = s.transport.stats.total

    rows = tables.to_dicts(shots, "name", "sequence.name")

    assert s.transport.stats.total == before  # already loaded: nothing to ask
    assert rows[0] == {"name": "SH000", "sequence.name": "SQ01"}
    assert tables.to_dicts([], "name", cls=kitsu.Shot) == []
    assert tables.to_dicts([], "name") == []
