"""Entities without a server: the converter, unknown fields, type checks, change tracking, repr."""

from __future__ import annotations

import copy
import json
import pickle
import uuid
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from sample_rows import SHOT_ROW, TASK_ROW, slots

import kitsu_orm as kitsu
from kitsu_orm.model.builders import COMPILE_AFTER, prepare_structure, structure_row
from kitsu_orm.model.converter import converter, structure_hook, unstructure_fields
from kitsu_orm.model.state import instance_state
from kitsu_orm.model.wire import format_datetime, parse_datetime

ID = "0b7f1c2e-5a4d-4e8f-9c3b-2d1e0f9a8b7c"
ID2 = "1c8a2d3f-6b5e-4f9a-8d4c-3e2f1a0b9c8d"


def _loaded(row: dict[str, Any], cls: type[kitsu.Entity]) -> Any:
    """An object as a session holds it after a load, without a session (built from
    a copy: a loaded object owns its row's values, as rows arrive fresh)."""
    obj = structure_row(copy.deepcopy(row), cls)
    state = instance_state(obj)
    state.move_to(kitsu.State.PERSISTENT, None)
    state.mark_clean(obj)
    return obj


# -- converter -----------------------------------------------------------------------


def test_a_row_survives_structure_then_unstructure_unchanged() -> None:
    shot = structure_row(SHOT_ROW, kitsu.Shot)
    assert isinstance(shot, kitsu.Shot)
    assert shot.name == "SH010" and shot.parent_id == SHOT_ROW["parent_id"]
    assert shot.created_at == datetime(2026, 11, 27, 21, 6, 23, tzinfo=timezone.utc)
    assert converter.unstructure(shot) == SHOT_ROW


def test_cattrs_structures_entities_through_the_same_builder() -> None:
    shot = converter.structure(dict(SHOT_ROW), kitsu.Shot)
    assert type(shot) is kitsu.Shot and shot.state is kitsu.State.TRANSIENT
    assert slots(shot) == slots(structure_hook(kitsu.Shot)(dict(SHOT_ROW), kitsu.Shot))
    assert slots(shot) == slots(structure_row(SHOT_ROW, kitsu.Shot))


def test_wire_names_are_renamed_both_ways() -> None:
    task = structure_row(TASK_ROW, kitsu.Task)
    assert task.assignee_ids == ["p1", "p2"]
    row = converter.unstructure(task)
    assert row["assignees"] == ["p1", "p2"]
    assert "assignee_ids" not in row


def test_unknown_fields_are_kept_in_extra_and_sent_back() -> None:
    shot = structure_row(SHOT_ROW, kitsu.Shot)
    assert instance_state(shot).extra == {
        "shotgun_id": 4242,
        "nb_entities_out": 3,
        "instance_casting": [{"asset_id": "x", "nb_occurences": 2}],
    }
    # "type" is the class itself, never an unknown field.
    assert "type" not in instance_state(shot).extra
    assert not hasattr(shot, "shotgun_id")
    row = converter.unstructure(shot)
    assert row["shotgun_id"] == 4242 and row["instance_casting"][0]["nb_occurences"] == 2


def test_a_row_without_unknown_fields_has_no_extra() -> None:
    row = {
        k: v
        for k, v in SHOT_ROW.items()
        if k not in ("shotgun_id", "nb_entities_out", "instance_casting")
    }
    assert instance_state(structure_row(row, kitsu.Shot)).extra is None


def test_missing_keys_take_the_class_defaults() -> None:
    shot = structure_row({"id": "x", "name": "SH1"}, kitsu.Shot)
    assert shot.data is None and shot.canceled is False and shot.updated_at is None


# -- datetimes ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-27T21:06:23", datetime(2026, 11, 27, 21, 6, 23, tzinfo=timezone.utc)),
        (
            "2026-11-27T21:06:23.250000",
            datetime(2026, 11, 27, 21, 6, 23, 250000, tzinfo=timezone.utc),
        ),
        ("2026-11-30", datetime(2026, 11, 30, tzinfo=timezone.utc)),
        ("2026-11-27T21:06:23Z", datetime(2026, 11, 27, 21, 6, 23, tzinfo=timezone.utc)),
        ("2026-11-27T23:06:23+02:00", datetime(2026, 11, 27, 21, 6, 23, tzinfo=timezone.utc)),
    ],
)
def test_server_datetimes_become_aware_utc(text: str, expected: datetime) -> None:
    parsed = parse_datetime(text)
    assert parsed == expected
    assert parsed is not None and parsed.utcoffset() == timedelta(0)


