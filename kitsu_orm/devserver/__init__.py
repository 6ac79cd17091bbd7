"""A real local Zou (the Kitsu API server) for tests and demos.

::

    python -m kitsu_orm.devserver [--name NAME] start|stop|status|url|logs|reset|env

Zou lives in a virtualenv of its own (``~/.cache/kitsu-orm/zou-<version>``, or
``KITSU_ORM_ZOU_VENV``), installed once and shared by every server: it pins
about 140 exact versions and must never enter the library's environment.

Each server has a name (``--name``, ``KITSU_DEV_NAME``, default ``default``) and
a state folder ``~/.cache/kitsu-orm/servers/<name>/`` (the root moves with
``KITSU_ORM_HOME``) holding ``config.json`` (port, database, secrets: mode
0600), the pid files, ``server.log`` and Zou's scratch folders.

Settings, read from the environment when set, else from ``config.json``, else
defaulted (a started server saves what it runs with into ``config.json``):

=========================  =====================================================
``KITSU_DEV_PORT``         8780 for ``default``; a free port picked once otherwise
``KITSU_DEV_EVENTS_PORT``  Zou's event stream (``zou.event_stream``): 8781 for
                           ``default``; a free port picked once otherwise
``KITSU_DEV_DB``           ``kitsu_orm_<name>`` (and ``<db>_template`` for reset)
``KITSU_DEV_PG_HOST``      127.0.0.1 (``_PORT`` 5432, ``_USER`` postgres,
                           ``_PASSWORD`` empty)
``KITSU_DEV_REDIS_HOST``   unset: a private ``redis-server`` per Zou server
``KITSU_DEV_REDIS_PORT``   set either to use a running, shared Redis instead
``KITSU_DEV_DEBUG``        ``1``: Zou answers 500s with their stack trace
=========================  =====================================================

Why a private Redis: Zou keeps its cache in Redis databases 0-4, with no
setting to move them, and caches rows such as the "Open" project status there.
Two Zou servers sharing one Redis hand each other's ids and fail. Each server
therefore runs a small ``redis-server`` of its own (no persistence), which also
makes ``reset`` a clean ``FLUSHALL``.

POSIX only (process groups, ``fcntl`` locks). Uses the standard library alone.
"""

from __future__ import annotations

from .cli import main
from .config import ADMIN_EMAIL as ADMIN_EMAIL
from .config import DEFAULT_NAME as DEFAULT_NAME
from .config import ServerConfig
from .errors import DevServerError
from .install import ZOU_VERSION, ZouInstall
from .server import DevServer

__all__ = ["ZOU_VERSION", "DevServer", "DevServerError", "ServerConfig", "ZouInstall", "main"]
