"""Every benchmark in one run, each side by side with its baseline:

    python benchmarks/run.py [--quick] [--postgres URL] [--json benchmarks/results.json]

- request path and button path: ``steward serve --http`` (SQLite) against a bare Bolt app
  that only acks, at 1 and 16 connections (request_path.py's thread-pool load generator of
  signed requests), alternated, median of the repetitions;
- time from /delegate to the assignee's DM reaching the Slack double;
- Steward's peak memory (VmHWM) after 10,000 delegations;
- the scheduler tick, the digest and the burst delivery, by running tick.py, digest.py and
  burst.py, which compare with their own baselines;
- the /delegate parser on long hostile text, by running parser.py;
- what an unauthenticated client can do to the server (peak memory under oversized bodies
  and headers, answers under 64 slow clients), by running hostile_clients.py;
- latencies the tests hold in behaviour only (the ack wait, /delegate while Slack is down
  or slow, the health check's deadline), by running latency.py.

``--quick`` runs everything small (seconds, not minutes), for a smoke test; its figures mean
little. Prints a short table and writes the figures as JSON.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks import request_path  # noqa: E402

FULL = {
    "seconds": 5.0,
    "repeat": 3,
    "probes": 300,
    "memory": 10_000,
    "tick": ["--small", "1000", "--large", "100000", "--ticks", "200"],
    "digest": ["--delegations", "100000"],
    "burst": ["--count", "10000", "--limit", "50"],
    "latency": ["--repeat", "20"],
    "parser": ["--sizes", "10000", "100000"],
    "hostile_clients": [],
}
QUICK = {
    "seconds": 1.0,
    "repeat": 1,
    "probes": 20,
    "memory": 300,
    "tick": ["--small", "100", "--large", "1000", "--ticks", "20"],
    "digest": ["--delegations", "1000"],
    "burst": ["--count", "100", "--limit", "50"],
    "latency": ["--repeat", "3"],
    "parser": ["--sizes", "1000", "10000", "--repeat", "1"],
    "hostile_clients": ["--stream-mib", "8", "--header-mib", "8", "--calls", "2"],
}


def run_script(name: str, arguments: list[str]) -> dict[str, Any]:
    """One of the other benchmarks, in its own process, its figures read from its JSON."""
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / f"{name}.json"
        started = time.perf_counter()
        completed = subprocess.run(
            [sys.executable, str(HERE / f"{name}.py"), *arguments, "--json", str(output)],
            capture_output=True,
            text=True,
            check=False,
        )
        if completed.returncode != 0:
            return {"error": completed.stderr.strip().splitlines()[-1:] or ["failed"]}
        figures: dict[str, Any] = json.loads(output.read_text())
        figures["printed"] = completed.stdout.strip()
        figures["wall_seconds"] = round(time.perf_counter() - started, 1)
        return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small and fast; a smoke test")
    parser.add_argument("--postgres", help="also run the digest on this PostgreSQL URL")
    parser.add_argument("--json", type=Path, default=HERE / "results.json")
    args = parser.parse_args()
    plan = QUICK if args.quick else FULL

    results: dict[str, Any] = request_path.measure(
        seconds=plan["seconds"],
        concurrencies=[1, 16],
        repeat=plan["repeat"],
        probes=plan["probes"],
        buttons=True,
        memory_after=plan["memory"],
    )
    results["tick"] = run_script("tick", plan["tick"])
    digest_args = plan["digest"] + (["--postgres", args.postgres] if args.postgres else [])
    results["digest"] = run_script("digest", digest_args)
    results["burst"] = run_script("burst", plan["burst"])
    results["latency"] = run_script("latency", plan["latency"])
    results["parser"] = run_script("parser", plan["parser"])
    results["hostile_clients"] = run_script("hostile_clients", plan["hostile_clients"])
    results["quick"] = args.quick
    print_table(results)
    args.json.write_text(json.dumps(results, indent=2, default=str))
    print(f"\nfigures written to {args.json}")


def print_table(results: dict[str, Any]) -> None:
    for title, path in (
        ("/delegate (request path)", "request_path"),
        ("Accept (button)", "button_path"),
    ):
        print(f"\n{title}")
        print(request_path.HEADER)
        print("\n".join(request_path.table_rows(results, path)))
    tta = results["time_to_assignee"]
    print(
        f"\ntime to assignee DM: p50 {tta['p50_ms']:.1f} ms, p99 {tta['p99_ms']:.1f} ms "
        f"over {tta['samples']} delegations"
    )
    print(
        f"peak RSS of steward serve after {results['memory_after_delegations']:,} "
        f"delegations: {results['peak_rss_mb']:.0f} MB"
    )
    for name in ("tick", "digest", "burst", "latency", "parser", "hostile_clients"):
        figures = results[name]
        printed = figures.get("printed") or f"error: {figures.get('error')}"
        print(f"\n{name}\n{printed}")


if __name__ == "__main__":
    main()
