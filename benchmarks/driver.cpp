// brink_bench: Brink's speed and memory, as figures a person reads (and as JSON for
// benchmarks/run, which writes benchmarks/RESULTS.md from them).
//
// For each scenario (default: scenarios/baseline.yaml and the tick-heavy variant):
//   - throughput of the Monte Carlo engine (run_batch, results discarded by a null
//     sink): runs/s and run-ticks/s on 1 thread and on all cores, parallel efficiency;
//   - the model alone (simulate(), no observer) on 1 thread;
//   - time per tick split into decision, state update and ladder/outcome (each phase
//     timed alone on a corpus of tick-start snapshots of real runs);
//   - the FLOOR: runs of exactly `horizon` ticks against the irreducible work of the
//     same runs (support.hpp, floor_run);
// and for the first scenario, the real `brink run --quiet --out DIR` as a child
// process: wall time of 10^4 runs on all cores, and peak resident memory (ru_maxrss
// from wait4) at 10^4 and 10^6 runs.
// Every time is the best of --reps repetitions: the machine is shared. One-thread
// figures are given per second of wall-clock time and per second of CPU time; on a
// busy machine the CPU-time figures are the faithful ones (the phase split and the
// floor use CPU time only). Multi-thread figures can only be wall-clock.
#include <omp.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "brink/engine.hpp"
#include "brink/scenario.hpp"
#include "support.hpp"

namespace fs = std::filesystem;
using namespace brink;
using namespace brink::bench;

namespace {

struct Options {
    std::vector<std::string> scenarios;
    std::string brink = "build-bench/sim/brink";
    std::string json;
    std::uint64_t runs = 20000;      // engine throughput runs per measurement
    std::uint64_t model_runs = 4000; // simulate()-only runs
    int reps = 3;
    int threads = 0;                 // 0: all cores
    std::vector<std::uint64_t> memory_runs{10000, 1000000};
    std::uint64_t e2e_runs = 10000;
    bool child = true;
};

[[noreturn]] void usage(const char* message) {
    std::fprintf(stderr,
                 "brink_bench: %s\n"
                 "usage: brink_bench [SCENARIO.yaml ...] [--brink PATH] [--json FILE] [--runs N] [--model-runs N]\n"
                 "                   [--reps R] [--threads N] [--memory-runs N,N,...] [--e2e-runs N] [--no-child]\n",
                 message);
    std::exit(2);
}

Options parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const auto next = [&]() -> std::string {
            if (i + 1 >= argc) usage(("missing value after " + a).c_str());
            return argv[++i];
        };
        if (a == "--brink") o.brink = next();
        else if (a == "--json") o.json = next();
        else if (a == "--runs") o.runs = std::stoull(next());
        else if (a == "--model-runs") o.model_runs = std::stoull(next());
        else if (a == "--reps") o.reps = std::stoi(next());
        else if (a == "--threads") o.threads = std::stoi(next());
        else if (a == "--e2e-runs") o.e2e_runs = std::stoull(next());
        else if (a == "--no-child") o.child = false;
        else if (a == "--memory-runs") {
            o.memory_runs.clear();
            std::stringstream ss(next());
            for (std::string item; std::getline(ss, item, ',');)
                if (!item.empty()) o.memory_runs.push_back(std::stoull(item));
        } else if (a == "-h" || a == "--help") usage("help");
        else if (!a.empty() && a[0] == '-') usage(("unknown option " + a).c_str());
        else o.scenarios.push_back(a);
    }
    if (o.scenarios.empty()) o.scenarios = {"scenarios/baseline.yaml", "benchmarks/scenarios/tick-heavy.yaml"};
    if (o.threads <= 0) o.threads = omp_get_max_threads();
    return o;
}

class NullSink : public RunSink {
public:
    void on_block(std::uint64_t, const std::vector<RunSlot>&, std::size_t, const Aggregates&) override {}
};

