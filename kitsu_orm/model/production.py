"""The production: projects, episodes, sequences, shots, scenes, assets and their types."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, overload

import attrs

from ..errors import NotFound
from ..routes import LISTS
from .base import REGISTRY, Entity, entity
from .fields import derived, holds_id, sized
from .labels import Column, Shown, Span
from .previews import MainPreview
from .relationships import Casting, Linked, ToMany, ToOne
from .state import require_session

if TYPE_CHECKING:
    from typing_extensions import Self

    from .people import Person
    from .settings import Milestone
    from .tasks import Task, TaskStatus, TaskType

__all__ = [
    "Asset",
    "AssetInstance",
    "AssetType",
    "Concept",
    "Edit",
    "Episode",
    "Project",
    "ProjectStatus",
    "Scene",
    "Sequence",
    "Shot",
    "EntityRow",
]


@entity("ProjectStatus", reference=True, level=0, natural_key=("name",))
class ProjectStatus(Entity):
    """Whether a project is open or closed (reference table)."""

    name: str = sized(20, "")
    color: str | None = sized(7)


@entity("Project", level=1, natural_key=("name",))
class Project(Entity):
    """A production: everything else belongs to one."""

    __shown__ = Shown(
        "name", details=("production_type",), more=("project_status.name", "fps", "start_date")
    )
    name: str = sized(80, "")
    code: str | None = sized(80)
    description: str | None = None
    file_tree: dict[str, Any] | None = None
    data: dict[str, Any] | None = None
    has_avatar: bool = False
    fps: str | None = sized(10)
    ratio: str | None = sized(10)
    resolution: str | None = sized(12)
    production_type: str | None = sized(20)
    production_style: str | None = None
    start_date: date | None = None  # days, as Zou stores them
    end_date: date | None = None
    man_days: int | None = None
    nb_episodes: int | None = None
    max_retakes: int | None = None
    project_status_id: str | None = None

    project_status: ToOne[ProjectStatus] = ToOne("ProjectStatus", "project_status_id", scope=None)
    episodes: ToMany[Episode] = ToMany("Episode", "project_id", scope=None)
    sequences: ToMany[Sequence] = ToMany("Sequence", "project_id", scope=None)
    shots: ToMany[Shot] = ToMany("Shot", "project_id", scope=None)
    scenes: ToMany[Scene] = ToMany("Scene", "project_id", scope=None)
    assets: ToMany[Asset] = ToMany("Asset", "project_id", scope=None)
    tasks: ToMany[Task] = ToMany("Task", "project_id", scope=None)
    milestones: ToMany[Milestone] = ToMany(
        "Milestone", "project_id", scope=None, order_by=("date",)
    )
    # The project's settings, linked and unlinked at commit (one request per change):
    # who is on its team, which task types and statuses it uses, its asset types.
    team: Linked[Person] = Linked("Person")
    task_types: Linked[TaskType] = Linked("TaskType")
    task_statuses: Linked[TaskStatus] = Linked("TaskStatus")
    asset_types: Linked[AssetType] = Linked("AssetType")

    def close(self) -> None:
        """Give the project Zou's "Closed" status (saved at the next commit): closed
        projects leave the open lists, and only they may be deleted."""
        statuses = ProjectStatus.query(session=require_session(self)).all()
        closed = next((s for s in statuses if s.name.lower() == "closed"), None)
        if closed is None:
            raise NotFound("the server has no Closed project status")
        self.project_status = closed


@entity("AssetType", reference=True, level=0, natural_key=("name",))
class AssetType(Entity):
    """A kind of asset (Character, Prop...): a studio-wide reference table."""

    name: str = sized(30, "")
    short_name: str | None = sized(20)
    description: str | None = None
    task_types: list[str] | None = holds_id(many=True)
    archived: bool = False


@entity("EntityType", reference=True, level=0, natural_key=("name",))
class EntityType(Entity):
    """Every kind of row of Zou's entities table: Shot, Sequence, each asset type..."""

    name: str = sized(30, "")
    short_name: str | None = sized(20)
    archived: bool = False


