// Records each tick of a run into integer aggregates (engine-internal).
#pragma once

#include "brink/engine.hpp"

namespace brink {

class TickAccumulator final : public TickObserver {
public:
    /// With `remove`, records are taken away instead: replaying a failed run with a
    /// removing accumulator erases the ticks it recorded before it threw.
    explicit TickAccumulator(Aggregates& target, bool remove = false) : a_(target), step_(remove ? ~0ULL : 1ULL) {}
    void on_start(const double* state, int rung) override { record(0, state, rung); }
    /// A branch starts at its snapshot's tick: that tick is its first record.
    void start_at(const RunSnapshot& run) { record(run.tick, run.state.data(), run.rung); }
    void on_tick(const TickView& view) override { record(view.tick, view.state, view.rung); }
    /// Adds the run's totals (outcome, end tick, ...); call once the run has finished.
    void finish(const RunResult& result);

private:
    Aggregates& a_;
    std::uint64_t step_;  // 1, or 2^64 - 1 (unsigned arithmetic wraps exactly)
    void record(int tick, const double* state, int rung);
};

}  // namespace brink
