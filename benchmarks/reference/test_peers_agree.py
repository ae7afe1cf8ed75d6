"""The peers implement Brink's model: their runs are distributed as Brink's runs.

The peers draw different random numbers (Python's `random`, NumPy's PCG64), so runs
differ; what must agree is the distribution. Each comparison of a peer with `brink run`
on one scenario (Brink's side read from its runs.csv, checked against its summary.csv)
tests, per statistic:

- outcome shares: a two-proportion z-test (pooled variance) per outcome (4 tests:
  escalation, de-escalation, and the two horizon outcomes, frozen conflict and ongoing
  war, split by `outcomes.war_rung`);
- the end tick of the runs of each outcome: a chi-square test of homogeneity on binned
  ticks (4 tests; a frozen conflict or an ongoing war always ends at the horizon, so
  those tests have one cell and are not made);
- the highest rung of a run: a chi-square test of homogeneity over rungs (1 test);
- each leader's action shares (ticks on an action / ticks played): a z-test per action
  (35 tests on the baseline). The ticks of one run are not independent (resolve makes
  a leader repeat itself), so a plain two-proportion test would be too confident; the
  share is a ratio of per-run sums, and its variance is the ratio estimator's
  (delta method on the per-run counts, pooled under the null:
  Var = s^2(c_i - r t_i) / tbar^2 * (1/n1 + 1/n2)). An action that fewer than 500 runs
  of the smaller sample are expected to use is too rare for the normal approximation
  this far in the tail: a leader's rare actions are tested together, as one share;
- the final state (runs.csv's `final_<variable>`), per variable: the mean of its value at
  the end of a run, and its spread (Brown and Forsythe's: the mean of each run's absolute
  deviation from its own sample's median), each by a z-test with the variance pooled
  under the null (34 tests on the baseline). The pooled variance comes mostly from the
  larger sample, so z is nearly a standardised mean and its tail follows Cramér's
  large-deviation factor exp(z^3 g/6 + z^4 (k - 3 g^2)/24), g and k the statistic's
  skewness and excess kurtosis (from the pooled runs, scaled to the two sample sizes).
  A test is made only where that factor, averaged over the two tails, is at most 1.25
  at its critical |z|, and it reports 1.25 times the normal p (fails beyond |z| = 5.99),
  so its level is below the per-test level; elsewhere it is not made (the agent peer's
  1,000 tick-heavy runs, piled at the bounds after 104 ticks: 30 of 34; its 6,000
  baseline runs: the spreads of tension, trust and us_support). Why this spread test:
  the squared deviations (a z-test of the variance) are too heavy-tailed (factor 8 for
  tension at 10,000 runs, 15 at 6,000), and binned values fail a correct peer: final
  values sit on lattices of effect sums that the peers add in another order than Brink,
  so a value lands 1e-16 either side of a bin edge (western_aid: chi-square p = 1e-317
  for the correct NumPy peer; the binned values agree once rounded to 1e-9).

Chi-square cells: adjacent ticks or rungs are merged until every cell expects at
least 50 runs in the smaller sample (at most 20 cells), so the chi-square
approximation holds far into its tail.

- with model version 2's mechanisms (runs.csv's version-2 columns): the highest level
  of the nuclear track, a chi-square test over levels (1 test), and per commitment the
  times it was honoured and bluffed in a run and its final credibility, each a mean by
  the final state's z-test (3 tests per commitment).

Family-wise error: 7 comparisons are expected to pass (NumPy and agent peer, on the
baseline, on the tick-heavy scenario and on the version-2 variant; NumPy peer on the
firebreak variant), 78 tests each (82 on the version-2 variant), 554 tests. Each is made
at level 1e-6 / 554 (Bonferroni), |z| < 6.01 for the z-tests, so a correct pair of peers
fails this file with probability below 1e-6 whatever the tests' correlation.

Power (one-sided normal approximation, 90% power adds z = 1.28 to 5.86):
- NumPy peer, baseline: 200,000 runs against Brink's 400,000. A 1-point change in an
  outcome share gives z = 0.01 / sqrt(p(1-p)(1/200000 + 1/400000)) = 7.4 for
  frozen conflict (p = 0.572; without outcomes.war_rung there is no ongoing war), 7.5 for de-escalation (p = 0.382), 17 for escalation
  (p = 0.048): detected with probability 0.92, 0.94 and 1. The differences detected
  with 90% power are 0.98, 0.96 and 0.42 points; each test prints its own. Action
  shares: 0.06 points or less (0.3% of the commonest move's share). Final state: a
  mean moved by 0.0012 to 0.0043 (on the variables' [0, 1] scale), a spread by 1.3%
  to 3.3%.
- Agent peer, baseline: 6,000 runs (what about 40 CPU-seconds buy at ~150 runs/s):
  differences detected with 90% power are 2.0 points for escalation, 4.6 for
  de-escalation, 4.7 for frozen conflict, 0.3 points or less for an action share, 0.005 to
  0.020 for a final mean, 6% to 15% for a final spread.
- Tick-heavy (every run lasts the horizon: no settlement, no agreement, escalation
  only at the top rung): NumPy 30,000 and agent 1,000 runs against Brink's 40,000;
  the highest-rung distribution and the action shares are what can differ there.
- Firebreaks (per-rung step thresholds, docs/model.md): the baseline with a step up
  into the NATO-Russia clash at pressure 4.5 instead of 3.2 and a step down out of
  full-scale war at -3.5 instead of -2.25, a temporary scenario that `extends` the
  baseline. NumPy 100,000 runs against Brink's 200,000: differences detected with 90%
  power are 0.57 points for escalation (p = 0.043), 1.32 for de-escalation (0.332),
  1.36 for frozen conflict (0.625). The firebreaks move de-escalation by 5 points and
  frozen conflict by 5.3 (escalation by 0.5, a leader's move by up to 0.9); a peer using
  them only in the ladder step, or only in the leaders' forecast, or one rung off
  (up: the rung stepped out of; down: the rung stepped into) fails with |z| of 10 to
  116 at 50,000 runs.

- Strategic leaders (model version 2, docs/model.md): benchmarks/reference/strategic-v2.yaml,
  the version-1 baseline with foresight 3 and a discount for both leaders, a declared
  commitment (Biden's sanctions warning) with an audience cost, two hidden modes for
  Putin, a jump from the offensive into full-scale war, a nuclear track with rung
  pressure and a nuclear escalation level, a state weight on the ladder, and a war rung
  that splits the horizon runs. NumPy 100,000 and agent 4,000 runs against Brink's
  200,000. A peer without the lookahead (`no_lookahead`: foresight 1, so neither the
  later war costs nor the committed responses) must fail it with 20,000 runs: its
  escalation share is about 14% against Brink's 4.5%.

The tests' own power is tested: the NumPy peer with one mechanism switched off on
purpose (`numpy_peer.simulate(defect=...)`) must be detected by the same checks at the
same levels, with 50,000 runs. Dropping the perceived-state noise is among them: the
outcome shares alone barely see it (|z| < 3 at 50,000 runs); the action shares do
(Biden's military aid: z = -9 at 50,000 runs, -15 at 200,000). A NumPy peer ignoring
the firebreaks (`no_firebreaks`) must fail the firebreak comparison with 20,000 runs
(de-escalation z = +14, Biden's summit z = +55). Dropping the effects' sd noise
(`no_effect_sd`) barely moves outcomes, end ticks, rungs or moves (at 10,000 runs every
such z is below 2.5 and every chi-square p above 0.2), but narrows the final values where
the noisy effects land: with 10,000 runs the spreads of ukraine_strength (z = -17.7), us_support (-11.2), russia_economy
(-10.9) and ukraine_control (-10.0) fail.

Brink's binary: $BRINK, else build-bench/sim/brink or build/sim/brink. A $BRINK that
is not a working executable fails the file; with none found it is skipped, unless
BRINK_REQUIRE_ALL=1 (CTest sets it), when it fails.
Run from anywhere: python3 -m pytest -q benchmarks/reference/test_peers_agree.py
(about 2.5 minutes on 2 idle cores).
"""

