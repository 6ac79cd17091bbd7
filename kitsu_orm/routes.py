"""Where each entity type lives on the server: declarative data.

Path templates take the object's wire fields (``{project_id}``, ``{id}``).
This module and :mod:`kitsu_orm.read_routes` (the routes each role lists a
type through) are the only ones that know Zou's URLs for entities; adding a
type is one class in model/ and one entry here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from .link_routes import LINKS, LinkRoutes

__all__ = [
    "ACTIONS",
    "CreateRoute",
    "EVENTS_NAMESPACE",
    "EVENTS_SOCKET_PATH",
    "FILE_ACTIONS",
    "FILE_TARGETS",
    "LISTS",
    "file_route",
    "LINKS",
    "LinkRoutes",
    "PLAYLISTS",
    "PREVIEWS",
    "PREVIEW_DOWNLOADS",
    "PREVIEW_URLS",
    "Routes",
    "ROUTES",
    "URL_ID_BUDGET",
    "USER_ROUTES",
    "routes_for",
]

# Zou behind gunicorn refuses request lines over 4094 bytes, and an id in a
# URL-encoded JSON list costs 45 characters: ids per IN-list request.
URL_ID_BUDGET = 80


@attrs.frozen
class CreateRoute:
    """A create route that applies when a given field is set (see ``Routes.create_by``).

    ``fields`` names the attributes it takes and their keys in the body;
    the other fields follow in an update. It does not apply when one of the
    ``unless`` fields is set (a file given its own path skips the file tree).
    """

    path: str
    fields: Mapping[str, str]
    unless: frozenset[str] = frozenset()


@attrs.frozen
class Routes:
    """The routes of one entity type.

    ``create_fields`` renames wire fields for a create route that names them
    differently (a new shot takes ``sequence_id``, stored as ``parent_id``);
    a create route that ignores a field is followed by an update of it.
    ``generic`` is the generic model route, which filters on every column,
    accepts ``fields=`` and paginates.
    """

    list: str
    one: str
    create: str | None = None
    update: str | None = None
    delete: str | None = None
    generic: str | None = None
    list_params: Mapping[str, str] = attrs.field(factory=dict)
    delete_params: Mapping[str, str] = attrs.field(factory=dict)
    create_fields: Mapping[str, str] = attrs.field(factory=dict)
    create_only: frozenset[str] | None = None
    # The update route merges ``data`` into the stored dict instead of
    # replacing it: only changed keys are sent, removed ones as null.
    data_merges: bool = False
    # A route that replaces ``data`` whole, used when keys are removed.
    data_replace: str | None = None
    # Create routes chosen by the first field set among the keys, before ``create``.
    create_by: Mapping[str, CreateRoute] = attrs.field(factory=dict)
    # Fields every update sends, changed or not: the update route resets them to its
    # defaults when they are left out.
    update_always: frozenset[str] = frozenset()
    # The update route answers the row before the server saves it again (a comment's
    # mentions): the object is read again after the commit's writes.
    update_rereads: bool = False


def _crud(collection: str, **kwargs: Any) -> Routes:
    base = f"data/{collection}"
    kwargs.setdefault("create", base)
    return Routes(
        list=base,
        one=f"{base}/{{id}}",
        update=f"{base}/{{id}}",
        delete=f"{base}/{{id}}",
        generic=base,
        **kwargs,
    )


def _per_project(collection: str) -> Routes:
    """Read anywhere, written through the project's own routes."""
    scoped = f"data/projects/{{project_id}}/{collection}"
    return attrs.evolve(
        _crud(collection), create=scoped, update=f"{scoped}/{{id}}", delete=f"{scoped}/{{id}}"
    )


def _own(collection: str, **kwargs: Any) -> Routes:
    """The logged-in user's own rows (``data/user/...``): no generic route."""
    base = f"data/user/{collection}"
    return Routes(base, f"{base}/{{id}}", base, f"{base}/{{id}}", f"{base}/{{id}}", **kwargs)


def _entity_rows(collection: str, list_path: str, create: str, **kwargs: Any) -> Routes:
    return Routes(
        list=list_path,
        one=f"data/{collection}/{{id}}",
        create=create,
        update="data/entities/{id}",
        delete=f"data/{collection}/{{id}}",
        generic="data/entities",
        delete_params={"force": "true"},
        data_merges=True,
        **kwargs,
    )


