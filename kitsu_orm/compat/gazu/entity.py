"""gazu's ``entity`` module: any row of Zou's entities table, whatever its type."""

from __future__ import annotations

from .declare import finish, route
from .entity_rows import first, forced
from .rows import link_ids, model_id, sort_by_name, text_answer

__all__ = [
    "all_entities",
    "all_entities_with_tasks_linked_to_entity",
    "all_entity_types",
    "get_entity",
    "get_entity_by_name",
    "get_entity_type",
    "get_entity_type_by_name",
    "guess_from_path",
    "new_entity_type",
    "remove_entities",
    "remove_entity",
    "remove_entity_type",
]

# One request each: gazu's signature, the route, how the answer is shaped.
all_entities = route("GET data/entities", "client=default")
all_entity_types = route("GET data/entity-types", "client=default", answer=sort_by_name)
get_entity = route("GET data/entities/{entity_id}", "entity_id, client=default")
get_entity_by_name = route(
    "GET data/entities",
    "entity_name, project=None, client=default",
    query=lambda a: {
        "name": a.entity_name,
        **({} if a.project is None else {"project_id": model_id(a.project, "project")}),
    },
    answer=first,
)
get_entity_type = route("GET data/entity-types/{entity_type_id}", "entity_type_id, client=default")
get_entity_type_by_name = route(
    "GET data/entity-types",
    "entity_type_name, client=default",
    query=lambda a: {"name": a.entity_type_name},
    answer=first,
)
guess_from_path = route(
    "POST data/entities/guess_from_path",
    "project_id, path, sep='/', client=default",
    body=lambda a: {
        "project_id": model_id(a.project_id, "project_id"),
        "file_path": a.path,
        "sep": a.sep,
    },
)
new_entity_type = route(
    "POST data/entity-types", "name, client=default", body=lambda a: {"name": a.name}
)
remove_entity_type = route(
    "DELETE data/entity-types/{entity_type}", "entity_type, client=default", answer=text_answer
)
remove_entity = route(
    "DELETE data/entities/{entity}",
    "entity, force=False, client=default",
    query=lambda a: forced(a.force),
    answer=text_answer,
)
remove_entities = route(
    "POST actions/projects/{project}/delete-entities",
    "project, entities, force=False, client=default",
    query=lambda a: forced(a.force),
    body=lambda a: link_ids(a.entities),
)
all_entities_with_tasks_linked_to_entity = route(
    "GET data/entities/{entity}/entities-linked/with-tasks", "entity, client=default"
)

finish(globals())
