"""What the logged-in user keeps for themselves: their notifications, the tasks they
follow (subscriptions), and their saved search filters and filter groups."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import Entity, entity
from .fields import derived, sized
from .relationships import ToMany, ToOne

if TYPE_CHECKING:
    from ..session import Session
    from .people import Department, Person
    from .production import Project
    from .tasks import Comment, Task

__all__ = ["Notification", "SearchFilter", "SearchFilterGroup", "Subscription"]


@entity("Notification", level=10)
class Notification(Entity):
    """Something that happened on a task the user follows, is assigned to or is
    mentioned on (``notification_type``: "comment", "mention", "assignation"...).
    Only ``read`` changes (saved at the next commit); Zou makes and keeps the rest."""

    read: bool = False
    change: bool = False
    notification_type: str | None = derived()
    author_id: str | None = derived()
    comment_id: str | None = derived()
    task_id: str | None = derived()
    project_id: str | None = derived()
    comment_text: str | None = derived()
    reply_text: str | None = derived()
    full_entity_name: str | None = derived()

    author: ToOne[Person] = ToOne("Person", "author_id", scope=None)
    comment: ToOne[Comment] = ToOne("Comment", "comment_id", scope=None)
    task: ToOne[Task] = ToOne("Task", "task_id", scope=None)
    project: ToOne[Project] = ToOne("Project", "project_id", scope=None)

    @classmethod
    def mark_all_read(cls, session: Session | None = None) -> None:
        """Mark every notification of the user read, now (not at commit)."""
        from ..context import current_session

        (session or current_session()).actions.mark_all_notifications_read()


@entity("Subscription", level=7)
class Subscription(Entity):
    """The user follows a task (its comments notify them): ``session.add(
    Subscription(task=t))`` subscribes the logged-in user at commit, ``session.delete``
    of it unsubscribes. Only admins list everyone's."""

    task_id: str | None = None
    person_id: str | None = None
    entity_id: str | None = None
    task_type_id: str | None = None

    task: ToOne[Task] = ToOne("Task", "task_id", scope=None)
    person: ToOne[Person] = ToOne("Person", "person_id", scope=None)


@entity("SearchFilterGroup", level=2)
class SearchFilterGroup(Entity):
    """A folder of the user's saved filters on one list (``list_type``: "asset",
    "shot", "todo"...), in one project or all."""

    name: str = sized(120, "")
    color: str | None = sized(8, "")
    list_type: str = sized(80, "todo")
    entity_type: str | None = sized(80)
    is_shared: bool = False
    project_id: str | None = None
    department_id: str | None = None
    person_id: str | None = derived()

    project: ToOne[Project] = ToOne("Project", "project_id", scope=None)
    department: ToOne[Department] = ToOne("Department", "department_id", scope=None)
    filters: ToMany[SearchFilter] = ToMany("SearchFilter", "search_filter_group_id", scope=None)


@entity("SearchFilter", level=3)
class SearchFilter(Entity):
    """A search the user saved on one list (``search_query``: Kitsu's search
    syntax, e.g. ``"lamp"`` or ``"type=Props"``), maybe in a group."""

    name: str = sized(120, "")
    search_query: str = sized(500, "")
    list_type: str = sized(80, "todo")
    entity_type: str | None = sized(80)
    is_shared: bool = False
    project_id: str | None = None
    department_id: str | None = None
    search_filter_group_id: str | None = None
    person_id: str | None = derived()

    project: ToOne[Project] = ToOne("Project", "project_id", scope=None)
    department: ToOne[Department] = ToOne("Department", "department_id", scope=None)
    group: ToOne[SearchFilterGroup] = ToOne(
        "SearchFilterGroup", "search_filter_group_id", scope=None
    )
