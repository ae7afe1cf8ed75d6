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

/// The step thresholds in force at each rung: a firebreak of the rung stepped into (up)
/// or out of (down), else the ladder's.
void derive_step_thresholds(Scenario& s) {
    const std::size_t rungs = s.ladder.size();
    s.up_threshold_at.assign(rungs, s.step.up_threshold);
    s.down_threshold_at.assign(rungs, s.step.down_threshold);
    for (std::size_t r = 0; r < rungs; ++r) {
        if (r + 1 < rungs && s.ladder[r + 1].up_threshold) s.up_threshold_at[r] = *s.ladder[r + 1].up_threshold;
        if (r > 0 && s.ladder[r].down_threshold) s.down_threshold_at[r] = *s.ladder[r].down_threshold;
        if (r > 0 && r + 1 < rungs && !(s.down_threshold_at[r] < s.up_threshold_at[r]))
            throw std::invalid_argument("at rung " + std::to_string(r) + " the down threshold is not below the up threshold");
    }
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
    derive_step_thresholds(s);
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
    }
}

}  // namespace brink
