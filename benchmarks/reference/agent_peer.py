"""Peer (a): the Brink model as an agent-object model in the style of Mesa.

Leaders are Agent objects with step() (perceive and decide on the start-of-tick state)
and advance() (commit the move), activated simultaneously as Mesa's
SimultaneousActivation does; a Model advances the world one tick at a time, and runs
are played one at a time and batched over seeds, as Mesa's batch_run does. Mesa itself
is not installed here (it is not a Debian package), so the few Mesa classes this needs
(Agent, Model, SimultaneousActivation) are written below with Mesa's interface.

It implements the model of sim/model/simulate.cpp (docs/model.md), version 2 included
(strategic leaders: foresight, hidden modes, commitments, jumps, the nuclear track,
state-weighted ladder pressure), reading the same scenario file; random numbers come from Python's `random` (Mesa's model.random), so
runs are not Brink's runs, only the same distribution. Written as a Python modeller
would write it: objects, dicts keyed by variable name, no vectorisation.

Usage: python3 agent_peer.py SCENARIO.yaml [RUNS] [SEED]
"""

from __future__ import annotations

import bisect
import math
import random
import sys
import time

import brink_scenario

# --- the Mesa interface this model uses -------------------------------------------


class Agent:
    def __init__(self, unique_id, model):
        self.unique_id = unique_id
        self.model = model

    def step(self):
        pass

    def advance(self):
        pass


class SimultaneousActivation:
    """All agents step() on the same state, then all advance() (Mesa's scheduler)."""

    def __init__(self, model):
        self.model = model
        self.agents = []
        self.steps = 0

    def add(self, agent):
        self.agents.append(agent)

    def step(self):
        for agent in self.agents:
            agent.step()
        for agent in self.agents:
            agent.advance()
        self.steps += 1


class Model:
    def __init__(self, seed=None):
        self.random = random.Random(seed)
        self.running = True


# --- the Brink model ----------------------------------------------------------------


def clamp01(x):
    return 0.0 if x < 0.0 else (1.0 if x > 1.0 else x)


def logistic(z):
    return 1.0 / (1.0 + math.exp(-z))


def step_probabilities(sc, rung, x):
    """P(up), P(down) of the ladder step at `rung` under pressure `x`; the thresholds are
    the firebreaks of the rung stepped into (up) or out of (down), else the ladder's."""
    p_up = logistic(sc.sensitivity * (x - sc.up_threshold_at[rung])) if rung + 1 < len(sc.war_cost) else 0.0
    p_down = logistic(sc.sensitivity * (sc.down_threshold_at[rung] - x)) if rung > 0 else 0.0
    return p_up, p_down


