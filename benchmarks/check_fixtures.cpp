// The benchmarks' fixtures are only as good as their claims: the FLOOR must take exactly
// the draws of a real run (or the ratio run / floor compares against the wrong work),
// and the phase functions must be the model. Built with the tests (label unit), so a
// change to the model's draws that the floor does not follow fails CI, not just a
// benchmark run.
#include <catch2/catch.hpp>

#include "brink/scenario.hpp"
#include "support.hpp"

using namespace brink;
using namespace brink::bench;

namespace {

const char* const kScenarios[] = {"scenarios/baseline.yaml", "benchmarks/scenarios/tick-heavy.yaml",
                                  "scenarios/channel-closed.yaml"};

}  // namespace

TEST_CASE("the floor replays full-length runs to their final state and stream positions, bit for bit", "[bench]") {
    for (const char* path : kScenarios) {
        INFO(path);
        const LoadedScenario loaded = load_scenario(path);
        const Scenario& s = loaded.scenario;
        const std::vector<RecordedRun> runs = record_runs(s, s.default_seed, 40, s.horizon, 20000);
        REQUIRE(runs.size() == 40);
        WorkspaceHandle handle;
        for (const RecordedRun& r : runs) {
            INFO("run " << r.run_id);
            CHECK(r.ticks.size() == static_cast<std::size_t>(s.horizon));
            CHECK(floor_run(s, s.default_seed, r, handle.get()));
        }
    }
}

TEST_CASE("the floor's check fails when the replayed run is not the one recorded", "[bench]") {
    const LoadedScenario loaded = load_scenario("scenarios/baseline.yaml");
    const Scenario& s = loaded.scenario;
    std::vector<RecordedRun> runs = record_runs(s, s.default_seed, 3, s.horizon, 20000);
    REQUIRE(runs.size() == 3);
    WorkspaceHandle handle;

    SECTION("another seed") { CHECK_FALSE(floor_run(s, s.default_seed + 1, runs[0], handle.get())); }
    SECTION("another move at one tick") {
        // Biden's menu position 0 and its action index, swapped for a different action.
        RecordedRun r = runs[1];
        tick::Moves& m = r.ticks[50].moves;
        const std::vector<int>& menu = s.leaders[0].menu;
        const std::size_t other = m.position[0] == 0 ? 1 : 0;
        m.position[0] = static_cast<int>(other);
        m.action[0] = menu[other];
        CHECK_FALSE(floor_run(s, s.default_seed, r, handle.get()));
    }
    SECTION("a stream left elsewhere") {
        RecordedRun r = runs[2];
        r.positions[0] += 1;  // as if the decisions stream had taken one word fewer
        CHECK_FALSE(floor_run(s, s.default_seed, r, handle.get()));
    }
}

TEST_CASE("the recorded tick phases reproduce simulate()", "[bench]") {
    // record_runs drives tick::start/decide/update_state/step_ladder/check_outcome, the
    // functions the phase benchmarks time; simulate() is the same loop.
    const LoadedScenario loaded = load_scenario("scenarios/baseline.yaml");
    const Scenario& s = loaded.scenario;
    const std::vector<RecordedRun> runs = record_runs(s, s.default_seed, 30, 0, 30);
    REQUIRE(runs.size() == 30);
    for (const RecordedRun& r : runs) {
        const RunResult result = simulate(s, r.run_id, s.default_seed);
        INFO("run " << r.run_id);
        CHECK(static_cast<int>(r.ticks.size()) == result.end_tick);
        CHECK(r.final_rung == result.final_rung);
        CHECK(r.final_state == result.final_state);
        std::array<std::vector<int>, 2> counts{std::vector<int>(s.leaders[0].menu.size(), 0),
                                               std::vector<int>(s.leaders[1].menu.size(), 0)};
        for (const TickRecord& t : r.ticks)
            for (std::size_t i = 0; i < 2; ++i) ++counts[i][static_cast<std::size_t>(t.moves.position[i])];
        CHECK(counts[0] == result.action_counts[0]);
        CHECK(counts[1] == result.action_counts[1]);
    }
}
