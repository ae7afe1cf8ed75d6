// brink: the command-line front end. Each subcommand lives in its own file;
// all the work is in the library.
#include <iostream>
#include <new>
#include <string>

#include "brink/engine.hpp"
#include "brink/version.hpp"
#include "common.hpp"

int main(int argc, char** argv) {
    using namespace brink::cli;
    std::string command_line;
    for (int i = 0; i < argc; ++i) command_line += (i ? " " : "") + std::string(argv[i]);

    CLI::App app{"Brink: an agent-based geopolitical crisis simulator"};
    // What a result depends on besides the scenario, seed and runs (docs/outputs.md).
    app.set_version_flag("--version", std::string("brink ") + brink::kVersion + " (model version " +
                                          std::to_string(brink::kModelVersion) + ", random-stream scheme " +
                                          brink::kStreamScheme + " version " + std::to_string(brink::kStreamSchemeVersion) + ")");
    app.require_subcommand(1);
    const std::vector<Command> commands = {
        add_run_command(app, command_line),
        add_validate_command(app),
        add_exact_command(app),
        add_sweep_command(app, command_line),
        add_compare_command(app, command_line),
        add_sensitivity_command(app, command_line),
        add_trace_command(app),
        add_play_command(app),
        add_report_command(app),
        add_backtest_command(app, command_line),
        add_calibrate_command(app, command_line),
        add_branch_command(app, command_line),
        add_schema_command(app),
        add_new_command(app),
    };
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? ok : usage_error;
    }
    // Memory that runs out anyway (a limit the estimate could not see) ends with a
    // message and exit 1, not std::terminate's abort and core dump.
    try {
        for (const Command& c : commands)
            if (*c.app) return c.run();
    } catch (const brink::MemoryError& e) {
        std::cerr << "brink: " << e.what() << "\n";
        return usage_error;
    } catch (const std::bad_alloc&) {
        std::cerr << "brink: out of memory (std::bad_alloc); the inputs need more memory than this process may use "
                     "(shorten run.horizon, use fewer --threads or runs per point, or raise ulimit -v / the memory limit)\n";
        return runtime_failure;
    }
    return usage_error;
}
