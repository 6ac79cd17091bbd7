"""model/ holds no HTTP: the verbs that need the server live in kitsu_orm.actions."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path
from typing import Any

import kitsu_orm as kitsu
import kitsu_orm.model
from kitsu_orm.session import Session
from kitsu_orm.testing import FakeTransport

MODEL = Path(kitsu_orm.model.__file__).parent
# What does HTTP in kitsu_orm, and what hands it out.
_HTTP_MODULES = ("requests", "kitsu_orm.transport", "transport", "kitsu_orm.actions", "actions")


def _imported(node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    return [node.module or ""]


def _module_level_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    """Imports run when the module loads (not those inside functions, nor TYPE_CHECKING)."""
    found: list[ast.Import | ast.ImportFrom] = []
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
    return found


def test_no_module_of_model_uses_a_transport() -> None:
    offenders = []
    for path in sorted(MODEL.glob("*.py")):
        tree = ast.parse(path.read_text("utf-8"), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in ("transport", "_transport"):
                offenders.append(f"{path.name}:{node.lineno}: .{node.attr}")
            if isinstance(node, ast.Name) and node.id in ("transport", "Transport"):
                offenders.append(f"{path.name}:{node.lineno}: {node.id}")
        for node in _module_level_imports(tree):
            for name in _imported(node):
                if name.lstrip(".") in _HTTP_MODULES or name.endswith(".transport"):
                    offenders.append(f"{path.name}:{node.lineno}: imports {name}")
    assert offenders == []


def test_the_check_sees_a_transport_call() -> None:
    tree = ast.parse("def f(session):\n    return session.transport.get('data/shots')\n")
    assert any(isinstance(n, ast.Attribute) and n.attr == "transport" for n in ast.walk(tree))


# -- the door: model/ reaches the verbs through its session --------------------------------

TASK = "44444444-4444-4444-8444-444444444444"
PERSON = "55555555-5555-4555-8555-555555555555"


def test_a_verb_runs_in_the_session_of_its_object_not_the_current_one() -> None:
    def studio(method: str, path: str, params: dict[str, Any], json: Any) -> Any:
        assert (method, path) == ("GET", f"actions/tasks/{TASK}/time-spents/2026-01-05")
        row = {"id": "6" * 8 + "-6666-4666-8666-" + "6" * 12, "type": "TimeSpent"}
        return {"total": 30, PERSON: [{**row, "task_id": TASK, "person_id": PERSON}]}

    own, other = FakeTransport(studio), FakeTransport()
    session = Session(transport=own)
    task = session.identity.merge_row(kitsu.Task, {"id": TASK, "type": "Task", "name": "anim"})
    with Session(transport=other):  # the current session, for the block
        spent = task.time_spents_on(date(2026, 1, 5))
    assert [s.person_id for s in spent] == [PERSON]
    assert spent[0].session is session
    assert len(own.requests) == 1 and other.requests == []
    assert session.actions.session is session