def test_datetimes_go_back_as_naive_utc_iso_strings() -> None:
    paris = timezone(timedelta(hours=1))
    assert format_datetime(datetime(2026, 1, 5, 10, 30, tzinfo=paris)) == "2026-01-05T09:30:00"
    assert (
        format_datetime(datetime(2026, 1, 5, 9, 30, tzinfo=timezone.utc)) == "2026-01-05T09:30:00"
    )
    assert format_datetime(datetime(2026, 1, 5, 9, 30)) == "2026-01-05T09:30:00"
    assert format_datetime(date(2026, 1, 5)) == "2026-01-05"


def test_datetime_fields_round_trip_and_accept_dates() -> None:
    task = structure_row(TASK_ROW, kitsu.Task)
    assert task.start_date == datetime(2026, 1, 5, 9, 30, tzinfo=timezone.utc)
    assert task.due_date == datetime(2026, 1, 30, tzinfo=timezone.utc)
    row = converter.unstructure(task)
    assert row["start_date"] == "2026-01-05T09:30:00"
    task.due_date = date(2026, 2, 1)  # a date is accepted where a datetime is declared:
    assert task.due_date == datetime(2026, 2, 1, tzinfo=timezone.utc)  # kept as Zou stores it
    assert converter.unstructure(task)["due_date"] == "2026-02-01T00:00:00"
    assert parse_datetime(None) is None


_UTC = timezone.utc
_PARIS = timezone(timedelta(hours=1))


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        (date(2026, 1, 1), datetime(2026, 1, 1, tzinfo=_UTC)),
        (datetime(2026, 1, 1, 9, 30), datetime(2026, 1, 1, 9, 30, tzinfo=_UTC)),  # naive: UTC
        (datetime(2026, 1, 1, 9, 30, tzinfo=_PARIS), datetime(2026, 1, 1, 8, 30, tzinfo=_UTC)),
        (datetime(2026, 1, 1, 9, 30, 5, 123456), datetime(2026, 1, 1, 9, 30, 5, tzinfo=_UTC)),
        ("2026-01-01", datetime(2026, 1, 1, tzinfo=_UTC)),
        ("2026-01-01T09:30:00Z", datetime(2026, 1, 1, 9, 30, tzinfo=_UTC)),
        (None, None),
    ],
)
def test_a_datetime_field_keeps_what_zou_stores(given: Any, kept: datetime | None) -> None:
    task = kitsu.Task(due_date=given)
    assert task.due_date == kept
    task.start_date = given
    assert task.start_date == kept
    json.dumps(unstructure_fields(task))  # the wire carries it


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        (date(2026, 1, 1), date(2026, 1, 1)),
        (datetime(2026, 1, 1, 23, 30, tzinfo=_PARIS), date(2026, 1, 1)),  # the day it names
        ("2026-01-01", date(2026, 1, 1)),
    ],
)
def test_a_day_field_keeps_a_date(given: Any, kept: date) -> None:
    spent = kitsu.TimeSpent(date=given)
    assert spent.date == kept and type(spent.date) is date
    project = kitsu.Project(name="P")
    project.start_date = given
    assert project.start_date == kept and type(project.start_date) is date
    assert unstructure_fields(spent, ["date"]) == {"date": "2026-01-01"}


