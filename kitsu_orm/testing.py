"""pytest fixtures backed by a real Kitsu server (registered as the ``kitsu_orm`` plugin).

=======================  ========  =================================================
``kitsu_server``         session   the server: a :class:`~kitsu_orm.devserver.DevServer`
                                   named ``$KITSU_DEV_NAME`` or ``pytest``, started or
                                   reused, reset once per session and left running;
                                   or an :class:`ExternalServer` (see below)
``kitsu_client``         session   a :class:`~kitsu_orm.transport.Transport` logged in
                                   as the admin (a login costs ~0.3 s: one per session)
``kitsu_make_project``   function  ``make(name=None, **fields) -> dict``: creates
                                   projects, all closed and deleted at teardown
``kitsu_project``        function  one fresh project dict, named
                                   ``test-<test name>-<8 hex>``
``kitsu_people``         session   the studio's non-admin accounts, one per
                                   :data:`TEAM` entry: ``{key: TeamMember}``
``kitsu_team``           function  ``kitsu_people``, all put on ``kitsu_project``'s team
``kitsu_as``             function  ``kitsu_as("artist") -> Session``: an ORM session
                                   as that member (or ``"admin"``), on the team's project
``kitsu_artist``,        function  ``kitsu_as("artist")``, ``kitsu_as("manager")``...:
``kitsu_supervisor``,              one fixture per role
``kitsu_manager``,
``kitsu_client_user``,
``kitsu_vendor``
=======================  ========  =================================================

``--kitsu-no-reset`` keeps the database as the previous session left it.
``KITSU_TEST_URL``, ``KITSU_TEST_EMAIL`` and ``KITSU_TEST_PASSWORD`` point the
fixtures at a running server instead; nothing is started, reset or stopped then.

Importing this module starts nothing: the server is touched only when a test
asks for a fixture. Cleanup failures become :class:`KitsuFixtureWarning`, never
test failures; so does a reset skipped because another session uses the server.

For fast tests with no server at all, :class:`FakeTransport` (from
:mod:`kitsu_orm.fake_transport`) stands in for the transport and answers from
a function of yours, recording every request::

    def kitsu(method, path, params, json):
        if path == "data/shots/all":
            return [{"id": SHOT_ID, "type": "Shot", "name": "SH01", ...}]
        raise PermissionDenied("managers only")  # a 403

    fake = FakeTransport(kitsu)
    session = Session(transport=fake)
    kitsu_orm.Shot.where(project=project, session=session).all()
    assert fake.requests[-1].params == {"project_id": project.id}
"""

from __future__ import annotations

import contextlib
import os
import secrets
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import pytest

from .devserver import DevServer
from .errors import ConfigurationError, KitsuError
from .fake_transport import FakeRequest, FakeTransport, Handler
from .scratch_projects import KitsuFixtureWarning, remove_project, unique_project_name

if TYPE_CHECKING:
    from .session import Session
    from .transport import Transport

__all__ = [
    "ExternalServer",
    "FakeRequest",
    "FakeTransport",
    "Handler",
    "KitsuFixtureWarning",
    "KitsuServer",
    "ProjectFactory",
    "TEAM",
    "Team",
    "TeamMember",
    "TokenSessions",
    "remove_project",
    "unique_project_name",
]

DEFAULT_TEST_SERVER = "pytest"


class KitsuServer(Protocol):
    """What the fixtures need from a server, local or not."""

    @property
    def url(self) -> str:
        """The API root (``http://host:port/api``)."""
        ...

    @property
    def admin_email(self) -> str:
        """The admin's login, which the fixtures use."""
        ...

    @property
    def admin_password(self) -> str:
        """The admin's password."""
        ...

    @property
    def secret_key(self) -> str | None:
        """The server's JWT secret when known (to forge expired tokens in tests), else None."""
        ...


@dataclass(frozen=True)
class ExternalServer:
    """A server someone else runs, named by ``KITSU_TEST_*``; its secret key is unknown."""

    url: str
    admin_email: str
    admin_password: str
    secret_key: str | None = None


class ProjectFactory(Protocol):
    """``kitsu_make_project(name=None, **fields)``: a new project row, removed after the test."""

    def __call__(self, name: str | None = None, **fields: Any) -> dict[str, Any]: ...


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add the plugin's option ``--kitsu-no-reset`` (reuse the server's data as it is)."""
    group = parser.getgroup("kitsu_orm", "Kitsu server fixtures (kitsu_orm.testing)")
    group.addoption(
        "--kitsu-no-reset",
        action="store_true",
        default=False,
        help="reuse the test server's database as it is instead of resetting it",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``server`` marker."""
    config.addinivalue_line(
        "markers", "server: needs the real Kitsu server of the kitsu_orm.testing fixtures"
    )


