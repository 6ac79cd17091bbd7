"""gazu's ``project`` module: the productions, their team, settings, metadata
descriptors, status automations, quotas, milestones and budgets."""

from __future__ import annotations

from typing import Any

from ...errors import ValidationError
from . import client as raw
from .declare import Arguments, finish, gazu_function, route
from .hosts import get_api_url_from_host
from .kitsu_client import KitsuClient, default_client
from .memo import read
from .rows import Model, model_id, sort_by_name

__all__ = [
    "add_asset_type",
    "add_metadata_descriptor",
    "add_person_to_team",
    "add_preview_background_file",
    "add_status_automation",
    "add_task_status",
    "add_task_type",
    "all_metadata_descriptors",
    "all_open_projects",
    "all_project_status",
    "all_projects",
    "all_status_automations",
    "close_project",
    "create_budget",
    "create_budget_entry",
    "get_budget",
    "get_budget_entries",
    "get_budget_entry",
    "get_budgets",
    "get_metadata_descriptor",
    "get_metadata_descriptor_by_field_name",
    "get_milestones",
    "get_preview_background_files",
    "get_project",
    "get_project_by_name",
    "get_project_person_quotas",
    "get_project_quotas",
    "get_project_status_by_name",
    "get_project_task_statuses",
    "get_project_task_types",
    "get_project_url",
    "get_team",
    "new_project",
    "remove_budget",
    "remove_budget_entry",
    "remove_metadata_descriptor",
    "remove_person_from_team",
    "remove_preview_background_file",
    "remove_project",
    "remove_status_automation",
    "remove_task_status",
    "remove_task_type",
    "reorder_metadata_descriptors",
    "update_budget",
    "update_budget_entry",
    "update_metadata_descriptor",
    "update_project",
    "update_project_data",
    "update_team_member_role",
]

P = "data/projects/{project}"
SETTINGS = P + "/settings"
BUDGET = P + "/budgets/{budget}"
# The links of a project gazu sends as lists of ids.
_LINKS = ("team", "asset_types", "task_statuses", "task_types")


def _ids(models: Any) -> list[str]:
    """gazu's list of links: ids of dicts or ids (one model alone is a list of one)."""
    if models is None:
        return []
    return [model_id(m, "link") for m in (models if isinstance(models, list) else [models])]


def _given(a: Arguments, *names: str) -> dict[str, Any]:
    """The named arguments that are not None (gazu sends only those)."""
    return {n: getattr(a, n) for n in names if getattr(a, n) is not None}


