"""Where each entity type lives on the server: declarative data.

Path templates take the object's wire fields (``{project_id}``, ``{id}``).
Only this module knows Zou's URLs for entities; adding a type is one class
in model/ and one entry here.

Reads depend on the user's role: Zou lets only admins filter its generic
tables freely; other roles read through per-project and per-parent routes.
:data:`READS` declares, per type, the list routes and the roles each serves;
:func:`read_plan` is the one place that picks one for a role and a filter
(see the role/route matrix in docs/guide.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from .errors import PermissionDenied
from .urls import fill

__all__ = [
    "ACTIONS",
    "CASTING",
    "EVERYONE",
    "READS",
    "ReadPlan",
    "ReadRoute",
    "Request",
    "encode_values",
    "read_plan",
    "role_name",
    "CreateRoute",
    "FILE_ACTIONS",
    "FILE_TARGETS",
    "LISTS",
    "file_route",
    "LINKS",
    "LinkRoutes",
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
class LinkRoutes:
    """A many-to-many link the API shows per object only (``shot.asset_instances``).

    ``list`` answers the linked rows (possibly grouped in a dict of lists);
    ``add`` takes ``{add_key: target id}``; ``remove`` takes ``{target}``.
    """

    list: str
    add: str
    add_key: str
    remove: str


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
}

# Lists that are no one type's own route: the rows of every kind of entity, the
# event log, one task's comments, and parents answered with their tasks.
LISTS: dict[str, str] = {
    "entities": "data/entities",
    "events": "data/events/last",
    "task_comments": "data/tasks/{task_id}/comments",
    "shots_with_tasks": "data/shots/with-tasks",
    "assets_with_tasks": "data/assets/with-tasks",
}

# The current user's view: only what they have tasks in (``/data/user/...``).
USER_ROUTES: dict[str, str] = {
    "open_projects": "data/user/projects/open",
    "asset_types": "data/user/projects/{project_id}/asset-types",
    "assets": "data/user/projects/{project_id}/asset-types/{asset_type_id}/assets",
    "sequences": "data/user/projects/{project_id}/sequences",
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
        create="actions/tasks/{object_id}/comment",
        create_fields={"text": "comment"},
        create_only=frozenset({"text", "task_status_id", "person_id", "checklist"}),
    ),
    "TimeSpent": _crud("time-spents"),
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


LINKS: dict[tuple[str, str], LinkRoutes] = {
    ("Shot", "asset_instances"): LinkRoutes(
        list="data/shots/{id}/asset-instances",
        add="data/shots/{id}/asset-instances",
        add_key="asset_instance_id",
        remove="data/shots/{id}/asset-instances/{target}",
    ),
}


def routes_for(type_name: str) -> Routes:
    """The routes of an entity type, by Zou's type name."""
    return ROUTES[type_name]


# -- reads by role ------------------------------------------------------------------------

# Zou's roles; "user" is an artist.
EVERYONE: frozenset[str] = frozenset({"admin", "manager", "supervisor", "user", "client", "vendor"})
_ADMIN = frozenset({"admin"})


def _all_but(*roles: str) -> frozenset[str]:
    return EVERYONE - frozenset(roles)


@attrs.frozen
class ReadRoute:
    """One way to list the rows of a type, for the roles in ``roles``.

    ``{names}`` in ``path`` take one value each: a batch of parents costs one
    request per value (``data/tasks/{object_id}/comments``). ``needs`` names the
    values the route cannot answer without (from the filters, else from the
    context: the project of the objects a relationship loads for), sent as
    query parameters; ``scalar`` the ones Zou takes one value at a time from
    these roles (a JSON list there answers 404). ``takes`` is the filters it
    applies itself (None: every column); the rest are applied to the rows here.
    """

    path: str
    roles: frozenset[str] = EVERYONE
    needs: frozenset[str] = frozenset()
    scalar: frozenset[str] = frozenset()
    takes: frozenset[str] | None = None
    params: Mapping[str, str] = attrs.field(factory=dict)


def _generic(path: str, roles: frozenset[str] = EVERYONE, **params: str) -> ReadRoute:
    return ReadRoute(path, roles, params=params)