def test_days_read_back_as_dates() -> None:
    spent = structure_row({"id": ID, "date": "2018-03-18", "duration": 60.0}, kitsu.TimeSpent)
    assert spent.date == date(2018, 3, 18) and type(spent.date) is date
    rows = [{"id": ID, "start_date": "2026-02-01", "end_date": None} for _ in range(COMPILE_AFTER)]
    prepare_structure(kitsu.Project, len(rows))  # the generated builder parses days too
    project = structure_row(rows[0], kitsu.Project)
    assert project.start_date == date(2026, 2, 1) and project.end_date is None


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: kitsu.Task(due_date=20260101), r"Task\.due_date takes a datetime"),
        (lambda: kitsu.Task(due_date="01/01/2026"), r"Task\.due_date takes an ISO date"),
        (lambda: kitsu.TimeSpent(date=1.5), r"TimeSpent\.date takes a date"),
        (lambda: kitsu.Task(task_status_id="wip"), r"Task\.task_status_id takes an id .*'wip'"),
        (lambda: kitsu.Task(id="t1"), r"Task\.id takes an id .*'t1'"),
        (lambda: kitsu.Task(assignee_ids=["bob"]), r"Task\.assignee_ids takes a list of ids"),
        (lambda: kitsu.Task(assignee_ids="bob"), r"Task\.assignee_ids takes a list of ids"),
        (lambda: kitsu.Shot(created_by="me"), r"Shot\.created_by takes an id"),
        (lambda: kitsu.AssetType(task_types=["Modeling"]), r"AssetType\.task_types takes a list"),
        (lambda: kitsu.Shot(data={"tags": {"a", "b"}}), r"Shot\.data\['tags'\] takes JSON data"),
        (lambda: kitsu.Shot(data={"ok": [1, Decimal(2)]}), r"Shot\.data\['ok'\]\[1\]"),
        (lambda: kitsu.Shot(data={"x": float("nan")}), r"Shot\.data\['x'\] takes JSON data"),
        (lambda: kitsu.Shot(data={"seq": kitsu.Sequence()}), r"put its id"),
        (lambda: kitsu.Shot(data={("a", 1): 1}), r"key \('a', 1\)"),
    ],
)
def test_values_the_wire_cannot_carry_are_refused_when_set(make: Any, message: str) -> None:
    with pytest.raises(kitsu.ValidationError, match=message):
        make()


def test_ids_are_checked_on_assignment_with_a_hint() -> None:
    task = kitsu.Task()
    with pytest.raises(kitsu.ValidationError) as caught:
        task.task_status_id = "wip"
    assert str(caught.value) == (
        "Task.task_status_id takes an id (a UUID string), not str ('wip'): "
        "set Task.task_status to a TaskStatus instead"
    )
    assert task.task_status_id is None
    task.task_status_id = uuid.UUID(ID)  # type: ignore[assignment]
    assert task.task_status_id == ID
    task.assignee_ids = (ID, uuid.UUID(ID))  # type: ignore[assignment]
    assert task.assignee_ids == [ID, ID]


def test_rows_from_the_server_are_not_checked() -> None:
    # The fast path trusts the server: ids that are not UUIDs still load.
    task = structure_row({"id": "t1", "task_status_id": "s1", "assignees": ["p1"]}, kitsu.Task)
    assert (task.id, task.task_status_id, task.assignee_ids) == ("t1", "s1", ["p1"])


def test_dates_in_data_go_as_iso_strings() -> None:
    shot = kitsu.Shot(data={"delivered": date(2026, 1, 2), "at": [datetime(2026, 1, 2, 3, 4)]})
    assert json.loads(json.dumps(unstructure_fields(shot, ["data"]))) == {
        "data": {"delivered": "2026-01-02", "at": ["2026-01-02T03:04:00"]}
    }


# -- type checks -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: kitsu.Shot(name=5), "Shot.name takes str"),
        (lambda: kitsu.Shot(nb_frames="48"), "Shot.nb_frames"),
        (lambda: kitsu.Shot(nb_frames=True), "Shot.nb_frames"),
        (lambda: kitsu.Shot(frame_in="1"), "Shot.frame_in takes an int"),
        (lambda: kitsu.Shot(data=["not", "a", "dict"]), "Shot.data"),
        (lambda: kitsu.Task(estimation="3"), "Task.estimation"),
        (lambda: kitsu.Shot(sequence=kitsu.Episode(name="E01")), "Shot.sequence takes a Sequence"),
        (lambda: kitsu.Task(assignees=[kitsu.Department(name="x")]), "Task.assignees takes Person"),
    ],
)
def test_wrong_types_are_refused_when_set(make: Any, message: str) -> None:
    with pytest.raises(kitsu.ValidationError, match=message):
        make()


