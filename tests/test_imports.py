"""What `import kitsu_orm` costs a process: heavy dependencies load only when used.

Each check runs in a new interpreter, since this one has imported everything.
"""

from __future__ import annotations

import json
import subprocess
import sys

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
