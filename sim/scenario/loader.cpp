// YAML scenario -> validated Scenario. Reports every problem in one pass, each
// with file:line:column and the field path; names become indices here, once.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "brink/calendar.hpp"
#include "brink/scenario.hpp"
#include "documents.hpp"
#include "tree.hpp"

namespace brink {

using tree::Entry;
using tree::Mark;
using tree::Node;

std::string Diagnostic::to_string() const {
    std::string out = file;
    if (line > 0) out += ":" + std::to_string(line) + ":" + std::to_string(column);
    out += ": ";
    if (!path.empty()) out += path + ": ";
    return out + message;
}

namespace {

std::string join_text(const std::vector<Diagnostic>& diagnostics) {
    std::string text;
    for (const Diagnostic& d : diagnostics) text += d.to_string() + "\n";
    return text;
}

}  // namespace

ScenarioError::ScenarioError(std::vector<Diagnostic> diagnostics)
    : diagnostics_(std::move(diagnostics)), text_(join_text(diagnostics_)) {}

std::uint64_t fnv1a64(std::string_view text) {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (const unsigned char c : text) {
        h ^= c;
        h *= 0x100000001b3ULL;
    }
    return h;
}

namespace {


bool is_identifier(const std::string& s) {
    if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
    return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isalnum(c) || c == '_'; });
}

std::string child_path(const std::string& parent, const std::string& key) {
    return parent.empty() ? key : parent + "." + key;
}

const FieldSpec& spec_of(std::string_view pattern) {
    for (const FieldSpec& f : scenario_fields())
        if (f.path == pattern) return f;
    throw std::logic_error("scenario schema has no field " + std::string(pattern));
}

/// Reads fields from the tree through the schema, collecting diagnostics.
class Reader {
public:
    std::vector<Diagnostic> diagnostics;

    void error(const Mark& mark, const std::string& path, std::string message) {
        diagnostics.push_back(Diagnostic{mark.file, mark.line, mark.column, path, std::move(message)});
    }

    /// Unknown keys in a map are errors, with the closest known key suggested.
    void check_keys(const Node& map, const std::string& path, const std::string& pattern) {
        std::vector<std::string> allowed;
        bool wildcard = false;
        const std::string prefix = pattern.empty() ? "" : pattern + ".";
        for (const FieldSpec& f : scenario_fields()) {
            const std::string_view p = f.path;
            if (p.size() <= prefix.size() || p.substr(0, prefix.size()) != prefix) continue;
            const std::string_view rest = p.substr(prefix.size());
            if (rest.find('.') != std::string_view::npos || rest.find('[') != std::string_view::npos) continue;
            if (rest == "*") wildcard = true;
            else allowed.emplace_back(rest);
        }
        if (wildcard) return;
        for (const Entry& e : map.map)
            if (std::find(allowed.begin(), allowed.end(), e.key) == allowed.end())
                error(e.key_mark, child_path(path, e.key),
                      "unknown key '" + e.key + "'" + suggestion(e.key, allowed) + " (expected one of: " + list_names(allowed) + ")");
    }

    /// The map under `key`, or nullptr (an error if required and missing, or not a map).
    const Node* map(const Node& parent, const std::string& key, const std::string& path, bool required,
                    const std::string& pattern) {
        const Node* n = parent.find(key);
        const std::string p = child_path(path, key);
        if (!n) {
            if (required) error(parent.where(), p, "missing required section '" + key + "'");
            return nullptr;
        }
        if (n->kind == Node::Kind::null) return nullptr;
        if (n->kind != Node::Kind::map) {
            error(n->mark, p, std::string("expected a map, found ") + describe(*n));
            return nullptr;
        }
        check_keys(*n, p, pattern);
        return n;
    }

    static std::string describe(const Node& n) {
        if (n.kind == Node::Kind::scalar) return "'" + n.scalar + "'";
        return tree::kind_name(n.kind);
    }

    std::optional<double> parse_number(const Node& n) {
        if (n.kind != Node::Kind::scalar || n.quoted) return std::nullopt;
        const std::string& s = n.scalar;
        double v = 0.0;
        const char* begin = s.data();
        if (!s.empty() && s[0] == '+') ++begin;
        const auto [end, ec] = std::from_chars(begin, s.data() + s.size(), v);
        if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
        return v;
    }

    std::string range_text(const FieldSpec& f) {
        if (std::isinf(f.min) && std::isinf(f.max)) return "";
        if (std::isinf(f.max)) return " >= " + format_number(f.min);
        return " in [" + format_number(f.min) + ", " + format_number(f.max) + "]";
    }

    /// A number from `node`, checked against the spec's range.
    double number_at(const Node& n, const std::string& path, const FieldSpec& f, bool integer = false) {
        const std::string what = std::string(integer ? "an integer" : "a number") + range_text(f);
        const auto v = parse_number(n);
        if (!v) {
            error(n.mark, path, "expected " + what + ", found " + describe(n));
            return f.min;
        }
        if (integer && std::floor(*v) != *v) {
            error(n.mark, path, "expected " + what + ", found " + n.scalar);
            return f.min;
        }
        if (*v < f.min || *v > f.max) {
            error(n.mark, path, "expected " + what + ", found " + n.scalar);
            return std::clamp(*v, f.min, f.max);
        }
        return *v;
    }

    double number(const Node& parent, const std::string& key, const std::string& path, const std::string& pattern,
                  bool integer = false) {
        const FieldSpec& f = spec_of(pattern);
        const Node* n = parent.find(key);
        const std::string p = child_path(path, key);
        if (!n) {
            if (f.default_value.empty()) {
                error(parent.where(), p, "missing required field '" + key + "' (" + std::string(f.type) + range_text(f) + ")");
                return f.min;
            }
            return std::stod(std::string(f.default_value));
        }
        return number_at(*n, p, f, integer);
    }

    std::string string(const Node& parent, const std::string& key, const std::string& path, const std::string& fallback,
                       bool required = false) {
        const Node* n = parent.find(key);
        const std::string p = child_path(path, key);
        if (!n) {
            if (required) error(parent.where(), p, "missing required field '" + key + "' (a string)");
            return fallback;
        }
        if (n->kind != Node::Kind::scalar) {
            error(n->mark, p, "expected a string, found " + describe(*n));
            return fallback;
        }
        return n->scalar;
    }

    bool boolean(const Node& parent, const std::string& key, const std::string& path, bool fallback) {
        const Node* n = parent.find(key);
        if (!n) return fallback;
        if (n->kind == Node::Kind::scalar && !n->quoted) {
            const std::string& s = n->scalar;
            if (s == "true" || s == "True" || s == "TRUE") return true;
            if (s == "false" || s == "False" || s == "FALSE") return false;
        }
        error(n->mark, child_path(path, key), "expected true or false, found " + describe(*n));
        return fallback;
    }

