"""The operations of a commit's plan: one small class per kind of write.

The unit of work (:mod:`kitsu_orm.unitofwork`) makes them and orders them;
:mod:`kitsu_orm.persistence` sends each through the function its class maps to.
Each names its write (``kind``, the word :mod:`kitsu_orm.permissions` and the
error messages use), the object it writes (``obj``, None for a bulk request) and
every object it writes (``objects``). They compare by identity: a plan may hold
two equal writes, and a failed commit lists which ones were applied.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import attrs

from .model.base import Entity

if TYPE_CHECKING:
    from .model.previews import PreviewFile
    from .model.tasks import Comment, Task, TimeSpent

__all__ = [
    "AddPreviews",
    "Assign",
    "Assignment",
    "Cast",
    "CommentWithFiles",
    "Comments",
    "Create",
    "CreateTasks",
    "Delete",
    "Link",
    "Operation",
    "SetMainPreview",
    "SetTimeSpent",
    "Unassign",
    "Update",
    "UploadPreview",
]


class Operation:
    """One request of a commit (a bulk one for several objects)."""

    __slots__ = ()
    kind: ClassVar[str] = ""

    @property
    def obj(self) -> Entity | None:
        """The one object this operation writes, or None for a bulk request."""
        return None

    @property
    def fields(self) -> tuple[str, ...]:
        """The fields it sends (updates; links: the relationship)."""
        return ()

    @property
    def objects(self) -> list[Entity]:
        """The objects this operation writes."""
        obj = self.obj
        return [] if obj is None else [obj]

    def __repr__(self) -> str:
        return f"<{self.kind} {self.obj!r}>"


@attrs.frozen(eq=False, repr=False)
class Create(Operation):
    """POST one new object."""

    kind: ClassVar[str] = "create"
    obj: Entity


@attrs.frozen(eq=False, repr=False)
class Update(Operation):
    """PUT the changed ``fields`` of one object."""

    kind: ClassVar[str] = "update"
    obj: Entity
    fields: tuple[str, ...]


@attrs.frozen(eq=False, repr=False)
class Delete(Operation):
    """DELETE one object."""

    kind: ClassVar[str] = "delete"
    obj: Entity


@attrs.frozen(eq=False, repr=False)
class SetTimeSpent(Operation):
    """A person's time on a task for a day, set or added through the action routes."""

    kind: ClassVar[str] = "time_spent"
    obj: TimeSpent


@attrs.frozen(eq=False, repr=False)
class Cast(Operation):
    """Replace a shot's casting."""

    kind: ClassVar[str] = "cast"
    obj: Entity


@attrs.frozen(eq=False, repr=False)
class Link(Operation):
    """Link and unlink the targets of one Linked relationship of one object."""

    kind: ClassVar[str] = "link"
    obj: Entity
    name: str

    @property
    def fields(self) -> tuple[str, ...]:
        return (self.name,)


@attrs.frozen(eq=False, repr=False)
class CreateTasks(Operation):
    """Plain tasks of one type for many shots or assets (``collection``): one request."""

    kind: ClassVar[str] = "create_tasks"
    collection: str
    tasks: list[Task]

    @property
    def objects(self) -> list[Entity]:
        return list(self.tasks)

    def __repr__(self) -> str:
        return f"<create_tasks {self.collection[:8]} on {len(self.tasks)} tasks>"


@attrs.frozen(eq=False, repr=False)
class Comments(Operation):
    """Comments on tasks (and the status changes they carry): one batch request."""

    kind: ClassVar[str] = "comments"
    comments: list[Comment]

    @property
    def objects(self) -> list[Entity]:
        return list(self.comments)

    def __repr__(self) -> str:
        return f"<comment {len(self.comments)} tasks>"


@attrs.frozen(eq=False, repr=False)
class Assignment(Operation):
    """Tasks given to, or taken back from, one person (an id, or a Person not created
    yet): one bulk request."""

    person: Any
    tasks: list[Task]

    @property
    def objects(self) -> list[Entity]:
        return list(self.tasks)

    def __repr__(self) -> str:
        person = str(getattr(self.person, "id", self.person))[:8]
        return f"<{self.kind} {person} on {len(self.tasks)} tasks>"


@attrs.frozen(eq=False, repr=False)
class Assign(Assignment):
    """Assign tasks to one person."""

    kind: ClassVar[str] = "assign"


@attrs.frozen(eq=False, repr=False)
class Unassign(Assignment):
    """Take tasks back from one person."""

    kind: ClassVar[str] = "unassign"


# -- publishing for review (:mod:`kitsu_orm.publishing`) ------------------------------------


@attrs.frozen(eq=False, repr=False)
class CommentWithFiles(Operation):
    """A comment with attached files: one multipart request (the batch route takes none)."""

    kind: ClassVar[str] = "comments"
    obj: Comment

    @property
    def objects(self) -> list[Entity]:
        return [self.obj]


@attrs.frozen(eq=False, repr=False)
class AddPreviews(Operation):
    """The preview records of one comment, added one after the other (the first one
    numbers the revision the others share)."""

    kind: ClassVar[str] = "add_preview"
    comment: Comment
    previews: list[PreviewFile]

    @property
    def objects(self) -> list[Entity]:
        return list(self.previews)

    def __repr__(self) -> str:
        return f"<add_preview {len(self.previews)} to {self.comment!r}>"


@attrs.frozen(eq=False, repr=False)
class UploadPreview(Operation):
    """Upload the file of one preview record."""

    kind: ClassVar[str] = "upload_preview"
    obj: PreviewFile


@attrs.frozen(eq=False, repr=False)
class SetMainPreview(Operation):
    """Make a preview its entity's main one (``shot.preview_file = p``)."""

    kind: ClassVar[str] = "set_main_preview"
    obj: Entity
    preview_id: str

    @property
    def fields(self) -> tuple[str, ...]:
        return ("preview_file_id",)
