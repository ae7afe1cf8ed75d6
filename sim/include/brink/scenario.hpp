// Scenario loading: YAML files (with `extends:` and `--set` overrides) become an
// immutable, validated Scenario. This room is the only one that includes yaml-cpp.
#pragma once

#include <cstdint>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "brink/model.hpp"

namespace brink {

/// One problem found in a scenario, with the place it was found.
struct Diagnostic {
    std::string file;  ///< the file, or "--set" for a command-line override
    int line = 0;      ///< 1-based; 0 when the problem has no position (a missing file)
    int column = 0;    ///< 1-based
    std::string path;  ///< field path, e.g. "leaders.putin.traits.rationality"
    std::string message;
    std::string to_string() const;  ///< "file:line:column: path: message"
};

/// Thrown by the loader with every problem it found, in file order.
class ScenarioError : public std::exception {
public:
    explicit ScenarioError(std::vector<Diagnostic> diagnostics);
    const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }
    const char* what() const noexcept override { return text_.c_str(); }
private:
    std::vector<Diagnostic> diagnostics_;
    std::string text_;
};

/// A validated scenario plus where it came from.
struct LoadedScenario {
    Scenario scenario;
    std::string resolved_yaml;         ///< the fully merged scenario (after extends and --set)
    std::uint64_t hash = 0;            ///< FNV-1a 64 of resolved_yaml
    std::vector<std::string> files;    ///< the file, then each file it extends, in order
    std::vector<std::string> overrides;
    /// The `experiment:` section: "path=spec" per varied parameter, and the Latin
    /// hypercube sample count (0: full grid). Used by `brink sweep`.
    std::vector<std::string> experiment_vary;
    int experiment_samples = 0;
};

/// Loads and validates a scenario file. `overrides` are "path=value" strings as given
/// to --set. Throws ScenarioError listing every problem found.
LoadedScenario load_scenario(const std::string& path, const std::vector<std::string>& overrides = {});

/// Same, from YAML text (`display_name` is used in messages; `extends` is resolved
/// relative to the current directory).
LoadedScenario load_scenario_text(const std::string& text, const std::string& display_name,
                                  const std::vector<std::string>& overrides = {});

/// Loads a state file (docs/timelines.md, "State files"; `brink trace --save-state`
/// writes them) as a paused run of `scenario`: every name resolved, every value checked,
/// beliefs normalised. The run's history (first ticks, counts) starts at the state's
/// tick. Throws ScenarioError with every problem, located.
RunSnapshot load_state(const std::string& path, const Scenario& scenario);

/// A field of the scenario format, declared once: validation, defaults and the
/// reference docs all follow from this table.
struct FieldSpec {
    std::string_view path;     ///< pattern: "*" is a user-chosen name, "[]" a list item
    std::string_view type;     ///< "number", "integer", "string", "boolean", "map", "list", "rung", ...
    std::string_view unit;
    double min;
    double max;
    std::string_view default_value;  ///< empty: required (or no default)
    std::string_view meaning;
};

/// Every field the loader accepts.
const std::vector<FieldSpec>& scenario_fields();

/// scenario_fields() as a JSON Schema (draft-07) for editors, pretty printed (json_schema.cpp;
/// docs/scenario-reference.md, Editor support). Throws std::logic_error on a field type it cannot map.
std::string scenario_json_schema();

/// FNV-1a 64-bit hash, used for the scenario hash in manifests.
std::uint64_t fnv1a64(std::string_view text);

}  // namespace brink
