"""A tour of kitsu_orm on the sample production: read, walk, edit, fail well.

Run `make demo`: it starts a local Kitsu, fills the sample production, then runs this.
"""

from __future__ import annotations

from collections import Counter
import uuid

from _connect import SAMPLE_PROJECT, connect

import kitsu_orm


def main() -> None:
    kitsu = connect()
    print(f"connected to {kitsu.host} (Zou {kitsu.get('')['version']}) as {kitsu.user['email']}")
    project = next(p for p in kitsu.get("data/projects", {"name": SAMPLE_PROJECT}) if p["name"] == SAMPLE_PROJECT)
    print(f"\nproject {project['name']!r}")

    kitsu.stats.reset()
    episodes = {e["id"]: e["name"] for e in kitsu.get("data/episodes", {"project_id": project["id"]})}
    sequences = kitsu.get("data/sequences", {"project_id": project["id"]})
    shots = kitsu.get("data/shots/with-tasks", {"project_id": project["id"]})
    statuses = {s["id"]: s["short_name"] for s in kitsu.get("data/task-status")}
    task_types = {t["id"]: t["name"] for t in kitsu.get("data/task-types")}
    for sequence in sorted(sequences, key=lambda s: s["name"]):
        print(f"  {episodes.get(sequence['parent_id'], '?')} / {sequence['name']}")
        for shot in sorted((s for s in shots if s["sequence_id"] == sequence["id"]), key=lambda s: s["name"]):
            tasks = ", ".join(
                f"{task_types[t['task_type_id']]}:{statuses[t['task_status_id']]}" for t in shot["tasks"]
            )
            print(f"    {shot['name']}  frames {shot['data'].get('frame_in')}-{shot['data'].get('frame_out')}  [{tasks}]")
    counts = Counter(statuses[t["task_status_id"]] for s in shots for t in s["tasks"])
    print(f"  {len(shots)} shots, task statuses {dict(counts)}: read in {kitsu.stats.total} requests")

    shot = min(shots, key=lambda s: (s["sequence_name"], s["name"]))
    new_out = int(shot["data"].get("frame_out") or 24) + 12
    kitsu.put(f"data/entities/{shot['id']}", {"data": {"frame_out": new_out}})
    again = kitsu.get(f"data/shots/{shot['id']}")
    print(f"\nedited {shot['sequence_name']}/{shot['name']}: frame_out is now {again['data']['frame_out']} on the server")

    try:
        kitsu.get(f"data/shots/{uuid.uuid4()}")
    except kitsu_orm.NotFound as exc:
        print(f"a missing shot raises {type(exc).__name__}: {exc}")

    print(f"\nrequests this tour: {kitsu.stats.total} ({kitsu.stats.by_method}), retries {kitsu.stats.retries}")
    kitsu.logout()
    print("logged out; no token kept:", kitsu.tokens is None)


if __name__ == "__main__":
    main()
