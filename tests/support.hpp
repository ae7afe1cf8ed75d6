// Helpers for tests: small scenarios built in code, and observers that record ticks.
#pragma once

#include <string>
#include <vector>

#include "brink/model.hpp"

namespace brink::test {

/// A two-leader world with variables {tension, channel, x}, a `rungs`-rung ladder with
/// zero war costs, and actions given by the caller. Leaders "a" and "b" share `menu`.
Scenario make_world(int rungs, const std::vector<Action>& actions, const std::vector<int>& menu);

/// An action with only ladder pressure (and optional agreement flag).
Action pressure_action(const std::string& name, double escalation, bool agreement = false);

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

}  // namespace brink::test
