// Sweeps, comparisons and sensitivity analyses over real scenarios.
#include "brink/study.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <map>
#include <set>
#include <sstream>

#include "brink/json.hpp"
#include "brink/output.hpp"
#include "brink/scenario.hpp"
#include "brink/stats.hpp"
#include "brink/version.hpp"

namespace brink {

namespace fs = std::filesystem;

namespace {

std::string iso_now() {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

std::string point_name(std::size_t i) {
    std::ostringstream s;
    s << std::setw(4) << std::setfill('0') << i;
    return s.str();
}

/// Loads every point's scenario, reporting all problems at once (each distinct one once).
std::vector<LoadedScenario> load_points(const std::string& file, const std::vector<std::string>& overrides,
                                        const std::vector<std::vector<std::string>>& points) {
    std::vector<LoadedScenario> loaded;
    std::vector<Diagnostic> problems;
    std::set<std::string> seen;
    for (std::size_t i = 0; i < points.size(); ++i) {
        try {
            loaded.push_back(load_scenario(file, concat(overrides, points[i])));
        } catch (const ScenarioError& e) {
            for (Diagnostic d : e.diagnostics()) {
                std::string where;
                for (const auto& p : points[i]) where += (where.empty() ? "" : ", ") + p;
                if (!seen.insert(d.to_string()).second) continue;
                d.message += " (sweep point " + std::to_string(i) + ": " + where + ")";
                problems.push_back(d);
            }
        }
    }
    if (!problems.empty()) throw ScenarioError(std::move(problems));
    return loaded;
}

/// The manifests' record of what computed the results (see brink/version.hpp).
std::string version_fields() {
    return ",\n  \"model_version\": " + std::to_string(kModelVersion) + ",\n  \"stream_scheme\": {\"name\": " +
           Json::quote(kStreamScheme) + ", \"version\": " + std::to_string(kStreamSchemeVersion) + "}";
}

SweepStatus continue_sweep(const std::string& dir, const StudyOptions& options);

BatchRecord record_for(const LoadedScenario& loaded, std::uint64_t runs, std::uint64_t seed, const StudyOptions& options) {
    BatchRecord r;
    r.scenario_name = loaded.scenario.name;
    r.scenario_yaml = loaded.resolved_yaml;
    r.scenario_hash = loaded.hash;
    r.scenario_files = loaded.files;
    r.overrides = loaded.overrides;
    r.plan.runs = runs;
    r.plan.seed = seed;
    r.plan.threads = options.threads;
    r.plan.block_size = options.block_size;
    r.command_line = options.command_line;
    return r;
}

/// Refuses, before any folder exists, a study point whose batch cannot fit in memory.
/// Every point is checked, since a point may change the horizon, the ladder or the menus
/// that size the aggregates (run_batch checks each one again).
void check_point_memory(const LoadedScenario& point, std::uint64_t runs, const StudyOptions& options) {
    check_batch_memory(point.scenario, BatchPlan{runs, 0, options.threads, 0.0, options.block_size});
}

/// Runs (or continues) one result folder's batch. Returns false if interrupted.
bool play_folder(const Scenario& s, ResultFolder& folder, BatchPlan plan, std::uint64_t start, Aggregates& totals,
                 const StudyOptions& options, std::uint64_t done_before, std::uint64_t total, std::uint64_t& failed) {
    plan.threads = options.threads;
    const auto t0 = std::chrono::steady_clock::now();
    const std::string started = iso_now();
    std::function<void(const Progress&)> progress;
    if (options.progress)
        progress = [&](const Progress& p) { options.progress(done_before + p.done, total); };
    const BatchStatus status = run_batch(s, plan, start, totals, folder, options.stop, progress);
    const bool complete = status.reason != StopReason::interrupted;
    folder.finish(totals, status, complete, seconds_since(t0), started, iso_now(), options.threads);
    failed += totals.failed;
    return complete;
}

/// Continues the batch in `dir` if it has a checkpoint; returns false if interrupted.
bool resume_folder(const std::string& dir, const StudyOptions& options, std::uint64_t done_before, std::uint64_t total,
                   std::uint64_t& failed) {
    if (!fs::exists(fs::path(dir) / "checkpoint.bin")) return true;
    BatchRecord record = ResultFolder::read_record(dir);
    const LoadedScenario loaded = load_scenario_text(record.scenario_yaml, (fs::path(dir) / "scenario.yaml").string());
    Aggregates totals;
    std::uint64_t start = 0;
    auto folder = ResultFolder::resume(dir, loaded.scenario, record, totals, start);
    return play_folder(loaded.scenario, *folder, record.plan, start, totals, options, done_before + start, total, failed);
}

std::vector<std::string> split_csv_line(const std::string& line) {
    // RFC 4180: a quoted cell may hold commas, and "" inside quotes is one '"'.
    std::vector<std::string> cells;
    std::string cell;
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted) {
            if (c != '"') cell += c;
            else if (i + 1 < line.size() && line[i + 1] == '"') { cell += '"'; ++i; }
            else quoted = false;
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            cells.push_back(cell);
            cell.clear();
        } else {
            cell += c;
        }
    }
    cells.push_back(cell);
    return cells;
}

std::string read_text(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) throw OutputError("cannot read " + p.string());
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

int median_tick(const OutcomeColumn& col, std::uint8_t outcome) {
    std::vector<int> ticks;
    for (std::size_t i = 0; i < col.outcomes.size(); ++i)
        if (col.outcomes[i] == outcome) ticks.push_back(col.end_ticks[i]);
    if (ticks.empty()) return -1;
    std::sort(ticks.begin(), ticks.end());
    return ticks[(ticks.size() - 1) / 2];  // lower median: an observed tick
}

void write_sweep_results(const std::string& dir, const std::vector<std::string>& paths,
                         const std::vector<std::vector<std::string>>& values, bool complete, std::uint64_t runs,
                         std::uint64_t seed, const StudyOptions& options, std::size_t points_done) {
    std::string csv = "point";
    for (const auto& p : paths) csv += "," + p;
    csv += ",runs";
    for (int k = 0; k < kOutcomeCount; ++k) {
        const std::string o = outcome_name(static_cast<Outcome>(k));
        csv += ",p_" + o + ",p_" + o + "_low,p_" + o + "_high";
    }
    for (int k = 0; k < kOutcomeCount; ++k) csv += std::string(",median_tick_") + outcome_name(static_cast<Outcome>(k));
    csv += "\n";
    for (std::size_t i = 0; i < values.size(); ++i) {
        const fs::path point = fs::path(dir) / "points" / point_name(i);
        if (fs::exists(point / "checkpoint.bin") || !fs::exists(point / "runs.csv")) continue;  // not finished
        const OutcomeColumn col = read_outcomes(point.string());
        csv += std::to_string(i);
        for (const auto& v : values[i]) csv.append(",").append(csv_field(v));
        const auto n = static_cast<std::uint64_t>(col.outcomes.size());
        csv += "," + std::to_string(n);
        for (int k = 0; k < kOutcomeCount; ++k) {
            const auto count = static_cast<std::uint64_t>(std::count(col.outcomes.begin(), col.outcomes.end(), static_cast<std::uint8_t>(k)));
            const Interval ci = wilson(count, n);
            for (const double v : {ci.estimate, ci.low, ci.high}) csv.append(",").append(format_double(v));
        }
        for (int k = 0; k < kOutcomeCount; ++k) {
            const int m = median_tick(col, static_cast<std::uint8_t>(k));
            csv.append(",").append(m < 0 ? std::string() : std::to_string(m));
        }
        csv += "\n";
    }
    write_file_atomically((fs::path(dir) / "sweep.csv").string(), csv);
    std::string json = "{\n  \"kind\": \"sweep\",\n  \"brink_version\": " + Json::quote(kVersion) + version_fields() + ",\n  \"complete\": " +
                       (complete ? "true" : "false") + ",\n  \"parameters\": [";
    for (std::size_t i = 0; i < paths.size(); ++i) json += (i ? ", " : "") + Json::quote(paths[i]);
    json += "],\n  \"points\": " + std::to_string(values.size()) + ",\n  \"points_done\": " + std::to_string(points_done) +
            ",\n  \"runs_per_point\": " + std::to_string(runs) + ",\n  \"seed\": " + std::to_string(seed) +
            ",\n  \"common_random_numbers\": true,\n  \"command_line\": " + Json::quote(options.command_line) +
            ",\n  \"written\": " + Json::quote(iso_now()) + "\n}\n";
    write_file_atomically((fs::path(dir) / "manifest.json").string(), json);
}

std::vector<std::vector<std::string>> point_values(const std::vector<std::vector<std::string>>& points) {
    std::vector<std::vector<std::string>> values;
    for (const auto& p : points) {
        std::vector<std::string> v;
        for (const auto& assignment : p) v.push_back(assignment.substr(assignment.find('=') + 1));
        values.push_back(std::move(v));
    }
    return values;
}

}  // namespace

