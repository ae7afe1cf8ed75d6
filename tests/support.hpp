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
    explicit Recorder(bool details) : details_(details) {}
    bool wants_details() const override { return details_; }
    void on_tick(const TickView& view) override { ticks.push_back(view); }
    std::vector<TickView> ticks;

private:
    bool details_;
};

}  // namespace brink::test
