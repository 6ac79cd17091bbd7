"""A drop-in functional facade with gazu's module and function names.

``from kitsu_orm.compat import gazu`` then ``gazu.client.log_in(...)``: the
calls of gazu's usage page, answered through kitsu_orm's transport, with
kitsu_orm's errors.
"""

from __future__ import annotations

from . import client

__all__ = ["client", "get_host", "set_host", "log_in", "log_out"]

get_host = client.get_host
set_host = client.set_host
log_in = client.log_in
log_out = client.log_out
