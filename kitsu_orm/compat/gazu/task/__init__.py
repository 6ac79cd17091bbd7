"""gazu's ``task`` module: tasks, task types and statuses, comments, previews,
time spent.

Object-style equivalents: ``shot.tasks``, ``Task.where(...)``,
``TaskType.where(name=...)``, ``task.comment(text, status, previews=[...])``,
``task.start()``, ``task.set_time_spent(...)`` (see docs/migration.md).

gazu keeps them in one module; here each of its concepts has its own, and
this one answers for them all under gazu's name:

- :mod:`.tasks`: tasks, listed, created, updated, assigned, removed;
- :mod:`.statuses_types`: task types and task statuses;
- :mod:`.comments`: comments, their replies and attachments, batches of them;
- :mod:`.previews`: preview records on comments and their uploads;
- :mod:`.time_spent`: minutes per person and day;
- :mod:`.common`: the writes and uploads they share.
"""

from __future__ import annotations

from . import comments, previews, statuses_types, tasks, time_spent
from .comments import *  # noqa: F403 - each concept module lists what it answers for
from .previews import *  # noqa: F403 - each concept module lists what it answers for
from .statuses_types import *  # noqa: F403 - each concept module lists what it answers for
from .tasks import *  # noqa: F403 - each concept module lists what it answers for
from .time_spent import *  # noqa: F403 - each concept module lists what it answers for

__all__ = sorted(
    [
        *comments.__all__,
        *previews.__all__,
        *statuses_types.__all__,
        *tasks.__all__,
        *time_spent.__all__,
    ]
)
