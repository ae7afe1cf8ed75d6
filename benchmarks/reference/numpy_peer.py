"""Peer (b): the Brink model vectorised with NumPy, all runs advancing together.

The state of every run is one column of a (variables x runs) array; each tick does the
model's steps for all still-active runs with whole-array operations, and drops the runs
that ended. It implements the model of sim/model/simulate.cpp (docs/model.md), reading
the same scenario file; random numbers come from NumPy's PCG64, so runs are not Brink's
runs, only the same distribution.

A test of the agreement test itself can switch one mechanism off on purpose
(`simulate(..., defect=NAME)`, NAME one of DEFECTS); nothing else passes it.

Usage: python3 numpy_peer.py SCENARIO.yaml [RUNS] [SEED]
"""

from __future__ import annotations

import sys
import time

import numpy as np

import brink_scenario
from brink_scenario import RUNG

# Deliberate defects, for showing that benchmarks/reference/test_peers_agree.py detects a
# wrong model: each drops one mechanism of docs/model.md.
DEFECTS = (
    "no_state_noise",     # leaders see the true state: no perceived-state noise draws
    "no_resolve",         # the resolve term (repeat the last move) is 0
    "no_misperception",   # the opponent's last move is never misread
    "no_reciprocity",     # the reciprocity term is 0
    "frozen_beliefs",     # beliefs keep their uniform start (no memory update)
    "no_effect_sd",       # action effects without their sd noise
    "no_firebreaks",      # the ladder's step thresholds at every rung (per-rung ones ignored)
)


class Runs:
    """Per run: outcome code (0 escalation, 1 de-escalation, 2 stalemate), end tick, highest
    rung, per leader a (runs x menu) array of how many ticks each action was chosen, and
    the (variables x runs) state at the end of the run (runs.csv's `final_<variable>`)."""

    def __init__(self, outcome, end_tick, max_rung, actions, final):
        self.outcome, self.end_tick, self.max_rung, self.actions = outcome, end_tick, max_rung, actions
        self.final = final


class Tables:
    """The scenario as arrays."""

    def __init__(self, sc: brink_scenario.Scenario):
        self.sc = sc
        self.V = len(sc.variables)
        self.A = len(sc.actions)
        self.war_cost = np.array(sc.war_cost)
        self.terminal = np.array(sc.terminal)
        self.R = len(sc.war_cost)
        # Step thresholds by rung (firebreaks applied), read with the runs' rungs once a tick.
        self.up_threshold_at = np.array(sc.up_threshold_at)
        self.down_threshold_at = np.array(sc.down_threshold_at)
        self.escalation = np.array([a.escalation for a in sc.actions])
        self.cost = np.array([a.cost for a in sc.actions])
        self.agreement = np.array([a.agreement for a in sc.actions])
        self.mean = np.zeros((self.A, self.V))
        self.sd = np.zeros((self.A, self.V))
        for i, a in enumerate(sc.actions):
            for e in a.effects:
                self.mean[i, e.variable] += e.mean
                self.sd[i, e.variable] = e.sd
        # Per leader: its menu, and the (menu position, variable, mean) of its effects.
        self.menus = [np.array(l.menu) for l in sc.leaders]
        self.cdf = [np.array(l.misread_cdf) for l in sc.leaders]
        self.noisy_vars = [np.flatnonzero((self.sd[m] > 0).any(axis=0)) for m in self.menus]


def feasible(conditions, S, rung):
    ok = np.ones(S.shape[1], dtype=bool)
    for c in conditions:
        v = rung if c.variable == RUNG else S[c.variable]
        if c.min > -np.inf:
            ok &= v >= c.min
        if c.max < np.inf:
            ok &= v <= c.max
    return ok


def logistic(z):
    return 1.0 / (1.0 + np.exp(-z))


def step_probabilities(t: Tables, rung, x, up_threshold, down_threshold):
    """P(up), P(down) at each run's rung; the thresholds are those in force there (per run)."""
    sc = t.sc
    up = np.where(rung + 1 < t.R, logistic(sc.sensitivity * (x - up_threshold)), 0.0)
    down = np.where(rung > 0, logistic(sc.sensitivity * (down_threshold - x)), 0.0)
    return up, down


