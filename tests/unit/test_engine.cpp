// The Monte Carlo engine and its files: intervals, thread invariance, precision
// stopping, failed runs, and the shape of the CSV files.
#include <catch2/catch.hpp>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "brink/engine.hpp"
#include "brink/output.hpp"
#include "brink/scenario.hpp"
#include "brink/stats.hpp"
#include "support.hpp"

using namespace brink;
namespace fs = std::filesystem;

namespace {

/// The cells of one CSV line without quoted fields (runs.csv of these scenarios has none).
std::vector<std::string> split_cells(const std::string& line) {
    std::vector<std::string> cells;
    std::string cell;
    std::istringstream in(line);
    while (std::getline(in, cell, ',')) cells.push_back(cell);
    if (!line.empty() && line.back() == ',') cells.emplace_back();
    return cells;
}

/// Keeps every row in memory, in the order received.
class MemorySink : public RunSink {
public:
    explicit MemorySink(const Scenario& s) : s_(s) {}
    void on_block(std::uint64_t first, const std::vector<RunSlot>& slots, std::size_t count, const Aggregates&) override {
        CHECK(first == next_);
        next_ = first + count;
        for (std::size_t k = 0; k < count; ++k) {
            if (slots[k].failed) errors += std::to_string(slots[k].result.run_id) + ":" + slots[k].error + "\n";
            else append_run_row(rows, s_, slots[k].result, 0);
        }
    }
    std::string rows, errors;

private:
    const Scenario& s_;
    std::uint64_t next_ = 0;
};

struct Batch {
    std::string rows, errors, summary, timeseries;
    Aggregates totals;
    BatchStatus status;
};

Batch run(const Scenario& s, BatchPlan plan) {
    Batch b;
    b.totals.reset(s);
    MemorySink sink(s);
    b.status = run_batch(s, plan, 0, b.totals, sink);
    b.rows = sink.rows;
    b.errors = sink.errors;
    b.summary = summary_csv(s, b.totals);
    b.timeseries = timeseries_csv(s, b.totals);
    return b;
}

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::stringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

}  // namespace

TEST_CASE("Wilson score intervals match published values", "[engine][stats]") {
    // Newcombe (1998), Statistics in Medicine 17:857, table I: 81/263 -> 0.2553 to 0.3662.
    Interval ci = wilson(81, 263);
    CHECK(ci.low == Approx(0.2553).margin(5e-5));
    CHECK(ci.high == Approx(0.3662).margin(5e-5));
    // Same table: 15/148 -> 0.0624 to 0.1605; 0/20 -> 0 to 0.1611; 1/29 -> 0.0061 to 0.1718.
    ci = wilson(15, 148);
    CHECK(ci.low == Approx(0.0624).margin(5e-5));
    CHECK(ci.high == Approx(0.1605).margin(5e-5));
    ci = wilson(0, 20);
    CHECK(ci.low == 0.0);
    CHECK(ci.high == Approx(0.1611).margin(5e-5));
    ci = wilson(1, 29);
    CHECK(ci.low == Approx(0.0061).margin(5e-5));
    CHECK(ci.high == Approx(0.1718).margin(5e-5));
    ci = wilson(20, 20);
    CHECK(ci.high == 1.0);
    CHECK(ci.low == Approx(1.0 - 0.1611).margin(5e-5));
}

TEST_CASE("results are identical for 1, 2 and 3 threads", "[engine][reproducible]") {
    const Scenario s = load_scenario("tests/data/scenarios/small.yaml").scenario;
    BatchPlan plan;
    plan.runs = 3000;
    plan.seed = 7;
    plan.block_size = 700;  // blocks that do not divide the run count
    plan.threads = 1;
    const Batch one = run(s, plan);
    plan.threads = 2;
    const Batch two = run(s, plan);
    plan.threads = 3;
    const Batch three = run(s, plan);
    CHECK(one.totals == two.totals);
    CHECK(one.totals == three.totals);
    CHECK(one.rows == two.rows);
    CHECK(one.rows == three.rows);
    CHECK(one.summary == two.summary);
    CHECK(one.timeseries == three.timeseries);
    CHECK(lines(one.rows).size() == 3000);
}

