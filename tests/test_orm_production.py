"""The object-style equivalents of the usage page's Persons, Projects, Assets and
Shots sections (see docs/migration-part-a.md), against the real server."""

from __future__ import annotations

import contextlib
import uuid
from typing import Any

import pytest

import kitsu_orm as kitsu
from kitsu_orm.transport import Transport

pytestmark = pytest.mark.server


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def test_persons(session: kitsu.Session, kitsu_client: Transport) -> None:
    login = unique("jdoe")
    row = kitsu_client.post(
        "data/persons",
        {
            "first_name": "John",
            "last_name": login,
            "email": f"{login}@example.com",
            "desktop_login": login,
        },
    )
    try:
        assert row["id"] in [p.id for p in kitsu.Person.query(session=session).all()]
        by_name = kitsu.Person.where(session=session, first_name="John", last_name=login).one()
        assert by_name.id == row["id"] and by_name.full_name == f"John {login}"
        assert kitsu.Person.where(session=session, desktop_login=login).one() is by_name
        assert kitsu.Person.where(session=session, desktop_login="no-" + login).first() is None
    finally:
        kitsu_client.delete(f"data/persons/{row['id']}", params={"force": "true"})


def test_projects(
    session: kitsu.Session, kitsu_project: dict[str, Any], orm_projects: list[kitsu.Project]
) -> None:
    assert kitsu_project["id"] in [p.id for p in kitsu.Project.query(session=session)]
    open_status = kitsu.ProjectStatus.where(session=session, name="Open").one()
    open_ids = [p.id for p in kitsu.Project.where(session=session, project_status=open_status)]
    assert kitsu_project["id"] in open_ids
    project = kitsu.Project.get(kitsu_project["id"], session=session)
    assert kitsu.Project.where(session=session, name=kitsu_project["name"]).one() is project

    name = unique("orm-new-project")
    made = kitsu.Project.get_or_create(
        session=session, name=name, defaults={"production_type": "tvshow"}, commit=True
    )
    orm_projects.append(made)
    assert made.id is not None and made.production_type == "tvshow"
    assert kitsu.Project.get_or_create(session=session, name=name) is made


@pytest.fixture
def prop_type(session: kitsu.Session, kitsu_client: Transport) -> Any:
    asset_type = kitsu.AssetType.get_or_create(
        session=session, name=unique("orm-type"), commit=True
    )
    yield asset_type
    with contextlib.suppress(kitsu.KitsuError):
        kitsu_client.delete(f"data/entity-types/{asset_type.id}")


def test_assets(
    session: kitsu.Session, kitsu_project: dict[str, Any], prop_type: kitsu.AssetType
) -> None:
    project = kitsu.Project.get(kitsu_project["id"], session=session)
    sequence = kitsu.Sequence.get_or_create(session=session, project=project, name="SQ01")
    shot = kitsu.Shot.get_or_create(session=session, sequence=sequence, name="SH01")
    assert shot.project_id == project.id  # taken from the sequence
    hero = kitsu.Asset.get_or_create(
        session=session,
        project=project,
        asset_type=prop_type,
        name="Hero",
        defaults={"description": "the hero"},
    )
    sword = kitsu.Asset.get_or_create(
        session=session, project=project, asset_type=prop_type, name="Sword"
    )
    assert (
        kitsu.Asset.get_or_create(
            session=session, project=project, asset_type=prop_type, name="Hero"
        )
        is hero
    )
    shot.assets = [hero]
    session.commit()

    fresh = kitsu.Session(transport=session.transport)
    f_project = fresh.get(kitsu.Project, project.id or "")
    assert [a.name for a in f_project.assets] == ["Hero", "Sword"]
    f_shot = fresh.get(kitsu.Shot, shot.id or "")
    assert [a.name for a in f_shot.assets] == ["Hero"]
    assert {
        a.name for a in kitsu.Asset.where(session=fresh, project=f_project, asset_type=prop_type.id)
    } == {
        "Hero",
        "Sword",
    }
    assert prop_type.id in [t.id for t in kitsu.AssetType.query(session=fresh)]
    assert {a.asset_type.id for a in f_project.assets} == {prop_type.id}
    assert {a.asset_type.id for a in f_shot.assets} == {prop_type.id}
    assert kitsu.Asset.get(hero.id or "", session=fresh).description == "the hero"
    assert kitsu.Asset.where(session=fresh, project=f_project, name="Sword").one().id == sword.id
    assert kitsu.AssetType.get(prop_type.id or "", session=fresh).name == prop_type.name
    assert kitsu.AssetType.where(session=fresh, name=prop_type.name).one().id == prop_type.id

    hero.description = "updated"
    session.delete(sword)
    session.commit()
    assert fresh.refresh(kitsu.Asset.get(hero.id or "", session=fresh)).description == "updated"
    assert (
        kitsu.Asset.where(
            session=kitsu.Session(transport=session.transport), project=project, name="Sword"
        ).first()
        is None
    )