    /// A name that must be one of `names`; returns its index or -1.
    int reference(const Node& n, const std::string& path, const std::vector<std::string>& names, const std::string& kind) {
        if (n.kind != Node::Kind::scalar) {
            error(n.mark, path, "expected the name of " + kind + ", found " + describe(n));
            return -1;
        }
        const auto it = std::find(names.begin(), names.end(), n.scalar);
        if (it != names.end()) return static_cast<int>(it - names.begin());
        error(n.mark, path, "unknown " + kind + " '" + n.scalar + "'" + suggestion(n.scalar, names) + " (known: " + list_names(names) + ")");
        return -1;
    }
};

/// Loads `root` (already parsed from `file`) with everything it extends merged under it.
Node resolve_extends(Node root, const std::string& file, std::vector<std::string>& chain,
                     std::vector<std::string>& files, std::vector<Diagnostic>& diagnostics) {
    namespace fs = std::filesystem;
    const auto it = std::find_if(root.map.begin(), root.map.end(), [](const Entry& e) { return e.key == "extends"; });
    if (it == root.map.end()) return root;
    const Entry extends = *it;
    root.map.erase(it);
    if (extends.value.kind != Node::Kind::scalar || extends.value.scalar.empty()) {
        diagnostics.push_back(Diagnostic{extends.key_mark.file, extends.key_mark.line, extends.key_mark.column, "extends",
                                         "expected the path of a base scenario file, found " + Reader::describe(extends.value)});
        return root;
    }
    const fs::path base_dir = fs::path(file).parent_path();
    const std::string base_path = (base_dir / extends.value.scalar).lexically_normal().string();
    std::error_code ec;
    const std::string canonical = fs::weakly_canonical(base_path, ec).string();
    if (std::find(chain.begin(), chain.end(), canonical) != chain.end()) {
        std::string cycle;
        for (const std::string& c : chain) cycle += fs::path(c).filename().string() + " -> ";
        diagnostics.push_back(Diagnostic{extends.value.mark.file, extends.value.mark.line, extends.value.mark.column, "extends",
                                         "extends cycle: " + cycle + fs::path(canonical).filename().string()});
        return root;
    }
    const auto text = read_file(base_path, kScenarioDocument, diagnostics);
    if (!text) {
        diagnostics.back().path = "extends";
        diagnostics.back().file = extends.value.mark.file;
        diagnostics.back().line = extends.value.mark.line;
        diagnostics.back().column = extends.value.mark.column;
        std::string& message = diagnostics.back().message;
        const bool missing = message == "cannot open: no such file";
        message = "base scenario '" + base_path + "' " + message;
        // A newcomer often writes the base's name as if relative to the working folder.
        if (missing) message += " (extends is relative to the folder of " + file + ": " + fs::absolute(base_path, ec).string() + ")";
        return root;
    }
    Node base = parse_document(*text, base_path, kScenarioDocument, diagnostics);
    if (base.kind != Node::Kind::map) return root;
    files.push_back(base_path);
    chain.push_back(canonical);
    base = resolve_extends(std::move(base), base_path, chain, files, diagnostics);
    chain.pop_back();
    tree::merge(base, root);
    return base;
}

/// Builds the Scenario from the merged tree.
class Builder {
public:
    explicit Builder(Reader& r) : r_(r) {}

    Scenario build(const Node& root, const std::string& default_name) {
        Scenario s;
        r_.check_keys(root, "", "");
        s.name = r_.string(root, "name", "", default_name);
        s.description = r_.string(root, "description", "", "");
        read_run(root, s);
        read_world(root, s);
        read_ladder(root, s);
        if (const Node* p = r_.map(root, "perception", "", false, "perception")) {
            s.perception.state_noise = r_.number(*p, "state_noise", "perception", "perception.state_noise");
            s.perception.escalation_bias = r_.number(*p, "escalation_bias", "perception", "perception.escalation_bias");
        } else {
            s.perception.state_noise = 0.0;
            s.perception.escalation_bias = 0.0;
        }
        read_leader_ids(root);
        read_actions(root, s);
        read_events(root, s);
        read_leaders(root, s);
        read_nuclear(root, s);
        read_outcomes(root, s);
        read_commitments(root, s);
        read_experiment(root);
        check_nuclear_pressures(root, s);
        return s;
    }

    std::vector<std::string> experiment_vary;
    int experiment_samples = 0;

private:
    Reader& r_;
    std::vector<std::string> leader_ids_;
    std::vector<std::string> rung_ids_;
    std::vector<std::string> level_ids_;
    bool initial_rung_ok_ = true;
    bool initial_level_ok_ = true;

    void read_run(const Node& root, Scenario& s) {
        const Node* run = r_.map(root, "run", "", false, "run");
        const Node empty = tree::empty_map(root.mark);
        const Node& n = run ? *run : empty;
        s.horizon = static_cast<int>(r_.number(n, "horizon", "run", "run.horizon", true));
        s.tick_days = r_.number(n, "tick_days", "run", "run.tick_days");
        s.default_runs = static_cast<std::uint64_t>(r_.number(n, "runs", "run", "run.runs", true));
        if (const Node* date = n.find("start_date")) {
            const std::optional<int> day = date->kind == Node::Kind::scalar ? parse_date(date->scalar) : std::nullopt;
            if (!day) r_.error(date->mark, "run.start_date", "expected a date YYYY-MM-DD (e.g. 2021-12-17), found " + Reader::describe(*date));
            s.start_day = day;
        }
        // Seeds span all 64 bits, beyond a double's exact range: parse as an integer.
        s.default_seed = 1;
        if (const Node* seed = n.find("seed")) {
            std::uint64_t v = 0;
            const std::string& t = seed->scalar;
            const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
            if (seed->kind != Node::Kind::scalar || ec != std::errc() || end != t.data() + t.size())
                r_.error(seed->mark, "run.seed", "expected an integer in [0, 18446744073709551615], found " + Reader::describe(*seed));
            else s.default_seed = v;
        }
    }

    void read_world(const Node& root, Scenario& s) {
        const Node* world = r_.map(root, "world", "", true, "world");
        if (!world) return;
        const Node* vars = r_.map(*world, "variables", "world", true, "world.variables");
        if (vars) {
            for (const Entry& e : vars->map) {
                const std::string path = "world.variables." + e.key;
                if (!is_identifier(e.key)) r_.error(e.key_mark, path, "variable names use letters, digits and _ (found '" + e.key + "')");
                if (e.key == "rung") r_.error(e.key_mark, path, "'rung' is reserved for the ladder position");
                s.variables.push_back(e.key);
                if (e.value.kind != Node::Kind::map) {
                    r_.error(e.value.mark, path, "expected a map like {initial: 0.5}, found " + Reader::describe(e.value));
                    s.initial.push_back(0.0);
                    continue;
                }
                r_.check_keys(e.value, path, "world.variables.*");
                s.initial.push_back(r_.number(e.value, "initial", path, "world.variables.*.initial"));
            }
        }
        for (const char* required : {"tension", "channel"}) {
            if (vars && std::find(s.variables.begin(), s.variables.end(), required) == s.variables.end())
                r_.error(vars->where(), "world.variables", std::string("the model needs a variable named '") + required + "'" +
                                                            (std::string(required) == "tension" ? " (it feeds the ladder step)"
                                                                                                : " (it scales misperception)"));
        }
        s.tension = std::max(0, s.variable_index("tension"));
        s.channel = std::max(0, s.variable_index("channel"));
    }

