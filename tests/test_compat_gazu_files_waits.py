"""gazu's waits for a preview the server is still processing, through the facade, and
the requests the files and playlist functions send, offline: a fake transport for
the polling, a loopback HTTP server for the 202 answers of a download (the dev
server turns previews around too fast to catch one processing)."""

from __future__ import annotations

import http.server
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import kitsu_orm as kitsu
from kitsu_orm.compat import gazu
from kitsu_orm.testing import FakeRequest, FakeTransport
from kitsu_orm.transport import Transport

PREVIEW = str(uuid.uuid4())
PLAYLIST = str(uuid.uuid4())


def _polled(statuses: list[str]) -> FakeTransport:
    def kitsu_answer(method: str, path: str, params: Any, json: Any) -> Any:
        status = statuses.pop(0) if len(statuses) > 1 else statuses[0]
        return {"id": PREVIEW, "status": status, "extension": "mp4"}

    return FakeTransport(kitsu_answer)


def test_wait_for_preview_file_polls_until_the_server_is_done() -> None:
    fake = _polled(["processing", "processing", "ready"])
    kitsu.connect("http://kitsu.test/api", transport=fake)
    row = gazu.files.wait_for_preview_file(PREVIEW, timeout=5, poll_interval=0.01)
    assert row["status"] == "ready"
    assert [r.path for r in fake.requests] == [f"data/preview-files/{PREVIEW}"] * 3


def test_wait_for_preview_file_gives_up_with_gazus_exception() -> None:
    kitsu.connect("http://kitsu.test/api", transport=_polled(["processing"]))
    with pytest.raises(gazu.exception.PreviewFileProcessingException) as raised:
        gazu.files.wait_for_preview_file({"id": PREVIEW}, timeout=0.05, poll_interval=0.01)
    assert isinstance(raised.value, kitsu.KitsuError)


def test_requests_of_share_links_and_build_jobs_are_gazus() -> None:
    fake = FakeTransport(lambda method, path, params, json: {"id": str(uuid.uuid4())})
    kitsu.connect("http://kitsu.test/api", transport=fake)
    token = str(uuid.uuid4())
    gazu.playlist.new_share_link(PLAYLIST, "2030-01-01", password="pw")
    gazu.playlist.new_share_link({"id": PLAYLIST}, can_comment=False)
    gazu.playlist.remove_share_link(PLAYLIST, token)
    gazu.playlist.notify_clients_playlist_ready(PLAYLIST)
    base = f"data/playlists/{PLAYLIST}"
    assert fake.requests == [
        FakeRequest(
            "POST",
            f"{base}/share",
            {},
            {"can_comment": True, "expiration_date": "2030-01-01", "password": "pw"},
        ),
        FakeRequest("POST", f"{base}/share", {}, {"can_comment": False}),
        FakeRequest("DELETE", f"{base}/share/{token}", {}, None),
        FakeRequest("POST", f"{base}/notify-clients", {}, {}),
    ]
    for bad in ("../../persons", "", None):
        with pytest.raises(gazu.exception.ParameterException):
            gazu.playlist.remove_share_link(PLAYLIST, bad)  # type: ignore[arg-type]
    assert len(fake.requests) == 4  # refused before any request


class _Processing(http.server.BaseHTTPRequestHandler):
    """Answers 202 (still processing) ``left`` times, then the file."""

    left = 2
    accepts: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        type(self).accepts.append(self.headers.get("Accept", ""))
        if type(self).left > 0:
            type(self).left -= 1
            body = b'{"status": "processing"}'
            self.send_response(202)
            self.send_header("Retry-After", "0")
        else:
            body = b"\x89PNG frame"
            self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def processing_server() -> Iterator[str]:
    _Processing.left, _Processing.accepts = 2, []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Processing)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/api"
    server.shutdown()
    server.server_close()


def test_a_download_waits_while_the_server_answers_202(
    processing_server: str, tmp_path: Path
) -> None:
    kitsu.connect(processing_server, transport=Transport(processing_server, token="t"))
    seen: list[tuple[int, int]] = []
    written = gazu.files.download_preview_file_thumbnail(
        PREVIEW, str(tmp_path / "t.png"), progress_callback=lambda d, t: seen.append((d, t))
    )
    assert written.read_bytes() == b"\x89PNG frame" and seen == [(10, 10)]
    assert len(_Processing.accepts) == 3 and all(
        a.startswith("application/json") for a in _Processing.accepts
    )
    _Processing.left = 1
    assert gazu.files.extract_frame_from_preview(PREVIEW, 1) == b"\x89PNG frame"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.png"]  # nothing else written


def test_a_download_still_processing_after_a_minute_raises_gazus_exception(
    processing_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kitsu_orm.compat.gazu.files import transfer

    monkeypatch.setattr(transfer, "PROCESSING_TIMEOUT", 0.0)
    kitsu.connect(processing_server, transport=Transport(processing_server, token="t"))
    with pytest.raises(gazu.exception.PreviewFileProcessingException):
        gazu.files.download_preview_file_cover(PREVIEW, str(tmp_path / "c.png"))
    assert list(tmp_path.iterdir()) == []
