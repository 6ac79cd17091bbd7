"""The routes each role lists a type through, and the plan of a read: declarative data.

Reads depend on the user's role: Zou lets only admins filter its generic
tables freely; other roles read through per-project and per-parent routes.
:data:`READS` declares, per type, the list routes and the roles each serves;
:func:`read_plan` is the one place that picks one for a role and a filter
(see the role/route matrix in docs/guide.md). A type :data:`READS` does not
list reads its :class:`~kitsu_orm.routes.Routes` list route, for every role.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import attrs

from .errors import PermissionDenied
from .routes import ROUTES
from .urls import fill

__all__ = [
    "CASTING",
    "EVERYONE",
    "ONE_ROLES",
    "READS",
    "ReadPlan",
    "ReadRoute",
    "Request",
    "Values",
    "encode_values",
    "read_plan",
    "role_name",
]

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
        # With its relations: the ids of its attached files (comment.attachments).
        _generic("data/comments", _ADMIN, relations="true"),
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
    "DayOff": (_generic("data/day-offs", _ADMIN), _per("data/persons/{person_id}/day-offs")),
    # Zou's generic routes of these are the admin's: the others read them by project
    # (descriptors: anyone on it; budgets: its managers).
    "MetadataDescriptor": (
        _generic("data/metadata-descriptors", _ADMIN),
        _per("data/projects/{project_id}/metadata-descriptors"),
    ),
    "Budget": (
        _generic("data/budgets", _ADMIN),
        _per("data/projects/{project_id}/budgets", frozenset({"manager"})),
    ),
    "Milestone": (
        _generic("data/milestones", _ADMIN),
        _per("data/projects/{project_id}/milestones", _all_but("vendor")),
    ),
    # The user's own lists: Zou filters none of them, the rows are filtered here.
    "Notification": (_per("data/user/notifications"),),
    "SearchFilter": (_per("data/user/filters"),),
    "SearchFilterGroup": (_per("data/user/filter-groups"),),
    "Subscription": (
        _generic("data/subscriptions", _ADMIN),
        _per("data/projects/{project_id}/subscriptions", _ADMIN),
    ),
    # Anyone with access to the comment's task reads one by id (comment.attachments).
    "AttachmentFile": (
        _generic("data/attachment-files", _ADMIN),
        _per("data/attachment-files/{id}"),
    ),
    # Zou narrows the table to the user's projects (a client's to the shared ones).
    "Playlist": (_generic("data/playlists", _all_but("vendor")),),
    "PlaylistShareLink": (
        _per("data/playlists/{playlist_id}/share", frozenset({"admin", "manager"})),
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
ONE_ROLES: dict[str, frozenset[str]] = {
    "TimeSpent": _ADMIN,
    "SearchFilter": _ADMIN,
    "Subscription": _ADMIN,
    "PlaylistShareLink": frozenset(),  # no route reads one by id
}

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