    int rung_ref(const Node& n, const std::string& path) {
        if (rung_ids_.empty()) return 0;
        if (const auto v = r_.parse_number(n)) {
            if (std::floor(*v) != *v || *v < 0 || *v >= static_cast<double>(rung_ids_.size())) {
                r_.error(n.mark, path, "expected a rung id or an index in [0, " + std::to_string(rung_ids_.size() - 1) +
                                           "], found " + n.scalar + " (outside the ladder)");
                return 0;
            }
            return static_cast<int>(*v);
        }
        const int index = r_.reference(n, path, rung_ids_, "rung");
        return std::max(0, index);
    }

    /// A rung's (or nuclear level's) firebreaks: the thresholds of a step up into it and
    /// down out of it. The lowest rung has neither step. `list` is "ladder.rungs" or "nuclear.levels".
    void read_firebreaks(const Node& item, const std::string& path, std::size_t index, Rung& rung, const std::string& list) {
        const std::string noun = list == "ladder.rungs" ? "rung" : "level";
        for (const char* key : {"up_threshold", "down_threshold"}) {
            const Node* n = item.find(key);
            if (!n) continue;
            if (index == 0) {
                r_.error(n->mark, path + "." + key,
                         "the lowest " + noun + " is never stepped " + (key[0] == 'u' ? "up into" : "down out of") +
                             "; give a firebreak on the " + noun + " whose entry (up_threshold) or exit (down_threshold) it guards");
                continue;
            }
            const double v = r_.number(item, key, path, list + "[]." + key);
            (key[0] == 'u' ? rung.up_threshold : rung.down_threshold) = v;
        }
    }

    /// At every rung (level) with both steps, the down threshold in force must be below the up
    /// threshold in force, so that P(up) + P(down) <= 1 (docs/model.md, Ladder).
    void check_firebreaks(const Node& list, const std::vector<Rung>& rungs, const LadderStep& step, const std::string& name) {
        const std::string noun = name == "ladder.rungs" ? "rung" : "level";
        const std::string owner = name == "ladder.rungs" ? "the ladder's" : "the track's";
        const std::size_t n = std::min(list.list.size(), rungs.size());
        for (std::size_t r = 1; r + 1 < n; ++r) {
            const Rung& here = rungs[r];
            const Rung& above = rungs[r + 1];
            if (!here.down_threshold && !above.up_threshold) continue;  // the step's own check covers it
            const double down = here.down_threshold.value_or(step.down_threshold);
            const double up = above.up_threshold.value_or(step.up_threshold);
            if (down < up) continue;
            r_.error(list.list[r].mark, name + "[" + std::to_string(r) + "]",
                     "at " + noun + " '" + here.id + "' the down threshold in force (" + format_number(down) +
                         (here.down_threshold ? ", this " + noun + "'s down_threshold" : ", " + owner) +
                         ") must be below the up threshold into '" + above.id + "' (" + format_number(up) +
                         (above.up_threshold ? ", its up_threshold" : ", " + owner) + ")");
        }
    }

    /// What differs between the ladder's rungs and the nuclear track's levels when read.
    struct RungList {
        const char* section;  // "ladder" or "nuclear"
        const char* key;      // "rungs" or "levels"
        const char* noun;     // "rung" or "level"
        const char* example;  // a well-formed item, for the error message
    };
    static constexpr RungList kRungs{"ladder", "rungs", "rung", "{id: normal, label: Normal relations, war_cost: 0}"};
    static constexpr RungList kLevels{"nuclear", "levels", "level",
                                      "{id: nuclear_alert, label: Nuclear forces on alert, war_cost: 0.2}"};

    /// A list of rungs (or levels) under `parent`: ids, labels, war costs, terminal flags
    /// and firebreaks, each id recorded in `ids`. Returns the list node (nullptr if absent).
    const Node* read_rungs(const Node& parent, const RungList& kind, std::vector<std::string>& ids, std::vector<Rung>& out) {
        const std::string list_path = std::string(kind.section) + "." + kind.key;
        const std::string noun = kind.noun;
        const Node* list = parent.find(kind.key);
        if (!list) r_.error(parent.mark, list_path, std::string("missing required list '") + kind.key + "'");
        else if (list->kind != Node::Kind::list)
            r_.error(list->mark, list_path, "expected a list of " + std::string(kind.key) + ", found " + Reader::describe(*list));
        else {
            if (list->list.size() < 2)
                r_.error(list->mark, list_path, "expected at least 2 " + std::string(kind.key) + ", found " + std::to_string(list->list.size()));
            for (std::size_t i = 0; i < list->list.size(); ++i) {
                const Node& item = list->list[i];
                const std::string path = list_path + "[" + std::to_string(i) + "]";
                Rung rung;
                if (item.kind != Node::Kind::map) {
                    r_.error(item.mark, path, std::string("expected a map like ") + kind.example + ", found " + Reader::describe(item));
                } else {
                    r_.check_keys(item, path, list_path + "[]");
                    rung.id = r_.string(item, "id", path, noun + std::to_string(i), true);
                    if (!is_identifier(rung.id))
                        r_.error(item.find("id") ? item.find("id")->mark : item.mark, path + ".id", noun + " ids use letters, digits and _ (found '" + rung.id + "')");
                    if (std::find(ids.begin(), ids.end(), rung.id) != ids.end()) r_.error(item.mark, path + ".id", "duplicate " + noun + " id '" + rung.id + "'");
                    rung.label = r_.string(item, "label", path, rung.id);
                    rung.war_cost = r_.number(item, "war_cost", path, list_path + "[].war_cost");
                    rung.terminal = r_.boolean(item, "terminal", path, false);
                    read_firebreaks(item, path, i, rung, list_path);
                }
                ids.push_back(rung.id);
                out.push_back(rung);
            }
        }
        return list && list->kind == Node::Kind::list ? list : nullptr;
    }

    /// An ordered-logit step (ladder.step, nuclear.step): its four numbers, the down
    /// threshold below the up threshold.
    void read_step(const Node& step, const std::string& path, LadderStep& out) {
        const std::size_t before = r_.diagnostics.size();
        out.sensitivity = r_.number(step, "sensitivity", path, path + ".sensitivity");
        out.up_threshold = r_.number(step, "up_threshold", path, path + ".up_threshold");
        out.down_threshold = r_.number(step, "down_threshold", path, path + ".down_threshold");
        out.tension_weight = r_.number(step, "tension_weight", path, path + ".tension_weight");
        if (r_.diagnostics.size() == before && out.down_threshold >= out.up_threshold)
            r_.error(step.mark, path, "down_threshold (" + format_number(out.down_threshold) + ") must be below up_threshold (" +
                                          format_number(out.up_threshold) + ")");
    }

