// Internal to the scenario room: what the scenario and timeline loaders share —
// reading a YAML file safely, and the "did you mean" of a misspelt name.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "brink/scenario.hpp"
#include "tree.hpp"

namespace brink {

/// How messages name a kind of document.
struct DocumentKind {
    const char* file;     ///< "a scenario file (.yaml)"
    const char* plural;   ///< "scenario files"
    const char* content;  ///< "a scenario (a YAML map with world, ladder, ...)"
    const char* keys;     ///< "world:, ladder:, ..."
};
inline constexpr DocumentKind kScenarioDocument{"a scenario file (.yaml)", "scenario files",
                                                "a scenario (a YAML map with world, ladder, leaders, actions, outcomes)",
                                                "world:, ladder:, ..."};
inline constexpr DocumentKind kTimelineDocument{"a timeline file (.yaml)", "timeline files",
                                                "a timeline (a YAML map with name, observations, questions)",
                                                "name:, observations:, questions:"};

/// Reads a file with the checks that keep the parser away from what is not YAML text
/// (missing, a directory, over 16 MiB, binary); problems go to `diagnostics`.
std::optional<std::string> read_file(const std::string& path, const DocumentKind& kind, std::vector<Diagnostic>& diagnostics);

/// Parses a document that must be a map at the top level.
tree::Node parse_document(const std::string& text, const std::string& file, const DocumentKind& kind,
                          std::vector<Diagnostic>& diagnostics);

/// "; did you mean 'x'?" for the closest candidate, if close enough; else "".
std::string suggestion(const std::string& wrong, const std::vector<std::string>& candidates);

/// "a, b, c" (at most eight, then "...").
std::string list_names(const std::vector<std::string>& names);

std::string format_number(double v);

}  // namespace brink
