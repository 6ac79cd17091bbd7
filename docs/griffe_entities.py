"""A griffe extension for the API reference: an entity class's docstring is the one
the library generates when the class is declared (its fields and relationships,
as ``help(kitsu.Shot)`` shows them), not only the text written in its source."""

from __future__ import annotations

import importlib
import inspect
from typing import Any

import griffe


class EntityDocstrings(griffe.Extension):
    """Replace the static docstring of each class of ``kitsu_orm.model`` by the runtime one."""

    def on_class_members(self, *, cls: griffe.Class, **kwargs: Any) -> None:
        if not cls.path.startswith("kitsu_orm.model."):
            return
        module = importlib.import_module(cls.module.path)
        runtime = getattr(module, cls.name, None)
        text = inspect.getdoc(runtime) if inspect.isclass(runtime) else None
        if text:
            cls.docstring = griffe.Docstring(text, parent=cls)