TEST_CASE("outcome counts sum to the completed runs, and the summary's probabilities to 1", "[engine][summary]") {
    const Scenario s = load_scenario("tests/data/scenarios/small.yaml").scenario;
    const Batch b = run(s, BatchPlan{2000, 3, 2, 0.0, 512});
    CHECK(b.totals.completed == 2000);
    CHECK(b.totals.outcomes[0] + b.totals.outcomes[1] + b.totals.outcomes[2] + b.totals.outcomes[3] == 2000);
    double total = 0.0;
    int probability_rows = 0;
    for (const std::string& line : lines(b.summary)) {
        if (line.rfind("probability,", 0) != 0) continue;
        std::vector<std::string> cells;
        std::stringstream in(line);
        for (std::string cell; std::getline(in, cell, ',');) cells.push_back(cell);
        total += std::stod(cells.at(4));
        ++probability_rows;
    }
    CHECK(probability_rows == kOutcomeCount);
    CHECK(total == Approx(1.0).margin(1e-12));
    // Every run is active at tick 0; the all-runs rung shares of the last tick sum to 1.
    std::uint64_t at_start = 0;
    for (int r = 0; r < b.totals.rungs; ++r) at_start += b.totals.active_rung[b.totals.tick_rung(0, r)];
    CHECK(at_start == 2000);
}

TEST_CASE("precision stopping adds whole blocks until every half-width is below the target", "[engine][precision]") {
    const Scenario s = load_scenario("tests/data/scenarios/small.yaml").scenario;
    BatchPlan plan{1000000, 5, 2, 0.004, 1000};
    const Batch b = run(s, plan);
    CHECK(b.status.reason == StopReason::precision_reached);
    CHECK(b.status.next_run % 1000 == 0);
    CHECK(b.status.next_run < 1000000);
    for (const auto k : b.totals.outcomes) CHECK(wilson(k, b.totals.completed).half_width() < 0.004);
    // One block fewer would not have been enough.
    Aggregates fewer;
    fewer.reset(s);
    MemorySink sink(s);
    run_batch(s, BatchPlan{b.status.next_run - 1000, 5, 1, 0.0, 1000}, 0, fewer, sink);
    CHECK_FALSE(precision_reached(fewer, 0.004));
    // The stopping point does not depend on threads.
    plan.threads = 1;
    CHECK(run(s, plan).status.next_run == b.status.next_run);
    // With a cap below that point, the cap stops it.
    plan.runs = b.status.next_run - 1000;
    const Batch capped = run(s, plan);
    CHECK(capped.status.reason == StopReason::completed_runs);
    CHECK(capped.status.next_run == plan.runs);
}

TEST_CASE("a failing run is recorded and leaves no trace in the aggregates", "[engine][errors]") {
    Action wait = test::pressure_action("wait", 0.0);
    Scenario s = test::make_world(3, {wait}, {0});
    s.step = LadderStep{1.0, 100.0, -100.0, 0.0};
    s.events = {Event{"poison", "", 0.05, {Effect{2, std::numeric_limits<double>::quiet_NaN(), 0.0}}, {}, 0.0}};
    finalize(s);
    const Batch b = run(s, BatchPlan{1000, 1, 2, 0.0, 256});
    // Each run survives 20 ticks with probability 0.95^20 = 0.358.
    CHECK(b.totals.failed + b.totals.completed == 1000);
    CHECK(b.totals.failed > 500);
    CHECK(b.totals.completed > 250);
    CHECK(lines(b.errors).size() == b.totals.failed);
    CHECK(lines(b.rows).size() == b.totals.completed);
    CHECK(b.errors.find("became NaN") != std::string::npos);
    for (int t = 0; t <= s.horizon; ++t) {
        std::uint64_t active = 0;
        for (int r = 0; r < b.totals.rungs; ++r) active += b.totals.active_rung[b.totals.tick_rung(t, r)];
        CHECK(active == b.totals.completed);  // only runs that completed are counted, at every tick
    }
}

