"""The current session: the one class-level calls (``Shot.where(...)``,
``Task.get(id)``, the gazu facade) run in when given no ``session=``.

It is looked up in this order:

1. the session of the innermost ``with session:`` or ``session.begin()``
   block of this thread or asyncio task;
2. else the session the last ``connect()`` of this thread or task made;
3. else the *process default*: the session the last ``connect()`` of the
   main thread made (``set_default()`` names another);
4. else :class:`~kitsu_orm.errors.ConfigurationError`.

So a thread that connected, or entered a session's block, always works as
its own user, whatever other threads connect; a thread that never did (a
worker of a pool the script started) works in the main thread's session,
never in the session of another worker thread; and a single-threaded script
that connects again moves on to the new session, as before.

Steps 1 and 2 live in a :class:`~contextvars.ContextVar`: an asyncio task
starts with the session of the code that created it and keeps what it
connects to itself; ``asyncio.to_thread`` and ``contextvars.copy_context().run``
carry the caller's session into another thread. A thread started with
``threading.Thread`` or a pool's ``submit`` does not (Python starts it with
an empty context): it gets the process default.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from .errors import ConfigurationError

if TYPE_CHECKING:
    from .session import Session

__all__ = [
    "current_session",
    "default_session",
    "make_current",
    "own_session",
    "set_default",
    "using",
]

_current: contextvars.ContextVar[Session | None] = contextvars.ContextVar(
    "kitsu_session", default=None
)
_default: Session | None = None


def current_session() -> Session:
    """The session class-level calls run in here (see the module's rules)."""
    session = _current.get()
    if session is None:
        session = _default
    if session is None:
        if threading.current_thread() is threading.main_thread():
            raise ConfigurationError("no current session: call kitsu_orm.connect(...) first")
        raise ConfigurationError(
            f"no current session in thread {threading.current_thread().name!r}: call "
            "kitsu_orm.connect(...) in it, pass session=..., or connect in the main thread "
            "first (threads with no session of their own use the main thread's)"
        )
    return session


def own_session() -> Session | None:
    """The session of this thread or task itself (its ``connect()`` or block), if any:
    ``current_session()`` without the process default."""
    return _current.get()


def default_session() -> Session | None:
    """The process default: the session of threads with none of their own."""
    return _default


def make_current(session: Session) -> None:
    """Make ``session`` current for this thread or task, as ``connect()`` does; on
    the main thread it becomes the process default too."""
    _current.set(session)
    if threading.current_thread() is threading.main_thread():
        set_default(session)


def set_default(session: Session | None) -> None:
    """Make ``session`` the process default (None: no default), for a program whose
    login happens off the main thread (a GUI's worker, a service's setup thread)."""
    global _default
    _default = session


@contextmanager
def using(session: Session) -> Iterator[Session]:
    """``session`` is current in this thread or task for the block, then the one before."""
    token = _current.set(session)
    try:
        yield session
    finally:
        _current.reset(token)


def enter(session: Session) -> None:
    """``using()`` split in two, for ``Session.__enter__`` and ``__exit__``: the tokens
    stay in this context, so one session may be entered in several threads at once."""
    _entered.set((*_entered.get(), _current.set(session)))


def leave() -> None:
    """Undo this context's last ``enter()``."""
    entered = _entered.get()
    if entered:
        _entered.set(entered[:-1])
        _current.reset(entered[-1])


_entered: contextvars.ContextVar[tuple[contextvars.Token[Session | None], ...]] = (
    contextvars.ContextVar("kitsu_entered", default=())
)
