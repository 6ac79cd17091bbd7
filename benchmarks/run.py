"""Run every benchmark side by side and write docs/performance.md.

``make bench`` runs this. Order: the bench production (built once, reused),
transport overhead, R1 review sheet, W1-W3 writes, M1 memory and import
time, C1 the review sheet from a cold and a warm disk cache, farm: 200 processes reading
one shot's job context (gazu, disk cache, shared Redis tier). A workload that fails is reported as failed and the others still run;
the exit status is 1 when any failed.
"""

from __future__ import annotations

import datetime
import os
import platform
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

import cache_warm
import farm
import footprint
import production
import review_sheet
import transport_overhead
import writes
from _common import Result, bench_server

import kitsu_orm

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "docs" / "performance.md"


def _versions() -> dict[str, str]:
    import gazu

    server = bench_server()
    transport = production.connect()
    zou = transport.get("").get("version", "?")
    try:
        commit = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT,
                                capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "?"
    return {"zou": f"{zou} (local server `{server.name}`, 3 gunicorn workers)",
            "gazu": gazu.__version__, "kitsu_orm": f"{kitsu_orm.__version__} ({commit})"}


def _machine() -> dict[str, str]:
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    return {"cores (nproc)": str(os.cpu_count()),
            "Python": f"{platform.python_version()} ({platform.python_implementation()})",
            "system": f"{platform.system()} {platform.release()} {platform.machine()}",
            "load average at start": load}


def _row(result: Result) -> list[str]:
    lines = []
    for side in result.sides:
        name = f"{side.name} *" if side.name == result.reference else side.name
        requests = "" if side.request_count is None else str(side.request_count)
        if side.value is not None:
            amount = f"{side.value / 2**20:.2f} MiB" if side.unit.startswith("bytes") else (
                f"{side.value:.3g} {side.unit}")
            cell = f"| {name} | {side.how} | {requests} | {amount} |"
        else:
            cell = f"| {name} | {side.how} | {requests} | {result.show(side.median)} |"
        ratio = result.ratio(side.name)
        lines.append(f"{cell} {ratio:.2f} |")
    return lines


def render(results: list[Result], failures: dict[str, str], info: dict[str, dict[str, str]],
           seconds: float) -> str:
    out = ["# Performance", "",
           "Written by `make bench` (`benchmarks/run.py`); do not edit by hand. Every",
           "workload runs side by side with its baseline on the same local Kitsu in one",
           "run, interleaved; times are medians, request counts are exact (one run).",
           "The ratio column is each side's median divided by the reference side's",
           "(marked *): above 1 means slower (or bigger) than the reference. How each",
           "side is written is in the docstring of its script in `benchmarks/`.", ""]
    for title, values in info.items():
        out.append(f"**{title}**: " + "; ".join(f"{k} {v}".strip() for k, v in values.items()))
        out.append("")
    out.append(f"Whole run: {seconds / 60:.1f} min.")
    out.append("")
    out += ["## Targets", "", "| workload | target | measured | met |", "|---|---|---|---|"]
    for result in results:
        for target in result.targets:
            out.append(f"| {result.key} | {target.text} | {target.measured} | "
                       f"{'yes' if target.met else '**no**'} |")
    for key, error in failures.items():
        out.append(f"| {key} | ran to the end | failed: {error} | **no** |")
    out.append("")
    for result in results:
        value_side = any(s.value is not None for s in result.sides)
        unit = "retained" if value_side else f"median {result.unit}"
        out += [f"## {result.key}: {result.title}", "",
                f"| side | how | requests | {unit} | ratio |", "|---|---|---|---|---|"]
        out += _row(result)
        out.append("")
        for note in result.notes:
            out.append(f"- {note}")
        if result.notes:
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def main() -> int:
    began = time.perf_counter()
    info = {"Date": {"": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")},
            "Machine": _machine(), "Versions": _versions()}
    results: list[Result] = []
    failures: dict[str, str] = {}
    steps: list[tuple[str, Callable[[], object]]] = [
        ("production", production.main),
        ("transport", transport_overhead.main),
        ("R1", review_sheet.main),
        ("W1-W3", writes.main),
        ("M1/import", footprint.main),
        ("C1", cache_warm.main),
        ("farm", farm.main),
    ]
    for key, step in steps:
        print(f"== {key}", flush=True)
        started = time.perf_counter()
        try:
            found = step()
        except Exception as exc:  # one broken workload must not hide the others
            traceback.print_exc()
            failures[key] = f"{type(exc).__name__}: {exc}".replace("|", "/")[:300]
            continue
        finally:
            print(f"== {key}: {time.perf_counter() - started:.1f} s", flush=True)
        if isinstance(found, Result):
            results.append(found)
        elif isinstance(found, list):
            results.extend(r for r in found if isinstance(r, Result))
        elif isinstance(found, dict) and key == "production":
            info["Bench production"] = {
                "": f"`{production.PROJECT_NAME}` ready in {found['seconds']:.1f} s "
                    f"({found['requests']} requests; built once, then reused)"}
    seconds = time.perf_counter() - began
    info["Machine"]["load average at end"] = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    OUTPUT.parent.mkdir(exist_ok=True)
    OUTPUT.write_text(render(results, failures, info, seconds))
    print(f"wrote {OUTPUT.relative_to(ROOT)} in {seconds / 60:.1f} min")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
