#include "support.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace brink::test {

Action pressure_action(const std::string& name, double escalation, bool agreement) {
    Action a;
    a.name = name;
    a.escalation = escalation;
    a.agreement = agreement;
    a.narrative = "{actor} does " + name + ".";
    return a;
}

Scenario make_world(int rungs, const std::vector<Action>& actions, const std::vector<int>& menu) {
    return make_world(rungs, actions, menu, WorldSettings{});
}

Scenario make_world(int rungs, const std::vector<Action>& actions, const std::vector<int>& menu,
                    const WorldSettings& settings) {
    if (!settings.war_costs.empty() && settings.war_costs.size() != static_cast<std::size_t>(rungs))
        throw std::invalid_argument("make_world: " + std::to_string(settings.war_costs.size()) + " war costs for " +
                                    std::to_string(rungs) + " rungs");
    Scenario s;
    s.name = "test world";
    s.horizon = 20;
    s.variables = {"tension", "channel", "x"};
    s.initial = {0.0, 0.0, 0.5};
    s.tension = 0;
    s.channel = 1;
    for (int r = 0; r < rungs; ++r) {
        const double war_cost = settings.war_costs.empty() ? 0.0 : settings.war_costs[static_cast<std::size_t>(r)];
        s.ladder.push_back(Rung{"r" + std::to_string(r), "rung " + std::to_string(r), war_cost, false, std::nullopt, std::nullopt});
    }
    s.initial_rung = 0;
    s.step = LadderStep{1.0, 1.0, -1.0, 0.0};
    s.tension_rule = TensionRule{0.0, 0.0};
    s.perception = Perception{0.0, 0.0};
    s.actions = actions;
    s.outcomes = Outcomes{rungs - 1, 0, 0.0, 1000, false, 0.5};  // settlement disabled: tension < 0 never holds
    const char* ids[] = {"a", "b"};
    for (int i = 0; i < 2; ++i) {
        Leader& l = s.leaders[static_cast<std::size_t>(i)];
        l.id = ids[i];
        l.name = std::string("Leader ") + ids[i];
        l.goal_names = {"gain"};
        l.priorities = {1.0};
        l.goals = {{0.0, 0.0, 1.0}};
        l.traits = settings.traits[static_cast<std::size_t>(i)];
        l.menu = menu;
    }
    finalize(s);
    return s;
}

Action make_action(const std::string& name, double escalation, const std::vector<Effect>& effects, double cost) {
    Action a = pressure_action(name, escalation);
    a.effects = effects;
    a.cost = cost;
    return a;
}

void set_menus(Scenario& s, const std::vector<int>& menu0, const std::vector<int>& menu1) {
    s.leaders[0].menu = menu0;
    s.leaders[1].menu = menu1;
    finalize(s);
}

int add_variable(Scenario& s, const std::string& name, double initial, double weight0, double weight1) {
    s.variables.push_back(name);
    s.initial.push_back(initial);
    const double weights[] = {weight0, weight1};
    for (std::size_t i = 0; i < 2; ++i) {
        for (std::vector<double>& row : s.leaders[i].goals) row.push_back(0.0);
        s.leaders[i].goals.at(0).back() = weights[i];  // make_world's leaders have one goal
    }
    finalize(s);
    return s.variable_count() - 1;
}

BatchRecord record_of(const LoadedScenario& loaded, const BatchPlan& plan) {
    BatchRecord record;
    record.scenario_name = loaded.scenario.name;
    record.scenario_yaml = loaded.resolved_yaml;
    record.scenario_hash = loaded.hash;
    record.plan = plan;
    return record;
}

// ---------------------------------------------------------------------------
// The lookahead written directly: dense distributions over every rung and level, each
// step probability from the logistic, no bands, factors or classes.

namespace {

std::size_t at(int i) { return static_cast<std::size_t>(i); }
double logistic(double z) { return 1.0 / (1.0 + std::exp(-z)); }

/// One step of a track's distribution, every rung from the logistic with its firebreaks
/// read from the rungs (not the scenario's derived tables), then the jumps.
std::vector<double> dense_step(const std::vector<Rung>& rungs, const LadderStep& step, int escalation_at,
                               const std::vector<double>& in, double x, const std::vector<Jump>* jumps) {
    const int n = static_cast<int>(rungs.size());
    std::vector<double> out(in.size(), 0.0);
    for (int r = 0; r < n; ++r) {
        const bool absorbing = rungs[at(r)].terminal || (escalation_at >= 0 && r >= escalation_at);
        if (absorbing) {
            out[at(r)] += in[at(r)];
            continue;
        }
        const double up = r + 1 < n ? logistic(step.sensitivity * (x - rungs[at(r + 1)].up_threshold.value_or(step.up_threshold))) : 0.0;
        const double down = r > 0 ? logistic(step.sensitivity * (rungs[at(r)].down_threshold.value_or(step.down_threshold) - x)) : 0.0;
        out[at(r)] += in[at(r)] * (1.0 - up - down);
        if (r + 1 < n) out[at(r + 1)] += in[at(r)] * up;
        if (r > 0) out[at(r - 1)] += in[at(r)] * down;
    }
    if (jumps)
        for (const Jump& j : *jumps)
            for (int r = 0; r < j.to; ++r) {
                out[at(j.to)] += j.probability * out[at(r)];
                out[at(r)] *= 1.0 - j.probability;
            }
    return out;
}

double dense_cost(const std::vector<Rung>& rungs, const std::vector<double>& d) {
    double sum = 0.0;
    for (std::size_t r = 0; r < rungs.size(); ++r) sum += d[r] * rungs[r].war_cost;
    return sum;
}

}  // namespace