    void read_ladder(const Node& root, Scenario& s) {
        const Node* ladder = r_.map(root, "ladder", "", true, "ladder");
        if (ladder) {
            const Node* rungs = read_rungs(*ladder, kRungs, rung_ids_, s.ladder);
            if (const Node* step = r_.map(*ladder, "step", "ladder", false, "ladder.step")) {
                read_step(*step, "ladder.step", s.step);
                s.state_weights = state_weights(*step, "ladder.step", "state_weights", "ladder.step.state_weights", s);
            }
            if (rungs && rungs->kind == Node::Kind::list) check_firebreaks(*rungs, s.ladder, s.step, "ladder.rungs");
            if (const Node* t = r_.map(*ladder, "tension", "ladder", false, "ladder.tension")) {
                s.tension_rule.decay = r_.number(*t, "decay", "ladder.tension", "ladder.tension.decay");
                s.tension_rule.gain = r_.number(*t, "gain", "ladder.tension", "ladder.tension.gain");
            }
        }
        if (const Node* world = root.find("world"); world && world->kind == Node::Kind::map) {
            if (const Node* r = world->find("initial_rung")) {
                const std::size_t before = r_.diagnostics.size();
                s.initial_rung = rung_ref(*r, "world.initial_rung");
                initial_rung_ok_ = r_.diagnostics.size() == before;
            }
        }
    }

    /// A map variable -> weight (ladder.step.state_weights, a mode's enter.slopes).
    std::vector<StateWeight> state_weights(const Node& parent, const std::string& path, const std::string& key,
                                           const std::string& pattern, const Scenario& s) {
        std::vector<StateWeight> out;
        const Node* map = r_.map(parent, key, path, false, pattern);
        if (!map) return out;
        for (const Entry& e : map->map) {
            const std::string p = child_path(path, key) + "." + e.key;
            const Node key_node = tree::scalar_node(e.key, e.key_mark);
            const int v = r_.reference(key_node, p, s.variables, "state variable");
            const double w = r_.number_at(e.value, p, spec_of(pattern + ".*"));
            if (v >= 0) out.push_back(StateWeight{v, w});
        }
        return out;
    }

    int level_ref(const Node& n, const std::string& path) {
        if (level_ids_.empty()) return 0;
        if (const auto v = r_.parse_number(n)) {
            if (std::floor(*v) != *v || *v < 0 || *v >= static_cast<double>(level_ids_.size())) {
                r_.error(n.mark, path, "expected a nuclear level id or an index in [0, " + std::to_string(level_ids_.size() - 1) +
                                           "], found " + n.scalar + " (outside the track)");
                return 0;
            }
            return static_cast<int>(*v);
        }
        return std::max(0, r_.reference(n, path, level_ids_, "nuclear level"));
    }

    /// An action's jumps: [{to: RUNG, probability: p}, ...].
    std::vector<Jump> read_jumps(const Node& n, const std::string& path) {
        std::vector<Jump> jumps;
        const Node* list = n.find("jumps");
        if (!list) return jumps;
        const std::string lp = path + ".jumps";
        if (list->kind != Node::Kind::list) {
            r_.error(list->mark, lp, "expected a list like [{to: conventional_war, probability: 0.6}], found " + Reader::describe(*list));
            return jumps;
        }
        for (std::size_t k = 0; k < list->list.size(); ++k) {
            const Node& item = list->list[k];
            const std::string ip = lp + "[" + std::to_string(k) + "]";
            if (item.kind != Node::Kind::map) {
                r_.error(item.mark, ip, "expected a map like {to: conventional_war, probability: 0.6}, found " + Reader::describe(item));
                continue;
            }
            r_.check_keys(item, ip, "actions.*.jumps[]");
            Jump j;
            if (const Node* to = item.find("to")) {
                const std::size_t before = r_.diagnostics.size();
                j.to = rung_ref(*to, ip + ".to");
                // Only a rung read cleanly can be the lowest; an unknown one already has its error.
                if (j.to == 0 && r_.diagnostics.size() == before)
                    r_.error(to->mark, ip + ".to", "a jump to the lowest rung never happens (jumps only move the ladder up)");
            } else {
                r_.error(item.mark, ip + ".to", "missing required field 'to' (a rung id or index)");
            }
            j.probability = r_.number(item, "probability", ip, "actions.*.jumps[].probability");
            jumps.push_back(j);
        }
        return jumps;
    }

    /// An action of `leader`'s menu, by name: its action index, or -1 with a located error
    /// that says whether the name is unknown or an action outside this menu (and `why` it must be in it).
    int menu_action(const Node& n, const std::string& path, const Scenario& s, const Leader& leader, const std::string& why) {
        std::vector<std::string> menu;
        for (const int a : leader.menu) menu.push_back(s.actions[static_cast<std::size_t>(a)].name);
        const int known = n.kind == Node::Kind::scalar ? s.action_index(n.scalar) : -1;
        if (known >= 0 && std::find(leader.menu.begin(), leader.menu.end(), known) == leader.menu.end()) {
            r_.error(n.mark, path, "action '" + n.scalar + "' is not in " + leader.id + "'s menu (" + why + "); " + leader.id +
                                       "'s menu: " + list_names(menu));
            return -1;
        }
        const int k = r_.reference(n, path, menu, "action in " + leader.id + "'s menu");
        return k < 0 ? -1 : leader.menu[static_cast<std::size_t>(k)];
    }

    void read_leader_ids(const Node& root) {
        const Node* leaders = root.find("leaders");
        if (!leaders || leaders->kind != Node::Kind::map) return;
        for (const Entry& e : leaders->map) leader_ids_.push_back(e.key);
    }

    std::vector<Effect> read_effects(const Node& owner, const std::string& path, const std::string& pattern, const Scenario& s) {
        std::vector<Effect> effects;
        const Node* map = r_.map(owner, "effects", path, false, pattern + ".effects");
        if (!map) return effects;
        const std::string base = path + ".effects";
        for (const Entry& e : map->map) {
            const std::string p = base + "." + e.key;
            const Node key_node = tree::scalar_node(e.key, e.key_mark);
            Effect effect;
            effect.variable = r_.reference(key_node, p, s.variables, "state variable");
            if (e.value.kind == Node::Kind::map) {
                r_.check_keys(e.value, p, pattern + ".effects.*");
                effect.mean = r_.number(e.value, "mean", p, pattern + ".effects.*.mean");
                effect.sd = r_.number(e.value, "sd", p, pattern + ".effects.*.sd");
            } else {
                effect.mean = r_.number_at(e.value, p, spec_of(pattern + ".effects.*"));
            }
            if (effect.variable >= 0) effects.push_back(effect);
        }
        return effects;
    }

