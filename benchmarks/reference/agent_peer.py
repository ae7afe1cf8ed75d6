"""Peer (a): the Brink model as an agent-object model in the style of Mesa.

Leaders are Agent objects with step() (perceive and decide on the start-of-tick state)
and advance() (commit the move), activated simultaneously as Mesa's
SimultaneousActivation does; a Model advances the world one tick at a time, and runs
are played one at a time and batched over seeds, as Mesa's batch_run does. Mesa itself
is not installed here (it is not a Debian package), so the few Mesa classes this needs
(Agent, Model, SimultaneousActivation) are written below with Mesa's interface.

It implements the model of sim/model/simulate.cpp (docs/model.md), reading the same
scenario file; random numbers come from Python's `random` (Mesa's model.random), so
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


class ActionSpec:
    """An action or event: effects {variable: (mean, sd)}, requires {variable or 'rung': (min, max)}."""

    def __init__(self, spec, variables):
        self.name = spec.name
        self.effects = {variables[e.variable]: (e.mean, e.sd) for e in spec.effects}
        self.requires = {("rung" if c.variable == brink_scenario.RUNG else variables[c.variable]): (c.min, c.max)
                         for c in spec.requires}
        self.escalation = spec.escalation
        self.cost = getattr(spec, "cost", 0.0)
        self.agreement = getattr(spec, "agreement", False)
        self.hazard = getattr(spec, "hazard", 0.0)

    def holds(self, state, rung):
        for key, (lo, hi) in self.requires.items():
            v = rung if key == "rung" else state[key]
            if v < lo or v > hi:
                return False
        return True


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
        self.weights = {v: w for v, w in zip(variables, spec.value_weights)}
        self.menu = [actions[a] for a in spec.menu]
        self.misread_cdf = spec.misread_cdf
        self.opponent = None
        self.beliefs = None
        self.last_move = None  # ActionSpec of the previous tick
        self.next_move = None
        self.seen = None
        self.chosen = {a.name: 0 for a in self.menu}  # ticks each action was chosen

    def start(self):
        n = len(self.opponent.menu)
        self.beliefs = {a.name: 1.0 / n for a in self.opponent.menu}

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
        self.seen = seen

    def expected_war_cost(self, pressure):
        model = self.model
        sc = model.scenario
        rung = model.rung
        x = pressure + sc.tension_weight * model.state["tension"]
        # step_probabilities, inlined: this runs for every action every tick
        p_up = logistic(sc.sensitivity * (x - sc.up_threshold_at[rung])) if rung + 1 < len(sc.war_cost) else 0.0
        p_down = logistic(sc.sensitivity * (sc.down_threshold_at[rung] - x)) if rung > 0 else 0.0
        cost = (1.0 - p_up - p_down) * sc.war_cost[rung]
        if p_up > 0.0:
            cost += p_up * sc.war_cost[rung + 1]
        if p_down > 0.0:
            cost += p_down * sc.war_cost[rung - 1]
        return cost

    def decide(self):
        model = self.model
        state = model.state
        # Perceived state: noisier when the channel is closed.
        noise = model.scenario.state_noise
        if noise > 0.0:
            sd = noise * (1.0 - state["channel"])
            predicted = {v: x + sd * model.random.gauss(0.0, 1.0) for v, x in state.items()}
        else:
            predicted = dict(state)
        # Expected opponent move: beliefs renormalised over its feasible actions.
        options = [a for a in self.opponent.menu if model.feasible[a.name]]
        mass = sum(self.beliefs[a.name] for a in options)
        expected_escalation = 0.0
        for a in options:
            w = self.beliefs[a.name] / mass if mass > 0.0 else 1.0 / len(options)
            expected_escalation += w * a.escalation
            for v, (mean, _) in a.effects.items():
                predicted[v] += w * mean
        # Utilities of the feasible actions, then the logit rule.
        utilities = []
        for a in self.menu:
            if not model.feasible[a.name]:
                continue
            goals = 0.0
            for v, (mean, _) in a.effects.items():
                goals += self.weights[v] * (clamp01(predicted[v] + mean) - clamp01(predicted[v]))
            war = (1.0 - self.risk_tolerance) * self.expected_war_cost(a.escalation + expected_escalation)
            recip = -self.reciprocity * abs(a.escalation - self.seen.escalation) if self.seen is not None else 0.0
            stay = self.resolve if a is self.last_move else 0.0
            utilities.append((a, goals - war - a.cost + recip + stay))
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
    def __init__(self, scenario, seed=None):
        super().__init__(seed)
        self.scenario = scenario
        variables = scenario.variables
        self.actions = [ActionSpec(a, variables) for a in scenario.actions]
        self.events = [ActionSpec(e, variables) for e in scenario.events]
        self.state = dict(zip(variables, scenario.initial))
        self.rung = scenario.initial_rung
        self.max_rung = self.rung
        self.tick = 0
        self.settled = 0
        self.outcome = "stalemate"
        self.feasible = {}
        self.schedule = SimultaneousActivation(self)
        self.leaders = [Leader(i, self, spec, self.actions, variables) for i, spec in enumerate(scenario.leaders)]
        self.leaders[0].opponent, self.leaders[1].opponent = self.leaders[1], self.leaders[0]
        for leader in self.leaders:
            leader.start()
            self.schedule.add(leader)

    def step(self):
        sc = self.scenario
        state = self.state
        self.tick += 1
        # Both leaders perceive and choose on the start-of-tick state.
        self.feasible = {a.name: a.holds(state, self.rung) for a in self.actions}
        self.schedule.step()
        # Events fire by hazard if their conditions hold on the start-of-tick state.
        fired = [e for e in self.events if self.random.random() < e.hazard and e.holds(state, self.rung)]
        tension_before = state["tension"]
        moves = [leader.last_move for leader in self.leaders]
        pressure = 0.0
        for source in moves + fired:
            pressure += source.escalation
            for v, (mean, sd) in source.effects.items():
                state[v] += mean + (sd * self.random.gauss(0.0, 1.0) if sd > 0.0 else 0.0)
        for v, x in state.items():
            if math.isnan(x):
                raise ValueError(f"variable '{v}' became NaN at tick {self.tick}")
            state[v] = clamp01(x)
        # Ladder step on the pressure and the start-of-tick tension, then tension.
        p_up, p_down = step_probabilities(sc, self.rung, pressure + sc.tension_weight * tension_before)
        u = self.random.random()
        if u < p_up:
            self.rung += 1
        elif u < p_up + p_down:
            self.rung -= 1
        self.max_rung = max(self.max_rung, self.rung)
        state["tension"] = clamp01((1.0 - sc.decay) * state["tension"] + sc.gain * pressure)
        # Outcomes.
        if self.rung >= sc.escalation_rung or sc.terminal[self.rung]:
            self.outcome, self.running = "escalation", False
        elif sc.joint_agreement and moves[0].agreement and moves[1].agreement and state["channel"] >= sc.agreement_channel:
            self.outcome, self.running = "deescalation", False
        else:
            self.settled = self.settled + 1 if self.rung <= sc.settlement_rung and state["tension"] < sc.settlement_tension else 0
            if self.settled >= sc.settlement_ticks:
                self.outcome, self.running = "deescalation", False
        if self.tick >= sc.horizon:
            self.running = False

    def run_model(self):
        while self.running:
            self.step()
        return self.outcome, self.tick


def play(scenario, run_ids, seed=1):
    """Plays the runs `run_ids` one at a time; yields per run (outcome, end tick, highest
    rung, per leader its action counts in menu order, the final state in variable order)."""
    for run_id in run_ids:
        model = CrisisModel(scenario, seed=seed * 1_000_003 + run_id)
        outcome, end_tick = model.run_model()
        yield (outcome, end_tick, model.max_rung, [list(leader.chosen.values()) for leader in model.leaders],
               list(model.state.values()))


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
