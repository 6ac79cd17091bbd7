"""Publishing for review, inside the unit of work: comments with attached files,
preview records, their uploads, and an entity's main preview.

``task.comment("v003", status=wfa, previews=["v003.mp4"], attachments=["notes.pdf"])``
leaves a pending comment and pending :class:`~kitsu_orm.model.previews.PreviewFile`
objects. The commit plans them (:func:`plan_previews`) after the comments:
the comment is created first (with its attachments, as multipart files of
the comment request), then each preview's record is added to it, then each
file is uploaded, streamed from disk, in that order, one level after the other.

Each write here settles its own doubt before it sends, so that a commit
broken anywhere resumes on the next ``commit()`` with nothing sent twice:

- a comment whose answer was lost is looked for among its task's comments
  (as the batch route's are: :func:`~kitsu_orm.doubts.lost_comments`);
- a preview record whose answer was lost is looked for among the previews of
  its task made since, linked to its comment, unknown to the session;
- an upload whose answer was lost is done if the server's record has the
  file's name (Zou refuses a second upload of one record anyway).

The functions take the commit's :class:`~kitsu_orm.persistence.Writer` and are
dispatched through :data:`kitsu_orm.persistence.WRITES` like every write.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from .doubts import doubt, lost_comments, made_since, server_clock
from .errors import ConnectionError, ServerError, ValidationError
from .model.base import Entity
from .model.previews import PreviewFile, preview_state
from .model.production import EntityRow
from .model.tasks import Comment, Task
from .operations import AddPreviews, Operation, SetMainPreview, UploadPreview
from .progress import meter
from .routes import PREVIEWS, routes_for
from .urls import fill

if TYPE_CHECKING:
    from .persistence import Writer
    from .session import Session

__all__ = [
    "BIG_FILE",
    "add_previews",
    "comment_with_files",
    "plan_previews",
    "set_main_preview",
    "split_main_preview",
    "upload_preview",
]

BIG_FILE = 8 << 20
"""Bytes from which an upload draws its own progress bar (when progress is on)."""


# -- planning ------------------------------------------------------------------------------


def plan_previews(
    session: Session, pending: Iterable[Entity], wanted: Callable[[Entity], bool]
) -> tuple[list[Operation], list[Operation]]:
    """The records to add (one operation per comment) and the files to upload (one
    per preview, pending or added by an earlier commit that broke), of the wanted."""
    by_comment: dict[int, AddPreviews] = {}
    for obj in pending:
        if not isinstance(obj, PreviewFile) or not wanted(obj):
            continue
        comment = obj.comment
        if comment is None:
            raise ValidationError(
                f"{obj!r} belongs to no comment: publish previews with "
                "task.comment(..., previews=[...])"
            )
        op = by_comment.setdefault(id(comment), AddPreviews(comment, []))
        op.previews.append(obj)
    known = [o for o in session.identity.objects() if isinstance(o, PreviewFile)]
    pending_previews = [p for op in by_comment.values() for p in op.previews]
    uploads: list[Operation] = [
        UploadPreview(p)
        for p in [*pending_previews, *known]
        if p.file_to_upload is not None and wanted(p)
    ]
    return list(by_comment.values()), uploads


def split_main_preview(
    obj: Entity, fields: tuple[str, ...], mains: list[Operation]
) -> tuple[str, ...]:
    """The fields of an update left once a new main preview of a shot or asset is taken
    out into ``mains`` (Zou sets it through its own route; clearing it is an update)."""
    preview_id = getattr(obj, "preview_file_id", None)
    if not isinstance(obj, EntityRow) or "preview_file_id" not in fields or preview_id is None:
        return fields
    mains.append(SetMainPreview(obj, preview_id))
    return tuple(n for n in fields if n != "preview_file_id")


# -- the writes ----------------------------------------------------------------------------


def comment_with_files(w: Writer, op: Operation) -> None:
    """A new comment with its attachments: one multipart request to the comment route."""
    comment = op.obj
    assert isinstance(comment, Comment)
    w.resolve(comment)
    if w.session.identity.is_in_doubt(comment):
        for found, row in lost_comments(w.session, [comment]):
            w.adopt_comment(found, row)
            return
    fields = {
        "task_status_id": comment.task_status_id or "",
        "comment": comment.text or "",
        "checklist": json.dumps(comment.checklist or []),
    }
    if comment.person_id is not None:
        fields["person_id"] = comment.person_id
    files = [(f"file{i}", path) for i, path in enumerate(comment.attachments_to_send)]
    path = fill(routes_for("Comment").create or "", object_id=comment.object_id)
    since = server_clock(w.transport)
    try:
        row = w.transport.upload(path, data=fields, files=files)
    except (ConnectionError, ServerError):
        doubt(w.session, "comment", comment, since)
        raise
    w.adopt_comment(comment, row)


def add_previews(w: Writer, op: AddPreviews) -> None:
    """The preview records of one comment, in order: the first numbers the revision
    (the task's next), the others share it."""
    comment = op.comment
    assert comment.id is not None and comment.object_id is not None
    in_doubt = [p for p in op.previews if w.session.identity.is_in_doubt(p)]
    lost = _lost_previews(w, comment, in_doubt) if in_doubt else []
    revision = next((p.revision for p in comment.previews if p.id and p.revision), None)
    path = fill(PREVIEWS["add_preview"], task_id=comment.object_id, comment_id=comment.id)
    for preview in op.previews:
        if preview.id is not None:
            continue
        w.resolve(preview)
        if preview in in_doubt:
            w.session.identity.clear_doubt(preview)
            if lost:
                w.adopt(preview, lost.pop(0))
                revision = revision or preview.revision
                continue
        since = server_clock(w.transport)
        try:
            row = w.transport.post(path, {} if revision is None else {"revision": revision})
        except (ConnectionError, ServerError):
            doubt(w.session, "add_preview", preview, since)
            raise
        w.adopt(preview, row)
        revision = revision or preview.revision


def _lost_previews(
    w: Writer, comment: Comment, previews: list[PreviewFile]
) -> list[dict[str, Any]]:
    """Rows of previews added to ``comment`` by requests whose answer was lost: of its
    task, linked to it, unknown to the session, made since the first was sent."""
    records = [w.session.identity.doubt_of(p) for p in previews]
    stamps = [r.since for r in records if r is not None and r.since is not None]
    since = min(stamps) if len(stamps) == len(records) else None
    routes = routes_for("PreviewFile")
    params = {**routes.list_params, "task_id": comment.object_id}
    rows = w.session.get_rows(routes.list, params)
    found = [
        r
        for r in rows
        if comment.id in (r.get("comments") or ())
        and r["id"] not in w.session.identity
        and made_since(r, since)
    ]
    found.sort(key=lambda r: (r.get("position") or 0, str(r.get("created_at") or ""), r["id"]))
    return found


def upload_preview(w: Writer, op: UploadPreview) -> None:
    """Upload a preview record's file, streamed (with its own bar when big)."""
    preview = op.obj
    source = preview.file_to_upload
    if source is None or preview.id is None:
        return
    identity = w.session.identity
    if identity.is_in_doubt(preview):
        one = routes_for("PreviewFile").one
        row = w.transport.get(fill(one, id=preview.id))
        identity.clear_doubt(preview)
        if row.get("original_name"):  # the server has a file: ours
            _uploaded(w, preview, row)
            return
    path = fill(PREVIEWS["upload"], preview_file_id=preview.id)
    size = os.path.getsize(source)
    setting = w.progress if size >= BIG_FILE else False
    with meter(setting, f"upload {os.path.basename(source)}", total=size, unit="B") as bar:
        try:
            row = w.transport.upload(path, source, on_read=bar.advance)
        except (ConnectionError, ServerError):
            identity.mark_in_doubt([preview])
            raise
    _uploaded(w, preview, row)


def _uploaded(w: Writer, preview: PreviewFile, row: dict[str, Any]) -> None:
    identity = w.session.identity
    identity.apply_row(preview, row)
    preview_state(preview).source = None
    # Zou moved the task's last preview: read again after the commit.
    task_id = preview.task_id
    if task_id and isinstance(identity.get(task_id), Task):
        identity.mark_stale(Task, [task_id])


def set_main_preview(w: Writer, op: SetMainPreview) -> None:
    """Make a preview its entity's main one (Zou answers the entity's row). Sent again
    safely: when it breaks, the edit stays for the next commit."""
    entity = op.obj
    path = fill(PREVIEWS["set_main_preview"], preview_file_id=op.preview_id)
    try:
        row = w.transport.put(path, {})
    except (ConnectionError, ServerError):
        entity.__setattr__("preview_file_id", op.preview_id)  # an update applied it may reset it
        raise
    if isinstance(row, dict) and row.get("id") == entity.id:
        # Run after the updates: other edits left are the ones this commit did not send.
        others = set(entity.changes()) - {"preview_file_id"}
        w.session.identity.apply_row(entity, row, keep_edits=bool(others))