def test_asset_types(session: kitsu.Session) -> None:
    name = unique("orm-type")
    asset_type = kitsu.AssetType.get_or_create(session=session, name=name, commit=True)
    assert asset_type.id is not None
    asset_type.name = name + "-renamed"
    session.commit()
    assert (
        kitsu.AssetType.where(
            session=kitsu.Session(transport=session.transport), name=name + "-renamed"
        )
        .one()
        .id
        == asset_type.id
    )
    session.delete(asset_type)
    session.commit()
    with pytest.raises(kitsu.NotFound):
        kitsu.AssetType.get(asset_type.id, session=kitsu.Session(transport=session.transport))


def test_asset_instances(
    session: kitsu.Session, kitsu_project: dict[str, Any], prop_type: kitsu.AssetType
) -> None:
    project = kitsu.Project.get(kitsu_project["id"], session=session)
    sequence = kitsu.Sequence.get_or_create(session=session, project=project, name="SQ01")
    shot = kitsu.Shot.get_or_create(session=session, sequence=sequence, name="SH01")
    scene = kitsu.Scene.get_or_create(session=session, sequence=sequence, name="SC01")
    forest = kitsu.Asset.get_or_create(
        session=session, project=project, asset_type=prop_type, name="Forest"
    )
    tree = kitsu.Asset.get_or_create(
        session=session, project=project, asset_type=prop_type, name="Tree"
    )
    session.commit()  # get_or_create leaves them pending

    inside = forest.instantiate(tree)
    in_scene = scene.instantiate(tree, "by the river")
    in_shot = shot.instantiate(tree)
    second = shot.instantiate(tree)
    session.commit()
    try:
        assert (inside.name, inside.number, inside.target_asset_id) == ("Tree_0001", 1, forest.id)
        assert (in_scene.scene_id, in_scene.number, in_scene.description) == (
            scene.id,
            1,
            "by the river",
        )
        assert (in_shot.number, second.number) == (1, 2)

        fresh = kitsu.Session(transport=session.transport)
        assert kitsu.AssetInstance.get(inside.id or "", session=fresh).asset.id == tree.id
        assert [i.id for i in fresh.get(kitsu.Asset, forest.id or "").asset_instances] == [
            inside.id
        ]
        assert {i.id for i in fresh.get(kitsu.Asset, tree.id or "").instances} == {
            inside.id,
            in_scene.id,
            in_shot.id,
            second.id,
        }
        f_shot = fresh.get(kitsu.Shot, shot.id or "")
        assert [i.id for i in f_shot.asset_instances] == [in_shot.id, second.id]
        assert [i.id for i in fresh.get(kitsu.Scene, scene.id or "").asset_instances] == [
            in_scene.id
        ]

        f_shot.asset_instances = [i for i in f_shot.asset_instances if i.id != second.id]  # unlink
        fresh.commit()
        again = kitsu.Session(transport=session.transport).get(kitsu.Shot, shot.id or "")
        assert [i.id for i in again.asset_instances] == [in_shot.id]
    finally:
        cleanup = kitsu.Session(transport=session.transport)
        cleanup.get(kitsu.Shot, shot.id or "").asset_instances = []
        cleanup.commit()
        for instance in (inside, in_scene, in_shot, second):
            cleanup.delete(cleanup.get(kitsu.AssetInstance, instance.id or ""))
        cleanup.commit()


def test_scene_shots_are_linked_and_a_canceled_shot_restored(
    session: kitsu.Session, kitsu_project: dict[str, Any]
) -> None:
    project = kitsu.Project.get(kitsu_project["id"], session=session)
    sequence = kitsu.Sequence.get_or_create(session=session, project=project, name="SQ01")
    shots = [
        kitsu.Shot.get_or_create(session=session, sequence=sequence, name=f"SH0{i}") for i in (1, 2)
    ]
    scene = kitsu.Scene.get_or_create(session=session, sequence=sequence, name="SC01")
    session.commit()
    scene.shots = shots
    session.commit()
    fresh = kitsu.Session(transport=session.transport)
    f_scene = fresh.get(kitsu.Scene, scene.id or "")
    assert [s.id for s in f_scene.shots] == [s.id for s in shots]
    assert fresh.get(kitsu.Shot, shots[0].id or "").source_id == scene.id
    f_scene.shots = [s for s in f_scene.shots if s.id == shots[1].id]  # unlink the first
    fresh.commit()
    again = kitsu.Session(transport=session.transport)
    assert [s.id for s in again.get(kitsu.Scene, scene.id or "").shots] == [shots[1].id]

    shot = again.get(kitsu.Shot, shots[0].id or "")
    shot.canceled = True
    again.commit()
    shot.restore()
    again.commit()
    assert (
        kitsu.Session(transport=session.transport).get(kitsu.Shot, shot.id or "").canceled is False
    )


