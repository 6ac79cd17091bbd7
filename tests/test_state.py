"""The one door to an entity's bookkeeping: its attributes stay Zou's fields, and
what the core keeps of it is its InstanceState, however the object was made."""

from __future__ import annotations

import attrs
import pytest
from sample_rows import SHOT_ROW

import kitsu_orm as kitsu
from kitsu_orm.model.builders import _Plan, structure_row
from kitsu_orm.model.state import (
    InstanceState,
    instance_state,
    label,
    loaded_value,
    related_of,
    require_session,
)
from kitsu_orm.model.tasks import TimeSpentState, time_spent_state

SPENT_ROW = {
    "id": "5e1c7a3b-2f4d-4c8e-9a1b-0d2c3e4f5a6b",
    "duration": 60.0,
    "date": "2026-01-05",
    "task_id": "t",
    "person_id": "p",
    "type": "TimeSpent",
}


def test_an_entity_has_one_private_slot_and_no_public_name_but_its_fields() -> None:
    for cls in kitsu.model.REGISTRY.values():
        private = [f.name for f in attrs.fields(cls) if f.name.startswith("_")]
        assert private == ["_instance_state"], cls
    shot = kitsu.Shot(name="SH01")
    state = instance_state(shot)
    assert type(state) is InstanceState
    assert (state.session, state.lifecycle) == (None, kitsu.State.TRANSIENT)
    assert state.changes is state.copies is state.related is state.extra is state.group is None


def test_the_state_is_the_one_the_public_properties_read() -> None:
    shot = structure_row(dict(SHOT_ROW), kitsu.Shot)
    state = instance_state(shot)
    session = object()
    state.move_to(kitsu.State.DELETED, session)  # type: ignore[arg-type]
    assert shot.state is kitsu.State.DELETED and shot.session is session
    with pytest.raises(kitsu.DetachedError, match="not attached"):
        require_session(shot)
    assert repr(shot).endswith("(deleted)>")


def test_reads_of_what_is_loaded_never_load() -> None:
    shot = _Plan(kitsu.Shot).positional(("id", "name"), False, compiled=False)(
        ["s", "SH01"], None
    )
    assert loaded_value(shot, "name") == "SH01" and label(shot) == "SH01"
    assert loaded_value(shot, "updated_at", "unset") == "unset"
    assert related_of(shot) == {}
    instance_state(shot).related_cache()["sequence"] = None
    assert related_of(shot) == {"sequence": None}


@pytest.mark.parametrize("compiled", [False, True])
def test_a_time_spent_keeps_its_own_state_however_it_is_built(compiled: bool) -> None:
    plan = _Plan(kitsu.TimeSpent)
    build = plan.compiled_structure() if compiled else plan.structure
    spent = build(dict(SPENT_ROW), None)
    assert isinstance(spent, kitsu.TimeSpent)
    state = time_spent_state(spent)
    assert (state.adds, state.by_action) == (None, False)
    assert type(instance_state(kitsu.TimeSpent(duration=1.0))) is TimeSpentState


def test_a_time_spent_clean_again_adds_nothing_more() -> None:
    spent = kitsu.TimeSpent(duration=30.0)
    state = time_spent_state(spent)
    state.adds = 30.0
    state.mark_clean(spent, keep=frozenset({"duration"}))
    assert state.adds == 30.0  # the edit is kept, so is what it adds
    state.mark_clean(spent)
    assert state.adds is None
