"""The facade's connection: the one place that knows which session it talks through.

gazu keeps a default client per process; the facade uses the current
kitsu_orm session instead (the one ``kitsu_orm.connect()`` or
``gazu.client.set_host()`` made), so that functional and object-style code
share one transport, identity map and cache. With no current session, the
first call makes one, not logged in, for ``KITSU_HOST`` (or gazu's
placeholder host), as gazu's client does.
"""

from __future__ import annotations

import os
import threading

from ...errors import ConfigurationError
from ...session import Session, connect, current_session
from ...transport import Transport

__all__ = ["DEFAULT_HOST", "default_session", "default_transport", "set_host"]

DEFAULT_HOST = "http://gazu.change.serverhost/api"
_lock = threading.Lock()


def default_session() -> Session:
    """The current session; made (not logged in) on first use."""
    with _lock:
        try:
            return current_session()
        except ConfigurationError:
            return connect(os.environ.get("KITSU_HOST", DEFAULT_HOST))


def default_transport() -> Transport:
    transport: Transport = default_session().transport
    return transport


def set_host(host: str) -> Session:
    """Make a new current session for ``host``, not logged in."""
    return connect(host)