class TrackLaw:
    """How a track steps (the ladder, or the nuclear posture track): ordered-logit steps
    with per-rung thresholds, the war cost of each rung, and the rungs that absorb in a
    leader's lookahead (terminal ones, and those at or above the escalation rung)."""

    def __init__(self, sensitivity, up_at, down_at, war_cost, terminal, escalation_at):
        self.sensitivity = sensitivity
        self.up_at, self.down_at, self.war_cost = list(up_at), list(down_at), list(war_cost)
        self.size = len(war_cost)
        self.absorbing = [bool(t) or (0 <= escalation_at <= r) for r, t in enumerate(terminal)]

    def step(self, rung, x):
        p_up = logistic(self.sensitivity * (x - self.up_at[rung])) if rung + 1 < self.size else 0.0
        p_down = logistic(self.sensitivity * (self.down_at[rung] - x)) if rung > 0 else 0.0
        return p_up, p_down

    def after_step(self, rung, x, jumps=()):
        """The distribution after one step from `rung`, then the jumps: (rung, probability) pairs."""
        p_up, p_down = self.step(rung, x)
        dist = [(rung, 1.0 - p_up - p_down)]
        if p_up > 0.0:
            dist.append((rung + 1, p_up))
        if p_down > 0.0:
            dist.append((rung - 1, p_down))
        for jump in jumps:
            moved = sum(jump.probability * p for r, p in dist if r < jump.to)
            dist = [(r, p * (1.0 - jump.probability) if r < jump.to else p) for r, p in dist] + [(jump.to, moved)]
        return dist

    def step_cost(self, rung, x):
        """The war cost expected after one step from `rung` (cost(after_step(rung, x)), inlined)."""
        war_cost = self.war_cost
        p_up = logistic(self.sensitivity * (x - self.up_at[rung])) if rung + 1 < self.size else 0.0
        p_down = logistic(self.sensitivity * (self.down_at[rung] - x)) if rung > 0 else 0.0
        cost = (1.0 - p_up - p_down) * war_cost[rung]
        if p_up > 0.0:
            cost += p_up * war_cost[rung + 1]
        if p_down > 0.0:
            cost += p_down * war_cost[rung - 1]
        return cost

    def cost(self, dist):
        return self.expect(dist, self.war_cost)

    @staticmethod
    def expect(dist, f):
        total = 0.0
        for r, p in dist:
            total += p * f[r]
        return total

    def table(self, x):
        """The step probabilities (P(up), P(down)) of every rung under pressure x; None
        where the rung absorbs."""
        return [None if self.absorbing[r] else self.step(r, x) for r in range(self.size)]

    def propagate(self, x, f, table=None):
        """(P f)(r): the expectation of f one step on from every rung r under pressure x
        (`table`: self.table(x), when the caller already has it)."""
        out = []
        for r, probabilities in enumerate(table or self.table(x)):
            if probabilities is None:
                out.append(f[r])
                continue
            p_up, p_down = probabilities
            value = (1.0 - p_up - p_down) * f[r]
            if p_up > 0.0:
                value += p_up * f[r + 1]
            if p_down > 0.0:
                value += p_down * f[r - 1]
            out.append(value)
        return out

    def values(self, x, steps, discount):
        """W_m(r) = discount * P (c + W_{m-1})(r), W_0 = 0: the discounted war cost still to
        come from rung r over `steps` more ticks at pressure x; returns W_steps, W_{steps-1}."""
        w = rest = [0.0] * self.size
        table = self.table(x)  # the same steps every tick of the forecast
        for _ in range(steps):
            rest = w
            w = [discount * v for v in self.propagate(x, [c + v for c, v in zip(self.war_cost, w)], table)]
        return w, rest


class ActionSpec:
    """An action or event: effects {variable: (mean, sd)}, requires {variable or 'rung': (min, max)}."""

    def __init__(self, spec, variables):
        self.name = spec.name
        self.effects = {variables[e.variable]: (e.mean, e.sd) for e in spec.effects}
        self.requires = {("rung" if c.variable == brink_scenario.RUNG else variables[c.variable]): (c.min, c.max)
                         for c in spec.requires}
        self.escalation = spec.escalation
        self.nuclear = spec.nuclear
        self.jumps = getattr(spec, "jumps", [])
        # What a leader's war terms depend on: moves of one class share them within a decision.
        self.war_class = (self.escalation, self.nuclear) if not self.jumps else self.name
        self.cost = getattr(spec, "cost", 0.0)
        self.agreement = getattr(spec, "agreement", False)
        self.hazard = getattr(spec, "hazard", 0.0)

    def holds(self, state, rung):
        for key, (lo, hi) in self.requires.items():
            v = rung if key == "rung" else state[key]
            if v < lo or v > hi:
                return False
        return True


class Commitment:
    """A commitment's state in one run: active, pending (with its deadline), credibility."""

    def __init__(self, spec, actions):
        self.spec = spec
        self.by = spec.by
        self.trigger = {actions[a].name for a in spec.trigger}
        self.response = actions[spec.response]
        self.declared_by = actions[spec.declared_by] if spec.declared_by >= 0 else None
        self.active = self.declared_by is None
        self.pending = False
        self.deadline = 0
        self.credibility = spec.credibility
        self.honoured = self.bluffed = 0  # times resolved each way

    def update(self, tick, moves):
        """Resolution, trigger, declaration (docs/model.md, "Commitments and credibility")."""
        own, other = moves[self.by], moves[1 - self.by]
        spec = self.spec
        if self.pending:
            honoured = own is self.response
            if honoured or tick >= self.deadline:
                if honoured:
                    self.credibility += spec.learning * (1.0 - self.credibility)
                    self.honoured += 1
                else:
                    self.credibility *= 1.0 - spec.learning
                    self.bluffed += 1
                self.pending = False
                self.active = self.declared_by is None
        if self.active and not self.pending and other.name in self.trigger:
            self.pending = True
            self.deadline = tick + spec.window
        if not self.active and not self.pending and self.declared_by is not None and own is self.declared_by:
            self.active = True


