// Running experiments: sweeps, comparisons and sensitivity analyses over real
// scenarios, with their result folders. Builds on the scenario loader (every
// point is the base scenario plus --set style overrides, validated the same way),
// the engine and the output room.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "brink/engine.hpp"
#include "brink/experiment.hpp"

namespace brink {

/// Progress over a whole experiment (all points).
using StudyProgress = std::function<void(std::uint64_t done, std::uint64_t total)>;

struct StudyOptions {
    std::uint64_t runs = 0;  ///< runs per point (0: the scenario's default)
    std::uint64_t seed = 0;
    bool seed_given = false;
    int threads = 0;
    std::uint64_t block_size = 4096;
    std::string command_line;
    const std::atomic<bool>* stop = nullptr;
    StudyProgress progress;
    /// Called with a sweep's folder once it resumes (its plan on disk, or locked for a resume).
    std::function<void(const std::string&)> folder_ready;
};

// ---------------------------------------------------------------- sweep

struct SweepPlan {
    std::string scenario_file;
    std::vector<std::string> overrides;  ///< applied to every point before the point's own
    std::vector<Axis> axes;
    int samples = 0;  ///< > 0: Latin hypercube with this many points; 0: the full grid
};

struct SweepStatus {
    std::size_t points = 0, points_done = 0;
    bool interrupted = false;
    std::uint64_t failed_runs = 0;
};

/// Axes and sample count declared in a scenario's `experiment:` section.
SweepPlan sweep_plan_from_scenario(const std::string& scenario_file, const std::vector<std::string>& overrides);

/// Runs a sweep into `dir` (which must not hold files): points/NNNN/ is a full run folder
/// for each point; sweep.csv has one row per point. Throws ScenarioError (some point is invalid),
/// ExperimentError or OutputError before anything is written.
SweepStatus run_sweep(const SweepPlan& plan, const std::string& dir, const StudyOptions& options);
/// Continues an interrupted sweep.
SweepStatus resume_sweep(const std::string& dir, const StudyOptions& options);

// ---------------------------------------------------------------- compare

struct OutcomeColumn {
    std::uint64_t seed = 0;
    std::vector<std::uint64_t> run_ids;
    std::vector<std::uint8_t> outcomes;  ///< Outcome codes by row
    std::vector<int> end_ticks;
    std::string scenario;
};

/// Reads run id, seed, outcome and end tick of every row of DIR/runs.csv.
OutcomeColumn read_outcomes(const std::string& dir);

struct Comparison {
    std::string label_a, label_b;
    std::array<PairedDifference, kOutcomeCount> outcomes;
};

/// Pairs two result folders run by run; they must share seed and run ids.
Comparison compare_folders(const std::string& dir_a, const std::string& dir_b);

/// Runs scenarios A and B with common random numbers into dir/a and dir/b, then compares them.
Comparison compare_scenarios(const std::string& file_a, const std::string& file_b, const std::vector<std::string>& overrides,
                             const std::string& dir, const StudyOptions& options);

/// Creates `dir`, or accepts it if it exists and is empty; throws OutputError otherwise.
void prepare_output_folder(const std::string& dir);

/// Writes compare.csv and manifest.json into `dir`.
void write_comparison(const Comparison& c, const std::string& dir, const std::string& command_line);

// ---------------------------------------------------------------- sensitivity

struct SensitivityPlan {
    std::string scenario_file;
    std::vector<std::string> overrides;
    std::vector<Axis> parameters;  ///< ranges
    bool sobol = true, morris = true;
    int base_samples = 32;   ///< Saltelli N
    int trajectories = 10;   ///< Morris r
    int levels = 4;          ///< Morris p
    int resamples = 200;     ///< bootstrap resamples for Sobol intervals
    Outcome outcome = Outcome::escalation;
};

/// One row of sensitivity.csv.
struct SensitivityRow {
    std::string parameter;
    std::string method;  ///< "sobol" or "morris"
    std::string index;   ///< "S1", "ST", "mu_star" or "sigma"
    IndexEstimate estimate;
};

struct SensitivityResult {
    bool complete = false;  ///< false if interrupted (nothing is written then)
    std::vector<SensitivityRow> rows;
    std::uint64_t failed_runs = 0;  ///< runs that threw, over all design points
};

/// Estimates how the chosen outcome's probability depends on each parameter; writes
/// sensitivity.csv, design.csv and manifest.json into `dir`.
SensitivityResult run_sensitivity(const SensitivityPlan& plan, const std::string& dir, const StudyOptions& options);

}  // namespace brink
