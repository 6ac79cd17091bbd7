"""What gazu's file functions share: the targets output files hang on, and typed I/O.

Output files hang on an entity, or on an asset instance as seen in a shot or
scene (its "temporal entity"). gazu takes each as a dict or an id; the ORM's
file methods take objects: :func:`on_entity` and :func:`on_instance` turn the
first into the second without a request.
"""

from __future__ import annotations

from typing import Any, TypeVar

from ....actions import file_target
from ....errors import ValidationError
from ....model.base import Entity
from ....model.production import AssetInstance, EntityRow
from .. import client
from ..memo import read
from ..rows import Model, model_id

__all__ = [
    "Target",
    "entity_target",
    "instance_target",
    "is_a",
    "on_entity",
    "on_instance",
    "post",
    "put",
    "put_id",
    "read_list",
    "read_row",
    "stub",
]

E = TypeVar("E", bound=Entity)

# As the ORM's file methods take it: the entity or asset instance, and the shot or
# scene the instance is seen in (None for an entity).
Target = tuple[Entity, Entity | None]


def stub(cls: type[E], model: Model, what: str) -> E:
    """A detached ``cls`` standing for ``model`` where the ORM reads only an id."""
    return cls(id=model_id(model, what))


def on_entity(entity: Model) -> Target:
    """The target of an entity's output files."""
    return stub(EntityRow, entity, "entity"), None


def on_instance(asset_instance: Model, temporal_entity: Model | None) -> Target:
    """The target of an asset instance's output files in one shot or scene; refused
    without the shot or scene, which Zou needs."""
    if temporal_entity is None:
        raise ValidationError(
            "Zou keeps an asset instance's output files per shot or scene: pass temporal_entity"
        )
    return (
        stub(AssetInstance, asset_instance, "asset_instance"),
        stub(EntityRow, temporal_entity, "temporal_entity"),
    )


def entity_target(entity: Model) -> str:
    """The route prefix of an entity's output-file verbs."""
    return file_target(*on_entity(entity))


def instance_target(asset_instance: Model, temporal_entity: Model | None) -> str:
    """The route prefix of an asset instance's output-file verbs in a shot or scene."""
    return file_target(*on_instance(asset_instance, temporal_entity))


def is_a(value: Any, type_name: str) -> bool:
    """Whether ``value`` is a row of that type: how calls whose arguments the usage
    page orders differently from gazu 1.3.1 are told apart."""
    return isinstance(value, dict) and value.get("type") == type_name


def put_id(body: dict[str, Any], key: str, model: Model | None) -> None:
    """Set ``body[key]`` to the id of ``model`` when one is given (gazu's optional arguments)."""
    if model is not None:
        body[key] = model_id(model, key.removesuffix("_id"))


def read_list(path: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The rows of a list route, in the server's order (gazu's files module sorts none)."""
    rows: list[dict[str, Any]] = read(path, params)
    return rows


def read_row(path: str) -> dict[str, Any]:
    """The row of a get route."""
    row: dict[str, Any] = read(path)
    return row


def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
    """POST as gazu does, answering the created row."""
    answer: dict[str, Any] = client.post(path, body)
    return answer


def put(path: str, body: dict[str, Any]) -> dict[str, Any]:
    """PUT as gazu does, answering the updated row."""
    answer: dict[str, Any] = client.put(path, body)
    return answer
