// The Monte Carlo engine: many independent runs in parallel (OpenMP), results
// combined in run-id order or from integer counts, so the output is the same
// for any number of threads.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "brink/model.hpp"

namespace brink {

/// Fixed-point scale for exact (associative) sums of values in [0, 1].
inline constexpr double kFixedPointScale = 16777216.0;  // 2^24
/// Histogram bins of each variable per tick, for quantiles (resolution 1/bins).
inline constexpr int kQuantileBins = 200;

/// Aggregates over runs, all integers: adding two of them is exact and
/// order-free, which is what makes results independent of thread count.
struct Aggregates {
    int horizon = 0, rungs = 0, variables = 0;
    std::uint64_t completed = 0;  ///< runs that finished without error
    std::uint64_t failed = 0;
    std::array<std::uint64_t, kOutcomeCount> outcomes{};
    std::array<std::vector<std::uint64_t>, kOutcomeCount> end_tick;  ///< [tick 0..horizon]
    std::vector<std::uint64_t> max_rung;                            ///< [rung]
    std::vector<std::uint64_t> active_rung;  ///< [tick 0..horizon][rung]: runs that played the tick
    std::vector<std::uint64_t> ended_rung;   ///< [tick][rung]: runs that ended at the tick, by final rung
    std::vector<std::uint64_t> value_sum;    ///< [tick][variable], fixed point over active runs
    std::vector<std::uint64_t> value_hist;   ///< [tick][variable][bin] over active runs
    std::array<std::vector<std::uint64_t>, 2> action_counts;  ///< per leader, by menu position

    void reset(const Scenario& scenario);
    void add(const Aggregates& other);
    bool operator==(const Aggregates&) const = default;

    std::size_t tick_rung(int tick, int rung) const { return static_cast<std::size_t>(tick * rungs + rung); }
    std::size_t tick_var(int tick, int v) const { return static_cast<std::size_t>(tick * variables + v); }
    std::size_t tick_var_bin(int tick, int v, int bin) const {
        return (static_cast<std::size_t>(tick * variables + v)) * kQuantileBins + static_cast<std::size_t>(bin);
    }
};

/// One run's slot in a block: its result, or the error that stopped it.
struct RunSlot {
    RunResult result;
    bool failed = false;
    std::string error;
};

/// Receives finished blocks in run-id order (the output room implements it).
class RunSink {
public:
    virtual ~RunSink() = default;
    /// Runs [first, first + slots.size()) in order.
    virtual void on_block(std::uint64_t first, const std::vector<RunSlot>& slots, std::size_t count,
                          const Aggregates& totals) = 0;
};

struct BatchPlan {
    std::uint64_t runs = 10000;      ///< run count, or the cap when precision > 0
    std::uint64_t seed = 1;
    int threads = 0;                 ///< 0: OpenMP's default
    double precision = 0.0;          ///< stop when every outcome's 95% half-width is below this (0: off)
    std::uint64_t block_size = 4096; ///< runs per block: the unit of flushing, checking and stopping
};

enum class StopReason { completed_runs, precision_reached, interrupted };
const char* stop_reason_name(StopReason reason);

struct BatchStatus {
    std::uint64_t next_run = 0;  ///< runs [0, next_run) are done
    StopReason reason = StopReason::completed_runs;
};

struct Progress {
    std::uint64_t done = 0;   ///< runs done, including those resumed
    std::uint64_t total = 0;  ///< the run count or cap
};

/// Runs blocks of runs from `start` (0, or the resume point) until the plan is met or
/// `stop` is set; `totals` holds the aggregates so far and is updated in place.
/// `progress` (optional) is called from at most one thread at a time, a few times a second.
BatchStatus run_batch(const Scenario& scenario, const BatchPlan& plan, std::uint64_t start, Aggregates& totals,
                      RunSink& sink, const std::atomic<bool>* stop = nullptr,
                      const std::function<void(const Progress&)>& progress = {});

/// True when every outcome's Wilson 95% half-width is below `precision`.
bool precision_reached(const Aggregates& totals, double precision);

}  // namespace brink
