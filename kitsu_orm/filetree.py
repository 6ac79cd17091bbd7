"""File trees: the templates a project's working and output file paths are built from.

``project.file_tree = kitsu.file_tree("default")`` then ``session.commit()``.

Zou has no route that lists or serves named trees, and the old "set file
tree by name" action is gone: a project's tree is now plain JSON set with
``PUT /data/projects/{id}``. So this package carries the trees as package
data. ``default`` and ``simple`` are Zou's own, the trees a Zou server ships
under those names (mountpoint ``/simple``; a test compares them with the
server's files), so that a name gives the paths it gives in Kitsu. Two are
kitsu_orm's, under names of their own: ``studio`` (one folder per task under
``/mnt/studio``, Zou's template typos fixed) and ``studio-versioned`` (per
software and output type, versioned names). Any other tree is given as a dict
or a JSON file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import ValidationError

# importlib.resources (which brings tempfile, shutil...), pathlib and json
# cost ~15 ms to import, for functions few programs call: those import them.
if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["file_tree", "file_tree_names"]

_MODES = ("working", "output")


def file_tree_names() -> list[str]:
    """The names of the trees this package ships, which ``file_tree(name)`` knows."""
    from importlib import resources

    folder = resources.files(__package__).joinpath("file_trees")
    return sorted(
        p.name.removesuffix(".json") for p in folder.iterdir() if p.name.endswith(".json")
    )


def file_tree(tree: str | dict[str, Any] | Path) -> dict[str, Any]:
    """A file tree: by the name of one this package ships, from a JSON file, or a dict (checked)."""
    import json
    from importlib import resources
    from pathlib import Path

    if isinstance(tree, Path):
        tree = _parse(tree.read_text(encoding="utf-8"), str(tree))
    elif isinstance(tree, str):
        if tree not in file_tree_names():
            raise ValidationError(
                f"no file tree named {tree!r}: kitsu_orm ships {', '.join(file_tree_names())}; "
                "pass a dict for another one"
            )
        text = resources.files(__package__).joinpath(f"file_trees/{tree}.json").read_text("utf-8")
        tree = _parse(text, tree)
    _check(tree)
    copy: dict[str, Any] = json.loads(json.dumps(tree))  # the caller may edit it
    return copy


def _parse(text: str, where: str) -> Any:
    import json

    try:
        return json.loads(text)
    except ValueError as exc:
        raise ValidationError(f"file tree {where} is not JSON: {exc}") from exc


def _check(tree: Any) -> None:
    if not isinstance(tree, dict):
        raise ValidationError(f"a file tree is a dict, not {type(tree).__name__}")
    for mode in _MODES:
        part = tree.get(mode)
        if not isinstance(part, dict) or not all(
            isinstance(part.get(k), dict) for k in ("folder_path", "file_name")
        ):
            raise ValidationError(
                f"a file tree needs a {mode!r} part with 'folder_path' and 'file_name' templates"
            )
