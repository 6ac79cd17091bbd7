"""The files attached to comments (and to their replies): ``comment.attachments``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from .base import Entity, entity
from .fields import sized
from .relationships import ToOne
from .state import require_session

if TYPE_CHECKING:
    from .tasks import Comment

__all__ = ["AttachmentFile"]


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
