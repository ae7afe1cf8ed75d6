// Shared by the subcommands: exit codes, the registry, signals, small formatting helpers.
#pragma once

#include <CLI/CLI.hpp>
#include <atomic>
#include <functional>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "brink/engine.hpp"
#include "brink/scenario.hpp"

namespace brink::cli {

/// Exit codes (README.md, docs/outputs.md#exit-codes). 74 and 75 are sysexits.h's
/// EX_IOERR and EX_TEMPFAIL, so that wrappers which know those read them right.
enum Exit : int {
    ok = 0,
    runtime_failure = 1,  ///< the batch finished but some runs failed (errors.csv); or an unexpected internal error
    usage_error = 2,      ///< bad flags, bad scenario, output folder unusable (not empty, unwritable, other version)
    game_unfinished = 3,  ///< brink play: the input ended before the game did
    io_error = 74,        ///< writing results failed after the start (disk full, read-only); the folder resumes
    folder_busy = 75,     ///< another brink process is writing to the folder: try again when it is done
    interrupted_sigint = 130,
    interrupted_sigterm = 143,
};

/// A registered subcommand: its CLI11 node and what to do when it was chosen.
struct Command {
    CLI::App* app = nullptr;
    std::function<int()> run;
};

/// Each subcommand lives in its own file and registers itself on the app.
Command add_run_command(CLI::App& app, const std::string& command_line);
Command add_validate_command(CLI::App& app);
Command add_exact_command(CLI::App& app);
Command add_sweep_command(CLI::App& app, const std::string& command_line);
Command add_compare_command(CLI::App& app, const std::string& command_line);
Command add_sensitivity_command(CLI::App& app, const std::string& command_line);
Command add_trace_command(CLI::App& app);
Command add_play_command(CLI::App& app);
Command add_report_command(CLI::App& app);
Command add_backtest_command(CLI::App& app, const std::string& command_line);
Command add_branch_command(CLI::App& app, const std::string& command_line);
Command add_calibrate_command(CLI::App& app, const std::string& command_line);
Command add_schema_command(CLI::App& app);
Command add_new_command(CLI::App& app);
/// brink trace --save-state: writes run `run` of `seed`, paused after `tick`, as a state file.
int save_state_file(const Scenario& scenario, std::uint64_t seed, std::uint64_t run, int tick, const std::string& path);

/// brink run's --given, --as-of and --ess-floor (history_commands.cpp).
struct GivenState {
    std::string timeline;
    std::string as_of;
    std::optional<std::uint64_t> ess_floor;
};
using GivenOptions = std::shared_ptr<GivenState>;
GivenOptions add_given_options(CLI::App* run);
/// What a conditioned run takes from brink run's own flags.
struct GivenRunInputs {
    std::string scenario, out;
    std::vector<std::string> overrides;
    std::optional<std::uint64_t> runs, seed;
    std::optional<int> threads;
    bool quiet = false;
    std::string ensemble;  ///< --ensemble: a calibration's posterior.csv
};
int run_given_command(const GivenState& given, const GivenRunInputs& run, const std::string& command_line);

/// A calibration's posterior as an ensemble of scenarios (brink run --ensemble).
struct LoadedEnsemble {
    Ensemble ensemble;
    std::vector<std::string> paths;
    std::vector<std::vector<double>> values;  ///< by member
    std::vector<double> weights;              ///< by member, normalised
    int generation = 0;
};
/// Reads posterior.csv's last generation (identical sets merged) and builds each member
/// from `scenario` with `overrides` and its values; prints the problem, nullopt on one.
std::optional<LoadedEnsemble> load_ensemble(const std::string& posterior_csv, const std::string& scenario,
                                            const std::vector<std::string>& overrides, std::uint64_t seed);

/// Prints "brink COMMAND: what" for an exception that stopped a command and returns its
/// exit code: 75 another writer holds the folder, 74 writing failed, 2 a usage or input
/// error (an unusable folder, a scenario, a timeline, an observation no run satisfies, a
/// calibration's inputs), 1 anything else.
int exit_code_for(const std::string& command, const std::exception& e);

/// SIGINT/SIGTERM set this flag; long commands poll it. The only process-wide state.
const std::atomic<bool>& stop_flag();
int stop_exit_code();  ///< 130 after SIGINT, 143 after SIGTERM
void install_signal_handlers();

/// Loads a scenario, printing every problem to stderr; nullptr when it has problems.
std::unique_ptr<LoadedScenario> load_or_report(const std::string& file, const std::vector<std::string>& overrides);
void print_diagnostics(const ScenarioError& e);

/// An integer option's value: decimal digits only (no sign, space, hex or exponent), in
/// [low, high]; otherwise nullopt, with `error` naming the option, the range and the text.
std::optional<std::uint64_t> parse_integer(const std::string& text, const std::string& option, std::uint64_t low,
                                           std::uint64_t high, std::string& error);

/// Adds an integer option read by parse_integer as the command line is parsed: a bad value
/// stops the command with the message and exit 2. `store` receives a good one.
CLI::Option* add_integer_option(CLI::App* cmd, const std::string& name, std::uint64_t low, std::uint64_t high,
                                std::function<void(std::uint64_t)> store, const std::string& help);

/// Bounds shared by every command: --runs as run.runs in the schema; --threads.
inline constexpr std::uint64_t kMaxRuns = 1000000000000;
inline constexpr std::uint64_t kMaxThreads = 4096;
inline constexpr std::uint64_t kMaxSeed = std::numeric_limits<std::uint64_t>::max();

template <typename T> struct integer_of { using type = T; };
template <typename T> struct integer_of<std::optional<T>> { using type = T; };

/// The same, into `target`: an integer, or a std::optional of one (empty: not given).
template <typename T>
CLI::Option* add_integer_option(CLI::App* cmd, const std::string& name, T& target, std::uint64_t low, std::uint64_t high,
                                const std::string& help) {
    using Value = typename integer_of<T>::type;
    return add_integer_option(cmd, name, low, high, [&target](std::uint64_t v) { target = static_cast<Value>(v); }, help);
}

std::string timestamp(const char* format);  ///< UTC, strftime format
std::string clock_text(double seconds);     ///< m:ss or h:mm:ss
std::string percent(double p);              ///< "12.3%"
/// "escalation, deescalation, frozen_conflict or ongoing_war": the names --outcome takes.
std::string outcome_names_text();
/// Why --outcome `name` is refused (a run at the horizon was a "stalemate" before it split).
/// --outcome's value: an outcome as the files spell it (deescalation) or as tables print it
/// (de-escalation, "frozen conflict", frozen-conflict).
std::optional<Outcome> parse_outcome_option(const std::string& name);
std::string unknown_outcome_text(const std::string& name);
bool is_terminal(int fd);

}  // namespace brink::cli
