// results/latest: a symlink to the result folder brink last started, resumed or wrote in
// ./results, and the --latest flag that reads it (docs/outputs.md#resultslatest).
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

namespace brink::cli {

/// Points results/latest at `dir` when `dir` is a folder directly in ./results (the default
/// --out, or an --out there); a folder elsewhere leaves it alone. The link is made under a
/// temporary name in results/ and renamed over `latest`, so it is never missing. Never
/// fails the command: a `latest` that is not a symlink is left as it is, and a file system
/// without symlinks, with a warning naming `command`.
void point_latest_at(const std::string& command, const std::string& dir);

/// The folder results/latest (in the current directory) names; nullopt after printing
/// "brink COMMAND: --latest: why" when it is missing, dangling or not a folder.
std::optional<std::string> latest_folder(const std::string& command);

/// Adds the --latest flag, which stands for the folder option `folder` (CLI11 refuses both).
CLI::Option* add_latest_flag(CLI::App* cmd, bool& latest, CLI::Option* folder, const std::string& help);

/// With `latest`, fills `folder` from results/latest. Returns an exit code: 0, or 2 after
/// printing why results/latest cannot be used.
int take_latest(const std::string& command, bool latest, std::string& folder);

/// `--resume [DIR]` with `--latest`: fills `dir` from results/latest when --latest is given.
/// `resume_given`: --resume was on the command line (with or without DIR). Returns an exit
/// code: 0, or 2 after printing why (--latest without --resume, --resume with neither, both).
int resume_folder(const std::string& command, bool resume_given, bool latest, std::string& dir);

}  // namespace brink::cli
