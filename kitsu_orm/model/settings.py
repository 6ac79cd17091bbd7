"""A production's settings beyond its breakdown: the metadata descriptors that type
its entities' custom data, the status automations it may use, its budgets."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from ..errors import ValidationError
from .base import Entity, entity
from .fields import holds_id, sized
from .relationships import ToOne

if TYPE_CHECKING:
    from .production import Project
    from .tasks import TaskType

__all__ = ["Budget", "MetadataDescriptor", "Milestone", "StatusAutomation"]

# How each data type of a descriptor reads a stored value (what Kitsu's forms write).
_READERS: dict[str, Any] = {
    "number": lambda v: v if isinstance(v, (int, float)) else float(v),
    "boolean": lambda v: v if isinstance(v, bool) else str(v).lower() == "true",
    "date": lambda v: v if isinstance(v, datetime.date) else datetime.date.fromisoformat(str(v)),
}


@entity("MetadataDescriptor", level=2, natural_key=("field_name", "entity_type", "project_id"))
class MetadataDescriptor(Entity):
    """A custom field of a project's entities of one type (``entity_type``: "Asset",
    "Shot"...): its values live in each entity's ``data`` under ``field_name``.

    ``value_of(entity)`` and ``set_value(entity, value)`` read and write that value
    typed by ``data_type`` (a number, a boolean, a date, one of ``choices``...).
    """

    # Zou renames the field (and the data keys of every entity) with the descriptor.
    __follows__ = {"field_name": ("name",)}

    project_id: str | None = None
    entity_type: str = sized(60, "Asset")
    task_type_id: str | None = None
    name: str = sized(120, "")
    field_name: str | None = sized(120)
    data_type: str = "string"
    choices: list[str] | None = None
    for_client: bool = False
    position: int | None = None
    departments: list[str] | None = holds_id(many=True)

    def value_of(self, entity: Any) -> Any:
        """The entity's value of this field, typed (None when it has none)."""
        value = (getattr(entity, "data", None) or {}).get(self.field_name or "")
        if value is None or value == "":
            return None
        reader = _READERS.get(self.data_type)
        return reader(value) if reader else value

    def set_value(self, entity: Any, value: Any) -> None:
        """Set the entity's value of this field (saved at the next commit), checked
        against ``data_type`` and ``choices`` first."""
        if not self.field_name:
            raise ValidationError(f"{self.name!r}: the descriptor has no field name yet")
        if value is not None:
            value = self._checked(value)
        entity.data = {**(getattr(entity, "data", None) or {}), self.field_name: value}

    def _checked(self, value: Any) -> Any:
        kind, choices = self.data_type, self.choices or []
        if kind == "number" and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise ValidationError(f"{self.name}: a number, not {value!r}")
        if kind == "boolean":
            if not isinstance(value, bool):
                raise ValidationError(f"{self.name}: True or False, not {value!r}")
            return "true" if value else "false"  # as Kitsu's forms store it
        if kind == "date":
            if not isinstance(value, datetime.date):
                raise ValidationError(f"{self.name}: a date, not {value!r}")
            return value.isoformat()
        if kind == "list" and choices and value not in choices:
            raise ValidationError(f"{self.name}: one of {choices}, not {value!r}")
        if kind in ("taglist", "checklist") and not isinstance(value, (list, str)):
            raise ValidationError(f"{self.name}: a list, not {value!r}")
        return value


@entity("StatusAutomation", reference=True, level=0)
class StatusAutomation(Entity):
    """When a task of one type reaches a status, change another task's status (or the
    entity's ready-for); a project uses those added to its settings."""

    entity_type: str | None = sized(40, "asset")
    in_task_type_id: str | None = None
    in_task_status_id: str | None = None
    out_field_type: str = "status"
    out_task_type_id: str | None = None
    out_task_status_id: str | None = None
    import_last_revision: bool = False
    archived: bool = False


@entity("Budget", level=2, natural_key=("name", "project_id", "revision"))
class Budget(Entity):
    """A revision of a project's budget (its entries are read through gazu's
    ``project.get_budget_entries``)."""

    project_id: str | None = None
    revision: int | None = None
    name: str = sized(255, "")
    currency: str | None = sized(3)


@entity("Milestone", level=2, natural_key=("name", "project_id", "date"))
class Milestone(Entity):
    """A dated milestone of a project's schedule (for one task type, or all); managers
    of the project make them, everyone on its team but vendors reads them."""

    project_id: str | None = None
    task_type_id: str | None = None
    date: datetime.date | None = None
    name: str = sized(40, "")

    project: ToOne[Project] = ToOne("Project", "project_id", scope=None)
    task_type: ToOne[TaskType] = ToOne("TaskType", "task_type_id", scope=None)
