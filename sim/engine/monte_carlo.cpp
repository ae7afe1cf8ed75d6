// Blocks of runs in parallel. Inside a block, OpenMP hands out run ids
// dynamically; each thread records into its own integer aggregates, which are
// added up after the block. Rows go to the sink in run-id order.
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <memory>

#include "accumulator.hpp"
#include "brink/engine.hpp"
#include "brink/random.hpp"
#include "brink/stats.hpp"

namespace brink {

const char* stop_reason_name(StopReason reason) {
    switch (reason) {
        case StopReason::completed_runs: return "run count reached";
        case StopReason::precision_reached: return "precision reached";
        case StopReason::interrupted: return "interrupted";
    }
    return "?";
}

bool precision_reached(const Aggregates& totals, double precision) {
    if (precision <= 0.0 || totals.completed == 0) return false;
    for (const std::uint64_t k : totals.outcomes)
        if (wilson(k, totals.completed).half_width() >= precision) return false;
    return true;
}

namespace {

/// Calls `progress` at most every 0.25 s, from whichever thread gets there first.
class ProgressTicker {
public:
    ProgressTicker(const std::function<void(const Progress&)>& progress, std::uint64_t done, std::uint64_t total)
        : progress_(progress), done_(done), total_(total), last_(now()) {}

    void run_finished() {
        const std::uint64_t done = done_.fetch_add(1, std::memory_order_relaxed) + 1;
        if (!progress_ || (done & 63) != 0) return;
        const std::int64_t t = now();
        std::int64_t last = last_.load(std::memory_order_relaxed);
        if (t - last < 250 || !last_.compare_exchange_strong(last, t)) return;
        progress_(Progress{done, total_});
    }
    void report() {
        if (progress_) progress_(Progress{done_.load(), total_});
    }

private:
    static std::int64_t now() {
        return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
    }
    const std::function<void(const Progress&)>& progress_;
    std::atomic<std::uint64_t> done_;
    std::uint64_t total_;
    std::atomic<std::int64_t> last_;
};

/// One run of the batch: from tick 0, or (a branch) from the plan's paused run.
void play(const Scenario& base, const BatchPlan& plan, std::uint64_t run_id, RunResult& result, WorkspaceHandle& workspace,
          TickAccumulator& accumulator) {
    const std::size_t member = plan.ensemble ? plan.ensemble->member_of(run_id) : 0;
    const Scenario& scenario = plan.ensemble ? plan.ensemble->members[member] : base;
    result.parameter_set = plan.ensemble ? static_cast<int>(member) : -1;
    if (!plan.from) {
        simulate(scenario, run_id, plan.seed, result, workspace, &accumulator);
        return;
    }
    RunSnapshot run = *plan.from;
    accumulator.start_at(run);
    continue_run(scenario, run, scenario.horizon, plan.seed, run_id, workspace, &accumulator);
    result = std::move(run.result);
    result.run_id = run_id;
    result.parameter_set = plan.ensemble ? static_cast<int>(member) : -1;
}

}  // namespace

std::size_t Ensemble::member_of(std::uint64_t run_id) const {
    // a uniform from (seed, run id) alone, through two SplitMix64 rounds
    const double u = static_cast<double>(splitmix64(splitmix64(seed ^ 0xe5e7b1eULL) + run_id) >> 11) * 0x1.0p-53;
    const auto at = std::upper_bound(cumulative.begin(), cumulative.end(), u);
    return std::min(static_cast<std::size_t>(at - cumulative.begin()), cumulative.size() - 1);
}

BatchStatus run_batch(const Scenario& scenario, const BatchPlan& plan, std::uint64_t start, Aggregates& totals,
                      RunSink& sink, const std::atomic<bool>* stop, const std::function<void(const Progress&)>& progress) {
    // Refuse, with the figures, a batch that cannot fit, before allocating any of it
    // (the caller has already allocated `totals`).
    check_batch_memory(scenario, plan, aggregates_bytes(scenario));
    const int threads = plan.threads > 0 ? plan.threads : omp_get_max_threads();
    const std::uint64_t block_size = std::max<std::uint64_t>(1, plan.block_size);
    std::vector<RunSlot> slots(static_cast<std::size_t>(std::min(block_size, std::max<std::uint64_t>(plan.runs, 1))));
    for (RunSlot& slot : slots) slot.result.prepare(scenario);

    // Per-thread scratch and aggregates, allocated once for the whole batch.
    std::vector<std::unique_ptr<WorkspaceHandle>> workspaces;
    std::vector<Aggregates> block_totals(static_cast<std::size_t>(threads));
    const std::size_t sets = plan.ensemble ? plan.ensemble->members.size() : 0;
    if (totals.set_outcomes.size() != sets * kOutcomeCount) totals.set_outcomes.assign(sets * kOutcomeCount, 0);
    for (int t = 0; t < threads; ++t) {
        workspaces.push_back(std::make_unique<WorkspaceHandle>());
        block_totals[static_cast<std::size_t>(t)].reset(scenario, sets);
    }

    ProgressTicker ticker(progress, start, plan.runs);
    BatchStatus status{start, StopReason::completed_runs};
    if (plan.precision > 0.0 && precision_reached(totals, plan.precision)) status.reason = StopReason::precision_reached;

    while (status.next_run < plan.runs && status.reason == StopReason::completed_runs) {
        if (stop && stop->load()) {
            status.reason = StopReason::interrupted;
            break;
        }
        const std::uint64_t first = status.next_run;
        const std::uint64_t count = std::min<std::uint64_t>(block_size, plan.runs - first);
        const auto n = static_cast<std::int64_t>(count);

#pragma omp parallel for schedule(dynamic, 16) num_threads(threads)
        for (std::int64_t k = 0; k < n; ++k) {
            const auto t = static_cast<std::size_t>(omp_get_thread_num());
            RunSlot& slot = slots[static_cast<std::size_t>(k)];
            const std::uint64_t run_id = first + static_cast<std::uint64_t>(k);
            Aggregates& mine = block_totals[t];
            slot.failed = false;
            slot.error.clear();
            try {
                TickAccumulator accumulator(mine);
                play(scenario, plan, run_id, slot.result, *workspaces[t], accumulator);
                accumulator.finish(slot.result);
                if (plan.ensemble)
                    ++mine.set_outcomes[static_cast<std::size_t>(slot.result.parameter_set) * kOutcomeCount + static_cast<std::size_t>(slot.result.outcome)];
            } catch (const std::exception& e) {
                slot.failed = true;
                slot.error = e.what();
                slot.result.run_id = run_id;
                // The run is a pure function of its id: replaying it with a removing
                // accumulator takes back exactly the ticks it recorded before it threw.
                TickAccumulator eraser(mine, true);
                try {
                    play(scenario, plan, run_id, slot.result, *workspaces[t], eraser);
                } catch (const std::exception&) {
                }
            }
            ticker.run_finished();
        }

        for (Aggregates& b : block_totals) {
            totals.add(b);
            b.reset(scenario, sets);
        }
        std::uint64_t failed = 0;
        for (std::uint64_t k = 0; k < count; ++k) failed += slots[static_cast<std::size_t>(k)].failed ? 1 : 0;
        totals.failed += failed;
        status.next_run = first + count;
        sink.on_block(first, slots, static_cast<std::size_t>(count), totals);
        if (plan.precision > 0.0 && precision_reached(totals, plan.precision)) status.reason = StopReason::precision_reached;
    }
    if (status.reason == StopReason::completed_runs && stop && stop->load() && status.next_run < plan.runs)
        status.reason = StopReason::interrupted;
    ticker.report();
    return status;
}

}  // namespace brink