void prepare_output_folder(const std::string& dir) { lock_new_folder(dir); }

namespace {
/// The Outcome code of an outcome name in runs.csv; an unknown name (a "stalemate" from
/// before the horizon split into frozen_conflict and ongoing_war, say) is refused.
std::uint8_t outcome_code(const std::string& name, const std::string& path, std::uint64_t run) {
    for (int k = 0; k < kOutcomeCount; ++k)
        if (name == outcome_name(static_cast<Outcome>(k))) return static_cast<std::uint8_t>(k);
    std::string why = path + ": run " + std::to_string(run) + " has outcome '" + name + "'; expected escalation, deescalation, frozen_conflict or ongoing_war";
    if (name == "stalemate") why += " (the folder was written by an older Brink; run it again)";
    throw OutputError(why);
}
}  // namespace

OutcomeColumn read_outcomes(const std::string& dir) {
    const fs::path path = fs::path(dir) / "runs.csv";
    if (!fs::exists(path)) throw OutputError(dir + " has no runs.csv; expected a Brink run folder");
    std::istringstream in(read_text(path));
    std::string line;
    std::getline(in, line);
    const auto header = split_csv_line(line);
    const auto column = [&](const std::string& name) {
        const auto it = std::find(header.begin(), header.end(), name);
        if (it == header.end()) throw OutputError(path.string() + " has no column '" + name + "'");
        return static_cast<std::size_t>(it - header.begin());
    };
    const std::size_t c_run = column("run_id"), c_seed = column("seed"), c_outcome = column("outcome"), c_end = column("end_tick");
    OutcomeColumn col;
    bool first = true;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        const auto cells = split_csv_line(line);
        if (cells.size() != header.size()) throw OutputError(path.string() + ": a row has " + std::to_string(cells.size()) + " cells, the header " + std::to_string(header.size()));
        const std::uint64_t seed = std::stoull(cells[c_seed]);
        if (first) col.seed = seed;
        else if (seed != col.seed) throw OutputError(path.string() + " mixes seeds");
        first = false;
        col.run_ids.push_back(std::stoull(cells[c_run]));
        col.outcomes.push_back(outcome_code(cells[c_outcome], path.string(), col.run_ids.back()));
        col.end_ticks.push_back(std::stoi(cells[c_end]));
    }
    return col;
}

