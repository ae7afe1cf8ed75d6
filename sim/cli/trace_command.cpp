// brink trace: the story of one run, tick by tick.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <limits>
#include <map>

#include "brink/output.hpp"
#include "brink/trace.hpp"
#include "common.hpp"

namespace brink::cli {

Command add_trace_command(CLI::App& app) {
    struct Options {
        std::string scenario, outcome, format = "text", out;
        std::optional<std::uint64_t> seed;  // empty: the scenario's run.seed
        std::optional<std::uint64_t> run;  // empty: 0, or the first match of --outcome from 0
        int top = 3;
        std::vector<std::string> overrides;
        std::string save_state;             // --save-state FILE
        std::optional<int> tick;            // ... after this tick
    };
    auto o = std::make_shared<Options>();
    CLI::App* cmd = app.add_subcommand("trace", "Replay one run and tell its story tick by tick (or as CSV/JSON)");
    cmd->add_option("scenario", o->scenario, "Scenario file (YAML)")->required();
    add_integer_option(cmd, "--run", o->run, 0, std::numeric_limits<std::uint64_t>::max(),
                       "Run id to replay (as in runs.csv); default 0, or the first with --outcome");
    add_integer_option(cmd, "--seed", o->seed, 0, kMaxSeed, "Master seed (default: the scenario's run.seed)");
    cmd->add_option("--outcome", o->outcome, "Replay the first run (from --run, default 0) that ends in " + outcome_names_text());
    cmd->add_option("--format", o->format, "text, csv or json");
    add_integer_option(cmd, "--top", o->top, 1, 100, "Options shown per decision in the text story (1 to 100)");
    cmd->add_option("--out", o->out, "Write to this file instead of standard output");
    cmd->add_option("--set", o->overrides, "Override a scenario field: path=value (repeatable)");
    cmd->add_option("--save-state", o->save_state, "With --tick: write the run's state after that tick (for brink branch --state)");
    add_integer_option(cmd, "--tick", o->tick, 0, 100000, "With --save-state: the tick after which the state is written");
    return Command{cmd, [o] {
        const auto fail = [](const std::string& m) {
            std::cerr << "brink trace: " << m << "\n";
            return static_cast<int>(usage_error);
        };
        if (o->format != "text" && o->format != "csv" && o->format != "json") return fail("--format must be text, csv or json, found '" + o->format + "'");
        const std::optional<Outcome> wanted = o->outcome.empty() ? std::nullopt : parse_outcome_option(o->outcome);
        if (!o->outcome.empty() && !wanted) return fail(unknown_outcome_text(o->outcome));
        const auto loaded = load_or_report(o->scenario, o->overrides);
        if (!loaded) return static_cast<int>(usage_error);
        const Scenario& s = loaded->scenario;
        const std::uint64_t seed = o->seed.value_or(s.default_seed);
        std::uint64_t run = o->run.value_or(0);
        if (!o->outcome.empty()) {
            // A million run ids from --run, fewer where that would pass the last id.
            const std::uint64_t limit = std::min<std::uint64_t>(1000000, std::numeric_limits<std::uint64_t>::max() - run);
            const auto found = limit > 0 ? find_run(s, seed, *wanted, run, limit) : std::nullopt;
            if (!found) return fail("no run ending in " + o->outcome + " among run ids " + std::to_string(run) + " to " + std::to_string(run + std::max<std::uint64_t>(limit, 1) - 1));
            run = *found;
        }
        if (o->save_state.empty() != !o->tick) return fail("--save-state FILE and --tick T go together");
        if (!o->save_state.empty()) return save_state_file(s, seed, run, *o->tick, o->save_state);
        try {
            Trace t = trace_run(s, run, seed);
            t.source = o->scenario;
            for (const std::string& set : o->overrides) t.source += " --set " + set;
            const std::string text = o->format == "csv" ? trace_csv(s, t) : o->format == "json" ? trace_json(s, t) : trace_text(s, t, o->top);
            if (o->out.empty()) std::fwrite(text.data(), 1, text.size(), stdout);
            else write_file_atomically(o->out, text);
        } catch (const RunError& e) {
            std::cerr << "brink trace: run " << run << " failed: " << e.what() << "\n";
            return static_cast<int>(runtime_failure);
        } catch (const OutputError& e) {
            return fail(e.what());
        }
        return static_cast<int>(ok);
    }};
}

}  // namespace brink::cli
