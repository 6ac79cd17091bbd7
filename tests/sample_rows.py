"""Rows as Zou answers them, for the tests that build entities without a server."""

from __future__ import annotations

from typing import Any

import attrs

import kitsu_orm as kitsu
from kitsu_orm.model.state import instance_state, loaded_value

SHOT_ROW: dict[str, Any] = {
    "id": "5a5e0b04-0b6b-4a0a-9a39-6c3c1b2d9e01",
    "name": "SH010",
    "code": None,
    "description": "first shot",
    "canceled": False,
    "nb_frames": 48,
    "status": "running",
    "project_id": "0f9a5f5e-7c39-4a1e-8d2e-5b1b3b9c0a11",
    "entity_type_id": "c1a1b8f1-2a46-4a55-93f0-3d6c4c7b2d22",
    "parent_id": "7d2e4f7c-1b9d-4d9b-8b57-3f3f8c2a6e33",
    "source_id": None,
    "preview_file_id": None,
    "data": {"frame_in": 1, "frame_out": 48, "camera": {"lens": 35}},
    "is_shared": False,
    "is_casting_standby": False,
    "ready_for": None,
    "created_by": "a0c9b899-e589-48e7-97b8-bb71bf204e57",
    "project_name": "Agent 327",
    "sequence_name": "SQ01",
    "created_at": "2026-11-27T21:06:23",
    "updated_at": "2026-11-28T08:00:00",
    "type": "Shot",
    # Not declared on Shot:
    "shotgun_id": 4242,
    "nb_entities_out": 3,
    "instance_casting": [{"asset_id": "x", "nb_occurences": 2}],
}

TASK_ROW: dict[str, Any] = {
    "id": "9b1f3c1e-8f7a-4c52-9f0e-1d2c3b4a5f44",
    "name": "main",
    "priority": 2,
    "estimation": 3.5,
    "start_date": "2026-01-05T09:30:00",
    "due_date": "2026-01-30",
    "assignees": ["p1", "p2"],
    "task_type_id": "tt",
    "task_status_id": "ts",
    "entity_id": "e",
    "project_id": "p",
    "data": None,
    "created_at": "2026-11-27T21:06:23",
    "updated_at": "2026-11-27T21:06:23",
    "type": "Task",
}


def slots(obj: kitsu.Entity) -> dict[str, Any]:
    """Every slot an object has set (unset ones are left out), and what its state
    keeps of it (but its session and load group)."""
    names = [a.name for a in attrs.fields(type(obj)) if a.name != "_instance_state"]
    out = {n: loaded_value(obj, n, "<unset>") for n in names}
    state = instance_state(obj)
    for name in ("lifecycle", "changes", "copies", "related", "extra"):
        out[f"state.{name}"] = getattr(state, name)
    return out