SweepPlan sweep_plan_from_scenario(const std::string& file, const std::vector<std::string>& overrides) {
    const LoadedScenario loaded = load_scenario(file, overrides);
    if (loaded.experiment_vary.empty())
        throw ExperimentError(file + " has no experiment.vary section; give --vary path=values");
    SweepPlan plan;
    plan.scenario_file = file;
    plan.overrides = overrides;
    plan.samples = loaded.experiment_samples;
    for (const std::string& v : loaded.experiment_vary) plan.axes.push_back(parse_axis(v, plan.samples > 0));
    return plan;
}

SweepStatus run_sweep(const SweepPlan& plan, const std::string& dir, const StudyOptions& options) {
    if (plan.axes.empty()) throw ExperimentError("a sweep needs at least one --vary");
    const auto points = plan.samples > 0 ? latin_hypercube_points(plan.axes, plan.samples, options.seed_given ? options.seed : 1)
                                         : grid_points(plan.axes);
    check_point_count(points.size(), "the sweep");  // a Latin hypercube; a grid was counted before it was built
    const std::vector<LoadedScenario> loaded = load_points(plan.scenario_file, plan.overrides, points);
    const std::uint64_t runs = options.runs > 0 ? options.runs : loaded.front().scenario.default_runs;
    const std::uint64_t seed = options.seed_given ? options.seed : loaded.front().scenario.default_seed;
    for (const LoadedScenario& point : loaded) check_point_memory(point, runs, options);

    const FolderLock lock = lock_new_folder(dir);  // held until the sweep stops
    std::vector<std::string> paths;
    for (const Axis& a : plan.axes) paths.push_back(a.path);
    const auto values = point_values(points);
    std::string table = "point";
    for (const auto& p : paths) table += "," + p;
    table += "\n";
    for (std::size_t i = 0; i < values.size(); ++i) {
        table += std::to_string(i);
        for (const auto& v : values[i]) table.append(",").append(csv_field(v));
        table += "\n";
        fs::create_directories(fs::path(dir) / "points");
        ResultFolder::create((fs::path(dir) / "points" / point_name(i)).string(), loaded[i].scenario,
                             record_for(loaded[i], runs, seed, options));
    }
    write_file_atomically((fs::path(dir) / "points.csv").string(), table);
    write_file_atomically((fs::path(dir) / "sweep-plan.txt").string(),
                          "runs=" + std::to_string(runs) + "\nseed=" + std::to_string(seed) + "\n");
    if (options.folder_ready) options.folder_ready(dir);
    write_sweep_results(dir, paths, values, false, runs, seed, options, 0);
    return continue_sweep(dir, options);
}

