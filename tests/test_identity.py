"""kitsu_orm.identity: the identity map, offline (a session over a fake transport).

Also the rule that keeps it the one door: no module of the package but session.py
and identity.py touches a session's underscore names.
"""

from __future__ import annotations

import ast
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

import kitsu_orm as kitsu
from kitsu_orm.doubts import Doubt
from kitsu_orm.identity import IdentityMap
from kitsu_orm.testing import FakeTransport

PROJECT = "11111111-1111-4111-8111-111111111111"
SEQUENCE = "22222222-2222-4222-8222-222222222222"
SHOT = "33333333-3333-4333-8333-333333333333"
LOADED = "2026-01-05T09:30:00"
SHOT_ROW: dict[str, Any] = {
    "id": SHOT,
    "type": "Shot",
    "name": "SH010",
    "project_id": PROJECT,
    "parent_id": SEQUENCE,
    "nb_frames": 48,
    "updated_at": LOADED,
}


@pytest.fixture
def identity() -> IdentityMap:
    return kitsu.Session(transport=FakeTransport()).identity


def test_a_row_merges_into_one_object_per_id(identity: IdentityMap) -> None:
    shot = identity.merge_row(kitsu.Shot, SHOT_ROW)
    again = identity.merge_row(kitsu.Shot, {**SHOT_ROW, "nb_frames": 50})
    assert again is shot and shot.nb_frames == 50 and not shot.changes()
    assert shot.session is identity.session and shot.state is kitsu.State.PERSISTENT
    assert identity.get(SHOT) is shot and SHOT in identity and len(identity) == 1
    assert identity.objects() == [shot] and identity.found(["nope", SHOT]) == [shot]


def test_a_merge_keeps_the_users_edits(identity: IdentityMap) -> None:
    shot = identity.merge_row(kitsu.Shot, SHOT_ROW)
    shot.name = "SH011"
    identity.merge_row(kitsu.Shot, {**SHOT_ROW, "name": "SH999", "nb_frames": 50})
    assert shot.name == "SH011" and shot.nb_frames == 50
    assert shot.changes() == {"name": ("SH010", "SH011")}
    assert identity.dirty() == [shot]


def test_apply_row_drops_the_edits_unless_told(identity: IdentityMap) -> None:
    shot = identity.merge_row(kitsu.Shot, SHOT_ROW)
    shot.name = "SH011"
    identity.apply_row(shot, {**SHOT_ROW, "name": "SH012"})
    assert shot.name == "SH012" and not shot.changes() and identity.dirty() == []


def test_adopt_keeps_the_object_another_thread_put_first(identity: IdentityMap) -> None:
    first = identity.merge_row(kitsu.Shot, SHOT_ROW)
    from kitsu_orm.model.builders import structure_row

    late = structure_row(SHOT_ROW, kitsu.Shot, identity.session)
    assert identity.adopt(late) is first


def test_pending_created_deleted_and_forgotten(identity: IdentityMap) -> None:
    shot = kitsu.Shot(name="SH020")
    identity.register_pending(shot)
    assert identity.pending() == [shot] and identity.is_pending(shot)
    assert shot.state is kitsu.State.PENDING and identity.has_changes()
    identity.register_created(shot, {**SHOT_ROW, "name": "SH020"})
    assert shot.state is kitsu.State.PERSISTENT and identity.get(SHOT) is shot
    assert identity.pending() == [] and not identity.has_changes()
    identity.register_deleted(shot)
    assert identity.deleted() == [shot] and identity.is_deleted(shot)
    assert shot.state is kitsu.State.DELETED
    identity.forget(shot)
    assert identity.deleted() == [] and identity.get(SHOT) is None
    assert shot.state is kitsu.State.DETACHED
    identity.register_persistent(shot)
    assert identity.get(SHOT) is shot and shot.state is kitsu.State.PERSISTENT


def test_deleting_a_pending_object_forgets_it(identity: IdentityMap) -> None:
    shot = kitsu.Shot(name="SH020")
    identity.register_pending(shot)
    identity.register_deleted(shot)
    assert identity.pending() == [] and identity.deleted() == []
    assert shot.state is kitsu.State.TRANSIENT


