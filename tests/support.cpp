#include "support.hpp"

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

}  // namespace brink::test
