// brink sweep, brink compare, brink sensitivity: experiments as first-class commands.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <algorithm>
#include <map>
#include <new>
#include <optional>

#include "brink/output.hpp"
#include "brink/study.hpp"
#include "common.hpp"
#include "latest.hpp"

namespace brink::cli {

namespace fs = std::filesystem;

namespace {

/// Flags every experiment shares.
struct CommonFlags {
    std::optional<std::uint64_t> runs;  // empty: not given
    std::optional<std::uint64_t> seed;  // empty: the scenario's run.seed
    std::optional<int> threads;  // empty: all cores
    std::string out;
    std::vector<std::string> overrides;
    bool quiet = false;

    void add_to(CLI::App* cmd, const char* runs_help) {
        add_integer_option(cmd, "--runs", runs, 1, kMaxRuns, runs_help);
        add_integer_option(cmd, "--seed", seed, 0, kMaxSeed, "Master seed, shared by every point (common random numbers)");
        add_integer_option(cmd, "--threads", threads, 1, kMaxThreads, "Threads, 1 to 4096 (omit for all cores)");
        cmd->add_option("--out", out, "Output folder (default results/<name>-<time>); must not hold files");
        cmd->add_option("--set", overrides, "Override a scenario field for every point: path=value (repeatable)");
        cmd->add_flag("--quiet", quiet, "No progress line");
    }

    /// Options for the library, or an error message.
    std::string to_options(StudyOptions& o, const std::string& command_line) const {
        o.seed = seed.value_or(0);
        o.seed_given = seed.has_value();
        o.runs = runs.value_or(0);
        o.threads = threads.value_or(0);
        o.command_line = command_line;
        o.stop = &stop_flag();
        if (!quiet && is_terminal(STDERR_FILENO)) {
            const auto t0 = std::chrono::steady_clock::now();
            o.progress = [t0](std::uint64_t done, std::uint64_t total) {
                const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
                const double rate = t > 0 ? static_cast<double>(done) / t : 0.0;
                const double eta = rate > 0 ? static_cast<double>(total - done) / rate : 0.0;
                std::fprintf(stderr, "\r  %llu / %llu runs  %.0f runs/s  elapsed %s  ETA %s   ", static_cast<unsigned long long>(done),
                             static_cast<unsigned long long>(total), rate, clock_text(t).c_str(), clock_text(eta).c_str());
            };
        }
        return "";
    }

