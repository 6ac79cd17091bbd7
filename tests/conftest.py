"""ORM fixtures shared by the server-backed tests, on top of the kitsu_orm.testing plugin."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

import kitsu_orm as kitsu
from kitsu_orm.testing import KitsuServer, TokenSessions, remove_project
from kitsu_orm.transport import Transport

SessionFactory = Callable[..., kitsu.Session]


@pytest.fixture
def new_session(kitsu_server: KitsuServer, kitsu_client: Transport) -> Iterator[SessionFactory]:
    """``new_session(**options)``: a fresh ORM session on the admin's tokens (no login).

    Every session gets its own transport, so that ``s.stats`` counts its
    requests alone.
    """
    sessions = TokenSessions(kitsu_server.url)

    def make(**options: Any) -> kitsu.Session:
        return sessions.on(kitsu_client, **options)

    yield make
    sessions.close()


@pytest.fixture
def session(new_session: SessionFactory) -> kitsu.Session:
    return new_session()


@pytest.fixture
def orm_projects(kitsu_client: Transport) -> Iterator[list[kitsu.Project]]:
    """Projects a test creates through the ORM: append them, they are removed afterwards."""
    created: list[kitsu.Project] = []
    yield created
    for project in created:
        if project.id is not None:
            remove_project(kitsu_client, {"id": project.id, "name": project.name})


@pytest.fixture(scope="module")
def real_gazu(kitsu_server: KitsuServer) -> Iterator[Any]:
    """gazu 1.3.1 itself, logged in as the admin, cache off: what the facade is compared with."""
    import gazu as real

    real.cache.disable()
    real.set_host(kitsu_server.url)
    real.log_in(kitsu_server.admin_email, kitsu_server.admin_password)
    yield real
    real.log_out()


@pytest.fixture
def gazu_facade(kitsu_server: KitsuServer, kitsu_client: Transport) -> Iterator[None]:
    """The facade's current session, on the admin's tokens (no second login)."""
    kitsu.connect(
        kitsu_server.url, transport=Transport(kitsu_server.url, token=kitsu_client.tokens)
    )
    yield
    kitsu.current_session().transport.close()
