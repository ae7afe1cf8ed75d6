// State files (docs/timelines.md, "State files"): a paused run a person can edit.
#include <algorithm>
#include <charconv>
#include <cmath>

#include "brink/scenario.hpp"
#include "documents.hpp"
#include "tree.hpp"

namespace brink {

using tree::Entry;
using tree::Mark;
using tree::Node;

namespace {

constexpr DocumentKind kStateDocument{"a state file (.yaml)", "state files", "a run state (tick, rung, variables, leaders, ...)",
                                      "tick:, rung:, variables:, ..."};

class StateReader : DocumentReader {
public:
    StateReader(const Scenario& s, std::vector<Diagnostic>& d) : DocumentReader(d), s_(s) {}

    RunSnapshot read(const Node& root) {
        RunSnapshot run;
        WorkspaceHandle ws;
        start_snapshot(s_, run, ws);
        keys(root, "", {"scenario", "model_version", "tick", "date", "rung", "level", "settled_ticks", "variables", "leaders", "commitments"});
        run.tick = integer(root, "tick", "", 0, s_.horizon - 1, true).value_or(0);
        run.settled_ticks = integer(root, "settled_ticks", "", 0, s_.horizon, false).value_or(0);
        if (const Node* n = root.find("rung")) run.rung = name(*n, "rung", ids(s_.ladder), "rung").value_or(run.rung);
        else missing(root, "rung", "a rung id");
        if (const Node* n = root.find("level")) {
            if (!s_.nuclear.present()) error(n->mark, "level", "the scenario has no nuclear track");
            else run.level = name(*n, "level", ids(s_.nuclear.levels), "level").value_or(run.level);
        }
        read_variables(root, run);
        read_leaders(root, run);
        read_commitments(root, run);
        // The history of a branch from a state file starts at the state's tick (its ticks
    // at each rung count from there).
        RunResult& r = run.result;
        std::fill(r.first_tick_at_rung.begin(), r.first_tick_at_rung.end(), -1);
        r.first_tick_at_rung[static_cast<std::size_t>(run.rung)] = run.tick;
        std::fill(r.last_tick_at_rung.begin(), r.last_tick_at_rung.end(), -1);
        r.last_tick_at_rung[static_cast<std::size_t>(run.rung)] = run.tick;
        std::fill(r.ticks_at_rung.begin(), r.ticks_at_rung.end(), 0);
        r.max_rung = run.rung;
        std::fill(r.first_tick_at_level.begin(), r.first_tick_at_level.end(), -1);
        if (s_.nuclear.present()) r.first_tick_at_level[static_cast<std::size_t>(run.level)] = run.tick, r.max_level = run.level;
        for (std::size_t i = 0; i < 2; ++i) {
            std::fill(r.first_tick_in_mode[i].begin(), r.first_tick_in_mode[i].end(), -1);
            if (!r.first_tick_in_mode[i].empty()) r.first_tick_in_mode[i][static_cast<std::size_t>(run.mode[i])] = run.tick;
        }
        r.end_tick = run.tick;
        return run;
    }

private:
    const Scenario& s_;

    void missing(const Node& parent, const std::string& path, const std::string& what) {
        error(parent.where(), path, "missing required field '" + path.substr(path.rfind('.') + 1) + "' (" + what + ")");
    }
    const Node* map(const Node& parent, const std::string& key, const std::string& path) {
        const Node* n = parent.find(key);
        if (!n) return nullptr;
        if (n->kind != Node::Kind::map) {
            error(n->mark, child(path, key), "expected a map, found " + describe(*n));
            return nullptr;
        }
        return n;
    }

    std::optional<double> number(const Node& n, const std::string& path, double lo, double hi) {
        const std::optional<double> v = number_of(n);
        if (!v || *v < lo || *v > hi) {
            error(n.mark, path, "expected a number in [" + format_number(lo) + ", " + format_number(hi) + "], found " + describe(n));
            return std::nullopt;
        }
        return v;
    }

