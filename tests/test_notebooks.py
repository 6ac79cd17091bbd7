"""The example notebooks (examples/*.ipynb) run cell by cell with nbclient against the
test run's Kitsu, in a kernel of this interpreter, connected by ``kitsu.connect()``
from the environment alone; their HTML outputs show the rows they should.

The data is made once for the module by the examples' own builders, under
names of the test's own: the sample production (examples/sample_production.py)
and the 500-shot production (examples/large_production.py, one commit). The
executed copies are written to build/notebooks/, which ``make docs`` renders.
"""

from __future__ import annotations

import importlib
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import kitsu_orm as kitsu
from kitsu_orm.testing import KitsuServer, remove_project, unique_project_name
from kitsu_orm.transport import Transport

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
EXECUTED = ROOT / "build" / "notebooks"
NOTEBOOKS = sorted(path.stem for path in EXAMPLES.glob("*.ipynb"))
KERNEL = "kitsu-orm-test"

# What each notebook's HTML outputs must show, beyond running without an error.
EXPECTED_HTML: dict[str, tuple[str, ...]] = {
    "explore_production": (
        "<caption>12 Shots</caption>",  # the shots table
        "<td>SH030</td><td>E02_SQ02</td>",
        "Animation · SH010 · ",  # a shot's card names its tasks
        "<th>Modeling</th>",  # the tasks DataFrame, grouped by type and status
    ),
    "batch_edit": (
        "<caption>3 Shots</caption>",
        "frame_in: 1 -&gt; 1001",  # the review, before the commit
        "task_status=wip",
        "<td>SH030</td><td>1001</td><td>1072</td>",  # read back after it
    ),
    "casting_chart": (">E02_SQ02</th>", "<th>Mushroom</th>", "<td>Character</td>"),
    "production_at_scale": (
        "<caption>500 Shots (the first 200 shown)</caption>",
        "<td>E01_SQ01_SH0010</td><td>E01_SQ01</td><td>1001-1025</td>",
        "<td>E02_SQ05_SH0500</td>",  # the DataFrame's last row
        "<td>E02_SQ05</td>",
        "<td>E02</td>",
    ),
}
# What the cells print, in full or in part.
EXPECTED_TEXT: dict[str, tuple[str, ...]] = {
    "explore_production": (
        "12 shots with their sequences, tasks and assignees: 4 requests",
        "E01_SQ01 SH010 Animation: Ana Lopez",
    ),
    "batch_edit": ("6 objects committed in 7 requests",),
    "casting_chart": ("12 shots and their casting: 4 requests",),
    # The acceptance: 500 rows, and the requests do not grow with them.
    "production_at_scale": (
        "500 shots; requests: 1 for the table, 3 for the DataFrame of 500 rows",
    ),
}


def _load_example(name: str) -> Any:
    if str(EXAMPLES) not in sys.path:
        sys.path.insert(0, str(EXAMPLES))
    return importlib.import_module(name)


@pytest.fixture(scope="module")
def productions(kitsu_server: KitsuServer, kitsu_client: Transport) -> Iterator[dict[str, str]]:
    """The two productions the notebooks read, by their environment variable."""
    transport = Transport(kitsu_server.url, token=kitsu_client.tokens)
    session = kitsu.connect(kitsu_server.url, transport=transport)
    made: list[kitsu.Project] = []
    try:
        made.append(_load_example("sample_production").build(session, unique_project_name("nb")))
        made.append(
            _load_example("large_production").build(session, unique_project_name("nb-500"))
        )
        yield {"KITSU_SAMPLE_PROJECT": made[0].name, "KITSU_LARGE_PROJECT": made[1].name}
    finally:
        for project in made:
            remove_project(kitsu_client, {"id": project.id, "name": project.name})
        session.close()
        transport.close()


@pytest.fixture(scope="module")
def kernel_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A kernel spec that runs this interpreter (a user's own python3 spec may not)."""
    root = tmp_path_factory.mktemp("kernels")
    spec = root / KERNEL
    spec.mkdir()
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": "kitsu-orm tests", "language": "python"})
    )
    return root


def test_every_notebook_has_expectations() -> None:
    assert NOTEBOOKS, "no notebook in examples/"
    assert set(NOTEBOOKS) == set(EXPECTED_HTML) == set(EXPECTED_TEXT)


@pytest.mark.server
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_and_shows_its_rows(
    name: str,
    kitsu_server: KitsuServer,
    productions: dict[str, str],
    kernel_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    for variable in ("KITSU_TOKEN", "KITSU_URL", "KITSU_EVENTS_URL"):
        monkeypatch.delenv(variable, raising=False)
    environment = {
        "KITSU_HOST": kitsu_server.url,
        "KITSU_EMAIL": kitsu_server.admin_email,
        "KITSU_PASSWORD": kitsu_server.admin_password,
        **productions,
    }
    for variable, value in environment.items():
        monkeypatch.setenv(variable, value)
    notebook = nbformat.read(EXAMPLES / f"{name}.ipynb", as_version=4)
    manager = KernelManager(
        kernel_name=KERNEL, kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(kernel_dir)])
    )
    client = nbclient.NotebookClient(
        notebook,
        km=manager,
        kernel_name=KERNEL,
        timeout=120,
        resources={"metadata": {"path": str(EXAMPLES)}},
    )
    client.execute()  # raises CellExecutionError, with the cell and its traceback, on an error

    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert all(cell.execution_count for cell in code), "a cell did not run"
    outputs = [output for cell in code for output in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    html = "\n".join(o.data["text/html"] for o in outputs if "text/html" in o.get("data", {}))
    html = re.sub(r">\s+<", "><", html)  # pandas indents its tables
    text = "".join(o.text for o in outputs if o.output_type == "stream" and o.name == "stdout")
    for expected in EXPECTED_HTML[name]:
        assert expected in html, f"{name}: no {expected!r} in the HTML outputs"
    for expected in EXPECTED_TEXT[name]:
        assert expected in text, f"{name}: no {expected!r} in what the cells print"
    # Secrets never reach an output: the executed copy is published by `make docs`.
    everything = nbformat.writes(notebook)
    assert kitsu_server.admin_password not in everything
    EXECUTED.mkdir(parents=True, exist_ok=True)
    nbformat.write(_portable(notebook, kitsu_server.url, productions), EXECUTED / f"{name}.ipynb")


def _portable(notebook: Any, url: str, productions: dict[str, str]) -> Any:
    """The executed copy as a reader would see it on the demo: the server's address
    and the test's project names replaced by the demo's."""
    demo_names = {
        productions["KITSU_SAMPLE_PROJECT"]: "Sample: Sprite Fright",
        productions["KITSU_LARGE_PROJECT"]: "Sample: 500 shots",
    }
    text = nbformat.writes(notebook)
    for test_name, demo_name in demo_names.items():
        text = text.replace(test_name, demo_name)
    text = re.sub(re.escape(url.rstrip("/")), "http://localhost/api", text)
    return nbformat.reads(text, as_version=4)
