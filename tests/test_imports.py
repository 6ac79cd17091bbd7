"""What `import kitsu_orm` costs a process: heavy dependencies load only when used.

Each check runs in a new interpreter, since this one has imported everything.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Collection, Iterator, Mapping
from pathlib import Path

import pytest

# Loaded on first use only: the transport (requests, and logging for its
# request log: a session answered from the cache sends none), the cache (diskcache),
# progress bars (tqdm), writes (cattrs), a Retry-After date (email.utils), the
# suggestion of an error (difflib), packaged file trees (importlib.resources).
HEAVY = (
    "cattrs",
    "requests",
    "urllib3",
    "logging",
    "diskcache",
    "tqdm",
    "email.utils",
    "difflib",
    "importlib.resources",
)


def _loaded_after(code: str) -> list[str]:
    """The HEAVY modules a new interpreter holds after running ``code``."""
    script = (
        f"{code}\nimport json, sys\nprint(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    loaded: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return loaded


def test_import_loads_no_heavy_dependency() -> None:
    assert _loaded_after("import kitsu_orm") == []


def test_reading_rows_and_building_queries_load_no_heavy_dependency() -> None:
    code = """
import kitsu_orm as kitsu
from kitsu_orm.model.builders import structure_row
shot = structure_row({"id": "s", "name": "SH01", "created_at": "2026-01-05T09:30:00"}, kitsu.Shot)
assert shot.created_at.year == 2026
kitsu.Shot.where(name="SH01").include("tasks")
kitsu.Session, kitsu.connect, kitsu.Query, kitsu.User
"""
    assert _loaded_after(code) == []


@pytest.mark.parametrize(
    ("code", "loads"),
    [
        ("kitsu_orm.model.converter.unstructure(kitsu_orm.Shot(name='SH01'))", "cattrs"),
        ("kitsu_orm.file_tree('default')", "importlib.resources"),
        ("import kitsu_orm.transport\nkitsu_orm.transport.Transport('kitsu.test', echo=True)", "logging"),
        ("kitsu_orm.retry.Retry().wait('Wed, 21 Oct 2015 07:28:00 GMT')", "email.utils"),
        (
            "try: kitsu_orm.Shot.where().include('taks')\nexcept kitsu_orm.ValidationError: pass",
            "difflib",
        ),
    ],
)
def test_a_heavy_dependency_loads_on_first_use(code: str, loads: str) -> None:
    """The check above would see a heavy module imported: here it is, once used."""
    assert loads in _loaded_after(f"import kitsu_orm, kitsu_orm.model.converter\n{code}")


def test_lazy_names_are_the_modules_own() -> None:
    import kitsu_orm as kitsu
    from kitsu_orm import query, session, user
    from kitsu_orm.model import converter as conv

    assert kitsu.Session is session.Session and kitsu.connect is session.connect
    assert kitsu.Query is query.Query and kitsu.User is user.User
    assert kitsu.session is session  # submodules once loaded by `import kitsu_orm`
    assert conv.converter is conv.get_converter()
    assert {"Session", "connect", "Query", "Tokens"} <= set(dir(kitsu))
    with pytest.raises(AttributeError):
        kitsu.nothing  # noqa: B018


# -- the shape of the import graph ----------------------------------------------------

PACKAGE_ROOT = Path(__file__).resolve().parent.parent / "kitsu_orm"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE_ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE_ROOT.rglob("*.py"))}


def _imports(
    name: str, path: Path, known: Collection[str], *, type_checking: bool = True
) -> list[tuple[str, str]]:
    """``(module, imported name)`` for every import in the module, lazy ones included
    (a function-level import is a dependency all the same); ``""`` for a whole module.
    ``type_checking=False`` leaves out the imports under ``if TYPE_CHECKING:``."""
    is_package = path.name == "__init__.py"
    found: list[tuple[str, str]] = []
    for node in _walk(ast.parse(path.read_text(encoding="utf-8")), type_checking):
        if isinstance(node, ast.Import):
            found += [(alias.name, "") for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                source = ".".join([*base, *([node.module] if node.module else [])])
            else:
                source = node.module or ""
            for alias in node.names:
                submodule = f"{source}.{alias.name}"
                found.append((submodule, "") if submodule in known else (source, alias.name))
    return found


def _walk(tree: ast.AST, type_checking: bool) -> Iterator[ast.AST]:
    """Every node of ``tree``, or every node but the body of ``if TYPE_CHECKING:``
    (its ``else:`` runs)."""
    for node in ast.iter_child_nodes(tree):
        if not type_checking and isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                yield child
                yield from _walk(child, type_checking)
            continue
        yield node
        yield from _walk(node, type_checking)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _graph(package: str, *, type_checking: bool = True) -> dict[str, set[str]]:
    """Who imports whom among the modules of ``package`` (the package itself left out);
    ``type_checking=False``: at run time only (see ``_imports``)."""
    modules = _modules()
    inside = {m for m in modules if m.startswith(f"{package}.")}
    return {
        m: {
            target
            for target, _ in _imports(m, modules[m], modules, type_checking=type_checking)
            if target in inside
        }
        for m in inside
    }


def _cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph.get(node, ()):
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_finds_cycles() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}}
    assert sorted(_cycles(graph)) == [["a", "b", "c"], ["e"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


@pytest.mark.parametrize("package", ["kitsu_orm.compat.gazu", "kitsu_orm.devserver"])
def test_no_import_cycle_inside(package: str) -> None:
    assert _graph(package), f"{package} has no modules"
    assert _cycles(_graph(package)) == []


def test_the_run_time_graph_leaves_out_type_checking_imports_only(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text(
        "import a\nif TYPE_CHECKING:\n    import b\nelse:\n    import c\n"
        "if typing.TYPE_CHECKING:\n    import d\ndef f():\n    import e\n",
        encoding="utf-8",
    )
    assert {m for m, _ in _imports("probe", probe, ())} == {"a", "b", "c", "d", "e"}
    assert {m for m, _ in _imports("probe", probe, (), type_checking=False)} == {"a", "c", "e"}


# The one cycle kitsu_orm keeps: the active-record entry. ``Shot.where(...)`` and
# ``Shot.get(...)`` build a Query on the entity class itself, and the query is
# made of entities.
ACTIVE_RECORD_ENTRY = ("kitsu_orm.model.base", "kitsu_orm.query")


def test_the_core_imports_one_way_but_for_the_active_record_entry() -> None:
    """kitsu_orm's modules import one another one way: no cycle at run time once
    the one edge of the active-record entry is left out.

    Run time: every import that can execute counts, a function-level (lazy) one
    included, since it is a dependency all the same, only paid later. An import
    under ``if TYPE_CHECKING:`` never executes and is left out: SQLAlchemy's orm/
    does the same, its query.py naming ``Session`` for type checkers only while
    session.py imports query.py to run.
    """
    graph = _graph("kitsu_orm", type_checking=False)
    source, target = ACTIVE_RECORD_ENTRY
    assert target in graph[source], "the active-record entry is gone: drop the exception"
    graph[source].discard(target)
    assert _cycles(graph) == []


def test_no_module_imports_another_modules_underscore_name() -> None:
    """Private means private to its module: what another module needs gets a public name."""
    modules = _modules()
    private = [
        f"{m} imports {source}.{imported}".rstrip(".")
        for m, path in modules.items()
        for source, imported in _imports(m, path, modules)
        if source.startswith("kitsu_orm")
        and (imported.startswith("_") or source.rsplit(".", 1)[-1].startswith("_"))
    ]
    assert private == []


def test_the_redis_service_cannot_be_read_as_the_redis_package() -> None:
    assert "kitsu_orm.devserver.redis" not in _modules()
    assert "kitsu_orm.devserver.redis_service" in _modules()


MAX_MODULE_LINES = 450


def test_no_module_is_over_450_lines() -> None:
    """Past that, a module usually holds two concepts: split it by concept."""
    long = {
        name: lines
        for name, path in _modules().items()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}
