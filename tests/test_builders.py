"""The builders of entities from rows: both tiers build the same objects, loaded
into a session or not, as dict rows or as positional (compact) rows."""

from __future__ import annotations

from typing import Any

import pytest
from sample_rows import SHOT_ROW, TASK_ROW, slots

import kitsu_orm as kitsu
from kitsu_orm.model.builders import (
    _GENERATED,
    _STRUCTURE,
    COMPILE_AFTER,
    _Plan,
    _slot,
    prepare_structure,
    structure_row,
)
from kitsu_orm.model.state import instance_state


@pytest.mark.parametrize(
    ("row", "cls"),
    [
        (SHOT_ROW, kitsu.Shot),
        (TASK_ROW, kitsu.Task),
        ({**TASK_ROW, "__partial__": True, "is_subscribed": True}, kitsu.Task),
        ({"id": "x", "name": "SQ01", "type": "Sequence"}, kitsu.Sequence),
    ],
)
def test_the_generated_hooks_build_what_the_plan_builds(
    row: dict[str, Any], cls: type[kitsu.Entity]
) -> None:
    # The first rows of a class take the plan's loop, large loads a generated builder;
    # with a session, both give a loaded object: persistent, its mutable values copied.
    plan = _Plan(cls)
    columns = tuple(k for k in row if k != "__partial__")
    values = [row[k] for k in columns]
    for session in (None, _FakeSession()):
        built = plan.compiled_structure()(dict(row), session)  # type: ignore[arg-type]
        assert type(built) is cls
        assert slots(built) == slots(plan.structure(dict(row), session))  # type: ignore[arg-type]
        assert built.session is session
        assert built.state is (kitsu.State.TRANSIENT if session is None else kitsu.State.PERSISTENT)
        for keep in (True, False):
            loop = plan.positional(columns, keep, compiled=False)(values, session)  # type: ignore[arg-type]
            generated = plan.positional(columns, keep, compiled=True)(values, session)  # type: ignore[arg-type]
            assert type(generated) is cls
            assert slots(generated) == slots(loop)
            assert loop.id == row["id"] and (instance_state(loop).extra is not None) == (
                keep and any(k not in cls.__from_wire__ and k != "type" for k in columns)
            )


class _FakeSession:
    """Stands for the session objects are loaded into: builders only keep it."""


def test_a_loaded_object_sees_edits_in_place_of_its_mutable_values() -> None:
    build = _Plan(kitsu.Task).positional(tuple(TASK_ROW), True, compiled=True)
    values = [list(v) if isinstance(v, list) else v for v in TASK_ROW.values()]
    task = build(values, _FakeSession())  # type: ignore[arg-type]
    copies = instance_state(task).copies
    assert copies == {"assignee_ids": ["p1", "p2"]}
    assert copies["assignee_ids"] is not task.assignee_ids
    task.assignee_ids.append("p3")
    assert task.changes() == {"assignee_ids": (["p1", "p2"], ["p1", "p2", "p3"])}


def test_a_class_gets_its_generated_hook_after_many_rows() -> None:
    class_rows = [{**SHOT_ROW, "id": f"shot-{n}"} for n in range(COMPILE_AFTER + 1)]
    objs = [structure_row(row, kitsu.Shot) for row in class_rows]
    assert _STRUCTURE[kitsu.Shot].__code__.co_filename == "<structure Shot>"
    assert [o.id for o in objs] == [r["id"] for r in class_rows]
    assert all(type(o) is kitsu.Shot for o in objs)
    assert slots(objs[0]) == {**slots(objs[-1]), "id": "shot-0"}


def test_a_large_batch_gets_the_generated_builder_before_its_first_row() -> None:
    _STRUCTURE.pop(kitsu.Episode, None)
    _GENERATED.discard(kitsu.Episode)
    prepare_structure(kitsu.Episode, COMPILE_AFTER - 1)
    assert kitsu.Episode not in _STRUCTURE  # a small batch takes the loop
    prepare_structure(kitsu.Episode, COMPILE_AFTER)
    assert _STRUCTURE[kitsu.Episode].__code__.co_filename == "<structure Episode>"
    episode = structure_row({"id": "e", "name": "E01"}, kitsu.Episode)
    assert type(episode) is kitsu.Episode and episode.name == "E01"


class _Shadowed(kitsu.Sequence):
    """A field shadowed by a property: builders must still fill the slot."""

    __slots__ = ()

    @property  # type: ignore[misc]
    def name(self) -> str:
        return "shadow"


def test_a_field_shadowed_by_a_property_is_filled_through_its_slot() -> None:
    slot = _slot(kitsu.Sequence, "name")
    plan = _Plan(_Shadowed)
    row = {"id": "sq", "name": "SQ01", "type": "Sequence"}
    built = [
        plan.compiled_structure()(dict(row), None),
        plan.structure(dict(row)),
        plan.positional(("id", "name"), False, compiled=True)(["sq", "SQ01"], None),
    ]
    for obj in built:
        assert type(obj) is _Shadowed
        assert slot.__get__(obj) == "SQ01" and obj.name == "shadow"


def test_a_plan_makes_one_twin_class() -> None:
    plan = _Plan(kitsu.Sequence)
    plan.compiled_structure()
    plan.positional(("id", "name"), True, compiled=True)
    assert plan.twin is not None and plan.twin.__bases__ == (kitsu.Sequence,)
    assert plan._twin() is plan.twin
