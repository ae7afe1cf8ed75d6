// brink calibrate: the calibration room composed with the scenario loader (a parameter
// set is the scenario with --set overrides) and the history room (its likelihood is the
// particle filter's estimate of P(observations)). docs/calibration.md.
#include <omp.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "brink/calendar.hpp"
#include "brink/calibration.hpp"
#include "brink/calibration_output.hpp"
#include "brink/history.hpp"
#include "brink/output.hpp"
#include "brink/version.hpp"
#include "common.hpp"
#include "latest.hpp"

namespace brink::cli {

namespace {

namespace fs = std::filesystem;

constexpr const char* kCheckpointFile = "calibration.state";

struct CalibrateOptions {
    std::string scenario, timeline, until, out, resume;
    bool latest = false;  // --resume --latest
    std::vector<std::string> params, overrides;
    std::optional<std::uint64_t> particles, runs_per_particle, seed, max_moves;
    std::optional<int> threads;
    double ess_target = 0.5;
    bool quiet = false;
};

int fail(const std::string& message) {
    std::cerr << "brink calibrate: " << message << "\n";
    return usage_error;
}

/// Does `path` name a field the schema declares as a number ("*" in a pattern is any key)?
const FieldSpec* field_of(const std::string& path) {
    for (const FieldSpec& f : scenario_fields()) {
        std::string_view pattern = f.path;
        std::string_view rest = path;
        bool match = true;
        while (match && !pattern.empty()) {
            const auto pd = pattern.find('.'), rd = rest.find('.');
            const std::string_view ps = pattern.substr(0, pd), rs = rest.substr(0, rd);
            match = (ps == "*" ? !rs.empty() : ps == rs) && ((pd == std::string_view::npos) == (rd == std::string_view::npos));
            pattern = pd == std::string_view::npos ? std::string_view{} : pattern.substr(pd + 1);
            rest = rd == std::string_view::npos ? std::string_view{} : rest.substr(rd + 1);
        }
        if (match && rest.empty()) return &f;
    }
    return nullptr;
}

std::string exact_text(double x) {
    char buffer[40];
    std::snprintf(buffer, sizeof buffer, "%.17g", x);
    return buffer;
}

/// The overrides that make the scenario of one parameter set.
std::vector<std::string> overrides_for(const std::vector<std::string>& base, const std::vector<std::string>& paths, const std::vector<double>& theta) {
    std::vector<std::string> out = base;
    for (std::size_t k = 0; k < paths.size(); ++k) out.push_back(paths[k] + "=" + exact_text(theta[k]));
    return out;
}

/// Reads --param PATH=PRIOR, checks that PATH is a number the scenario accepts all through
/// the prior's support (loading it at both ends and inside). Prints the problem; false on one.
bool read_parameters(const CalibrateOptions& o, CalibrationRecord& r) {
    for (const std::string& text : o.params) {
        const auto eq = text.find('=');
        const std::string where = "--param " + text + ": ";
        if (eq == std::string::npos || eq == 0) return fail(where + "expected PATH=PRIOR, e.g. leaders.putin.traits.risk_tolerance=uniform(0.3, 0.95)"), false;
        const std::string path = text.substr(0, eq);
        if (std::find(r.paths.begin(), r.paths.end(), path) != r.paths.end()) return fail(where + path + " is calibrated twice"), false;
        if (path.rfind("run.", 0) == 0) return fail(where + "run settings (horizon, calendar, runs, seed) are not model parameters"), false;
        try {
            r.priors.push_back(parse_prior(text.substr(eq + 1)));
        } catch (const CalibrationError& e) {
            return fail(where + e.what()), false;
        }
        r.paths.push_back(path);
        const Prior& prior = r.priors.back();
        // the loader knows the path, the field's range and every cross-check: ask it
        for (const double x : {prior.low, prior.high, prior.quantile(0.382)}) {
            try {
                load_scenario(o.scenario, overrides_for(o.overrides, {path}, {x}));
            } catch (const ScenarioError& e) {
                std::cerr << "brink calibrate: " << where << "the scenario refuses " << path << " = " << exact_text(x)
                          << (x == prior.low ? " (the prior's lower bound)" : x == prior.high ? " (the prior's upper bound)" : "") << ":\n";
                print_diagnostics(e);
                return false;
            }
        }
        const FieldSpec* field = field_of(path);
        if (!field || field->type != "number")
            return fail(where + path + " is " + (field ? "a field of type " + std::string(field->type) : "not a field of the scenario reference") +
                        "; a calibrated parameter is a number (docs/scenario-reference.md)"),
                   false;
        if (prior.low < field->min || prior.high > field->max)
            return fail(where + "the prior's support [" + exact_text(prior.low) + ", " + exact_text(prior.high) + "] leaves " + path +
                        "'s valid range [" + exact_text(field->min) + ", " + exact_text(field->max) + "]"),
                   false;
    }
    return true;
}

std::string file_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

/// The request part of the checkpoint: what a resume needs to rebuild the calibration.
std::string request_text(const CalibrateOptions& o, const CalibrationRecord& r) {
    std::string out = "brink-calibration 1\nmodel_version " + std::to_string(kModelVersion) + "\nstream_scheme " + kStreamScheme + " " +
                      std::to_string(kStreamSchemeVersion) + "\n";
    out += "scenario " + o.scenario + "\ntimeline " + o.timeline + "\nuntil " + format_date(r.until_day) + "\n";
    for (const std::string& s : o.overrides) out += "set " + s + "\n";
    for (const std::string& p : o.params) out += "param " + p + "\n";
    out += "particles " + std::to_string(r.plan.particles) + "\nruns_per_particle " + std::to_string(r.runs_per_particle) + "\nseed " +
           std::to_string(r.plan.seed) + "\ness_target " + exact_text(r.plan.ess_target) + "\nmax_moves " + std::to_string(r.plan.max_moves) +
           "\nscenario_hash " + std::to_string(r.scenario_hash) + "\ntimeline_hash " + std::to_string(r.timeline_hash) + "\nstarted " +
           r.started + "\nwall_seconds " + exact_text(r.wall_seconds) + "\n---\n";
    return out;
}

/// Reads a checkpoint's request into options; the state follows "---". Prints why not; false then.
bool read_request(const std::string& dir, CalibrateOptions& o, std::string& state_text, std::map<std::string, std::string>& fields) {
    const std::string path = (fs::path(dir) / kCheckpointFile).string();
    if (!fs::exists(path)) return fail(dir + " holds no calibration to resume (no " + kCheckpointFile + ")"), false;
    const std::string text = file_text(path);
    const auto split = text.find("\n---\n");
    if (text.rfind("brink-calibration 1\n", 0) != 0 || split == std::string::npos) return fail(path + " is damaged or from another Brink"), false;
    std::istringstream in(text.substr(0, split));
    std::string line;
    while (std::getline(in, line)) {
        const auto space = line.find(' ');
        const std::string key = line.substr(0, space), value = space == std::string::npos ? "" : line.substr(space + 1);
        if (key == "set") o.overrides.push_back(value);
        else if (key == "param") o.params.push_back(value);
        else fields[key] = value;
    }
    const std::string here = std::to_string(kModelVersion), scheme = std::string(kStreamScheme) + " " + std::to_string(kStreamSchemeVersion);
    if (fields["model_version"] != here || fields["stream_scheme"] != scheme)
        return fail(dir + " was calibrated with model version " + fields["model_version"] + " and streams " + fields["stream_scheme"] +
                    "; this Brink has model version " + here + " and streams " + scheme + ": start a new calibration"),
               false;
    o.scenario = fields["scenario"];
    o.timeline = fields["timeline"];
    o.until = fields["until"];
    std::string error;
    o.particles = parse_integer(fields["particles"], "particles", 2, 100000000, error);
    o.runs_per_particle = parse_integer(fields["runs_per_particle"], "runs_per_particle", 1, 100000000, error);
    o.seed = parse_integer(fields["seed"], "seed", 0, kMaxSeed, error);
    o.max_moves = parse_integer(fields["max_moves"], "max_moves", 1, 1000, error);
    o.ess_target = std::strtod(fields["ess_target"].c_str(), nullptr);
    if (!error.empty()) return fail(path + " is damaged: " + error), false;
    state_text = text.substr(split + 5);
    return true;
}

/// A progress line on stderr: the generation, its temperature and the current step's ETA.
std::function<void(const CalibrationProgress&)> progress_line(bool quiet) {
    if (quiet || !is_terminal(STDERR_FILENO)) return {};
    auto state = std::make_shared<std::pair<int, std::chrono::steady_clock::time_point>>(-1, std::chrono::steady_clock::now());
    auto last_print = std::make_shared<std::chrono::steady_clock::time_point>();
    return [state, last_print](const CalibrationProgress& p) {
        const auto now = std::chrono::steady_clock::now();
        const int step_id = p.generation * 1000 + p.step;
        if (state->first != step_id) *state = {step_id, now};
        if (now - *last_print < std::chrono::milliseconds(200) && p.done < p.total) return;
        *last_print = now;
        const double t = std::chrono::duration<double>(now - state->second).count();
        const double eta = p.done ? t * static_cast<double>(p.total - p.done) / static_cast<double>(p.done) : 0.0;
        std::fprintf(stderr, "\r  generation %d  temperature %.3f  %s %d/%d  %llu/%llu parameter sets  ETA %s   ", p.generation, p.temperature,
                     p.generation == 0 ? "prior draws" : "move", p.step, p.steps, static_cast<unsigned long long>(p.done),
                     static_cast<unsigned long long>(p.total), clock_text(eta).c_str());
    };
}

void print_generation(const Generation& g, std::uint64_t runs_per_particle) {
    if (g.index == 0) {
        std::printf("  generation 0: %zu prior draws, %llu runs, %.1f s\n", g.population.size(),
                    static_cast<unsigned long long>(g.evaluations * runs_per_particle), g.seconds);
        return;
    }
    std::printf("  generation %d: temperature %.4f  ESS %.0f  %d move%s, acceptance %.2f  %llu runs  %.1f s\n", g.index, g.temperature, g.ess,
                g.move_steps, g.move_steps == 1 ? "" : "s", g.acceptance, static_cast<unsigned long long>(g.evaluations * runs_per_particle),
                g.seconds);
}

void print_summary(const CalibrationRecord& r, const CalibrationState& state) {
    const Generation& g = state.generations.back();
    std::printf("\n  %-44s %-24s %9s  %-21s\n", "parameter", "prior", "median", "90% interval");
    for (std::size_t k = 0; k < r.paths.size(); ++k) {
        char interval[64];
        std::snprintf(interval, sizeof interval, "[%.3g, %.3g]", weighted_quantile(g.population, g.weights, k, 0.05),
                      weighted_quantile(g.population, g.weights, k, 0.95));
        std::printf("  %-44s %-24s %9.3g  %-21s\n", r.paths[k].c_str(), r.priors[k].text.c_str(), weighted_quantile(g.population, g.weights, k, 0.5),
                    interval);
    }
    std::printf("\n  ln P(observations) under the prior (SMC estimate): %.2f\n", g.log_evidence);
}

/// The folder's files as they stand; `final` adds summary.csv and calibrated.yaml.
std::vector<std::pair<std::string, std::string>> folder_files(const CalibrationRecord& r, const CalibrationState& state, const std::string& dir,
                                                              const std::string& request) {
    std::vector<std::pair<std::string, std::string>> files{
        {kCheckpointFile, request + calibration_state_text(state)},
        {"posterior.csv", posterior_csv(r, state)},
        {"diagnostics.csv", calibration_diagnostics_csv(r, state)},
        {"manifest.json", calibration_manifest(r, state)},
    };
    if (state.complete()) {
        files.emplace_back("summary.csv", calibration_summary_csv(r, state));
        const std::string extends = fs::relative(fs::absolute(r.scenario_file), fs::absolute(dir)).generic_string();
        files.emplace_back("calibrated.yaml", calibrated_yaml(r, state, extends));
    }
    return files;
}

int run_calibrate(CalibrateOptions o, const std::string& command_line) {
    CalibrationState state;
    std::map<std::string, std::string> resumed_fields;
    const bool resuming = !o.resume.empty();
    if (resuming) {
        if (!o.scenario.empty() || !o.params.empty()) return fail("--resume DIR takes the calibration's settings from DIR; give no scenario, timeline or --param");
        o.out = o.resume;
        try {
            check_manifest_versions(o.resume);
        } catch (const OutputError& e) {
            return fail(e.what());
        }
        std::string state_text;
        if (!read_request(o.resume, o, state_text, resumed_fields)) return usage_error;
        try {
            state = read_calibration_state(state_text, o.params.size());
        } catch (const CalibrationError& e) {
            return fail(e.what());
        }
    } else if (o.scenario.empty() || o.timeline.empty()) {
        return fail("give a SCENARIO and a TIMELINE (or --resume DIR)");
    }
    if (o.params.empty()) return fail("give at least one --param PATH=PRIOR (e.g. leaders.putin.traits.risk_tolerance=uniform(0.3, 0.95))");
    if (o.until.empty()) return fail("--until DATE is required: the observations decided on or before it are calibrated against");
    const std::optional<int> until = parse_date(o.until);
    if (!until) return fail("--until: expected a date YYYY-MM-DD, found '" + o.until + "'");

    CalibrationRecord r;
    r.command_line = command_line;
    r.scenario_file = o.scenario;
    r.until_day = *until;
    r.started = resuming ? resumed_fields["started"] : timestamp("%Y-%m-%dT%H:%M:%SZ");
    const double earlier_seconds = resuming ? std::strtod(resumed_fields["wall_seconds"].c_str(), nullptr) : 0.0;
    const auto loaded = load_or_report(o.scenario, o.overrides);
    if (!loaded) return usage_error;
    const Scenario& s = loaded->scenario;
    if (!s.start_day) return fail(o.scenario + " has no calendar: give it run.start_date (YYYY-MM-DD) to read " + o.timeline + " against it");
    Timeline window;
    try {
        window = load_timeline(o.timeline, s);
    } catch (const ScenarioError& e) {
        print_diagnostics(e);
        return usage_error;
    }
    // the observations decided by --until, and nothing else: no question takes part
    std::erase_if(window.observations, [&](const Observation& ob) { return ob.claim.last_day > *until; });
    window.questions.clear();
    if (window.observations.empty())
        return fail(o.timeline + " has no observation decided on or before " + o.until + ": nothing to calibrate against");
    for (const Observation& ob : window.observations) r.observations.push_back(ob.id);
    r.scenario_name = s.name;
    r.scenario_hash = loaded->hash;
    r.scenario_files = loaded->files;
    r.overrides = o.overrides;
    r.timeline_file = o.timeline;
    r.timeline_hash = fnv1a64(file_text(o.timeline));
    if (resuming && (std::to_string(r.scenario_hash) != resumed_fields["scenario_hash"] || std::to_string(r.timeline_hash) != resumed_fields["timeline_hash"]))
        return fail("the scenario or the timeline changed since " + o.resume + " was started; start a new calibration");
    if (!read_parameters(o, r)) return usage_error;
    r.plan.particles = o.particles.value_or(400);
    r.plan.seed = o.seed.value_or(s.default_seed);
    r.plan.threads = o.threads.value_or(0);
    r.plan.ess_target = o.ess_target;
    r.plan.max_moves = static_cast<int>(o.max_moves.value_or(8));
    r.runs_per_particle = o.runs_per_particle.value_or(400);
    r.threads = o.threads.value_or(omp_get_max_threads());
    if (!(r.plan.ess_target > 0.0 && r.plan.ess_target < 1.0)) return fail("--ess-target must be in (0, 1), found " + exact_text(r.plan.ess_target));

    const std::string dir = o.out.empty() ? "results/" + fs::path(o.scenario).stem().string() + "-calibration-" + timestamp("%Y%m%d-%H%M%S") : o.out;
    std::optional<FolderLock> lock;
    try {
        lock.emplace(resuming ? FolderLock(dir) : lock_new_folder(dir));
    } catch (const OutputError& e) {
        return exit_code_for("calibrate", e);
    }
    const LogLikelihood likelihood = [&](const std::vector<double>& theta, std::uint64_t key) {
        const LoadedScenario point = load_scenario(o.scenario, overrides_for(o.overrides, r.paths, theta));
        return log_evidence(point.scenario, window, *until, r.runs_per_particle, key);
    };
    if (!o.quiet) {
        std::printf("%s against %zu observation%s of %s to %s: %zu parameter%s, %llu particles x %llu runs, seed %llu\n", s.name.c_str(),
                    window.observations.size(), window.observations.size() == 1 ? "" : "s", o.timeline.c_str(), o.until.c_str(), r.paths.size(),
                    r.paths.size() == 1 ? "" : "s", static_cast<unsigned long long>(r.plan.particles),
                    static_cast<unsigned long long>(r.runs_per_particle), static_cast<unsigned long long>(r.plan.seed));
        if (resuming) std::printf("  resuming after generation %d\n", state.generations.empty() ? -1 : state.generations.back().index);
    }
    const auto t0 = std::chrono::steady_clock::now();
    const auto seconds = [&] { return earlier_seconds + std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
    const auto write = [&](const CalibrationState& now) {
        r.ended = timestamp("%Y-%m-%dT%H:%M:%SZ");
        r.wall_seconds = seconds();
        const std::string request_now = request_text(o, r);
        for (const auto& [name, text] : folder_files(r, now, dir, request_now)) write_file_atomically((fs::path(dir) / name).string(), text);
    };
    install_signal_handlers();
    const auto progress = progress_line(o.quiet);
    try {
        if (!resuming) write(state);
        point_latest_at("calibrate", dir);  // from here on the folder resumes
        calibrate(r.priors, r.plan, likelihood, state, &stop_flag(), [&](const CalibrationState& now) {
            if (progress) std::fprintf(stderr, "\r%100s\r", "");
            if (!o.quiet) print_generation(now.generations.back(), r.runs_per_particle), std::fflush(stdout);
            write(now);
        }, progress);
    } catch (const std::exception& e) {
        return exit_code_for("calibrate", e);
    }
    if (!state.complete()) {
        if (stop_flag().load()) {
            std::cerr << "\nbrink calibrate: interrupted; " << state.generations.size() << " generation(s) kept. Continue with: brink calibrate --resume " << dir << "\n";
            return stop_exit_code();
        }
        std::cerr << "brink calibrate: the temperature did not reach 1 in " << r.plan.max_generations << " generations; the folder holds them\n";
        return runtime_failure;
    }
    if (!o.quiet) print_summary(r, state);
    std::printf("%zu generations, %.1f s; results in: %s/\n", state.generations.size(), r.wall_seconds, dir.c_str());
    return ok;
}

/// Splits one CSV line (posterior.csv has no quoted commas: its paths are dotted names).
std::vector<std::string> cells_of(const std::string& line) {
    std::vector<std::string> cells;
    std::size_t begin = 0;
    while (true) {
        const auto comma = line.find(',', begin);
        cells.push_back(line.substr(begin, comma - begin));
        if (comma == std::string::npos) return cells;
        begin = comma + 1;
    }
}

}  // namespace

std::optional<LoadedEnsemble> load_ensemble(const std::string& file, const std::string& scenario, const std::vector<std::string>& overrides,
                                            std::uint64_t seed) {
    const auto bad = [&](int line, const std::string& why) {
        std::cerr << "brink run: --ensemble " << file << (line ? ":" + std::to_string(line) : "") << ": " << why << "\n";
        return std::nullopt;
    };
    std::ifstream in(file);
    if (!in) return bad(0, "cannot be read (expected the posterior.csv of a brink calibrate folder)");
    std::string line;
    std::getline(in, line);
    const std::vector<std::string> header = cells_of(line);
    const std::vector<std::string> fixed{"generation", "particle", "weight", "temperature", "log_likelihood"};
    if (header.size() <= fixed.size() || !std::equal(fixed.begin(), fixed.end(), header.begin()))
        return bad(1, "expected the header generation,particle,weight,temperature,log_likelihood,<parameter paths>, found '" + line + "'");
    LoadedEnsemble e;
    e.paths.assign(header.begin() + static_cast<long>(fixed.size()), header.end());
    // the last generation is the posterior; identical parameter sets (resampling copies) merge
    std::map<std::vector<double>, double> sets;
    int last = -1, number = 1;
    double temperature = 0.0;
    while (std::getline(in, line)) {
        ++number;
        if (line.empty()) continue;
        const std::vector<std::string> cells = cells_of(line);
        if (cells.size() != header.size()) return bad(number, "expected " + std::to_string(header.size()) + " cells, found " + std::to_string(cells.size()));
        std::vector<double> v;
        for (std::size_t k = 0; k < cells.size(); ++k) {
            char* end = nullptr;
            const double x = std::strtod(cells[k].c_str(), &end);
            if (cells[k].empty() || *end != '\0' || (k != 4 && !std::isfinite(x)))
                return bad(number, "column " + header[k] + ": expected a number, found '" + cells[k] + "'");
            v.push_back(x);
        }
        if (v[0] != std::floor(v[0]) || v[0] < 0) return bad(number, "generation: expected a whole number, found '" + cells[0] + "'");
        if (static_cast<int>(v[0]) > last) sets.clear(), last = static_cast<int>(v[0]);
        if (static_cast<int>(v[0]) < last) continue;
        if (!(v[2] >= 0.0)) return bad(number, "weight: expected a number >= 0, found '" + cells[2] + "'");
        temperature = v[3];
        sets[std::vector<double>(v.begin() + static_cast<long>(fixed.size()), v.end())] += v[2];
    }
    if (sets.empty()) return bad(0, "holds no particles");
    if (temperature < 1.0)
        std::cerr << "brink run: warning: the last generation of " << file << " is at temperature " << temperature
                  << ", not 1: the calibration did not finish, so these are not posterior draws\n";
    double total = 0.0;
    for (const auto& [theta, w] : sets) total += w;
    if (!(total > 0.0)) return bad(0, "the last generation's weights sum to 0");
    double cumulative = 0.0;
    for (const auto& [theta, w] : sets) {
        try {
            e.ensemble.members.push_back(load_scenario(scenario, overrides_for(overrides, e.paths, theta)).scenario);
        } catch (const ScenarioError& error) {
            std::cerr << "brink run: --ensemble " << file << ": a parameter set the scenario refuses:\n";
            print_diagnostics(error);
            return std::nullopt;
        }
        e.values.push_back(theta);
        e.weights.push_back(w / total);
        cumulative += w / total;
        e.ensemble.cumulative.push_back(cumulative);
    }
    e.ensemble.cumulative.back() = 1.0;
    e.ensemble.seed = seed;
    e.generation = last;
    return e;
}

Command add_calibrate_command(CLI::App& app, const std::string& command_line) {
    auto o = std::make_shared<CalibrateOptions>();
    CLI::App* cmd = app.add_subcommand("calibrate", "Fit uncertain scenario numbers to a timeline's observations (Bayesian, SMC)");
    cmd->add_option("scenario", o->scenario, "Scenario file (YAML, with run.start_date)");
    cmd->add_option("timeline", o->timeline, "Timeline file (YAML, docs/timelines.md)");
    cmd->add_option("--param", o->params, "PATH=PRIOR: a number to calibrate and its prior: uniform(LOW, HIGH), loguniform(LOW, HIGH), "
                                          "beta(A, B[, LOW, HIGH]), normal(MEAN, SD, LOW, HIGH) (repeatable)");
    cmd->add_option("--until", o->until, "Calibrate against the observations decided on or before this date (YYYY-MM-DD)");
    add_integer_option(cmd, "--particles", o->particles, 2, 100000000, "Parameter sets carried through the calibration (default 400)");
    add_integer_option(cmd, "--runs-per-particle", o->runs_per_particle, 1, 100000000,
                       "Runs that estimate each parameter set's likelihood (default 400)");
    add_integer_option(cmd, "--seed", o->seed, 0, kMaxSeed, "Master seed (default: the scenario's run.seed)");
    add_integer_option(cmd, "--threads", o->threads, 1, kMaxThreads, "Threads (omit for all cores); the results do not depend on it");
    add_integer_option(cmd, "--max-moves", o->max_moves, 1, 1000, "Metropolis-Hastings steps per generation, at most (default 8)");
    cmd->add_option("--ess-target", o->ess_target, "Share of the particles each new temperature keeps effective (default 0.5)");
    cmd->add_option("--out", o->out, "Output folder (default results/<scenario>-calibration-<time>); must not hold files");
    CLI::Option* resume = cmd->add_option("--resume", o->resume, "Continue the interrupted calibration in this folder (--resume --latest: in results/latest)")
                              ->expected(0, 1);
    add_latest_flag(cmd, o->latest, nullptr, "With --resume: continue the folder results/latest names");
    cmd->add_option("--set", o->overrides, "Override a scenario field: path=value (repeatable)");
    cmd->add_flag("--quiet", o->quiet, "Print only the folder");
    return Command{cmd, [o, command_line, resume] {
                       if (const int code = resume_folder("calibrate", resume->count() > 0, o->latest, o->resume); code != ok) return code;
                       return run_calibrate(*o, command_line);
                   }};
}

}  // namespace brink::cli
