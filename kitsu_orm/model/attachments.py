"""The files attached to comments (and to their replies): ``comment.attachments``."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from .base import Entity, entity
from .fields import sized
from .relationships import ToOne
from .state import require_session

if TYPE_CHECKING:
    from .tasks import Comment

__all__ = ["AttachmentFile", "CommentThread"]


class CommentThread:
    """A comment's verbs about its thread (mixed into Comment): they act now, not at
    commit, and read the comment again after."""

    __slots__ = ()

    def reply(self, text: str) -> dict[str, Any]:
        """Answer this comment: the reply as Zou answers it (``replies`` gets it)."""
        comment = cast("Comment", self)
        return require_session(comment).actions.reply(comment, text)

    def delete_reply(self, reply: dict[str, Any] | str) -> None:
        """Delete one of ``replies`` (its author's, or any as an admin)."""
        comment = cast("Comment", self)
        require_session(comment).actions.delete_reply(comment, reply)

    def attach(self, paths: Iterable[str | os.PathLike[str]]) -> list[AttachmentFile]:
        """Attach files to this comment: the new ``attachments``."""
        comment = cast("Comment", self)
        return require_session(comment).actions.attach(comment, list(paths))


@entity("AttachmentFile", level=10)
class AttachmentFile(Entity):
    """A file attached to a comment, or to one of its replies (``reply_id``). Made with
    the comment (``task.comment(..., attachments=[path])``) or added to it
    (``comment.attach([path])``); ``download(path)`` streams its content."""

    name: str = sized(250, "")
    extension: str | None = sized(6)
    size: int | None = None
    mimetype: str | None = sized(255)
    comment_id: str | None = None
    reply_id: str | None = None
    chat_message_id: str | None = None

    comment: ToOne[Comment] = ToOne("Comment", "comment_id", scope=None)

    @property
    def file_name(self) -> str:
        """The name the server serves the file under (``name``, which carries its
        extension)."""
        return self.name or f"attachment.{self.extension or 'bin'}"

    def download(self, dest: str | os.PathLike[str]) -> Path:
        """Stream the file to ``dest`` (written whole or not at all), now."""
        return require_session(self).actions.download_attachment(self, dest)

    def remove(self) -> None:
        """Delete this file from its comment, now (its author or a manager may)."""
        require_session(self).actions.remove_attachment(self)
