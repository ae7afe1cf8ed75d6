// Where this brink's shipped files are: the data folder of an installed brink
// (GNUInstallDirs: <prefix>/bin/brink -> <prefix>/share/brink/{analysis,scenarios}), or the
// source tree it was built from. `brink report` finds analysis/ here, `brink new` its default base.
#pragma once

#include <optional>
#include <string>

namespace brink::cli {

/// This program's own path (/proc/self/exe); empty if unknown.
std::string own_path();

/// The installed data folder beside this binary's bin/, if it exists.
std::optional<std::string> installed_data_dir();

/// The source tree Brink was built from ("" if unknown).
std::string source_dir();

/// `relative` (e.g. "scenarios/baseline.yaml") in the installed data folder, else in the
/// source tree, where it exists; the path without "bin/../". Empty when it is in neither.
std::optional<std::string> shipped_path(const std::string& relative);

}  // namespace brink::cli