def test_rollback_and_clear(identity: IdentityMap) -> None:
    shot = identity.merge_row(kitsu.Shot, SHOT_ROW)
    shot.name = "SH011"
    new = kitsu.Shot(name="SH020")
    identity.register_pending(new)
    identity.rollback()
    assert shot.name == "SH010" and not shot.changes()
    assert identity.pending() == [] and new.state is kitsu.State.TRANSIENT
    identity.register_deleted(shot)
    identity.rollback()
    assert shot.state is kitsu.State.PERSISTENT and identity.deleted() == []
    identity.clear()
    assert len(identity) == 0 and shot.state is kitsu.State.DETACHED


def test_writes_in_doubt(identity: IdentityMap) -> None:
    shot = identity.merge_row(kitsu.Shot, SHOT_ROW)
    other = kitsu.Shot(name="SH020")
    since = datetime(2026, 1, 5, tzinfo=timezone.utc)
    identity.doubt(Doubt("update", shot, since, ("name",)))
    identity.mark_in_doubt([other])
    assert identity.is_in_doubt(shot) and identity.is_in_doubt(other)
    assert identity.doubt_of(other) is None
    record = identity.doubt_of(shot)
    assert record is not None and identity.doubts() == [record]
    assert identity.pop_doubt(shot) is record and identity.is_in_doubt(shot)
    identity.trust(shot)
    assert not identity.is_in_doubt(shot)
    identity.doubt(Doubt("delete", shot, None))
    identity.clear_doubt(shot)
    assert not identity.is_in_doubt(shot) and identity.doubts() == []
    identity.register_pending(other)
    identity.register_created(other, {**SHOT_ROW, "id": PROJECT})
    assert not identity.is_in_doubt(other)


def test_threads_merging_the_same_rows_share_one_object(identity: IdentityMap) -> None:
    rows = [{**SHOT_ROW, "id": f"{SHOT[:-3]}{i:03d}"} for i in range(200)]
    out: list[list[kitsu.Shot]] = []

    def load() -> None:
        out.append([identity.merge_row(kitsu.Shot, r) for r in rows])

    threads = [threading.Thread(target=load) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(list(map(id, objs)) == list(map(id, out[0])) for objs in out)


# -- the one door -------------------------------------------------------------------------

PACKAGE = Path(kitsu.__file__).parent
DOOR = {PACKAGE / "session.py", PACKAGE / "identity.py"}
SESSION_NAMES = frozenset({"session", "sess", "s"})


def _session_privates(tree: ast.AST) -> list[tuple[int, str]]:
    """``session._x``, ``self.session._x``, ``s._x``, ``obj._session._x``,
    ``require_session(x)._x``: an underscore name read off a session."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute) or not node.attr.startswith("_"):
            continue
        if node.attr.startswith("__"):
            continue
        owner = node.value
        is_session = (
            (isinstance(owner, ast.Name) and owner.id in SESSION_NAMES)
            or (isinstance(owner, ast.Attribute) and owner.attr in ("session", "_session"))
            or (
                isinstance(owner, ast.Call)
                and isinstance(owner.func, ast.Attribute)
                and owner.func.attr in ("require_session", "current_session", "default_session")
            )
            or (
                isinstance(owner, ast.Call)
                and isinstance(owner.func, ast.Name)
                and owner.func.id in ("require_session", "current_session", "default_session")
            )
        )
        if is_session:
            found.append((node.lineno, ast.unparse(node)))
    return found


def test_the_door_check_finds_private_accesses() -> None:
    code = "session._identity\nself.session._read()\nrequire_session(obj)._loader\ns._new\n"
    assert len(_session_privates(ast.parse(code))) == 4
    assert _session_privates(ast.parse("session.identity\nobj._related\n")) == []


def test_no_module_but_the_session_touches_a_sessions_private_members() -> None:
    offences = [
        f"{path.relative_to(PACKAGE.parent)}:{line}: {text}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path not in DOOR
        for line, text in _session_privates(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert offences == []
