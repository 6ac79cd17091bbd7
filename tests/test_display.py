"""Rich display in Jupyter and discoverable objects: ``_repr_html_`` of entities,
queries and result lists (escaped, never a request), ResultList as a list in
every way, generated docstrings, ``dir()`` for tab completion."""

from __future__ import annotations

import copy
import json
import pickle
import pydoc
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sample_rows import SHOT_ROW
from test_publishing import write_png

import kitsu_orm as kitsu
from kitsu_orm.fake_transport import FakeTransport
from kitsu_orm.model.base import entity
from kitsu_orm.testing import Team
from kitsu_orm.transport import Transport

HOST = "http://kitsu.test/api"


def _id() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def offline() -> Iterator[kitsu.Session]:
    """A session whose transport answers nothing: any request is recorded, and fails the test."""
    fake = FakeTransport(host=HOST)
    yield kitsu.Session(transport=fake)
    assert fake.requests == [], "a display sent a request"


def _shot(session: kitsu.Session, **changes: Any) -> kitsu.Shot:
    row = copy.deepcopy(SHOT_ROW)
    row.update(id=_id(), **changes)
    return session.identity.merge_row(kitsu.Shot, row)


# -- an entity ------------------------------------------------------------------------------


def test_an_entity_card_shows_fields_and_relationships_by_name(offline: kitsu.Session) -> None:
    seq = offline.identity.merge_row(kitsu.Sequence, {"id": SHOT_ROW["parent_id"], "name": "SQ09"})
    shot = _shot(offline)
    card = shot._repr_html_()
    assert "<b>&lt;Shot SH010 (SQ09, 1-48)&gt;</b>" in card
    assert "<th>sequence</th><td>SQ09</td>" in card  # parent_id reads as its relationship
    assert "<th>nb_frames</th><td>48</td>" in card
    assert "<th>description</th><td>first shot</td>" in card
    assert "<th>project</th><td><span" in card and SHOT_ROW["project_id"][:8] in card
    assert SHOT_ROW["parent_id"] not in card  # never a raw id where a name is loaded
    assert seq.name == "SQ09"


def test_an_entity_card_escapes_what_the_server_sent(offline: kitsu.Session) -> None:
    shot = _shot(offline, name="<script>alert(1)</script>", description='"><img src=x>')
    card = shot._repr_html_()
    assert "<script>" not in card and "<img src=x>" not in card
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in card
    table = kitsu.ResultList([shot])._repr_html_()
    assert "<script>" not in table and "&lt;script&gt;" in table


def test_a_card_lists_a_loaded_to_many_relationship_by_name(offline: kitsu.Session) -> None:
    shot = _shot(offline)
    task_type = offline.identity.merge_row(kitsu.TaskType, {"id": _id(), "name": "Layout"})
    task = offline.identity.merge_row(
        kitsu.Task, {"id": _id(), "entity_id": shot.id, "task_type_id": task_type.id}
    )
    kitsu.model.state.instance_state(shot).related_cache()["tasks"] = [task]
    # Its status is not in the row read: a question mark holds its place.
    assert "<th>tasks (1)</th><td>Layout · SH010 · ?</td>" in shot._repr_html_()


# -- result lists ---------------------------------------------------------------------------


def test_a_result_list_is_a_list_in_every_way() -> None:
    items = kitsu.ResultList([3, 1, 2])
    assert isinstance(items, list) and items == [3, 1, 2] and items == [3, 1, 2]
    assert items[1:] == [1, 2] and type(items[1:]) is kitsu.ResultList
    assert items[0] == 3 and items[-1] == 2
    assert items + [4] == [3, 1, 2, 4] and len(items) == 3
    assert sorted(items) == [1, 2, 3] and list(reversed(items)) == [2, 1, 3]
    again = pickle.loads(pickle.dumps(items))
    assert again == items and type(again) is kitsu.ResultList
    assert json.dumps(items) == "[3, 1, 2]" and copy.copy(items) == items
    items.append(4)
    assert items == [3, 1, 2, 4]


def test_a_result_list_is_a_table_with_the_columns_its_type_declares(
    offline: kitsu.Session,
) -> None:
    shots = kitsu.ResultList([_shot(offline, name=f"SH0{i}0") for i in (1, 2)])
    table = shots._repr_html_()
    assert "<caption>2 Shots</caption>" in table
    header = ["#", "preview", "name", "sequence", "frames", "nb_frames", "description"]
    assert "".join(f"<th>{h}</th>" for h in header) in table
    assert "<td>0</td><td></td><td>SH010</td><td>SQ01</td><td>1-48</td>" in table
    assert "<img" not in table  # no preview yet


def test_a_table_shows_the_thumbnail_of_a_preview_by_its_route(offline: kitsu.Session) -> None:
    preview_id = _id()
    shot = _shot(offline, preview_file_id=preview_id)
    url = f"{HOST}/pictures/thumbnails/preview-files/{preview_id}.png"
    assert f'<img src="{url}"' in kitsu.ResultList([shot])._repr_html_()
    assert f'<img src="{url}"' in shot._repr_html_()