@pytest.fixture(scope="session")
def kitsu_server(request: pytest.FixtureRequest) -> Iterator[KitsuServer]:
    """The server of this test session, ready to answer.

    Another test session may run on the same server (a second terminal, a
    watcher): the reset is then skipped, with a warning, rather than dropping
    the database under it.
    """
    reset = not request.config.getoption("kitsu_no_reset")
    with contextlib.ExitStack() as stack:
        try:
            external = _external_server()
            if external is not None:
                yield external
                return
            server = DevServer.from_env(os.environ.get("KITSU_DEV_NAME") or DEFAULT_TEST_SERVER)
            did_reset = stack.enter_context(server.session(reset=reset))
        except KitsuError as exc:
            pytest.fail(f"kitsu_server: {exc}", pytrace=False)
        if reset and not did_reset:
            warnings.warn(
                KitsuFixtureWarning(
                    f"server {server.name!r} is in use by another test session: not reset"
                ),
                stacklevel=1,
            )
        yield server


@pytest.fixture(scope="session")
def kitsu_client(kitsu_server: KitsuServer) -> Iterator[Transport]:
    """The admin's transport, shared by the whole session; logged out at the end."""
    from .transport import Transport  # requests loads only for sessions that use a server

    client = Transport(kitsu_server.url)
    try:
        client.login(kitsu_server.admin_email, kitsu_server.admin_password)
    except KitsuError as exc:
        client.close()
        pytest.fail(f"kitsu_client: {exc}", pytrace=False)
    yield client
    try:
        client.logout()
    except KitsuError as exc:
        warnings.warn(KitsuFixtureWarning(f"logout failed: {exc}"), stacklevel=1)
    finally:
        client.close()


@pytest.fixture
def kitsu_make_project(
    kitsu_client: Transport, request: pytest.FixtureRequest
) -> Iterator[ProjectFactory]:
    """Create projects for one test; every one is closed and deleted afterwards."""
    created: list[dict[str, Any]] = []

    def make(name: str | None = None, **fields: Any) -> dict[str, Any]:
        body = {**fields, "name": name or unique_project_name(request.node.name)}
        project: dict[str, Any] = kitsu_client.post("data/projects", json=body)
        created.append(project)
        return project

    yield make
    for project in reversed(created):
        remove_project(kitsu_client, project)


@pytest.fixture
def kitsu_project(kitsu_make_project: ProjectFactory) -> dict[str, Any]:
    """A fresh project of this test alone."""
    return kitsu_make_project()


# The team a studio's pipeline code runs as: key -> Zou role. "user" is Zou's
# name for an artist; two artists let tests hand work from one to the other.
TEAM: dict[str, str] = {
    "artist": "user",
    "artist2": "user",
    "supervisor": "supervisor",
    "manager": "manager",
    "client": "client",
    "vendor": "vendor",
}


@dataclass(frozen=True)
class TeamMember:
    """One non-admin account of the test studio."""

    key: str
    role: str
    email: str
    person: dict[str, Any]
    password: str = field(repr=False)

    @property
    def id(self) -> str:
        """The person's id."""
        return str(self.person["id"])


@dataclass(frozen=True)
class Team:
    """The members of a test project's team, by key (``team["artist"].id``)."""

    project: dict[str, Any]
    members: dict[str, TeamMember]

    def __getitem__(self, key: str) -> TeamMember:
        return self.members[key]


@pytest.fixture(scope="session")
def kitsu_people(kitsu_client: Transport) -> dict[str, TeamMember]:
    """One account per :data:`TEAM` entry, made once per test session (an account
    left by an earlier session on a server that was not reset gets a new password)."""
    people: dict[str, TeamMember] = {}
    for key, role in TEAM.items():
        email = f"{key}.kitsu-orm@example.com"
        password = secrets.token_urlsafe(16)
        found = kitsu_client.get("data/persons", {"email": email})
        if found:  # Zou ignores a password in a person's update: it has its own route
            person = kitsu_client.put(
                f"data/persons/{found[0]['id']}", {"role": role, "active": True}
            )
            kitsu_client.post(
                f"actions/persons/{person['id']}/change-password",
                {"password": password, "password_2": password},
            )
        else:
            body = {"role": role, "password": password, "active": True, "email": email}
            body.update(first_name=key.capitalize(), last_name="Test")
            person = kitsu_client.post("data/persons", body)
        people[key] = TeamMember(key, role, email, person, password)
    return people