class Leader(Agent):
    def __init__(self, unique_id, model, spec, actions, variables):
        super().__init__(unique_id, model)
        self.id = spec.id
        self.rationality = spec.rationality
        self.risk_tolerance = spec.risk_tolerance
        self.misperception = spec.misperception
        self.reciprocity = spec.reciprocity
        self.resolve = spec.resolve
        self.memory = spec.memory
        self.foresight = spec.foresight
        self.discount = spec.discount
        self.modes = spec.modes  # hidden modes (brink_scenario.Mode), first one at tick 0
        self.mode = 0
        self.weights = {v: w for v, w in zip(variables, spec.value_weights)}
        self.menu = [actions[a] for a in spec.menu]
        self.propensity = [{a.name: p for a, p in zip(self.menu, m.propensity)} for m in spec.modes]
        self.misread_cdf = spec.misread_cdf
        self.opponent = None
        self.beliefs = None
        self.type_beliefs = None  # over the opponent's modes
        self.last_move = None  # ActionSpec of the previous tick
        self.next_move = None
        self.seen = None
        self.chosen = {a.name: 0 for a in self.menu}  # ticks each action was chosen

    def start(self):
        n = len(self.opponent.menu)
        self.beliefs = {a.name: 1.0 / n for a in self.opponent.menu}
        self.type_beliefs = [m.prior for m in self.opponent.modes]
        commitments = self.model.commitments
        # The opponent's commitments each of my moves triggers, and the value to me of each response.
        self.triggers = {a.name: [c for c in commitments if c.by != self.unique_id and a.name in c.trigger]
                         for a in self.menu}
        self.response_value = {id(c): sum(self.weights[v] * mean for v, (mean, _) in c.response.effects.items())
                               for c in commitments if c.by != self.unique_id}
        self.own_commitments = [c for c in commitments if c.by == self.unique_id]
        self.triggers_any = any(self.triggers.values())

    def switch_mode(self):
        """Intent: one draw; the other enterable modes, in order, by their hazards."""
        model = self.model
        u = model.random.random()
        hazards = []
        for m, mode in enumerate(self.modes):
            if m == self.mode or not mode.enterable:
                continue
            z = mode.intercept + mode.rung_slope * model.rung
            for v, b in mode.slopes:
                z += b * model.state[model.variables[v]]
            hazards.append((m, logistic(z)))
        total = sum(h for _, h in hazards)
        scale = 1.0 / total if total > 1.0 else 1.0
        cumulative = 0.0
        for m, h in hazards:
            cumulative += h * scale
            if u < cumulative:
                self.mode = m
                return

    def perceive(self):
        model = self.model
        seen = self.opponent.last_move
        if seen is not None:
            if model.random.random() < self.misperception * (1.0 - model.state["channel"]):
                k = min(bisect.bisect_right(self.misread_cdf, model.random.random()), len(self.opponent.menu) - 1)
                seen = self.opponent.menu[k]
            keep = self.memory
            for name in self.beliefs:
                self.beliefs[name] = keep * self.beliefs[name] + (1.0 - keep) * (1.0 if name == seen.name else 0.0)
            if self.type_beliefs:  # Bayes' rule on the move seen, after forgetting toward the priors
                k = self.opponent.menu.index(seen)
                mu = [(keep * b + (1.0 - keep) * m.prior) * m.likelihood[k]
                      for b, m in zip(self.type_beliefs, self.opponent.modes)]
                total = sum(mu)
                self.type_beliefs = [b / total for b in mu] if total > 0.0 else [m.prior for m in self.opponent.modes]
        self.seen = seen

    def expected_war_cost(self, pressure):
        """The ladder's war cost expected after one step at `pressure` (plus the tension's)."""
        model = self.model
        sc = model.scenario
        return model.ladder_law.step_cost(model.rung, pressure + sc.tension_weight * model.state["tension"])

    def committed_responses(self, a, terms, triggers, expected_later, expected_nuclear, x_later, later_rest,
                            y_later, nuclear_rest):
        """The change in a's utility from the opponent's commitments it triggers (active, not
        pending): their responses' value, and tick 2 of the lookahead under their pressure,
        each weighted by credibility (docs/model.md, "Utility in version 2")."""
        shift = nuclear_shift = committed = 0.0
        live = False
        for c in triggers[a.name]:
            if c.active and not c.pending:
                live = True
                shift += c.credibility * (c.response.escalation - expected_later)
                nuclear_shift += c.credibility * (c.response.nuclear - expected_nuclear)
                committed += c.credibility * self.response_value[id(c)]
        if not live:
            return 0.0
        first, levels, _, look = terms
        ladder, track = self.model.ladder_law, self.model.nuclear_law
        second = ladder.propagate(x_later + shift, [cost + v for cost, v in zip(ladder.war_cost, later_rest)])
        shifted = self.discount * ladder.expect(first, second)
        if track:
            second = track.propagate(y_later + nuclear_shift, [cost + v for cost, v in zip(track.war_cost, nuclear_rest)])
            shifted += self.discount * track.expect(levels, second)
        return self.discount * committed + look - (1.0 - self.risk_tolerance) * shifted

    def decide(self):
        model = self.model
        sc = model.scenario
        state = model.state
        # Perceived state: noisier when the channel is closed.
        noise = sc.state_noise
        if noise > 0.0:
            sd = noise * (1.0 - state["channel"])
            predicted = {v: x + sd * model.random.gauss(0.0, 1.0) for v, x in state.items()}
        else:
            predicted = dict(state)
        # Expected opponent move: beliefs renormalised over its feasible actions.
        options = [a for a in self.opponent.menu if model.feasible[a.name]]
        mass = sum(self.beliefs[a.name] for a in options)
        expected_escalation = expected_nuclear = 0.0
        for a in options:
            w = self.beliefs[a.name] / mass if mass > 0.0 else 1.0 / len(options)
            expected_escalation += w * a.escalation
            expected_nuclear += w * a.nuclear
            for v, (mean, _) in a.effects.items():
                predicted[v] += w * mean
        # The ladder and the nuclear track as this leader forecasts them this tick.
        ladder, track = model.ladder_law, model.nuclear_law
        tension = state["tension"]
        x_now = expected_escalation + model.state_pressure + sc.tension_weight * tension
        if track:
            y_now = expected_nuclear + sc.nuclear.rung_pressure[model.rung] + sc.nuclear.tension_weight * tension
        # Lookahead: after this move the leader returns to its last move, against the
        # opponent's expected move shifted by what it believes of the opponent's mode.
        type_shift = sum(b * m.escalation_shift for b, m in zip(self.type_beliefs, self.opponent.modes))
        expected_later = expected_escalation + type_shift
        looking = self.foresight >= 2
        if looking:
            last = self.last_move
            x_later = (last.escalation if last else 0.0) + x_now + type_shift
            later, later_rest = ladder.values(x_later, self.foresight - 1, self.discount)
            if track:
                y_later = (last.nuclear if last else 0.0) + y_now
                nuclear_later, nuclear_rest = track.values(y_later, self.foresight - 1, self.discount)
        # War terms depend on a move only through its escalation, nuclear pressure and jumps:
        # computed once per decision for each such class of moves.
        war_terms = {}
        averse = 1.0 - self.risk_tolerance
        propensity = self.propensity[self.mode] if self.modes else None
        pending = [c for c in self.own_commitments if c.pending]
        triggers = self.triggers if looking and self.triggers_any else None
        seen = self.seen
        rung, level = model.rung, model.level
        utilities = []
        feasible, weights, last_move = model.feasible, self.weights, self.last_move
        before = {v: clamp01(x) for v, x in predicted.items()}
        for a in self.menu:
            if not feasible[a.name]:
                continue
            goals = 0.0
            for v, (mean, _) in a.effects.items():
                goals += weights[v] * (clamp01(predicted[v] + mean) - before[v])
            terms = war_terms.get(a.war_class)
            if terms is None:
                first = levels = None
                look = 0.0
                if looking or a.jumps:
                    first = ladder.after_step(rung, a.escalation + x_now, a.jumps)
                    war = ladder.cost(first)
                    if looking:
                        look = ladder.expect(first, later)
                else:  # the version-1 war term: no distribution needed
                    war = ladder.step_cost(rung, a.escalation + x_now)
                if track and looking:
                    levels = track.after_step(level, a.nuclear + y_now)
                    war += track.cost(levels)
                    look += track.expect(levels, nuclear_later)
                elif track:
                    war += track.step_cost(level, a.nuclear + y_now)
                terms = war_terms[a.war_class] = (first, levels, averse * (war + look), averse * look)
            u = goals - terms[2] - a.cost
            if triggers is not None:
                u += self.committed_responses(a, terms, triggers, expected_later, expected_nuclear, x_later,
                                              later_rest, y_later if track else 0.0, nuclear_rest if track else None)
            if seen is not None:
                u -= self.reciprocity * abs(a.escalation - seen.escalation)
            if a is last_move:
                u += self.resolve
            if propensity is not None:
                u += propensity[a.name]
            if pending:
                for c in pending:
                    if a is c.response:
                        u += c.spec.audience_cost  # backing down would cost this much
            utilities.append((a, u))
        best = max(u for _, u in utilities)
        weights = [math.exp(self.rationality * (u - best)) for _, u in utilities]
        target = model.random.random() * sum(weights)
        cumulative = 0.0
        for (a, _), w in zip(utilities, weights):
            cumulative += w
            if target < cumulative:
                return a
        return utilities[-1][0]

    def step(self):
        self.perceive()
        self.next_move = self.decide()

    def advance(self):
        self.last_move = self.next_move
        self.chosen[self.last_move.name] += 1