@attrs.define(slots=True, eq=False, repr=False, kw_only=True, on_setattr=attrs.setters.NO_OP)
class EntityRow(Entity):
    """What shots, sequences, episodes, scenes and assets share: one Zou table."""

    __shown__ = Shown("name", more=("status", "description"), thumbnail="preview_file_id")
    name: str = sized(160, "")
    code: str | None = sized(160)
    description: str | None = None
    canceled: bool = False
    nb_frames: int | None = None
    status: str | None = None
    project_id: str | None = None
    entity_type_id: str | None = None
    parent_id: str | None = None
    source_id: str | None = None
    preview_file_id: str | None = None
    data: dict[str, Any] | None = None
    is_shared: bool = False
    is_casting_standby: bool = False
    ready_for: str | None = None
    created_by: str | None = holds_id()  # a person's id
    project_name: str | None = derived()


REGISTRY["EntityRow"] = EntityRow


@entity(
    "Episode",
    level=2,
    natural_key=("name", "project_id", "parent_id"),
    get_or_create=True,
)
class Episode(EntityRow):
    """A part of a TV show project; its sequences hang on it."""

    project: ToOne[Project] = ToOne("Project", "project_id", scope=None, named_by="project_name")
    sequences: ToMany[Sequence] = ToMany("Sequence", "parent_id")
    tasks: ToMany[Task] = ToMany("Task", "entity_id", via=LISTS["episodes_with_tasks"])


@entity(
    "Sequence",
    level=3,
    natural_key=("name", "project_id", "parent_id"),
    get_or_create=True,
    collection="sequences",
)
class Sequence(EntityRow):
    """A run of shots, under an episode in TV shows."""

    __shown__ = Shown("name", details=("episode.name",), more=("description",))
    episode_name: str | None = derived()

    project: ToOne[Project] = ToOne("Project", "project_id", scope=None, named_by="project_name")
    episode: ToOne[Episode] = ToOne("Episode", "parent_id", named_by="episode_name")
    shots: ToMany[Shot] = ToMany("Shot", "parent_id")
    scenes: ToMany[Scene] = ToMany("Scene", "parent_id")
    tasks: ToMany[Task] = ToMany("Task", "entity_id", via=LISTS["sequences_with_tasks"])


class _FrameRange:
    """``frame_in`` / ``frame_out`` live in a shot's ``data``."""

    def __init__(self, key: str) -> None:
        self.key = key

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> Self: ...

    @overload
    def __get__(self, obj: Shot, owner: type[Any]) -> int | None: ...

    def __get__(self, obj: Shot | None, owner: type[Any]) -> Any:
        if obj is None:
            return self
        return (obj.data or {}).get(self.key)

    def __set__(self, obj: Shot, value: int | None) -> None:
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            from ..errors import ValidationError

            raise ValidationError(f"Shot.{self.key} takes an int, not {type(value).__name__}")
        data = dict(obj.data or {})
        data[self.key] = value
        obj.data = data


@entity(
    "Shot",
    level=4,
    natural_key=("name", "project_id", "parent_id"),
    get_or_create=True,
    collection="shots",
    bulk_tasks=True,
)
class Shot(EntityRow):
    """A shot of a sequence: frames, casting, tasks."""

    __shown__ = Shown(
        "name",
        details=(
            "sequence.name|sequence_name",
            Span("data.frame_in", "data.frame_out"),
        ),
        more=("nb_frames", "description"),
        thumbnail="preview_file_id",
    )
    sequence_name: str | None = derived()

    project: ToOne[Project] = ToOne("Project", "project_id", scope=None, named_by="project_name")
    sequence: ToOne[Sequence] = ToOne("Sequence", "parent_id", named_by="sequence_name")
    tasks: ToMany[Task] = ToMany("Task", "entity_id", via=LISTS["shots_with_tasks"])
    preview_file: MainPreview = MainPreview()
    assets: Casting = Casting()
    asset_instances: Linked[AssetInstance] = Linked("AssetInstance")
    frame_in: _FrameRange = _FrameRange("frame_in")
    frame_out: _FrameRange = _FrameRange("frame_out")

    def restore(self) -> None:
        """Bring a canceled shot back (gazu's ``restore_shot``), on commit."""
        self.canceled = False

    def instantiate(self, asset: Asset, description: str | None = None) -> AssetInstance:
        """A new instance of ``asset`` in this shot, created and linked on commit.

        Zou creates instances in scenes and assets only; a shot's instance
        is a free one, numbered after the shot's other instances of the asset.
        """
        number = 1 + max(
            (i.number or 0 for i in self.asset_instances if i.asset_id == asset.id), default=0
        )
        instance = AssetInstance(
            number=number, name=f"{asset.name}_{number:04d}", description=description
        )
        instance.asset = asset
        require_session(self).add(instance)
        self.asset_instances = [*self.asset_instances, instance]
        return instance


