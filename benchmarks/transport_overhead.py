"""Per-request overhead of the Transport against a raw requests.Session.

Both sides GET the same route of the same local Kitsu with the same token,
in interleaved batches; the report is the median per-request time of each
and the overhead in percent. Target: under 10% added. In the remote profile
both go through the latency proxy (fewer, shorter batches: each request
costs a round trip).
"""

from __future__ import annotations

import requests
from _common import Result, Side, Target, bench_server, by_profile, client_url, interleaved, median

from kitsu_orm.transport import Transport

BATCH = by_profile(loopback=50, remote=20)
RUNS = by_profile(loopback=7, remote=5)


def main() -> Result:
    server = bench_server()
    transport = Transport(client_url(server))
    transport.login(server.admin_email, server.admin_password)
    assert transport.tokens is not None
    raw = requests.Session()
    raw.headers["Authorization"] = f"Bearer {transport.tokens.access}"
    route = "data/task-status"
    url = transport.url(route)

    def with_transport() -> None:
        for _ in range(BATCH):
            transport.get(route)

    def with_requests() -> None:
        for _ in range(BATCH):
            response = raw.get(url, timeout=(5, 60))
            response.raise_for_status()
            response.json()

    with_transport(), with_requests()  # warm every gunicorn worker
    times = interleaved(RUNS, kitsu_orm=with_transport, requests=with_requests)
    ours = median(times["kitsu_orm"]) / BATCH
    base = median(times["requests"]) / BATCH
    overhead = (ours / base - 1) * 100
    print(f"route GET /{route}, {RUNS} runs of {BATCH} requests, interleaved")
    print(f"raw requests.Session : {base * 1000:7.2f} ms/request")
    print(f"kitsu_orm Transport  : {ours * 1000:7.2f} ms/request")
    print(f"overhead             : {overhead:+.1f}% (target: under +10%)")
    how = f"{BATCH} x GET /{route}, per request"
    result = Result("T1", "transport overhead per request", [
        Side("kitsu_orm Transport", how=how, times=[t / BATCH for t in times["kitsu_orm"]],
             requests=[1] * RUNS),
        Side("raw requests.Session", how=how, times=[t / BATCH for t in times["requests"]],
             requests=[1] * RUNS),
    ], reference="raw requests.Session", unit="ms")
    result.targets.append(Target("Transport adds under 10% per request", overhead < 10,
                                 f"{overhead:+.1f}%"))
    result.figures["Transport's time per request / raw requests.Session's"] = (
        f"{ours / base:.2f}x ({ours * 1000:.1f} ms)")
    return result


if __name__ == "__main__":
    main()