    std::vector<Condition> read_requires(const Node& owner, const std::string& path, const std::string& pattern, const Scenario& s) {
        std::vector<Condition> conditions;
        const Node* map = r_.map(owner, "requires", path, false, pattern + ".requires");
        if (!map) return conditions;
        std::vector<std::string> names = s.variables;
        names.push_back("rung");
        for (const Entry& e : map->map) {
            const std::string p = path + ".requires." + e.key;
            const Node key_node = tree::scalar_node(e.key, e.key_mark);
            const int index = r_.reference(key_node, p, names, "state variable (or 'rung')");
            if (e.value.kind != Node::Kind::map) {
                r_.error(e.value.mark, p, "expected a range like {min: 0.3} or {min: 2, max: 5}, found " + Reader::describe(e.value));
                continue;
            }
            r_.check_keys(e.value, p, pattern + ".requires.*");
            if (e.value.map.empty()) r_.error(e.value.mark, p, "expected min and/or max, found an empty map");
            Condition c;
            const bool is_rung = index == static_cast<int>(names.size()) - 1;
            c.variable = is_rung ? kRung : index;
            for (const char* bound : {"min", "max"}) {
                const Node* b = e.value.find(bound);
                if (!b) continue;
                double v = 0.0;
                if (is_rung) v = rung_ref(*b, p + "." + bound);
                else v = r_.number_at(*b, p + "." + bound, spec_of(pattern + ".requires.*." + bound));
                (std::string(bound) == "min" ? c.min : c.max) = v;
            }
            if (c.min > c.max) r_.error(e.value.mark, p, "min (" + format_number(c.min) + ") is above max (" + format_number(c.max) + "); no state satisfies it");
            if (index >= 0) conditions.push_back(c);
        }
        return conditions;
    }

    void read_actions(const Node& root, Scenario& s) {
        const Node* actions = r_.map(root, "actions", "", true, "actions");
        if (!actions) return;
        for (const Entry& e : actions->map) {
            const std::string path = "actions." + e.key;
            Action a;
            a.name = e.key;
            if (!is_identifier(e.key)) r_.error(e.key_mark, path, "action names use letters, digits and _ (found '" + e.key + "')");
            if (e.value.kind != Node::Kind::map) {
                r_.error(e.value.mark, path, "expected a map describing the action, found " + Reader::describe(e.value));
                s.actions.push_back(a);
                continue;
            }
            const Node& n = e.value;
            r_.check_keys(n, path, "actions.*");
            if (const Node* actor = n.find("actor"); actor && !(actor->kind == Node::Kind::scalar && actor->scalar == "any")) {
                std::vector<std::string> allowed = leader_ids_;
                allowed.push_back("any");
                r_.reference(*actor, path + ".actor", allowed, "leader");
            }
            a.description = r_.string(n, "description", path, "");
            a.narrative = r_.string(n, "narrative", path, "{actor} chooses " + e.key + ".");
            a.escalation = r_.number(n, "escalation", path, "actions.*.escalation");
            a.cost = r_.number(n, "cost", path, "actions.*.cost");
            a.agreement = r_.boolean(n, "agreement", path, false);
            a.nuclear = r_.number(n, "nuclear", path, "actions.*.nuclear");
            a.jumps = read_jumps(n, path);
            a.effects = read_effects(n, path, "actions.*", s);
            a.requires_ = read_requires(n, path, "actions.*", s);
            s.actions.push_back(std::move(a));
        }
        if (s.actions.empty()) r_.error(actions->mark, "actions", "expected at least one action");
    }

    void read_events(const Node& root, Scenario& s) {
        const Node* events = r_.map(root, "events", "", false, "events");
        if (!events) return;
        for (const Entry& e : events->map) {
            const std::string path = "events." + e.key;
            if (e.value.kind != Node::Kind::map) {
                r_.error(e.value.mark, path, "expected a map describing the event, found " + Reader::describe(e.value));
                continue;
            }
            r_.check_keys(e.value, path, "events.*");
            Event ev;
            ev.name = e.key;
            ev.hazard = r_.number(e.value, "hazard", path, "events.*.hazard");
            ev.narrative = r_.string(e.value, "narrative", path, e.key + " occurs.");
            ev.escalation = r_.number(e.value, "escalation", path, "events.*.escalation");
            ev.nuclear = r_.number(e.value, "nuclear", path, "events.*.nuclear");
            ev.effects = read_effects(e.value, path, "events.*", s);
            ev.requires_ = read_requires(e.value, path, "events.*", s);
            s.events.push_back(std::move(ev));
        }
    }

    std::string actor_of(const Node& root, const std::string& action) {
        const Node* actions = root.find("actions");
        const Node* a = actions ? actions->find(action) : nullptr;
        const Node* actor = a && a->kind == Node::Kind::map ? a->find("actor") : nullptr;
        return actor && actor->kind == Node::Kind::scalar ? actor->scalar : "any";
    }

    void read_leaders(const Node& root, Scenario& s) {
        const Node* leaders = r_.map(root, "leaders", "", true, "leaders");
        if (!leaders) return;
        const std::string count = std::to_string(leaders->map.size());
        if (leaders->map.size() < 2) {
            r_.error(leaders->where(), "leaders", "expected exactly 2 leaders (the model is bilateral), found " + count);
            return;
        }
        for (std::size_t i = 2; i < leaders->map.size(); ++i) {
            const Entry& extra = leaders->map[i];
            r_.error(extra.key_mark, "leaders." + extra.key,
                     "expected exactly 2 leaders (the model is bilateral), found " + count + ": '" + extra.key + "' is one too many");
        }
        for (std::size_t i = 0; i < 2; ++i) {
            const Entry& e = leaders->map[i];
            const std::string path = "leaders." + e.key;
            Leader& leader = s.leaders[i];
            leader.id = e.key;
            if (!is_identifier(e.key) || e.key == "any") r_.error(e.key_mark, path, "leader ids use letters, digits and _ and may not be 'any' (found '" + e.key + "')");
            if (e.value.kind != Node::Kind::map) {
                r_.error(e.value.mark, path, "expected a map describing the leader, found " + Reader::describe(e.value));
                continue;
            }
            const Node& n = e.value;
            r_.check_keys(n, path, "leaders.*");
            leader.name = r_.string(n, "name", path, e.key);
            read_traits(n, path, leader);
            read_goals(n, path, s, leader);
            read_menu(root, n, path, s, leader);
            read_modes(n, path, s, leader);
        }
    }

