"""Reads a Brink scenario file for the Python peers (benchmarks/reference/).

The same YAML file Brink reads, with the same meaning (docs/scenario-reference.md):
`extends` (maps merge by key, recursively; everything else replaces whole), the same
defaults, rung references by id or index, effects in short form (`var: mean`) or long
form (`var: {mean, sd}`), `requires` ranges on variables or on `rung`, firebreaks
(`ladder.rungs[].up_threshold`, `down_threshold`), and the fields of model version 2
(docs/model.md, "Strategic leaders"): foresight and discount, hidden modes, commitments,
jumps, the nuclear track, the ladder's state weights, `outcomes.war_rung` and
`outcomes.nuclear_escalation_level`. Validation is Brink's job
(`brink validate`): this reader assumes a valid file.

`load(path)` returns a `Scenario` of plain Python values in file order: variables,
actions, events and leaders are indexed as Brink indexes them.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field

import yaml

RUNG = -1  # "the ladder rung" where a variable index is expected (as kRung in Brink)


def _merge(base, over):
    """`extends`: maps merge by key, recursively; anything else replaces whole."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for key, value in over.items():
            out[key] = _merge(base[key], value) if key in base else value
        return out
    return over


def read_document(path: str) -> dict:
    """The scenario document with its `extends` chain merged (base first)."""
    with open(path, encoding="utf-8") as f:
        doc = yaml.safe_load(f) or {}
    base = doc.pop("extends", None)
    if base is None:
        return doc
    return _merge(read_document(os.path.join(os.path.dirname(path), base)), doc)


@dataclass
class Effect:
    variable: int
    mean: float
    sd: float = 0.0


@dataclass
class Condition:
    variable: int  # RUNG for the ladder rung
    min: float = -math.inf
    max: float = math.inf


@dataclass
class Jump:
    to: int  # rung index
    probability: float


@dataclass
class Action:
    name: str
    effects: list[Effect]
    requires: list[Condition]
    escalation: float = 0.0
    cost: float = 0.0
    agreement: bool = False
    nuclear: float = 0.0  # pressure on the nuclear track
    jumps: list[Jump] = field(default_factory=list)


@dataclass
class Event:
    name: str
    hazard: float
    effects: list[Effect]
    requires: list[Condition]
    escalation: float = 0.0
    nuclear: float = 0.0


@dataclass
class Mode:
    """A hidden mode of a leader (docs/model.md, "Hidden modes"). `propensity` by menu
    position; `prior` normalised over the leader's modes; `likelihood` (by menu position)
    and `escalation_shift` are the opponent's model of the mode, as Brink derives them."""

    id: str
    propensity: list[float]
    enterable: bool = False
    intercept: float = 0.0
    slopes: list[tuple[int, float]] = field(default_factory=list)  # (variable, b)
    rung_slope: float = 0.0
    prior: float = 0.0
    likelihood: list[float] = field(default_factory=list)
    escalation_shift: float = 0.0


@dataclass
class Commitment:
    id: str
    by: int  # leader index
    trigger: list[int]  # action indices (the opponent's moves)
    response: int  # action index
    window: int = 1
    credibility: float = 0.5
    learning: float = 0.3
    audience_cost: float = 0.0
    declared_by: int = -1  # action index; -1: standing


@dataclass
class Track:
    """The nuclear posture track: levels, their step thresholds (firebreaks applied) and
    the pressure each ladder rung puts on it."""

    level_ids: list[str]
    war_cost: list[float]
    terminal: list[bool]
    initial_level: int
    sensitivity: float
    tension_weight: float
    up_threshold_at: list[float]
    down_threshold_at: list[float]
    rung_pressure: list[float]  # by ladder rung


@dataclass
class Leader:
    id: str
    rationality: float = 1.0
    risk_tolerance: float = 0.5
    misperception: float = 0.0
    reciprocity: float = 0.0
    resolve: float = 0.0
    memory: float = 0.5
    foresight: int = 1
    discount: float = 0.9
    modes: list[Mode] = field(default_factory=list)
    value_weights: list[float] = field(default_factory=list)  # w = G^T p
    menu: list[int] = field(default_factory=list)  # action indices
    misread_cdf: list[float] = field(default_factory=list)  # over the opponent's menu


@dataclass
class Scenario:
    name: str
    horizon: int
    runs: int
    seed: int
    variables: list[str]
    initial: list[float]
    tension: int
    channel: int
    rung_ids: list[str]
    war_cost: list[float]
    terminal: list[bool]
    initial_rung: int
    sensitivity: float
    up_threshold: float
    down_threshold: float
    up_threshold_at: list[float]  # θ_up(r): the step-up threshold in force at rung r
    down_threshold_at: list[float]  # θ_down(r): the step-down threshold in force at rung r
    tension_weight: float
    decay: float
    gain: float
    state_noise: float
    escalation_bias: float
    actions: list[Action]
    events: list[Event]
    leaders: list[Leader]
    escalation_rung: int
    settlement_rung: int
    settlement_tension: float
    settlement_ticks: int
    joint_agreement: bool
    agreement_channel: float
    state_weights: list[tuple[int, float]] = field(default_factory=list)  # (variable, beta)
    nuclear: Track | None = None
    commitments: list[Commitment] = field(default_factory=list)
    war_rung: int = -1  # at the horizon, final rung >= war_rung: ongoing war (default: escalation_rung)
    nuclear_escalation_level: int = -1  # -1: none


