"""model/ holds no HTTP: the verbs that need the server live in kitsu_orm.actions."""

from __future__ import annotations

import ast
from pathlib import Path

import kitsu_orm.model

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