std::uint64_t ticks_played(const Aggregates& a) {
    std::uint64_t ticks = 0;
    for (const auto& h : a.end_tick)
        for (std::size_t t = 0; t < h.size(); ++t) ticks += h[t] * t;
    return ticks;
}

struct Throughput {
    Timing time;
    double runs_per_s = 0, ticks_per_s = 0;          // wall clock
    double runs_per_cpu_s = 0, ticks_per_cpu_s = 0;  // CPU time of the process (all threads)
    double mean_ticks = 0;
    std::array<double, kOutcomeCount> odds{};
};

void rates(Throughput& r, std::uint64_t runs, std::uint64_t ticks) {
    r.runs_per_s = static_cast<double>(runs) / r.time.wall;
    r.ticks_per_s = static_cast<double>(ticks) / r.time.wall;
    r.runs_per_cpu_s = static_cast<double>(runs) / r.time.cpu;
    r.ticks_per_cpu_s = static_cast<double>(ticks) / r.time.cpu;
    r.mean_ticks = static_cast<double>(ticks) / static_cast<double>(runs);
}

Throughput engine_throughput(const Scenario& s, std::uint64_t runs, std::uint64_t seed, int threads, int reps) {
    Throughput r;
    Aggregates totals;
    BatchPlan plan;
    plan.runs = runs;
    plan.seed = seed;
    plan.threads = threads;
    NullSink sink;
    r.time = best_of(reps, [&] {
        totals.reset(s);
        run_batch(s, plan, 0, totals, sink);
    });
    rates(r, runs, ticks_played(totals));
    for (int k = 0; k < kOutcomeCount; ++k)
        r.odds[static_cast<std::size_t>(k)] =
            static_cast<double>(totals.outcomes[static_cast<std::size_t>(k)]) / static_cast<double>(totals.completed);
    return r;
}

Throughput model_throughput(const Scenario& s, std::uint64_t runs, std::uint64_t seed, int reps) {
    Throughput r;
    WorkspaceHandle ws;
    RunResult result;
    std::uint64_t ticks = 0;
    r.time = best_of(reps, [&] {
        ticks = 0;
        for (std::uint64_t id = 0; id < runs; ++id) {
            simulate(s, id, seed, result, ws);
            ticks += static_cast<std::uint64_t>(result.end_tick);
        }
    });
    rates(r, runs, ticks);
    return r;
}

struct FloorFigures {
    std::size_t runs = 0;
    int ticks = 0;
    bool floor_matches = true;
    double run_us = 0, floor_us = 0, seed_us = 0;  // CPU time per run
    DrawCounts draws;
};

FloorFigures floor_figures(const Scenario& s, std::uint64_t seed, int reps) {
    FloorFigures f;
    f.ticks = s.horizon;
    const std::vector<RecordedRun> runs = record_runs(s, seed, 400, s.horizon, 20000);
    f.runs = runs.size();
    if (runs.empty()) return f;
    f.draws = draw_counts(s, runs);
    WorkspaceHandle handle;
    RunResult result;
    for (const RecordedRun& r : runs) f.floor_matches = f.floor_matches && floor_run(s, seed, r, handle.get());
    const double n = static_cast<double>(runs.size());
    f.run_us = best_of(reps, [&] {
        for (const RecordedRun& r : runs) simulate(s, r.run_id, seed, result, handle);
    }).cpu * 1e6 / n;
    f.floor_us = best_of(reps, [&] {
        for (const RecordedRun& r : runs) floor_run(s, seed, r, handle.get());
    }).cpu * 1e6 / n;
    Workspace& ws = handle.get();
    f.seed_us = best_of(reps, [&] {
        for (const RecordedRun& r : runs) {
            ws.decisions.reseed(seed, r.run_id, StreamPurpose::decisions);
            ws.world.reseed(seed, r.run_id, StreamPurpose::world);
            ws.ladder.reseed(seed, r.run_id, StreamPurpose::ladder);
            ws.events.reseed(seed, r.run_id, StreamPurpose::events);
            keep(ws.ladder.uniform());  // and its first block
        }
    }).cpu * 1e6 / n;
    return f;
}

