#include "common.hpp"

#include "brink/calibration.hpp"
#include "brink/history.hpp"
#include "brink/output.hpp"
#include "data_dirs.hpp"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iostream>

namespace brink::cli {

namespace {

std::atomic<bool> g_stop{false};
std::atomic<int> g_signal{0};
static_assert(std::atomic<bool>::is_always_lock_free && std::atomic<int>::is_always_lock_free,
              "the signal handler may only touch lock-free atomics");

extern "C" void on_signal(int sig) {
    g_signal.store(sig);
    g_stop.store(true);
}

}  // namespace

const std::atomic<bool>& stop_flag() { return g_stop; }

int stop_exit_code() { return g_signal.load() == SIGTERM ? interrupted_sigterm : interrupted_sigint; }

void install_signal_handlers() {
    struct sigaction action {};
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
}

namespace {

/// For a scenario file that is not there: where the shipped scenarios are (a newcomer outside
/// the clone types `baseline.yaml`), naming the shipped file of that name when there is one.
void hint_shipped_scenarios(const std::string& file) {
    const std::optional<std::string> folder = shipped_path("scenarios");
    if (!folder) return;
    const std::string name = std::filesystem::path(file).filename().string();
    std::error_code ec;
    if (const auto same_name = name.empty() ? std::nullopt : shipped_path("scenarios/" + name);
        same_name && std::filesystem::is_regular_file(*same_name, ec))
        std::cerr << "did you mean " << *same_name << "? (the shipped scenarios are in " << *folder << "/)\n";
    else
        std::cerr << "the shipped scenarios are in " << *folder << "/\n";
}

}  // namespace

void print_diagnostics(const ScenarioError& e) {
    for (const Diagnostic& d : e.diagnostics()) std::cerr << d.to_string() << "\n";
    for (const Diagnostic& d : e.diagnostics())  // a file named on the command line that is not there
        if (d.line == 0 && d.message == "cannot open: no such file") hint_shipped_scenarios(d.file);
    const std::size_t n = e.diagnostics().size();
    std::cerr << n << (n == 1 ? " problem" : " problems") << " found.\n";
}

std::unique_ptr<LoadedScenario> load_or_report(const std::string& file, const std::vector<std::string>& overrides) {
    try {
        return std::make_unique<LoadedScenario>(load_scenario(file, overrides));
    } catch (const ScenarioError& e) {
        print_diagnostics(e);
        return nullptr;
    }
}

std::optional<std::uint64_t> parse_integer(const std::string& text, const std::string& option, std::uint64_t low,
                                           std::uint64_t high, std::string& error) {
    // from_chars alone would take a leading '-' for unsigned as an error but stop quietly
    // at a trailing letter; digits only, all consumed, no overflow, then the range.
    std::uint64_t value = 0;
    const char* end = text.data() + text.size();
    const bool digits = !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
    const auto [stop, ec] = std::from_chars(text.data(), end, value);
    if (digits && ec == std::errc() && stop == end && value >= low && value <= high) return value;
    const std::string range = low == 1 ? "a positive integer (at most " + std::to_string(high) + ")"
                                       : "an integer in [" + std::to_string(low) + ", " + std::to_string(high) + "]";
    error = option + " must be " + range + ", found '" + text + "'";
    if (digits && ec == std::errc::result_out_of_range) error += " (too large)";
    return std::nullopt;
}

CLI::Option* add_integer_option(CLI::App* cmd, const std::string& name, std::uint64_t low, std::uint64_t high,
                                std::function<void(std::uint64_t)> store, const std::string& help) {
    const std::string prefix = "brink " + cmd->get_name() + ": ";
    const auto read = [store = std::move(store), name, low, high, prefix](const std::string& text) {
        std::string error;
        const auto value = parse_integer(text, name, low, high, error);
        if (!value) throw CLI::ValidationError(prefix + error);  // CLI11 prints it; main exits 2
        store(*value);
    };
    return cmd->add_option_function<std::string>(name, read, help)->type_name("INT");
}

std::string timestamp(const char* format) {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, format, &tm);
    return buf;
}

std::string clock_text(double seconds) {
    const long s = static_cast<long>(seconds + 0.5);
    char buf[32];
    if (s >= 3600) std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
    else std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
    return buf;
}

std::string percent(double p) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f%%", 100.0 * p);
    return buf;
}

bool is_terminal(int fd) { return ::isatty(fd) == 1; }

std::string outcome_names_text() {
    std::string text;
    for (int k = 0; k < kOutcomeCount; ++k) {
        if (k > 0) text += k + 1 == kOutcomeCount ? " or " : ", ";
        text += outcome_name(static_cast<Outcome>(k));
    }
    return text;
}

std::optional<Outcome> parse_outcome_option(const std::string& name) {
    if (const auto outcome = parse_outcome(name)) return outcome;
    for (int k = 0; k < kOutcomeCount; ++k) {  // as the tables print it: "de-escalation", "frozen conflict" (or frozen-conflict)
        std::string label = outcome_label(static_cast<Outcome>(k));
        if (name == label) return static_cast<Outcome>(k);
        std::replace(label.begin(), label.end(), ' ', '-');
        if (name == label) return static_cast<Outcome>(k);
    }
    return std::nullopt;
}

std::string unknown_outcome_text(const std::string& name) {
    std::string text = "--outcome must be " + outcome_names_text() + ", found '" + name + "'";
    if (name == "stalemate") text += " (a run that reaches the horizon is now a frozen_conflict or an ongoing_war, by outcomes.war_rung)";
    return text;
}

int exit_code_for(const std::string& command, const std::exception& e) {
    std::cerr << "brink " << command << ": " << e.what() << "\n";
    if (dynamic_cast<const FolderBusy*>(&e)) return folder_busy;
    if (dynamic_cast<const IoError*>(&e)) return io_error;
    if (dynamic_cast<const OutputError*>(&e) || dynamic_cast<const ScenarioError*>(&e) || dynamic_cast<const ConditionError*>(&e) ||
        dynamic_cast<const CalibrationError*>(&e))
        return usage_error;
    return runtime_failure;
}

}  // namespace brink::cli
