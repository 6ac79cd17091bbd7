"""A drop-in functional facade with gazu's module and function names.

``from kitsu_orm.compat import gazu`` then ``gazu.client.log_in(...)``: the
calls of gazu's usage page, answered through kitsu_orm's transport, with
kitsu_orm's errors.
"""

from __future__ import annotations

from . import _cache, asset, cache, client, files, person, project, shot, task, user

__all__ = [
    "asset",
    "cache",
    "client",
    "files",
    "person",
    "project",
    "shot",
    "task",
    "user",
    "get_host",
    "set_host",
    "log_in",
    "log_out",
]

# Every read of the page gets gazu's per-function cache switches
# (``gazu.asset.all_assets.clear_cache()``, ``.disable_cache()``).
for _module in (asset, files, person, project, shot, task, user):
    for _name in _module.__all__:
        _function = getattr(_module, _name)
        if _name.startswith(("all_", "get_")) and not isinstance(_function, _cache.CachedFunction):
            setattr(_module, _name, _cache.cached_function(_function))

get_host = client.get_host
set_host = client.set_host
log_in = client.log_in
log_out = client.log_out
