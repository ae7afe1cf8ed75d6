// brink validate: check scenario files and show what they resolve to.
#include <cstdio>

#include "brink/calendar.hpp"
#include "brink/timeline.hpp"
#include "common.hpp"

namespace brink::cli {

namespace {

/// The rungs (or nuclear levels) whose own step thresholds differ from the step's (docs/model.md, Ladder).
void print_firebreaks(const std::vector<Rung>& rungs, const LadderStep& step, const char* track) {
    for (const Rung& r : rungs) {
        if (r.up_threshold)
            std::printf("  %sfirebreak: a step up into %s at pressure %g (the %s: %g)\n", track, r.id.c_str(), *r.up_threshold,
                        *track ? "track's" : "ladder's", step.up_threshold);
        if (r.down_threshold)
            std::printf("  %sfirebreak: a step down out of %s at pressure %g (the %s: %g)\n", track, r.id.c_str(), *r.down_threshold,
                        *track ? "track's" : "ladder's", step.down_threshold);
    }
}

const char* action_name(const Scenario& s, int a) { return s.actions[static_cast<std::size_t>(a)].name.c_str(); }

/// The version-2 mechanisms a scenario uses, one short line each (docs/model.md, Strategic leaders).
void print_strategic(const Scenario& s) {
    for (const Action& a : s.actions) {
        if (a.jumps.empty()) continue;
        std::printf("  jumps: %s", a.name.c_str());
        for (const Jump& j : a.jumps) std::printf(" · to %s with p %g", s.ladder[static_cast<std::size_t>(j.to)].id.c_str(), j.probability);
        std::printf("\n");
    }
    if (s.nuclear.present()) {
        std::printf("  nuclear track: ");
        for (int l = 0; l < s.nuclear.level_count(); ++l)
            std::printf("%s%d %s%s", l ? " · " : "", l, s.nuclear.levels[static_cast<std::size_t>(l)].id.c_str(),
                        s.nuclear.levels[static_cast<std::size_t>(l)].terminal ? " (terminal)" : "");
        std::printf("; starts at level %d", s.nuclear.initial_level);
        if (s.outcomes.nuclear_escalation_level >= 0) std::printf("; escalation at level %d", s.outcomes.nuclear_escalation_level);
        std::printf("\n");
        print_firebreaks(s.nuclear.levels, s.nuclear.step, "nuclear ");
    }
    for (const Commitment& c : s.commitments) {
        std::printf("  commitment %s: %s answers", c.id.c_str(), s.leaders[static_cast<std::size_t>(c.by)].id.c_str());
        for (std::size_t k = 0; k < c.trigger.size(); ++k) std::printf("%s%s", k ? " or " : " ", action_name(s, c.trigger[k]));
        std::printf(" with %s within %d tick%s; credibility %g; ", action_name(s, c.response), c.window, c.window == 1 ? "" : "s", c.credibility);
        if (c.declared_by >= 0) std::printf("declared by %s\n", action_name(s, c.declared_by));
        else std::printf("standing\n");
    }
}

/// The timeline's items as the scenario reads them: each claim with its ticks.
void print_timeline(const Timeline& t) {
    std::printf("%s: ok — %s; %zu observations, %zu questions\n", t.file.c_str(), t.name.c_str(), t.observations.size(), t.questions.size());
    const auto ticks = [](const Claim& c) {
        const bool window = c.kind == Claim::Kind::move || c.kind == Claim::Kind::event;
        return window ? "ticks " + std::to_string(c.first_tick) + "-" + std::to_string(c.last_tick) : "tick " + std::to_string(c.last_tick);
    };
    for (const Observation& o : t.observations) std::printf("  observed  %-28s %s (%s)\n", o.id.c_str(), o.claim.describe.c_str(), ticks(o.claim).c_str());
    for (const Question& q : t.questions)
        std::printf("  question  %-28s %s (%s); resolved %s on %s; asked %s; %zu forecast%s\n", q.id.c_str(), q.claim.describe.c_str(),
                    ticks(q.claim).c_str(), q.resolution ? "yes" : "no", format_date(q.resolved_day).c_str(), format_date(q.asked_day).c_str(),
                    q.forecasts.size(), q.forecasts.size() == 1 ? "" : "s");
}

int validate_command(const std::vector<std::string>& files, const std::vector<std::string>& overrides, const std::string& timeline) {
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
            if (s.outcomes.war_rung >= 0) std::printf("  at the horizon: ongoing war at or above rung %d, else a frozen conflict\n", s.outcomes.war_rung);
            print_firebreaks(s.ladder, s.step, "");
            print_strategic(s);
            for (const Leader& l : s.leaders) {
                std::printf("  %s (%s): rationality %g, risk tolerance %g, misperception %g\n", l.id.c_str(), l.name.c_str(),
                            l.traits.rationality, l.traits.risk_tolerance, l.traits.misperception);
                std::printf("    priorities:");
                for (std::size_t g = 0; g < l.goal_names.size(); ++g) std::printf(" %s %g", l.goal_names[g].c_str(), l.priorities[g]);
                std::printf("\n    menu (%zu):", l.menu.size());
                for (const int a : l.menu) std::printf(" %s", s.actions[static_cast<std::size_t>(a)].name.c_str());
                std::printf("\n");
                if (l.traits.foresight > 1) std::printf("    foresight %d ticks, discount %g\n", l.traits.foresight, l.traits.discount);
                if (!l.modes.empty()) {
                    std::printf("    hidden modes:");
                    for (const Mode& m : l.modes) std::printf("%s%s%s", &m == &l.modes.front() ? " " : " · ", m.id.c_str(), &m == &l.modes.front() ? " (initial)" : "");
                    std::printf("\n");
                }
            }
            for (const std::string& o : overrides) std::printf("  --set %s\n", o.c_str());
            if (s.start_day) std::printf("  calendar: tick 0 is %s; tick %d is %s\n", format_date(*s.start_day).c_str(), s.horizon,
                                         format_date(tick_date(*s.start_day, s.tick_days, s.horizon)).c_str());
            if (!timeline.empty()) {
                if (!s.start_day) {
                    std::fprintf(stderr, "%s: the scenario has no calendar: give it run.start_date (YYYY-MM-DD) to read %s against it\n",
                                 file.c_str(), timeline.c_str());
                    worst = usage_error;
                } else {
                    print_timeline(load_timeline(timeline, s));
                }
            }
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
    auto timeline = std::make_shared<std::string>();
    cmd->add_option("--timeline", *timeline, "Also check this timeline against each scenario (docs/timelines.md)");
    return Command{cmd, [files, overrides, timeline] { return validate_command(*files, *overrides, *timeline); }};
}

}  // namespace brink::cli