SweepStatus resume_sweep(const std::string& dir, const StudyOptions& options) {
    if (!fs::exists(fs::path(dir) / "points.csv")) throw OutputError(dir + " is not a Brink sweep folder (no points.csv)");
    const FolderLock lock(dir);
    check_manifest_versions(dir);
    if (options.folder_ready) options.folder_ready(dir);
    return continue_sweep(dir, options);
}

namespace {

/// Plays the unfinished points of the sweep in `dir`, which the caller holds locked.
SweepStatus continue_sweep(const std::string& dir, const StudyOptions& options) {
    const fs::path table = fs::path(dir) / "points.csv";
    std::istringstream in(read_text(table));
    std::string line;
    std::getline(in, line);
    auto header = split_csv_line(line);
    const std::vector<std::string> paths(header.begin() + 1, header.end());
    std::vector<std::vector<std::string>> values;
    while (std::getline(in, line))
        if (!line.empty()) {
            auto cells = split_csv_line(line);
            values.emplace_back(cells.begin() + 1, cells.end());
        }
    SweepStatus status;
    status.points = values.size();
    std::uint64_t runs = 0, seed = 0;
    {
        std::istringstream plan(read_text(fs::path(dir) / "sweep-plan.txt"));
        for (std::string entry; std::getline(plan, entry);) {
            const auto eq = entry.find('=');
            if (eq == std::string::npos) continue;
            const std::string key = entry.substr(0, eq);
            const std::uint64_t v = std::stoull(entry.substr(eq + 1));
            if (key == "runs") runs = v;
            if (key == "seed") seed = v;
        }
        if (runs == 0) throw OutputError(dir + "/sweep-plan.txt is damaged");
    }
    const std::uint64_t total = runs * values.size();
    for (std::size_t i = 0; i < values.size(); ++i) {
        const std::string point = (fs::path(dir) / "points" / point_name(i)).string();
        if (!resume_folder(point, options, runs * i, total, status.failed_runs)) {
            status.interrupted = true;
            break;
        }
        ++status.points_done;
    }
    write_sweep_results(dir, paths, values, !status.interrupted, runs, seed, options, status.points_done);
    return status;
}

}  // namespace