# What output files hang on: an entity, or an asset instance seen in a shot or scene
# (its "temporal entity"). Each takes the suffixes output-types, output-file-path,
# output-files/new, output-files/next-revision and output-files/last-revisions.
FILE_TARGETS: dict[str, str] = {
    "entity": "data/entities/{entity_id}",
    "instance": "data/asset-instances/{asset_instance_id}/entities/{temporal_entity_id}",
}
# The routes under a file target, by verb.
FILE_ACTIONS: dict[str, str] = {
    "output_types": "output-types",
    "output_files": "output-files",
    "new_output_file": "output-files/new",
    "next_revision": "output-files/next-revision",
    "last_revisions": "output-files/last-revisions",
    "output_file_path": "output-file-path",
}


def file_route(target: str, action: str) -> str:
    """The template of an output-file verb (:data:`FILE_ACTIONS`) on a kind of
    target (:data:`FILE_TARGETS`: ``"entity"`` or ``"instance"``)."""
    return f"{FILE_TARGETS[target]}/{FILE_ACTIONS[action]}"


_OUTPUT_FILE_FIELDS = (
    "name",
    "comment",
    "output_type_id",
    "task_type_id",
    "person_id",
    "file_status_id",
    "revision",
    "representation",
    "nb_elements",
    "extension",
)

# Routes that are verbs rather than rows: time spent, file paths, last revisions.
ACTIONS: dict[str, str] = {
    "time_spents": "actions/tasks/{task_id}/time-spents",
    "time_spents_on": "actions/tasks/{task_id}/time-spents/{date}",
    "set_time_spent": "actions/tasks/{task_id}/time-spents/{date}/persons/{person_id}",
    "add_time_spent": "actions/tasks/{task_id}/time-spents/{date}/persons/{person_id}/add",
    "last_working_files": "data/tasks/{task_id}/working-files/last-revisions",
    "working_file_path": "data/tasks/{task_id}/working-file-path",
    "create_tasks": "actions/projects/{project_id}/task-types/{task_type_id}/{collection}/create-tasks",
    "assign": "actions/persons/{person_id}/assign",
    "casting": "data/projects/{project_id}/entities/{entity_id}/casting",
    "batch_comment": "actions/tasks/batch-comment",
    "clear_assignation": "actions/tasks/clear-assignation",
    "invite_person": "actions/persons/{person_id}/invite",
    "change_password": "actions/persons/{person_id}/change-password",
    "mark_all_notifications_read": "actions/user/notifications/mark-all-as-read",
    "reply": "data/tasks/{task_id}/comments/{comment_id}/reply",
    "delete_reply": "data/tasks/{task_id}/comments/{comment_id}/reply/{reply_id}",
    "attach": "actions/tasks/{task_id}/comments/{comment_id}/add-attachment",
    "remove_attachment": "data/tasks/{task_id}/comments/{comment_id}/attachments/{attachment_file_id}",
    "attachment_file": "data/attachment-files/{attachment_file_id}/file/{file_name}",
}

# Publishing and reading previews: the record added to a comment, its file, the
# entity's main preview, and the files the server makes of it, by variant.
PREVIEWS: dict[str, str] = {
    "add_preview": "actions/tasks/{task_id}/comments/{comment_id}/add-preview",
    "upload": "pictures/preview-files/{preview_file_id}",
    "set_main_preview": "actions/preview-files/{preview_file_id}/set-main-preview",
    "comment": "data/comments/{comment_id}",
}
PREVIEW_DOWNLOADS: dict[str, str] = {
    "picture:original": "pictures/originals/preview-files/{preview_file_id}/download",
    "movie:original": "movies/originals/preview-files/{preview_file_id}/download",
    "movie:low": "movies/low/preview-files/{preview_file_id}.mp4",
    "movie:source": "movies/source/preview-files/{preview_file_id}.mp4",
    "thumbnail": "pictures/thumbnails/preview-files/{preview_file_id}.png",
    "thumbnail_square": "pictures/thumbnails-square/preview-files/{preview_file_id}.png",
}

# The file paths gazu 1.3.1 names for a preview (its ``get_preview_file_url`` and
# ``get_preview_movie_url``): the original under its own extension, the low movie.
PREVIEW_URLS: dict[str, str] = {
    "picture": "pictures/originals/preview-files/{preview_file_id}.{extension}",
    "movie": "movies/originals/preview-files/{preview_file_id}.{extension}",
    "movie:low": PREVIEW_DOWNLOADS["movie:low"],
    "cover": "pictures/originals/preview-files/{preview_file_id}.png",
    "running": "data/playlists/preview-files/running",
}

