"""Run gazu's usage page top to bottom: its statements, the names they use, and
how two runs' answers are made comparable.

The page is gazu's documentation (shared/reference/gazu-usage.md, beside the
checkout), read where it lies, never copied here. Its examples use names they
never define (``project_dict``, ``shot_id``...): :func:`board` makes a small
production per run and binds them. Its placeholders (``"pipeline-api"``,
``"project-id"``...) and its two typos are replaced as :data:`FIXES` says,
each with its reason.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from kitsu_orm import file_tree
from kitsu_orm.transport import Transport

ROOT = Path(__file__).resolve().parents[1]
PAGES = [
    ROOT.parent / "shared" / "reference" / "gazu-usage.md",
    Path("/work/shared/reference/gazu-usage.md"),
]

# (what the page writes, what runs instead, why)
FIXES: list[tuple[str, str, str]] = [
    ('representation="ob"\n    sep="/"', 'representation="ob",\n    sep="/"', "a missing comma"),
    ('"pipeline-api"', "HOST", "a placeholder for the server's address"),
    ('"user@mail.com", "default"', "EMAIL, PASSWORD", "placeholder credentials"),
    ('"data/projects/project-id"', 'f"data/projects/{project_id}"', "a placeholder id"),
    ('"projects?id=project-id"', 'f"projects?id={project_id}"', "a placeholder id"),
    ('"my_file.png"', "IMAGE", "a placeholder file"),
]
# Names the page creates in the whole studio: each run makes its own (``<name> <run>``).
STUDIO_NAMES = [
    "Agent 327",
    "My new Project",
    "Cosmos Landromat",
    "my new asset_type",
    "Geometry",
]


def page_text() -> str | None:
    """The page, where the checkout's neighbours hold it; None elsewhere."""
    for page in PAGES:
        if page.exists():
            return page.read_text(encoding="utf-8")
    return None


def statements(text: str, run: str) -> list[tuple[int, str]]:
    """Every statement of the page's Python blocks, in order, as (block, source),
    with :data:`FIXES` applied and the studio-wide names made this run's own."""
    found = []
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    for number, block in enumerate(blocks):
        for written, instead, _why in FIXES:
            block = block.replace(written, instead)
        for name in STUDIO_NAMES:
            block = block.replace(f'"{name}"', f'"{name} {run}"')
        for node in ast.parse(block).body:
            found.append((number, ast.get_source_segment(block, node) or ""))
    return found


def board(client: Transport, run: str, image: Path) -> dict[str, Any]:
    """A small production of its own, bound to the names the page's examples use."""
    project = client.post(
        "data/projects", {"name": f"Usage page {run}", "production_type": "tvshow"}
    )
    p = project["id"]
    client.put(f"data/projects/{p}", {"file_tree": file_tree("default")})
    asset_type = client.post("data/entity-types", {"name": f"Page props {run}"})
    episode = client.post(f"data/projects/{p}/episodes", {"name": "E01"})
    sequence = client.post(
        f"data/projects/{p}/sequences", {"name": "SE01", "episode_id": episode["id"]}
    )
    shot = client.post(f"data/projects/{p}/shots", {"name": "SH01", "sequence_id": sequence["id"]})
    scene = client.post(
        f"data/projects/{p}/scenes", {"name": "SC01", "sequence_id": sequence["id"]}
    )
    asset = client.post(
        f"data/projects/{p}/asset-types/{asset_type['id']}/assets/new",
        {"name": "Hero", "description": "the hero"},
    )
    instance = client.post(
        f"data/assets/{asset['id']}/asset-asset-instances", {"asset_to_instantiate_id": asset["id"]}
    )
    task_type = next(t for t in client.get("data/task-types") if t["for_entity"] == "Asset")
    status = next(s for s in client.get("data/task-status") if s["short_name"] == "todo")
    task = client.post(
        "data/tasks",
        {
            "name": "main",
            "project_id": p,
            "task_type_id": task_type["id"],
            "task_status_id": status["id"],
            "entity_id": asset["id"],
        },
    )
    person = client.get(f"data/persons/{client.current_user()['id']}")
    software = client.post(
        "data/softwares", {"name": f"Page soft {run}", "short_name": "ps", "file_extension": "ps"}
    )
    output_type = client.post(
        "data/output-types", {"name": f"Page cache {run}", "short_name": "pc"}
    )
    working = client.post(
        f"data/tasks/{task['id']}/working-files/new",
        {
            "name": "main",
            "software_id": software["id"],
            "comment": "",
            "person_id": person["id"],
            "revision": 1,
        },
    )
    output = client.post(
        f"data/entities/{asset['id']}/output-files/new",
        {
            "output_type_id": output_type["id"],
            "task_type_id": task_type["id"],
            "working_file_id": working["id"],
            "person_id": person["id"],
            "revision": 1,
            "representation": "abc",
        },
    )
    return {
        "project_id": p,
        "project_dict": project,
        "episode_dict": episode,
        "episode": episode,
        "sequence_dict": sequence,
        "sequence": sequence,
        "shot_id": shot["id"],
        "shot_dict": shot,
        "shot": shot,
        "scene_dict": scene,
        "scene": scene,
        "asset_id": asset["id"],
        "asset_dict": asset,
        "asset": asset,
        "asset_name": "Hero",
        "entity_dict": shot,
        "asset_type_id": asset_type["id"],
        "asset_type_dict": asset_type,
        "asset_type_name": asset_type["name"],
        "asset_instance_id": instance["id"],
        "asset_instance_dict": instance,
        "task_dict": task,
        "task": task,
        "task_type": task_type,
        "task_type_dict": task_type,
        "task_status_id": status["id"],
        "task_status_dict": status,
        "task_status_name": status["name"],
        "person_dict": person,
        "software_dict": software,
        "output_type_dict": output_type,
        "output_type": output_type,
        "output_type_id": output_type["id"],
        "working_id": working["id"],
        "source_working_file_dict": working,
        "output_file_id": output["id"],
        "path": output.get("path") or "",
        "new_values_dict": {"id": asset["id"], "description": "changed by the page"},
        "name": "SE02",
        "file_tree_template_name": "default",
        "IMAGE": str(image),
    }


# Keys stamped with the moment of a write, or the login's: never equal across runs.
_MOMENTS = {
    "created_at",
    "updated_at",
    "last_presence",
    "last_comment_date",
    "end_date",
    "start_date",
    "real_start_date",
    "done_date",
}
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def normaliser(labels: dict[str, str], runs: list[str]) -> Callable[[Any], Any]:
    """Answers of two runs in one shape: ids by their role on the boards, run
    names without the run, moments dropped."""
    # In names (``Page props gazu``) and in the paths made of them (``page_props_gazu/``).
    tag = re.compile(r"(?<=[ _])(" + "|".join(map(re.escape, runs)) + r")(?![A-Za-z0-9])")

    def text(value: str) -> str:
        value = _UUID.sub(lambda m: labels.get(m[0], "<id>"), value)
        return tag.sub("<run>", value)

    def norm(value: Any) -> Any:
        if isinstance(value, dict):
            return {text(k): norm(v) for k, v in value.items() if k not in _MOMENTS}
        if isinstance(value, list | tuple):
            return [norm(v) for v in value]
        if isinstance(value, str):
            return text(value)
        return value

    return norm


def labels_of(bound: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(id, name of the page's variable) for every id a board binds."""
    for name, value in bound.items():
        if isinstance(value, dict) and isinstance(value.get("id"), str):
            yield value["id"], name.removesuffix("_dict")
        elif isinstance(value, str) and _UUID.fullmatch(value):
            yield value, name.removesuffix("_id")