Comparison compare_folders(const std::string& dir_a, const std::string& dir_b) {
    for (const std::string& d : {dir_a, dir_b})
        if (fs::exists(fs::path(d) / "checkpoint.bin"))
            throw ExperimentError(d + " is an interrupted batch; finish it with brink run --resume " + d + " first");
    const OutcomeColumn a = read_outcomes(dir_a), b = read_outcomes(dir_b);
    if (a.seed != b.seed)
        throw ExperimentError("the folders used different seeds (" + std::to_string(a.seed) + " and " + std::to_string(b.seed) +
                              "); a paired comparison needs the same seed and run ids");
    if (a.run_ids != b.run_ids)
        throw ExperimentError("the folders hold different run ids (" + std::to_string(a.run_ids.size()) + " and " +
                              std::to_string(b.run_ids.size()) + " rows, or failed runs in one); a paired comparison needs the same runs");
    Comparison c;
    c.label_a = dir_a;
    c.label_b = dir_b;
    for (int k = 0; k < kOutcomeCount; ++k)
        c.outcomes[static_cast<std::size_t>(k)] = paired_difference(a.outcomes, b.outcomes, static_cast<std::uint8_t>(k));
    return c;
}

Comparison compare_scenarios(const std::string& file_a, const std::string& file_b, const std::vector<std::string>& overrides,
                             const std::string& dir, const StudyOptions& options) {
    const LoadedScenario a = load_scenario(file_a, overrides);
    const LoadedScenario b = load_scenario(file_b, overrides);
    const std::uint64_t runs = options.runs > 0 ? options.runs : a.scenario.default_runs;
    const std::uint64_t seed = options.seed_given ? options.seed : a.scenario.default_seed;
    for (const LoadedScenario* side : {&a, &b}) check_point_memory(*side, runs, options);
    const FolderLock lock = lock_new_folder(dir);
    std::uint64_t failed = 0;
    const std::pair<const LoadedScenario*, const char*> sides[] = {{&a, "a"}, {&b, "b"}};
    std::uint64_t done = 0;
    for (const auto& [loaded, name] : sides) {
        const std::string sub = (fs::path(dir) / name).string();
        const BatchRecord record = record_for(*loaded, runs, seed, options);
        auto folder = ResultFolder::create(sub, loaded->scenario, record);
        Aggregates totals;
        totals.reset(loaded->scenario);
        if (!play_folder(loaded->scenario, *folder, record.plan, 0, totals, options, done, 2 * runs, failed))
            throw Interrupted("interrupted before both scenarios were run; nothing compared (" + dir + " holds what was run)");
        done += runs;
    }
    Comparison c = compare_folders((fs::path(dir) / "a").string(), (fs::path(dir) / "b").string());
    c.label_a = a.scenario.name + " (" + file_a + ")";
    c.label_b = b.scenario.name + " (" + file_b + ")";
    return c;
}

