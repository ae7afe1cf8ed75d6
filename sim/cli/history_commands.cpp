// brink run --given TIMELINE --as-of DATES, and brink backtest: the history room's
// front end (docs/timelines.md).
#include <omp.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "brink/calendar.hpp"
#include "brink/engine.hpp"
#include "brink/history_output.hpp"
#include "brink/output.hpp"
#include "common.hpp"
#include "latest.hpp"

namespace brink::cli {

namespace {

/// "2022-02-24", "2021-12-17,2022-01-18" or "2021-12-17:2022-02-24:7d" (a step in days
/// or weeks, both ends included when the step lands on the end) -> days.
std::optional<std::vector<int>> parse_as_of(const std::string& text, std::string& error) {
    std::vector<int> days;
    const auto date = [&](const std::string& part) -> std::optional<int> {
        const std::optional<int> d = parse_date(part);
        if (!d) error = "--as-of: expected a date YYYY-MM-DD, found '" + part + "'";
        return d;
    };
    if (text.find(':') != std::string::npos) {
        const std::size_t a = text.find(':'), b = text.find(':', a + 1);
        if (b == std::string::npos) return error = "--as-of: a series is FROM:TO:STEP (e.g. 2021-12-17:2022-02-24:7d), found '" + text + "'", std::nullopt;
        const auto from = date(text.substr(0, a)), to = date(text.substr(a + 1, b - a - 1));
        if (!from || !to) return std::nullopt;
        const std::string step = text.substr(b + 1);
        std::string err;
        const char unit = step.empty() ? ' ' : step.back();
        const auto count = step.size() > 1 ? parse_integer(step.substr(0, step.size() - 1), "--as-of step", 1, 3660, err) : std::nullopt;
        if (!count || (unit != 'd' && unit != 'w'))
            return error = "--as-of: the step is a number of days or weeks (7d, 2w), found '" + step + "'", std::nullopt;
        if (*to < *from) return error = "--as-of: the series ends (" + format_date(*to) + ") before it starts (" + format_date(*from) + ")", std::nullopt;
        const int stride = static_cast<int>(*count) * (unit == 'w' ? 7 : 1);
        for (int d = *from; d <= *to; d += stride) days.push_back(d);
        if (days.back() != *to) days.push_back(*to);
        return days;
    }
    std::size_t begin = 0;
    while (begin <= text.size()) {
        const std::size_t end = std::min(text.find(',', begin), text.size());
        const auto d = date(text.substr(begin, end - begin));
        if (!d) return std::nullopt;
        days.push_back(*d);
        begin = end + 1;
    }
    return days;
}

struct Inputs {
    LoadedScenario loaded;
    Timeline timeline;
};

/// Loads the scenario and the timeline, printing every problem; nullopt on any.
std::optional<Inputs> load_inputs(const std::string& command, const std::string& scenario, const std::vector<std::string>& overrides,
                                  const std::string& timeline) {
    Inputs in;
    try {
        in.loaded = load_scenario(scenario, overrides);
        if (!in.loaded.scenario.start_day) {
            std::cerr << "brink " << command << ": " << scenario << " has no calendar: give it run.start_date (YYYY-MM-DD) to read "
                      << timeline << " against it\n";
            return std::nullopt;
        }
        in.timeline = load_timeline(timeline, in.loaded.scenario);
    } catch (const ScenarioError& e) {
        print_diagnostics(e);
        return std::nullopt;
    }
    return in;
}

std::string file_hash_text(const std::string& path) {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    std::string text;
    if (f) {
        char buffer[65536];
        std::size_t n = 0;
        while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) text.append(buffer, n);
        std::fclose(f);
    }
    return text;
}

struct Common {
    std::string scenario, timeline, out;
    std::string ensemble;  ///< a calibration's posterior.csv (empty: the scenario alone)
    std::vector<std::string> overrides;
    std::optional<std::uint64_t> particles, seed, ess_floor;
    std::optional<int> threads;
    bool quiet = false;
};

ConditionPlan plan_of(const Common& c, const Scenario& s) {
    ConditionPlan plan;
    plan.particles = c.particles.value_or(s.default_runs);
    plan.seed = c.seed.value_or(s.default_seed);
    plan.threads = c.threads.value_or(0);
    plan.ess_floor = c.ess_floor.value_or(0);
    return plan;
}

HistoryRecord record_of(const std::string& command, const std::string& command_line, const Inputs& in, const Common& c,
                        const ConditionPlan& plan) {
    HistoryRecord r;
    r.kind = command == "backtest" ? "backtest" : "given";
    r.command = command;
    r.command_line = command_line;
    r.scenario_name = in.loaded.scenario.name;
    r.scenario_hash = in.loaded.hash;
    r.scenario_files = in.loaded.files;
    r.timeline_file = c.timeline;
    r.timeline_hash = fnv1a64(file_hash_text(c.timeline));
    r.plan = plan;
    r.plan.ess_floor = plan.ess_floor ? plan.ess_floor : std::max<std::uint64_t>(1, plan.particles / 4);
    r.threads = c.threads.value_or(omp_get_max_threads());
    r.ensemble_file = c.ensemble;
    return r;
}

void print_stages(const OddsAsOf& o, std::uint64_t floor) {
    for (std::size_t k = 0; k < o.stages.size(); ++k) {
        const Stage& st = o.stages[k];
        std::string ids;
        for (const std::string& id : st.observations) ids += (ids.empty() ? "" : ", ") + id;
        std::printf("    stage %zu  %s (tick %d)  kept %llu of %llu (%.1f%%)  ESS %.0f%s  [%s]\n", k + 1, format_date(st.day).c_str(),
                    st.tick, static_cast<unsigned long long>(st.survivors), static_cast<unsigned long long>(st.attempts),
                    100.0 * st.acceptance(), st.ess, st.ess < static_cast<double>(floor) ? " (below the floor)" : "", ids.c_str());
    }
}

void print_odds(const Timeline& timeline, const OddsAsOf& o, std::uint64_t floor) {
    std::printf("\nas of %s (tick %d): %llu runs, ESS %.0f, %zu observation stage%s\n", format_date(o.day).c_str(), o.tick,
                static_cast<unsigned long long>(o.particles), o.ess, o.stages.size(), o.stages.size() == 1 ? "" : "s");
    print_stages(o, floor);
    if (!o.stages.empty()) std::printf("    P(everything observed by then) estimated %.3g (ln %.2f)\n", std::exp(o.log_evidence), o.log_evidence);
    for (int k = 0; k < kOutcomeCount; ++k) {
        const Odds& x = o.outcomes[static_cast<std::size_t>(k)];
        std::printf("  %-28s %7s  [%s, %s]\n", outcome_label(static_cast<Outcome>(k)), percent(x.probability).c_str(),
                    percent(x.interval.low).c_str(), percent(x.interval.high).c_str());
    }
    for (std::size_t q = 0; q < o.questions.size(); ++q) {
        const Odds& x = o.questions[q];
        std::printf("  %-28s %7s  [%s, %s]  %s\n", timeline.questions[q].id.c_str(), percent(x.probability).c_str(),
                    percent(x.interval.low).c_str(), percent(x.interval.high).c_str(), timeline.questions[q].claim.describe.c_str());
    }
}

/// Creates the folder and writes each (name, text) atomically; returns an exit code.
int write_folder(const std::string& command, const std::string& dir, const std::vector<std::pair<std::string, std::string>>& files) {
    try {
        FolderLock lock = lock_new_folder(dir);
        for (const auto& [name, text] : files) write_file_atomically((std::filesystem::path(dir) / name).string(), text);
    } catch (const OutputError& e) {
        return exit_code_for(command, e);
    }
    point_latest_at(command, dir);  // written whole: complete from here on
    return ok;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

int run_given(const Common& c, const std::string& as_of_text, const std::string& command_line) {
    std::string error;
    const auto days = parse_as_of(as_of_text, error);
    if (!days) return std::cerr << "brink run: " << error << "\n", usage_error;
    const std::optional<Inputs> in = load_inputs("run", c.scenario, c.overrides, c.timeline);
    if (!in) return usage_error;
    const Scenario& s = in->loaded.scenario;
    const int last = tick_date(*s.start_day, s.tick_days, s.horizon);
    for (const int d : *days)
        if (d < *s.start_day || d > last)
            return std::cerr << "brink run: --as-of " << format_date(d) << " is outside the scenario's dates (" << format_date(*s.start_day)
                             << " to " << format_date(last) << ")\n",
                   usage_error;
    ConditionPlan plan = plan_of(c, s);
    std::optional<LoadedEnsemble> ensemble;
    if (!c.ensemble.empty() && !(ensemble = load_ensemble(c.ensemble, c.scenario, c.overrides, plan.seed))) return usage_error;
    if (ensemble) plan.ensemble = &ensemble->ensemble;
    HistoryRecord record = record_of("run --given", command_line, *in, c, plan);
    const std::string started = timestamp("%Y-%m-%dT%H:%M:%SZ");
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<OddsAsOf> series;
    install_signal_handlers();
    try {
        for (const int d : *days) {
            if (stop_flag().load()) return std::cerr << "brink run: interrupted; nothing written\n", stop_exit_code();
            series.push_back(odds_as_of(s, in->timeline, d, plan));
            if (!c.quiet) print_odds(in->timeline, series.back(), record.plan.ess_floor);
        }
    } catch (const std::exception& e) {
        return exit_code_for("run", e);
    }
    record.wall_seconds = seconds_since(t0);
    const std::string dir = c.out.empty() ? "results/" + std::filesystem::path(c.scenario).stem().string() + "-given-" +
                                                timestamp("%Y%m%d-%H%M%S")
                                          : c.out;
    const int code = write_folder("run", dir, {{"odds.csv", odds_csv(s, in->timeline, series)},
                                               {"stages.csv", stages_csv(series)},
                                               {"forecasts.csv", forecasts_csv(in->timeline)},
                                               {"manifest.json", history_manifest(record, started, timestamp("%Y-%m-%dT%H:%M:%SZ"))}});
    if (code == ok) std::printf("\n%zu date%s in %.2f s; results in: %s/\n", series.size(), series.size() == 1 ? "" : "s", record.wall_seconds, dir.c_str());
    return code;
}

void print_backtest(const Timeline& timeline, const Backtest& bt) {
    std::printf("\n  %-26s %-12s %10s  %-17s %-10s %7s %7s\n", "question", "as of", "Brink", "95% interval", "resolved", "Brier", "log");
    for (const ScoredForecast& f : bt.scored) {
        if (f.who != "Brink") continue;
        const std::string interval = "[" + percent(f.interval.low) + ", " + percent(f.interval.high) + "]";
        std::printf("  %-26s %-12s %10s  %-17s %-10s %7.3f %7.3f\n", f.question.c_str(), format_date(f.day).c_str(),
                    percent(f.probability).c_str(), interval.c_str(), f.resolution ? "yes" : "no", f.brier, f.log);
    }
    bool any = false;
    for (const ScoredForecast& f : bt.scored) {
        if (f.who == "Brink") continue;
        if (!any) std::printf("\n  published forecasts (Brink as of the same date beside each)\n"), any = true;
        std::printf("  %-26s %-22s %-10s %7s  Brink %7s  %s\n", f.question.c_str(), f.who.c_str(), format_date(f.day).c_str(),
                    percent(f.probability).c_str(), percent(f.brink_probability).c_str(), f.resolution ? "yes" : "no");
    }
    std::printf("\n  mean scores (lower is better)       n    Brier     log   | Brink on the same: Brier     log\n");
    for (const MeanScores& m : bt.means)
        std::printf("  %-30s %5llu  %7.3f %7.3f   |                   %7.3f %7.3f\n", m.who.c_str(),
                    static_cast<unsigned long long>(m.count), m.brier, m.log, m.brink_brier, m.brink_log);
    if (!bt.left_out.empty()) {
        std::printf("\n  not scored (resolved on or before --until):");
        for (const std::string& id : bt.left_out) std::printf(" %s", id.c_str());
        std::printf("\n");
    }
    (void)timeline;
}

std::string means_csv(const Backtest& bt) {
    std::string out = "who,count,brier,log,brink_brier,brink_log\n";
    for (const MeanScores& m : bt.means)
        out += csv_field(m.who) + "," + std::to_string(m.count) + "," + format_double(m.brier) + "," + format_double(m.log) + "," +
               format_double(m.brink_brier) + "," + format_double(m.brink_log) + "\n";
    return out;
}

int run_backtest(const Common& c, const std::string& until_text, const std::string& command_line) {
    std::optional<int> until;
    if (!until_text.empty()) {
        until = parse_date(until_text);
        if (!until) return std::cerr << "brink backtest: --until: expected a date YYYY-MM-DD, found '" << until_text << "'\n", usage_error;
    }
    const std::optional<Inputs> in = load_inputs("backtest", c.scenario, c.overrides, c.timeline);
    if (!in) return usage_error;
    const Scenario& s = in->loaded.scenario;
    if (in->timeline.questions.empty()) return std::cerr << "brink backtest: " << c.timeline << " has no questions to score\n", usage_error;
    ConditionPlan plan = plan_of(c, s);
    std::optional<LoadedEnsemble> ensemble;
    if (!c.ensemble.empty() && !(ensemble = load_ensemble(c.ensemble, c.scenario, c.overrides, plan.seed))) return usage_error;
    if (ensemble) plan.ensemble = &ensemble->ensemble;
    HistoryRecord record = record_of("backtest", command_line, *in, c, plan);
    const std::string started = timestamp("%Y-%m-%dT%H:%M:%SZ");
    const auto t0 = std::chrono::steady_clock::now();
    Backtest bt;
    try {
        bt = backtest(s, in->timeline, plan, until);
    } catch (const std::exception& e) {
        return exit_code_for("backtest", e);
    }
    record.wall_seconds = seconds_since(t0);
    if (bt.scored.empty()) return std::cerr << "brink backtest: every question resolves on or before --until " << until_text << "; nothing to score\n", usage_error;
    if (!c.quiet) print_backtest(in->timeline, bt);
    const std::string dir = c.out.empty() ? "results/" + std::filesystem::path(c.scenario).stem().string() + "-backtest-" +
                                                timestamp("%Y%m%d-%H%M%S")
                                          : c.out;
    const int code = write_folder("backtest", dir, {{"backtest.csv", backtest_csv(bt.scored)},
                                                    {"scores.csv", means_csv(bt)},
                                                    {"backtest.json", backtest_json(bt)},
                                                    {"reliability.csv", reliability_csv(bt.scored)},
                                                    {"odds.csv", odds_csv(s, in->timeline, bt.as_of)},
                                                    {"stages.csv", stages_csv(bt.as_of)},
                                                    {"forecasts.csv", forecasts_csv(in->timeline)},
                                                    {"manifest.json", history_manifest(record, started, timestamp("%Y-%m-%dT%H:%M:%SZ"))}});
    if (code == ok) std::printf("\n%zu dates in %.2f s; results in: %s/\n", bt.as_of.size(), record.wall_seconds, dir.c_str());
    return code;
}

// ---------------------------------------------------------------- brink branch

/// Keeps a branch's rows in memory: a branch is written whole at the end.
class MemorySink final : public RunSink {
public:
    MemorySink(const Scenario& s, std::uint64_t seed) : s_(s), seed_(seed) {}
    void on_block(std::uint64_t, const std::vector<RunSlot>& slots, std::size_t count, const Aggregates&) override {
        for (std::size_t k = 0; k < count; ++k) {
            const RunSlot& slot = slots[k];
            if (slot.failed) errors += std::to_string(slot.result.run_id) + "," + std::to_string(seed_) + "," + csv_field(slot.error) + "\n";
            else append_run_row(rows, s_, slot.result, seed_);
        }
    }
    std::string rows, errors = "run_id,seed,error\n";

private:
    const Scenario& s_;
    std::uint64_t seed_;
};

/// The run `run` of `seed`, paused after tick `tick`; nullopt (with a message) if it ended before.
std::optional<RunSnapshot> paused_run(const Scenario& s, std::uint64_t seed, std::uint64_t run, int tick, const std::string& command) {
    WorkspaceHandle ws;
    RunSnapshot snapshot;
    start_snapshot(s, snapshot, ws);
    try {
        continue_run(s, snapshot, tick, seed, run, ws);
    } catch (const RunError& e) {
        std::cerr << "brink " << command << ": run " << run << " failed before tick " << tick << ": " << e.what() << "\n";
        return std::nullopt;
    }
    if (snapshot.ended || snapshot.tick < tick) {
        std::cerr << "brink " << command << ": run " << run << " (seed " << seed << ") ended in " << outcome_name(snapshot.result.outcome)
                  << " at tick " << snapshot.result.end_tick << ", before tick " << tick << "; pause it earlier\n";
        return std::nullopt;
    }
    return snapshot;
}

struct BranchOptions {
    std::string scenario, state, out;
    std::vector<std::string> overrides;
    std::optional<std::uint64_t> run, runs, seed, run_seed;
    std::optional<int> tick, threads;
    bool quiet = false;
};

int run_branch(const BranchOptions& o, const std::string& command_line) {
    const auto fail = [](const std::string& m) { return std::cerr << "brink branch: " << m << "\n", int{usage_error}; };
    if (o.state.empty() == !(o.run || o.tick)) return fail("give either --run ID --tick T (a run to branch from) or --state FILE");
    if (o.state.empty() && !(o.run && o.tick)) return fail("--run and --tick go together");
    const auto loaded = load_or_report(o.scenario, o.overrides);
    if (!loaded) return usage_error;
    const Scenario& s = loaded->scenario;
    if (o.tick && *o.tick >= s.horizon) return fail("--tick must be below the horizon (" + std::to_string(s.horizon) + "), found " + std::to_string(*o.tick));
    std::optional<RunSnapshot> from;
    std::string origin;
    if (!o.state.empty()) {
        try {
            from = load_state(o.state, s);
        } catch (const ScenarioError& e) {
            print_diagnostics(e);
            return usage_error;
        }
        origin = "state file " + o.state;
    } else {
        const std::uint64_t run_seed = o.run_seed.value_or(s.default_seed);
        from = paused_run(s, run_seed, *o.run, *o.tick, "branch");
        if (!from) return usage_error;
        origin = "run " + std::to_string(*o.run) + " of seed " + std::to_string(run_seed) + " after tick " + std::to_string(*o.tick);
    }
    BatchPlan plan;
    plan.runs = o.runs.value_or(s.default_runs);
    plan.seed = o.seed.value_or(s.default_seed);
    plan.threads = o.threads.value_or(0);
    plan.from = &*from;
    try {
        check_batch_memory(s, plan);
    } catch (const MemoryError& e) {
        return fail(e.what());
    }
    const std::string started = timestamp("%Y-%m-%dT%H:%M:%SZ");
    const auto t0 = std::chrono::steady_clock::now();
    Aggregates totals;
    totals.reset(s);
    MemorySink sink(s, plan.seed);
    install_signal_handlers();
    const BatchStatus status = run_batch(s, plan, 0, totals, sink, &stop_flag());
    if (status.reason == StopReason::interrupted) return std::cerr << "brink branch: interrupted; nothing written (a branch is written whole)\n", stop_exit_code();
    const double wall = seconds_since(t0);
    BatchRecord record;
    record.scenario_name = s.name;
    record.scenario_yaml = loaded->resolved_yaml;
    record.scenario_hash = loaded->hash;
    record.scenario_files = loaded->files;
    record.overrides = loaded->overrides;
    record.plan = plan;
    record.command_line = command_line;
    HistoryRecord manifest;
    manifest.kind = "branch";
    manifest.command = "branch from " + origin;
    manifest.command_line = command_line;
    manifest.scenario_name = s.name;
    manifest.scenario_hash = loaded->hash;
    manifest.scenario_files = loaded->files;
    manifest.plan.particles = plan.runs;
    manifest.plan.seed = plan.seed;
    manifest.threads = o.threads.value_or(omp_get_max_threads());
    manifest.wall_seconds = wall;
    const std::string dir = o.out.empty() ? "results/" + std::filesystem::path(o.scenario).stem().string() + "-branch-" + timestamp("%Y%m%d-%H%M%S") : o.out;
    const int code = write_folder("branch", dir, {{"runs.csv", runs_csv_header(s) + sink.rows},
                                                  {"errors.csv", sink.errors},
                                                  {"summary.csv", summary_csv(s, totals)},
                                                  {"summary.json", summary_json(s, totals, record, status)},
                                                  {"timeseries.csv", timeseries_csv(s, totals)},
                                                  {"scenario.yaml", loaded->resolved_yaml},
                                                  {"state.yaml", state_yaml(s, *from, "the state every branch starts from: " + origin)},
                                                  {"manifest.json", history_manifest(manifest, started, timestamp("%Y-%m-%dT%H:%M:%SZ"))}});
    if (code != ok) return code;
    if (!o.quiet) {
        std::printf("\n%s: %llu branches from %s (tick %d", s.name.c_str(), static_cast<unsigned long long>(totals.completed), origin.c_str(), from->tick);
        if (s.start_day) std::printf(", %s", format_date(tick_date(*s.start_day, s.tick_days, from->tick)).c_str());
        std::printf(", rung %s), seed %llu, %.2f s\n\n", s.ladder[static_cast<std::size_t>(from->rung)].id.c_str(),
                    static_cast<unsigned long long>(plan.seed), wall);
        for (int k = 0; k < kOutcomeCount; ++k) {
            const Interval ci = wilson(totals.outcomes[static_cast<std::size_t>(k)], totals.completed);
            std::printf("  %-15s %7s  [%s, %s]\n", outcome_label(static_cast<Outcome>(k)), percent(ci.estimate).c_str(), percent(ci.low).c_str(),
                        percent(ci.high).c_str());
        }
        if (totals.failed) std::printf("\n  %llu run(s) failed; see errors.csv\n", static_cast<unsigned long long>(totals.failed));
    }
    std::printf("results in: %s/\n", dir.c_str());
    return totals.failed > 0 ? runtime_failure : ok;
}

}  // namespace

int save_state_file(const Scenario& s, std::uint64_t seed, std::uint64_t run, int tick, const std::string& path) {
    if (tick >= s.horizon) return std::cerr << "brink trace: --tick must be below the horizon (" << s.horizon << ")\n", usage_error;
    const std::optional<RunSnapshot> snapshot = paused_run(s, seed, run, tick, "trace");
    if (!snapshot) return usage_error;
    try {
        write_file_atomically(path, state_yaml(s, *snapshot, "run " + std::to_string(run) + " of seed " + std::to_string(seed) + " after tick " + std::to_string(tick)));
    } catch (const OutputError& e) {
        return std::cerr << "brink trace: " << e.what() << "\n", io_error;
    }
    std::fprintf(stderr, "state after tick %d written to %s\n", tick, path.c_str());
    return ok;
}

Command add_branch_command(CLI::App& app, const std::string& command_line) {
    auto o = std::make_shared<BranchOptions>();
    CLI::App* cmd = app.add_subcommand("branch", "Continue many runs from a mid-crisis state (a run at a tick, or a state file)");
    cmd->add_option("scenario", o->scenario, "Scenario file (YAML)")->required();
    add_integer_option(cmd, "--run", o->run, 0, kMaxSeed, "The run to branch from (its id, as in runs.csv)");
    add_integer_option(cmd, "--tick", o->tick, 0, 100000, "... after this tick");
    add_integer_option(cmd, "--run-seed", o->run_seed, 0, kMaxSeed, "The master seed of that run (default: the scenario's run.seed)");
    cmd->add_option("--state", o->state, "Branch from this state file (brink trace --save-state writes one)");
    add_integer_option(cmd, "--runs", o->runs, 1, kMaxRuns, "Number of branches (default: the scenario's run.runs)");
    add_integer_option(cmd, "--seed", o->seed, 0, kMaxSeed, "Master seed of the branches' streams (default: the scenario's run.seed)");
    add_integer_option(cmd, "--threads", o->threads, 1, kMaxThreads, "Threads (omit for all cores); the results do not depend on it");
    cmd->add_option("--out", o->out, "Output folder (default results/<scenario>-branch-<time>); must not hold files");
    cmd->add_option("--set", o->overrides, "Override a scenario field: path=value (repeatable)");
    cmd->add_flag("--quiet", o->quiet, "Print only the folder");
    return Command{cmd, [o, command_line] { return run_branch(*o, command_line); }};
}

namespace {

void add_common(CLI::App* cmd, Common& c, const char* runs_flag) {
    add_integer_option(cmd, runs_flag, c.particles, 1, 100000000, "Runs carried through the conditioning (default: the scenario's run.runs)");
    add_integer_option(cmd, "--seed", c.seed, 0, kMaxSeed, "Master seed (default: the scenario's run.seed)");
    add_integer_option(cmd, "--threads", c.threads, 1, kMaxThreads, "Threads (omit for all cores); the results do not depend on it");
    add_integer_option(cmd, "--ess-floor", c.ess_floor, 1, 100000000,
                       "Survivors each observation stage must keep before resampling (default: a quarter of the runs)");
}

}  // namespace

GivenOptions add_given_options(CLI::App* run) {
    auto g = std::make_shared<GivenState>();
    run->add_option("--given", g->timeline, "Condition on a timeline's observations (docs/timelines.md)");
    run->add_option("--as-of", g->as_of, "With --given: a date, dates a,b,c or a series FROM:TO:STEP (7d, 2w)");
    add_integer_option(run, "--ess-floor", g->ess_floor, 1, 100000000,
                       "With --given: survivors each observation stage must keep before resampling (default: a quarter of the runs)");
    return g;
}

int run_given_command(const GivenState& g, const GivenRunInputs& r, const std::string& command_line) {
    if (g.as_of.empty()) return std::cerr << "brink run: --given needs --as-of DATE (or a list or series of dates)\n", usage_error;
    Common c;
    c.scenario = r.scenario;
    c.timeline = g.timeline;
    c.out = r.out;
    c.overrides = r.overrides;
    c.particles = r.runs;
    c.seed = r.seed;
    c.threads = r.threads;
    c.ess_floor = g.ess_floor;
    c.quiet = r.quiet;
    c.ensemble = r.ensemble;
    return run_given(c, g.as_of, command_line);
}

Command add_backtest_command(CLI::App& app, const std::string& command_line) {
    auto c = std::make_shared<Common>();
    auto until = std::make_shared<std::string>();
    CLI::App* cmd = app.add_subcommand("backtest", "Score the model's odds for a timeline's questions against what happened");
    cmd->add_option("scenario", c->scenario, "Scenario file (YAML, with run.start_date)")->required();
    cmd->add_option("timeline", c->timeline, "Timeline file (YAML, docs/timelines.md)")->required();
    add_common(cmd, *c, "--runs");
    cmd->add_option("--until", *until, "Score only the questions that resolve after this date (out of sample)");
    cmd->add_option("--ensemble", c->ensemble, "A calibration's posterior.csv: each run plays a parameter set drawn from it");
    cmd->add_option("--out", c->out, "Output folder (default results/<scenario>-backtest-<time>); must not hold files");
    cmd->add_option("--set", c->overrides, "Override a scenario field: path=value (repeatable)");
    cmd->add_flag("--quiet", c->quiet, "Print nothing but errors and the folder");
    return Command{cmd, [c, until, command_line] { return run_backtest(*c, *until, command_line); }};
}

}  // namespace brink::cli
