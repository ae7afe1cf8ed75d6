// brink report: one self-contained HTML page for a result folder. The work is in
// analysis/report.py (pandas, matplotlib); this command finds it, runs it with the system
// Python and passes its own path so that the report can replay sample runs with `brink trace`.
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "common.hpp"
#include "data_dirs.hpp"
#include "latest.hpp"

extern char** environ;

namespace brink::cli {

namespace {

constexpr const char* kPython = "/usr/bin/python3";

/// The folder holding report.py: $BRINK_ANALYSIS_DIR; else, for an installed brink (one with
/// its data folder beside it), that folder's analysis/ and nothing else, so an installed copy
/// never runs the scripts of a source tree that has since moved on; else the source tree's.
std::string analysis_dir() {
    if (const char* env = std::getenv("BRINK_ANALYSIS_DIR"); env && *env) return env;
    if (const std::optional<std::string> data = installed_data_dir()) return *data + "/analysis";
    return source_dir() + "/analysis";
}

bool is_file(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

int report_command(const std::string& folder, const std::string& out) {
    const std::string self = own_path();
    const std::string script = analysis_dir() + "/report.py";
    if (!is_file(script)) {
        // Exit 1, not 2: the command line is fine, the installation is incomplete.
        std::cerr << "brink report: cannot find " << script
                  << " (reinstall with `cmake --install`, or set BRINK_ANALYSIS_DIR to a Brink analysis/ folder)\n";
        return runtime_failure;
    }
    if (!is_file(kPython)) {
        std::cerr << "brink report: needs " << kPython << " with pandas and matplotlib (run scripts/setup)\n";
        return runtime_failure;
    }
    std::vector<std::string> args{kPython, script, folder};
    if (!self.empty()) {
        args.push_back("--brink");
        args.push_back(self);
    }
    if (!out.empty()) {
        args.push_back("--out");
        args.push_back(out);
    }
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);

    ::setenv("BRINK_REPORT_PROG", "brink report", 1);  // error messages name this command
    ::setenv("MPLBACKEND", "Agg", 0);                 // no display needed
    pid_t pid = 0;
    if (const int err = ::posix_spawn(&pid, kPython, nullptr, nullptr, argv.data(), environ); err != 0) {
        std::cerr << "brink report: cannot run " << kPython << ": " << std::strerror(err) << "\n";
        return runtime_failure;
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            std::cerr << "brink report: lost track of " << kPython << ": " << std::strerror(errno) << "\n";
            return runtime_failure;
        }
    }
    if (WIFSIGNALED(status)) {
        const int sig = WTERMSIG(status);
        if (sig == SIGINT) return interrupted_sigint;
        if (sig == SIGTERM) return interrupted_sigterm;
        std::cerr << "brink report: " << kPython << " was killed by signal " << sig << "\n";
        return runtime_failure;
    }
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 1;
    if (code == ok) return ok;
    if (code == usage_error) return usage_error;  // not a Brink result folder; the script said why
    std::cerr << "brink report: " << script << " failed (exit " << code << ")\n";
    return runtime_failure;
}

}  // namespace

Command add_report_command(CLI::App& app) {
    auto folder = std::make_shared<std::string>();
    auto out = std::make_shared<std::string>();
    auto latest = std::make_shared<bool>(false);
    CLI::App* cmd = app.add_subcommand("report", "Write one self-contained HTML report (odds, figures, sample runs, "
                                                 "parameters) of a run, sweep, compare or sensitivity folder");
    CLI::Option* dir = cmd->add_option("result_dir", *folder, "A Brink result folder (the --out of run, sweep, compare or sensitivity)");
    add_latest_flag(cmd, *latest, dir, "Report on the folder results/latest names");
    cmd->add_option("--out", *out, "The HTML file to write (default: RESULT_DIR/report.html)");
    cmd->footer("Needs /usr/bin/python3 with pandas and matplotlib (scripts/setup). The analysis scripts are found in "
                "$BRINK_ANALYSIS_DIR; else, for an installed brink, in ../share/brink/analysis beside its bin/; "
                "else in the source tree Brink was built from.");
    return Command{cmd, [folder, out, latest] {
                       if (const int code = take_latest("report", *latest, *folder); code != ok) return code;
                       if (folder->empty()) return std::cerr << "brink report: give a RESULT_DIR, or --latest\n", static_cast<int>(usage_error);
                       return report_command(*folder, *out);
                   }};
}

}  // namespace brink::cli
