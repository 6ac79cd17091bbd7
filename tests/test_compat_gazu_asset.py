"""gazu's ``asset`` module through the facade, beside gazu 1.3.1 on the same server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from production_board import STAMPS, VARYING, Board, board_fixture, compare_reads, without

from kitsu_orm import errors
from kitsu_orm.compat import gazu

pytestmark = [pytest.mark.server, pytest.mark.usefixtures("gazu_facade")]

board = board_fixture("gazu-asset")

READS: list[tuple[str, Any]] = [
    ("all_assets_for_open_projects", lambda b: ()),
    ("all_assets_for_project", lambda b: (b.project,)),
    ("all_assets_for_project", lambda b: (None,)),
    ("all_assets_for_episode", lambda b: (b.episode,)),
    ("all_assets_for_shot", lambda b: (b.shot,)),
    ("all_assets_for_project_and_type", lambda b: (b.project, b.asset_type["id"])),
    ("get_asset_by_name", lambda b: (b.project, "hero")),  # the server's match, any case
    ("get_asset_by_name", lambda b: (b.project["id"], "Sword", b.asset_type)),
    ("get_asset_by_name", lambda b: (b.project, "Nobody")),
    ("get_asset", lambda b: (b.assets["Hero"]["id"],)),
    ("get_asset_url", lambda b: (b.assets["Sword"],)),
    ("get_asset_url", lambda b: (b.assets["Hero"]["id"],)),
    ("get_all_assets_url", lambda b: (b.project,)),
    ("get_asset_type_url", lambda b: (b.project, b.asset_type["id"])),
    ("all_asset_types", lambda b: ()),
    ("all_asset_types_for_project", lambda b: (b.project,)),
    ("all_asset_types_for_shot", lambda b: (b.shot,)),
    ("get_asset_type", lambda b: (b.asset_type["id"],)),
    ("get_asset_type_by_name", lambda b: (b.asset_type["name"],)),
    ("get_asset_type_by_name", lambda b: ("shot",)),  # an entity type, any case
    ("get_asset_type_by_name", lambda b: ("No such type",)),
    ("get_asset_instance", lambda b: (b.scene_instance["id"],)),
    ("all_shot_asset_instances_for_asset", lambda b: (b.assets["Tree"],)),
    ("all_scene_asset_instances_for_asset", lambda b: (b.assets["Tree"],)),
    ("all_asset_instances_for_shot", lambda b: (b.shot,)),
    ("all_asset_instances_for_asset", lambda b: (b.assets["Forest"],)),
    ("get_episode_from_asset", lambda b: (b.assets["Sword"],)),
    ("get_episode_from_asset", lambda b: (b.assets["Hero"],)),
    ("get_asset_type_from_asset", lambda b: (b.assets["Hero"],)),
]


def test_reads_answer_what_gazu_answers(real_gazu: Any, board: Board) -> None:
    assert not compare_reads(real_gazu.asset, "asset", board, READS)


def test_assets_made_changed_and_removed_as_gazu_does(real_gazu: Any, board: Board) -> None:
    p, t = board.project, board.asset_type
    # Existing (the server's case-insensitive match): both answer it.
    assert gazu.asset.new_asset(p, t, "HERO") == real_gazu.asset.new_asset(p, t, "HERO")
    ours = gazu.asset.new_asset(p, t, "Shield", "desc", {"a": 1}, board.episode, True)
    theirs = real_gazu.asset.new_asset(p, t, "Helmet", "desc", {"a": 1}, board.episode, True)
    assert without(ours, VARYING) == without(theirs, VARYING)

    change = {"id": ours["id"], "description": "new", "episode_id": None}
    assert without(gazu.asset.update_asset(change), STAMPS) == without(
        real_gazu.asset.update_asset(change), STAMPS
    )
    assert "source_id" not in change  # the caller's dict is left as it was
    mine = gazu.asset.update_asset_data(ours, {"b": 2})
    assert mine["data"] == {"a": 1, "b": 2}
    assert without(mine, STAMPS) == without(
        real_gazu.asset.update_asset_data(ours["id"], {"b": 2}), STAMPS
    )
    assert gazu.asset.remove_asset(ours) == real_gazu.asset.remove_asset(theirs) == ""
    with pytest.raises(errors.NotFound):
        gazu.asset.get_asset(ours["id"])


def test_asset_types_made_renamed_and_removed_as_gazu_does(real_gazu: Any, board: Board) -> None:
    name = board.asset_type["name"]
    # Existing: the entity-types row of the type (type "EntityType"), as gazu answers.
    same = gazu.asset.new_asset_type(name.upper())
    assert same == real_gazu.asset.new_asset_type(name.upper())
    assert same["type"] == "EntityType"
    ours = gazu.asset.new_asset_type(name + "-facade")
    theirs = real_gazu.asset.new_asset_type(name + "-gazu")
    board.made_types += [ours, theirs]
    assert without(ours, VARYING) == without(theirs, VARYING)
    renamed = gazu.asset.update_asset_type({**ours, "name": name + "-f2"})
    again = real_gazu.asset.update_asset_type({**ours, "name": name + "-f2"})
    assert renamed["name"] == name + "-f2"
    assert without(renamed, STAMPS) == without(again, STAMPS)
    assert gazu.asset.remove_asset_type(ours) == real_gazu.asset.remove_asset_type(theirs) == ""


def test_asset_instances_made_and_switched_as_gazu_does(real_gazu: Any, board: Board) -> None:
    forest, tree = board.assets["Forest"], board.assets["Tree"]
    ours = gazu.asset.new_asset_asset_instance(forest, tree, "ours")
    theirs = real_gazu.asset.new_asset_asset_instance(forest, tree["id"], "ours")
    assert (ours["number"], theirs["number"]) == (2, 3)
    assert without(ours, VARYING | {"number"}) == without(theirs, VARYING | {"number"})
    for name in ("disable_asset_instance", "enable_asset_instance"):
        mine = getattr(gazu.asset, name)(ours)
        assert without(mine, STAMPS) == without(getattr(real_gazu.asset, name)(ours), STAMPS)
    assert mine["active"] is True


def test_assets_exported_and_imported_as_csv(real_gazu: Any, board: Board, tmp_path: Path) -> None:
    ours, theirs = tmp_path / "ours.csv", tmp_path / "theirs.csv"
    calls: list[Any] = []
    assert gazu.asset.export_assets_with_csv(board.project, ours, board.episode) == ours
    real_gazu.asset.export_assets_with_csv(board.project, str(theirs), board.episode)
    assert ours.read_text() == theirs.read_text()
    assert "Sword" in ours.read_text()

    gazu.asset.export_assets_with_csv(board.project, ours)
    mine = gazu.asset.import_assets_with_csv(
        board.project, str(ours), progress_callback=lambda done, total: calls.append(done)
    )
    again = real_gazu.asset.import_assets_with_csv(board.project, str(ours))
    assert sorted(a["name"] for a in mine) == ["Forest", "Hero", "Sword", "Tree"]
    assert without(mine, STAMPS) == without(again, STAMPS)
    assert calls == [ours.stat().st_size]


def test_a_supervisor_reads_and_an_artist_may_not_remove(
    real_gazu: Any, board: Board, kitsu_server: Any, kitsu_people: dict[str, Any]
) -> None:
    """Through a client of their own (``client=``), logged in as a team member."""
    for key, verdict in (("supervisor", None), ("artist", errors.PermissionDenied)):
        member = kitsu_people[key]
        theirs = real_gazu.client.create_client(kitsu_server.url)
        real_gazu.log_in(member.email, member.password, client=theirs)
        ours = gazu.client.create_client(kitsu_server.url)
        gazu.client.log_in(member.email, member.password, client=ours)
        p = board.project
        assert gazu.asset.all_assets_for_project(p, client=ours) == (
            real_gazu.asset.all_assets_for_project(p, client=theirs)
        )
        assert gazu.asset.get_asset_by_name(p, "tree", client=ours) == (
            real_gazu.asset.get_asset_by_name(p, "tree", client=theirs)
        )
        if verdict is not None:
            with pytest.raises(real_gazu.exception.NotAllowedException):
                real_gazu.asset.remove_asset(board.assets["Tree"], client=theirs)
            with pytest.raises(verdict) as raised:
                gazu.asset.remove_asset(board.assets["Tree"], client=ours)
            assert isinstance(raised.value, gazu.exception.NotAllowedException)