struct ChildRun {
    bool ok = false;
    double wall = 0;
    double cpu = 0;  // user + system time of the child
    long max_rss_kib = 0;
};

/// Runs `brink run SCENARIO --runs N --quiet --out DIR [--threads T]` and reports its
/// wall time and peak resident set (wait4's rusage of that child alone).
ChildRun run_child(const std::string& brink, const std::string& scenario, std::uint64_t runs, int threads) {
    ChildRun r;
    char tmpl[] = "/tmp/brink-bench-XXXXXX";
    const char* base = mkdtemp(tmpl);
    if (!base) return r;
    const std::string out = std::string(base) + "/out";
    std::vector<std::string> args{brink, "run", scenario, "--runs", std::to_string(runs), "--quiet", "--out", out};
    if (threads > 0) {
        args.push_back("--threads");
        args.push_back(std::to_string(threads));
    }
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::fflush(stdout);
    std::fflush(stderr);
    const auto t0 = std::chrono::steady_clock::now();
    const pid_t pid = fork();
    if (pid == 0) {
        if (!std::freopen("/dev/null", "w", stdout)) _exit(127);
        execv(argv[0], argv.data());
        _exit(127);
    }
    int status = 0;
    rusage usage{};
    if (pid > 0 && wait4(pid, &status, 0, &usage) == pid) {
        r.wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        r.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        r.max_rss_kib = usage.ru_maxrss;  // kilobytes on Linux
        r.cpu = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                1e-6 * static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
    }
    std::error_code ec;
    fs::remove_all(base, ec);
    return r;
}

std::string num(double x) {
    if (!std::isfinite(x)) return "null";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.6g", x);
    return buf;
}

}  // namespace