def step_thresholds(rungs, up: float, down: float) -> tuple[list[float], list[float]]:
    """Firebreaks (sim/model/scenario_model.cpp, derive_step_thresholds): at rung r the
    step up uses rung r+1's `up_threshold` (the rung stepped into), the step down rung r's
    `down_threshold` (the rung stepped out of), each where given, else the ladder's."""
    n = len(rungs)
    up_at = [float(rungs[r + 1]["up_threshold"]) if r + 1 < n and "up_threshold" in rungs[r + 1] else up
             for r in range(n)]
    down_at = [float(rungs[r]["down_threshold"]) if r > 0 and "down_threshold" in rungs[r] else down
               for r in range(n)]
    return up_at, down_at


def load(path: str) -> Scenario:
    doc = read_document(path)
    run = doc.get("run") or {}
    world = doc["world"]
    variables = list(world["variables"].keys())
    var_index = {v: i for i, v in enumerate(variables)}
    initial = [float(world["variables"][v]["initial"]) for v in variables]

    ladder = doc["ladder"]
    rungs = ladder["rungs"]
    rung_ids = [r["id"] for r in rungs]

    def rung_ref(value) -> int:
        return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else rung_ids.index(value)

    def effects_of(spec) -> list[Effect]:
        out = []
        for var, value in (spec.get("effects") or {}).items():
            if isinstance(value, dict):
                out.append(Effect(var_index[var], float(value.get("mean", 0.0)), float(value.get("sd", 0.0))))
            else:
                out.append(Effect(var_index[var], float(value), 0.0))
        return out

    def requires_of(spec) -> list[Condition]:
        out = []
        for key, rng in (spec.get("requires") or {}).items():
            c = Condition(RUNG if key == "rung" else var_index[key])
            for bound in ("min", "max"):
                if bound in rng:
                    setattr(c, bound, float(rung_ref(rng[bound]) if key == "rung" else rng[bound]))
            out.append(c)
        return out

    actions = []
    for name, a in (doc.get("actions") or {}).items():
        a = a or {}
        jumps = [Jump(rung_ref(j["to"]), float(j["probability"])) for j in (a.get("jumps") or [])]
        actions.append(Action(name, effects_of(a), requires_of(a), float(a.get("escalation", 0.0)),
                              float(a.get("cost", 0.0)), bool(a.get("agreement", False)),
                              float(a.get("nuclear", 0.0)), jumps))
    action_index = {a.name: i for i, a in enumerate(actions)}
    events = []
    for name, e in (doc.get("events") or {}).items():
        events.append(Event(name, float(e["hazard"]), effects_of(e), requires_of(e), float(e.get("escalation", 0.0)),
                            float(e.get("nuclear", 0.0))))

    step = ladder.get("step") or {}
    up_threshold, down_threshold = float(step.get("up_threshold", 1.0)), float(step.get("down_threshold", -1.0))
    up_threshold_at, down_threshold_at = step_thresholds(rungs, up_threshold, down_threshold)
    tension_rule = ladder.get("tension") or {}
    perception = doc.get("perception") or {}
    leaders = []
    for lid, spec in doc["leaders"].items():
        traits = spec.get("traits") or {}
        leader = Leader(lid, **{k: int(v) if k == "foresight" else float(v) for k, v in traits.items()})
        goals = spec.get("goals") or {}
        priorities = spec.get("priorities") or {}
        weights = [0.0] * len(variables)
        for goal, row in goals.items():  # w_v = sum_g p_g G_gv, goals in file order
            p = float(priorities.get(goal, 0.0))
            dense = [0.0] * len(variables)
            for var, w in (row or {}).items():
                dense[var_index[var]] = float(w)
            for v in range(len(variables)):
                weights[v] += p * dense[v]
        leader.value_weights = weights
        leader.menu = [action_index[a] for a in spec["menu"]]
        leader.modes = modes_of(spec.get("modes") or {}, leader, actions, var_index)
        leaders.append(leader)
    bias = float(perception.get("escalation_bias", 0.0))
    for i, leader in enumerate(leaders):  # misread draw over the opponent's menu
        opponent = leaders[1 - i]
        escalations = [actions[j].escalation for j in opponent.menu]
        top = max(escalations)
        total, cdf = 0.0, []
        for e in escalations:
            total += math.exp(bias * (e - top))
            cdf.append(total)
        leader.misread_cdf = [c / total for c in cdf]

    outcomes = doc["outcomes"]
    leader_index = {leader.id: i for i, leader in enumerate(leaders)}
    commitments = []
    for cid, c in (doc.get("commitments") or {}).items():
        commitments.append(Commitment(
            cid, leader_index[c["by"]], [action_index[a] for a in c["trigger"]], action_index[c["response"]],
            int(c.get("window", 1)), float(c.get("credibility", 0.5)), float(c.get("learning", 0.3)),
            float(c.get("audience_cost", 0.0)), action_index[c["declared_by"]] if "declared_by" in c else -1))
    track = track_of(doc.get("nuclear"), rung_ref, len(rungs))
    escalation_rung = rung_ref(outcomes["escalation_rung"])
    return Scenario(
        name=doc.get("name", os.path.splitext(os.path.basename(path))[0]),
        horizon=int(run.get("horizon", 104)), runs=int(run.get("runs", 10000)), seed=int(run.get("seed", 1)),
        variables=variables, initial=initial, tension=var_index["tension"], channel=var_index["channel"],
        rung_ids=rung_ids, war_cost=[float(r.get("war_cost", 0.0)) for r in rungs],
        terminal=[bool(r.get("terminal", False)) for r in rungs], initial_rung=rung_ref(world.get("initial_rung", 0)),
        sensitivity=float(step.get("sensitivity", 1.0)), up_threshold=up_threshold, down_threshold=down_threshold,
        up_threshold_at=up_threshold_at, down_threshold_at=down_threshold_at,
        tension_weight=float(step.get("tension_weight", 0.0)),
        decay=float(tension_rule.get("decay", 0.0)), gain=float(tension_rule.get("gain", 0.0)),
        state_noise=float(perception.get("state_noise", 0.0)), escalation_bias=bias,
        actions=actions, events=events, leaders=leaders,
        escalation_rung=escalation_rung, settlement_rung=rung_ref(outcomes["settlement_rung"]),
        settlement_tension=float(outcomes.get("settlement_tension", 0.3)),
        settlement_ticks=int(outcomes.get("settlement_ticks", 8)),
        joint_agreement=bool(outcomes.get("joint_agreement", True)),
        agreement_channel=float(outcomes.get("agreement_channel", 0.5)),
        state_weights=[(var_index[v], float(b)) for v, b in (step.get("state_weights") or {}).items()],
        nuclear=track, commitments=commitments,
        war_rung=rung_ref(outcomes["war_rung"]) if "war_rung" in outcomes else escalation_rung,
        nuclear_escalation_level=(level_ref(track, outcomes["nuclear_escalation_level"])
                                  if "nuclear_escalation_level" in outcomes else -1),
    )