class CrisisModel(Model):
    def __init__(self, scenario, seed=None, laws=None):
        super().__init__(seed)
        self.scenario = scenario
        variables = scenario.variables
        self.variables = variables
        self.actions = [ActionSpec(a, variables) for a in scenario.actions]
        self.events = [ActionSpec(e, variables) for e in scenario.events]
        self.ladder_law, self.nuclear_law = laws or make_laws(scenario)
        self.state = dict(zip(variables, scenario.initial))
        self.rung = scenario.initial_rung
        self.level = scenario.nuclear.initial_level if scenario.nuclear else 0
        self.max_level = self.level
        self.max_rung = self.rung
        self.tick = 0
        self.settled = 0
        self.outcome = "frozen_conflict"
        self.state_pressure = 0.0
        self.feasible = {}
        self.commitments = [Commitment(c, self.actions) for c in scenario.commitments]
        # Version-2 mechanisms this scenario uses (each tick skips the others).
        self.state_weights = [(variables[v], b) for v, b in scenario.state_weights]
        self.jumps = any(a.jumps for a in self.actions)
        self.schedule = SimultaneousActivation(self)
        self.leaders = [Leader(i, self, spec, self.actions, variables) for i, spec in enumerate(scenario.leaders)]
        self.leaders[0].opponent, self.leaders[1].opponent = self.leaders[1], self.leaders[0]
        for leader in self.leaders:
            leader.start()
            self.schedule.add(leader)
        self.intent = [leader for leader in self.leaders if len(leader.modes) >= 2]

    def step(self):
        sc = self.scenario
        state = self.state
        track = sc.nuclear
        self.tick += 1
        # The state's part of the ladder pressure; intent (leaders with modes may switch).
        if self.state_weights:
            self.state_pressure = sum(b * state[v] for v, b in self.state_weights)
        for leader in self.intent:
            leader.switch_mode()
        # Both leaders perceive and choose on the start-of-tick state.
        self.feasible = {a.name: a.holds(state, self.rung) for a in self.actions}
        self.schedule.step()
        # Events fire by hazard if their conditions hold on the start-of-tick state.
        fired = [e for e in self.events if self.random.random() < e.hazard and e.holds(state, self.rung)]
        tension_before = state["tension"]
        moves = [leader.last_move for leader in self.leaders]
        pressure = nuclear = 0.0
        for source in moves + fired:
            pressure += source.escalation
            if track:
                nuclear += source.nuclear
            for v, (mean, sd) in source.effects.items():
                state[v] += mean + (sd * self.random.gauss(0.0, 1.0) if sd > 0.0 else 0.0)
        for v, x in state.items():
            if math.isnan(x):
                raise ValueError(f"variable '{v}' became NaN at tick {self.tick}")
            state[v] = clamp01(x)
        # Ladder step on the pressure, the state's pressure and the start-of-tick tension;
        # then the moves' jumps, then the nuclear track; then tension.
        rung_before = self.rung
        p_up, p_down = step_probabilities(sc, self.rung, pressure + sc.tension_weight * tension_before + self.state_pressure)
        u = self.random.random()
        if u < p_up:
            self.rung += 1
        elif u < p_up + p_down:
            self.rung -= 1
        if self.jumps:
            for move in moves:
                for jump in move.jumps:
                    if self.rung < jump.to and self.random.random() < jump.probability:
                        self.rung = jump.to
        if track:
            p_up, p_down = self.nuclear_law.step(
                self.level, nuclear + track.rung_pressure[rung_before] + track.tension_weight * tension_before)
            u = self.random.random()
            if u < p_up:
                self.level += 1
            elif u < p_up + p_down:
                self.level -= 1
            self.max_level = max(self.max_level, self.level)
        self.max_rung = max(self.max_rung, self.rung)
        state["tension"] = clamp01((1.0 - sc.decay) * state["tension"] + sc.gain * pressure)
        for commitment in self.commitments:
            commitment.update(self.tick, moves)
        # Outcomes.
        nuclear_end = track is not None and (track.terminal[self.level] or 0 <= sc.nuclear_escalation_level <= self.level)
        if self.rung >= sc.escalation_rung or sc.terminal[self.rung] or nuclear_end:
            self.outcome, self.running = "escalation", False
        elif sc.joint_agreement and moves[0].agreement and moves[1].agreement and state["channel"] >= sc.agreement_channel:
            self.outcome, self.running = "deescalation", False
        else:
            self.settled = self.settled + 1 if self.rung <= sc.settlement_rung and state["tension"] < sc.settlement_tension else 0
            if self.settled >= sc.settlement_ticks:
                self.outcome, self.running = "deescalation", False
        if self.running and self.tick >= sc.horizon:
            self.outcome = "ongoing_war" if self.rung >= sc.war_rung else "frozen_conflict"
            self.running = False

    def run_model(self):
        while self.running:
            self.step()
        return self.outcome, self.tick