def test_wrong_types_are_refused_on_assignment_too() -> None:
    shot = kitsu.Shot(name="SH010")
    with pytest.raises(kitsu.ValidationError, match="Shot.description"):
        shot.description = 12
    assert shot.description is None


def test_compatible_values_are_accepted() -> None:
    task = kitsu.Task(
        estimation=3, priority=None
    )  # an int where a float is declared, None when optional
    assert task.estimation == 3 and task.priority is None


def test_an_unknown_keyword_is_refused_with_a_suggestion() -> None:
    with pytest.raises(
        kitsu.ValidationError, match=r"Shot has no field 'nmae' \(did you mean name\?\)"
    ):
        kitsu.Shot(nmae="SH010")
    with pytest.raises(kitsu.ValidationError) as caught:
        kitsu.Task(task_typ="x")
    assert str(caught.value).startswith(
        "Task has no field 'task_typ' (did you mean task_type, task_type_id"
    )


def test_constructors_take_relationships_and_frame_ranges() -> None:
    seq = _loaded({"id": "seq-1", "name": "SQ01", "project_id": "p"}, kitsu.Sequence)
    shot = kitsu.Shot(name="SH010", sequence=seq, frame_in=1, frame_out=48)
    assert shot.parent_id == "seq-1" and shot.sequence is seq
    assert shot.data == {"frame_in": 1, "frame_out": 48}
    assert (shot.frame_in, shot.frame_out) == (1, 48)


# -- to-many lists ----------------------------------------------------------------


def test_a_to_many_list_reads_as_a_list_and_refuses_edits_in_place() -> None:
    shot = _loaded({"id": ID, "name": "SH01"}, kitsu.Shot)
    task = _loaded({"id": ID2, "name": "main", "entity_id": ID}, kitsu.Task)
    instance_state(shot).related_cache()["tasks"] = [task]  # as the loader leaves it
    tasks = shot.tasks
    assert isinstance(tasks, list) and tasks == [task] and [task] == tasks
    assert tasks[0] is task and tasks[-1:] == [task] and len(tasks) == 1 and task in tasks
    assert tasks + [task] == [task, task] and list(reversed(tasks)) == [task]
    assert shot.tasks is tasks  # made once
    for copied in (list(tasks), tasks.copy(), copy.copy(tasks), pickle.loads(pickle.dumps([1]))):
        assert type(copied) is list
    copied = copy.copy(tasks)
    copied.append(task)  # a copy is the user's own
    for edit in ("append", "extend", "insert", "remove", "pop", "clear", "sort", "reverse"):
        with pytest.raises(
            kitsu.ValidationError, match=r"Shot\.tasks is read-only: set task\.entity = shot"
        ):
            getattr(tasks, edit)()
    with pytest.raises(kitsu.ValidationError):
        tasks[0] = task
    with pytest.raises(kitsu.ValidationError):
        del tasks[0]
    with pytest.raises(kitsu.ValidationError):
        tasks += [task]
    with pytest.raises(kitsu.ValidationError):
        tasks *= 2
    assert shot.tasks == [task]
    list.append(tasks, task)  # the library's own upkeep still works
    assert len(shot.tasks) == 2


def test_lists_editable_by_assignment_refuse_edits_in_place() -> None:
    person = _loaded({"id": ID2, "first_name": "Ann"}, kitsu.Person)
    task = kitsu.Task(assignees=[person])
    with pytest.raises(kitsu.ValidationError, match=r"Task\.assignees cannot be changed in place"):
        task.assignees.append(person)
    task.assignees = [*task.assignees, person]
    assert task.assignee_ids == [ID2, ID2]
    shot = kitsu.Shot()
    shot.assets = []
    with pytest.raises(kitsu.ValidationError, match=r"Shot\.assets cannot be changed in place"):
        shot.assets.extend([])


# -- change tracking --------------------------------------------------------------


