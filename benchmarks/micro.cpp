// brink_micro: Google Benchmark micro-benchmarks of one tick and its parts, on the
// default scenario (or $BRINK_SCENARIO), run from the repository root.
//
//   BM_DecisionRule    both leaders' perception, feasibility and logit choice (one tick's decisions)
//   BM_StateUpdate     event draws, effects with noise, clamp
//   BM_LadderOutcome   ladder step, tension, bookkeeping, outcome check
//   BM_Tick            one whole tick
//   BM_Restore         copying a snapshot in: subtract it from the four above
//   BM_FloorRun104     the FLOOR of a 104-tick run (support.hpp, floor_run)
//   BM_Run104          a real 104-tick run (simulate(), no observer)
//   BM_Run104Recorded  the same with the engine's per-tick accumulator (as in `brink run`)
//   BM_Seed4           keying a run's four Philox streams (part of both; was seeding four mt19937_64, ~10 us)
// Per-tick benchmarks iterate over a corpus of tick-start snapshots of real runs;
// the items/s counter is ticks (or runs) per second.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <memory>

#include "accumulator.hpp"
#include "brink/engine.hpp"
#include "brink/scenario.hpp"
#include "support.hpp"

using namespace brink;
using namespace brink::bench;

namespace {

struct Fixture {
    LoadedScenario loaded;
    std::unique_ptr<PhaseBench> phases;
    std::vector<RecordedRun> runs104;
    std::uint64_t seed = 1;
};

Fixture& fixture() {
    static Fixture f = [] {
        Fixture x;
        const char* path = std::getenv("BRINK_SCENARIO");
        x.loaded = load_scenario(path ? path : "scenarios/baseline.yaml");
        const Scenario& s = x.loaded.scenario;
        x.seed = s.default_seed;
        x.phases = std::make_unique<PhaseBench>(s, take_snapshots(s, x.seed, 2048, 7), x.seed);
        x.runs104 = record_runs(s, x.seed, 64, s.horizon, 20000);
        return x;
    }();
    return f;
}

void phase(benchmark::State& state, Phase p) {
    PhaseBench& bench = *fixture().phases;
    for (auto _ : state) bench.pass(p);
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(bench.size()));
    // Seconds per tick (Google Benchmark prints it with an SI prefix: 1.2u = 1.2 us).
    state.counters["per_tick"] = benchmark::Counter(static_cast<double>(state.iterations()) * static_cast<double>(bench.size()),
                                                    benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void BM_Restore(benchmark::State& s) { phase(s, Phase::restore); }
void BM_DecisionRule(benchmark::State& s) { phase(s, Phase::decision); }
void BM_StateUpdate(benchmark::State& s) { phase(s, Phase::state_update); }
void BM_LadderOutcome(benchmark::State& s) { phase(s, Phase::ladder_outcome); }
void BM_Tick(benchmark::State& s) { phase(s, Phase::full_tick); }

void BM_Run104(benchmark::State& state) {
    Fixture& f = fixture();
    WorkspaceHandle ws;
    RunResult result;
    std::size_t k = 0;
    for (auto _ : state) {
        simulate(f.loaded.scenario, f.runs104[k].run_id, f.seed, result, ws);
        benchmark::DoNotOptimize(result.end_tick);
        k = (k + 1) % f.runs104.size();
    }
    state.SetItemsProcessed(state.iterations());
}

// The same runs recorded by the engine's accumulator (what `brink run` does per tick:
// fixed-point sums and a 200-bin histogram of every variable): the engine's share.
void BM_Run104Recorded(benchmark::State& state) {
    Fixture& f = fixture();
    WorkspaceHandle ws;
    RunResult result;
    Aggregates totals;
    totals.reset(f.loaded.scenario);
    std::size_t k = 0;
    for (auto _ : state) {
        TickAccumulator accumulator(totals);
        simulate(f.loaded.scenario, f.runs104[k].run_id, f.seed, result, ws, &accumulator);
        accumulator.finish(result);
        k = (k + 1) % f.runs104.size();
    }
    benchmark::DoNotOptimize(totals.completed);
    state.SetItemsProcessed(state.iterations());
}

void BM_FloorRun104(benchmark::State& state) {
    Fixture& f = fixture();
    WorkspaceHandle ws;
    std::size_t k = 0;
    for (auto _ : state) {
        benchmark::DoNotOptimize(floor_run(f.loaded.scenario, f.seed, f.runs104[k], ws.get()));
        k = (k + 1) % f.runs104.size();
    }
    state.SetItemsProcessed(state.iterations());
}

void BM_Seed4(benchmark::State& state) {
    WorkspaceHandle handle;
    Workspace& ws = handle.get();
    std::uint64_t id = 0;
    for (auto _ : state) {
        ws.decisions.reseed(1, id, StreamPurpose::decisions);
        ws.world.reseed(1, id, StreamPurpose::world);
        ws.ladder.reseed(1, id, StreamPurpose::ladder);
        ws.events.reseed(1, id, StreamPurpose::events);
        benchmark::DoNotOptimize(ws.ladder.uniform());
        ++id;
    }
    state.SetItemsProcessed(state.iterations());
}

}  // namespace

BENCHMARK(BM_Restore);
BENCHMARK(BM_DecisionRule);
BENCHMARK(BM_StateUpdate);
BENCHMARK(BM_LadderOutcome);
BENCHMARK(BM_Tick);
BENCHMARK(BM_Run104);
BENCHMARK(BM_Run104Recorded);
BENCHMARK(BM_FloorRun104);
BENCHMARK(BM_Seed4);

BENCHMARK_MAIN();
