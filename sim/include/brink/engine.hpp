// The Monte Carlo engine: many independent runs in parallel (OpenMP), results
// combined in run-id order or from integer counts, so the output is the same
// for any number of threads.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <stdexcept>
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
    /// Ensemble runs only: [parameter set][outcome] counts (empty otherwise; kept out of checkpoints).
    std::vector<std::uint64_t> set_outcomes;

    /// Sizes every count for `scenario` (and `parameter_sets` ensemble members), all zero.
    void reset(const Scenario& scenario, std::size_t parameter_sets = 0);
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

/// Parameter sets drawn run by run (brink run --ensemble): each run plays the scenario of
/// one member, chosen from its id alone with probability proportional to the member's
/// weight, so the choice is the same on any thread count. The members differ in numbers
/// only (one scenario's structure: names, ladder, horizon).
struct Ensemble {
    std::vector<Scenario> members;
    std::vector<double> cumulative;  ///< normalised cumulative weights, last = 1
    std::uint64_t seed = 0;
    /// The member run `run_id` plays.
    std::size_t member_of(std::uint64_t run_id) const;
};

struct BatchPlan {
    std::uint64_t runs = 10000;      ///< run count, or the cap when precision > 0
    std::uint64_t seed = 1;
    int threads = 0;                 ///< 0: OpenMP's default
    double precision = 0.0;          ///< stop when every outcome's 95% half-width is below this (0: off)
    std::uint64_t block_size = 4096; ///< runs per block: the unit of flushing, checking and stopping
    /// Branches (brink branch): every run continues this paused run, on the streams of
    /// its own id under `seed`, instead of starting at tick 0. nullptr: plain runs.
    const RunSnapshot* from = nullptr;
    /// Ensemble runs: each run plays the scenario of the member its id draws. nullptr: plain runs.
    const Ensemble* ensemble = nullptr;
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

// ---------------------------------------------------------------- memory

/// Thrown before anything is allocated when a batch would need more memory than this
/// process may use: an input error (shorten run.horizon, use fewer threads), not a crash.
class MemoryError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Bytes of one Aggregates of `scenario`, as reset() sizes it. The per-tick histograms
/// dominate: (horizon + 1) x variables x kQuantileBins counters. Saturates at 2^64 - 1.
std::uint64_t aggregates_bytes(const Scenario& scenario);

/// Bytes a batch holds at once, from its inputs alone: one Aggregates per thread, the
/// overall totals, one serialised copy of them (the checkpoint a result folder writes),
/// and one block of run slots. Threads 0 means OpenMP's default. Saturates at 2^64 - 1.
std::uint64_t batch_memory_bytes(const Scenario& scenario, const BatchPlan& plan);

/// What this process may still allocate, and the limit that decides it: the least of
/// physical memory, the cgroup's memory limit, RLIMIT_AS and RLIMIT_DATA (each less
/// what this process already holds of it).
struct MemoryLimit {
    std::uint64_t bytes = UINT64_MAX;
    std::string source;  ///< e.g. "the address-space limit (ulimit -v) of 1.9 GB"
};
MemoryLimit memory_limit();

/// Throws MemoryError, quoting the estimate and the limit, when batch_memory_bytes()
/// exceeds what is free plus `already_held` (bytes of the estimate allocated already,
/// e.g. the totals run_batch is handed).
void check_batch_memory(const Scenario& scenario, const BatchPlan& plan, std::uint64_t already_held = 0);

/// "1.9 GB", "350 MB", "12 kB": a byte count for people (powers of 1000).
std::string byte_text(std::uint64_t bytes);

}  // namespace brink