def simulate(sc: brink_scenario.Scenario, runs: int, seed=1, defect: str | None = None) -> Runs:
    """Plays `runs` runs together. `seed`: an int or a sequence of ints (NumPy's SeedSequence
    entropy). `defect`: None, or one of DEFECTS (tests only)."""
    if defect is not None and defect not in DEFECTS:
        raise ValueError(f"unknown defect '{defect}' (expected one of {', '.join(DEFECTS)})")
    t = Tables(sc)
    rng = np.random.Generator(np.random.PCG64(seed))
    n = runs
    ids = np.arange(n)
    S = np.tile(np.array(sc.initial)[:, None], (1, n))  # variables x runs
    rung = np.full(n, sc.initial_rung)
    settled = np.zeros(n, dtype=np.int64)
    last = [np.full(n, -1), np.full(n, -1)]  # menu position of each leader's last move
    beliefs = [np.full((len(t.menus[1 - i]), n), 1.0 / len(t.menus[1 - i])) for i in range(2)]
    outcome = np.full(runs, 2)
    end_tick = np.full(runs, sc.horizon)
    final = np.empty((t.V, runs))  # filled as runs end: no per-tick copy
    tally = Tally(t, runs)
    leaders = sc.leaders
    # The leaders' traits as used, with a defect's term set to 0 (scalars: no extra array work).
    misperception = [0.0 if defect == "no_misperception" else L.misperception for L in leaders]
    reciprocity = [0.0 if defect == "no_reciprocity" else L.reciprocity for L in leaders]
    resolve = [0.0 if defect == "no_resolve" else L.resolve for L in leaders]
    noisy_state = sc.state_noise > 0.0 and defect != "no_state_noise"
    learn = defect != "frozen_beliefs"
    effect_sd = defect != "no_effect_sd"
    if defect == "no_firebreaks":
        t.up_threshold_at[:] = sc.up_threshold
        t.down_threshold_at[:] = sc.down_threshold

    for tick in range(1, sc.horizon + 1):
        if n == 0:
            break
        tension0 = S[sc.tension].copy()
        channel = S[sc.channel]
        # The rung holds from the decisions to the ladder step: one lookup serves both.
        up_threshold, down_threshold = t.up_threshold_at[rung], t.down_threshold_at[rung]
        # 1. Perception: each leader sees the opponent's last move, possibly misread.
        seen = []
        for i in range(2):
            L = leaders[i]
            opp_last = last[1 - i]
            has = opp_last >= 0
            u_mis, u_which = rng.random(n), rng.random(n)
            misread = has & (u_mis < misperception[i] * (1.0 - channel))
            drawn = np.minimum(np.searchsorted(t.cdf[i], u_which, side="right"), len(t.menus[1 - i]) - 1)
            s = np.where(misread, drawn, opp_last)
            if tick > 1 and learn:
                b = beliefs[i]
                b *= L.memory
                b[s, np.arange(n)] += 1.0 - L.memory
            seen.append(s)
        # 2. Feasibility on the start-of-tick state, then both leaders' logit choices.
        F = np.array([feasible(a.requires, S, rung) for a in sc.actions])  # actions x runs
        picks = []
        for i in range(2):
            L = leaders[i]
            own, opp = t.menus[i], t.menus[1 - i]
            P = S.copy()
            if noisy_state:
                P += sc.state_noise * (1.0 - channel) * rng.standard_normal(S.shape)
            Fo = F[opp]
            bo = beliefs[i] * Fo
            mass = bo.sum(axis=0)
            count = Fo.sum(axis=0)
            w = np.where(mass > 0, bo / np.where(mass > 0, mass, 1.0), Fo / count)
            P += t.mean[opp].T @ w
            e_bar = t.escalation[opp] @ w
            before = np.clip(P, 0.0, 1.0)
            U = np.full((len(own), n), -np.inf)
            seen_esc = t.escalation[opp][seen[i]]
            has_seen = seen[i] >= 0
            x_base = e_bar + sc.tension_weight * tension0
            kr = t.war_cost[rung]
            k_up = t.war_cost[np.minimum(rung + 1, t.R - 1)]
            k_down = t.war_cost[np.maximum(rung - 1, 0)]
            for k, a in enumerate(own):
                Fa = F[a]
                if not Fa.any():
                    continue
                goals = np.zeros(n)
                for e in sc.actions[a].effects:
                    goals += L.value_weights[e.variable] * (np.clip(P[e.variable] + e.mean, 0.0, 1.0) - before[e.variable])
                up, down = step_probabilities(t, rung, t.escalation[a] + x_base, up_threshold, down_threshold)
                war = (1.0 - L.risk_tolerance) * ((1.0 - up - down) * kr + up * k_up + down * k_down)
                recip = np.where(has_seen, -reciprocity[i] * np.abs(t.escalation[a] - seen_esc), 0.0)
                stay = np.where(last[i] == k, resolve[i], 0.0)
                U[k] = np.where(Fa, goals - war - t.cost[a] + recip + stay, -np.inf)
            W = np.exp(L.rationality * (U - U.max(axis=0)))
            cum = np.cumsum(W, axis=0)
            target = rng.random(n) * cum[-1]
            picks.append(np.minimum((cum <= target).sum(axis=0), len(own) - 1))
        # 3. Events (on the start-of-tick state), then effects with noise, then the clamp.
        fired = [(rng.random(n) < e.hazard) & feasible(e.requires, S, rung) for e in sc.events]
        tension_before = tension0
        pressure = np.zeros(n)
        for i in range(2):
            acts = t.menus[i][picks[i]]
            pressure += t.escalation[acts]
            S += t.mean[acts].T
            for v in t.noisy_vars[i] if effect_sd else ():
                sd = t.sd[acts, v]
                noisy = sd > 0
                if noisy.any():
                    S[v, noisy] += sd[noisy] * rng.standard_normal(noisy.sum())
        for e, f in zip(sc.events, fired):
            if not f.any():
                continue
            pressure += np.where(f, e.escalation, 0.0)
            for eff in e.effects:
                S[eff.variable, f] += eff.mean
                if eff.sd > 0:
                    S[eff.variable, f] += eff.sd * rng.standard_normal(f.sum())
        if np.isnan(S).any():
            raise ValueError(f"a variable became NaN at tick {tick}")
        np.clip(S, 0.0, 1.0, out=S)
        # 4. Ladder step and tension.
        up, down = step_probabilities(t, rung, pressure + sc.tension_weight * tension_before, up_threshold,
                                      down_threshold)
        u = rng.random(n)
        rung = rung + (u < up) - ((u >= up) & (u < up + down))
        S[sc.tension] = np.clip((1.0 - sc.decay) * S[sc.tension] + sc.gain * pressure, 0.0, 1.0)
        # 5. Outcomes.
        esc = (rung >= sc.escalation_rung) | t.terminal[rung]
        agree = ~esc & sc.joint_agreement & t.agreement[t.menus[0][picks[0]]] & t.agreement[t.menus[1][picks[1]]] \
            & (S[sc.channel] >= sc.agreement_channel)
        calm = (rung <= sc.settlement_rung) & (S[sc.tension] < sc.settlement_tension)
        settled = np.where(calm, settled + 1, 0)
        settle = ~esc & ~agree & (settled >= sc.settlement_ticks)
        ended = esc | agree | settle
        tally.add(ids, rung, picks)
        outcome[ids[esc]] = 0
        outcome[ids[agree | settle]] = 1
        end_tick[ids[ended]] = tick
        if ended.any():
            final[:, ids[ended]] = S[:, ended]
        keep = ~ended
        ids, S, rung, settled = ids[keep], S[:, keep], rung[keep], settled[keep]
        last = [picks[0][keep], picks[1][keep]]
        beliefs = [beliefs[0][:, keep], beliefs[1][:, keep]]
        n = len(ids)
    final[:, ids] = S  # the runs that lasted the horizon
    return Runs(outcome, end_tick, *tally.result(), final)