ReferenceWar reference_war(const Scenario& s, std::size_t i, int a, const LeaderTick& d, int own_last, int rung,
                           int level, double tension, const std::vector<double>& state) {
    const Leader& leader = s.leaders[i];
    const Leader& opponent = s.leaders[1 - i];
    const Action& act = s.actions[at(a)];
    // The opponent's believed move over its feasible moves (the beliefs as used).
    double mass = 0.0, esc = 0.0, nuc = 0.0, plain_e = 0.0, plain_n = 0.0;
    int count = 0;
    for (std::size_t k = 0; k < opponent.menu.size(); ++k) {
        const Action& o = s.actions[at(opponent.menu[k])];
        bool feasible = true;
        for (const Condition& c : o.requires_) {
            const double v = c.variable == kRung ? rung : state[at(c.variable)];
            feasible = feasible && v >= c.min && v <= c.max;
        }
        if (!feasible) continue;
        mass += d.beliefs[k];
        esc += d.beliefs[k] * o.escalation;
        nuc += d.beliefs[k] * o.nuclear;
        plain_e += o.escalation;
        plain_n += o.nuclear;
        ++count;
    }
    const double e_opp = mass > 0.0 ? esc / mass : plain_e / count;
    const double n_opp = mass > 0.0 ? nuc / mass : plain_n / count;
    double sp = 0.0;
    for (const StateWeight& w : s.state_weights) sp += w.weight * state[at(w.variable)];
    double type_shift = 0.0;
    for (std::size_t m = 0; m < opponent.modes.size(); ++m) type_shift += d.type_beliefs[m] * opponent.modes[m].escalation_shift;
    const double own_e = own_last >= 0 ? s.actions[at(own_last)].escalation : 0.0;
    const double own_n = own_last >= 0 ? s.actions[at(own_last)].nuclear : 0.0;
    const std::vector<Jump>* jumps = act.jumps.empty() ? nullptr : &act.jumps;
    std::vector<double> dist(s.ladder.size(), 0.0);
    dist[at(rung)] = 1.0;
    const double x1 = act.escalation + e_opp + sp + s.step.tension_weight * tension;
    dist = dense_step(s.ladder, s.step, -1, dist, x1, jumps);
    const double averse = 1.0 - leader.traits.risk_tolerance;
    ReferenceWar out;
    out.first = dense_cost(s.ladder, dist);
    const bool track = s.nuclear.present();
    std::vector<double> lv(s.nuclear.levels.size(), 0.0);
    const double y = act.nuclear + n_opp + (track ? s.nuclear.rung_pressure[at(rung)] : 0.0) +
                     s.nuclear.step.tension_weight * tension;
    if (track) {
        lv[at(level)] = 1.0;
        lv = dense_step(s.nuclear.levels, s.nuclear.step, -1, lv, y, nullptr);
        out.first += dense_cost(s.nuclear.levels, lv);
    }
    out.first *= averse;
    // Committed responses to a at tick 2.
    double shift = 0.0, nshift = 0.0;
    for (const CommitmentView& v : d.commitments) {
        const Commitment& c = s.commitments[at(v.commitment)];
        if (c.by == static_cast<int>(i) || !v.active || v.pending) continue;
        if (std::find(c.trigger.begin(), c.trigger.end(), a) == c.trigger.end()) continue;
        shift += v.credibility * (s.actions[at(c.response)].escalation - (e_opp + type_shift));
        nshift += v.credibility * (s.actions[at(c.response)].nuclear - n_opp);
    }
    double total = 0.0, weight = 1.0;
    for (int h = 2; h <= leader.traits.foresight; ++h) {
        weight *= leader.traits.discount;
        // After this tick the leader plays its base policy (its own last move).
        const double x = own_e + e_opp + sp + type_shift + s.step.tension_weight * tension + (h == 2 ? shift : 0.0);
        dist = dense_step(s.ladder, s.step, s.outcomes.escalation_rung, dist, x, nullptr);
        double cost = dense_cost(s.ladder, dist);
        if (track) {
            lv = dense_step(s.nuclear.levels, s.nuclear.step,
                            s.outcomes.nuclear_escalation_level, lv, y - act.nuclear + own_n + (h == 2 ? nshift : 0.0), nullptr);
            cost += dense_cost(s.nuclear.levels, lv);
        }
        total += weight * cost;
    }
    out.later = averse * total;
    return out;
}

}  // namespace brink::test