@pytest.fixture(scope="session")
def kitsu_role_clients(
    kitsu_server: KitsuServer, kitsu_people: dict[str, TeamMember]
) -> Iterator[dict[str, Transport]]:
    """A logged-in transport per member, shared by the test session (one login each)."""
    from .transport import Transport

    clients: dict[str, Transport] = {}
    try:
        for key, member in kitsu_people.items():
            client = Transport(kitsu_server.url)
            clients[key] = client
            client.login(member.email, member.password)
    except KitsuError as exc:
        pytest.fail(f"kitsu_role_clients: {exc}", pytrace=False)
    yield clients
    for client in clients.values():
        with contextlib.suppress(KitsuError):
            client.logout()
        client.close()


@pytest.fixture
def kitsu_team(
    kitsu_client: Transport, kitsu_project: dict[str, Any], kitsu_people: dict[str, TeamMember]
) -> Team:
    """Every member of :data:`TEAM` on the team of ``kitsu_project``."""
    for member in kitsu_people.values():
        kitsu_client.post(f"data/projects/{kitsu_project['id']}/team", {"person_id": member.id})
    return Team(kitsu_project, dict(kitsu_people))


@pytest.fixture
def kitsu_as(
    kitsu_server: KitsuServer,
    kitsu_client: Transport,
    kitsu_team: Team,
    kitsu_role_clients: dict[str, Transport],
) -> Iterator[Any]:
    """``kitsu_as(key) -> Session``: a new ORM session as a team member (``"artist"``,
    ``"manager"``...) or ``"admin"``, on tokens already issued (no login). Each
    session has its own transport, so that ``stats`` counts its requests alone."""

    sessions = TokenSessions(kitsu_server.url)

    def make(key: str, **options: Any) -> Session:
        source = kitsu_client if key == "admin" else kitsu_role_clients.get(key)
        if source is None or source.tokens is None:
            raise ConfigurationError(f"no test account {key!r}: one of admin, {', '.join(TEAM)}")
        return sessions.on(source, **options)

    yield make
    sessions.close()


class TokenSessions:
    """ORM sessions on the tokens of transports already logged in (no login each), every
    one with its own transport, so that its ``stats`` count its requests alone; all
    closed by :meth:`close`."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.made: list[Session] = []

    def on(self, source: Transport, **options: Any) -> Session:
        """A new session as ``source``'s user."""
        from .session import Session
        from .transport import Transport

        if source.tokens is None:
            raise ConfigurationError(f"{source!r} is not logged in")
        transport = Transport(self.url, token=source.tokens)
        transport.user = dict(source.user or {})  # the role is known: no request to learn it
        session = Session(transport=transport, **options)
        self.made.append(session)
        return session

    def close(self) -> None:
        """Close every session made here, and its transport."""
        for session in self.made:
            session.close()
            session.transport.close()
        self.made.clear()


def _role_fixture(key: str, name: str) -> Any:
    def fixture(kitsu_as: Any) -> Session:
        session: Session = kitsu_as(key)
        return session

    fixture.__doc__ = f"An ORM session as the team's {key} (Zou role {TEAM[key]!r})."
    fixture.__name__ = name
    return pytest.fixture(fixture, name=name)


kitsu_artist = _role_fixture("artist", "kitsu_artist")
kitsu_supervisor = _role_fixture("supervisor", "kitsu_supervisor")
kitsu_manager = _role_fixture("manager", "kitsu_manager")
# "kitsu_client" is the admin's transport: the client account's session is named apart.
kitsu_client_user = _role_fixture("client", "kitsu_client_user")
kitsu_vendor = _role_fixture("vendor", "kitsu_vendor")


def _external_server() -> ExternalServer | None:
    url = os.environ.get("KITSU_TEST_URL")
    if not url:
        return None
    email, password = os.environ.get("KITSU_TEST_EMAIL"), os.environ.get("KITSU_TEST_PASSWORD")
    if not email or not password:
        raise ConfigurationError(
            "KITSU_TEST_URL is set: set KITSU_TEST_EMAIL and KITSU_TEST_PASSWORD too"
        )
    return ExternalServer(url, email, password)
