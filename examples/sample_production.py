"""Fill a small sample production (once; a second run changes nothing).

2 episodes x 2 sequences x 3 shots, 4 assets of 2 types, and tasks on each:
enough for examples/tour.py to have something real to walk through.
"""

from __future__ import annotations

from typing import Any

from _connect import SAMPLE_PROJECT, connect

SHOT_TASKS = ("Animation", "Compositing")
ASSET_TASKS = ("Modeling",)
ASSETS = {"Character": ("Ellie", "Rex"), "Prop": ("Mushroom", "Lantern")}


def by_name(rows: list[dict[str, Any]], name: str) -> dict[str, Any]:
    return next(row for row in rows if row["name"] == name)


def main() -> None:
    kitsu = connect()
    existing = [p for p in kitsu.get("data/projects", {"name": SAMPLE_PROJECT}) if p["name"] == SAMPLE_PROJECT]
    if existing:
        print(f"sample production {SAMPLE_PROJECT!r} already there")
        return
    project = kitsu.post("data/projects", {"name": SAMPLE_PROJECT, "production_type": "tvshow"})
    pid = project["id"]
    task_types = kitsu.get("data/task-types")
    todo = kitsu.get("data/task-status", {"is_default": "true"})[0]
    asset_types = kitsu.get("data/asset-types")

    def add_tasks(entity: dict[str, Any], names: tuple[str, ...]) -> None:
        for name in names:
            kitsu.post("data/tasks", {
                "name": "main", "project_id": pid, "entity_id": entity["id"],
                "task_type_id": by_name(task_types, name)["id"], "task_status_id": todo["id"],
            })

    for type_name, names in ASSETS.items():
        asset_type = by_name(asset_types, type_name)
        for name in names:
            asset = kitsu.post(f"data/projects/{pid}/asset-types/{asset_type['id']}/assets/new", {"name": name})
            add_tasks(asset, ASSET_TASKS)
    for e in (1, 2):
        episode = kitsu.post(f"data/projects/{pid}/episodes", {"name": f"E{e:02d}"})
        for s in (1, 2):
            sequence = kitsu.post(
                f"data/projects/{pid}/sequences", {"name": f"E{e:02d}_SQ{s:02d}", "episode_id": episode["id"]}
            )
            for n in (1, 2, 3):
                shot = kitsu.post(f"data/projects/{pid}/shots", {
                    "name": f"SH{n * 10:03d}", "sequence_id": sequence["id"],
                    "data": {"frame_in": 1, "frame_out": 24 * n}, "nb_frames": 24 * n,
                })
                add_tasks(shot, SHOT_TASKS)
    print(f"sample production {SAMPLE_PROJECT!r} created in {kitsu.stats.total} requests")


if __name__ == "__main__":
    main()
