// The files of `brink run --given` and `brink backtest` (docs/timelines.md, "Files").
// Text only: the command writes each one with write_file_atomically().
#pragma once

#include <string>
#include <vector>

#include "brink/history.hpp"

namespace brink {

/// What a conditioned run or back-test was asked to do (its manifest.json).
struct HistoryRecord {
    std::string kind;     ///< the folder's kind for analysis/: "given", "backtest" or "branch"
    std::string command;  ///< what was done, in words
    std::string command_line;
    std::string scenario_name;
    std::uint64_t scenario_hash = 0;
    std::vector<std::string> scenario_files;
    std::string timeline_file;
    std::uint64_t timeline_hash = 0;
    std::string ensemble_file;  ///< a calibration's posterior.csv the runs drew parameter sets from (empty: none)
    ConditionPlan plan;
    int threads = 0;
    double wall_seconds = 0.0;
};

/// odds.csv: one row per as-of date and quantity (outcome, question, rung reached).
std::string odds_csv(const Scenario& scenario, const Timeline& timeline, const std::vector<OddsAsOf>& series);
/// stages.csv: one row per as-of date and conditioning stage (ESS, acceptance).
std::string stages_csv(const std::vector<OddsAsOf>& series);
/// forecasts.csv: the timeline's published forecasts, one row each.
std::string forecasts_csv(const Timeline& timeline);
/// backtest.csv: one row per scored forecast (Brink's and the forecasters').
std::string backtest_csv(const std::vector<ScoredForecast>& scored);
/// backtest.json: the scored forecasts, the mean scores and the dates' ESS in one document.
std::string backtest_json(const Backtest& backtest);
/// reliability.csv: by forecaster ("Brink", ...) and probability bin.
std::string reliability_csv(const std::vector<ScoredForecast>& scored);
std::string history_manifest(const HistoryRecord& record, const std::string& started, const std::string& ended);

/// A paused run as a state file (docs/timelines.md, "State files"): YAML a person can
/// read and edit, and `brink branch --state` loads (load_state, scenario.hpp).
std::string state_yaml(const Scenario& scenario, const RunSnapshot& run, const std::string& origin);

}  // namespace brink
