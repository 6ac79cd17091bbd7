"""The current user's view of the studio: what they have tasks in.

::

    me = kitsu.User()                       # the current session's user
    for project in me.open_projects():
        for seq in me.sequences(project):
            for shot in me.shots(seq):
                print(shot.name, [t.task_type.name for t in me.tasks(shot)])

Zou answers these from ``/data/user/...``: for an artist, only the
projects, entities and tasks they are assigned to; the objects are the
session's own (the same ``Shot`` as ``Shot.get(id)`` answers).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from .actions import merge_rows
from .errors import ValidationError
from .model.arguments import saved_id
from .model.base import Entity
from .model.people import Person
from .model.production import Asset, AssetType, Episode, Project, Scene, Sequence, Shot
from .model.tasks import Task, TaskType
from .routes import USER_ROUTES
from .urls import fill

if TYPE_CHECKING:
    from .session import Session

__all__ = ["User"]

E = TypeVar("E", bound=Entity)


class User:
    """The logged-in user's projects, entities and tasks (``kitsu.User(session)``)."""

    def __init__(self, session: Session | None = None) -> None:
        if session is None:
            from .session import current_session

            session = current_session()
        self.session = session

    def __repr__(self) -> str:
        return f"<User of {self.session!r}>"

    @property
    def person(self) -> Person:
        """The user as a Person of this session."""
        return self.session.identity.merge_row(Person, self.session.transport.current_user())

    def open_projects(self) -> list[Project]:
        """The open projects the user takes part in."""
        return self._list(Project, "open_projects")

    def asset_types(self, project: Project) -> list[AssetType]:
        """The asset types of a project that the user has tasks in."""
        return self._list(AssetType, "asset_types", project_id=_id(project, Project))

    def assets(self, project: Project, asset_type: AssetType) -> list[Asset]:
        """The assets of a type in a project that the user has tasks on."""
        return self._list(
            Asset,
            "assets",
            project_id=_id(project, Project),
            asset_type_id=_id(asset_type, AssetType),
        )

    def sequences(self, project: Project) -> list[Sequence]:
        """The sequences of a project that the user has tasks in."""
        return self._list(Sequence, "sequences", project_id=_id(project, Project))

    def episodes(self, project: Project) -> list[Episode]:
        """The episodes of a project that the user has tasks in."""
        return self._list(Episode, "episodes", project_id=_id(project, Project))

    def tasks_to_do(self) -> list[Task]:
        """The user's tasks not done yet, in every open project."""
        return self._list(Task, "tasks_to_do")

    def done_tasks(self) -> list[Task]:
        """The user's tasks whose status is done."""
        return self._list(Task, "done_tasks")

    def tasks_to_check(self) -> list[Task]:
        """The tasks waiting for the user's feedback (a supervisor's or manager's review)."""
        return self._list(Task, "tasks_to_check")

    def shots(self, sequence: Sequence) -> list[Shot]:
        """The shots of a sequence that the user has tasks on."""
        return self._list(Shot, "shots", sequence_id=_id(sequence, Sequence))

    def scenes(self, sequence: Sequence) -> list[Scene]:
        """The scenes of a sequence that the user has tasks on."""
        return self._list(Scene, "scenes", sequence_id=_id(sequence, Sequence))

    def tasks(self, entity: Shot | Asset | Scene | Sequence) -> list[Task]:
        """The user's tasks on a shot, asset, scene or sequence."""
        return self._list(Task, "tasks", **_entity_ids(entity))

    def task_types(self, entity: Shot | Asset | Scene | Sequence) -> list[TaskType]:
        """The types of the user's tasks on a shot, asset, scene or sequence."""
        return self._list(TaskType, "task_types", **_entity_ids(entity))

    def _list(self, cls: type[E], route: str, **ids: str) -> list[E]:
        rows = self.session.read(cls.__kitsu_type__, fill(USER_ROUTES[route], **ids), {})
        objs = merge_rows(self.session, cls, rows)
        return sorted(objs, key=lambda o: str(getattr(o, "name", "") or "").lower())


def _id(obj: Any, cls: type[Entity]) -> str:
    return saved_id(obj, cls, f"User: a {cls.__name__}")


def _entity_ids(entity: Any) -> dict[str, str]:
    # The types with a collection word of their own (declared on the class).
    collection = type(entity).__collection__ if isinstance(entity, Entity) else None
    if collection is None:
        raise ValidationError(
            f"User lists tasks of shots, assets, scenes and sequences, not {entity!r}"
        )
    return {"collection": collection, "entity_id": _id(entity, type(entity))}