# A playlist's files: the zip the server builds of its entries' previews.
PLAYLISTS: dict[str, str] = {
    "zip": "data/playlists/{playlist_id}/download/zip",
    "of_project": "data/projects/{project_id}/playlists",
    "of_episode": "data/projects/{project_id}/episodes/{episode_id}/playlists",
    "entity_previews": "data/playlists/entities/{entity_id}/preview-files",
    "add_entity": "actions/playlists/{playlist_id}/add-entity",
}

# Lists that are no one type's own route: the rows of every kind of entity, the
# event log, one task's comments, and parents answered with their tasks.
LISTS: dict[str, str] = {
    "entities": "data/entities",
    "events": "data/events/last",
    "task_comments": "data/tasks/{task_id}/comments",
    "shots_with_tasks": "data/shots/with-tasks",
    "assets_with_tasks": "data/assets/with-tasks",
    "episodes_with_tasks": "data/episodes/with-tasks",
    "sequences_with_tasks": "data/sequences/with-tasks",
    "scenes_with_tasks": "data/scenes/with-tasks",
    "edits_with_tasks": "data/edits/with-tasks",
    "concepts_with_tasks": "data/concepts/with-tasks",
}

# Zou's live events: a socket.io server apart from the API, which a Kitsu host serves
# at its root (its proxy sends ``/socket.io`` to the event stream); one namespace.
EVENTS_SOCKET_PATH = "socket.io"
EVENTS_NAMESPACE = "/events"

# The current user's view: only what they have tasks in (``/data/user/...``).
USER_ROUTES: dict[str, str] = {
    "open_projects": "data/user/projects/open",
    "asset_types": "data/user/projects/{project_id}/asset-types",
    "assets": "data/user/projects/{project_id}/asset-types/{asset_type_id}/assets",
    "sequences": "data/user/projects/{project_id}/sequences",
    "episodes": "data/user/projects/{project_id}/episodes",
    "tasks_to_do": "data/user/tasks",
    "done_tasks": "data/user/done-tasks",
    "tasks_to_check": "data/user/tasks-to-check",
    "shots": "data/user/sequences/{sequence_id}/shots",
    "scenes": "data/user/sequences/{sequence_id}/scenes",
    "tasks": "data/user/{collection}/{entity_id}/tasks",
    "task_types": "data/user/{collection}/{entity_id}/task-types",
}