def _scoped(path: str, roles: frozenset[str] = EVERYONE) -> ReadRoute:
    """An entity list route: Zou checks the project (one id, never a list) for non-admins."""
    scope = frozenset({"project_id"})
    return ReadRoute(path, roles, needs=scope, scalar=scope)


def _per(path: str, roles: frozenset[str] = EVERYONE) -> ReadRoute:
    return ReadRoute(path, roles, takes=frozenset())


# The list routes of each type, tried in order; a type not listed reads its
# ``Routes.list`` with every filter, for every role (tasks, persons, projects and
# the reference tables: Zou narrows them to the user's projects itself).
# Measured on zou 1.0.97 as each role (docs/guide.md, "Roles").
READS: dict[str, tuple[ReadRoute, ...]] = {
    "Episode": (_generic("data/episodes", _ADMIN), _scoped("data/episodes")),
    "Sequence": (
        _generic("data/sequences", _ADMIN),
        _scoped("data/sequences"),
        _per("data/episodes/{parent_id}/sequences"),
    ),
    "Shot": (
        _generic("data/shots/all", _ADMIN),
        _scoped("data/shots/all"),
        _per("data/sequences/{parent_id}/shots"),
    ),
    "Scene": (
        _generic("data/scenes/all", _ADMIN),
        _scoped("data/scenes/all", _all_but("vendor")),
        _per("data/sequences/{parent_id}/scenes", _all_but("vendor")),
    ),
    "Asset": (
        _generic("data/assets/all", _ADMIN),
        ReadRoute("data/assets/all", scalar=frozenset({"project_id"})),
    ),
    "Comment": (
        _generic("data/comments", _ADMIN),
        _per("data/projects/{project_id}/comments", _all_but("client", "vendor")),
        _per("data/tasks/{object_id}/comments"),
    ),
    "TimeSpent": (
        _generic("data/time-spents", _ADMIN),
        _per("data/projects/{project_id}/time-spents", _all_but("client")),
        _per("actions/tasks/{task_id}/time-spents"),
    ),
    "WorkingFile": (
        _generic("data/working-files", _all_but("vendor")),
        _per("data/tasks/{task_id}/working-files"),
    ),
    "OutputFile": (
        _generic("data/output-files", _all_but("vendor")),
        _per("data/entities/{entity_id}/output-files"),
    ),
    "AssetInstance": (
        _generic("data/asset-instances", _ADMIN),
        _per("data/assets/{target_asset_id}/asset-asset-instances"),
        _per("data/scenes/{scene_id}/asset-instances", _all_but("vendor")),
        _per("data/asset-instances/{id}", _all_but("vendor")),
    ),
}

# A shot's casting: a whole project's at once, or (for a vendor) one shot's assets.
CASTING: tuple[ReadRoute, ...] = (
    _per("data/projects/{project_id}/sequences/all/casting", _all_but("vendor")),
    _per("data/shots/{id}/assets"),
)

# The routes of one object that a role cannot read (a missing one is everyone's).
ONE_ROLES: dict[str, frozenset[str]] = {"TimeSpent": _ADMIN}

# Query options the generic routes take besides filters.
_OPTIONS = frozenset({"relations", "fields", "page", "limit", "compact"})

Values = str | Sequence[str]


@attrs.frozen
class Request:
    """One GET of a read plan."""

    path: str
    params: Mapping[str, str]
    # The one value of each split key this request answers for.
    values: Mapping[str, str] = attrs.field(factory=dict)


@attrs.frozen
class ReadPlan:
    """The requests that answer a read, and the filters to apply to their rows here."""

    route: ReadRoute
    requests: tuple[Request, ...]
    local: Mapping[str, frozenset[str]]


