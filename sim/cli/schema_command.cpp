// brink schema: the scenario format as a JSON Schema, for editors (docs/scenario-reference.md,
// Editor support). The schema is generated in the scenario room; this only prints it.
#include <cstdio>
#include <iostream>

#include "brink/output.hpp"
#include "common.hpp"

namespace brink::cli {

namespace {

int schema_command(const std::string& out) {
    const std::string text = scenario_json_schema();
    if (out.empty()) {
        std::fwrite(text.data(), 1, text.size(), stdout);
        return std::fflush(stdout) == 0 ? ok : (std::cerr << "brink schema: cannot write to standard output\n", io_error);
    }
    try {
        write_file_atomically(out, text);
    } catch (const OutputError& e) {
        // As brink trace --out: a file that cannot be written is a bad --out (nothing else was done).
        return std::cerr << "brink schema: " << e.what() << "\n", int{usage_error};
    }
    return ok;
}

}  // namespace

Command add_schema_command(CLI::App& app) {
    auto out = std::make_shared<std::string>();
    CLI::App* cmd = app.add_subcommand("schema", "Print the JSON Schema of scenario files (for editors: yaml-language-server)");
    cmd->add_option("--out", *out, "Write it to this file (atomically) instead of standard output");
    return Command{cmd, [out] { return schema_command(*out); }};
}

}  // namespace brink::cli
