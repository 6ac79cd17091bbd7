"""A drop-in functional facade with gazu's module and function names.

``from kitsu_orm.compat import gazu`` then ``gazu.client.log_in(...)``: the
calls of gazu's usage page, answered through kitsu_orm's session, with
kitsu_orm's errors.

The modules of gazu's usage page (``asset``, ``cache``, ``client``, ``files``,
``person``, ``project``, ``scene``, ``shot``, ``task``, ``user``, and
``casting``, ``entity`` and ``playlist`` beyond the page) sit on three of their
own, which import one another in this order only:

- :mod:`.connection`: the session the facade talks through;
- :mod:`.memo`: gazu's per-function cache switches (``@cached_function``,
  which every ``all_*`` and ``get_*`` read of the page wears where it is
  defined), over the session's persistent cache;
- :mod:`.rows`: gazu's argument and answer shapes (dicts or ids in, the
  server's JSON out, lists sorted by name).

``files``, the largest of gazu's modules, is a package of one module per
concept of its own (output types and softwares, working files, output
files, paths), which it answers for under gazu's name.
"""

from __future__ import annotations

from . import (
    asset,
    cache,
    casting,
    client,
    entity,
    exception,
    files,
    person,
    playlist,
    project,
    scene,
    shot,
    task,
    user,
)
from .client import get_host, log_in, log_out, set_host

__all__ = [
    "asset",
    "cache",
    "casting",
    "client",
    "entity",
    "exception",
    "files",
    "person",
    "playlist",
    "project",
    "scene",
    "shot",
    "task",
    "user",
    "get_host",
    "set_host",
    "log_in",
    "log_out",
]