TEST_CASE("runs.csv: version-2 columns only for the mechanisms a scenario has, filled from the run", "[engine][output]") {
    // A version-1 scenario: none of them, the layout of model version 1.
    const Scenario small = load_scenario("tests/data/scenarios/small.yaml").scenario;
    const std::string v1 = runs_csv_header(small);
    for (const char* column : {"max_level", "final_level", "first_tick_level_", "honoured_", "bluffed_", "credibility_", "first_tick_mode_"})
        CHECK(v1.find(column) == std::string::npos);

    // The baseline has a nuclear track, three commitments and Putin's two modes.
    const Scenario s = load_scenario("scenarios/baseline.yaml", {"run.horizon=30"}).scenario;
    REQUIRE(s.nuclear.present());
    REQUIRE(s.commitments.size() >= 1);
    const std::string header = runs_csv_header(s);
    const auto names = split_cells(header.substr(0, header.size() - 1));
    const auto column = [&](const std::string& name) {
        const auto it = std::find(names.begin(), names.end(), name);
        REQUIRE(it != names.end());
        return static_cast<std::size_t>(it - names.begin());
    };
    const std::size_t level0 = column("first_tick_level_" + s.nuclear.levels[0].id);
    const std::size_t max_level = column("max_level");
    const Commitment& c = s.commitments.front();  // the sanctions warning: triggered often
    const std::size_t honoured = column("honoured_" + c.id), bluffed = column("bluffed_" + c.id), kappa = column("credibility_" + c.id);
    std::size_t with_modes = 0;
    for (std::size_t i = 0; i < 2; ++i)
        if (!s.leaders[i].modes.empty()) with_modes = i;
    const Leader& l = s.leaders[with_modes];
    REQUIRE(l.modes.size() >= 2);
    const std::size_t mode0 = column("first_tick_mode_" + l.id + "_" + l.modes[0].id);
    const std::size_t mode1 = column("first_tick_mode_" + l.id + "_" + l.modes[1].id);
    // After the version-2 columns: each rung's last tick and ticks spent; with a calendar,
    // the end date and each rung's first date.
    const std::size_t history = 2 * static_cast<std::size_t>(s.rung_count()) + (s.start_day ? 1 + static_cast<std::size_t>(s.rung_count()) : 0);
    CHECK(names.size() == 7 + static_cast<std::size_t>(s.rung_count() + s.variable_count()) + s.leaders[0].menu.size() +
                              s.leaders[1].menu.size() + 2 + s.nuclear.levels.size() + 3 * s.commitments.size() +
                              s.leaders[0].modes.size() + s.leaders[1].modes.size() + history);
    CHECK(max_level == names.size() - 2 - s.nuclear.levels.size() - 3 * s.commitments.size() - s.leaders[0].modes.size() -
                           s.leaders[1].modes.size() - history);  // after the action counts

    // Each cell is the RunResult's, in the header's order.
    bool moved = false, resolved = false, switched = false;
    WorkspaceHandle ws;
    RunResult r;
    for (std::uint64_t run = 0; run < 300; ++run) {
        simulate(s, run, 7, r, ws);
        std::string row;
        append_run_row(row, s, r, 7);
        const auto cells = split_cells(row.substr(0, row.size() - 1));
        REQUIRE(cells.size() == names.size());
        CHECK(cells[max_level] == std::to_string(r.max_level));
        CHECK(cells[max_level + 1] == std::to_string(r.final_level));
        for (std::size_t k = 0; k < s.nuclear.levels.size(); ++k)
            CHECK(cells[level0 + k] == (r.first_tick_at_level[k] < 0 ? "" : std::to_string(r.first_tick_at_level[k])));
        const std::size_t ci = 0;
        CHECK(cells[honoured] == std::to_string(r.honoured[ci]));
        CHECK(cells[bluffed] == std::to_string(r.bluffed[ci]));
        CHECK(std::stod(cells[kappa]) == r.final_credibility[ci]);
        CHECK(cells[mode0] == "0");  // the initial mode
        CHECK(cells[mode1] == (r.first_tick_in_mode[with_modes][1] < 0 ? "" : std::to_string(r.first_tick_in_mode[with_modes][1])));
        moved = moved || r.max_level > 0;
        resolved = resolved || r.honoured[ci] + r.bluffed[ci] > 0;
        switched = switched || r.first_tick_in_mode[with_modes][1] > 0;
    }
    CHECK(moved);  // the checks above saw every kind of value, not only the initial ones
    CHECK(resolved);
    CHECK(switched);
}

