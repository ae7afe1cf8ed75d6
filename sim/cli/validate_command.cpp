// brink validate: check scenario files and show what they resolve to.
#include <cstdio>

#include "common.hpp"

namespace brink::cli {

namespace {

/// The rungs whose own step thresholds differ from the ladder's (docs/model.md, Ladder).
void print_firebreaks(const Scenario& s) {
    for (const Rung& r : s.ladder) {
        if (r.up_threshold) std::printf("  firebreak: a step up into %s at pressure %g (the ladder's: %g)\n", r.id.c_str(), *r.up_threshold, s.step.up_threshold);
        if (r.down_threshold)
            std::printf("  firebreak: a step down out of %s at pressure %g (the ladder's: %g)\n", r.id.c_str(), *r.down_threshold, s.step.down_threshold);
    }
}

int validate_command(const std::vector<std::string>& files, const std::vector<std::string>& overrides) {
    int worst = ok;
    for (const std::string& file : files) {
        try {
            const LoadedScenario loaded = load_scenario(file, overrides);
            const Scenario& s = loaded.scenario;
            std::printf("%s: ok — %s\n", file.c_str(), s.name.c_str());
            for (std::size_t i = 1; i < loaded.files.size(); ++i) std::printf("  extends %s\n", loaded.files[i].c_str());
            std::printf("  horizon %d ticks of %g days; %d variables; %zu actions; %zu events\n", s.horizon, s.tick_days,
                        s.variable_count(), s.actions.size(), s.events.size());
            std::printf("  ladder: ");
            for (int r = 0; r < s.rung_count(); ++r)
                std::printf("%s%d %s%s", r ? " · " : "", r, s.ladder[static_cast<std::size_t>(r)].id.c_str(),
                            s.ladder[static_cast<std::size_t>(r)].terminal ? " (terminal)" : "");
            std::printf("\n  starts at rung %d; escalation at rung %d; settlement at or below rung %d\n", s.initial_rung,
                        s.outcomes.escalation_rung, s.outcomes.settlement_rung);
            print_firebreaks(s);
            for (const Leader& l : s.leaders) {
                std::printf("  %s (%s): rationality %g, risk tolerance %g, misperception %g\n", l.id.c_str(), l.name.c_str(),
                            l.traits.rationality, l.traits.risk_tolerance, l.traits.misperception);
                std::printf("    priorities:");
                for (std::size_t g = 0; g < l.goal_names.size(); ++g) std::printf(" %s %g", l.goal_names[g].c_str(), l.priorities[g]);
                std::printf("\n    menu (%zu):", l.menu.size());
                for (const int a : l.menu) std::printf(" %s", s.actions[static_cast<std::size_t>(a)].name.c_str());
                std::printf("\n");
            }
            for (const std::string& o : overrides) std::printf("  --set %s\n", o.c_str());
        } catch (const ScenarioError& e) {
            print_diagnostics(e);
            worst = usage_error;
        }
    }
    return worst;
}

}  // namespace

Command add_validate_command(CLI::App& app) {
    auto files = std::make_shared<std::vector<std::string>>();
    auto overrides = std::make_shared<std::vector<std::string>>();
    CLI::App* cmd = app.add_subcommand("validate", "Check scenario files and print what they resolve to");
    cmd->add_option("files", *files, "Scenario files")->required();
    cmd->add_option("--set", *overrides, "Override a scenario field: path=value (repeatable)");
    return Command{cmd, [files, overrides] { return validate_command(*files, *overrides); }};
}

}  // namespace brink::cli
