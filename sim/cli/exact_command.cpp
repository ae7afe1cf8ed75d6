// brink exact: outcome odds computed exactly, for scenarios that reduce to a
// Markov chain on the ladder (see brink/exact.hpp and docs/validation.md).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>

#include "brink/exact.hpp"
#include "common.hpp"

namespace brink::cli {

namespace {

int exact_command(const std::string& file, const std::vector<std::string>& overrides, bool per_tick) {
    const std::unique_ptr<LoadedScenario> loaded = load_or_report(file, overrides);
    if (!loaded) return usage_error;
    const Scenario& s = loaded->scenario;
    ExactChain chain;
    try {
        chain = build_chain(s);
    } catch (const NotReducible& e) {
        std::cerr << "brink exact: " << file << " does not reduce to a Markov chain on the ladder:\n";
        for (const std::string& r : e.reasons()) std::cerr << "  - " << r << "\n";
        return usage_error;
    }
    const ExactResult x = solve_chain(chain, s.horizon);

    std::printf("%s\n", s.name.c_str());
    std::printf("exact solution: %d-state Markov chain on (rung, settlement counter); horizon %d ticks\n", x.states, s.horizon);
    std::printf("  tension %g (constant), channel %g; settlement %s; joint agreement %s\n", chain.tension, chain.channel,
                chain.settlement_possible ? "can count" : "cannot count", chain.agreement_possible ? "can end the crisis" : "cannot end the crisis");
    for (const std::string& o : overrides) std::printf("  --set %s\n", o.c_str());

    std::printf("\n  %-15s %12s   %s\n", "outcome", "probability", "mean end tick given the outcome");
    const char* labels[] = {"escalation", "de-escalation", "frozen conflict", "ongoing war"};
    for (std::size_t k = 0; k < kOutcomeCount; ++k) {
        const double given = x.expected_end_tick_given[k];
        if (std::isnan(given)) std::printf("  %-15s %12.6f   -\n", labels[k], x.outcome_probability[k]);
        else std::printf("  %-15s %12.6f   %.3f\n", labels[k], x.outcome_probability[k], given);
    }
    std::printf("\n  expected end tick %.4f (%.1f days); ", x.expected_end_tick, x.expected_end_tick * s.tick_days);
    if (s.outcomes.war_rung < 0) std::printf("a run with no outcome by tick %d is a frozen conflict (outcomes.war_rung not set)\n", s.horizon);
    else
        std::printf("a run with no outcome by tick %d is an ongoing war at rung %d (%s) or above, else a frozen conflict\n", s.horizon,
                    chain.war_rung, s.ladder[static_cast<std::size_t>(chain.war_rung)].id.c_str());
    // Without a horizon nothing is cut off, so there is no frozen/ongoing split: the rest never ends.
    std::printf("  without a horizon: P(escalation) %.6f, P(de-escalation) %.6f, never ending %.6f, ", x.eventual_probability[0],
                x.eventual_probability[1], std::max(0.0, 1.0 - x.eventual_probability[0] - x.eventual_probability[1]));
    if (std::isinf(x.expected_absorption_time)) std::printf("some runs never end\n");
    else std::printf("expected ticks to an outcome %.4f\n", x.expected_absorption_time);

    if (per_tick) {
        std::printf("\ntick,still_going,cum_escalation,cum_deescalation");
        for (const Rung& r : s.ladder) std::printf(",rung_%s", r.id.c_str());
        std::printf("\n");
        for (int t = 0; t <= s.horizon; ++t) {
            const auto tt = static_cast<std::size_t>(t);
            std::printf("%d,%.8f,%.8f,%.8f", t, x.still_going[tt], x.cumulative_incidence[0][tt], x.cumulative_incidence[1][tt]);
            for (const double p : x.rung_distribution[tt]) std::printf(",%.8f", p);
            std::printf("\n");
        }
    }
    return ok;
}

}  // namespace

Command add_exact_command(CLI::App& app) {
    auto file = std::make_shared<std::string>();
    auto overrides = std::make_shared<std::vector<std::string>>();
    auto per_tick = std::make_shared<bool>(false);
    CLI::App* cmd = app.add_subcommand(
        "exact", "Exact outcome odds of a scenario that reduces to a Markov chain on the ladder (rationality 0, constant tension and channel)");
    cmd->add_option("scenario", *file, "Scenario file (YAML)")->required();
    cmd->add_option("--set", *overrides, "Override a scenario field: path=value (repeatable)");
    cmd->add_flag("--per-tick", *per_tick, "Also print the per-tick rung distribution (CSV: all runs, ended runs held at their final rung)");
    return Command{cmd, [file, overrides, per_tick] { return exact_command(*file, *overrides, *per_tick); }};
}

}  // namespace brink::cli
