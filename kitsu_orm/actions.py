"""Domain verbs that need the server, offered by the session: entity methods ask it.

Time spent on a day, file paths, revision numbers, a task's last working
files: these are verbs, not rows a unit of work could track. Each sends one
request through the session's transport, right away, and merges any rows that
come back into the session's identity map. ``task.working_file_path()`` asks
the task's session for its :class:`Actions` (``session.actions``) and calls
the verb there, so that model/ imports neither this module nor the transport:
the entity classes stay below everything that talks to the server.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from .errors import PermissionDenied, ServerError, Timeout, ValidationError
from .model.arguments import day_string, optional_id, saved_id
from .model.attachments import AttachmentFile
from .model.base import Entity
from .model.files import FileStatus, OutputFile, OutputType, Software, WorkingFile, join_path
from .model.inbox import Notification
from .model.people import Person
from .model.playlists import Playlist, PlaylistEntry
from .model.previews import BROKEN, MOVIE_VARIANTS, READY, PreviewFile
from .model.production import AssetInstance, EntityRow
from .model.state import instance_state
from .model.tasks import Comment, Task, TaskType, TimeSpent
from .read_routes import role_name
from .routes import ACTIONS, FILE_TARGETS, PLAYLISTS, PREVIEW_DOWNLOADS, file_route, routes_for
from .urls import fill

if TYPE_CHECKING:
    from .session import Session

__all__ = ["PATH_DEPENDS_ON", "Actions", "file_target", "merge_rows", "output_file_filters"]

E = TypeVar("E", bound=Entity)


def merge_rows(session: Session, cls: type[E], rows: Iterable[dict[str, Any]]) -> list[E]:
    """Rows an action answered, as the session's objects, loaded together as one batch."""
    from .loading import group_of

    return group_of(session.identity.merge_row(cls, row) for row in rows)  # type: ignore[return-value]


