"""Peer (b): the Brink model vectorised with NumPy, all runs advancing together.

The state of every run is one column of a (variables x runs) array; each tick does the
model's steps for all still-active runs with whole-array operations, and drops the runs
that ended (only on ticks where some run ended). Model version 2 (docs/model.md,
"Strategic leaders") is included: state-weighted ladder pressure, jumps, the nuclear
track, hidden modes with type beliefs, commitments with credibility and audience costs,
and the lookahead (a one-shot deviation, by backward recursion over the rungs once per
decision, shared by every option). It implements the model of sim/model/simulate.cpp (docs/model.md), reading
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
    "no_lookahead",       # foresight 1 for both leaders: no lookahead, no committed responses
)


class Runs:
    """Per run: outcome code (an index into brink_scenario.OUTCOMES), end tick, highest
    rung, per leader a (runs x menu) array of how many ticks each action was chosen, and
    the (variables x runs) state at the end of the run (runs.csv's `final_<variable>`);
    `extras`, with model version 2's mechanisms: the highest nuclear level ("max_level"),
    and per commitment (commitments x runs) the times it was honoured and bluffed and its
    final credibility ("honoured", "bluffed", "credibility")."""

    def __init__(self, outcome, end_tick, max_rung, actions, final, extras=None):
        self.outcome, self.end_tick, self.max_rung, self.actions = outcome, end_tick, max_rung, actions
        self.final = final
        self.extras = extras or {}


class Law:
    """A track's step law for forecasts (the ladder or the nuclear track): thresholds by
    rung, war costs, and which rungs absorb in the lookahead (terminal ones, and those at
    or above the escalation rung or level)."""

    def __init__(self, sensitivity, up_at, down_at, war_cost, terminal, escalation_at):
        self.k = sensitivity
        self.R = len(war_cost)
        self.cost = np.array(war_cost)
        absorbing = np.array(terminal, dtype=bool)
        if escalation_at >= 0:
            absorbing[escalation_at:] = True
        self.up_at = np.array(up_at)
        self.down_at = np.array(down_at)
        # Columns (R x 1) for the whole-ladder step tables of the lookahead.
        self.up_col = self.up_at[:, None]
        self.down_col = self.down_at[:, None]
        self.up_open = ((np.arange(self.R) + 1 < self.R) & ~absorbing)[:, None]
        self.down_open = ((np.arange(self.R) > 0) & ~absorbing)[:, None]
        self.cost_col = self.cost[:, None]

    def first_step(self, at, x):
        """P(up), P(down) of one step from rung `at` (per run) under pressure x."""
        return self.first_step_at(self.at(at), x)

    def at(self, at):
        """What a step from rung `at` (per run) reads: its thresholds, whether it can go up or down."""
        return self.up_at[at], self.down_at[at], at + 1 < self.R, at > 0

    def first_step_at(self, gathered, x):
        up_threshold, down_threshold, can_up, can_down = gathered
        up = np.where(can_up, logistic(self.k * (x - up_threshold)), 0.0)
        down = np.where(can_down, logistic(self.k * (down_threshold - x)), 0.0)
        return up, down

    def table(self, x):
        """Step probabilities of every rung (R x runs) under pressure x (per run)."""
        up = np.where(self.up_open, logistic(self.k * (x - self.up_col)), 0.0)
        down = np.where(self.down_open, logistic(self.k * (self.down_col - x)), 0.0)
        return up, down

    def apply(self, up, down, f):
        """(P f)(r) = stay f(r) + up f(r+1) + down f(r-1), for every rung and run."""
        out = (1.0 - up - down) * f
        out[:-1] += up[:-1] * f[1:]
        out[1:] += down[1:] * f[:-1]
        return out

    def values(self, up, down, steps, delta):
        """W_m = delta P (c + W_{m-1}), W_0 = 0: the discounted war cost still to come after
        one step, for m = steps and steps - 1 (docs/model.md, "Utility in version 2")."""
        w = rest = np.zeros_like(up)
        for _ in range(steps):
            rest, w = w, delta * self.apply(up, down, self.cost_col + w)
        return w, rest


def around(w, at, cols):
    """w (per rung, or rungs x runs) at each run's rung and its two neighbours (clipped)."""
    top = w.shape[0] - 1
    below, above = np.maximum(at - 1, 0), np.minimum(at + 1, top)
    if w.ndim == 1:
        return w[below], w[at], w[above]
    return w[below, cols], w[at, cols], w[above, cols]


def three(w3, up, down):
    """pi_1 . w for the one-step distribution from the runs' rungs (w3 from around())."""
    below, here, above = w3
    return (1.0 - up - down) * here + up * above + down * below


def gather3(w, at, cols, up, down):
    return three(around(w, at, cols), up, down)


def dense_first(law, at, up, down, jumps):
    """The dense first-step distribution (R x runs), with the move's jumps applied."""
    n = len(at)
    cols = np.arange(n)
    pi = np.zeros((law.R, n))
    pi[at, cols] += 1.0 - up - down
    pi[np.minimum(at + 1, law.R - 1), cols] += up
    pi[np.maximum(at - 1, 0), cols] += down
    for j in jumps:
        below = pi[:j.to]
        pi[j.to] += j.probability * below.sum(axis=0)
        below *= 1.0 - j.probability
    return pi


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
        self.nuclear = np.array([a.nuclear for a in sc.actions])
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
        # Version 2.
        self.state_var = np.array([v for v, _ in sc.state_weights], dtype=np.int64)
        self.state_beta = np.array([b for _, b in sc.state_weights])
        self.jump_actions = [a for a in range(self.A) if sc.actions[a].jumps]
        tr = sc.nuclear
        self.track = tr
        if tr is not None:
            self.level_cost = np.array(tr.war_cost)
            self.level_terminal = np.array(tr.terminal)
            self.rung_pressure = np.array(tr.rung_pressure)
            self.level_up_at, self.level_down_at = np.array(tr.up_threshold_at), np.array(tr.down_threshold_at)
        self.event_nuclear = np.array([e.nuclear for e in sc.events])
        self.modes = []  # per leader: (propensity (modes x menu), likelihood (modes x menu), shift, prior) or None
        for L in sc.leaders:
            if not L.modes:
                self.modes.append(None)
                continue
            self.modes.append((np.array([m.propensity for m in L.modes]), np.array([m.likelihood for m in L.modes]),
                               np.array([m.escalation_shift for m in L.modes]), np.array([m.prior for m in L.modes])[:, None]))
        # Commitments: per leader and menu position, the opponent's commitments it triggers;
        # the position of each commitment's response in its committer's menu; the value of
        # the response to the leader who anticipates it.
        C = sc.commitments
        self.triggered_by = [[tuple(c for c, com in enumerate(C) if com.by == 1 - i and a in com.trigger) for a in L.menu]
                             for i, L in enumerate(sc.leaders)]
        self.response_position = [sc.leaders[com.by].menu.index(com.response) for com in C]
        self.response_value = [sum(sc.leaders[1 - com.by].value_weights[e.variable] * e.mean
                                   for e in sc.actions[com.response].effects) for com in C]

    def ladder_law(self):
        sc = self.sc
        return Law(sc.sensitivity, self.up_threshold_at, self.down_threshold_at, sc.war_cost, sc.terminal,
                   sc.escalation_rung)

    def nuclear_law(self):
        tr = self.track
        return Law(tr.sensitivity, tr.up_threshold_at, tr.down_threshold_at, tr.war_cost, tr.terminal,
                   self.sc.nuclear_escalation_level)


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
    e = np.exp(-z)
    e += 1.0
    return np.divide(1.0, e, out=e)


def clamp01(x):
    x = np.maximum(x, 0.0)
    return np.minimum(x, 1.0, out=x)


def step_probabilities(t: Tables, rung, x, up_threshold, down_threshold):
    """P(up), P(down) at each run's rung; the thresholds are those in force there (per run)."""
    sc = t.sc
    up = np.where(rung + 1 < t.R, logistic(sc.sensitivity * (x - up_threshold)), 0.0)
    down = np.where(rung > 0, logistic(sc.sensitivity * (down_threshold - x)), 0.0)
    return up, down


class Leaders:
    """What the decisions need of both leaders, fixed for a batch of runs."""

    def __init__(self, t: Tables, defect):
        sc = t.sc
        self.misperception = [0.0 if defect == "no_misperception" else L.misperception for L in sc.leaders]
        self.reciprocity = [0.0 if defect == "no_reciprocity" else L.reciprocity for L in sc.leaders]
        self.resolve = [0.0 if defect == "no_resolve" else L.resolve for L in sc.leaders]
        self.foresight = [1 if defect == "no_lookahead" else L.foresight for L in sc.leaders]


def decide(t, i, ld, law, nlaw, st, F, seen, tension0, state_pressure, rng, noisy_state):
    """Leader i's logit choice in every run (menu positions), docs/model.md's version-2 utility."""
    sc = t.sc
    L = sc.leaders[i]
    S, rung, n = st["S"], st["rung"], st["S"].shape[1]
    cols = np.arange(n)
    own, opp = t.menus[i], t.menus[1 - i]
    channel = S[sc.channel]
    if noisy_state:
        P = rng.standard_normal(S.shape)
        P *= sc.state_noise * (1.0 - channel)
        P += S
    else:
        P = S.copy()
    # The believed opponent move: beliefs over its feasible moves (equal shares if no mass).
    Fo = F[opp]
    bo = st["beliefs"][i] * Fo
    mass = bo.sum(axis=0)
    some = mass > 0
    w = np.divide(bo, np.where(some, mass, 1.0), out=bo)
    if not some.all():
        none = ~some
        w[:, none] = Fo[:, none] / Fo[:, none].sum(axis=0)
    P += t.mean[opp].T @ w
    e_bar = t.escalation[opp] @ w
    before = clamp01(P)
    U = np.full((len(own), n), -np.inf)
    seen_esc = t.escalation[opp][seen]
    has_seen = seen >= 0
    averse = 1.0 - L.risk_tolerance
    x_base = e_bar + state_pressure + sc.tension_weight * tension0
    H, delta = ld.foresight[i], L.discount
    track = t.track is not None
    last = st["last"][i]
    if track:
        level = st["level"]
        n_bar = t.nuclear[opp] @ w
        y_base = n_bar + t.rung_pressure[rung] + t.track.tension_weight * tension0
    # The lookahead: after this tick the leader returns to its last move (nothing at tick 1)
    # against the opponent's expected move, shifted by its type beliefs; the discounted war
    # cost still to come from every rung, once per decision (Law.values).
    opp_modes = t.modes[1 - i]
    type_shift = st["types"][i].T @ opp_modes[2] if opp_modes is not None else 0.0
    commitments = sc.commitments
    if H >= 2:
        own_e = np.where(last >= 0, t.escalation[own][last], 0.0)
        x_later = own_e + e_bar + type_shift + state_pressure + sc.tension_weight * tension0
        up2, down2 = law.table(x_later)
        W, W_rest = law.values(up2, down2, H - 1, delta)
        if track:
            own_n = np.where(last >= 0, t.nuclear[own][last], 0.0)
            y_later = own_n + y_base
            nup2, ndown2 = nlaw.table(y_later)
            NW, NW_rest = nlaw.values(nup2, ndown2, H - 1, delta)
    modes = t.modes[i]
    if modes is not None:
        propensity = np.take(modes[0].T, st["mode"][i], axis=1)  # menu x runs
    # What every option reads at the runs' rungs and levels, gathered once per decision.
    ladder_at = law.at(rung)
    cost3 = around(law.cost, rung, cols)
    if H >= 2:
        W3 = around(W, rung, cols)
    if track:
        level_at = nlaw.at(level)
        ncost3 = around(nlaw.cost, level, cols)
        if H >= 2:
            NW3 = around(NW, level, cols)
    # War terms depend on a move only through its escalation, nuclear pressure and jumps:
    # once per decision for each such class of moves.
    war_terms = {}
    committed_by = {}  # per set of triggered commitments: committed_responses()
    scratch = np.empty(n)
    seen_any, seen_all = has_seen.any(), has_seen.all()
    for k, a in enumerate(own):
        Fa = F[a]
        if not Fa.any():
            continue
        action = sc.actions[a]
        u = np.zeros(n)  # the goals term first, in place
        for e in action.effects:
            np.add(P[e.variable], e.mean, out=scratch)
            np.maximum(scratch, 0.0, out=scratch)
            np.minimum(scratch, 1.0, out=scratch)
            scratch -= before[e.variable]
            scratch *= L.value_weights[e.variable]
            u += scratch
        key = (t.escalation[a], t.nuclear[a]) if not action.jumps else a
        terms = war_terms.get(key)
        if terms is None:
            up, down = law.first_step_at(ladder_at, t.escalation[a] + x_base)
            pi = nup = ndown = None
            if action.jumps:
                pi = dense_first(law, rung, up, down, action.jumps)
                war = law.cost @ pi
            else:
                war = three(cost3, up, down)
            look = 0.0
            if H >= 2:
                look = (pi * W).sum(axis=0) if action.jumps else three(W3, up, down)
            if track:
                nup, ndown = nlaw.first_step_at(level_at, t.nuclear[a] + y_base)
                war = war + three(ncost3, nup, ndown)
                if H >= 2:
                    look = look + three(NW3, nup, ndown)
            terms = war_terms[key] = (up, down, pi, nup, ndown, averse * war, look)
        up, down, pi, nup, ndown, war, look = terms
        u -= war
        u -= t.cost[a]
        if H >= 2:
            # Committed responses of the opponent that this move triggers (active, not pending).
            triggered = t.triggered_by[i][k]
            if triggered and triggered not in committed_by:
                committed_by[triggered] = committed_responses(
                    t, st, triggered, law, nlaw, e_bar + type_shift, n_bar if track else 0.0, x_later, W_rest,
                    y_later if track else None, NW_rest if track else None, delta)
            responses = committed_by[triggered] if triggered else None
            if responses:
                r, committed, v2, nv2 = responses
                look = look.copy()  # the class's look is shared with the moves that trigger nothing
                # Tick 2 under the committed responses: pi_1 . delta P_2 (c + W_{H-2}).
                if action.jumps:
                    look[r] = (pi[:, r] * v2).sum(axis=0)
                else:
                    look[r] = gather3(v2, rung[r], np.arange(len(r)), up[r], down[r])
                if track:
                    look[r] += gather3(nv2, level[r], np.arange(len(r)), nup[r], ndown[r])
                u += delta * committed
            u -= averse * look
        if ld.reciprocity[i] != 0.0 and seen_any:
            np.subtract(t.escalation[a], seen_esc, out=scratch)
            np.abs(scratch, out=scratch)
            scratch *= -ld.reciprocity[i]
            u += scratch if seen_all else np.where(has_seen, scratch, 0.0)
        if ld.resolve[i] != 0.0:
            u[last == k] += ld.resolve[i]
        if modes is not None:
            u += propensity[k]
        np.copyto(U[k], u, where=Fa)
    # Audience costs: the committer's response gains them while its commitment is pending.
    for c, com in enumerate(commitments):
        if com.by == i and com.audience_cost != 0.0:
            k = t.response_position[c]
            U[k] = np.where(st["pending"][c], U[k] + com.audience_cost, U[k])
    U -= U.max(axis=0)
    U *= L.rationality
    W_logit = np.exp(U, out=U)
    cum = np.cumsum(W_logit, axis=0)
    target = rng.random(n) * cum[-1]
    return np.minimum((cum <= target).sum(axis=0), len(own) - 1)


def committed_responses(t, st, triggered, law, nlaw, e_later, n_bar, x_later, W_rest, y_later, NW_rest, delta):
    """What the opponent's commitments `triggered` (active, not pending) change in a move's
    utility, shared by every move that triggers the same ones: the runs r where one is
    live, the credibility-weighted value of the responses, and tick 2 of the lookahead
    under their pressure (delta P_2 (c + W_{H-2}) on the ladder, and on the track or None);
    None where none is live."""
    n = len(st["rung"])
    track = nlaw is not None
    shift = np.zeros(n)
    nshift = np.zeros(n)
    committed = np.zeros(n)
    live = np.zeros(n, dtype=bool)
    for c in triggered:
        on = st["active"][c] & ~st["pending"][c]
        kappa = np.where(on, st["credibility"][c], 0.0)
        response = t.sc.commitments[c].response
        shift += kappa * (t.escalation[response] - e_later)
        nshift += kappa * (t.nuclear[response] - n_bar) if track else 0.0
        committed += kappa * t.response_value[c]
        live |= on
    if not live.any():
        return None
    r = np.flatnonzero(live)
    sup, sdown = law.table(x_later[r] + shift[r])
    v2 = delta * law.apply(sup, sdown, law.cost_col + W_rest[:, r])
    nv2 = None
    if track:
        snup, sndown = nlaw.table(y_later[r] + nshift[r])
        nv2 = delta * nlaw.apply(snup, sndown, nlaw.cost_col + NW_rest[:, r])
    return r, committed, v2, nv2


def switch_modes(t, st, rng):
    """Intent: each leader with two or more modes may enter another (one draw per run)."""
    S, rung = st["S"], st["rung"]
    for i, modes in enumerate(t.sc.leaders):
        if len(modes.modes) < 2:
            continue
        mode = st["mode"][i]
        u = rng.random(len(rung))
        hazard = np.zeros((len(modes.modes), len(rung)))
        for m, spec in enumerate(modes.modes):
            if not spec.enterable:
                continue
            z = spec.intercept + spec.rung_slope * rung
            for v, b in spec.slopes:
                z = z + b * S[v]
            hazard[m] = np.where(mode == m, 0.0, logistic(z))
        total = hazard.sum(axis=0)
        cum = np.cumsum(hazard * np.where(total > 1.0, 1.0 / np.maximum(total, 1.0), 1.0), axis=0)
        pick = (cum <= u).sum(axis=0)  # the first mode whose cumulative hazard exceeds u
        st["mode"][i] = np.where(pick < len(modes.modes), pick, mode)


def update_commitments(t, st, picks, tick):
    """Resolution, then triggers, then declarations, each commitment in order."""
    acts = [t.menus[0][picks[0]], t.menus[1][picks[1]]]
    for c, com in enumerate(t.sc.commitments):
        by, other = acts[com.by], acts[1 - com.by]
        active, pending, kappa = st["active"][c], st["pending"][c], st["credibility"][c]
        honoured = pending & (by == com.response)
        resolved = pending & (honoured | (tick >= st["deadline"][c]))
        kappa[:] = np.where(honoured, kappa + com.learning * (1.0 - kappa),
                            np.where(resolved, kappa * (1.0 - com.learning), kappa))
        pending &= ~resolved
        st["honoured"][c] += honoured
        st["bluffed"][c] += resolved & ~honoured
        if com.declared_by >= 0:
            active &= ~resolved
        trig = active & ~pending & np.isin(other, com.trigger)
        pending |= trig
        st["deadline"][c] = np.where(trig, tick + com.window, st["deadline"][c])
        if com.declared_by >= 0:
            active |= ~active & ~pending & (by == com.declared_by)


def simulate(sc: brink_scenario.Scenario, runs: int, seed=1, defect: str | None = None) -> Runs:
    """Plays `runs` runs together. `seed`: an int or a sequence of ints (NumPy's SeedSequence
    entropy). `defect`: None, or one of DEFECTS (tests only)."""
    if defect is not None and defect not in DEFECTS:
        raise ValueError(f"unknown defect '{defect}' (expected one of {', '.join(DEFECTS)})")
    t = Tables(sc)
    rng = np.random.Generator(np.random.PCG64(seed))
    n = runs
    ld = Leaders(t, defect)
    noisy_state = sc.state_noise > 0.0 and defect != "no_state_noise"
    learn = defect != "frozen_beliefs"
    effect_sd = defect != "no_effect_sd"
    if defect == "no_firebreaks":
        t.up_threshold_at[:] = sc.up_threshold
        t.down_threshold_at[:] = sc.down_threshold
    law = t.ladder_law()
    track = t.track is not None
    nlaw = t.nuclear_law() if track else None
    leaders = sc.leaders
    # Per-run state, runs on the last axis: compacted together when runs end.
    st = {
        "ids": np.arange(n),
        "S": np.tile(np.array(sc.initial)[:, None], (1, n)),  # variables x runs
        "rung": np.full(n, sc.initial_rung),
        "settled": np.zeros(n, dtype=np.int64),
        "last": [np.full(n, -1), np.full(n, -1)],  # menu position of each leader's last move
        "beliefs": [np.full((len(t.menus[1 - i]), n), 1.0 / len(t.menus[1 - i])) for i in range(2)],
        # Type beliefs over the opponent's modes; each leader's own mode.
        "types": [np.tile(t.modes[1 - i][3], (1, n)) if t.modes[1 - i] is not None else None for i in range(2)],
        "mode": [np.zeros(n, dtype=np.int64) if t.modes[i] is not None else None for i in range(2)],
        "level": np.full(n, sc.nuclear.initial_level if track else 0),
        "active": [np.full(n, c.declared_by < 0) for c in sc.commitments],
        "pending": [np.zeros(n, dtype=bool) for _ in sc.commitments],
        "deadline": [np.zeros(n, dtype=np.int64) for _ in sc.commitments],
        "credibility": [np.full(n, c.credibility) for c in sc.commitments],
        "honoured": np.zeros((len(sc.commitments), n), dtype=np.int64),
        "bluffed": np.zeros((len(sc.commitments), n), dtype=np.int64),
    }
    st["max_level"] = st["level"].copy()
    # What runs.csv records of the version-2 mechanisms, filled as runs end.
    extras = {}
    if track:
        extras["max_level"] = np.empty(runs, dtype=np.int64)
    if sc.commitments:
        for key in ("honoured", "bluffed"):
            extras[key] = np.empty((len(sc.commitments), runs), dtype=np.int64)
        extras["credibility"] = np.empty((len(sc.commitments), runs))
    outcome = np.full(runs, 2)
    end_tick = np.full(runs, sc.horizon)
    final = np.empty((t.V, runs))  # filled as runs end: no per-tick copy
    tally = Tally(t, runs)
    any_modes = any(len(L.modes) >= 2 for L in leaders)
    has_events_nuclear = track and bool(t.event_nuclear.any())

    for tick in range(1, sc.horizon + 1):
        if n == 0:
            break
        S, rung = st["S"], st["rung"]
        tension0 = S[sc.tension].copy()
        channel = S[sc.channel]
        state_pressure = t.state_beta @ S[t.state_var] if len(t.state_var) else 0.0
        # 0. Intent.
        if any_modes:
            switch_modes(t, st, rng)
        # 1. Perception: each leader sees the opponent's last move, possibly misread, and
        # updates its beliefs over the opponent's moves and modes.
        seen = []
        for i in range(2):
            L = leaders[i]
            opp_last = st["last"][1 - i]
            has = opp_last >= 0
            u_mis, u_which = rng.random(n), rng.random(n)
            misread = has & (u_mis < ld.misperception[i] * (1.0 - channel))
            drawn = np.minimum(np.searchsorted(t.cdf[i], u_which, side="right"), len(t.menus[1 - i]) - 1)
            s = np.where(misread, drawn, opp_last)
            if tick > 1 and learn:
                b = st["beliefs"][i]
                b *= L.memory
                b[s, np.arange(n)] += 1.0 - L.memory
            if tick > 1 and st["types"][i] is not None:
                _, likelihood, _, prior = t.modes[1 - i]
                mu = (L.memory * st["types"][i] + (1.0 - L.memory) * prior) * likelihood[:, s]
                total = mu.sum(axis=0)
                st["types"][i] = np.where(total > 0.0, mu / np.where(total > 0.0, total, 1.0), prior)
            seen.append(s)
        # 2. Feasibility on the start-of-tick state, then both leaders' logit choices.
        F = np.array([feasible(a.requires, S, rung) for a in sc.actions])  # actions x runs
        picks = [decide(t, i, ld, law, nlaw, st, F, seen[i], tension0, state_pressure, rng, noisy_state)
                 for i in range(2)]
        # 3. Events (on the start-of-tick state), then effects with noise, then the clamp.
        fired = [(rng.random(n) < e.hazard) & feasible(e.requires, S, rung) for e in sc.events]
        pressure = np.zeros(n)
        acts = [t.menus[i][picks[i]] for i in range(2)]
        for i in range(2):
            pressure += t.escalation[acts[i]]
            S += t.mean[acts[i]].T
            for v in t.noisy_vars[i] if effect_sd else ():
                sd = t.sd[acts[i], v]
                noisy = sd > 0
                if noisy.any():
                    S[v, noisy] += sd[noisy] * rng.standard_normal(noisy.sum())
        if track:
            nuclear_pressure = t.nuclear[acts[0]] + t.nuclear[acts[1]]
        for k, (e, f) in enumerate(zip(sc.events, fired)):
            if not f.any():
                continue
            pressure += np.where(f, e.escalation, 0.0)
            if has_events_nuclear:
                nuclear_pressure += np.where(f, e.nuclear, 0.0)
            for eff in e.effects:
                S[eff.variable, f] += eff.mean
                if eff.sd > 0:
                    S[eff.variable, f] += eff.sd * rng.standard_normal(f.sum())
        if np.isnan(S).any():
            raise ValueError(f"a variable became NaN at tick {tick}")
        np.maximum(S, 0.0, out=S)
        np.minimum(S, 1.0, out=S)
        # 4. Ladder step (with the state's pressure), then the moves' jumps, then the nuclear track.
        up, down = law.first_step(rung, pressure + sc.tension_weight * tension0 + state_pressure)
        u = rng.random(n)
        rung_before = rung
        rung = rung + (u < up) - ((u >= up) & (u < up + down))
        for i in range(2):
            for a in t.jump_actions:
                for j in sc.actions[a].jumps:
                    below = (acts[i] == a) & (rung < j.to)
                    if below.any():
                        jump = np.flatnonzero(below)[rng.random(int(below.sum())) < j.probability]
                        rung[jump] = j.to
        st["rung"] = rung
        if track:
            y = nuclear_pressure + t.rung_pressure[rung_before] + sc.nuclear.tension_weight * tension0
            nup, ndown = nlaw.first_step(st["level"], y)
            u = rng.random(n)
            st["level"] = st["level"] + (u < nup) - ((u >= nup) & (u < nup + ndown))
            np.maximum(st["max_level"], st["level"], out=st["max_level"])
        S[sc.tension] = clamp01((1.0 - sc.decay) * S[sc.tension] + sc.gain * pressure)
        if sc.commitments:
            update_commitments(t, st, picks, tick)
        # 5. Outcomes.
        esc = (rung >= sc.escalation_rung) | t.terminal[rung]
        if track:
            level = st["level"]
            esc |= t.level_terminal[level]
            if sc.nuclear_escalation_level >= 0:
                esc |= level >= sc.nuclear_escalation_level
        agree = ~esc & sc.joint_agreement & t.agreement[acts[0]] & t.agreement[acts[1]] \
            & (S[sc.channel] >= sc.agreement_channel)
        calm = (rung <= sc.settlement_rung) & (S[sc.tension] < sc.settlement_tension)
        st["settled"] = np.where(calm, st["settled"] + 1, 0)
        settle = ~esc & ~agree & (st["settled"] >= sc.settlement_ticks)
        ended = esc | agree | settle
        ids = st["ids"]
        tally.add(ids, rung, picks)
        st["last"] = picks
        if ended.any():
            outcome[ids[esc]] = 0
            outcome[ids[agree | settle]] = 1
            end_tick[ids[ended]] = tick
            final[:, ids[ended]] = S[:, ended]
            record_extras(extras, st, ids[ended], ended)
            compact(st, ~ended)
            n = len(st["ids"])
    ids = st["ids"]
    final[:, ids] = st["S"]  # the runs that lasted the horizon
    record_extras(extras, st, ids, slice(None))
    outcome[ids] = np.where(st["rung"] >= sc.war_rung, 3, 2)
    return Runs(outcome, end_tick, *tally.result(), final, extras)


def record_extras(extras, st, ids, runs):
    """Copies the version-2 figures of the runs `runs` (a mask or slice of the live runs)
    that end now into `extras` at their run ids."""
    if "max_level" in extras:
        extras["max_level"][ids] = st["max_level"][runs]
    if "credibility" in extras:
        extras["honoured"][:, ids] = st["honoured"][:, runs]
        extras["bluffed"][:, ids] = st["bluffed"][:, runs]
        extras["credibility"][:, ids] = np.array(st["credibility"])[:, runs]


def compact(st, keep):
    """Drops the runs that ended from every per-run array (runs on the last axis)."""
    for key, value in st.items():
        if isinstance(value, list):
            st[key] = [None if x is None else x[..., keep] for x in value]
        else:
            st[key] = value[..., keep]


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