int main(int argc, char** argv) {
    const Options o = parse(argc, argv);
    std::ostringstream json;
    json << "{\n  \"threads\": " << o.threads << ",\n  \"reps\": " << o.reps << ",\n  \"scenarios\": [\n";
    std::printf("brink_bench: best of %d repetitions; %d threads for 'all cores'\n", o.reps, o.threads);

    for (std::size_t si = 0; si < o.scenarios.size(); ++si) {
        const std::string& path = o.scenarios[si];
        LoadedScenario loaded;
        try {
            loaded = load_scenario(path);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "brink_bench: cannot load %s: %s\n", path.c_str(), e.what());
            return 1;
        }
        const Scenario& s = loaded.scenario;
        const std::uint64_t seed = s.default_seed;
        std::printf("\n== %s (%s): %d variables, %zu actions, %zu events, horizon %d\n", s.name.c_str(), path.c_str(),
                    s.variable_count(), s.actions.size(), s.events.size(), s.horizon);

        const Throughput one = engine_throughput(s, o.runs, seed, 1, o.reps);
        const Throughput all = engine_throughput(s, o.runs, seed, o.threads, o.reps);
        const double efficiency = all.runs_per_s / (one.runs_per_s * o.threads);
        const double cpu_overhead = all.time.cpu / one.time.cpu;
        std::printf("engine, %llu runs (mean %.1f ticks/run; escalation %.1f%%, de-escalation %.1f%%, frozen conflict %.1f%%, "
                    "ongoing war %.1f%%)\n",
                    static_cast<unsigned long long>(o.runs), one.mean_ticks, 100 * one.odds[0], 100 * one.odds[1],
                    100 * one.odds[2], 100 * one.odds[3]);
        std::printf("  1 thread:   %8.0f runs/s %10.0f run-ticks/s (wall %.3f s); per CPU second: %8.0f runs/s %10.0f run-ticks/s\n",
                    one.runs_per_s, one.ticks_per_s, one.time.wall, one.runs_per_cpu_s, one.ticks_per_cpu_s);
        std::printf("  %d threads:  %8.0f runs/s %10.0f run-ticks/s (wall %.3f s); parallel efficiency %.1f%%;"
                    " CPU time %.3f x the 1-thread run's\n",
                    o.threads, all.runs_per_s, all.ticks_per_s, all.time.wall, 100 * efficiency, cpu_overhead);

        const Throughput model = model_throughput(s, o.model_runs, seed, o.reps);
        const double engine_overhead_us = 1e6 / one.runs_per_cpu_s - 1e6 / model.runs_per_cpu_s;
        std::printf("model alone (simulate(), no observer), 1 thread, per CPU second: %.0f runs/s, %.0f ns per run-tick;"
                    " the engine adds %.1f us per run\n",
                    model.runs_per_cpu_s, 1e9 / model.ticks_per_cpu_s, engine_overhead_us);

        PhaseBench phases(s, take_snapshots(s, seed, 2048, 7), seed);
        const PhaseSplit split = measure_phases(phases, o.reps, 20);
        const double parts = split.decision + split.state_update + split.ladder_outcome;
        std::printf("time per tick (CPU), %zu tick-start snapshots, restoring one (%.0f ns) subtracted:\n", phases.size(),
                    split.restore);
        std::printf("  decision %.0f ns (%.0f%%), state update %.0f ns (%.0f%%), ladder/outcome %.0f ns (%.0f%%);"
                    " whole tick %.0f ns\n",
                    split.decision, 100 * split.decision / parts, split.state_update, 100 * split.state_update / parts,
                    split.ladder_outcome, 100 * split.ladder_outcome / parts, split.full_tick);

        const FloorFigures f = floor_figures(s, seed, o.reps);
        double ratio = 0, tick_ratio = 0;
        if (f.runs > 0) {
            ratio = f.run_us / f.floor_us;
            tick_ratio = (f.run_us - f.seed_us) / (f.floor_us - f.seed_us);
            std::printf("FLOOR (CPU), %zu runs of exactly %d ticks; draws per tick: %.0f uniforms, %.0f + %.2f normals%s\n",
                        f.runs, f.ticks, f.draws.decision_uniforms + f.draws.event_uniforms + f.draws.ladder_uniforms,
                        f.draws.decision_normals, f.draws.world_normals,
                        f.floor_matches ? "" : "  ** the floor does NOT reproduce the runs' final states **");
            std::printf("  run %.1f us, floor %.1f us (both include keying 4 streams, %.1f us): run = %.2f x floor;\n"
                        "  per tick without the keying: %.0f ns vs %.0f ns = %.2f x\n",
                        f.run_us, f.floor_us, f.seed_us, ratio, 1e3 * (f.run_us - f.seed_us) / f.ticks,
                        1e3 * (f.floor_us - f.seed_us) / f.ticks, tick_ratio);
        } else {
            std::printf("FLOOR: no run of exactly %d ticks in the first 20000 run ids\n", f.ticks);
        }

        json << (si ? ",\n" : "") << "    {\"name\": \"" << s.name << "\", \"path\": \"" << path << "\", \"runs\": " << o.runs
             << ", \"mean_ticks\": " << num(one.mean_ticks) << ",\n"
             << "     \"odds\": [" << num(one.odds[0]) << ", " << num(one.odds[1]) << ", " << num(one.odds[2]) << ", " << num(one.odds[3])
             << "],\n"
             << "     \"engine_1\": {\"wall\": " << num(one.time.wall) << ", \"cpu\": " << num(one.time.cpu)
             << ", \"runs_per_s\": " << num(one.runs_per_s) << ", \"ticks_per_s\": " << num(one.ticks_per_s)
             << ", \"runs_per_cpu_s\": " << num(one.runs_per_cpu_s) << ", \"ticks_per_cpu_s\": " << num(one.ticks_per_cpu_s)
             << "},\n"
             << "     \"engine_all\": {\"threads\": " << o.threads << ", \"wall\": " << num(all.time.wall)
             << ", \"cpu\": " << num(all.time.cpu) << ", \"runs_per_s\": " << num(all.runs_per_s)
             << ", \"ticks_per_s\": " << num(all.ticks_per_s) << ", \"efficiency\": " << num(efficiency)
             << ", \"cpu_overhead\": " << num(cpu_overhead) << "},\n"
             << "     \"model_1\": {\"runs_per_cpu_s\": " << num(model.runs_per_cpu_s) << ", \"ns_per_tick\": "
             << num(1e9 / model.ticks_per_cpu_s) << ", \"engine_overhead_us\": " << num(engine_overhead_us) << "},\n"
             << "     \"phases_ns\": {\"snapshots\": " << phases.size() << ", \"restore\": " << num(split.restore)
             << ", \"decision\": " << num(split.decision) << ", \"state_update\": " << num(split.state_update)
             << ", \"ladder_outcome\": " << num(split.ladder_outcome) << ", \"full_tick\": " << num(split.full_tick) << "},\n"
             << "     \"floor\": {\"runs\": " << f.runs << ", \"ticks\": " << f.ticks << ", \"matches\": "
             << (f.floor_matches ? "true" : "false") << ", \"run_us\": " << num(f.run_us) << ", \"floor_us\": "
             << num(f.floor_us) << ", \"seed_us\": " << num(f.seed_us) << ", \"ratio\": " << num(ratio)
             << ", \"tick_ratio\": " << num(tick_ratio) << ", \"world_normals\": " << num(f.draws.world_normals)
             << ", \"decision_normals\": " << num(f.draws.decision_normals)
             << ", \"uniforms\": " << num(f.draws.decision_uniforms + f.draws.event_uniforms + f.draws.ladder_uniforms)
             << "}}";
    }
    json << "\n  ]";

    if (o.child) {
        const std::string& scenario = o.scenarios.front();
        if (!fs::exists(o.brink)) {
            std::fprintf(stderr, "brink_bench: %s not found (give --brink PATH, or --no-child)\n", o.brink.c_str());
            return 1;
        }
        std::printf("\n== `%s run %s --quiet --out DIR` as a child process\n", o.brink.c_str(), scenario.c_str());
        ChildRun best;
        for (int r = 0; r < o.reps; ++r) {
            const ChildRun c = run_child(o.brink, scenario, o.e2e_runs, o.threads);
            if (!c.ok) {
                std::fprintf(stderr, "brink_bench: brink run failed\n");
                return 1;
            }
            if (!best.ok || c.wall < best.wall) best = c;
        }
        std::printf("  %llu runs on %d threads: %.3f s wall, %.3f s CPU (whole process: load, runs, result files)\n",
                    static_cast<unsigned long long>(o.e2e_runs), o.threads, best.wall, best.cpu);
        json << ",\n  \"e2e\": {\"runs\": " << o.e2e_runs << ", \"threads\": " << o.threads << ", \"wall\": " << num(best.wall)
             << ", \"cpu\": " << num(best.cpu) << "},\n  \"memory\": [";
        for (std::size_t k = 0; k < o.memory_runs.size(); ++k) {
            const ChildRun c = run_child(o.brink, scenario, o.memory_runs[k], o.threads);
            if (!c.ok) {
                std::fprintf(stderr, "brink_bench: brink run failed\n");
                return 1;
            }
            std::printf("  %llu runs: peak resident memory %.1f MiB (%.1f s wall, %.1f s CPU)\n",
                        static_cast<unsigned long long>(o.memory_runs[k]), c.max_rss_kib / 1024.0, c.wall, c.cpu);
            json << (k ? ", " : "") << "{\"runs\": " << o.memory_runs[k] << ", \"max_rss_kib\": " << c.max_rss_kib
                 << ", \"wall\": " << num(c.wall) << ", \"cpu\": " << num(c.cpu) << "}";
        }
        json << "]";
    }
    json << "\n}\n";
    if (!o.json.empty()) {
        std::ofstream out(o.json);
        out << json.str();
        if (!out) {
            std::fprintf(stderr, "brink_bench: cannot write %s\n", o.json.c_str());
            return 1;
        }
    }
    return 0;
}
