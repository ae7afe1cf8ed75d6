// Shared by brink_bench (the driver) and brink_micro (Google Benchmark): recorded
// runs, a corpus of tick-start snapshots, the phases of a tick timed on them, and
// the FLOOR of a tick. Everything here calls the model's own tick phases
// (sim/model/tick.hpp), so what is timed is the code that runs in `brink run`.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "brink/model.hpp"
#include "tick.hpp"

namespace brink::bench {

/// Seconds of the fastest of `reps` calls of f, in wall-clock time and in this process's
/// CPU time (all its threads), each the minimum over the repetitions: the machine is
/// shared, and the minimum is the least disturbed measurement. On a busy machine the
/// CPU time of a one-thread measurement is the more faithful figure.
struct Timing {
    double wall = 0.0;
    double cpu = 0.0;
};
Timing best_of(int reps, const std::function<void()>& f);

/// Keeps a value alive so the compiler cannot drop the work that produced it.
void keep(double value);

// ---------------------------------------------------------------------------
// Recorded runs, for the FLOOR.

/// One tick as played: the two moves and the events that fired (bit e = event e).
struct TickRecord {
    tick::Moves moves;
    std::vector<std::uint64_t> fired;  // bitmask words over the events
};

struct RecordedRun {
    std::uint64_t run_id = 0;
    std::vector<TickRecord> ticks;
    std::vector<double> final_state;
    int final_rung = 0;
    /// Each stream's position after the run, in words (decisions, world, ladder, events,
    /// and the version-2 intent and track streams, 0 when the scenario does not use
    /// them): a floor that took other draws would leave a stream elsewhere.
    std::array<std::uint64_t, 6> positions{};
    int final_level = 0;
};

/// Plays run ids 0, 1, 2, ... (at most `max_tries`) and keeps the first `count` runs that
/// last exactly `ticks` ticks (any length when ticks <= 0).
std::vector<RecordedRun> record_runs(const Scenario& s, std::uint64_t seed, std::size_t count, int ticks,
                                     std::uint64_t max_tries);

/// How many draws one tick takes, by stream (averages over recorded runs).
struct DrawCounts {
    double decision_uniforms = 0, decision_normals = 0, world_normals = 0, event_uniforms = 0, ladder_uniforms = 0;
};
DrawCounts draw_counts(const Scenario& s, const std::vector<RecordedRun>& runs);

/// The FLOOR of a recorded run: the irreducible work of its ticks and nothing else.
/// It keys the same streams as a run, then per tick takes exactly the draws a
/// tick of the model takes, from the same streams in the same order (decisions: the two
/// misread uniforms per leader, the perceived-state normals and one choice uniform per
/// leader; events: one uniform per event; world: one normal per noisy effect of the
/// moves and fired events; ladder: one uniform), adds the recorded moves' and events'
/// effects, clamps, takes the ladder step (its two logistics) and updates tension.
/// No perception logic, feasibility, utilities, logit or outcome checks: the moves are
/// replayed. Because the draws are the same, the floor ends in the same state as the
/// real run, with every stream at the same place; floor_run returns false if it does
/// not (the floor would be wrong).
bool floor_run(const Scenario& s, std::uint64_t seed, const RecordedRun& run, Workspace& ws);

// ---------------------------------------------------------------------------
// Tick-start snapshots, for the phase split.

/// The start of one tick of a real run, with what that tick then did.
struct Snapshot {
    tick::RunState rs;
    std::vector<double> state;
    std::array<std::vector<double>, 2> beliefs;
    tick::Moves moves;        // the moves chosen
    double pressure = 0.0;    // the tick's pressure
    double nuclear_pressure = 0.0;  // model version 2
    double tension_before = 0.0;
};

/// Up to `count` snapshots, taken every `stride`-th tick of runs 0, 1, 2, ...
std::vector<Snapshot> take_snapshots(const Scenario& s, std::uint64_t seed, std::size_t count, int stride);

/// The phases of a tick, each run once per snapshot of the corpus. The workspace's
/// streams simply run on (the numbers drawn do not matter for timing).
enum class Phase { restore, decision, state_update, ladder_outcome, full_tick };
const char* phase_name(Phase phase);

class PhaseBench {
public:
    PhaseBench(const Scenario& s, std::vector<Snapshot> corpus, std::uint64_t seed);
    /// Runs `phase` on every snapshot once (restoring each snapshot first).
    void pass(Phase phase);
    std::size_t size() const { return corpus_.size(); }

private:
    const Scenario& s_;
    std::vector<Snapshot> corpus_;
    WorkspaceHandle handle_;
    RunResult result_;
    double sink_ = 0.0;
};

/// Nanoseconds per tick of each phase: best-of-`reps` CPU time of a pass over the corpus
/// minus that of a restore-only pass, divided by the corpus size.
struct PhaseSplit {
    double restore = 0, decision = 0, state_update = 0, ladder_outcome = 0, full_tick = 0;
};
PhaseSplit measure_phases(PhaseBench& bench, int reps, int passes);

}  // namespace brink::bench
