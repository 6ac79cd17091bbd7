"""What the production modules of the facade share: gazu's argument and answer shapes.

gazu takes an entity as a dict or an id and answers the server's JSON,
lists sorted by name. These helpers do that on top of the current session's
transport, and turn ORM objects back into the dicts gazu would have answered.
"""

from __future__ import annotations

import datetime
from typing import Any

from ...errors import ValidationError
from ...model.base import Entity
from ...model.converter import unstructure
from ...model.values import is_uuid
from .connection import default_session
from .memo import read

__all__ = [
    "Model",
    "as_dict",
    "create",
    "is_id",
    "find_first",
    "jsonable",
    "get_list",
    "get_one",
    "link_ids",
    "model_dict",
    "model_id",
    "sort_by_name",
    "text_answer",
]

Model = str | dict[str, Any]


def model_id(model: Model | Entity | None, what: str = "model") -> str:
    """The id of an entity given as gazu takes it: a dict, an id string, or an ORM object."""
    if isinstance(model, Entity) and model.id is not None:
        return model.id
    if isinstance(model, dict) and isinstance(model.get("id"), str):
        model = model["id"]
    if is_id(model):
        return model
    raise ValidationError(f"{what}: expected an id or a dict with an id, not {model!r}")


is_id = is_uuid


def model_dict(model: Model | Entity) -> dict[str, Any]:
    """gazu's dict form of an entity argument: a dict as it is, an id as ``{"id": id}``."""
    if isinstance(model, dict):
        model_id(model)
        return model
    return {"id": model_id(model)}


def link_ids(models: Any) -> list[str]:
    """The ids of a list of entities (or of one), as gazu sends links (``departments``)."""
    if models is None:
        return []
    return [model_id(m) for m in (models if isinstance(models, list) else [models])]


def text_answer(answer: Any) -> Any:
    """gazu answers a body-less reply (a DELETE's 204) as its text: ``""``."""
    return "" if answer is None else answer


def sort_by_name(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """gazu's order: by name, without case (rows without a name keep the server's order)."""
    return sorted(rows, key=lambda row: str(row.get("name") or "").lower())


def get_list(path: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Every row of ``data/<path>``, sorted by name."""
    rows: list[dict[str, Any]] = read(f"data/{path}", params)
    return sort_by_name(rows)


def get_one(path: str) -> Any:
    """The answer of ``data/<path>``: a row, or the grouped dicts of instance routes."""
    return read(f"data/{path}")


def find_first(path: str, params: dict[str, Any]) -> dict[str, Any] | None:
    """The first row of ``data/<path>`` whose values equal ``params`` exactly.

    Zou matches names without case and with ``%``/``_`` wildcards: every
    value is checked again here, so ``"SH_1"`` never answers ``"SH01"``.
    """
    rows: list[dict[str, Any]] = read(f"data/{path}", params)
    # Keys the rows do not carry (``sequence_id`` is ``parent_id``) are left to the server.
    return next((r for r in rows if all(r.get(k, v) == v for k, v in params.items())), None)


def create(cls: type[Entity], **fields: Any) -> dict[str, Any]:
    """Create a ``cls`` through the current session's unit of work; answers its dict."""
    session = default_session()
    obj = cls(**{k: v for k, v in fields.items() if v is not None})
    session.add(obj)
    session.commit(only=[obj])  # the facade writes at once, and only what it was asked
    return as_dict(obj)


def as_dict(obj: Entity) -> dict[str, Any]:
    """The wire dict of an ORM object, as the server answered it.

    Server-computed fields (``project_name``...) are declared on every
    object but sent only by some routes: left out when the object has none.
    """
    row: dict[str, Any] = unstructure(obj)
    derived = {type(obj).__wire__[name] for name in type(obj).__derived__}
    return {k: v for k, v in row.items() if not (k in derived and v is None)}


def jsonable(value: Any) -> Any:
    """A request body as gazu's JSON encoder sends it: dates and datetimes in ISO
    form (``date.isoformat()``), inside dicts, lists and tuples too."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value