def test_a_mixed_or_empty_list_still_renders(offline: kitsu.Session) -> None:
    mixed = kitsu.ResultList([_shot(offline), "<b>x</b>"])._repr_html_()
    assert "2 items" in mixed and "&lt;b&gt;x&lt;/b&gt;" in mixed
    assert "0 items" in kitsu.ResultList([])._repr_html_()


def test_a_long_list_shows_its_first_rows(offline: kitsu.Session) -> None:
    shot = _shot(offline)
    table = kitsu.ResultList([shot] * 250)._repr_html_()
    assert "250 Shots (the first 200 shown)" in table
    assert table.count("<tr>") == 201


# -- queries -------------------------------------------------------------------------------


def test_a_query_displays_what_it_will_ask_without_running() -> None:
    project = kitsu.Project(name="<Agent 327>", id=_id())
    html = kitsu.Shot.where(project=project).include("tasks").limit(5)._repr_html_()
    assert "<b>Query Shot</b>" in html and "not run" in html
    assert "<th>where</th><td>project=&#x27;&lt;Agent 327&gt;&#x27;</td>" in html
    assert "<th>include</th><td>tasks</td>" in html and "<th>limit</th><td>5</td>" in html


# -- discoverable classes -------------------------------------------------------------------


def test_help_lists_fields_and_relationships_with_types() -> None:
    doc = kitsu.Shot.__doc__ or ""
    assert doc.startswith("A shot of a sequence: frames, casting, tasks.")  # its own, kept
    assert "\n    name: str\n" in doc and "\n    data: dict[str, Any] | None\n" in doc
    assert "\n    sequence_name: str | None (computed by the server)\n" in doc
    assert "\n    sequence: Sequence | None (through ``parent_id``)\n" in doc
    assert "\n    tasks: list[Task]" in doc and "Also settable: frame_in, frame_out" in doc
    text = pydoc.render_doc(kitsu.Shot, renderer=pydoc.plaintext)
    assert "created_at: datetime | None" in text
    assert "assignees: list[Person] (by ids in ``assignee_ids``)" in (kitsu.Task.__doc__ or "")


def test_every_entity_class_has_a_generated_docstring() -> None:
    for name, cls in kitsu.model.REGISTRY.items():
        if name == "EntityRow":
            continue
        doc = cls.__doc__ or ""
        assert "Fields:\n    id: str | None" in doc, name
        assert doc.count("Fields:") == 1, name


def test_a_declared_class_keeps_its_docstring_and_gets_its_fields() -> None:
    @entity("TestGadget")
    class Gadget(kitsu.Entity):
        """A thing of a test."""

        name: str = ""
        size: int | None = None

    assert (Gadget.__doc__ or "").startswith("A thing of a test.\n\nFields:\n")
    assert "    size: int | None" in (Gadget.__doc__ or "")
    kitsu.model.REGISTRY.pop("TestGadget")


def test_dir_lists_fields_and_relationships_for_tab_completion(offline: kitsu.Session) -> None:
    shot = _shot(offline)
    names = dir(shot)
    assert {"name", "data", "parent_id", "sequence", "tasks", "assets", "frame_in"} <= set(names)
    assert {"where", "changes", "instantiate", "session"} <= set(names)
    assert "_instance_state" not in names and names == sorted(names)
    assert shot.__dir__() == names
    partial = offline.identity.merge_row(kitsu.Task, {"id": _id()})  # fields not loaded yet
    assert {"task_type_id", "task_status", "assignees"} <= set(dir(partial))


# -- on the real server ---------------------------------------------------------------------


@pytest.mark.server
def test_a_table_of_shots_shows_their_thumbnails_and_costs_no_request(
    kitsu_client: Transport, kitsu_team: Team, kitsu_manager: kitsu.Session, tmp_path: Path
) -> None:
    from test_publishing import Board

    board = Board(kitsu_client, kitsu_team.project, 2)
    s = kitsu_manager
    task = kitsu.Task.get(board.task_ids[0], session=s)
    comment = task.comment("for review", previews=[write_png(tmp_path, "v1.png")])
    s.commit()
    preview = comment.previews[0]
    shot = kitsu.Shot.get(board.shot_ids[0], session=s)
    shot.preview_file = preview
    s.commit()

    reader = kitsu.Session(transport=s.transport)
    query = kitsu.Shot.where(project=board.project_id, session=reader).include("tasks")
    before = reader.transport.stats.total
    assert "not run" in query._repr_html_()
    assert reader.transport.stats.total == before  # showing a query runs nothing
    shots = query.order_by("name").all()
    tasks = [t for sh in shots for t in sh.tasks]
    before = reader.transport.stats.total
    table, cards = shots._repr_html_(), [sh._repr_html_() for sh in shots]
    task_table = kitsu.ResultList(tasks)._repr_html_()
    assert reader.transport.stats.total == before
    route = f"pictures/thumbnails/preview-files/{preview.id}.png"
    assert f'<img src="{reader.transport.url(route)}"' in table
    assert table.count("<img") == 1 and route in cards[0] and "<img" not in cards[1]
    assert route in task_table  # a task shows its last preview
    # The route the browser will ask is the server's thumbnail.
    thumb = reader.transport.download(route, tmp_path / "thumb.png")
    assert thumb.read_bytes().startswith(b"\x89PNG")
