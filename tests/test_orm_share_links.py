"""A playlist's share links on the real server: made, listed and revoked by a manager
of the project, refused to the others before any request."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest

import kitsu_orm as kitsu
from kitsu_orm.testing import Team
from kitsu_orm.transport import Transport

pytestmark = pytest.mark.server


def test_a_manager_shares_a_playlist_and_revokes_the_link(
    kitsu_team: Team, kitsu_as: Callable[..., kitsu.Session], kitsu_client: Transport
) -> None:
    pid = kitsu_team.project["id"]
    row = kitsu_client.post(
        "data/playlists", {"name": "Dailies", "project_id": pid, "for_entity": "shot"}
    )
    manager = kitsu_as("manager")
    playlist = kitsu.Playlist.get(row["id"], session=manager)
    until = datetime.datetime(2031, 1, 1, 12, 0, tzinfo=datetime.timezone.utc)
    link = kitsu.PlaylistShareLink(playlist=playlist, can_comment=False, expiration_date=until)
    manager.add(link)
    manager.commit()
    assert link.id is not None and link.token and link.created_by == kitsu_team["manager"].id

    (read,) = kitsu.Playlist.get(row["id"], session=kitsu_as("manager")).share_links
    assert (read.id, read.token, read.can_comment) == (link.id, link.token, False)
    assert read.expiration_date == until and read.playlist is not None

    for key in ("artist", "supervisor"):
        session = kitsu_as(key)
        theirs = kitsu.Playlist.get(row["id"], session=session)
        sent = session.transport.stats.total
        with pytest.raises(kitsu.PermissionDenied):
            theirs.share_links  # noqa: B018
        session.add(kitsu.PlaylistShareLink(playlist=theirs))
        with pytest.raises(kitsu.PermissionDenied, match="managers"):
            session.commit()
        assert session.transport.stats.total == sent, key

    manager.delete(link)
    manager.commit()
    left = kitsu_client.get(f"data/playlists/{row['id']}/share")
    assert [r for r in left if r["id"] == link.id and r.get("is_active", True)] == []
