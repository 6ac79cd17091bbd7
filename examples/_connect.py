"""How the examples find their Kitsu: KITSU_URL/KITSU_EMAIL/KITSU_PASSWORD, or the local devserver."""

from __future__ import annotations

import os

import kitsu_orm as kitsu

SAMPLE_PROJECT = "Sample: Sprite Fright"
# The sample's artist, who logs in in the tour. A demo account on a local server:
# set KITSU_SAMPLE_ARTIST_PASSWORD to choose its password elsewhere.
ARTIST_EMAIL = "ana@sprite-fright.example"
ARTIST_PASSWORD = os.environ.get("KITSU_SAMPLE_ARTIST_PASSWORD", "sprite-fright-demo")


def connect() -> kitsu.Session:
    url = os.environ.get("KITSU_URL")
    if url:  # its event stream: KITSU_EVENTS_URL, else the root of the Kitsu host
        email, password = os.environ["KITSU_EMAIL"], os.environ["KITSU_PASSWORD"]
        return kitsu.connect(url, email, password)
    from kitsu_orm.devserver import DevServer

    server = DevServer.from_env()
    server.ensure_running()
    session = kitsu.connect(server.url, server.admin_email, server.admin_password)
    session.events.url = server.events_url  # the dev server's stream has a port of its own
    return session
