// The files of a calibration folder (docs/calibration.md, "Files"). Text only: the
// command writes each one with write_file_atomically().
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "brink/calibration.hpp"

namespace brink {

/// What a calibration was asked to do, and how far it got.
struct CalibrationRecord {
    std::string command_line;
    std::string scenario_name, scenario_file;
    std::uint64_t scenario_hash = 0;
    std::vector<std::string> scenario_files, overrides;
    std::string timeline_file;
    std::uint64_t timeline_hash = 0;
    int until_day = 0;
    std::vector<std::string> observations;  ///< ids of those used (decided by until_day)
    std::vector<std::string> paths;         ///< the parameters, in order
    std::vector<Prior> priors;
    CalibrationPlan plan;
    std::uint64_t runs_per_particle = 0;
    int threads = 0;
    double wall_seconds = 0.0;  ///< over every session of the calibration
    std::string started, ended;
};

/// posterior.csv: every generation's population (the last is the posterior).
std::string posterior_csv(const CalibrationRecord& record, const CalibrationState& state);
/// diagnostics.csv: one row per generation.
std::string calibration_diagnostics_csv(const CalibrationRecord& record, const CalibrationState& state);
/// summary.csv: per parameter, the prior and the posterior's median, mean, sd and 90% interval.
std::string calibration_summary_csv(const CalibrationRecord& record, const CalibrationState& state);
/// calibrated.yaml: a scenario that extends the calibrated one (at `extends_path`, relative
/// to the folder) with the --set overrides and each parameter at its posterior median.
std::string calibrated_yaml(const CalibrationRecord& record, const CalibrationState& state, const std::string& extends_path);
std::string calibration_manifest(const CalibrationRecord& record, const CalibrationState& state);

}  // namespace brink
