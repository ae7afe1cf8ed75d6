"""The peers implement Brink's model: their outcome odds on the baseline agree with Brink's.

The peers draw different random numbers (Python's `random`, NumPy's PCG64), so runs
differ; what must agree is the distribution. For each peer and each outcome
(escalation, de-escalation, stalemate) a two-proportion z-test compares the peer's
share with Brink's. With 2 peers x 3 outcomes = 6 tests, each uses the two-sided
critical value for alpha = 1e-6 / 6 (Bonferroni), so a correct implementation fails
this file with probability below 1e-6 (the bound holds whatever the correlation of the
six tests). Run counts are fixed below; the smallest difference each test can detect
(5.23 standard errors) is printed with the figures.

Needs Brink's binary: $BRINK, else build-bench/sim/brink or build/sim/brink.
Run from anywhere: python3 -m pytest -q benchmarks/reference/test_peers_agree.py
"""

from __future__ import annotations

import csv
import math
import os
import subprocess
import sys
import tempfile
from statistics import NormalDist

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

import agent_peer  # noqa: E402
import brink_scenario  # noqa: E402
import numpy_peer  # noqa: E402

BASELINE = os.path.join(ROOT, "scenarios", "baseline.yaml")
TICK_HEAVY = os.path.join(ROOT, "benchmarks", "scenarios", "tick-heavy.yaml")
BRINK_RUNS = 20000
NUMPY_RUNS = 20000
AGENT_RUNS = 3000
FAMILY_ALPHA = 1e-6
TESTS = 2 * len(brink_scenario.OUTCOMES)
Z_CRIT = NormalDist().inv_cdf(1.0 - FAMILY_ALPHA / TESTS / 2.0)  # about 5.23


def brink_binary():
    for candidate in (os.environ.get("BRINK"), os.path.join(ROOT, "build-bench", "sim", "brink"),
                      os.path.join(ROOT, "build", "sim", "brink")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


@pytest.fixture(scope="module")
def brink_counts():
    binary = brink_binary()
    if binary is None:
        pytest.skip("Brink's binary not found (set $BRINK)")
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out")
        subprocess.run([binary, "run", BASELINE, "--runs", str(BRINK_RUNS), "--quiet", "--out", out],
                       check=True, stdout=subprocess.DEVNULL)
        with open(os.path.join(out, "summary.csv"), newline="") as f:
            rows = [r for r in csv.DictReader(f) if r["quantity"] == "probability"]
    counts = {r["outcome"]: int(r["count"]) for r in rows}
    assert sum(counts.values()) == BRINK_RUNS
    return counts


def z_statistic(k1, n1, k2, n2):
    pooled = (k1 + k2) / (n1 + n2)
    se = math.sqrt(pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2))
    return 0.0 if se == 0.0 else (k1 / n1 - k2 / n2) / se, se


def check_agreement(name, peer_counts, peer_runs, brink_counts):
    failures = []
    for outcome in brink_scenario.OUTCOMES:
        k_peer, k_brink = peer_counts[outcome], brink_counts[outcome]
        z, se = z_statistic(k_peer, peer_runs, k_brink, BRINK_RUNS)
        line = (f"{name:>6} {outcome:>12}: peer {k_peer / peer_runs:.4f} (n={peer_runs}), "
                f"brink {k_brink / BRINK_RUNS:.4f} (n={BRINK_RUNS}), z = {z:+.2f}, "
                f"|z| < {Z_CRIT:.2f} (detects differences above {Z_CRIT * se:.4f})")
        print(line)
        if abs(z) >= Z_CRIT:
            failures.append(line)
    assert not failures, "peer disagrees with Brink:\n" + "\n".join(failures)


def test_numpy_peer_agrees_with_brink(brink_counts):
    sc = brink_scenario.load(BASELINE)
    counts, _ = numpy_peer.batch_run(sc, NUMPY_RUNS, seed=11)
    check_agreement("numpy", counts, NUMPY_RUNS, brink_counts)


def test_agent_peer_agrees_with_brink(brink_counts):
    sc = brink_scenario.load(BASELINE)
    counts, _ = agent_peer.batch_run(sc, AGENT_RUNS, seed=12)
    check_agreement("agent", counts, AGENT_RUNS, brink_counts)


def test_peers_read_the_tick_heavy_scenario():
    """`extends` and the outcome overrides: no run of the tick-heavy scenario ends early."""
    sc = brink_scenario.load(TICK_HEAVY)
    assert sc.name == "tick-heavy" and not sc.joint_agreement and sc.escalation_rung == len(sc.war_cost) - 1
    assert len(sc.actions) == len(brink_scenario.load(BASELINE).actions)
    for peer, runs in ((numpy_peer, 500), (agent_peer, 20)):
        counts, ticks = peer.batch_run(sc, runs, seed=3)
        assert counts["stalemate"] == runs and ticks == runs * sc.horizon
