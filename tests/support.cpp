#include "support.hpp"

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
    Scenario s;
    s.name = "test world";
    s.horizon = 20;
    s.variables = {"tension", "channel", "x"};
    s.initial = {0.0, 0.0, 0.5};
    s.tension = 0;
    s.channel = 1;
    for (int r = 0; r < rungs; ++r) s.ladder.push_back(Rung{"r" + std::to_string(r), "rung " + std::to_string(r), 0.0, false});
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
        l.traits = Traits{0.0, 0.5, 0.0, 0.0, 0.0, 0.5};
        l.menu = menu;
    }
    finalize(s);
    return s;
}

}  // namespace brink::test