    /// A leader's hidden modes: propensities over its menu, the hazard of entering, the prior.
    void read_modes(const Node& n, const std::string& path, const Scenario& s, Leader& leader) {
        const Node* modes = r_.map(n, "modes", path, false, "leaders.*.modes");
        if (!modes) return;
        const std::string mp = path + ".modes";
        if (modes->map.size() < 2)
            r_.error(modes->where(), mp, "expected at least 2 modes (one mode is no hidden intent), found " + std::to_string(modes->map.size()));
        for (const Entry& e : modes->map) {
            const std::string p = mp + "." + e.key;
            Mode mode;
            mode.id = e.key;
            mode.propensity.assign(leader.menu.size(), 0.0);
            if (!is_identifier(e.key)) r_.error(e.key_mark, p, "mode ids use letters, digits and _ (found '" + e.key + "')");
            if (e.value.kind != Node::Kind::map) {
                r_.error(e.value.mark, p, "expected a map like {propensity: {...}, enter: {...}}, found " + Reader::describe(e.value));
                leader.modes.push_back(mode);
                continue;
            }
            r_.check_keys(e.value, p, "leaders.*.modes.*");
            if (const Node* prop = r_.map(e.value, "propensity", p, false, "leaders.*.modes.*.propensity")) {
                for (const Entry& a : prop->map) {
                    const std::string ap = p + ".propensity." + a.key;
                    const Node key_node = tree::scalar_node(a.key, a.key_mark);
                    const int action = menu_action(key_node, ap, s, leader, "a mode's propensities are over its leader's moves");
                    const double bonus = r_.number_at(a.value, ap, spec_of("leaders.*.modes.*.propensity.*"));
                    const auto k = std::find(leader.menu.begin(), leader.menu.end(), action) - leader.menu.begin();
                    if (action >= 0) mode.propensity[static_cast<std::size_t>(k)] = bonus;
                }
            }
            mode.prior = r_.number(e.value, "prior", p, "leaders.*.modes.*.prior");
            if (const Node* enter = r_.map(e.value, "enter", p, false, "leaders.*.modes.*.enter")) {
                const std::string ep = p + ".enter";
                mode.enterable = true;
                mode.intercept = r_.number(*enter, "intercept", ep, "leaders.*.modes.*.enter.intercept");
                mode.rung_slope = r_.number(*enter, "rung", ep, "leaders.*.modes.*.enter.rung");
                mode.slopes = state_weights(*enter, ep, "slopes", "leaders.*.modes.*.enter.slopes", s);
            }
            leader.modes.push_back(std::move(mode));
        }
        if (modes->map.size() >= 2 &&
            std::none_of(leader.modes.begin() + 1, leader.modes.end(), [](const Mode& m) { return m.enterable; }))
            r_.error(modes->where(), mp, "no mode after the first has 'enter', so the leader never leaves '" + leader.modes.front().id +
                                          "'; give the mode it can switch to an enter: {intercept: ...}");
    }

    /// The nuclear posture track (docs/model.md, Nuclear track).
    void read_nuclear(const Node& root, Scenario& s) {
        const Node* t = r_.map(root, "nuclear", "", false, "nuclear");
        if (!t) return;
        NuclearTrack& track = s.nuclear;
        const Node* levels = read_rungs(*t, kLevels, level_ids_, track.levels);
        if (const Node* step = r_.map(*t, "step", "nuclear", false, "nuclear.step")) read_step(*step, "nuclear.step", track.step);
        if (levels && levels->kind == Node::Kind::list) check_firebreaks(*levels, track.levels, track.step, "nuclear.levels");
        if (const Node* initial = t->find("initial_level")) {
            const std::size_t before = r_.diagnostics.size();
            track.initial_level = level_ref(*initial, "nuclear.initial_level");
            initial_level_ok_ = r_.diagnostics.size() == before;
        }
        track.rung_pressure.assign(s.ladder.size(), 0.0);
        if (const Node* rp = r_.map(*t, "rung_pressure", "nuclear", false, "nuclear.rung_pressure")) {
            std::vector<std::string> given(s.ladder.size());  // the key that set each rung, to catch `war` and `3` both
            for (const Entry& e : rp->map) {
                const std::string p = "nuclear.rung_pressure." + e.key;
                const Node key_node = tree::scalar_node(e.key, e.key_mark);
                const std::size_t before = r_.diagnostics.size();
                const auto r = static_cast<std::size_t>(rung_ref(key_node, p));
                const double v = r_.number_at(e.value, p, spec_of("nuclear.rung_pressure.*"));
                if (r_.diagnostics.size() != before || r >= given.size()) continue;
                if (!given[r].empty())
                    r_.error(e.key_mark, p, "rung " + std::to_string(r) + " ('" + s.ladder[r].id + "') is already given as '" + given[r] + "'");
                given[r] = e.key;
                track.rung_pressure[r] = v;
            }
        }
    }

    /// A nuclear pressure with no track to press on would be silently ignored: refuse it.
    void check_nuclear_pressures(const Node& root, const Scenario& s) {
        if (s.nuclear.present()) return;
        for (const char* section : {"actions", "events"}) {
            const Node* map = root.find(section);
            if (!map || map->kind != Node::Kind::map) continue;
            for (const Entry& e : map->map) {
                const Node* n = e.value.kind == Node::Kind::map ? e.value.find("nuclear") : nullptr;
                if (n && r_.parse_number(*n).value_or(0.0) != 0.0)
                    r_.error(n->mark, std::string(section) + "." + e.key + ".nuclear",
                             "the scenario has no nuclear track, so this pressure would press on nothing; add a top-level 'nuclear:' section or remove it");
            }
        }
    }

    /// Commitments: who commits, to what response, on which of the opponent's moves.
    void read_commitments(const Node& root, Scenario& s) {
        const Node* map = r_.map(root, "commitments", "", false, "commitments");
        if (!map) return;
        for (const Entry& e : map->map) {
            const std::string p = "commitments." + e.key;
            Commitment c;
            c.id = e.key;
            if (!is_identifier(e.key)) r_.error(e.key_mark, p, "commitment ids use letters, digits and _ (found '" + e.key + "')");
            if (e.value.kind != Node::Kind::map) {
                r_.error(e.value.mark, p, "expected a map like {by: biden, trigger: [full_scale_offensive], response: impose_sanctions}, found " + Reader::describe(e.value));
                continue;
            }
            const Node& n = e.value;
            r_.check_keys(n, p, "commitments.*");
            const Node* by = n.find("by");
            if (!by) {
                r_.error(n.where(), p + ".by", "missing required field 'by' (the committing leader's id)");
                continue;
            }
            c.by = r_.reference(*by, p + ".by", leader_ids_.size() > 2 ? std::vector<std::string>(leader_ids_.begin(), leader_ids_.begin() + 2) : leader_ids_, "leader");
            if (c.by < 0 || c.by > 1) continue;
            const Leader& committer = s.leaders[static_cast<std::size_t>(c.by)];
            const Leader& opponent = s.leaders[static_cast<std::size_t>(1 - c.by)];
            if (const Node* trigger = n.find("trigger")) {
                if (trigger->kind != Node::Kind::list || trigger->list.empty())
                    r_.error(trigger->mark, p + ".trigger", "expected a non-empty list of " + opponent.id + "'s actions, found " +
                                                                (trigger->kind == Node::Kind::list ? "an empty list" : Reader::describe(*trigger)));
                for (std::size_t k = 0; trigger->kind == Node::Kind::list && k < trigger->list.size(); ++k) {
                    const std::string ip = p + ".trigger[" + std::to_string(k) + "]";
                    const int a = menu_action(trigger->list[k], ip, s, opponent, "a trigger is a move of the committer's opponent");
                    if (a >= 0 && std::find(c.trigger.begin(), c.trigger.end(), a) != c.trigger.end())
                        r_.error(trigger->list[k].mark, ip, "action '" + trigger->list[k].scalar + "' is listed twice");
                    else if (a >= 0) c.trigger.push_back(a);
                }
            } else {
                r_.error(n.where(), p + ".trigger", "missing required list 'trigger' (" + opponent.id + "'s actions that trigger it)");
            }
            const std::string own_move = "it is a move of the committer, " + committer.id;
            if (const Node* response = n.find("response")) c.response = menu_action(*response, p + ".response", s, committer, own_move);
            else r_.error(n.where(), p + ".response", "missing required field 'response' (an action in " + committer.id + "'s menu)");
            if (const Node* declared = n.find("declared_by")) c.declared_by = menu_action(*declared, p + ".declared_by", s, committer, own_move);
            c.window = static_cast<int>(r_.number(n, "window", p, "commitments.*.window", true));
            c.credibility = r_.number(n, "credibility", p, "commitments.*.credibility");
            c.learning = r_.number(n, "learning", p, "commitments.*.learning");
            c.audience_cost = r_.number(n, "audience_cost", p, "commitments.*.audience_cost");
            if (c.response >= 0 && !c.trigger.empty()) s.commitments.push_back(std::move(c));
        }
    }