def test_changes_list_old_and_new_values() -> None:
    shot = _loaded(SHOT_ROW, kitsu.Shot)
    assert shot.changes() == {} and not shot.is_modified
    shot.description = "edited"
    shot.description = "edited twice"
    assert shot.changes() == {"description": ("first shot", "edited twice")}
    shot.description = "first shot"
    assert shot.changes() == {}


def test_in_place_edits_of_mutable_fields_are_seen() -> None:
    shot = _loaded(SHOT_ROW, kitsu.Shot)
    shot.data["camera"]["lens"] = 50
    old, new = shot.changes()["data"]
    assert old["camera"]["lens"] == 35 and new["camera"]["lens"] == 50
    task = _loaded(TASK_ROW, kitsu.Task)
    task.assignee_ids.append("p3")
    assert task.changes()["assignee_ids"] == (["p1", "p2"], ["p1", "p2", "p3"])


def test_a_frame_range_edit_is_a_data_change() -> None:
    shot = _loaded(SHOT_ROW, kitsu.Shot)
    shot.frame_out = 96
    assert shot.changes()["data"][1]["frame_out"] == 96
    assert SHOT_ROW["data"]["frame_out"] == 48  # the row it was loaded from is untouched


def test_a_deleted_object_cannot_be_edited() -> None:
    shot = _loaded(SHOT_ROW, kitsu.Shot)
    instance_state(shot).move_to(kitsu.State.DELETED, None)
    with pytest.raises(kitsu.DetachedError, match="deleted"):
        shot.name = "SH020"
    assert shot.name == "SH010"


# Reprs: tests/test_reprs.py.


# -- oversized and unstorable text ---------------------------------------------------------


@pytest.mark.parametrize(
    ("cls", "field", "limit"),
    [
        (kitsu.Shot, "name", 160),
        (kitsu.Task, "name", 80),
        (kitsu.Project, "name", 80),
        (kitsu.TaskStatus, "short_name", 10),
        (kitsu.Person, "first_name", 80),
        (kitsu.AssetInstance, "description", 200),
        (kitsu.OutputFile, "path", 400),
    ],
)
def test_text_longer_than_its_column_is_refused_when_set(
    cls: type[kitsu.Entity], field: str, limit: int
) -> None:
    obj = cls(**{field: "x" * limit})  # the longest the column holds
    with pytest.raises(kitsu.ValidationError, match=f"at most {limit} characters"):
        setattr(obj, field, "x" * (limit + 1))
    with pytest.raises(kitsu.ValidationError, match=f"at most {limit} characters"):
        cls(**{field: "x" * 1_000_000})
    assert getattr(obj, field) == "x" * limit
    assert cls.__max_lengths__[field] == limit


def test_a_nul_character_is_refused_in_any_text_and_in_data() -> None:
    shot = kitsu.Shot(name="SH010")
    with pytest.raises(kitsu.ValidationError, match=r"Shot\.name holds a NUL character"):
        shot.name = "SH\x00010"
    with pytest.raises(kitsu.ValidationError, match=r"Shot\.description holds a NUL"):
        shot.description = "no limit on a Text column, but no NUL either\x00"
    with pytest.raises(kitsu.ValidationError, match=r"Shot\.data\['a'\]\[1\] holds a NUL"):
        shot.data = {"a": ["ok", "n\x00"]}
    with pytest.raises(kitsu.ValidationError, match="NUL"):
        shot.data = {"k\x00": 1}
    assert shot.name == "SH010" and shot.description is None and shot.data is None


def test_a_main_preview_must_be_published_before_it_is_set() -> None:
    shot = kitsu.Shot(name="SH01")
    with pytest.raises(kitsu.ValidationError, match="not published yet: commit it first"):
        shot.preview_file = kitsu.PreviewFile()
    assert shot.preview_file_id is None
    published = kitsu.PreviewFile(id="5df47660-cb4f-445d-a54a-b2c38b7d0ab2", extension="mp4")
    shot.preview_file = published
    assert shot.preview_file_id == published.id and published.is_movie
    assert not published.is_ready and published.file_to_upload is None