def _first(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    return rows[0] if rows else None


# -- projects ----------------------------------------------------------------------------

all_project_status = route("GET data/project-status", "client=default", answer=sort_by_name)
get_project_status_by_name = route(
    "GET data/project-status",
    "project_status_name, client=default",
    query=lambda a: {"name": a.project_status_name},
    answer=_first,
)
all_projects = route("GET data/projects", "client=default", answer=sort_by_name)
all_open_projects = route("GET data/projects/open", "client=default", answer=sort_by_name)
get_project = route("GET data/projects/{project_id}", "project_id, client=default")
get_project_by_name = route(
    "GET data/projects",
    "project_name, client=default",
    query=lambda a: {"name": a.project_name},
    answer=_first,
)
remove_project = route(
    "DELETE " + P,
    "project, force=False, client=default",
    query=lambda a: {"force": "true"} if a.force else None,
)


@gazu_function(cached=True)
def get_project_url(
    project: Model, section: str = "assets", client: KitsuClient = default_client
) -> str:
    """The web page of a project's section in Kitsu (``.../productions/<id>/assets/``)."""
    return f"{get_api_url_from_host(client)}/productions/{model_id(project, 'project')}/{section}/"


@gazu_function
def new_project(
    name: str,
    production_type: str = "short",
    team: list[Model] | None = None,
    asset_types: list[Model] | None = None,
    task_statuses: list[Model] | None = None,
    task_types: list[Model] | None = None,
    production_style: str = "2d3d",
    project_template: Model | None = None,
    client: KitsuClient = default_client,
) -> dict[str, Any]:
    """The project of this name (the server's match), created (open) when there is
    none, with its links and, if given, the settings of a project template."""
    found: dict[str, Any] | None = get_project_by_name(name)
    if found is not None:
        return found
    data: dict[str, Any] = {
        "name": name,
        "production_type": production_type,
        "team": _ids(team),
        "asset_types": _ids(asset_types),
        "task_statuses": _ids(task_statuses),
        "task_types": _ids(task_types),
        "production_style": production_style,
    }
    if project_template is not None:
        data["project_template_id"] = model_id(project_template, "project_template")
    row: dict[str, Any] = raw.post("data/projects", data)
    return row


@gazu_function
def update_project(project: dict[str, Any], client: KitsuClient = default_client) -> dict[str, Any]:
    """Save a project dict (its links as lists of ids; ``data`` replaced whole)."""
    if not isinstance(project, dict):
        raise ValidationError(f"update_project takes a project dict, not {project!r}")
    body = {k: _ids(v) if k in _LINKS else v for k, v in project.items()}
    row: dict[str, Any] = raw.put(f"data/projects/{model_id(project, 'project')}", body)
    return row


@gazu_function
def update_project_data(
    project: Model, data: dict[str, Any] | None = None, client: KitsuClient = default_client
) -> dict[str, Any]:
    """Merge ``data`` into the project's custom data, as the server has it now."""
    project_id = model_id(project, "project")
    get_project.clear_cache()
    current = read(f"data/projects/{project_id}").get("data") or {}
    result = update_project({"id": project_id, "data": {**current, **(data or {})}})
    get_project.clear_cache()
    return result


@gazu_function
def close_project(project: Model, client: KitsuClient = default_client) -> dict[str, Any]:
    """Give the project the "Closed" status; answers the project given, with its new
    ``project_status_id`` (as gazu does)."""
    row = dict(project) if isinstance(project, dict) else {"id": model_id(project, "project")}
    closed = next((s for s in all_project_status() if s["name"].lower() == "closed"), None)
    if closed is None:
        raise ValidationError("close_project: the server has no Closed project status")
    row["project_status_id"] = closed["id"]
    update_project({"id": model_id(row, "project"), "project_status_id": closed["id"]})
    return row


# -- settings: asset types, task types and statuses, automations, backgrounds --------------

add_asset_type = route(
    f"POST {SETTINGS}/asset-types",
    "project, asset_type, client=default",
    body=lambda a: {"asset_type_id": model_id(a.asset_type, "asset_type")},
)
add_task_type = route(
    f"POST {SETTINGS}/task-types",
    "project, task_type, priority, client=default",
    body=lambda a: {"task_type_id": model_id(a.task_type, "task_type"), "priority": a.priority},
)
add_task_status = route(
    f"POST {SETTINGS}/task-status",
    "project, task_status, client=default",
    body=lambda a: {"task_status_id": model_id(a.task_status, "task_status")},
)
remove_task_type = route(
    f"DELETE {SETTINGS}/task-types/{{task_type}}", "project, task_type, client=default"
)
remove_task_status = route(
    f"DELETE {SETTINGS}/task-status/{{task_status}}", "project, task_status, client=default"
)
get_project_task_types = route(f"GET {SETTINGS}/task-types", "project, client=default")
get_project_task_statuses = route(f"GET {SETTINGS}/task-status", "project, client=default")
all_status_automations = route(f"GET {SETTINGS}/status-automations", "project, client=default")
add_status_automation = route(
    f"POST {SETTINGS}/status-automations",
    "project, automation, client=default",
    body=lambda a: {
        **a.automation,
        "status_automation_id": model_id(a.automation.get("status_automation_id"), "automation"),
    },
)
remove_status_automation = route(
    f"DELETE {SETTINGS}/status-automations/{{automation}}", "project, automation, client=default"
)
get_preview_background_files = route(
    f"GET {SETTINGS}/preview-background-files", "project, client=default"
)
add_preview_background_file = route(
    f"POST {SETTINGS}/preview-background-files",
    "project, background_file, client=default",
    body=lambda a: {
        **a.background_file,
        "preview_background_file_id": model_id(
            a.background_file.get("preview_background_file_id"), "background_file"
        ),
    },
)
remove_preview_background_file = route(
    f"DELETE {SETTINGS}/preview-background-files/{{background_file}}",
    "project, background_file, client=default",
)

# -- metadata descriptors ----------------------------------------------------------------

add_metadata_descriptor = route(
    f"POST {P}/metadata-descriptors",
    "project, name, entity_type, data_type='string', choices=None, for_client=False,"
    " departments=None, task_type_id=None, client=default",
    body=lambda a: {
        "name": a.name,
        "data_type": a.data_type,
        "choices": a.choices or [],
        "for_client": a.for_client,
        "entity_type": a.entity_type,
        "departments": _ids(a.departments),
        **({} if a.task_type_id is None else {"task_type_id": model_id(a.task_type_id)}),
    },
)
get_metadata_descriptor = route(
    f"GET {P}/metadata-descriptors/{{metadata_descriptor_id}}",
    "project, metadata_descriptor_id, client=default",
)
get_metadata_descriptor_by_field_name = route(
    "GET data/metadata-descriptors",
    "project, field_name, client=default",
    query=lambda a: {"project_id": model_id(a.project, "project"), "field_name": a.field_name},
    answer=_first,
)
remove_metadata_descriptor = route(
    f"DELETE {P}/metadata-descriptors/{{metadata_descriptor_id}}",
    "project, metadata_descriptor_id, force=False, client=default",
    query=lambda a: {"force": True} if a.force else None,
)
reorder_metadata_descriptors = route(
    f"POST {P}/metadata-descriptors/reorder",
    "project, entity_type, descriptor_ids, client=default",
    body=lambda a: {"entity_type": a.entity_type, "descriptor_ids": _ids(a.descriptor_ids)},
)


@gazu_function
def all_metadata_descriptors(
    project: Model, client: KitsuClient = default_client, *, entity_type: str | None = None
) -> list[dict[str, Any]]:
    """The project's metadata descriptors; those of one ``entity_type`` ("Asset"...) if given."""
    rows: list[dict[str, Any]] = read(
        f"data/projects/{model_id(project, 'project')}/metadata-descriptors"
    )
    return rows if entity_type is None else [r for r in rows if r.get("entity_type") == entity_type]


@gazu_function
def update_metadata_descriptor(
    project: Model, metadata_descriptor: dict[str, Any], client: KitsuClient = default_client
) -> dict[str, Any]:
    """Save a metadata descriptor dict (its departments as a list of ids)."""
    body = dict(metadata_descriptor)
    if "departments" in body:
        body["departments"] = _ids(body["departments"])
    path = (
        f"data/projects/{model_id(project, 'project')}/metadata-descriptors/"
        f"{model_id(metadata_descriptor, 'metadata_descriptor')}"
    )
    row: dict[str, Any] = raw.put(path, body)
    return row


# -- team ------------------------------------------------------------------------------

get_team = route(f"GET {P}/team", "project, client=default")
add_person_to_team = route(
    f"POST {P}/team",
    "project, person, role=None, client=default",
    body=lambda a: {"person_id": model_id(a.person, "person"), **_given(a, "role")},
)
update_team_member_role = route(
    f"PUT {P}/team/{{person}}",
    "project, person, role, client=default",
    body=lambda a: {"role": a.role},
)
remove_person_from_team = route(f"DELETE {P}/team/{{person}}", "project, person, client=default")

# -- schedule: milestones and quotas -----------------------------------------------------

get_milestones = route(f"GET {P}/milestones", "project, client=default")
get_project_quotas = route(f"GET {P}/quotas/{{task_type}}", "project, task_type, client=default")
get_project_person_quotas = route(
    f"GET {P}/quotas/persons/{{person}}", "project, person, client=default"
)

# -- budgets -----------------------------------------------------------------------------

get_budgets = route(f"GET {P}/budgets", "project, client=default")
create_budget = route(
    f"POST {P}/budgets",
    "project, name, description=None, currency=None, start_date=None, end_date=None,"
    " amount=None, client=default",
    body=lambda a: _given(a, "name", "description", "currency", "start_date", "end_date", "amount"),
)
get_budget = route(f"GET {BUDGET}", "project, budget, client=default")
update_budget = route(
    f"PUT {BUDGET}", "project, budget, data, client=default", body=lambda a: a.data
)
remove_budget = route(f"DELETE {BUDGET}", "project, budget, client=default")
get_budget_entries = route(f"GET {BUDGET}/entries", "project, budget, client=default")
create_budget_entry = route(
    f"POST {BUDGET}/entries",
    "project, budget, name, date=None, amount=None, quantity=None, unit_price=None,"
    " description=None, category=None, client=default",
    body=lambda a: _given(
        a, "name", "date", "amount", "quantity", "unit_price", "description", "category"
    ),
)
get_budget_entry = route(
    f"GET {BUDGET}/entries/{{entry}}", "project, budget, entry, client=default"
)
update_budget_entry = route(
    f"PUT {BUDGET}/entries/{{entry}}",
    "project, budget, entry, data, client=default",
    body=lambda a: a.data,
)
remove_budget_entry = route(
    f"DELETE {BUDGET}/entries/{{entry}}", "project, budget, entry, client=default"
)

finish(globals())