ROUTES: dict[str, Routes] = {
    "Project": _crud("projects", delete_params={"force": "true"}),
    "ProjectStatus": _crud("project-status"),
    "Person": _crud("persons", list_params={"relations": "true"}),
    "Department": _crud("departments"),
    # Written through their project's routes, which its managers may use (the
    # generic ones are the admin's).
    "MetadataDescriptor": attrs.evolve(
        _per_project("metadata-descriptors"),
        update_always=frozenset({"for_client", "data_type", "choices", "departments"}),
    ),
    "StatusAutomation": _crud("status-automations"),
    "Budget": _per_project("budgets"),
    "DayOff": _crud("day-offs"),
    "Milestone": _crud("milestones"),
    # The logged-in user's own (notifications: only ``read`` is written; Zou subscribes
    # whoever asks).
    "Notification": attrs.evolve(_own("notifications"), create=None, delete=None),
    "SearchFilter": attrs.evolve(
        _own("filters", create_fields={"search_query": "query"}), one="data/search-filters/{id}"
    ),
    "SearchFilterGroup": _own("filter-groups"),
    "Subscription": Routes(
        list="data/subscriptions",
        one="data/subscriptions/{id}",
        create="actions/user/tasks/{task_id}/subscribe",
        delete="actions/user/tasks/{task_id}/unsubscribe",
        create_only=frozenset({"task_id"}),
    ),
    # One per studio: made when Zou is set up, never by a client.
    "Organisation": attrs.evolve(_crud("organisations"), create=None, delete=None),
    "EntityType": _crud("entity-types"),
    "AssetType": attrs.evolve(
        _crud("entity-types"), list="data/asset-types", one="data/asset-types/{id}"
    ),
    "Episode": _entity_rows(
        "episodes",
        "data/episodes",
        "data/projects/{project_id}/episodes",
        create_only=frozenset({"name", "description", "data"}),
    ),
    "Sequence": _entity_rows(
        "sequences",
        "data/sequences",
        "data/projects/{project_id}/sequences",
        create_fields={"parent_id": "episode_id"},
        create_only=frozenset({"name", "parent_id", "description", "data"}),
    ),
    "Shot": _entity_rows(
        "shots",
        "data/shots/all",
        "data/projects/{project_id}/shots",
        create_fields={"parent_id": "sequence_id"},
        create_only=frozenset({"name", "parent_id", "description", "data", "nb_frames"}),
        data_replace="data/shots/{id}",
    ),
    "Scene": _entity_rows(
        "scenes",
        "data/scenes/all",
        "data/projects/{project_id}/scenes",
        create_fields={"parent_id": "sequence_id"},
        create_only=frozenset({"name", "parent_id"}),
    ),
    "Edit": _entity_rows(
        "edits",
        "data/edits",
        "data/projects/{project_id}/edits",
        create_fields={"parent_id": "episode_id"},
        create_only=frozenset({"name", "parent_id", "description", "data"}),
    ),
    "Concept": _entity_rows(
        "concepts",
        "data/concepts",
        "data/projects/{project_id}/concepts",
        create_only=frozenset({"name", "description", "data"}),
    ),
    "Asset": attrs.evolve(
        _entity_rows(
            "assets",
            "data/assets/all",
            "data/projects/{project_id}/asset-types/{entity_type_id}/assets/new",
            create_fields={"source_id": "episode_id"},
            create_only=frozenset({"name", "description", "data", "is_shared", "source_id"}),
        ),
        one="data/entities/{id}",
    ),  # data/assets/{id} answers episode_id, not source_id
    "AssetInstance": _crud(
        "asset-instances",
        # Zou numbers and names an instance itself on these routes.
        create_by={
            "target_asset_id": CreateRoute(
                "data/assets/{target_asset_id}/asset-asset-instances",
                {"asset_id": "asset_to_instantiate_id", "description": "description"},
            ),
            "scene_id": CreateRoute(
                "data/scenes/{scene_id}/asset-instances",
                {"asset_id": "asset_id", "description": "description"},
            ),
        },
    ),
    "TaskType": _crud("task-types"),
    "TaskStatus": _crud("task-status"),
    "Task": _crud(
        "tasks",
        list_params={"relations": "true"},
        delete_params={"force": "true"},
        data_merges=True,
    ),
    "Comment": _crud(
        "comments",
        list_params={"relations": "true"},
        create="actions/tasks/{object_id}/comment",
        create_fields={"text": "comment"},
        create_only=frozenset({"text", "task_status_id", "person_id", "checklist"}),
        update_rereads=True,
    ),
    "TimeSpent": _crud("time-spents"),
    # Made by adding it to a comment (PREVIEWS["add_preview"]), never through the table.
    # Made with its comment, or by comment.attach (ACTIONS["attach"]).
    "AttachmentFile": attrs.evolve(_crud("attachment-files"), create=None),
    "PreviewFile": attrs.evolve(
        _crud("preview-files", list_params={"relations": "true"}), create=None
    ),
    # ``shots`` (Playlist.entry_rows) is the whole ordered list of entries, for assets too.
    "Playlist": _crud("playlists"),
    "PlaylistShareLink": Routes(  # none by id (read_routes.ONE_ROLES): listed per playlist
        list="data/playlists/{playlist_id}/share",
        one="data/playlists/{playlist_id}/share",
        create="data/playlists/{playlist_id}/share",
        delete="data/playlists/{playlist_id}/share/{token}",
        create_only=frozenset({"expiration_date", "can_comment"}),
    ),
    "Software": _crud("softwares"),
    "OutputType": _crud("output-types"),
    "FileStatus": _crud("file-status"),
    "WorkingFile": _crud(
        "working-files",
        # Zou builds the path from the project's file tree, and numbers a revision of 0;
        # a file given its own path (an import) goes through the generic route.
        create_by={
            "task_id": CreateRoute(
                "data/tasks/{task_id}/working-files/new",
                {k: k for k in ("name", "comment", "person_id", "software_id", "revision")},
                unless=frozenset({"path"}),
            )
        },
    ),
    "OutputFile": _crud(
        "output-files",
        create_by={
            key: CreateRoute(
                file_route(target, "new_output_file"),
                {
                    **{k: k for k in _OUTPUT_FILE_FIELDS},
                    "source_file_id": "working_file_id",
                },
                unless=frozenset({"path"}),
            )
            for key, target in (("asset_instance_id", "instance"), ("entity_id", "entity"))
        },
    ),
}


def routes_for(type_name: str) -> Routes:
    """The routes of an entity type, by Zou's type name."""
    return ROUTES[type_name]