@entity(
    "Scene",
    level=4,
    natural_key=("name", "project_id", "parent_id"),
    get_or_create=True,
    collection="scenes",
)
class Scene(EntityRow):
    """A layout unit under a sequence, with its own asset instances."""

    __shown__ = Shown("name", details=("sequence.name|sequence_name",))
    sequence_name: str | None = derived()

    project: ToOne[Project] = ToOne("Project", "project_id", scope=None, named_by="project_name")
    sequence: ToOne[Sequence] = ToOne("Sequence", "parent_id", named_by="sequence_name")
    tasks: ToMany[Task] = ToMany("Task", "entity_id", via=LISTS["scenes_with_tasks"])
    asset_instances: ToMany[AssetInstance] = ToMany("AssetInstance", "scene_id", scope=None)
    # The shots made of this scene (each shot's source); linked and unlinked on commit.
    shots: Linked[Shot] = Linked("Shot")

    def instantiate(self, asset: Asset, description: str | None = None) -> AssetInstance:
        """A new instance of ``asset`` in this scene, created (and numbered by Zou) on commit."""
        instance = AssetInstance(description=description)
        instance.asset, instance.scene = asset, self
        require_session(self).add(instance)
        return instance


@entity(
    "Edit",
    level=4,
    natural_key=("name", "project_id", "parent_id"),
    get_or_create=True,
    collection="edits",
)
class Edit(EntityRow):
    """A cut of the project, or of one of its episodes: reviewed through its tasks."""

    project: ToOne[Project] = ToOne("Project", "project_id", scope=None, named_by="project_name")
    episode: ToOne[Episode] = ToOne("Episode", "parent_id")
    tasks: ToMany[Task] = ToMany("Task", "entity_id", via=LISTS["edits_with_tasks"])


@entity(
    "Concept",
    level=4,
    natural_key=("name", "project_id", "parent_id"),
    collection="concepts",
)
class Concept(EntityRow):
    """A piece of concept art of the project, reviewed through its tasks before
    the assets it inspires exist."""

    project: ToOne[Project] = ToOne("Project", "project_id", scope=None, named_by="project_name")
    tasks: ToMany[Task] = ToMany("Task", "entity_id", via=LISTS["concepts_with_tasks"])


@entity(
    "Asset",
    level=4,
    natural_key=("name", "project_id", "parent_id"),
    collection="assets",
    bulk_tasks=True,
)
class Asset(EntityRow):
    """A character, prop or set of a project, typed by an AssetType."""

    __shown__ = Shown(
        "name",
        details=("asset_type.name|asset_type_name",),
        more=("description",),
        thumbnail="preview_file_id",
    )
    asset_type_name: str | None = derived()

    project: ToOne[Project] = ToOne("Project", "project_id", scope=None, named_by="project_name")
    asset_type: ToOne[AssetType] = ToOne(
        "AssetType", "entity_type_id", scope=None, named_by="asset_type_name"
    )
    episode: ToOne[Episode] = ToOne("Episode", "source_id")
    tasks: ToMany[Task] = ToMany("Task", "entity_id", via=LISTS["assets_with_tasks"])
    preview_file: MainPreview = MainPreview()
    # Instances of this asset, wherever they are; instances placed inside it.
    instances: ToMany[AssetInstance] = ToMany("AssetInstance", "asset_id", scope=None)
    asset_instances: ToMany[AssetInstance] = ToMany("AssetInstance", "target_asset_id", scope=None)

    def instantiate(self, asset: Asset, description: str | None = None) -> AssetInstance:
        """A new instance of ``asset`` inside this one (a prop in a set), created on commit."""
        instance = AssetInstance(description=description)
        instance.asset, instance.target_asset = asset, self
        require_session(self).add(instance)
        return instance


@entity("AssetInstance", level=5, natural_key=("name", "asset_id"))
class AssetInstance(Entity):
    """One appearance of an asset in a shot, scene or other asset."""

    __shown__ = Shown("name|asset.name", details=(Column("number", fmt="#{}"),))
    name: str | None = sized(80)
    number: int | None = None
    description: str | None = sized(200)
    active: bool = True
    data: dict[str, Any] | None = None
    asset_id: str | None = None
    target_asset_id: str | None = None
    scene_id: str | None = None

    asset: ToOne[Asset] = ToOne("Asset", "asset_id", scope=None)
    target_asset: ToOne[Asset] = ToOne("Asset", "target_asset_id", scope=None)
    scene: ToOne[Scene] = ToOne("Scene", "scene_id", scope=None)
