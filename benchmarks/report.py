"""Prints the benchmark figures and writes benchmarks/RESULTS.md (called by benchmarks/run).

Inputs: the JSON of brink_micro (Google Benchmark), brink_bench (the driver) and
reference/bench_peers.py, all from one invocation of benchmarks/run.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess

TARGETS = {
    "floor_ratio": 2.0,        # a 104-tick run of the default scenario costs at most 2x the floor (issue 16)
    "e2e_seconds": 1.0,        # 10^4 runs of the default in under 1 s on 2 threads
    "efficiency": 0.95,        # parallel efficiency on 2 threads (issue 16)
    "memory_mib": 64.0,        # peak resident memory for 10^6 runs
    "million_seconds": 30.0,   # 10^6 runs of the default via `brink run`, all files, in under 30 s on 2 threads (issue 16)
    "agent_ratio": 300.0,      # Brink runs/s / agent-object peer runs/s, 1 thread
    "numpy_ratio": 10.0,       # Brink runs/s / NumPy peer runs/s, 1 thread
}


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, check=True, capture_output=True, text=True).stdout.strip()
    except (subprocess.CalledProcessError, FileNotFoundError):
        return "?"


def machine():
    model = sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-").strip()
    flags = sh("grep -m1 '^flags' /proc/cpuinfo")
    simd = [f for f in ("sse4_2", "avx", "avx2", "fma", "avx512f") if f" {f}" in flags]
    return {
        "cpu": model,
        "mhz": sh("grep -m1 'cpu MHz' /proc/cpuinfo | cut -d: -f2-").strip(),
        "cache": sh("grep -m1 'cache size' /proc/cpuinfo | cut -d: -f2-").strip(),
        "simd": " ".join(simd),
        "nproc": sh("nproc"),
        "memory": sh("free -h | awk '/^Mem:/ {print $2 \" total, \" $7 \" available\"}'"),
        "kernel": platform.release(),
        "os": sh(". /etc/os-release && echo \"$PRETTY_NAME\""),
        "compiler": sh("c++ --version | head -1"),
        "boost": sh("grep -m1 'define BOOST_LIB_VERSION' /usr/include/boost/version.hpp | cut -d'\"' -f2"),
        "python": platform.python_version(),
        "numpy": sh("/usr/bin/python3 -c 'import numpy; print(numpy.__version__)'"),
        "cxxflags": sh("grep -m1 '^CMAKE_CXX_FLAGS:' build-bench/CMakeCache.txt | cut -d= -f2-") or "none",
        "commit": sh("git rev-parse --short=12 HEAD") + (" (with uncommitted changes)" if sh("git status --porcelain") else ""),
    }


def micro_table(micro):
    """Fastest repetition of each Google Benchmark (real and CPU time per iteration)."""
    best = {}
    for b in micro.get("benchmarks", []):
        if b.get("run_type") == "aggregate":
            continue
        name = b["run_name"] if "run_name" in b else b["name"]
        unit = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[b.get("time_unit", "ns")]
        real, cpu = b["real_time"] * unit, b["cpu_time"] * unit
        per = b.get("per_tick")
        if name not in best or cpu < best[name]["cpu"]:
            best[name] = {"real": real, "cpu": cpu, "per_tick": per}
    return best


def fmt_time(seconds):
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6), ("ns", 1e-9)):
        if seconds >= scale or unit == "ns":
            return f"{seconds / scale:.3g} {unit}"
    return str(seconds)


def verdict(ok):
    return "**met**" if ok else "**not met**"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--micro", required=True)
    ap.add_argument("--bench", required=True)
    ap.add_argument("--peers", required=True)
    ap.add_argument("--command", default="benchmarks/run")
    ap.add_argument("--started", default="")
    ap.add_argument("--load-before", default="?")
    ap.add_argument("--load-after", default="?")
    ap.add_argument("--out", default="benchmarks/RESULTS.md")
    args = ap.parse_args()
    micro = json.load(open(args.micro))
    bench = json.load(open(args.bench))
    peers = json.load(open(args.peers))
    m = machine()
    threads = bench["threads"]
    scen = {s["name"]: s for s in bench["scenarios"]}
    pscen = {s["name"]: s for s in peers["scenarios"]}
    base = bench["scenarios"][0]
    base_peers = pscen.get(base["name"], peers["scenarios"][0])

    # --- targets
    rows = []
    fl = base["floor"]
    rows.append(("104-tick run of the default scenario <= 2x the floor",
                 f"{fl['ratio']:.2f}x ({fl['run_us']:.0f} us vs {fl['floor_us']:.0f} us, CPU; both include "
                 f"{fl['seed_us']:.1f} us of stream keying; per tick without it {fl['tick_ratio']:.2f}x)",
                 fl["ratio"] <= TARGETS["floor_ratio"]))
    e2e = bench.get("e2e")
    if e2e:
        engine_s = e2e["runs"] / base["engine_all"]["runs_per_s"]
        rows.append((f"10^4 runs of the default in under 1 s on {e2e['threads']} threads",
                     f"`brink run`: {e2e['wall']:.2f} s wall ({e2e['cpu']:.2f} s CPU); engine alone: {engine_s:.2f} s",
                     e2e["wall"] < TARGETS["e2e_seconds"]))
    eff = base["engine_all"]["efficiency"]
    rows.append((f"parallel efficiency on {threads} threads >= 95%",
                 f"{100 * eff:.0f}% (default), {100 * scen[bench['scenarios'][-1]['name']]['engine_all']['efficiency']:.0f}% "
                 f"(tick-heavy); wall clock, see the load average",
                 eff >= TARGETS["efficiency"]))
    mem = {r["runs"]: r for r in bench.get("memory", [])}
    big = max(mem) if mem else None
    if big:
        mib = mem[big]["max_rss_kib"] / 1024
        rows.append((f"peak memory for {big:.0e} runs under 64 MiB".replace("e+0", "0^").replace("1 0^", "10^"),
                     f"{mib:.1f} MiB" + "".join(f"; {r:,} runs: {mem[r]['max_rss_kib'] / 1024:.1f} MiB" for r in sorted(mem) if r != big),
                     mib < TARGETS["memory_mib"]))
        if big >= 1_000_000:
            rows.append((f"{big:,} runs via `brink run` (all files) in under 30 s on {threads} threads",
                         f"{mem[big]['wall']:.1f} s wall ({mem[big]['cpu']:.1f} s CPU; see the load average)",
                         mem[big]["wall"] < TARGETS["million_seconds"]))
    # The peers implement model version 2: the targets compare them with Brink on the
    # default scenario when they ran it (benchmarks/run runs it), else on the first they ran.
    b1 = scen.get(base_peers["name"], base)["engine_1"]
    # The floor bounds the runs/s of anything that takes these draws: the floor of a run
    # of the mean length, with a decision rule that cost nothing.
    floor_tick_us = (fl["floor_us"] - fl["seed_us"]) / fl["ticks"]
    floor_mean_us = fl["seed_us"] + base["mean_ticks"] * floor_tick_us
    ceiling = 1e6 / floor_mean_us
    ratios = {}
    for label, key, name in (("agent-object peer", "agent_ratio", "agent"), ("NumPy peer", "numpy_ratio", "numpy")):
        p = base_peers[name]
        ratios[name] = (b1["runs_per_s"] / p["runs_per_s"], b1["runs_per_cpu_s"] / p["runs_per_cpu_s"])
        rows.append((f">= {TARGETS[key]:.0f}x the {label}'s runs/s, 1 thread",
                     f"{ratios[name][0]:.1f}x wall on {base_peers['name']} ({b1['runs_per_s']:.0f} vs {p['runs_per_s']:.1f} runs/s); "
                     f"{ratios[name][1]:.1f}x per CPU second; the floor allows at most {ceiling / p['runs_per_s']:.0f}x "
                     "(see Floor)",
                     ratios[name][0] >= TARGETS[key]))

    # --- print
    print()
    print(f"{'target':<58} {'met':<8} measured")
    for what, measured, ok in rows:
        print(f"{what:<58} {'yes' if ok else 'NO':<8} {measured.replace('`', '')}")
    print()
    for name, (rw, rc) in ratios.items():
        print(f"Brink / {name} peer (1 thread, {base_peers['name']}): {rw:.1f}x wall, {rc:.1f}x CPU")
    print(f"ceiling set by the floor (default scenario, mean run length, no decision cost): {ceiling:,.0f} runs/s")

    # --- RESULTS.md
    L = []
    L.append("# Brink benchmark results\n")
    L.append(f"Generated by `{args.command}` on {args.started or 'unknown date'} (UTC); `benchmarks/README.md` "
             "says what each figure measures and what was optimised. Raw data: `build-bench/bench-results/`.\n")
    L.append("## Machine\n")
    L.append(f"- CPU: {m['cpu']} ({m['mhz']} MHz, cache {m['cache']}, SIMD: {m['simd']}); `nproc` = {m['nproc']}")
    L.append(f"- Memory: {m['memory']} (`free -h`)")
    L.append(f"- {m['os']}, Linux {m['kernel']}; {m['compiler']}; Boost {m['boost']}; Python {m['python']}, NumPy {m['numpy']}")
    L.append(f"- Brink commit {m['commit']}; Release build (`-O3`), extra CMAKE_CXX_FLAGS: {m['cxxflags']} "
             "(no `-march`: portable x86-64 code, no AVX/FMA)")
    L.append(f"- Load average (1, 5, 15 min) before: {args.load_before}; after: {args.load_after}. The machine is shared "
             "(other builds run on the same cores), so every figure is the **best of several repetitions** "
             f"({bench['reps']} for the driver and the peers); one-thread figures are also given per second of CPU "
             "time, which a busy machine disturbs less. Multi-thread figures (parallel efficiency, `brink run` wall "
             "time) are only meaningful when the load average is well below the number of cores.\n")

    L.append("## Targets\n")
    L.append("| target | measured | verdict |")
    L.append("|---|---|---|")
    for what, measured, ok in rows:
        L.append(f"| {what} | {measured} | {verdict(ok)} |")
    L.append("")

    L.append("## Throughput\n")
    L.append(f"Engine (`run_batch`, aggregates recorded, rows discarded by a null sink), {base['runs']:,} runs per measurement.\n")
    L.append("| scenario | mean ticks/run | 1 thread runs/s | 1 thread run-ticks/s | per CPU second (1 thread) | "
             f"{threads} threads runs/s | {threads} threads run-ticks/s | parallel efficiency | CPU time {threads} threads / 1 |")
    L.append("|---|---|---|---|---|---|---|---|---|")
    for s in bench["scenarios"]:
        e1, ea = s["engine_1"], s["engine_all"]
        L.append(f"| {s['name']} | {s['mean_ticks']:.1f} | {e1['runs_per_s']:,.0f} | {e1['ticks_per_s']:,.0f} | "
                 f"{e1['runs_per_cpu_s']:,.0f} runs/s, {e1['ticks_per_cpu_s']:,.0f} run-ticks/s | {ea['runs_per_s']:,.0f} | "
                 f"{ea['ticks_per_s']:,.0f} | {100 * ea['efficiency']:.0f}% | {ea['cpu_overhead']:.2f} |")
    L.append("")
    L.append("The model alone (`simulate()` with no observer, 1 thread, per CPU second) and what the engine adds per run:\n")
    L.append("| scenario | runs/s | ns per run-tick | engine overhead per run |")
    L.append("|---|---|---|---|")
    for s in bench["scenarios"]:
        mo = s["model_1"]
        L.append(f"| {s['name']} | {mo['runs_per_cpu_s']:,.0f} | {mo['ns_per_tick']:.0f} | {mo['engine_overhead_us']:.1f} us |")
    L.append("")
    if e2e:
        L.append(f"`brink run scenarios/baseline.yaml --runs {e2e['runs']} --threads {e2e['threads']} --quiet --out DIR` "
                 f"as a child process (load, runs, all result files): **{e2e['wall']:.2f} s** wall, {e2e['cpu']:.2f} s CPU.\n")
    if mem:
        L.append("Peak resident memory of `brink run scenarios/baseline.yaml --quiet --out DIR` (ru_maxrss of the child, "
                 f"{threads} threads):\n")
        L.append("| runs | peak resident memory | wall | CPU |")
        L.append("|---|---|---|---|")
        for r in sorted(mem):
            L.append(f"| {r:,} | {mem[r]['max_rss_kib'] / 1024:.1f} MiB | {mem[r]['wall']:.1f} s | {mem[r]['cpu']:.1f} s |")
        L.append("")

    L.append("## Time per tick\n")
    L.append("Each phase timed alone (CPU time) on a corpus of tick-start snapshots of real runs; the cost of "
             "restoring a snapshot is subtracted.\n")
    L.append("| scenario | decision | state update | ladder/outcome | whole tick |")
    L.append("|---|---|---|---|---|")
    for s in bench["scenarios"]:
        ph = s["phases_ns"]
        parts = ph["decision"] + ph["state_update"] + ph["ladder_outcome"]
        L.append(f"| {s['name']} | {ph['decision']:.0f} ns ({100 * ph['decision'] / parts:.0f}%) | "
                 f"{ph['state_update']:.0f} ns ({100 * ph['state_update'] / parts:.0f}%) | "
                 f"{ph['ladder_outcome']:.0f} ns ({100 * ph['ladder_outcome'] / parts:.0f}%) | {ph['full_tick']:.0f} ns |")
    L.append("")

    L.append("## Floor\n")
    L.append("Runs that last exactly the horizon (104 ticks), timed against their FLOOR: the same four stream "
             "keys, the same draws from the same streams per tick, the recorded moves' and events' effects, the "
             "clamp, the ladder step and the tension update, and no decision logic (`benchmarks/support.hpp`). The "
             "floor replays each run to the same final state, bit for bit, and leaves every stream at the same place "
             "(checked here, and by `brink_bench_checks` in CTest).\n")
    L.append("| scenario | runs | draws per tick | run | floor | of which stream keying | run / floor | per tick without keying |")
    L.append("|---|---|---|---|---|---|---|---|")
    for s in bench["scenarios"]:
        f = s["floor"]
        if not f["runs"]:
            continue
        L.append(f"| {s['name']} | {f['runs']} | {f['uniforms']:.0f} uniforms, {f['decision_normals']:.0f} + "
                 f"{f['world_normals']:.2f} normals | {f['run_us']:.1f} us | {f['floor_us']:.1f} us | {f['seed_us']:.1f} us | "
                 f"**{f['ratio']:.2f}x** | {1e3 * (f['run_us'] - f['seed_us']) / f['ticks']:.0f} ns vs "
                 f"{1e3 * (f['floor_us'] - f['seed_us']) / f['ticks']:.0f} ns = {f['tick_ratio']:.2f}x |")
    L.append("")
    L.append(f"The floor also bounds throughput: a run of the default scenario's mean length ({base['mean_ticks']:.1f} "
             f"ticks) costs at least {fl['seed_us']:.1f} us of stream keying + {base['mean_ticks']:.1f} x "
             f"{1e3 * floor_tick_us:.0f} ns = {floor_mean_us:.1f} us, so no implementation that takes these draws "
             f"from these streams can exceed **{ceiling:,.0f} runs/s on one thread**, even with a decision rule that "
             f"costs nothing: {ceiling / base_peers['agent']['runs_per_s']:.0f}x the agent peer and "
             f"{ceiling / base_peers['numpy']['runs_per_s']:.1f}x the NumPy peer measured here.\n")

    L.append("## Peers (Python, one thread)\n")
    L.append("Both read the same scenario file and implement the same model (`benchmarks/reference/`); "
             "`test_peers_agree.py` checks their outcome shares, end ticks, highest rungs and action shares against Brink's.\n")
    L.append("| scenario | peer | runs | runs/s | run-ticks/s | per CPU second | odds (esc., de-esc., frozen, ongoing) | Brink / peer (wall, CPU) |")
    L.append("|---|---|---|---|---|---|---|---|")
    for p in peers["scenarios"]:
        s = scen.get(p["name"])
        for name in ("agent", "numpy"):
            q = p[name]
            ratio = "" if s is None else (f"{s['engine_1']['runs_per_s'] / q['runs_per_s']:.1f}x, "
                                          f"{s['engine_1']['runs_per_cpu_s'] / q['runs_per_cpu_s']:.1f}x")
            odds = ", ".join(f"{100 * x:.1f}%" for x in q["odds"])
            L.append(f"| {p['name']} | {name} | {q['runs']:,} | {q['runs_per_s']:,.1f} | {q['ticks_per_s']:,.0f} | "
                     f"{q['runs_per_cpu_s']:,.1f} runs/s | {odds} | {ratio} |")
    L.append("")
    L.append("Brink's odds (escalation, de-escalation, frozen conflict, ongoing war) in the same invocation: " + "; ".join(
        f"{s['name']} " + ", ".join(f"{100 * x:.1f}%" for x in s["odds"]) for s in bench["scenarios"]) + ".\n")

    L.append("## Micro-benchmarks (Google Benchmark, `build-bench/benchmarks/brink_micro`)\n")
    L.append("Fastest repetition of each; per-tick benchmarks iterate over the snapshot corpus.\n")
    L.append("| benchmark | real time / iteration | CPU time / iteration | CPU time per tick |")
    L.append("|---|---|---|---|")
    for name, b in micro_table(micro).items():
        per = f"{b['per_tick'] * 1e9:.0f} ns" if b.get("per_tick") else ""
        L.append(f"| {name} | {fmt_time(b['real'])} | {fmt_time(b['cpu'])} | {per} |")
    L.append("")
    with open(args.out, "w") as f:
        f.write("\n".join(L))
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