TEST_CASE("result folder: runs.csv header and one row per run, written atomically", "[engine][output]") {
    const LoadedScenario loaded = load_scenario("tests/data/scenarios/small.yaml");
    const Scenario& s = loaded.scenario;
    const fs::path dir = fs::temp_directory_path() / ("brink-folder-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    const BatchRecord record = brink::test::record_of(loaded, BatchPlan{1500, 2, 2, 0.0, 400});
    auto folder = ResultFolder::create(dir.string(), s, record);
    Aggregates totals;
    totals.reset(s);
    const BatchStatus status = run_batch(s, record.plan, 0, totals, *folder);
    folder->finish(totals, status, true, 0.1, "start", "end", 2);
    std::stringstream text;
    text << std::ifstream(dir / "runs.csv").rdbuf();
    const auto runs = lines(text.str());
    REQUIRE(runs.size() == 1501);
    CHECK(runs[0] == runs_csv_header(s).substr(0, runs_csv_header(s).size() - 1));
    const auto columns = std::count(runs[0].begin(), runs[0].end(), ',') + 1;
    CHECK(columns == 7 + 3 * s.rung_count() + s.variable_count() + static_cast<long>(s.leaders[0].menu.size() + s.leaders[1].menu.size()));
    for (std::size_t i = 1; i < runs.size(); ++i) {
        CHECK(std::count(runs[i].begin(), runs[i].end(), ',') + 1 == columns);
        CHECK(runs[i].rfind(std::to_string(i - 1) + ",2,", 0) == 0);  // ordered by run id, seed on every row
    }
    for (const char* name : {"summary.csv", "summary.json", "timeseries.csv", "manifest.json", "errors.csv", "scenario.yaml"})
        CHECK(fs::exists(dir / name));
    CHECK_FALSE(fs::exists(dir / "checkpoint.bin"));
    CHECK_FALSE(fs::exists(dir / "runs.csv.partial"));
    for (const auto& entry : fs::directory_iterator(dir)) CHECK(entry.path().string().find(".tmp") == std::string::npos);
    // A folder that already holds results is refused.
    CHECK_THROWS_AS(ResultFolder::create(dir.string(), s, record), OutputError);
    fs::remove_all(dir);
}

TEST_CASE("quantiles of an end-tick histogram are the inverse CDF", "[engine][stats]") {
    // Ticks 1, 2, 2, 3, 10.
    std::vector<std::uint64_t> h(11, 0);
    h[1] = 1; h[2] = 2; h[3] = 1; h[10] = 1;
    CHECK(histogram_quantile(h, 0.2) == 1);
    CHECK(histogram_quantile(h, 0.5) == 2);
    CHECK(histogram_quantile(h, 0.6) == 2);
    CHECK(histogram_quantile(h, 0.8) == 3);
    CHECK(histogram_quantile(h, 0.95) == 10);
    CHECK(histogram_quantile(std::vector<std::uint64_t>(5, 0), 0.5) == -1);
}
