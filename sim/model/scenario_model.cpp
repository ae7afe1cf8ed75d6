// Derived fields of a Scenario and its structural checks.
#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "brink/model.hpp"

namespace brink {

namespace {

void check_index(int index, std::size_t size, const std::string& what) {
    if (index < 0 || static_cast<std::size_t>(index) >= size)
        throw std::invalid_argument(what + " index " + std::to_string(index) + " out of range");
}

void check_effects(const std::vector<Effect>& effects, const Scenario& s, const std::string& owner) {
    for (const Effect& e : effects) check_index(e.variable, s.variables.size(), owner + " effect variable");
}

void check_conditions(const std::vector<Condition>& conditions, const Scenario& s, const std::string& owner) {
    for (const Condition& c : conditions)
        if (c.variable != kRung) check_index(c.variable, s.variables.size(), owner + " condition variable");
}

/// The step thresholds in force at each rung of a ladder (or of the nuclear track): a
/// firebreak of the rung stepped into (up) or out of (down), else the step's.
void derive_step_thresholds(const std::vector<Rung>& ladder, const LadderStep& step, std::vector<double>& up_at,
                            std::vector<double>& down_at, const std::string& what) {
    const std::size_t rungs = ladder.size();
    up_at.assign(rungs, step.up_threshold);
    down_at.assign(rungs, step.down_threshold);
    for (std::size_t r = 0; r < rungs; ++r) {
        if (r + 1 < rungs && ladder[r + 1].up_threshold) up_at[r] = *ladder[r + 1].up_threshold;
        if (r > 0 && ladder[r].down_threshold) down_at[r] = *ladder[r].down_threshold;
        if (r > 0 && r + 1 < rungs && !(down_at[r] < up_at[r]))
            throw std::invalid_argument("at " + what + " " + std::to_string(r) + " the down threshold is not below the up threshold");
    }
}

/// Hidden modes as the opponent models them: each mode's likelihood of every menu move
/// (a logit of the propensities at the leader's rationality, shifted by the largest so the
/// exponentials cannot overflow) and its shift of the expected escalation.
void derive_modes(const Scenario& s, Leader& leader) {
    const std::size_t n = leader.menu.size();
    double plain = 0.0;
    for (const int a : leader.menu) plain += s.actions[static_cast<std::size_t>(a)].escalation;
    plain /= static_cast<double>(n);
    double prior_total = 0.0;
    for (const Mode& mode : leader.modes) prior_total += mode.prior;
    for (Mode& mode : leader.modes)  // the opponent's initial beliefs: normalised, equal if all 0
        mode.prior = prior_total > 0.0 ? mode.prior / prior_total : 1.0 / static_cast<double>(leader.modes.size());
    for (Mode& mode : leader.modes) {
        if (mode.propensity.size() != n) throw std::invalid_argument("leader '" + leader.id + "' mode '" + mode.id + "': propensities do not match the menu");
        const double top = *std::max_element(mode.propensity.begin(), mode.propensity.end());
        mode.likelihood.assign(n, 0.0);
        double total = 0.0;
        for (std::size_t k = 0; k < n; ++k) total += mode.likelihood[k] = std::exp(leader.traits.rationality * (mode.propensity[k] - top));
        double mean = 0.0;
        for (std::size_t k = 0; k < n; ++k) {
            mode.likelihood[k] /= total;
            mean += mode.likelihood[k] * s.actions[static_cast<std::size_t>(leader.menu[k])].escalation;
        }
        mode.escalation_shift = mean - plain;
    }
}

void check_version2(const Scenario& s) {
    for (const Commitment& c : s.commitments) {
        if (c.by < 0 || c.by > 1) throw std::invalid_argument("commitment '" + c.id + "': leader out of range");
        check_index(c.response, s.actions.size(), "commitment '" + c.id + "' response");
        if (c.declared_by >= 0) check_index(c.declared_by, s.actions.size(), "commitment '" + c.id + "' declared_by");
        for (const int a : c.trigger) check_index(a, s.actions.size(), "commitment '" + c.id + "' trigger");
        if (c.window < 1) throw std::invalid_argument("commitment '" + c.id + "': window must be at least 1");
    }
    for (const Action& a : s.actions)
        for (const Jump& j : a.jumps) check_index(j.to, s.ladder.size(), "action '" + a.name + "' jump rung");
    for (const StateWeight& w : s.state_weights) check_index(w.variable, s.variables.size(), "ladder state weight variable");
}

}  // namespace

int Scenario::variable_index(const std::string& name) const {
    const auto it = std::find(variables.begin(), variables.end(), name);
    return it == variables.end() ? -1 : static_cast<int>(it - variables.begin());
}

int Scenario::action_index(const std::string& name) const {
    for (std::size_t a = 0; a < actions.size(); ++a)
        if (actions[a].name == name) return static_cast<int>(a);
    return -1;
}

void finalize(Scenario& s) {
    if (s.variables.size() != s.initial.size()) throw std::invalid_argument("initial values do not match variables");
    if (s.ladder.empty()) throw std::invalid_argument("the ladder has no rungs");
    if (s.horizon <= 0) throw std::invalid_argument("horizon must be positive");
    check_index(s.initial_rung, s.ladder.size(), "initial rung");
    check_index(s.tension, s.variables.size(), "tension variable");
    check_index(s.channel, s.variables.size(), "channel variable");
    derive_step_thresholds(s.ladder, s.step, s.up_threshold_at, s.down_threshold_at, "rung");
    if (s.nuclear.present()) {
        check_index(s.nuclear.initial_level, s.nuclear.levels.size(), "initial nuclear level");
        derive_step_thresholds(s.nuclear.levels, s.nuclear.step, s.nuclear.up_threshold_at, s.nuclear.down_threshold_at,
                               "nuclear level");
        s.nuclear.rung_pressure.resize(s.ladder.size(), 0.0);
    }
    check_version2(s);
    for (const Action& a : s.actions) {
        check_effects(a.effects, s, "action '" + a.name + "'");
        check_conditions(a.requires_, s, "action '" + a.name + "'");
    }
    for (const Event& e : s.events) {
        check_effects(e.effects, s, "event '" + e.name + "'");
        check_conditions(e.requires_, s, "event '" + e.name + "'");
    }
    for (std::size_t i = 0; i < 2; ++i) {
        Leader& leader = s.leaders[i];
        const Leader& opponent = s.leaders[1 - i];
        if (leader.menu.empty()) throw std::invalid_argument("leader '" + leader.id + "' has an empty menu");
        for (const int a : leader.menu) check_index(a, s.actions.size(), "menu action");
        if (leader.priorities.size() != leader.goal_names.size() || leader.goals.size() != leader.goal_names.size())
            throw std::invalid_argument("leader '" + leader.id + "': goals and priorities differ in size");
        leader.value_weights.assign(s.variables.size(), 0.0);
        for (std::size_t g = 0; g < leader.goals.size(); ++g) {
            if (leader.goals[g].size() != s.variables.size())
                throw std::invalid_argument("leader '" + leader.id + "': goal row has the wrong size");
            for (std::size_t v = 0; v < s.variables.size(); ++v)
                leader.value_weights[v] += leader.priorities[g] * leader.goals[g][v];
        }
        // Misreads are drawn from the opponent's menu with P(j) ~ exp(bias * escalation_j),
        // shifted by the largest escalation so the exponentials cannot overflow.
        double top = -std::numeric_limits<double>::infinity();
        for (const int j : opponent.menu) top = std::max(top, s.actions[static_cast<std::size_t>(j)].escalation);
        leader.misread_cdf.clear();
        double total = 0.0;
        for (const int j : opponent.menu) {
            total += std::exp(s.perception.escalation_bias * (s.actions[static_cast<std::size_t>(j)].escalation - top));
            leader.misread_cdf.push_back(total);
        }
        for (double& c : leader.misread_cdf) c /= total;
        derive_modes(s, leader);
    }
}

}  // namespace brink
