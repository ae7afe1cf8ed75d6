"""Times the two peers on one thread: runs/s and run-ticks/s, best of several repetitions.

Usage: python3 bench_peers.py [--json FILE] [--reps R] [--agent-runs N] [--numpy-runs N] SCENARIO.yaml ...
NumPy is held to one thread (its BLAS threads are set to 1 before it is imported).
"""

from __future__ import annotations

import os

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
    os.environ[var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import agent_peer  # noqa: E402
import brink_scenario  # noqa: E402
import numpy_peer  # noqa: E402


def best_of(reps, fn):
    """(wall seconds, CPU seconds, result): the minimum of each over the repetitions."""
    wall, cpu, result = float("inf"), float("inf"), None
    for _ in range(reps):
        c0, t0 = time.process_time(), time.perf_counter()
        result = fn()
        wall, cpu = min(wall, time.perf_counter() - t0), min(cpu, time.process_time() - c0)
    return wall, cpu, result


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("scenarios", nargs="*", default=["scenarios/baseline.yaml"])
    ap.add_argument("--json")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--agent-runs", type=int, default=500)
    ap.add_argument("--numpy-runs", type=int, default=20000)
    args = ap.parse_args()
    out = []
    for path in args.scenarios:
        sc = brink_scenario.load(path)
        entry = {"name": sc.name, "path": path}
        for label, peer, runs in (("agent", agent_peer, args.agent_runs), ("numpy", numpy_peer, args.numpy_runs)):
            wall, cpu, (counts, ticks) = best_of(args.reps, lambda: peer.batch_run(sc, runs, seed=1))
            entry[label] = {"runs": runs, "wall": wall, "cpu": cpu, "runs_per_s": runs / wall, "ticks_per_s": ticks / wall,
                            "runs_per_cpu_s": runs / cpu, "ticks_per_cpu_s": ticks / cpu,
                            "odds": [counts[k] / runs for k in brink_scenario.OUTCOMES]}
            print(f"{sc.name:>12} {label:>6} peer: {runs} runs in {wall:.2f} s: {runs / wall:9.1f} runs/s, "
                  f"{ticks / wall:10.0f} run-ticks/s; per CPU second {runs / cpu:9.1f} runs/s (best of {args.reps})",
                  flush=True)
        out.append(entry)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"reps": args.reps, "scenarios": out}, f, indent=1)


if __name__ == "__main__":
    main()
