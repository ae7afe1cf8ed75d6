// The story of one run: every tick's decisions (with the options each leader
// weighed and why), perceptions, events and ladder moves, as text, CSV or JSON.
// A trace replays exactly the run whose row is in runs.csv: same scenario, run id, seed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "brink/model.hpp"

namespace brink {

struct Trace {
    std::string source;  ///< the scenario file, for the replay line
    std::uint64_t run_id = 0;
    std::uint64_t seed = 0;
    RunResult result;
    std::vector<double> initial_state;
    int initial_rung = 0;
    std::vector<TickView> ticks;               ///< with decision details
    std::vector<std::vector<double>> states;   ///< the variables after each tick
};

/// Replays run `run_id` with full detail.
Trace trace_run(const Scenario& scenario, std::uint64_t run_id, std::uint64_t seed);

/// The first run id (from `from`, trying at most `limit` runs) whose outcome is `outcome`.
std::optional<std::uint64_t> find_run(const Scenario& scenario, std::uint64_t seed, Outcome outcome,
                                      std::uint64_t from = 0, std::uint64_t limit = 1000000);

/// Plain-language story, tick by tick. `top_options` options are shown per decision.
std::string trace_text(const Scenario& scenario, const Trace& trace, int top_options = 3);
/// One row per tick and leader (tidy), for pandas and R.
std::string trace_csv(const Scenario& scenario, const Trace& trace);
/// Everything, as JSON.
std::string trace_json(const Scenario& scenario, const Trace& trace);

/// Why a run that reached the horizon counts as it does, e.g. "no outcome by tick 104; still at
/// rung 6 (Full-scale war), at or above the war rung 6: an ongoing war"; empty for other outcomes.
std::string horizon_note(const Scenario& scenario, const RunResult& result);

/// events.csv (brink run --record events): the header, then each run's events in long
/// form, one row per move, misread, event, rung or level change, mode switch and
/// resolved commitment (docs/outputs.md, "events.csv").
std::string events_csv_header();
/// Replays run `run_id` with full detail and appends its rows to `out`.
void append_run_events(std::string& out, const Scenario& scenario, std::uint64_t run_id, std::uint64_t seed,
                       WorkspaceHandle& workspace);

/// The narrative of an action or event with "{actor}" replaced.
std::string narrate(const std::string& narrative, const std::string& actor);

}  // namespace brink