    std::string folder(const std::string& kind, const std::string& name) const {
        return out.empty() ? "results/" + kind + "-" + fs::path(name).stem().string() + "-" + timestamp("%Y%m%d-%H%M%S") : out;
    }
};

int usage(const char* command, const std::string& message) {
    std::cerr << "brink " << command << ": " << message << "\n";
    return usage_error;
}

/// Runs `body`, mapping the library's exceptions to messages and exit codes.
template <typename Body>
int guarded(const char* command, Body body) {
    try {
        return body();
    } catch (const ScenarioError& e) {
        print_diagnostics(e);
        return usage_error;
    } catch (const Interrupted& e) {
        std::cerr << "\nbrink " << command << ": " << e.what() << "\n";
        return stop_exit_code();
    } catch (const ExperimentError& e) {
        return usage(command, e.what());
    } catch (const FolderBusy& e) {
        std::cerr << "brink " << command << ": " << e.what() << "\n";
        return folder_busy;
    } catch (const IoError& e) {
        std::cerr << "\nbrink " << command << ": " << e.what() << "\n";
        return io_error;
    } catch (const OutputError& e) {
        return usage(command, e.what());
    } catch (const MemoryError& e) {
        return usage(command, e.what());
    } catch (const std::bad_alloc&) {
        throw;  // main's message
    } catch (const std::exception& e) {
        std::cerr << "brink " << command << ": " << e.what() << "\n";
        return runtime_failure;
    }
}

void end_progress(const StudyOptions& o) {
    if (o.progress) std::fprintf(stderr, "\n");
}


/// Parameters ranked by Sobol total index (or Morris mu* when Sobol was not run).
void print_sensitivity(const SensitivityResult& r, const std::string& outcome) {
    struct Estimate { double value, low, high; };
    struct Line { std::optional<Estimate> st, s1; std::optional<double> mu, sigma; };
    std::vector<std::pair<std::string, Line>> lines;
    for (const SensitivityRow& row : r.rows) {
        auto it = std::find_if(lines.begin(), lines.end(), [&](const auto& l) { return l.first == row.parameter; });
        if (it == lines.end()) it = lines.insert(lines.end(), {row.parameter, Line{}});
        Line& l = it->second;
        const IndexEstimate& e = row.estimate;
        if (row.index == "ST") l.st = Estimate{e.value, e.low, e.high};
        if (row.index == "S1") l.s1 = Estimate{e.value, e.low, e.high};
        if (row.index == "mu_star") l.mu = e.value;
        if (row.index == "sigma") l.sigma = e.value;
    }
    const auto key = [](const Line& l) { return std::pair(l.st ? l.st->value : -1e300, l.mu.value_or(-1e300)); };
    std::stable_sort(lines.begin(), lines.end(), [&](const auto& a, const auto& b) { return key(a.second) > key(b.second); });
    std::printf("\nsensitivity of P(%s), parameters ranked by importance\n\n", outcome.c_str());
    std::printf("  %-40s %-24s %-24s %9s %9s\n", "parameter", "Sobol total ST [95%]", "Sobol first S1 [95%]", "Morris mu*", "sigma");
    const auto interval = [](const std::optional<Estimate>& e) {
        char text[64] = "-";  // "-": that method was not run
        if (e) std::snprintf(text, sizeof text, "%.3f [%.3f, %.3f]", e->value, e->low, e->high);
        return std::string(text);
    };
    const auto number = [](const std::optional<double>& x) {
        char text[32] = "-";
        if (x) std::snprintf(text, sizeof text, "%.4f", *x);
        return std::string(text);
    };
    bool noisy = false;  // an index outside [0, 1], or S1 above ST: estimator noise, not a property of the model
    for (const auto& [name, l] : lines) {
        std::printf("  %-40s %-24s %-24s %9s %9s\n", name.c_str(), interval(l.st).c_str(), interval(l.s1).c_str(),
                    number(l.mu).c_str(), number(l.sigma).c_str());
        for (const auto& e : {l.st, l.s1}) noisy = noisy || (e && (e->value < 0 || e->value > 1));
        noisy = noisy || (l.st && l.s1 && l.s1->value > l.st->value);
    }
    if (noisy)
        std::printf("\n  Some Sobol estimates fall outside [0, 1] or have S1 above ST: that is the estimators' noise at this\n"
                    "  design size (true indices satisfy 0 <= S1 <= ST <= 1). Read the intervals; for firmer indices raise\n"
                    "  --samples (and --runs).\n");
}

}  // namespace

Command add_sweep_command(CLI::App& app, const std::string& command_line) {
    struct Options {
        CommonFlags common;
        std::string scenario, resume;
        std::vector<std::string> vary;
        std::optional<int> sample;  // empty: the full grid
        std::string method = "lhs";
        bool latest = false;
    };
    auto o = std::make_shared<Options>();
    CLI::App* cmd = app.add_subcommand("sweep", "Run the Monte Carlo at every point of a parameter grid or Latin hypercube");
    cmd->add_option("scenario", o->scenario, "Scenario file (YAML)");
    cmd->add_option("--vary", o->vary, "path=a,b,c or path=lo:hi:count (grid), or path=lo:hi with --sample (repeatable)");
    add_integer_option(cmd, "--sample", o->sample, 1, kMaxExperimentPoints, "Latin hypercube sample size instead of the full grid");
    cmd->add_option("--method", o->method, "Sampling method for --sample (lhs)");
    CLI::Option* resume = cmd->add_option("--resume", o->resume, "Continue an interrupted sweep in this folder (--resume --latest: in results/latest)")
                              ->expected(0, 1);
    add_latest_flag(cmd, o->latest, nullptr, "With --resume: continue the folder results/latest names");
    o->common.add_to(cmd, "Runs per point (default: the scenario's run.runs)");
    return Command{cmd, [o, command_line, resume] {
        return guarded("sweep", [&] {
            if (const int code = resume_folder("sweep", resume->count() > 0, o->latest, o->resume); code != ok) return code;
            StudyOptions options;
            if (const std::string e = o->common.to_options(options, command_line); !e.empty()) return usage("sweep", e);
            options.folder_ready = [](const std::string& dir) { point_latest_at("sweep", dir); };
            if (o->resume.empty() == o->scenario.empty()) return usage("sweep", "give a scenario file, or --resume DIR");
            if (!o->resume.empty() && (!o->vary.empty() || o->sample || o->common.runs || o->common.seed ||
                                       !o->common.overrides.empty() || !o->common.out.empty()))
                return usage("sweep", "--resume continues a sweep as it was started; --vary, --sample, --runs, --seed, --set and --out cannot change it");
            if (o->method != "lhs") return usage("sweep", "--method must be lhs, found '" + o->method + "'");
            install_signal_handlers();
            SweepStatus status;
            std::string dir = o->resume;
            try {
                if (!o->resume.empty()) {
                    status = resume_sweep(dir, options);
                } else {
                    SweepPlan plan;
                    if (o->vary.empty()) {
                        plan = sweep_plan_from_scenario(o->scenario, o->common.overrides);
                    } else {
                        plan.scenario_file = o->scenario;
                        plan.overrides = o->common.overrides;
                        plan.samples = o->sample.value_or(0);
                        for (const std::string& v : o->vary) plan.axes.push_back(parse_axis(v, o->sample.has_value()));
                    }
                    dir = o->common.folder("sweep", o->scenario);
                    status = run_sweep(plan, dir, options);
                }
            } catch (const IoError& e) {
                // Points finished so far are kept once the sweep's plan is on disk.
                const bool resumable = fs::exists(fs::path(dir) / "sweep-plan.txt");
                throw IoError(std::string(e.what()) + "\nbrink sweep: " +
                              (resumable ? "the points finished so far are kept; once the problem is fixed, continue with  brink sweep --resume " + dir
                                         : "nothing was run; once the problem is fixed, remove " + dir + " and start again"));
            }
            end_progress(options);
            std::printf("sweep: %zu of %zu points done%s\nresults in: %s/ (sweep.csv; points/NNNN/ holds each point's run folder)\n",
                        status.points_done, status.points, status.interrupted ? " (interrupted)" : "", dir.c_str());
            if (status.interrupted) {
                std::printf("interrupted: resume with  brink sweep --resume %s\n", dir.c_str());
                return stop_exit_code();
            }
            return status.failed_runs > 0 ? static_cast<int>(runtime_failure) : static_cast<int>(ok);
        });
    }};
}

Command add_compare_command(CLI::App& app, const std::string& command_line) {
    struct Options {
        CommonFlags common;
        std::string a, b;
        bool latest = false;
    };
    auto o = std::make_shared<Options>();
    CLI::App* cmd = app.add_subcommand("compare", "Paired comparison of two scenarios (or two result folders) under common random numbers");
    cmd->add_option("a", o->a, "Scenario file or result folder A")->required();
    CLI::Option* b = cmd->add_option("b", o->b, "Scenario file or result folder B");
    add_latest_flag(cmd, o->latest, b, "B is the folder results/latest names (brink compare OLD_FOLDER --latest)");
    o->common.add_to(cmd, "Runs of each scenario (default: A's run.runs)");
    return Command{cmd, [o, command_line] {
        return guarded("compare", [&] {
            if (const int code = take_latest("compare", o->latest, o->b); code != ok) return code;
            if (o->b.empty()) return usage("compare", "give B (a scenario file or a result folder), or --latest");
            StudyOptions options;
            if (const std::string e = o->common.to_options(options, command_line); !e.empty()) return usage("compare", e);
            const bool folders = fs::is_directory(o->a) && fs::is_directory(o->b);
            if (!folders && (fs::is_directory(o->a) || fs::is_directory(o->b)))
                return usage("compare", "give two scenario files or two result folders, not one of each");
            const std::string dir = o->common.folder("compare", fs::path(o->a).stem().string() + "-vs-" + fs::path(o->b).stem().string());
            install_signal_handlers();
            Comparison c;
            if (folders) {
                if (o->common.runs || o->common.seed || !o->common.overrides.empty())
                    return usage("compare", "--runs, --seed and --set apply to scenario files; result folders are compared as they are");
                c = compare_folders(o->a, o->b);
                prepare_output_folder(dir);
            } else {
                c = compare_scenarios(o->a, o->b, o->common.overrides, dir, options);
                end_progress(options);
            }
            write_comparison(c, dir, command_line);
            point_latest_at("compare", dir);
            std::printf("\nA: %s\nB: %s\n%llu paired runs (same seed, same run ids)\n\n", c.label_a.c_str(), c.label_b.c_str(),
                        static_cast<unsigned long long>(c.outcomes[0].n));
            std::printf("  %-15s %7s %7s %9s   %-20s %9s  %s\n", "outcome", "A", "B", "B - A", "95% interval", "p", "");
            for (int k = 0; k < kOutcomeCount; ++k) {
                const PairedDifference& d = c.outcomes[static_cast<std::size_t>(k)];
                char diff[32], lo[32], hi[32];
                std::snprintf(diff, sizeof diff, "%+.1f pts", 100.0 * d.difference.estimate);
                std::snprintf(lo, sizeof lo, "%+.1f", 100.0 * d.difference.low);
                std::snprintf(hi, sizeof hi, "%+.1f", 100.0 * d.difference.high);
                char p[32];
                if (d.p_value < 1e-300) std::snprintf(p, sizeof p, "<1e-300");  // below double's range
                else std::snprintf(p, sizeof p, "%.2g", d.p_value);
                std::printf("  %-15s %7s %7s %9s   [%s, %s] pts %9s  %s\n", outcome_label(static_cast<Outcome>(k)), percent(d.a.estimate).c_str(),
                            percent(d.b.estimate).c_str(), diff, lo, hi, p, d.significant() ? "significant" : "not significant");
            }
            std::printf("\nresults in: %s/\n", dir.c_str());
            return static_cast<int>(ok);
        });
    }};
}

Command add_sensitivity_command(CLI::App& app, const std::string& command_line) {
    struct Options {
        CommonFlags common;
        std::string scenario;
        std::vector<std::string> params;
        std::string method = "both";
        int samples = 32, trajectories = 10, levels = 4, resamples = 200;
        std::string outcome = "escalation";
    };
    auto o = std::make_shared<Options>();
    CLI::App* cmd = app.add_subcommand("sensitivity", "Global sensitivity of an outcome's odds: Sobol indices and Morris screening");
    cmd->add_option("scenario", o->scenario, "Scenario file (YAML)")->required();
    cmd->add_option("--params", o->params, "path:lo:hi, a parameter and its range (repeatable)")->required();
    cmd->add_option("--method", o->method, "sobol, morris or both");
    add_integer_option(cmd, "--samples", o->samples, 2, 100000, "Saltelli base samples N (Sobol costs N x (k + 2) points)");
    add_integer_option(cmd, "--trajectories", o->trajectories, 2, 10000, "Morris trajectories r (costs r x (k + 1) points)");
    add_integer_option(cmd, "--levels", o->levels, 2, 10000, "Morris grid levels (even)");
    add_integer_option(cmd, "--bootstrap", o->resamples, 0, 100000, "Bootstrap resamples for Sobol intervals");
    cmd->add_option("--outcome", o->outcome, outcome_names_text());
    o->common.add_to(cmd, "Runs per design point (default 1000)");
    return Command{cmd, [o, command_line] {
        return guarded("sensitivity", [&] {
            StudyOptions options;
            if (const std::string e = o->common.to_options(options, command_line); !e.empty()) return usage("sensitivity", e);
            SensitivityPlan plan;
            plan.scenario_file = o->scenario;
            plan.overrides = o->common.overrides;
            if (o->method != "sobol" && o->method != "morris" && o->method != "both")
                return usage("sensitivity", "--method must be sobol, morris or both, found '" + o->method + "'");
            plan.sobol = o->method != "morris";
            plan.morris = o->method != "sobol";
            if (o->levels % 2) return usage("sensitivity", "--levels must be an even number in [2, 10000], found " + std::to_string(o->levels));
            check_point_count(sensitivity_point_count(static_cast<int>(o->params.size()), o->samples, o->trajectories, plan.sobol, plan.morris),
                              "the design (N (k + 2) for Sobol plus r (k + 1) for Morris)");
            const std::optional<Outcome> outcome = parse_outcome_option(o->outcome);
            if (!outcome) return usage("sensitivity", unknown_outcome_text(o->outcome));
            plan.outcome = *outcome;
            plan.base_samples = o->samples;
            plan.trajectories = o->trajectories;
            plan.levels = o->levels;
            plan.resamples = o->resamples;
            for (const std::string& p : o->params) {
                const auto colon = p.find(':');
                if (colon == std::string::npos) return usage("sensitivity", "--params expects path:lo:hi, found '" + p + "'");
                plan.parameters.push_back(parse_axis(p.substr(0, colon) + "=" + p.substr(colon + 1), true));
            }
            const std::string dir = o->common.folder("sensitivity", o->scenario);
            install_signal_handlers();
            const SensitivityResult result = run_sensitivity(plan, dir, options);
            end_progress(options);
            if (!result.complete) {
                std::printf("interrupted; nothing written to %s/ (a sensitivity run is not resumable)\n", dir.c_str());
                return stop_exit_code();
            }
            point_latest_at("sensitivity", dir);
            print_sensitivity(result, o->outcome);
            std::printf("\nresults in: %s/ (sensitivity.csv, design.csv)\n", dir.c_str());
            if (result.failed_runs > 0) {
                std::printf("%llu run(s) failed; see the failed column of design.csv\n", static_cast<unsigned long long>(result.failed_runs));
                return static_cast<int>(runtime_failure);
            }
            return static_cast<int>(ok);
        });
    }};
}

}  // namespace brink::cli
