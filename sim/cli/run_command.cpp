// brink run: the Monte Carlo driver's front end.
#include <omp.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <sstream>

#include "brink/engine.hpp"
#include "brink/output.hpp"
#include "brink/stats.hpp"
#include "brink/trace.hpp"
#include "common.hpp"
#include "latest.hpp"

namespace brink::cli {

namespace {

struct RunOptions {
    std::string scenario;
    std::string resume;
    std::string out;
    std::vector<std::string> overrides;
    std::optional<std::uint64_t> runs;  // empty: not given (the scenario's run.runs)
    std::optional<std::uint64_t> seed;  // empty: the scenario's run.seed
    std::optional<int> threads;  // empty: all cores
    double precision = 0.0;
    std::optional<std::uint64_t> block_size;  // empty: 4096
    bool quiet = false;
    std::string record;       // "events": write events.csv
    std::string record_runs;  // which runs' events: "0-99,250" (empty: all)
    std::string ensemble;     // a calibration's posterior.csv: a parameter set per run
    bool latest = false;        // --resume --latest: the folder results/latest names
};

/// Run-id ranges [first, last] of --record-runs ("0-99,250,1000-"); nullopt on a bad list.
std::optional<std::vector<std::pair<std::uint64_t, std::uint64_t>>> parse_run_list(const std::string& text, std::string& error) {
    std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges;
    if (text.empty()) return ranges.push_back({0, UINT64_MAX}), ranges;
    std::size_t begin = 0;
    while (begin <= text.size()) {
        const std::size_t end = std::min(text.find(',', begin), text.size());
        const std::string part = text.substr(begin, end - begin);
        const std::size_t dash = part.find('-');
        std::string why;
        const auto low = parse_integer(part.substr(0, dash), "--record-runs", 0, kMaxSeed, why);
        const auto high = dash == std::string::npos ? low
                          : dash + 1 == part.size() ? std::optional<std::uint64_t>(UINT64_MAX)
                                                    : parse_integer(part.substr(dash + 1), "--record-runs", 0, kMaxSeed, why);
        if (!low || !high || *high < *low) {
            error = "--record-runs: expected run ids and ranges like 0-99,250,1000- (ascending ranges), found '" + part + "' in '" + text + "'";
            return std::nullopt;
        }
        ranges.push_back({*low, *high});
        begin = end + 1;
    }
    return ranges;
}

/// events.csv: the chosen runs replayed with full detail, in run-id order, in parallel
/// blocks, streamed to a temporary file that is renamed into place when complete.
void write_events(const Scenario& s, const std::string& dir, std::uint64_t seed, std::uint64_t runs, int threads,
                  const std::vector<std::pair<std::uint64_t, std::uint64_t>>& ranges) {
    std::vector<std::uint64_t> ids;
    AtomicStream file((std::filesystem::path(dir) / "events.csv").string());
    file.append(events_csv_header());
    std::vector<std::unique_ptr<WorkspaceHandle>> workspaces;
    for (int t = 0; t < threads; ++t) workspaces.push_back(std::make_unique<WorkspaceHandle>());
    constexpr std::uint64_t kBlock = 4096;
    std::vector<std::string> rows(kBlock);
    for (const auto& [low, high] : ranges)
        for (std::uint64_t first = low; first < runs && first <= high; first += kBlock) {
            const std::uint64_t last = std::min({high, runs - 1, first + kBlock - 1});
            const auto n = static_cast<std::int64_t>(last - first + 1);
#pragma omp parallel for schedule(dynamic, 16) num_threads(threads)
            for (std::int64_t k = 0; k < n; ++k) {
                std::string& out = rows[static_cast<std::size_t>(k)];
                out.clear();
                try {
                    append_run_events(out, s, first + static_cast<std::uint64_t>(k), seed, *workspaces[static_cast<std::size_t>(omp_get_thread_num())]);
                } catch (const RunError&) {
                    out.clear();  // a failed run has no events: it is in errors.csv
                }
            }
            for (std::int64_t k = 0; k < n; ++k) file.append(rows[static_cast<std::size_t>(k)]);
            if (last == UINT64_MAX) break;
        }
    file.commit();
}

/// Prints the outcome table a person reads first.
void print_result(const Scenario& s, const Aggregates& a, const BatchRecord& record, const BatchStatus& status,
                  const std::string& dir, double wall, int threads) {
    std::printf("\n%s\n", s.name.c_str());
    if (!record.overrides.empty()) {  // a --set run must not read as the plain scenario
        std::string with;
        for (const std::string& o : record.overrides) with += (with.empty() ? "" : ", ") + o;
        std::printf("with --set %s\n", with.c_str());
    }
    std::printf("%llu runs, seed %llu, %d thread%s, %.2f s\n", static_cast<unsigned long long>(a.completed),
                static_cast<unsigned long long>(record.plan.seed), threads, threads == 1 ? "" : "s", wall);
    std::printf("\n  %-15s %11s   %-17s  %s\n", "outcome", "probability", "95% interval", "median time to outcome");
    for (int k = 0; k < kOutcomeCount; ++k) {
        const auto kk = static_cast<std::size_t>(k);
        const Interval ci = wilson(a.outcomes[kk], a.completed);
        const int median = histogram_quantile(a.end_tick[kk], 0.5);
        std::string when = "-";
        if (median >= 0) {
            std::ostringstream w;
            w << median << " ticks (" << static_cast<long>(median * s.tick_days + 0.5) << " days)";
            when = w.str();
        }
        const std::string interval = "[" + percent(ci.low) + ", " + percent(ci.high) + "]";
        std::printf("  %-15s %11s   %-17s  %s\n", outcome_label(static_cast<Outcome>(k)), percent(ci.estimate).c_str(), interval.c_str(), when.c_str());
    }
    if (a.failed > 0) std::printf("\n  %llu run(s) failed; see errors.csv\n", static_cast<unsigned long long>(a.failed));
    std::printf("\nstopped by: %s\nresults in: %s/\n", stop_reason_name(status.reason), dir.c_str());
}

/// ensemble.csv (the members, their weights, runs and outcomes) and uncertainty.csv
/// (each outcome's odds with Monte Carlo and parameter uncertainty apart); printed too.
void write_ensemble_files(const LoadedEnsemble& e, const Aggregates& a, const std::string& dir, bool quiet) {
    // appended cell by cell: GCC 12 warns falsely (-Wrestrict) on long + chains
    std::string members = "parameter_set,weight";
    const auto cell = [](std::string& row, const std::string& text) { row.append(",").append(text); };
    for (const std::string& p : e.paths) cell(members, csv_field(p));
    cell(members, "runs");
    for (int k = 0; k < kOutcomeCount; ++k) cell(members, outcome_name(static_cast<Outcome>(k)));
    members.push_back('\n');
    std::array<std::vector<std::uint64_t>, kOutcomeCount> hits;
    std::vector<std::uint64_t> runs(e.values.size(), 0);
    for (std::size_t j = 0; j < e.values.size(); ++j) {
        members.append(std::to_string(j));
        cell(members, format_double(e.weights[j]));
        for (const double x : e.values[j]) cell(members, format_double(x));
        for (int k = 0; k < kOutcomeCount; ++k) runs[j] += a.set_outcomes[j * kOutcomeCount + static_cast<std::size_t>(k)];
        cell(members, std::to_string(runs[j]));
        for (int k = 0; k < kOutcomeCount; ++k) {
            const std::uint64_t c = a.set_outcomes[j * kOutcomeCount + static_cast<std::size_t>(k)];
            hits[static_cast<std::size_t>(k)].push_back(c);
            cell(members, std::to_string(c));
        }
        members.push_back('\n');
    }
    std::string table = "outcome,probability,mc_low,mc_high,parameter_sd,parameter_low,parameter_high,parameter_sets\n";
    if (!quiet) std::printf("\n  with parameter uncertainty (%zu parameter sets from the posterior)\n  %-15s %11s   %-17s %-13s %s\n", e.values.size(),
                            "outcome", "probability", "Monte Carlo 95%", "parameter sd", "over the parameters (90%)");
    for (int k = 0; k < kOutcomeCount; ++k) {
        const ParameterSpread p = parameter_spread(runs, hits[static_cast<std::size_t>(k)]);
        table.append(outcome_name(static_cast<Outcome>(k)));
        for (const double x : {p.probability, p.monte_carlo.low, p.monte_carlo.high, p.parameter_sd, p.parameter.low, p.parameter.high})
            cell(table, format_double(x));
        cell(table, std::to_string(p.sets));
        table.push_back('\n');
        if (!quiet)
            std::printf("  %-15s %11s   [%s, %s]  %-13s [%s, %s]\n", outcome_label(static_cast<Outcome>(k)), percent(p.probability).c_str(),
                        percent(p.monte_carlo.low).c_str(), percent(p.monte_carlo.high).c_str(), percent(p.parameter_sd).c_str(),
                        percent(p.parameter.low).c_str(), percent(p.parameter.high).c_str());
    }
    write_file_atomically((std::filesystem::path(dir) / "ensemble.csv").string(), members);
    write_file_atomically((std::filesystem::path(dir) / "uncertainty.csv").string(), table);
}

int run_command(const RunOptions& o, const std::string& command_line) {
    if (!o.resume.empty() && std::filesystem::exists(std::filesystem::path(o.resume) / "ensemble.csv"))
        return std::cerr << "brink run: " << o.resume << " holds ensemble runs (--ensemble), which cannot be resumed yet: run them again\n",
               int{usage_error};
    // Scenario and record: from the file, or from the interrupted folder.
    BatchRecord record;
    LoadedScenario loaded;
    try {
        if (!o.resume.empty()) {
            record = ResultFolder::read_record(o.resume);
            loaded = load_scenario_text(record.scenario_yaml, (std::filesystem::path(o.resume) / "scenario.yaml").string());
            if (loaded.hash != record.scenario_hash) throw OutputError("the checkpoint in " + o.resume + " is damaged: its scenario does not match its recorded hash");
        } else {
            loaded = load_scenario(o.scenario, o.overrides);
        }
    } catch (const ScenarioError& e) {
        print_diagnostics(e);
        return usage_error;
    } catch (const OutputError& e) {
        std::cerr << "brink run: " << e.what() << "\n";
        return usage_error;
    }
    const Scenario& s = loaded.scenario;
    if (o.resume.empty()) {
        record.scenario_name = s.name;
        record.scenario_yaml = loaded.resolved_yaml;
        record.scenario_hash = loaded.hash;
        record.scenario_files = loaded.files;
        record.overrides = loaded.overrides;
        record.plan.runs = o.runs.value_or(s.default_runs);
        record.plan.seed = o.seed.value_or(s.default_seed);
        record.plan.precision = o.precision;
        record.plan.block_size = o.block_size.value_or(4096);
        record.command_line = command_line;
    }
    std::optional<LoadedEnsemble> ensemble;
    if (!o.ensemble.empty()) {
        ensemble = load_ensemble(o.ensemble, o.scenario, o.overrides, record.plan.seed);
        if (!ensemble) return usage_error;
        record.plan.ensemble = &ensemble->ensemble;
    }
    record.plan.threads = o.threads.value_or(0);
    const int threads = o.threads.value_or(omp_get_max_threads());
    try {
        check_batch_memory(s, record.plan);  // before the folder or any aggregate exists
    } catch (const MemoryError& e) {
        std::cerr << "brink run: " << e.what() << "\n";
        return usage_error;
    }

    std::string dir = o.resume.empty() ? o.out : o.resume;
    if (dir.empty()) dir = "results/" + std::filesystem::path(o.scenario).stem().string() + "-" + timestamp("%Y%m%d-%H%M%S");

    std::unique_ptr<ResultFolder> folder;
    Aggregates totals;
    std::uint64_t start = 0;
    try {
        if (o.resume.empty()) {
            totals.reset(s);
            folder = ResultFolder::create(dir, s, record);
        } else {
            folder = ResultFolder::resume(dir, s, record, totals, start);
        }
    } catch (const FolderBusy& e) {
        std::cerr << "brink run: " << e.what() << "\n";
        return folder_busy;
    } catch (const IoError& e) {
        std::cerr << "brink run: " << e.what() << "\n";
        return io_error;
    } catch (const OutputError& e) {
        std::cerr << "brink run: " << e.what() << "\n";
        return usage_error;
    }
    point_latest_at("run", folder->dir());  // from here on the folder resumes

    install_signal_handlers();
    const bool tty = is_terminal(STDERR_FILENO);
    const auto t0 = std::chrono::steady_clock::now();
    const std::string started = timestamp("%Y-%m-%dT%H:%M:%SZ");
    const auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
    const std::uint64_t resumed_from = start;
    std::function<void(const Progress&)> progress;
    if (tty && !o.quiet) {
        progress = [&](const Progress& p) {
            const double t = elapsed();
            const double rate = t > 0 ? static_cast<double>(p.done - resumed_from) / t : 0.0;
            const double eta = rate > 0 ? static_cast<double>(p.total - p.done) / rate : 0.0;
            std::fprintf(stderr, "\r  %llu / %llu runs  %.0f runs/s  elapsed %s  ETA %s   ",
                         static_cast<unsigned long long>(p.done), static_cast<unsigned long long>(p.total), rate,
                         clock_text(t).c_str(), clock_text(eta).c_str());
        };
    }

    BatchStatus status;
    try {
        status = run_batch(s, record.plan, start, totals, *folder, &stop_flag(), progress);
        const bool complete = status.reason != StopReason::interrupted;
        const double wall = elapsed();
        // Before finish(): until the folder is complete it keeps its checkpoint, so a failure
        // here leaves a folder that --resume --record events completes.
        if (complete && o.record == "events") {
            std::string error;
            write_events(s, folder->dir(), record.plan.seed, status.next_run, threads, *parse_run_list(o.record_runs, error));
        }
        if (complete && ensemble) write_ensemble_files(*ensemble, totals, folder->dir(), true);
        folder->finish(totals, status, complete, wall, started, timestamp("%Y-%m-%dT%H:%M:%SZ"), threads);
        if (!o.quiet) {
            if (tty) std::fprintf(stderr, "\n");
            std::fprintf(stderr, "%s %llu runs in %.2f s (%.0f runs/s)\n", complete ? "done:" : "interrupted after",
                         static_cast<unsigned long long>(status.next_run - resumed_from), wall,
                         wall > 0 ? static_cast<double>(status.next_run - resumed_from) / wall : 0.0);
        }
        print_result(s, totals, record, status, folder->dir(), wall, threads);
        if (complete && ensemble && !o.quiet) write_ensemble_files(*ensemble, totals, folder->dir(), false);
        if (!complete) {
            std::printf("interrupted: resume with  brink run --resume %s\n", folder->dir().c_str());
            return stop_exit_code();
        }
    } catch (const OutputError& e) {
        // The checkpoint and the rows up to it are on disk: nothing before them is lost.
        std::cerr << "\nbrink run: " << e.what() << "\nbrink run: the results up to the last checkpoint are kept; once the problem is fixed, "
                  << "continue with  brink run --resume " << folder->dir() << "\n";
        return io_error;
    } catch (const std::exception& e) {
        std::cerr << "\nbrink run: " << e.what() << "\n";
        return runtime_failure;
    }
    return totals.failed > 0 ? runtime_failure : ok;
}


/// Flag checks CLI11 2.1 does not do reliably itself; each message names the flag and the value.
int check_options(const RunOptions& run) {
    const auto fail = [](const std::string& message) {
        std::cerr << "brink run: " << message << "\n";
        return usage_error;
    };
    if (run.resume.empty() == run.scenario.empty())
        return fail(run.resume.empty() ? "give a scenario file, or --resume DIR" : "give either a scenario file or --resume DIR, not both");
    if (!run.resume.empty() && (run.runs || run.seed || !run.overrides.empty() || run.precision != 0.0 || !run.out.empty() ||
                                run.block_size))
        return fail("--resume continues a batch as it was started; --runs, --seed, --set, --precision, --block-size and --out cannot change it");
    if (!(run.precision >= 0.0 && run.precision < 0.5)) return fail("--precision must be in [0, 0.5) (0: off), found " + std::to_string(run.precision));
    if (!run.record.empty() && run.record != "events") return fail("--record takes 'events', found '" + run.record + "'");
    if (run.record.empty() && !run.record_runs.empty()) return fail("--record-runs goes with --record events");
    std::string error;
    if (!parse_run_list(run.record_runs, error)) return fail(error);
    if (!run.ensemble.empty() && (!run.resume.empty() || !run.record.empty() || run.precision != 0.0))
        return fail("--ensemble cannot be combined with --resume, --record or --precision");
    return ok;
}

}  // namespace

Command add_run_command(CLI::App& app, const std::string& command_line) {
    auto o = std::make_shared<RunOptions>();
    CLI::App* cmd = app.add_subcommand("run", "Monte Carlo: many runs of a scenario, odds with 95% intervals, CSV results");
    cmd->add_option("scenario", o->scenario, "Scenario file (YAML)");
    add_integer_option(cmd, "--runs", o->runs, 1, kMaxRuns, "Number of runs (the cap with --precision); default from the scenario");
    add_integer_option(cmd, "--seed", o->seed, 0, kMaxSeed, "Master seed (0 to 2^64-1); default from the scenario");
    add_integer_option(cmd, "--threads", o->threads, 1, kMaxThreads, "Threads, 1 to 4096 (omit for all cores)");
    cmd->add_option("--out", o->out, "Output folder (default results/<scenario>-<time>); must not hold files");
    cmd->add_option("--set", o->overrides, "Override a scenario field: path=value (repeatable)");
    cmd->add_option("--precision", o->precision, "Stop when every outcome's 95% half-width is below this");
    add_integer_option(cmd, "--block-size", o->block_size, 1, 1000000, "Runs per block (flush and stopping granularity; default 4096)");
    cmd->add_option("--resume", o->resume, "Continue an interrupted batch in this folder (--resume --latest: in results/latest)")->expected(0, 1);
    add_latest_flag(cmd, o->latest, nullptr, "With --resume: continue the folder results/latest names");
    cmd->add_flag("--quiet", o->quiet, "No progress line");
    cmd->add_option("--record", o->record, "events: also write events.csv, every move, misread, event and rung change (give it again with --resume)");
    cmd->add_option("--record-runs", o->record_runs, "With --record events: only these runs, e.g. 0-99,250 (default all)");
    cmd->add_option("--ensemble", o->ensemble, "A calibration's posterior.csv: each run plays a parameter set drawn from it (odds with parameter uncertainty)");
    const GivenOptions given = add_given_options(cmd);
    CLI::Option* resume = cmd->get_option("--resume");
    return Command{cmd, [o, given, command_line, resume] {
                       if (const int code = resume_folder("run", resume->count() > 0, o->latest, o->resume); code != ok) return code;
                       if (const int code = check_options(*o); code != ok) return code;
                       if (!given->timeline.empty() || !given->as_of.empty() || given->ess_floor) {
                           if (given->timeline.empty()) return std::cerr << "brink run: --as-of and --ess-floor go with --given TIMELINE\n", int{usage_error};
                           if (!o->resume.empty() || o->precision != 0.0 || o->block_size)
                               return std::cerr << "brink run: --given cannot be combined with --resume, --precision or --block-size\n", int{usage_error};
                           return run_given_command(*given, GivenRunInputs{o->scenario, o->out, o->overrides, o->runs, o->seed, o->threads, o->quiet, o->ensemble},
                                                    command_line);
                       }
                       return run_command(*o, command_line);
                   }};
}

}  // namespace brink::cli
