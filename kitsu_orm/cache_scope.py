"""Whose answers a cache serves: namespaces of (server, user), and confirmed tokens.

One user's answers are never served to another, even on the same machine and
server. The user is one the server confirmed for the token in use, never the
token's own unverified claims: the cache remembers each confirmed token as a
digest keyed by a secret of its folder (HMAC-SHA256), which proves nothing to
someone who has only seen the token elsewhere and gives no token back.
"""

from __future__ import annotations

import hashlib
import hmac

__all__ = ["SECRET_KEY", "confirmation_key", "namespace", "server_key"]

# Where the folder's secret is stored, beside the entries.
SECRET_KEY = "confirmed|secret"


def namespace(server: str, user_id: str) -> str:
    """The prefix of one user's entries on one server."""
    return hashlib.sha256(f"{server}\n{user_id}".encode()).hexdigest()[:24]


def server_key(server: str) -> str:
    """The prefix of entries every user of one server shares (the generations: a
    write here outdates every local user's answers)."""
    return hashlib.sha256(server.encode()).hexdigest()[:24]


def confirmation_key(secret: bytes, server: str, token: str) -> str:
    """Where the user the server confirmed for ``token`` is stored."""
    digest = hmac.new(secret, f"{server}\n{token}".encode(), hashlib.sha256).hexdigest()
    return f"confirmed|{digest}"