class Actions:
    """The verbs of one session that need the server: what ``session.actions`` gives
    an entity method (``Task.time_spents_on``, ``OutputFile.build_path``...)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # -- people -----------------------------------------------------------------------------

    def invite(self, person: Person) -> dict[str, Any]:
        """E-mail the person Kitsu's invitation (``Person.invite``): the server's answer."""
        path = fill(ACTIONS["invite_person"], person_id=saved_id(person, Person, "invite"))
        answer: dict[str, Any] = self.session.transport.get(path)
        return answer

    def change_password(self, person: Person, password: str) -> dict[str, Any]:
        """Set the person's password (``Person.change_password``); admins only."""
        path = fill(ACTIONS["change_password"], person_id=saved_id(person, Person, "password"))
        answer: dict[str, Any] = self.session.transport.post(
            path, {"password": password, "password_2": password}
        )
        return answer

    def mark_all_notifications_read(self) -> None:
        """Mark every notification of the user read (``Notification.mark_all_read``)."""
        self.session.transport.post(ACTIONS["mark_all_notifications_read"], {})
        for obj in self.session.identity.objects():
            if isinstance(obj, Notification) and not obj.read:
                self.session.identity.apply_row(obj, {"id": obj.id, "read": True}, keep_edits=True)
        self.session.forget_cached(["Notification"])

    # -- tasks ------------------------------------------------------------------------------

    def time_spents_on(self, task: Task, day: date | str) -> list[TimeSpent]:
        """Everyone's time spent on ``task`` on one day (``Task.time_spents_on``)."""
        path = fill(ACTIONS["time_spents_on"], task_id=_task_id(task), date=day_string(day))
        body = self.session.transport.get(path)
        rows = [r for key, rs in body.items() if key != "total" for r in rs]
        return merge_rows(self.session, TimeSpent, rows)

    def last_working_files(self, task: Task) -> dict[str, WorkingFile]:
        """The last revision of each working file of ``task``, by name."""
        path = fill(ACTIONS["last_working_files"], task_id=_task_id(task))
        body: dict[str, dict[str, Any]] = self.session.transport.get(path)
        files = merge_rows(self.session, WorkingFile, body.values())
        return {f.name: f for f in files}

    def working_file_path(
        self, task: Task, name: str, software: Software | None, revision: int, mode: str, sep: str
    ) -> str:
        """Where the project's file tree puts a working file of ``task``."""
        body: dict[str, Any] = {"name": name, "mode": mode, "revision": revision, "sep": sep}
        software_id = optional_id(software, Software, "working_file_path")
        if software_id is not None:
            body["software_id"] = software_id
        path = fill(ACTIONS["working_file_path"], task_id=_task_id(task))
        answer = self.session.transport.post(path, body)
        return join_path(answer["path"], answer["name"], sep)

    # -- previews ---------------------------------------------------------------------------

    def previews_of_comment(self, comment: Comment) -> list[PreviewFile]:
        """The previews of ``comment``, oldest first, loaded with those of every comment
        read alongside it: their tasks' previews, in one request."""
        loader = self.session.loader
        group = [c for c in loader.loaded_with(comment) if isinstance(c, Comment) and c.id]
        tasks = loader.load_relation(Comment.__relationships__["task"], group or [comment])
        loader.load_relation(Task.__relationships__["previews"], tasks)
        task = comment.task
        found = task.previews if task is not None else []
        return [p for p in found if comment.id in (p.comment_ids or ())]

    def comment_of_preview(self, preview: PreviewFile) -> Comment | None:
        """The comment ``preview`` was published with (its row read if it came without)."""
        one = routes_for("PreviewFile").one
        if preview.comment_ids is None and preview.id is not None:
            row = self.session.transport.get(fill(one, id=preview.id))
            self.session.identity.merge_row(PreviewFile, row)
        ids = preview.comment_ids or []
        if not ids:
            return None
        if ids[0] not in self.session.identity:
            self.session.loader.fetch_ids("Comment", ids[:1])
        found = self.session.identity.get(ids[0])
        return found if isinstance(found, Comment) else None

    # -- comments: replies and attachments --------------------------------------------------

    def reply(self, comment: Comment, text: str) -> dict[str, Any]:
        """Answer ``comment`` (``Comment.reply``): the reply, as Zou answers it."""
        if not isinstance(text, str) or not text.strip():
            raise ValidationError(f"a reply needs a text, not {text!r}")
        answer: dict[str, Any] = self.session.transport.post(
            self._comment_route("reply", comment), {"text": text}
        )
        self._read_comment_again(comment)
        return answer

    def delete_reply(self, comment: Comment, reply: dict[str, Any] | str) -> None:
        """Delete one reply of ``comment``: its author's, or any as an admin."""
        reply_id = str(reply["id"] if isinstance(reply, dict) else reply)
        found = next((r for r in comment.replies or () if r.get("id") == reply_id), None)
        role = self.session.role
        if found is not None and role != "admin" and found.get("person_id") != self.session.user_id:
            raise PermissionDenied(
                f"only its author or an admin deletes a reply, not {role_name(role)}"
            )
        path = self._comment_route("delete_reply", comment, reply_id=reply_id)
        self.session.transport.delete(path)
        self._read_comment_again(comment)

    def attach(self, comment: Comment, paths: list[Any]) -> list[AttachmentFile]:
        """Attach files to ``comment``: its author, or a manager of the project, may."""
        if not paths:
            raise ValidationError("attach takes at least one file")
        role = self.session.role
        if role not in ("admin", "manager") and comment.person_id != self.session.user_id:
            raise PermissionDenied(
                f"only its author or a manager attaches files to a comment, not {role_name(role)}"
            )
        before = {a.id for a in comment.attachments}
        files = [(f"file{i}", path) for i, path in enumerate(paths)]
        self.session.transport.upload(self._comment_route("attach", comment), files=files)
        self._read_comment_again(comment)
        return [a for a in comment.attachments if a.id not in before]

    def remove_attachment(self, attachment: AttachmentFile) -> None:
        """Delete ``attachment`` from its comment (its author, or a manager, may)."""
        saved_id(attachment, AttachmentFile, "remove")
        comment = attachment.comment
        if comment is None:
            raise ValidationError(f"{attachment!r} is attached to no comment")
        path = self._comment_route("remove_attachment", comment, attachment_file_id=attachment.id)
        self.session.transport.delete(path)
        self.session.identity.forget(attachment)
        self._read_comment_again(comment)

    def download_attachment(self, attachment: AttachmentFile, dest: str | os.PathLike[str]) -> Path:
        """Stream the file of ``attachment`` to ``dest``."""
        path = fill(
            ACTIONS["attachment_file"],
            attachment_file_id=saved_id(attachment, AttachmentFile, "download"),
            file_name=attachment.file_name,
        )
        return self.session.transport.download(path, dest)

    def _comment_route(self, action: str, comment: Comment, **values: str | None) -> str:
        comment_id = saved_id(comment, Comment, action)
        return fill(ACTIONS[action], task_id=comment.object_id, comment_id=comment_id, **values)

    def _read_comment_again(self, comment: Comment) -> None:
        """The comment's replies and attachments as the server has them now; the cached
        answers about comments and attachments are outdated."""
        row = self.session.transport.get(fill(routes_for("Comment").one, id=comment.id))
        self.session.identity.apply_row(comment, row, keep_edits=True)
        instance_state(comment).related_cache().pop("attachments", None)
        self.session.forget_cached(["Comment", "AttachmentFile"])

    def download_preview(
        self, preview: PreviewFile, variant: str, dest: str | os.PathLike[str]
    ) -> Path:
        """Write one of the files the server keeps of ``preview`` to ``dest``."""
        if variant.startswith("thumbnail"):
            key = variant
        elif variant in MOVIE_VARIANTS and preview.is_movie:
            key = f"movie:{variant}"
        elif variant == "original":
            key = "picture:original"
        else:
            kinds = "a movie's" if preview.is_movie else "a picture's"
            choices = MOVIE_VARIANTS if preview.is_movie else ("original",)
            raise ValidationError(f"{kinds} variants are {', '.join(choices)}, not {variant!r}")
        path = fill(PREVIEW_DOWNLOADS[key], preview_file_id=saved_id(preview, PreviewFile, key))
        return self.session.transport.download(path, dest)

    def thumbnail_url(self, preview_file_id: str) -> str:
        """The address of a preview's thumbnail, for a page to show (no request)."""
        return self.session.transport.url(
            fill(PREVIEW_DOWNLOADS["thumbnail"], preview_file_id=preview_file_id)
        )

    def wait_preview_ready(
        self, preview: PreviewFile, timeout: float, interval: float
    ) -> PreviewFile:
        """Read ``preview`` again until the server has processed its file."""
        one = fill(routes_for("PreviewFile").one, id=saved_id(preview, PreviewFile, "wait"))
        deadline = time.monotonic() + timeout
        while True:
            self.session.identity.merge_row(PreviewFile, self.session.transport.get(one))
            if preview.status == READY:
                return preview
            if preview.status == BROKEN:
                why = ": a movie needs ffmpeg on the server" if preview.is_movie else ""
                raise ServerError(
                    f"the server could not process {preview!r} "
                    f"({preview.original_name}.{preview.extension}){why}",
                    path="/" + one,
                )
            left = deadline - time.monotonic()
            if left <= 0:
                raise Timeout(f"{preview!r} is still {preview.status!r} after {timeout:g} s")
            time.sleep(min(interval, left))

    # -- playlists --------------------------------------------------------------------------

    def playlist_entries(self, playlist: Playlist) -> list[PlaylistEntry]:
        """``playlist.entries``: its entries' objects, loaded in batches."""
        from .playlists import playlist_entries

        return playlist_entries(self.session, playlist)

    def download_playlist_zip(self, playlist: Playlist, dest: str | os.PathLike[str]) -> Path:
        """Stream the zip the server builds of ``playlist``'s previews to ``dest``."""
        path = fill(PLAYLISTS["zip"], playlist_id=saved_id(playlist, Playlist, "download_zip"))
        return self.session.transport.download(path, dest)

    # -- output files -----------------------------------------------------------------------

    def output_types_used_by(
        self, target: Entity, temporal_entity: Entity | None
    ) -> list[OutputType]:
        """The output types of the output files of an entity, or of an asset instance
        in a shot or scene (``OutputType.used_by``)."""
        rows = self.session.transport.get(_file_path("output_types", target, temporal_entity))
        return merge_rows(self.session, OutputType, rows)

    def last_output_revisions(
        self,
        target: Entity,
        temporal_entity: Entity | None,
        output_type: OutputType | None,
        task_type: TaskType | None,
        name: str | None,
        representation: str | None,
        file_status: FileStatus | None,
    ) -> list[OutputFile]:
        """The last revision of each output file of ``target``, filtered."""
        params = output_file_filters(output_type, task_type, name, representation, file_status)
        path = _file_path("last_revisions", target, temporal_entity)
        body = self.session.transport.get(path, params)
        rows = body.values() if isinstance(body, dict) else body
        return merge_rows(self.session, OutputFile, rows)

    def next_output_revision(
        self,
        target: Entity,
        output_type: OutputType,
        task_type: TaskType,
        name: str,
        temporal_entity: Entity | None,
    ) -> int:
        """The revision number the next output file of this name and types gets."""
        body = {
            "name": name,
            "output_type_id": saved_id(output_type, OutputType, "next_revision"),
            "task_type_id": saved_id(task_type, TaskType, "next_revision"),
        }
        path = _file_path("next_revision", target, temporal_entity)
        return int(self.session.transport.post(path, body)["next_revision"])

    def output_file_path(
        self,
        target: Entity,
        output_type: OutputType,
        task_type: TaskType,
        temporal_entity: Entity | None,
        options: dict[str, Any],
    ) -> str:
        """Where the project's file tree puts an output file (``OutputFile.build_path``);
        ``options`` are the name, mode, representation, revision, nb_elements and sep."""
        sep = options["sep"]
        body = {
            "output_type_id": saved_id(output_type, OutputType, "build_path"),
            "task_type_id": saved_id(task_type, TaskType, "build_path"),
            **{k: v for k, v in options.items() if k != "sep"},
            "separator": sep,
        }
        path = _file_path("output_file_path", target, temporal_entity)
        # A computation, not a write: cached until a name or the file tree changes.
        answer = self.session.computed(PATH_DEPENDS_ON, path, body)
        return join_path(answer["folder_path"], answer["file_name"], sep)