    void read_traits(const Node& n, const std::string& path, Leader& leader) {
        const Node* t = r_.map(n, "traits", path, false, "leaders.*.traits");
        const Node empty = tree::empty_map(n.mark);
        const Node& traits = t ? *t : empty;
        const std::string p = path + ".traits";
        leader.traits.rationality = r_.number(traits, "rationality", p, "leaders.*.traits.rationality");
        leader.traits.risk_tolerance = r_.number(traits, "risk_tolerance", p, "leaders.*.traits.risk_tolerance");
        leader.traits.misperception = r_.number(traits, "misperception", p, "leaders.*.traits.misperception");
        leader.traits.reciprocity = r_.number(traits, "reciprocity", p, "leaders.*.traits.reciprocity");
        leader.traits.resolve = r_.number(traits, "resolve", p, "leaders.*.traits.resolve");
        leader.traits.memory = r_.number(traits, "memory", p, "leaders.*.traits.memory");
        leader.traits.foresight = static_cast<int>(r_.number(traits, "foresight", p, "leaders.*.traits.foresight", true));
        leader.traits.discount = r_.number(traits, "discount", p, "leaders.*.traits.discount");
    }

    void read_goals(const Node& n, const std::string& path, const Scenario& s, Leader& leader) {
        const Node* goals = r_.map(n, "goals", path, true, "leaders.*.goals");
        const Node* priorities = r_.map(n, "priorities", path, true, "leaders.*.priorities");
        if (!goals) return;
        for (const Entry& g : goals->map) {
            const std::string gp = path + ".goals." + g.key;
            leader.goal_names.push_back(g.key);
            std::vector<double> row(s.variables.size(), 0.0);
            if (g.value.kind != Node::Kind::map) r_.error(g.value.mark, gp, "expected a map of variable: weight, found " + Reader::describe(g.value));
            else {
                if (g.value.map.empty()) r_.error(g.value.mark, gp, "the goal weighs no variable; give at least one variable: weight");
                for (const Entry& w : g.value.map) {
                    const Node key_node = tree::scalar_node(w.key, w.key_mark);
                    const int v = r_.reference(key_node, gp + "." + w.key, s.variables, "state variable");
                    const double weight = r_.number_at(w.value, gp + "." + w.key, spec_of("leaders.*.goals.*.*"));
                    if (v >= 0) row[static_cast<std::size_t>(v)] = weight;
                }
            }
            leader.goals.push_back(std::move(row));
        }
        leader.priorities.assign(leader.goal_names.size(), 0.0);
        if (!priorities) return;
        double total = 0.0;
        std::vector<bool> given(leader.goal_names.size(), false);
        for (const Entry& p : priorities->map) {
            const std::string pp = path + ".priorities." + p.key;
            const Node key_node = tree::scalar_node(p.key, p.key_mark);
            const int g = r_.reference(key_node, pp, leader.goal_names, "goal of this leader");
            const double weight = r_.number_at(p.value, pp, spec_of("leaders.*.priorities.*"));
            if (g >= 0) {
                leader.priorities[static_cast<std::size_t>(g)] = weight;
                given[static_cast<std::size_t>(g)] = true;
            }
            total += weight;
        }
        for (std::size_t g = 0; g < given.size(); ++g)
            if (!given[g]) r_.error(priorities->mark, path + ".priorities." + leader.goal_names[g], "goal '" + leader.goal_names[g] + "' has no priority; add '" + leader.goal_names[g] + ": <0..1>' (0 to ignore it)");
        if (total <= 0.0 && !priorities->map.empty()) r_.error(priorities->mark, path + ".priorities", "all priorities are zero; the leader would value nothing");
    }

    void read_menu(const Node& root, const Node& n, const std::string& path, const Scenario& s, Leader& leader) {
        const Node* menu = n.find("menu");
        const std::string mp = path + ".menu";
        if (!menu) { r_.error(n.mark, mp, "missing required list 'menu' (the actions this leader may choose)"); return; }
        if (menu->kind != Node::Kind::list) { r_.error(menu->mark, mp, "expected a list of action names, found " + Reader::describe(*menu)); return; }
        if (menu->list.empty()) { r_.error(menu->mark, mp, "expected at least one action"); return; }
        std::vector<std::string> names;
        for (const Action& a : s.actions) names.push_back(a.name);
        for (std::size_t k = 0; k < menu->list.size(); ++k) {
            const Node& item = menu->list[k];
            const std::string ip = mp + "[" + std::to_string(k) + "]";
            const int a = r_.reference(item, ip, names, "action");
            if (a < 0) continue;
            if (std::find(leader.menu.begin(), leader.menu.end(), a) != leader.menu.end()) {
                r_.error(item.mark, ip, "action '" + item.scalar + "' is listed twice");
                continue;
            }
            const std::string actor = actor_of(root, item.scalar);
            if (actor != "any" && actor != leader.id)
                r_.error(item.mark, ip, "action '" + item.scalar + "' belongs to '" + actor + "' (its actor), not '" + leader.id + "'");
            leader.menu.push_back(a);
        }
        // Sanity: at every rung, some action must be available whatever the other variables are.
        for (int rung = 0; rung < s.rung_count() && !leader.menu.empty(); ++rung) {
            const bool ok = std::any_of(leader.menu.begin(), leader.menu.end(), [&](int a) {
                for (const Condition& c : s.actions[static_cast<std::size_t>(a)].requires_) {
                    if (c.variable != kRung) return false;
                    if (rung < c.min || rung > c.max) return false;
                }
                return true;
            });
            if (!ok) {
                r_.error(menu->mark, mp, "at rung " + std::to_string(rung) + " ('" + s.ladder[static_cast<std::size_t>(rung)].id +
                                              "') no action is sure to be feasible; add one without state conditions (e.g. do_nothing)");
                break;
            }
        }
    }