def level_ref(track: Track, value) -> int:
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else track.level_ids.index(value)


def track_of(spec, rung_ref, rung_count) -> Track | None:
    """The nuclear track (`nuclear:`), or None without one."""
    if not spec:
        return None
    levels = spec["levels"]
    step = spec.get("step") or {}
    up, down = float(step.get("up_threshold", 1.0)), float(step.get("down_threshold", -1.0))
    up_at, down_at = step_thresholds(levels, up, down)
    pressure = [0.0] * rung_count
    for rung, value in (spec.get("rung_pressure") or {}).items():
        pressure[rung_ref(rung)] = float(value)
    track = Track([lv["id"] for lv in levels], [float(lv.get("war_cost", 0.0)) for lv in levels],
                  [bool(lv.get("terminal", False)) for lv in levels], 0, float(step.get("sensitivity", 1.0)),
                  float(step.get("tension_weight", 0.0)), up_at, down_at, pressure)
    track.initial_level = level_ref(track, spec.get("initial_level", 0))
    return track


def modes_of(spec, leader: Leader, actions, var_index) -> list[Mode]:
    """A leader's hidden modes, with the opponent's model of each (sim/model/scenario_model.cpp,
    derive_modes): the logit of its propensities over the whole menu at the leader's
    rationality, and the shift of the expected escalation that logit gives."""
    menu_names = [actions[a].name for a in leader.menu]
    modes = []
    for mid, m in spec.items():
        m = m or {}
        propensity = [0.0] * len(leader.menu)
        for name, bonus in (m.get("propensity") or {}).items():
            propensity[menu_names.index(name)] = float(bonus)
        mode = Mode(mid, propensity, prior=float(m.get("prior", 0.0)))
        if "enter" in m:
            enter = m["enter"] or {}
            mode.enterable = True
            mode.intercept = float(enter.get("intercept", 0.0))
            mode.slopes = [(var_index[v], float(b)) for v, b in (enter.get("slopes") or {}).items()]
            mode.rung_slope = float(enter.get("rung", 0.0))
        modes.append(mode)
    total = sum(m.prior for m in modes)
    escalation = [actions[a].escalation for a in leader.menu]
    plain = sum(escalation) / len(escalation)
    for mode in modes:
        mode.prior = mode.prior / total if total > 0.0 else 1.0 / len(modes)
        top = max(mode.propensity)
        weights = [math.exp(leader.rationality * (p - top)) for p in mode.propensity]
        mode.likelihood = [w / sum(weights) for w in weights]
        mode.escalation_shift = sum(q * e for q, e in zip(mode.likelihood, escalation)) - plain
    return modes


# Outcome codes: a run that reaches the horizon is an ongoing war if its final rung is at
# or above outcomes.war_rung, else a frozen conflict (docs/model.md, "Outcomes").
OUTCOMES = ("escalation", "deescalation", "frozen_conflict", "ongoing_war")