from __future__ import annotations

import json
import math
import multiprocessing
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

import agent_peer  # noqa: E402
import brink_scenario  # noqa: E402
import numpy_peer  # noqa: E402

# The version-1 baseline (benchmarks/scenarios/baseline-v1.yaml; version 2 with every
# mechanism off reproduces it exactly), its tick-heavy and firebreak variants, and a
# small version-2 variant with every mechanism of "Strategic leaders" (docs/model.md).
BASELINE = os.path.join(ROOT, "benchmarks", "scenarios", "baseline-v1.yaml")
TICK_HEAVY = os.path.join(ROOT, "benchmarks", "scenarios", "tick-heavy.yaml")
STRATEGIC = os.path.join(HERE, "strategic-v2.yaml")
OUTCOMES = brink_scenario.OUTCOMES

BRINK_RUNS = {BASELINE: 400_000, TICK_HEAVY: 40_000, STRATEGIC: 200_000}
NUMPY_RUNS = {BASELINE: 200_000, TICK_HEAVY: 30_000, STRATEGIC: 100_000}
AGENT_RUNS = {BASELINE: 6_000, TICK_HEAVY: 1_000, STRATEGIC: 4_000}
LOOKAHEAD_DEFECT_RUNS = 20_000  # the NumPy peer without the lookahead, on STRATEGIC
DEFECT_RUNS = 50_000
DEFECT_SD_RUNS = 10_000  # the NumPy peer without the effects' sd noise: the final state's spread sees it
# The firebreak variant of the baseline (a temporary scenario that `extends` it): per-rung
# step thresholds on the clash rung (stepping up into it) and on full-scale war (stepping
# down out of it). Rung index -> thresholds added to that rung.
FIREBREAKS = {7: {"up_threshold": 4.5}, 6: {"down_threshold": -3.5}}
FIREBREAK_RUNS = {"brink": 200_000, "numpy": 100_000, "defect": 20_000}
NUMPY_CHUNK = 25_000  # runs per NumPy batch: larger batches run slower per run (cache)
AGENT_CHUNK = 250
WORKERS = max(1, min(4, len(os.sched_getaffinity(0))))

MIN_EXPECTED = 50  # runs a chi-square cell expects in the smaller sample, at least
MAX_CELLS = 20
MIN_RUNS_USING = 500  # runs expected to use an action (or group) in the smaller sample, at least
MAX_TAIL_RATIO = 1.25  # a final-state z-test's true tail at its critical |z|, over the normal's, at most
FAMILY_ALPHA = 1e-6
COMPARISONS = 7  # expected to pass: (NumPy, agent) x (baseline, tick-heavy, version 2), NumPy on the firebreak variant


def checks_per_comparison(sc: brink_scenario.Scenario) -> int:
    """Outcome shares, end ticks per outcome, highest rung, one per action of each menu,
    the mean and the spread of each variable's final value; with a nuclear track its
    highest level, and per commitment the times honoured, bluffed and its final credibility."""
    return len(OUTCOMES) + len(OUTCOMES) + 1 + sum(len(leader.menu) for leader in sc.leaders) + 2 * len(sc.variables) \
        + (sc.nuclear is not None) + 3 * len(sc.commitments)


# The comparisons expected to pass, by scenario (the firebreak variant has the baseline's checks).
PASSING = {BASELINE: 3, TICK_HEAVY: 2, STRATEGIC: 2}
assert sum(PASSING.values()) == COMPARISONS
TESTS = sum(count * checks_per_comparison(brink_scenario.load(path)) for path, count in PASSING.items())
ALPHA = FAMILY_ALPHA / TESTS  # per test, two-sided
Z_CRIT = NormalDist().inv_cdf(1.0 - ALPHA / 2.0)  # about 5.95
Z_POWER = NormalDist().inv_cdf(0.9)  # a difference of (Z_CRIT + Z_POWER) se is caught 90% of the time
# A final-state z-test reports MAX_TAIL_RATIO times the normal p, so it fails beyond this |z|:
Z_CRIT_FINAL = NormalDist().inv_cdf(1.0 - ALPHA / (2.0 * MAX_TAIL_RATIO))  # about 5.99