class Tally:
    """Highest rung and per-leader action counts of each run, counted from the per-tick
    history a few ticks at a time (cheaper than indexed updates every tick)."""

    BATCH = 16  # ticks held before counting

    def __init__(self, t: Tables, runs):
        self.t, self.runs = t, runs
        self.rungs = np.zeros(runs * t.R, dtype=np.int64)  # ticks each run ended on each rung
        self.chosen = [np.zeros(runs * len(m), dtype=np.int64) for m in t.menus]
        self.pending = []

    def add(self, ids, rung, picks):
        self.pending.append((ids, rung, *picks))
        if len(self.pending) == self.BATCH:
            self.count()

    def count(self):
        if not self.pending:
            return
        ids, rungs, *picks = (np.concatenate(column) for column in zip(*self.pending))
        self.pending = []
        self.rungs += np.bincount(ids * self.t.R + rungs, minlength=len(self.rungs))
        for total, m, p in zip(self.chosen, self.t.menus, picks):
            total += np.bincount(ids * len(m) + p, minlength=len(total))

    def result(self):
        """(highest rung per run, per leader a (runs x menu) array of action counts)."""
        self.count()
        visited = self.rungs.reshape(self.runs, self.t.R) > 0
        visited[:, self.t.sc.initial_rung] = True
        max_rung = self.t.R - 1 - np.argmax(visited[:, ::-1], axis=1)
        return max_rung, [c.reshape(self.runs, len(m)) for c, m in zip(self.chosen, self.t.menus)]


def batch_run(scenario, runs, seed=1):
    r = simulate(scenario, runs, seed)
    counts = {name: int((r.outcome == k).sum()) for k, name in enumerate(brink_scenario.OUTCOMES)}
    return counts, int(r.end_tick.sum())


if __name__ == "__main__":
    path = sys.argv[1] if len(sys.argv) > 1 else "scenarios/baseline.yaml"
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    sc = brink_scenario.load(path)
    t0 = time.perf_counter()
    counts, ticks = batch_run(sc, runs, seed)
    dt = time.perf_counter() - t0
    print(f"{runs} runs in {dt:.2f} s: {runs / dt:.1f} runs/s, {ticks / dt:.0f} run-ticks/s")
    print({k: round(v / runs, 4) for k, v in counts.items()})