def make_laws(sc):
    """The ladder's and the nuclear track's step laws (None without a track)."""
    ladder = TrackLaw(sc.sensitivity, sc.up_threshold_at, sc.down_threshold_at, sc.war_cost, sc.terminal,
                      sc.escalation_rung)
    tr = sc.nuclear
    track = None if tr is None else TrackLaw(tr.sensitivity, tr.up_threshold_at, tr.down_threshold_at, tr.war_cost,
                                             tr.terminal, sc.nuclear_escalation_level)
    return ladder, track


def play(scenario, run_ids, seed=1):
    """Plays the runs `run_ids` one at a time; yields per run (outcome, end tick, highest
    rung, per leader its action counts in menu order, the final state in variable order,
    the version-2 figures: highest nuclear level, and per commitment the times honoured
    and bluffed and the final credibility)."""
    laws = make_laws(scenario)
    for run_id in run_ids:
        model = CrisisModel(scenario, seed=seed * 1_000_003 + run_id, laws=laws)
        outcome, end_tick = model.run_model()
        yield (outcome, end_tick, model.max_rung, [list(leader.chosen.values()) for leader in model.leaders],
               list(model.state.values()), model.max_level, [c.honoured for c in model.commitments],
               [c.bluffed for c in model.commitments], [c.credibility for c in model.commitments])


def batch_run(scenario, runs, seed=1):
    """Outcome counts and total ticks of runs 0 .. runs-1."""
    counts = dict.fromkeys(brink_scenario.OUTCOMES, 0)
    ticks = 0
    for outcome, end_tick, *_ in play(scenario, range(runs), seed):
        counts[outcome] += 1
        ticks += end_tick
    return counts, ticks


if __name__ == "__main__":
    path = sys.argv[1] if len(sys.argv) > 1 else "scenarios/baseline.yaml"
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    sc = brink_scenario.load(path)
    t0 = time.perf_counter()
    counts, ticks = batch_run(sc, runs, seed)
    dt = time.perf_counter() - t0
    print(f"{runs} runs in {dt:.2f} s: {runs / dt:.1f} runs/s, {ticks / dt:.0f} run-ticks/s")
    print({k: round(v / runs, 4) for k, v in counts.items()})