# --- samples of runs ----------------------------------------------------------------


@dataclass
class Sample:
    """Per run: outcome index (into OUTCOMES), end tick, highest rung; per leader a
    (runs x menu) array of the ticks each action was chosen; the (variables x runs)
    state at the end of the run; `extras`, per run, what runs.csv records of the version-2
    mechanisms: "max_level", and per commitment ID "honoured_ID", "bluffed_ID",
    "credibility_ID" (runs.csv's column names)."""

    outcome: np.ndarray
    end_tick: np.ndarray
    max_rung: np.ndarray
    actions: list
    final: np.ndarray
    extras: dict = field(default_factory=dict)

    @property
    def n(self):
        return len(self.outcome)


def concat(parts) -> Sample:
    return Sample(np.concatenate([p.outcome for p in parts]), np.concatenate([p.end_tick for p in parts]),
                  np.concatenate([p.max_rung for p in parts]),
                  [np.concatenate([p.actions[i] for p in parts]) for i in range(2)],
                  np.concatenate([p.final for p in parts], axis=1),
                  {key: np.concatenate([p.extras[key] for p in parts]) for key in parts[0].extras})


def extras_of(sc, max_level, honoured, bluffed, credibility) -> dict:
    """Sample.extras from per-run arrays (honoured, bluffed, credibility: commitments x runs)."""
    extras = {} if sc.nuclear is None else {"max_level": np.asarray(max_level)}
    for c, com in enumerate(sc.commitments):
        extras.update({f"honoured_{com.id}": honoured[c], f"bluffed_{com.id}": bluffed[c],
                       f"credibility_{com.id}": credibility[c]})
    return extras


def _numpy_chunk(path, runs, seed, defect):
    sc = brink_scenario.load(path)
    r = numpy_peer.simulate(sc, runs, seed, defect=defect)
    x = r.extras
    return Sample(r.outcome, r.end_tick, r.max_rung, r.actions, r.final,
                  extras_of(sc, x.get("max_level"), x.get("honoured"), x.get("bluffed"), x.get("credibility")))


def _agent_chunk(path, first, runs, seed):
    sc = brink_scenario.load(path)
    rows = list(agent_peer.play(sc, range(first, first + runs), seed))
    per_commitment = [np.array([r[k] for r in rows]).T.reshape(len(sc.commitments), len(rows)) for k in (6, 7, 8)]
    return Sample(np.array([OUTCOMES.index(r[0]) for r in rows]), np.array([r[1] for r in rows]),
                  np.array([r[2] for r in rows]), [np.array([r[3][i] for r in rows]) for i in range(2)],
                  np.array([r[4] for r in rows]).T, extras_of(sc, [r[5] for r in rows], *per_commitment))


def pool():
    return ProcessPoolExecutor(WORKERS, mp_context=multiprocessing.get_context("fork"))


def numpy_sample(path, runs, seed, defect=None) -> Sample:
    """`runs` NumPy-peer runs in batches on all cores; batch k is seeded with (seed, k)."""
    sizes = [min(NUMPY_CHUNK, runs - start) for start in range(0, runs, NUMPY_CHUNK)]
    with pool() as ex:
        parts = ex.map(_numpy_chunk, [path] * len(sizes), sizes, [[seed, k] for k in range(len(sizes))],
                       [defect] * len(sizes))
        return concat(list(parts))


def agent_sample(path, runs, seed) -> Sample:
    """Agent-peer runs 0 .. runs-1, in batches on all cores."""
    firsts = list(range(0, runs, AGENT_CHUNK))
    sizes = [min(AGENT_CHUNK, runs - f) for f in firsts]
    with pool() as ex:
        return concat(list(ex.map(_agent_chunk, [path] * len(firsts), firsts, sizes, [seed] * len(firsts))))


def write_firebreak_scenario(directory) -> str:
    """The baseline with FIREBREAKS, as a scenario file that `extends` it (its ladder's
    rungs in full: `extends` replaces lists whole). Returns its path."""
    with open(BASELINE, encoding="utf-8") as f:
        rungs = yaml.safe_load(f)["ladder"]["rungs"]
    lines = [f"extends: {json.dumps(BASELINE)}", "name: baseline-firebreaks", "ladder:", "  rungs:"]
    for r, rung in enumerate(rungs):
        fields = {**rung, **FIREBREAKS.get(r, {})}
        lines.append("    - {" + ", ".join(f"{key}: {json.dumps(value)}" for key, value in fields.items()) + "}")
    path = os.path.join(directory, "baseline-firebreaks.yaml")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    return path


