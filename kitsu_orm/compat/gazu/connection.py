"""The facade's connection: the one place that knows which session it talks through.

gazu keeps a default client per process; the facade uses the current
kitsu_orm session instead (the one ``kitsu_orm.connect()`` or
``gazu.client.set_host()`` made), so that functional and object-style code
share one transport, identity map and cache. With no current session, the
first call makes one, not logged in, for ``KITSU_HOST`` (or gazu's
placeholder host), as gazu's client does.

The current session is per thread (:mod:`kitsu_orm.context`): ``set_host()``
and ``log_in()`` in a worker thread of a render-farm script change that
thread's session alone, and threads that never called them use the main
thread's. A worker's first ``log_in()`` or ``log_out()`` gives it a session
of its own first, on the same host (:func:`own_session`), so that it never
changes who the other threads are.
"""

from __future__ import annotations

import os
import threading

from ... import context
from ...errors import ConfigurationError
from ...protocols import TransportProtocol
from ...session import Session, connect, current_session
from ...urls import normalize_host

__all__ = ["DEFAULT_HOST", "default_session", "default_transport", "own_session", "set_host"]

DEFAULT_HOST = "http://gazu.change.serverhost/api"
_lock = threading.Lock()


def default_session() -> Session:
    """The current session; made (not logged in) on first use."""
    with _lock:
        try:
            return current_session()
        except ConfigurationError:
            return connect(os.environ.get("KITSU_HOST", DEFAULT_HOST))


def default_transport() -> TransportProtocol:
    """The transport of the facade's default session: what the raw functions send through."""
    return default_session().transport


def own_session() -> Session:
    """The session a log-in or log-out may change: this thread's own; a worker thread
    still on the main thread's session gets a new one first, on the same host."""
    session = default_session()
    if context.own_session() is None and threading.current_thread() is not threading.main_thread():
        session = connect(session.transport.host)
    return session


def set_host(host: str) -> Session:
    """Point the facade at ``host``: the current session when it is already there
    (gazu keeps its login then, and scripts call ``set_host`` before and after
    logging in), else a new current session, not logged in. Unlike gazu, a login
    never follows to another host: its tokens are not sent to a server they were
    not made for."""
    with _lock:
        try:
            session = current_session()
        except ConfigurationError:
            session = None
    if session is not None and session.transport.host == normalize_host(host):
        return session
    return connect(host)