    std::optional<int> integer(const Node& parent, const std::string& key, const std::string& path, int lo, int hi, bool required) {
        const Node* n = parent.find(key);
        if (!n) {
            if (required) missing(parent, child(path, key), "an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
            return std::nullopt;
        }
        const std::optional<double> v = number_of(*n);
        if (!v || std::floor(*v) != *v || *v < lo || *v > hi) {
            error(n->mark, child(path, key), "expected an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], found " + describe(*n));
            return std::nullopt;
        }
        return static_cast<int>(*v);
    }

    static std::vector<std::string> ids(const std::vector<Rung>& rungs) {
        std::vector<std::string> out;
        for (const Rung& r : rungs) out.push_back(r.id);
        return out;
    }

    std::vector<std::string> menu(std::size_t leader) const {
        std::vector<std::string> out;
        for (const int a : s_.leaders[leader].menu) out.push_back(s_.actions[static_cast<std::size_t>(a)].name);
        return out;
    }

    void read_variables(const Node& root, RunSnapshot& run) {
        const Node* vars = map(root, "variables", "");
        if (!vars) {
            if (!root.find("variables")) missing(root, "variables", "every state variable's value");
            return;
        }
        keys(*vars, "variables", s_.variables);
        for (std::size_t v = 0; v < s_.variables.size(); ++v) {
            const std::string path = "variables." + s_.variables[v];
            if (const Node* n = vars->find(s_.variables[v])) run.state[v] = number(*n, path, 0.0, 1.0).value_or(run.state[v]);
            else missing(*vars, path, "a number in [0, 1]");
        }
    }

    /// A distribution over `names`: non-negative weights with a positive sum, normalised.
    void distribution(const Node& n, const std::string& path, const std::vector<std::string>& names, std::vector<double>& out) {
        if (n.kind != Node::Kind::map) return error(n.mark, path, "expected a map of name: weight, found " + describe(n));
        keys(n, path, names);
        std::vector<double> w(names.size(), 0.0);
        double sum = 0.0;
        for (std::size_t k = 0; k < names.size(); ++k)
            if (const Node* x = n.find(names[k])) sum += w[k] = number(*x, path + "." + names[k], 0.0, 1e9).value_or(0.0);
        if (!(sum > 0.0)) return error(n.mark, path, "the weights sum to 0; give at least one positive weight (they are normalised)");
        for (std::size_t k = 0; k < names.size(); ++k) out[k] = w[k] / sum;
    }

    void read_leaders(const Node& root, RunSnapshot& run) {
        const Node* leaders = map(root, "leaders", "");
        if (!leaders) return;
        keys(*leaders, "leaders", {s_.leaders[0].id, s_.leaders[1].id});
        for (std::size_t i = 0; i < 2; ++i) {
            const Leader& leader = s_.leaders[i];
            const std::string path = "leaders." + leader.id;
            const Node* n = map(*leaders, leader.id, "leaders");
            if (!n) continue;
            keys(*n, path, {"last_move", "mode", "beliefs", "type_beliefs"});
            if (const Node* m = n->find("last_move")) {
                if (m->kind == Node::Kind::scalar && m->scalar == "none") run.last[i] = run.last_position[i] = -1;
                else if (const auto p = name(*m, path + ".last_move", menu(i), "action in " + leader.id + "'s menu (or none)")) {
                    run.last_position[i] = *p;
                    run.last[i] = leader.menu[static_cast<std::size_t>(*p)];
                }
            }
            if (const Node* m = n->find("mode")) {
                std::vector<std::string> modes;
                for (const Mode& mode : leader.modes) modes.push_back(mode.id);
                if (modes.empty()) error(m->mark, path + ".mode", leader.id + " has no hidden modes in this scenario");
                else run.mode[i] = name(*m, path + ".mode", modes, "mode").value_or(run.mode[i]);
            }
            if (const Node* b = n->find("beliefs")) distribution(*b, path + ".beliefs", menu(1 - i), run.beliefs[i]);
            if (const Node* b = n->find("type_beliefs")) {
                std::vector<std::string> modes;
                for (const Mode& mode : s_.leaders[1 - i].modes) modes.push_back(mode.id);
                if (modes.empty()) error(b->mark, path + ".type_beliefs", "the opponent has no hidden modes in this scenario");
                else distribution(*b, path + ".type_beliefs", modes, run.type_beliefs[i]);
            }
        }
    }

    void read_commitments(const Node& root, RunSnapshot& run) {
        const Node* list = map(root, "commitments", "");
        if (!list) return;
        std::vector<std::string> names;
        for (const Commitment& c : s_.commitments) names.push_back(c.id);
        keys(*list, "commitments", names);
        for (std::size_t c = 0; c < names.size(); ++c) {
            const std::string path = "commitments." + names[c];
            const Node* n = map(*list, names[c], "commitments");
            if (!n) continue;
            keys(*n, path, {"active", "pending", "deadline", "credibility"});
            const auto flag = [&](const std::string& key, char& out) {
                if (const Node* f = n->find(key)) {
                    if (f->kind == Node::Kind::scalar && (f->scalar == "true" || f->scalar == "false")) out = f->scalar == "true";
                    else error(f->mark, path + "." + key, "expected true or false, found " + describe(*f));
                }
            };
            flag("active", run.active[c]);
            flag("pending", run.pending[c]);
            if (const Node* k = n->find("credibility")) run.credibility[c] = number(*k, path + ".credibility", 0.0, 1.0).value_or(run.credibility[c]);
            run.deadline[c] = integer(*n, "deadline", path, 0, s_.horizon + s_.commitments[c].window, false).value_or(run.deadline[c]);
            if (run.pending[c] && run.deadline[c] <= run.tick)
                error(n->mark, path + ".deadline", "a pending commitment needs a deadline after the state's tick (" + std::to_string(run.tick) +
                                                       "), found " + std::to_string(run.deadline[c]));
        }
    }
};

}  // namespace

RunSnapshot load_state(const std::string& path, const Scenario& scenario) {
    const Node root = load_document(path, kStateDocument);
    std::vector<Diagnostic> diagnostics;
    RunSnapshot run = StateReader(scenario, diagnostics).read(root);
    if (!diagnostics.empty()) throw ScenarioError(std::move(diagnostics));
    return run;
}

}  // namespace brink
