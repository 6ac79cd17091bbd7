"""cache_scope: whose answers a cache serves (no server). The guarantees themselves are
tested through the cache, in tests/test_cache.py."""

from __future__ import annotations

from kitsu_orm.cache_scope import confirmation_key, namespace, server_key

A, B = "http://a.test/api", "http://b.test/api"


def test_a_namespace_is_one_user_on_one_server() -> None:
    assert namespace(A, "u1") == namespace(A, "u1")
    assert len({namespace(A, "u1"), namespace(A, "u2"), namespace(B, "u1")}) == 3
    assert server_key(A) != server_key(B)


def test_a_confirmation_key_needs_the_folders_secret_and_shows_no_token() -> None:
    token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MSJ9.c2lnbmF0dXJl"
    key = confirmation_key(b"s" * 32, A, token)
    assert key.startswith("confirmed|") and token not in key
    assert key != confirmation_key(b"t" * 32, A, token)
    assert key != confirmation_key(b"s" * 32, B, token)