def read_plan(
    type_name: str,
    role: str,
    filters: Mapping[str, Values],
    context: Mapping[str, Values] | None = None,
    *,
    routes: Sequence[ReadRoute] | None = None,
    names: Mapping[str, str] | None = None,
) -> ReadPlan:
    """How ``role`` lists ``type_name`` rows matching ``filters`` (wire names; a
    value or a list of values; options such as ``fields`` pass through to the
    generic routes). ``context`` holds values the rows share without being
    filtered on (the project of the tasks whose comments load). Raises
    :class:`PermissionDenied`, before any request, when no route serves this
    role and filter; ``names`` gives the user's words for wire keys in its message
    (and keeps the hint to them)."""
    context = context or {}
    candidates = routes if routes is not None else _reads(type_name)
    role = role if role in EVERYONE else "user"  # an unknown role reads as an artist
    for route in candidates:
        if role in route.roles:
            plan = _plan(route, filters, context)
            if plan is not None:
                return plan
    raise PermissionDenied(
        _refusal(type_name, role, filters, [r for r in candidates if role in r.roles], names or {})
    )


def _reads(type_name: str) -> tuple[ReadRoute, ...]:
    found = READS.get(type_name)
    if found is not None:
        return found
    routes = ROUTES[type_name]
    return (ReadRoute(routes.list, params=routes.list_params),)


def _plan(
    route: ReadRoute, filters: Mapping[str, Values], context: Mapping[str, Values]
) -> ReadPlan | None:
    in_path = frozenset(_placeholders(route.path))

    def values(key: str) -> list[str] | None:
        value = filters.get(key, context.get(key))
        if value is None:
            return None
        return [value] if isinstance(value, str) else [str(v) for v in value]

    split: dict[str, list[str]] = {}
    for key in in_path | route.needs:
        found = values(key)
        if not found:
            return None
        if key in in_path or key in route.scalar:
            split[key] = sorted(set(found))
    query: dict[str, str] = dict(route.params)
    local: dict[str, frozenset[str]] = {}
    for key, value in filters.items():
        if key in _OPTIONS:
            if route.takes is None:
                query[key] = str(value)
            continue
        if key in split:
            continue  # one request per value
        taken = route.takes is None or key in route.takes
        many = [value] if isinstance(value, str) else list(value)
        if taken and not (key == "name" and len(many) > 1):
            query[key] = encode_values(many)
        else:
            local[key] = frozenset(str(v) for v in many)
    requests: list[Request] = []
    for combo in _combinations(split):
        path_values = {k: v for k, v in combo.items() if k in in_path}
        params = {**query, **{k: v for k, v in combo.items() if k not in in_path}}
        requests.append(Request(fill(route.path, **path_values), params, combo))
    return ReadPlan(route, tuple(requests), local)


def encode_values(values: Sequence[str]) -> str:
    """Values of an IN filter as Zou takes them: one as itself, several as a JSON list."""
    # One value goes as itself: Zou reads a one-item JSON list as a list only on
    # some routes, and answers 404 on others.
    import json

    if len(values) == 1:
        return str(values[0])
    return json.dumps(list(values), separators=(",", ":"))


def _placeholders(path: str) -> list[str]:
    import string

    return [name for _, name, _, _ in string.Formatter().parse(path) if name]


def _combinations(split: Mapping[str, list[str]]) -> list[dict[str, str]]:
    combos: list[dict[str, str]] = [{}]
    for key, options in split.items():
        combos = [{**c, key: v} for c in combos for v in options]
    return combos


_ROLE_NAMES = {
    "admin": "an admin",
    "manager": "a manager",
    "supervisor": "a supervisor",
    "user": "an artist",
    "client": "a client",
    "vendor": "a vendor",
}


def role_name(role: str) -> str:
    """``an artist (role 'user')``: how messages name a role."""
    return f"{_ROLE_NAMES.get(role, 'a user')} (role {role!r})"


def _refusal(
    type_name: str,
    role: str,
    filters: Mapping[str, Values],
    usable: Sequence[ReadRoute],
    names: Mapping[str, str],
) -> str:
    def name(key: str) -> str:
        return names.get(key, key.removesuffix("_id"))

    shown = [name(k) for k in filters if k not in _OPTIONS]
    by = f"by {' and '.join(shown)} alone" if shown else "without a filter"
    ways = sorted(
        {
            name(k)
            for r in usable
            for k in (*r.needs, *_placeholders(r.path))
            if k not in filters and (not names or k in names)
        }
    )
    hint = f"add {' or '.join(f'{w}=...' for w in ways)}" if ways else "no route serves it"
    return f"{role_name(role)} cannot list {type_name} {by}: {hint}"