# What an output path is built from: the file tree and names of the project, the
# entity and its parents, the output and task types.
PATH_DEPENDS_ON = "Project+Episode+Sequence+Shot+Asset+AssetType+OutputType+TaskType"


def _task_id(task: Task) -> str:
    return saved_id(task, Task, "this action")


def file_target(target: Entity, temporal_entity: Entity | None = None) -> str:
    """The route prefix of what output files hang on: an entity, or an asset
    instance in a shot or scene."""
    kind, ids = _target_ids(target, temporal_entity)
    return fill(FILE_TARGETS[kind], **ids)


def _file_path(action: str, target: Entity, temporal_entity: Entity | None) -> str:
    kind, ids = _target_ids(target, temporal_entity)
    return fill(file_route(kind, action), **ids)


def _target_ids(target: Entity, temporal_entity: Entity | None) -> tuple[str, dict[str, str]]:
    if isinstance(target, AssetInstance):
        if temporal_entity is None:
            raise ValidationError(
                "an asset instance's output files belong to a shot or scene: pass temporal_entity"
            )
        return "instance", {
            "asset_instance_id": saved_id(target, AssetInstance, "output files"),
            "temporal_entity_id": saved_id(temporal_entity, EntityRow, "temporal_entity"),
        }
    return "entity", {"entity_id": saved_id(target, EntityRow, "output files")}


def output_file_filters(
    output_type: Entity | None = None,
    task_type: Entity | None = None,
    name: str | None = None,
    representation: str | None = None,
    file_status: Entity | None = None,
) -> dict[str, str]:
    """Query parameters of the output-file list routes; None leaves a filter out."""
    values = {
        "output_type_id": optional_id(output_type, OutputType, "output_type"),
        "task_type_id": optional_id(task_type, TaskType, "task_type"),
        "file_status_id": optional_id(file_status, FileStatus, "file_status"),
        "name": name,
        "representation": representation,
    }
    return {k: v for k, v in values.items() if v}