void write_comparison(const Comparison& c, const std::string& dir, const std::string& command_line) {
    std::string csv = "outcome,p_a,p_a_low,p_a_high,p_b,p_b_low,p_b_high,difference,diff_low,diff_high,p_value,significant,runs,only_a,only_b\n";
    for (int k = 0; k < kOutcomeCount; ++k) {
        const PairedDifference& d = c.outcomes[static_cast<std::size_t>(k)];
        csv += std::string(outcome_name(static_cast<Outcome>(k))) + "," + format_double(d.a.estimate) + "," + format_double(d.a.low) + "," +
               format_double(d.a.high) + "," + format_double(d.b.estimate) + "," + format_double(d.b.low) + "," + format_double(d.b.high) + "," +
               format_double(d.difference.estimate) + "," + format_double(d.difference.low) + "," + format_double(d.difference.high) + "," +
               format_double(d.p_value) + "," + (d.significant() ? "true" : "false") + "," + std::to_string(d.n) + "," +
               std::to_string(d.only_a) + "," + std::to_string(d.only_b) + "\n";
    }
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw OutputError("cannot create the output folder " + dir + ": " + ec.message());
    const FolderLock lock(dir);
    write_file_atomically((fs::path(dir) / "compare.csv").string(), csv);
    const std::string json = "{\n  \"kind\": \"compare\",\n  \"brink_version\": " + Json::quote(kVersion) + version_fields() + ",\n  \"label_a\": " +
                             Json::quote(c.label_a) + ",\n  \"label_b\": " + Json::quote(c.label_b) + ",\n  \"runs\": " +
                             std::to_string(c.outcomes[0].n) +
                             ",\n  \"interval\": \"Newcombe (1998) hybrid score interval for paired proportions, 95%\",\n  \"test\": \"exact McNemar, two-sided\",\n  \"command_line\": " +
                             Json::quote(command_line) + ",\n  \"written\": " + Json::quote(iso_now()) + "\n}\n";
    write_file_atomically((fs::path(dir) / "manifest.json").string(), json);
}

namespace {

/// Counts outcomes only; keeps nothing per run.
class CountingSink final : public RunSink {
public:
    void on_block(std::uint64_t, const std::vector<RunSlot>&, std::size_t, const Aggregates&) override {}
};

}  // namespace

