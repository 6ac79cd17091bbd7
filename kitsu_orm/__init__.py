"""kitsu_orm: an object-relational client for Kitsu, the production tracker."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import (
    AuthenticationError,
    ConfigurationError,
    ConnectionError,
    KitsuError,
    NotFound,
    PermissionDenied,
    ServerError,
    Timeout,
    ValidationError,
)
from .retry import Retry

if TYPE_CHECKING:
    from .transport import Tokens, Transport

__version__ = "0.1.0.dev0"

__all__ = [
    "AuthenticationError",
    "ConfigurationError",
    "ConnectionError",
    "KitsuError",
    "NotFound",
    "PermissionDenied",
    "Retry",
    "ServerError",
    "Timeout",
    "Tokens",
    "Transport",
    "ValidationError",
    "__version__",
]

# requests costs ~0.1 s to import: load the transport only when first used,
# so that `import kitsu_orm` stays cheap for tools that may never connect.
_LAZY = {"Transport": "transport", "Tokens": "transport"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from importlib import import_module

        value = getattr(import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'kitsu_orm' has no attribute {name!r}")