def brink_binary() -> str:
    """$BRINK (it must work), else a build's binary; none: skip, or fail if BRINK_REQUIRE_ALL=1."""
    named = os.environ.get("BRINK")
    if named:
        if not (os.path.isfile(named) and os.access(named, os.X_OK)):
            pytest.fail(f"BRINK={named} is not an executable file")
        r = subprocess.run([named, "--version"], capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            pytest.fail(f"BRINK={named} does not run: `--version` exited {r.returncode}\n{r.stderr}")
        return named
    for candidate in (os.path.join(ROOT, "build-bench", "sim", "brink"), os.path.join(ROOT, "build", "sim", "brink")):
        if os.access(candidate, os.X_OK):
            return candidate
    reason = "Brink's binary not found: $BRINK unset, no build-bench/sim/brink or build/sim/brink"
    if os.environ.get("BRINK_REQUIRE_ALL") == "1":
        pytest.fail(f"{reason} (BRINK_REQUIRE_ALL=1: a missing binary is a failure, not a skip)")
    pytest.skip(reason)


def brink_sample(path, runs) -> Sample:
    """`brink run` on the scenario (its own seed); per-run figures from runs.csv (the final
    state from its `final_<variable>` columns), checked against the counts in summary.csv."""
    sc = brink_scenario.load(path)
    binary = brink_binary()
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out")
        subprocess.run([binary, "run", path, "--runs", str(runs), "--quiet", "--out", out],
                       check=True, stdout=subprocess.DEVNULL)
        columns = [[f"{leader.id}_{sc.actions[a].name}" for a in leader.menu] for leader in sc.leaders]
        finals = [f"final_{v}" for v in sc.variables]
        extras = ([] if sc.nuclear is None else ["max_level"]) + \
            [f"{kind}_{c.id}" for c in sc.commitments for kind in ("honoured", "bluffed", "credibility")]
        table = pd.read_csv(os.path.join(out, "runs.csv"),
                            usecols=["outcome", "end_tick", "max_rung"] + columns[0] + columns[1] + finals + extras)
        summary = pd.read_csv(os.path.join(out, "summary.csv"))
    sample = Sample(table["outcome"].map(OUTCOMES.index).to_numpy(), table["end_tick"].to_numpy(),
                    table["max_rung"].to_numpy(), [table[c].to_numpy() for c in columns],
                    table[finals].to_numpy(dtype=np.float64).T, {key: table[key].to_numpy() for key in extras})
    assert sample.n == runs, f"runs.csv has {sample.n} rows for {runs} runs"
    probability = summary[summary["quantity"] == "probability"].set_index("outcome")["count"]
    assert [int(probability[o]) for o in OUTCOMES] == np.bincount(sample.outcome, minlength=len(OUTCOMES)).tolist()
    max_rung = summary[summary["quantity"] == "max_rung_share"]["count"].tolist()
    assert max_rung == np.bincount(sample.max_rung, minlength=len(sc.war_cost)).tolist()
    return sample


# --- statistics ---------------------------------------------------------------------


def chi2_sf(x, df):
    """P(X >= x), X chi-square with df degrees of freedom: the regularised upper incomplete
    gamma Q(df/2, x/2), by its series below a+1 and its continued fraction above
    (Numerical Recipes, 6.2), accurate in the far tail where 1 - P would lose it all."""
    a, x = df / 2.0, x / 2.0
    if x <= 0.0:
        return 1.0
    front = math.exp(a * math.log(x) - x - math.lgamma(a))
    if x < a + 1.0:
        term = total = 1.0 / a
        for k in range(1, 100_000):
            term *= x / (a + k)
            total += term
            if term < total * 1e-17:
                break
        return max(0.0, 1.0 - total * front)
    tiny = 1e-300
    b = x + 1.0 - a
    c, d = 1.0 / tiny, 1.0 / b
    h = d
    for k in range(1, 100_000):
        an = -k * (k - a)
        b += 2.0
        d = an * d + b
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = b + an / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        if abs(d * c - 1.0) < 1e-16:
            break
    return front * h


def z_p(z):
    return 2.0 * NormalDist().cdf(-abs(z))


@dataclass
class Check:
    label: str
    p: float
    text: str

    @property
    def failed(self):
        return self.p < ALPHA


def share_checks(name, peer: Sample, brink: Sample):
    checks = []
    for k, outcome in enumerate(OUTCOMES):
        k1, k2 = int((peer.outcome == k).sum()), int((brink.outcome == k).sum())
        pooled = (k1 + k2) / (peer.n + brink.n)
        se = math.sqrt(pooled * (1.0 - pooled) * (1.0 / peer.n + 1.0 / brink.n))
        z = 0.0 if se == 0.0 else (k1 / peer.n - k2 / brink.n) / se
        checks.append(Check(f"{name} share {outcome}", z_p(z),
                            f"peer {k1 / peer.n:.4f}, brink {k2 / brink.n:.4f}, z = {z:+.2f} "
                            f"(90% power at {100 * (Z_CRIT + Z_POWER) * se:.2f} points)"))
    return checks


def merged_cells(a, b):
    """Adjacent cells merged in order until each expects MIN_EXPECTED in the smaller
    sample, and no more than MAX_CELLS; the rest goes to the last cell."""
    na, nb = a.sum(), b.sum()
    need = max(MIN_EXPECTED * (na + nb) / min(na, nb), (na + nb) / MAX_CELLS)
    cells, acc = [], np.zeros(2, dtype=np.int64)
    for x, y in zip(a, b):
        acc += (x, y)
        if acc.sum() >= need:
            cells.append(acc)
            acc = np.zeros(2, dtype=np.int64)
    if cells:
        cells[-1] = cells[-1] + acc
    return np.array(cells, dtype=np.float64).reshape(-1, 2)


def homogeneity(label, a, b):
    """Chi-square test that two count vectors over the same ordered cells share a distribution."""
    if min(a.sum(), b.sum()) < 2 * MIN_EXPECTED:
        return Check(label, 1.0, f"not made: {int(a.sum())} and {int(b.sum())} runs")
    cells = merged_cells(a, b)
    if len(cells) < 2:
        return Check(label, 1.0, "not made: one cell")
    expected = cells.sum(axis=1, keepdims=True) * cells.sum(axis=0, keepdims=True) / cells.sum()
    stat = float(((cells - expected) ** 2 / expected).sum())
    p = chi2_sf(stat, len(cells) - 1)
    shares = cells / cells.sum(axis=0)
    worst = int(np.argmax(np.abs(shares[:, 0] - shares[:, 1])))
    return Check(label, p, f"chi2 = {stat:.1f} on {len(cells) - 1} df, p = {p:.2g}; largest gap in cell {worst + 1}: "
                           f"peer {shares[worst, 0]:.4f}, brink {shares[worst, 1]:.4f}")


def distribution_checks(name, peer: Sample, brink: Sample, sc):
    horizon, rungs = sc.horizon, len(sc.war_cost)
    checks = []
    for k, outcome in enumerate(OUTCOMES):
        a = np.bincount(peer.end_tick[peer.outcome == k], minlength=horizon + 1)
        b = np.bincount(brink.end_tick[brink.outcome == k], minlength=horizon + 1)
        checks.append(homogeneity(f"{name} end tick | {outcome}", a, b))
    checks.append(homogeneity(f"{name} max rung", np.bincount(peer.max_rung, minlength=rungs),
                              np.bincount(brink.max_rung, minlength=rungs)))
    return checks


def ratio_test(label, c1, t1, c2, t2):
    """z-test that two samples share the ratio sum(c)/sum(t) (c: a run's ticks on some
    actions, t: its ticks). Runs are the independent units: the variance is the ratio
    estimator's (delta method), from the per-run residuals c - r t pooled under the null."""
    n1, n2 = len(t1), len(t2)
    r1, r2 = c1.sum() / t1.sum(), c2.sum() / t2.sum()
    r = (c1.sum() + c2.sum()) / (t1.sum() + t2.sum())
    d = np.concatenate([c1 - r * t1, c2 - r * t2])
    tbar = (t1.sum() + t2.sum()) / (n1 + n2)
    se = math.sqrt((d ** 2).sum() / (n1 + n2 - 1) / tbar ** 2 * (1.0 / n1 + 1.0 / n2))
    z = 0.0 if se == 0.0 else (r1 - r2) / se
    return Check(label, z_p(z), f"peer {r1:.5f}, brink {r2:.5f}, z = {z:+.2f} "
                                f"(90% power at {100 * (Z_CRIT + Z_POWER) * se:.3f} points)")


def action_checks(name, peer: Sample, brink: Sample, sc):
    """Per leader and action, its share of the leader's moves. An action used in fewer
    than MIN_RUNS_USING runs of the smaller sample (expected, pooled) is too rare for the
    normal approximation at this level: such actions are tested together, as one share."""
    checks = []
    small = min(peer.n, brink.n)
    for i, leader in enumerate(sc.leaders):
        c1, c2 = peer.actions[i], brink.actions[i]
        used = ((c1 > 0).sum(axis=0) + (c2 > 0).sum(axis=0)) / (peer.n + brink.n)
        names = [sc.actions[a].name for a in leader.menu]
        groups = [(names[k], [k]) for k in range(len(names)) if used[k] * small >= MIN_RUNS_USING]
        rare = [k for k in range(len(names)) if used[k] * small < MIN_RUNS_USING]
        if rare:
            groups.append(("rare actions " + "+".join(names[k] for k in rare), rare))
        for label, cols in groups:
            label = f"{name} {leader.id} {label}"
            x1, x2 = c1[:, cols].sum(axis=1), c2[:, cols].sum(axis=1)
            using = ((x1 > 0).sum() + (x2 > 0).sum()) / (peer.n + brink.n) * small
            if using < MIN_RUNS_USING:
                checks.append(Check(label, 1.0, f"not made: {using:.0f} runs expected to use it"))
            else:
                checks.append(ratio_test(label, x1, peer.end_tick, x2, brink.end_tick))
    return checks


def tail_ratio(x, n1, n2, z=Z_CRIT_FINAL):
    """How far the normal tail misstates P(|z| > Z_CRIT_FINAL) for a difference of two
    sample means of values distributed as x (under the null, both samples share its law):
    Cramér's large-deviation factor exp(z^3 g/6 + z^4 (k - 3 g^2)/24), g and k the
    statistic's skewness and excess kurtosis, averaged over the two tails."""
    c = x - x.mean()
    c2 = c * c  # products, not powers: np.power is ~20 times slower here
    m2, m3, m4 = c2.mean(), (c2 * c).mean(), (c2 * c2).mean()
    g = m3 * (1.0 / n1 ** 2 - 1.0 / n2 ** 2) / (m2 * (1.0 / n1 + 1.0 / n2)) ** 1.5
    k = (m4 - 3.0 * m2 ** 2) * (1.0 / n1 ** 3 + 1.0 / n2 ** 3) / (m2 * (1.0 / n1 + 1.0 / n2)) ** 2
    even = z ** 4 * (k - 3.0 * g ** 2) / 24.0
    return (math.exp(even + z ** 3 * g / 6.0) + math.exp(even - z ** 3 * g / 6.0)) / 2.0


def mean_test(label, a, b, describe):
    """z-test that two samples share a mean, the variance pooled under the null (most of
    it from the larger sample, so z is nearly a standardised mean, not a studentised one).
    Made only where the true tail at Z_CRIT_FINAL is within MAX_TAIL_RATIO of the normal's
    (tail_ratio), and reports MAX_TAIL_RATIO times the normal p: the true level is below
    ALPHA. `describe(mean_a, mean_b, d)` words the means and d, the difference found with
    90% power."""
    n1, n2 = len(a), len(b)
    x = np.concatenate([a, b])
    var = x.var(ddof=1)
    if var == 0.0:
        return Check(label, 1.0, f"not made: every run ends on {x[0]:.4g}")
    ratio = tail_ratio(x, n1, n2)
    if ratio > MAX_TAIL_RATIO:
        return Check(label, 1.0, f"not made: too skewed for the normal tail (Cramér factor {ratio:.2f} at "
                                 f"|z| = {Z_CRIT_FINAL:.2f})")
    se = math.sqrt(var * (1.0 / n1 + 1.0 / n2))
    z = (a.mean() - b.mean()) / se
    return Check(label, min(1.0, MAX_TAIL_RATIO * z_p(z)),
                 f"{describe(a.mean(), b.mean(), (Z_CRIT_FINAL + Z_POWER) * se)}, z = {z:+.2f}")


def final_state_checks(name, peer: Sample, brink: Sample, sc):
    """Per variable, its value at the end of a run: the mean, and the spread (Brown and
    Forsythe's: the mean of each run's absolute deviation from its own sample's median),
    each by mean_test."""
    checks = []
    for v, variable in enumerate(sc.variables):
        a, b = peer.final[v], brink.final[v]
        checks.append(mean_test(f"{name} final {variable} mean", a, b,
                                lambda ma, mb, d: f"peer {ma:.5f}, brink {mb:.5f} (90% power at {d:.5f})"))
        checks.append(mean_test(f"{name} final {variable} spread", np.abs(a - np.median(a)), np.abs(b - np.median(b)),
                                lambda ma, mb, d: f"mean |deviation from the median| peer {ma:.5f}, brink {mb:.5f} "
                                                  f"(90% power at {100 * d / mb if mb > 0 else math.inf:.1f}%)"))
    return checks


def version2_checks(name, peer: Sample, brink: Sample, sc):
    """The nuclear track's highest level (chi-square over levels), and per commitment the
    times it was honoured and bluffed in a run and its final credibility (means, by
    mean_test)."""
    checks = []
    if sc.nuclear is not None:
        levels = len(sc.nuclear.level_ids)
        checks.append(homogeneity(f"{name} max level", np.bincount(peer.extras["max_level"], minlength=levels),
                                  np.bincount(brink.extras["max_level"], minlength=levels)))
    for c in sc.commitments:
        for kind in ("honoured", "bluffed", "credibility"):
            key = f"{kind}_{c.id}"
            checks.append(mean_test(f"{name} {kind} {c.id}", peer.extras[key].astype(np.float64),
                                    brink.extras[key].astype(np.float64),
                                    lambda ma, mb, d: f"mean peer {ma:.5f}, brink {mb:.5f} (90% power at {d:.5f})"))
    return checks


def compare(name, peer: Sample, brink: Sample, sc) -> list[Check]:
    checks = share_checks(name, peer, brink) + distribution_checks(name, peer, brink, sc) \
        + action_checks(name, peer, brink, sc) + final_state_checks(name, peer, brink, sc) \
        + version2_checks(name, peer, brink, sc)
    assert len(checks) <= checks_per_comparison(sc)
    print(f"\n{name}: {peer.n} peer runs, {brink.n} Brink runs; each test at level {ALPHA:.2g} (|z| < {Z_CRIT:.2f})")
    for c in checks:
        print(f"  {'FAIL' if c.failed else 'ok  '} {c.label}: {c.text}")
    return checks


def assert_agrees(checks):
    failed = [f"{c.label}: {c.text}" for c in checks if c.failed]
    assert not failed, "peer disagrees with Brink:\n" + "\n".join(failed)


# --- the tests ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def brink_baseline():
    return brink_sample(BASELINE, BRINK_RUNS[BASELINE])


@pytest.fixture(scope="module")
def brink_tick_heavy():
    return brink_sample(TICK_HEAVY, BRINK_RUNS[TICK_HEAVY])


@pytest.fixture(scope="module")
def firebreak_scenario(tmp_path_factory):
    return write_firebreak_scenario(tmp_path_factory.mktemp("firebreaks"))


@pytest.fixture(scope="module")
def brink_firebreaks(firebreak_scenario):
    return brink_sample(firebreak_scenario, FIREBREAK_RUNS["brink"])


def test_statistics_helpers():
    """The chi-square tail against known values; the merged cells keep every run."""
    for x, df, p in ((3.841458820694124, 1, 0.05), (45.31474128, 10, 1.9080361747574363e-06),
                     (0.5, 4, 0.9735009788392561), (100.0, 3, 1.5541594313896026e-21)):  # scipy.stats.chi2.sf
        assert chi2_sf(x, df) == pytest.approx(p, rel=1e-9, abs=0.0)
    a, b = np.array([0, 30, 500, 40, 0, 7]), np.array([1, 60, 900, 100, 3, 20])
    cells = merged_cells(a, b)
    assert cells.sum(axis=0).tolist() == [a.sum(), b.sum()] and (cells.sum(axis=1) >= 50 * 1831 / 577).all()
    # Cramér's factor against the exact tail beyond |z| = 6 over the normal's (scipy.stats.binom; the
    # other sample unbounded), for n runs of a share (Bernoulli p: skewed) or of a symmetric
    # {-1, 0, 1} with P(0) = 0.98 (heavy-tailed): within the ~10% that the lattice of counts alone
    # moves the exact tail, and far above the limit where a skewed share is too rare.
    share = {p: np.repeat([1.0, 0.0], [round(p * 1000), round((1 - p) * 1000)]) for p in (0.2, 0.3, 0.05)}
    spiky = np.repeat([1.0, -1.0, 0.0], [10, 10, 980])
    for x, n, exact in ((share[0.2], 6000, 1.2798101), (share[0.3], 4000, 1.1677031), (spiky, 2000, 3.8236188)):
        assert tail_ratio(x, n, 10 ** 12, z=6.0) == pytest.approx(exact, rel=0.1)
    assert tail_ratio(share[0.05], 1000, 10 ** 12, z=6.0) > 5 * MAX_TAIL_RATIO  # exact: 13.188794


def test_a_missing_or_broken_binary_fails_rather_than_skips(monkeypatch, tmp_path):
    """A $BRINK that is not a working executable fails; with no binary at all the file
    is skipped, or fails under BRINK_REQUIRE_ALL=1 (CI must not pass by skipping)."""
    monkeypatch.setattr(sys.modules[__name__], "ROOT", str(tmp_path))  # no build/ binaries there
    broken = tmp_path / "brink"
    broken.write_text("#!/bin/sh\nexit 3\n")
    broken.chmod(0o755)
    for named in (str(tmp_path / "absent"), str(broken)):
        monkeypatch.setenv("BRINK", named)
        with pytest.raises(pytest.fail.Exception, match="BRINK="):
            brink_binary()
    monkeypatch.delenv("BRINK")
    monkeypatch.setenv("BRINK_REQUIRE_ALL", "1")
    with pytest.raises(pytest.fail.Exception, match="BRINK_REQUIRE_ALL=1"):
        brink_binary()
    monkeypatch.delenv("BRINK_REQUIRE_ALL")
    with pytest.raises(pytest.skip.Exception):
        brink_binary()


def test_numpy_peer_agrees_with_brink(brink_baseline):
    sc = brink_scenario.load(BASELINE)
    assert_agrees(compare("numpy", numpy_sample(BASELINE, NUMPY_RUNS[BASELINE], seed=11), brink_baseline, sc))


def test_agent_peer_agrees_with_brink(brink_baseline):
    sc = brink_scenario.load(BASELINE)
    assert_agrees(compare("agent", agent_sample(BASELINE, AGENT_RUNS[BASELINE], seed=12), brink_baseline, sc))


def test_peers_agree_on_the_tick_heavy_scenario(brink_tick_heavy):
    """`extends` and the outcome overrides: runs last the horizon, and what they do on
    the way (rungs reached, moves) is distributed as Brink's."""
    sc = brink_scenario.load(TICK_HEAVY)
    assert sc.name == "tick-heavy" and not sc.joint_agreement and sc.escalation_rung == len(sc.war_cost) - 1
    numpy_runs = numpy_sample(TICK_HEAVY, NUMPY_RUNS[TICK_HEAVY], seed=13)
    agent_runs = agent_sample(TICK_HEAVY, AGENT_RUNS[TICK_HEAVY], seed=14)
    checks = compare("numpy tick-heavy", numpy_runs, brink_tick_heavy, sc) \
        + compare("agent tick-heavy", agent_runs, brink_tick_heavy, sc)
    assert_agrees(checks)


@pytest.mark.parametrize("defect", ["no_state_noise", "no_resolve", "no_misperception"])
def test_a_defective_peer_is_detected(defect, brink_baseline):
    """The checks above have the power to see a wrong model: the NumPy peer with one
    mechanism switched off fails them, at the same levels, with only DEFECT_RUNS runs."""
    sc = brink_scenario.load(BASELINE)
    checks = compare(f"numpy {defect}", numpy_sample(BASELINE, DEFECT_RUNS, seed=15, defect=defect), brink_baseline, sc)
    assert any(c.failed for c in checks), f"the NumPy peer with defect '{defect}' passes every check"


def test_a_peer_without_effect_noise_is_detected(brink_baseline):
    """Dropping the effects' sd noise (`no_effect_sd`) barely moves the outcomes, ticks,
    rungs or moves, but it narrows the final values of the variables the noisy effects
    land on: with DEFECT_SD_RUNS runs a final-state spread check must fail."""
    sc = brink_scenario.load(BASELINE)
    peer = numpy_sample(BASELINE, DEFECT_SD_RUNS, seed=18, defect="no_effect_sd")
    failed = [c.label for c in compare("numpy no_effect_sd", peer, brink_baseline, sc) if c.failed]
    assert any(" final " in label and label.endswith(" spread") for label in failed), \
        f"the NumPy peer without the effects' sd noise passes every final-state spread check (failed: {failed})"


def test_firebreaks_reach_both_peers(firebreak_scenario):
    """The per-rung thresholds as Brink derives them (a step up uses the firebreak of the
    rung stepped into, a step down that of the rung stepped out of), and both peers' step
    logistics and the agent peer's war-cost forecast use them: even odds at the firebreak."""
    base, sc = brink_scenario.load(BASELINE), brink_scenario.load(firebreak_scenario)
    assert sc.name == "baseline-firebreaks" and sc.war_cost == base.war_cost and sc.horizon == base.horizon
    # The rule on a small ladder: up from r with rung r+1's, down from r with rung r's, else the ladder's.
    rule = brink_scenario.step_thresholds([{}, {"up_threshold": 5.0, "down_threshold": 1.0}, {"down_threshold": -4.0},
                                           {"up_threshold": 6.0}], 3.0, -2.0)
    assert rule == ([5.0, 3.0, 6.0, 3.0], [-2.0, 1.0, -4.0, -2.0])
    up, down = list(base.up_threshold_at), list(base.down_threshold_at)
    up[6], down[6] = 4.5, -3.5  # into the clash (rung 7) from full-scale war; out of full-scale war (rung 6)
    assert (sc.up_threshold_at, sc.down_threshold_at) == (up, down)
    # The ladder step: even odds exactly at the threshold in force.
    t = numpy_peer.Tables(sc)
    at = np.array([5, 6, 6, 7])
    x = np.array([sc.up_threshold_at[5], 4.5, -3.5, sc.up_threshold_at[7]])
    p_up, p_down = numpy_peer.step_probabilities(t, at, x, t.up_threshold_at[at], t.down_threshold_at[at])
    assert p_up[[0, 1, 3]].tolist() == [0.5] * 3 and p_down[2] == 0.5
    assert agent_peer.step_probabilities(sc, 6, 4.5)[0] == 0.5 and agent_peer.step_probabilities(sc, 6, -3.5)[1] == 0.5
    assert agent_peer.step_probabilities(sc, 7, sc.up_threshold_at[7])[0] == 0.5
    # The agent peer's forecast at rung 6, no tension, pressure 4.5: P(up) = 1/2.
    model = agent_peer.CrisisModel(sc, seed=1)
    model.rung, model.state["tension"] = 6, 0.0
    p_down = agent_peer.logistic(sc.sensitivity * (-3.5 - 4.5))
    expected = 0.5 * sc.war_cost[7] + (0.5 - p_down) * sc.war_cost[6] + p_down * sc.war_cost[5]
    assert model.leaders[0].expected_war_cost(4.5) == pytest.approx(expected, rel=1e-12)


def test_numpy_peer_agrees_with_brink_on_firebreaks(firebreak_scenario, brink_firebreaks):
    """Per-rung thresholds (firebreaks) in the ladder step and in the leaders' forecast."""
    sc = brink_scenario.load(firebreak_scenario)
    peer = numpy_sample(firebreak_scenario, FIREBREAK_RUNS["numpy"], seed=16)
    assert_agrees(compare("numpy firebreaks", peer, brink_firebreaks, sc))


def test_a_peer_ignoring_firebreaks_is_detected(firebreak_scenario, brink_firebreaks):
    """The firebreak comparison has the power to see them ignored (the ladder's thresholds
    at every rung, in the step and in the forecast), with FIREBREAK_RUNS["defect"] runs."""
    sc = brink_scenario.load(firebreak_scenario)
    peer = numpy_sample(firebreak_scenario, FIREBREAK_RUNS["defect"], seed=17, defect="no_firebreaks")
    checks = compare("numpy no_firebreaks", peer, brink_firebreaks, sc)
    assert any(c.failed for c in checks), "the NumPy peer that ignores the firebreaks passes every check"


@pytest.fixture(scope="module")
def brink_strategic():
    return brink_sample(STRATEGIC, BRINK_RUNS[STRATEGIC])


def test_peers_read_the_version_2_fields():
    """The fixture's version-2 fields as both peers see them (docs/scenario-reference.md):
    read through `extends`, with Brink's defaults and its derived mode likelihoods."""
    sc = brink_scenario.load(STRATEGIC)
    biden, putin = sc.leaders
    assert sc.name == "strategic-v2" and (biden.foresight, putin.foresight) == (3, 3) and putin.discount == 0.85
    assert [m.id for m in putin.modes] == ["coerce", "decided"] and not biden.modes
    assert [m.prior for m in putin.modes] == [0.7, 0.3] and putin.modes[1].enterable and not putin.modes[0].enterable
    for mode in putin.modes:  # a logit of the propensities at Putin's rationality, over his whole menu
        weights = np.exp(putin.rationality * (np.array(mode.propensity) - max(mode.propensity)))
        assert mode.likelihood == pytest.approx((weights / weights.sum()).tolist(), rel=1e-12)
    offensive = next(a for a in sc.actions if a.name == "full_scale_offensive")
    assert [(j.to, j.probability) for j in offensive.jumps] == [(sc.rung_ids.index("conventional_war"), 0.5)]
    [c] = sc.commitments
    assert (c.by, c.window, c.credibility, c.learning, c.audience_cost) == (0, 2, 0.7, 0.3, 0.05)
    assert sc.actions[c.declared_by].name == "public_warning" and sc.actions[c.response].name == "impose_sanctions"
    assert sc.war_rung == sc.rung_ids.index("limited_incursion") and sc.nuclear_escalation_level == 2
    assert sc.nuclear.up_threshold_at == [2.5, 4.5, 2.5, 2.5] and sc.nuclear.rung_pressure[6] == 1.0
    assert sc.state_weights == [(sc.variables.index("russia_economy"), -0.8)]
    # Without war_rung every horizon run is a frozen conflict: the default is the escalation rung.
    base = brink_scenario.load(BASELINE)
    assert base.war_rung == base.escalation_rung and base.nuclear is None and base.leaders[0].foresight == 1


def test_the_peers_lookaheads_agree_with_a_direct_computation():
    """Both peers' value recursion (the discounted war cost of ticks 2..H, computed once
    per decision) against the lookahead summed tick by tick from dense distributions
    (docs/model.md, "Utility in version 2"), with a jump, absorbing rungs and per-rung
    thresholds, at several pressures."""
    sc = brink_scenario.load(STRATEGIC)
    t = numpy_peer.Tables(sc)
    law, agent_law = t.ladder_law(), agent_peer.make_laws(sc)[0]
    offensive = next(a for a in sc.actions if a.name == "full_scale_offensive")
    R, H, delta = law.R, 4, 0.85
    for rung, x1, x_later in ((5, 3.4, 1.0), (3, -0.5, 2.9), (5, 6.0, -3.0), (1, 0.2, 0.2)):
        # Direct: pi_1 after this tick's step and the jump, then H - 1 steps at x_later.
        up, down = law.first_step(np.array([rung]), np.array([x1]))
        pi = numpy_peer.dense_first(law, np.array([rung]), up, down, offensive.jumps)[:, 0]
        direct, weight, d = 0.0, 1.0, pi.copy()
        for _ in range(2, H + 1):
            weight *= delta
            stepped = np.zeros(R)
            for r in range(R):
                if sc.terminal[r] or r >= sc.escalation_rung:  # the run has ended there: it stays
                    stepped[r] += d[r]
                    continue
                p_up, p_down = agent_peer.step_probabilities(sc, r, x_later)
                stepped[r] += d[r] * (1.0 - p_up - p_down)
                if p_up > 0.0:
                    stepped[r + 1] += d[r] * p_up
                if p_down > 0.0:
                    stepped[r - 1] += d[r] * p_down
            d = stepped
            direct += weight * float(d @ np.array(sc.war_cost))
        W, _ = law.values(*law.table(np.array([x_later])), H - 1, delta)
        assert float(pi @ W[:, 0]) == pytest.approx(direct, rel=1e-12)
        first = agent_law.after_step(rung, x1, offensive.jumps)
        dense = np.zeros(R)
        for r, p in first:
            dense[r] += p
        assert dense.tolist() == pytest.approx(pi.tolist(), rel=1e-12, abs=1e-15)
        later, _ = agent_law.values(x_later, H - 1, delta)
        assert agent_law.expect(first, later) == pytest.approx(direct, rel=1e-12)
    # Absorbing: the escalation rung and terminal rungs keep their mass (and keep costing).
    assert not law.up_open[sc.escalation_rung, 0] and not law.down_open[sc.escalation_rung, 0]
    assert agent_law.absorbing[sc.escalation_rung:] == [True] * (R - sc.escalation_rung)


def test_peers_agree_on_the_version_2_variant(brink_strategic):
    """Every version-2 mechanism at once (STRATEGIC): both peers against Brink."""
    sc = brink_scenario.load(STRATEGIC)
    numpy_runs = numpy_sample(STRATEGIC, NUMPY_RUNS[STRATEGIC], seed=19)
    agent_runs = agent_sample(STRATEGIC, AGENT_RUNS[STRATEGIC], seed=20)
    checks = compare("numpy strategic", numpy_runs, brink_strategic, sc) \
        + compare("agent strategic", agent_runs, brink_strategic, sc)
    assert_agrees(checks)


def test_a_peer_without_the_lookahead_is_detected(brink_strategic):
    """The version-2 comparison sees the lookahead: the NumPy peer with foresight 1 (no
    later war costs, no committed responses) fails it with LOOKAHEAD_DEFECT_RUNS runs."""
    sc = brink_scenario.load(STRATEGIC)
    peer = numpy_sample(STRATEGIC, LOOKAHEAD_DEFECT_RUNS, seed=21, defect="no_lookahead")
    failed = [c.label for c in compare("numpy no_lookahead", peer, brink_strategic, sc) if c.failed]
    assert any(" share " in label for label in failed), f"the NumPy peer without the lookahead passes the outcome shares (failed: {failed})"
