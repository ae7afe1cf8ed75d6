// Helpers for tests: small scenarios built in code, observers that record ticks, and
// batch records for result folders.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "brink/model.hpp"
#include "brink/output.hpp"
#include "brink/scenario.hpp"

namespace brink::test {

/// A two-leader world with variables {tension, channel, x}, a `rungs`-rung ladder with
/// zero war costs, and actions given by the caller. Leaders "a" and "b" share `menu`.
Scenario make_world(int rungs, const std::vector<Action>& actions, const std::vector<int>& menu);

/// An action with only ladder pressure (and optional agreement flag).
Action pressure_action(const std::string& name, double escalation, bool agreement = false);

/// What make_world fixes that a test may want to set: the rungs' war costs and both
/// leaders' traits. The defaults are make_world's (no war costs, rationality 0,
/// risk tolerance 0.5, no misperception, reciprocity or resolve, memory 0.5).
struct WorldSettings {
    std::vector<double> war_costs;  ///< one per rung; empty means all 0
    std::array<Traits, 2> traits{Traits{0.0, 0.5, 0.0, 0.0, 0.0, 0.5}, Traits{0.0, 0.5, 0.0, 0.0, 0.0, 0.5}};
};

/// make_world with war costs and traits from `settings`; throws std::invalid_argument
/// if war_costs is neither empty nor one per rung.
Scenario make_world(int rungs, const std::vector<Action>& actions, const std::vector<int>& menu,
                    const WorldSettings& settings);

/// An action with pressure, effects (variable, mean, sd) and a cost to its actor.
Action make_action(const std::string& name, double escalation, const std::vector<Effect>& effects, double cost = 0.0);

/// Gives leader 1 its own menu (make_world gives both leaders the same) and re-derives
/// the scenario's tables.
void set_menus(Scenario& s, const std::vector<int>& menu0, const std::vector<int>& menu1);

/// Adds a variable at the end (index variable_count() - 1), weighing `weight0` and
/// `weight1` in the two leaders' only goal, and re-derives the scenario's tables.
/// Record its values with Recorder(details, 4).
int add_variable(Scenario& s, const std::string& name, double initial, double weight0, double weight1);

/// What a result folder records of a loaded scenario and a plan (no files, no command line).
BatchRecord record_of(const LoadedScenario& loaded, const BatchPlan& plan);

/// Records every tick's view (with decision details when asked).
class Recorder : public TickObserver {
public:
    explicit Recorder(bool details, int variables = 3) : details_(details), variables_(variables) {}
    bool wants_details() const override { return details_; }
    /// Keeps a copy of the state: TickView::state points into the run's workspace,
    /// which is gone once simulate() returns.
    void on_tick(const TickView& view) override {
        ticks.push_back(view);
        ticks.back().state = nullptr;
        states.emplace_back(view.state, view.state + variables_);
    }
    std::vector<TickView> ticks;
    std::vector<std::vector<double>> states;

private:
    bool details_;
    int variables_;  ///< how many variables to copy (make_world has 3)
};

/// docs/model.md's war terms of one option, written directly for tests: dense
/// distributions over every rung and level, each step probability from the logistic with
/// the firebreaks read from the rungs, no bands, factors, classes or value functions.
struct ReferenceWar {
    double first = 0.0;  ///< War(a): this tick's step with a's jumps, plus the nuclear track
    double later = 0.0;  ///< the lookahead of ticks 2..H
};

/// Leader i's war terms of action a at a recorded decision `d` (its beliefs, type beliefs
/// and commitment views as observed), with its own last move, the start-of-tick rung,
/// level, tension and true state.
ReferenceWar reference_war(const Scenario& s, std::size_t i, int a, const LeaderTick& d, int own_last, int rung, int level,
                           double tension, const std::vector<double>& state);

}  // namespace brink::test