def test_shots_sequences_episodes(session: kitsu.Session, kitsu_make_project: Any) -> None:
    project = kitsu.Project.get(kitsu_make_project(production_type="tvshow")["id"], session=session)
    episode = kitsu.Episode.get_or_create(session=session, project=project, name="E01")
    sequence = kitsu.Sequence.get_or_create(session=session, episode=episode, name="SQ01")
    shot = kitsu.Shot.get_or_create(
        session=session,
        sequence=sequence,
        name="SH01",
        defaults={"frame_in": 10, "frame_out": 20, "data": {"extra_data": "value"}},
    )
    assert (sequence.project_id, shot.frame_in, shot.frame_out) == (project.id, 10, 20)
    assert shot.data == {"extra_data": "value", "frame_in": 10, "frame_out": 20}
    assert kitsu.Shot.get_or_create(session=session, sequence=sequence, name="SH01") is shot
    session.commit()  # get_or_create leaves them pending

    fresh = kitsu.Session(transport=session.transport)
    f_project = fresh.get(kitsu.Project, project.id or "")
    assert [s.name for s in f_project.shots] == ["SH01"]
    assert [s.name for s in f_project.sequences] == ["SQ01"]
    assert [e.name for e in f_project.episodes] == ["E01"]
    f_episode = kitsu.Episode.where(session=fresh, project=f_project, name="E01").one()
    assert [s.id for s in f_episode.sequences] == [sequence.id]
    f_sequence = kitsu.Sequence.where(
        session=fresh, project=f_project, episode=f_episode, name="SQ01"
    ).one()
    assert [s.id for s in f_sequence.shots] == [shot.id]
    assert kitsu.Shot.where(
        session=fresh, sequence=f_sequence, name="SH01"
    ).one() is kitsu.Shot.get(shot.id, session=fresh)
    assert kitsu.Sequence.get(sequence.id, session=fresh) is f_sequence
    assert kitsu.Episode.get(episode.id, session=fresh) is f_episode

    shot.frame_out = 30
    shot.description = "longer"
    session.commit()
    assert kitsu.Session(transport=session.transport).get(kitsu.Shot, shot.id or "").frame_out == 30


def test_get_or_create_pending_and_errors(
    session: kitsu.Session, kitsu_project: dict[str, Any]
) -> None:
    project = kitsu.Project.get(kitsu_project["id"], session=session)
    pending = kitsu.Sequence.get_or_create(
        session=session, project=project, name="SQ09", commit=False
    )
    assert pending.id is None and pending.state is kitsu.State.PENDING
    assert (
        kitsu.Sequence.get_or_create(session=session, project=project, name="SQ09", commit=False)
        is pending
    )
    session.commit()
    assert pending.id is not None
    with pytest.raises(kitsu.ValidationError):
        kitsu.Shot.get_or_create(session=session, nmae="SH01")
    with pytest.raises(kitsu.NotFound):
        kitsu.Shot.get(str(uuid.uuid4()), session=session)


def test_edits_and_concepts_are_made_and_read(
    session: kitsu.Session, kitsu_make_project: Any
) -> None:
    project = kitsu.Project.get(kitsu_make_project(production_type="tvshow")["id"], session=session)
    episode = kitsu.Episode.get_or_create(session=session, project=project, name="E01")
    cut = kitsu.Edit.get_or_create(session=session, project=project, episode=episode, name="Cut")
    mood = kitsu.Concept(project=project, name="Mood", description="dusk")
    session.add(mood)
    session.commit()
    fresh = kitsu.Session(transport=session.transport)
    f_cut = fresh.get(kitsu.Edit, cut.id or "")
    assert (f_cut.name, f_cut.episode.id, f_cut.project.id) == ("Cut", episode.id, project.id)
    assert [c.id for c in kitsu.Edit.where(session=fresh, project=project.id).all()] == [cut.id]
    f_mood = kitsu.Concept.where(session=fresh, project=project.id).one()
    assert (f_mood.id, f_mood.description, f_mood.tasks) == (mood.id, "dusk", [])
    # Zou answers the edit of that name rather than a second one.
    again = kitsu.Edit.get_or_create(
        session=fresh, project=project.id, episode=episode.id, name="Cut"
    )
    assert again is f_cut