SensitivityResult run_sensitivity(const SensitivityPlan& plan, const std::string& dir, const StudyOptions& options) {
    SensitivityResult result;
    const int k = static_cast<int>(plan.parameters.size());
    if (k < 1) throw ExperimentError("sensitivity needs at least one --params path:lo:hi");
    std::vector<std::vector<double>> design;
    std::size_t sobol_rows = 0;
    const std::uint64_t design_seed = options.seed_given ? options.seed : 1;
    if (plan.sobol) {
        design = saltelli_design(k, plan.base_samples, design_seed);
        sobol_rows = design.size();
    }
    if (plan.morris) {
        const auto m = morris_design(k, plan.trajectories, plan.levels, design_seed);
        design.insert(design.end(), m.begin(), m.end());
    }
    std::vector<std::vector<std::string>> points;
    for (const auto& row : design) {
        std::vector<std::string> p;
        for (int d = 0; d < k; ++d) {
            const Axis& a = plan.parameters[static_cast<std::size_t>(d)];
            p.push_back(a.path + "=" + format_double(a.low + row[static_cast<std::size_t>(d)] * (a.high - a.low)));
        }
        points.push_back(std::move(p));
    }
    const std::vector<LoadedScenario> loaded = load_points(plan.scenario_file, plan.overrides, points);
    const std::uint64_t runs = options.runs > 0 ? options.runs : 1000;
    const std::uint64_t seed = options.seed_given ? options.seed : loaded.front().scenario.default_seed;
    for (const LoadedScenario& point : loaded) check_point_memory(point, runs, options);
    const FolderLock lock = lock_new_folder(dir);  // held until the results are written

    std::vector<double> y;
    std::string design_csv = "point,design";
    for (const Axis& a : plan.parameters) design_csv += "," + a.path;
    design_csv += std::string(",runs,p_") + outcome_name(plan.outcome) + ",failed\n";
    const std::uint64_t total = runs * points.size();
    for (std::size_t i = 0; i < points.size(); ++i) {
        if (options.stop && options.stop->load()) return result;
        const Scenario& s = loaded[i].scenario;
        Aggregates totals;
        totals.reset(s);
        CountingSink sink;
        BatchPlan bp{runs, seed, options.threads, 0.0, options.block_size};
        std::function<void(const Progress&)> progress;
        if (options.progress) progress = [&](const Progress& p) { options.progress(runs * i + p.done, total); };
        const BatchStatus st = run_batch(s, bp, 0, totals, sink, options.stop, progress);
        if (st.reason == StopReason::interrupted) return result;
        const double p = totals.completed ? static_cast<double>(totals.outcomes[static_cast<std::size_t>(plan.outcome)]) /
                                                static_cast<double>(totals.completed)
                                          : 0.0;
        y.push_back(p);
        result.failed_runs += totals.failed;
        design_csv += std::to_string(i) + "," + (i < sobol_rows ? "saltelli" : "morris");
        for (const auto& assignment : points[i]) design_csv.append(",").append(assignment.substr(assignment.find('=') + 1));
        design_csv.append(",").append(std::to_string(totals.completed)).append(",").append(format_double(p));
        design_csv.append(",").append(std::to_string(totals.failed)).append("\n");
    }
    std::string csv = "parameter,low,high,method,index,value,ci_low,ci_high\n";
    const auto row = [&](const Axis& a, const char* method, const char* index, const IndexEstimate& e) {
        result.rows.push_back(SensitivityRow{a.path, method, index, e});
        csv += a.path + "," + format_double(a.low) + "," + format_double(a.high) + "," + method + "," + index + "," +
               format_double(e.value) + "," + format_double(e.low) + "," + format_double(e.high) + "\n";
    };
    if (plan.sobol) {
        const std::vector<double> ys(y.begin(), y.begin() + static_cast<std::ptrdiff_t>(sobol_rows));
        const SobolIndices s = sobol_indices(ys, k, plan.base_samples, plan.resamples, design_seed);
        for (int d = 0; d < k; ++d) {
            row(plan.parameters[static_cast<std::size_t>(d)], "sobol", "S1", s.first_order[static_cast<std::size_t>(d)]);
            row(plan.parameters[static_cast<std::size_t>(d)], "sobol", "ST", s.total[static_cast<std::size_t>(d)]);
        }
    }
    if (plan.morris) {
        const std::vector<std::vector<double>> md(design.begin() + static_cast<std::ptrdiff_t>(sobol_rows), design.end());
        const std::vector<double> ym(y.begin() + static_cast<std::ptrdiff_t>(sobol_rows), y.end());
        const MorrisEffects m = morris_effects(md, ym, k);
        for (int d = 0; d < k; ++d) {
            const auto dd = static_cast<std::size_t>(d);
            row(plan.parameters[dd], "morris", "mu_star", IndexEstimate{m.mu_star[dd], m.mu_star[dd], m.mu_star[dd]});
            row(plan.parameters[dd], "morris", "sigma", IndexEstimate{m.sigma[dd], m.sigma[dd], m.sigma[dd]});
        }
    }
    write_file_atomically((fs::path(dir) / "sensitivity.csv").string(), csv);
    write_file_atomically((fs::path(dir) / "design.csv").string(), design_csv);
    std::string json = "{\n  \"kind\": \"sensitivity\",\n  \"brink_version\": " + Json::quote(kVersion) + version_fields() + ",\n  \"scenario\": " +
                       Json::quote(loaded.front().scenario.name) + ",\n  \"outcome\": " + Json::quote(outcome_name(plan.outcome)) +
                       ",\n  \"parameters\": [";
    for (int d = 0; d < k; ++d) json += (d ? ", " : "") + Json::quote(plan.parameters[static_cast<std::size_t>(d)].path);
    json += "],\n  \"sobol_base_samples\": " + std::to_string(plan.sobol ? plan.base_samples : 0) +
            ",\n  \"morris_trajectories\": " + std::to_string(plan.morris ? plan.trajectories : 0) +
            ",\n  \"morris_levels\": " + std::to_string(plan.levels) + ",\n  \"bootstrap_resamples\": " + std::to_string(plan.resamples) +
            ",\n  \"runs_per_point\": " + std::to_string(runs) + ",\n  \"seed\": " + std::to_string(seed) +
            ",\n  \"common_random_numbers\": true,\n  \"command_line\": " + Json::quote(options.command_line) +
            ",\n  \"written\": " + Json::quote(iso_now()) + "\n}\n";
    write_file_atomically((fs::path(dir) / "manifest.json").string(), json);
    result.complete = true;
    return result;
}

}  // namespace brink
