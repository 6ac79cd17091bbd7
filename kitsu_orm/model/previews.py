"""Previews: the images and movies published on a task for review.

A preview file belongs to one comment of one task: Zou makes its record when
it is added to the comment, then takes its file, which it processes (a movie
is normalised with ffmpeg, thumbnails are drawn) until its ``status`` is
``ready``, or ``broken`` when it could not. ``task.comment(...,
previews=[...])`` makes them pending, and the commit that creates the comment
adds their records and uploads their files (see :mod:`kitsu_orm.publishing`).
What publishing keeps of a preview and of its comment until then lives in
their states (:class:`PreviewFileState`, :class:`CommentState`).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, overload

import attrs

from ..errors import NotFound, ValidationError
from .base import Entity, entity
from .fields import derived, sized
from .labels import Column, Shown
from .relationships import ToOne
from .state import InstanceState, instance_state, require_session

if TYPE_CHECKING:
    from pathlib import Path

    from typing_extensions import Self

    from .people import Person
    from .tasks import Comment, Task

__all__ = [
    "BROKEN",
    "CommentState",
    "MOVIE_VARIANTS",
    "MainPreview",
    "PROCESSING",
    "PreviewFile",
    "PreviewFileState",
    "READY",
    "comment_state",
    "preview_state",
]

PROCESSING = "processing"
"""The server has the record, and is waiting for the file or working on it."""
READY = "ready"
"""The file is processed: every variant and thumbnail can be downloaded."""
BROKEN = "broken"
"""The server could not process the file (a movie without ffmpeg on the server)."""

MOVIE_VARIANTS = ("original", "low", "source")
"""The files Zou keeps of a movie: the normalised one, a lighter one, and the
upload as it came (kept only when the server is set to)."""


class PreviewFileState(InstanceState):
    """What the core keeps of a preview file besides any entity's bookkeeping.

    - ``source``: the path of the file a commit still has to upload (set by
      ``task.comment(previews=...)``, cleared once the server has the file).
    - ``comment``: the comment its record is added to, while it is pending.
    """

    __slots__ = ("source", "comment")

    def start(self) -> None:
        self.source: str | None = None
        self.comment: Comment | None = None


def preview_state(preview: PreviewFile) -> PreviewFileState:
    """The state of a preview file, with what only previews keep (see
    :class:`PreviewFileState`): for the unit of work that publishes it."""
    state = instance_state(preview)
    assert isinstance(state, PreviewFileState)
    return state


class CommentState(InstanceState):
    """What the core keeps of a comment besides any entity's bookkeeping.

    - ``attachments``: the paths of the files sent with the new comment
      (``task.comment(attachments=...)``).
    - ``previews``: the previews published with it in this session, in order,
      or None for a comment read from the server.
    """

    __slots__ = ("attachments", "previews")

    def start(self) -> None:
        self.attachments: tuple[str, ...] = ()
        self.previews: list[PreviewFile] | None = None


def comment_state(comment: Comment) -> CommentState:
    """The state of a comment, with what only comments keep (see :class:`CommentState`)."""
    state = instance_state(comment)
    assert isinstance(state, CommentState)
    return state


@entity("PreviewFile", level=10, natural_key=("task_id", "revision", "position"))
class PreviewFile(Entity):
    """An image or movie published on a task for review, attached to one comment.

    ``revision`` counts the versions published on the task; several previews
    of one comment share it and follow each other by ``position``.
    """

    __shown__ = Shown(
        Column("revision", fmt="v{}"),
        Column("task.entity.name", "entity"),
        Column("task.task_type.name", "task_type"),
        details=("extension", "status"),
        thumbnail="id",
    )

    name: str | None = sized(250)
    original_name: str | None = sized(250)
    revision: int | None = None
    position: int | None = None
    extension: str | None = sized(6)
    description: str | None = None
    source: str | None = sized(40)
    file_size: int | None = None
    status: str | None = None
    validation_status: str | None = None
    annotations: list[Any] | None = None
    width: int | None = None
    height: int | None = None
    duration: float | None = None
    data: dict[str, Any] | None = None
    task_id: str | None = None
    person_id: str | None = None
    source_file_id: str | None = None
    comment_ids: list[str] | None = derived(wire_as="comments")

    task: ToOne[Task] = ToOne("Task", "task_id", scope=None)
    person: ToOne[Person] = ToOne("Person", "person_id", scope=None)

    _instance_state: PreviewFileState = attrs.field(init=False, factory=PreviewFileState)

    @classmethod
    def to_publish(cls, task: Task, comment: Comment, file: str | os.PathLike[str]) -> PreviewFile:
        """A preview of ``file`` to add to ``comment`` on ``task`` on commit (what
        ``task.comment(previews=[...])`` makes); the file must exist now."""
        path = os.fspath(file)
        if not os.path.isfile(path):
            raise ValidationError(f"no preview file to publish at {path!r}")
        new = cls()
        new.task = task
        state = preview_state(new)
        state.source, state.comment = path, comment
        return new

    # -- what a commit reads -------------------------------------------------------

    @property
    def file_to_upload(self) -> str | None:
        """The path of the file a commit still has to upload, or None once the server has it."""
        return preview_state(self).source

    @property
    def comment(self) -> Comment | None:
        """The comment this preview was published with."""
        found = preview_state(self).comment
        if found is not None:
            return found
        if self.id is None:
            return None
        return require_session(self).actions.comment_of_preview(self)

    @property
    def is_movie(self) -> bool:
        """Whether the server keeps it as a movie (low, source and original variants)."""
        return (self.extension or "").lower() == "mp4"

    @property
    def is_ready(self) -> bool:
        """Whether the server has processed the file (as last read: see :meth:`wait_ready`)."""
        return self.status == READY

    # -- files: through the session, right away --------------------------------------

    def download(self, path: str | os.PathLike[str], variant: str = "original") -> Path:
        """Write the file to ``path`` (a file name, never a folder); ``variant``: a
        movie's ``"original"`` (normalised), ``"low"`` or ``"source"``, else ``"original"``."""
        return require_session(self).actions.download_preview(self, variant, path)

    def thumbnail(self, path: str | os.PathLike[str], *, square: bool = False) -> Path:
        """Write the PNG thumbnail to ``path`` (``square``: the square one)."""
        variant = "thumbnail_square" if square else "thumbnail"
        return require_session(self).actions.download_preview(self, variant, path)

    def wait_ready(self, timeout: float = 60.0, *, interval: float = 0.5) -> PreviewFile:
        """Read the status again until the server has processed the file; returns self.

        Raises :class:`~kitsu_orm.errors.Timeout` if it is still processing after
        ``timeout`` seconds, :class:`~kitsu_orm.errors.ServerError` if it is broken.
        """
        return require_session(self).actions.wait_preview_ready(self, timeout, interval)


class MainPreview(ToOne[PreviewFile]):
    """An entity's main preview (``shot.preview_file``): set to a published preview,
    it is sent on commit through Zou's set-main-preview route."""

    def __init__(self) -> None:
        super().__init__("PreviewFile", "preview_file_id", scope=None)

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> Self: ...

    @overload
    def __get__(self, obj: Entity, owner: type[Any]) -> PreviewFile | None: ...

    def __get__(self, obj: Entity | None, owner: type[Any]) -> Any:
        """The main preview: None when unset, or when the user may not read it (a vendor,
        for a preview of a task that is not theirs), or when it was deleted."""
        if obj is None:
            return self
        try:
            return super().__get__(obj, owner)
        except NotFound:
            return None

    def __set__(self, obj: Entity, value: PreviewFile | None) -> None:
        if value is not None and isinstance(value, PreviewFile) and value.id is None:
            raise ValidationError(
                f"{value!r} is not published yet: commit it first, then set "
                f"{type(obj).__name__.lower()}.{self.name}"
            )
        super().__set__(obj, value)
