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

/// Loads a document (read_file + parse_document); throws ScenarioError on any problem.
tree::Node load_document(const std::string& path, const DocumentKind& kind);

/// What the timeline and state-file readers share: located errors, unknown keys with a
/// suggestion, names resolved against a list, numbers read exactly.
class DocumentReader {
public:
    explicit DocumentReader(std::vector<Diagnostic>& diagnostics) : diagnostics_(diagnostics) {}

protected:
    void error(const tree::Mark& m, const std::string& path, const std::string& message);
    static std::string child(const std::string& path, const std::string& key) { return path.empty() ? key : path + "." + key; }
    static std::string describe(const tree::Node& n);
    /// Every key of `map` must be in `allowed`.
    void keys(const tree::Node& map, const std::string& path, const std::vector<std::string>& allowed);
    /// The index of the name `n` holds among `names` (with `by_index`, a valid index also
    /// does); nullopt with an error otherwise.
    std::optional<int> name(const tree::Node& n, const std::string& path, const std::vector<std::string>& names,
                            const std::string& kind, bool by_index = false);
    /// A plain (unquoted) finite number, exactly as written; nullopt otherwise.
    static std::optional<double> number_of(const tree::Node& n);

private:
    std::vector<Diagnostic>& diagnostics_;
};

}  // namespace brink