    void read_experiment(const Node& root) {
        const Node* e = r_.map(root, "experiment", "", false, "experiment");
        if (!e) return;
        experiment_samples = static_cast<int>(r_.number(*e, "sample", "experiment", "experiment.sample", true));
        const Node* vary = r_.map(*e, "vary", "experiment", false, "experiment.vary");
        if (!vary) return;
        for (const Entry& v : vary->map) {
            const std::string p = "experiment.vary." + v.key;
            std::string spec;
            if (v.value.kind == Node::Kind::scalar) spec = v.value.scalar;
            else if (v.value.kind == Node::Kind::list && !v.value.list.empty()) {
                for (const Node& item : v.value.list) {
                    if (item.kind != Node::Kind::scalar) {
                        r_.error(item.mark, p, "expected a value, found " + Reader::describe(item));
                        continue;
                    }
                    spec += (spec.empty() ? "" : ",") + item.scalar;
                }
            } else {
                r_.error(v.value.mark, p, "expected a list of values or a range \"lo:hi:count\", found " + Reader::describe(v.value));
                continue;
            }
            experiment_vary.push_back(v.key + "=" + spec);
        }
    }

    void read_outcomes(const Node& root, Scenario& s) {
        const Node* o = r_.map(root, "outcomes", "", true, "outcomes");
        if (!o) return;
        // Cross-checks below run only on rungs that were read cleanly, so one mistake gives one message.
        const auto rung_field = [&](const char* key, int& target) {
            const std::size_t before = r_.diagnostics.size();
            if (const Node* n = o->find(key)) target = rung_ref(*n, std::string("outcomes.") + key);
            else r_.error(o->where(), std::string("outcomes.") + key, std::string("missing required field '") + key + "' (a rung id or index)");
            return r_.diagnostics.size() == before;
        };
        const bool escalation_ok = rung_field("escalation_rung", s.outcomes.escalation_rung);
        const bool settlement_ok = rung_field("settlement_rung", s.outcomes.settlement_rung);
        s.outcomes.settlement_tension = r_.number(*o, "settlement_tension", "outcomes", "outcomes.settlement_tension");
        s.outcomes.settlement_ticks = static_cast<int>(r_.number(*o, "settlement_ticks", "outcomes", "outcomes.settlement_ticks", true));
        s.outcomes.joint_agreement = r_.boolean(*o, "joint_agreement", "outcomes", true);
        s.outcomes.agreement_channel = r_.number(*o, "agreement_channel", "outcomes", "outcomes.agreement_channel");
        if (escalation_ok && settlement_ok && s.outcomes.settlement_rung >= s.outcomes.escalation_rung)
            r_.error(o->find("settlement_rung")->mark, "outcomes.settlement_rung", "must be below escalation_rung, or every settlement would also be an escalation");
        if (escalation_ok && initial_rung_ok_ && s.initial_rung >= s.outcomes.escalation_rung)
            r_.error(o->find("escalation_rung")->mark, "outcomes.escalation_rung", "the initial rung (" + std::to_string(s.initial_rung) + ") is already at or above it; every run would end at tick 0");
        if (const Node* war = o->find("war_rung")) {
            const std::size_t before = r_.diagnostics.size();
            s.outcomes.war_rung = rung_ref(*war, "outcomes.war_rung");
            if (r_.diagnostics.size() == before && escalation_ok && settlement_ok &&
                !(s.outcomes.war_rung > s.outcomes.settlement_rung && s.outcomes.war_rung < s.outcomes.escalation_rung))
                r_.error(war->mark, "outcomes.war_rung", "must be above settlement_rung and below escalation_rung (a run at the horizon is at war at this rung or above)");
        }
        if (const Node* level = o->find("nuclear_escalation_level")) {
            if (!s.nuclear.present())
                r_.error(level->mark, "outcomes.nuclear_escalation_level", "the scenario has no nuclear track; add a top-level 'nuclear:' section or remove this field");
            else {
                const std::size_t before = r_.diagnostics.size();
                s.outcomes.nuclear_escalation_level = level_ref(*level, "outcomes.nuclear_escalation_level");
                if (r_.diagnostics.size() == before && initial_level_ok_ && s.outcomes.nuclear_escalation_level <= s.nuclear.initial_level)
                    r_.error(level->mark, "outcomes.nuclear_escalation_level", "the initial level is already at or above it; every run would end at tick 0");
            }
        }
    }
};

LoadedScenario finish(Node root, LoadedScenario loaded, const std::string& default_name,
                      const std::vector<std::string>& overrides, std::vector<Diagnostic> diagnostics) {
    if (diagnostics.empty()) {
        for (const std::string& o : overrides) tree::apply_override(root, o, diagnostics);
    }
    if (!diagnostics.empty()) throw ScenarioError(std::move(diagnostics));
    Reader reader;
    Builder builder(reader);
    Scenario s = builder.build(root, default_name);
    loaded.experiment_vary = builder.experiment_vary;
    loaded.experiment_samples = builder.experiment_samples;
    diagnostics = std::move(reader.diagnostics);
    std::stable_sort(diagnostics.begin(), diagnostics.end(), [](const Diagnostic& a, const Diagnostic& b) {
        return std::tie(a.file, a.line, a.column) < std::tie(b.file, b.line, b.column);
    });
    if (!diagnostics.empty()) throw ScenarioError(std::move(diagnostics));
    try {
        finalize(s);
    } catch (const std::invalid_argument& e) {
        throw ScenarioError({Diagnostic{loaded.files.empty() ? default_name : loaded.files.front(), 0, 0, "", e.what()}});
    }
    loaded.scenario = std::move(s);
    loaded.resolved_yaml = tree::emit(root);
    loaded.hash = fnv1a64(loaded.resolved_yaml);
    loaded.overrides = overrides;
    return loaded;
}

}  // namespace

LoadedScenario load_scenario(const std::string& path, const std::vector<std::string>& overrides) {
    Node root = load_document(path, kScenarioDocument);
    std::vector<Diagnostic> diagnostics;
    LoadedScenario loaded;
    loaded.files.push_back(path);
    std::error_code ec;
    std::vector<std::string> chain{std::filesystem::weakly_canonical(path, ec).string()};
    root = resolve_extends(std::move(root), path, chain, loaded.files, diagnostics);
    return finish(std::move(root), std::move(loaded), std::filesystem::path(path).stem().string(), overrides, std::move(diagnostics));
}

LoadedScenario load_scenario_text(const std::string& text, const std::string& display_name,
                                  const std::vector<std::string>& overrides) {
    std::vector<Diagnostic> diagnostics;
    Node root = parse_document(text, display_name, kScenarioDocument, diagnostics);
    if (!diagnostics.empty()) throw ScenarioError(std::move(diagnostics));
    LoadedScenario loaded;
    std::vector<std::string> chain{display_name};
    root = resolve_extends(std::move(root), display_name, chain, loaded.files, diagnostics);
    return finish(std::move(root), std::move(loaded), display_name, overrides, std::move(diagnostics));
}

}  // namespace brink
