// The reference decision: the utility and the logit probabilities of docs/model.md's
// decision rule written directly, term by term, with none of the engine's regrouping
// (no escalation classes, no factored ladder, no linear goal term with corrections).
// The engine's optimised choose() must match it to 1e-12 on every option of every
// decision over a corpus of real tick states of every shipped scenario, and of
// variants that push the optimised paths to their edges: heavy perceived-state noise
// (many goal-term clamp corrections), an extreme ladder sensitivity (the factored war
// term overflows and the direct one is used), firebreaks, and rationality 0 and 8.
//
// What the reference takes from the engine is only what the engine *observed*: the
// perceived state (its noise draws), the opponent's move as seen, and the beliefs used.
// Everything computed from them — feasibility on the true start-of-tick state, the
// believed opponent move, the clamp, the ladder logistics, reciprocity, resolve, the
// logit — is recomputed here. The beliefs are themselves recomputed from the sequence
// of moves seen (b ← η b + (1 − η) 1[k = seen]) and checked.
#include <catch2/catch.hpp>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "brink/model.hpp"
#include "brink/scenario.hpp"
#include "support.hpp"

using namespace brink;

namespace {

constexpr double kTolerance = 1e-12;

double clamp01(double v) { return std::min(1.0, std::max(0.0, v)); }

/// Records each tick's start state (the state the decisions were made on) and details.
class Corpus final : public TickObserver {
public:
    Corpus(std::size_t variables, int initial_level) : variables_(variables), initial_level_(initial_level) {}
    bool wants_details() const override { return true; }
    void on_start(const double* state, int rung) override {
        next_start_.assign(state, state + variables_);
        next_rung_ = rung;
        next_level_ = initial_level_;
    }
    void on_tick(const TickView& view) override {
        Decision d;
        d.start_state = next_start_;
        d.start_rung = next_rung_;
        d.start_level = next_level_;
        d.view = view;
        d.view.state = nullptr;
        ticks.push_back(std::move(d));
        next_start_.assign(view.state, view.state + variables_);
        next_rung_ = view.rung;
        next_level_ = view.level;
    }
    struct Decision {
        std::vector<double> start_state;
        int start_rung = 0;
        int start_level = 0;
        TickView view;
    };
    std::vector<Decision> ticks;

private:
    std::size_t variables_;
    int initial_level_;
    std::vector<double> next_start_;
    int next_rung_ = 0, next_level_ = 0;
};

bool feasible(const Action& a, const std::vector<double>& state, int rung) {
    for (const Condition& c : a.requires_) {
        const double v = c.variable == kRung ? static_cast<double>(rung) : state[static_cast<std::size_t>(c.variable)];
        if (v < c.min || v > c.max) return false;
    }
    return true;
}

/// docs/model.md, Utility in version 2: the mode's propensity for a, the audience cost
/// of the leader's pending commitments whose response is a, and (foresight >= 2) the
/// credibility-weighted value of the opponent's committed responses a would trigger.
double version2_terms(const Scenario& s, int i, int a, const LeaderTick& lt) {
    const Leader& leader = s.leaders[static_cast<std::size_t>(i)];
    const auto position = static_cast<std::size_t>(std::find(leader.menu.begin(), leader.menu.end(), a) - leader.menu.begin());
    double terms = lt.mode >= 0 ? leader.modes[static_cast<std::size_t>(lt.mode)].propensity[position] : 0.0;
    double committed = 0.0;
    for (const CommitmentView& v : lt.commitments) {
        const Commitment& c = s.commitments[static_cast<std::size_t>(v.commitment)];
        if (c.by == i && v.pending && c.response == a) terms += c.audience_cost;
        if (c.by != i && v.active && !v.pending && std::find(c.trigger.begin(), c.trigger.end(), a) != c.trigger.end()) {
            double value = 0.0;
            for (const Effect& e : s.actions[static_cast<std::size_t>(c.response)].effects)
                value += leader.value_weights[static_cast<std::size_t>(e.variable)] * e.mean;
            committed += v.credibility * value;
        }
    }
    if (leader.traits.foresight >= 2) terms += leader.traits.discount * committed;
    return terms;
}

struct Reference {
    std::vector<int> options;  // action indices, in menu order
    std::vector<double> utility, probability;
};

/// docs/model.md, Decision rule, steps 1-4, for leader i.
Reference reference_decision(const Scenario& s, int i, const Corpus::Decision& d, int own_previous) {
    const Leader& leader = s.leaders[static_cast<std::size_t>(i)];
    const Leader& opponent = s.leaders[static_cast<std::size_t>(1 - i)];
    const LeaderTick& lt = d.view.leaders[static_cast<std::size_t>(i)];
    const std::vector<double>& state = d.start_state;
    const int rung = d.start_rung;

    // 2. Believed opponent move over its feasible actions.
    const std::size_t n_vars = state.size();
    double mass = 0.0;
    std::size_t count = 0;
    for (std::size_t k = 0; k < opponent.menu.size(); ++k)
        if (feasible(s.actions[static_cast<std::size_t>(opponent.menu[k])], state, rung)) {
            mass += lt.beliefs[k];
            ++count;
        }
    std::vector<double> predicted = lt.perceived;
    for (std::size_t k = 0; k < opponent.menu.size(); ++k) {
        const Action& move = s.actions[static_cast<std::size_t>(opponent.menu[k])];
        if (!feasible(move, state, rung)) continue;
        const double share = mass > 0.0 ? lt.beliefs[k] / mass : 1.0 / static_cast<double>(count);
        for (const Effect& e : move.effects) predicted[static_cast<std::size_t>(e.variable)] += share * e.mean;
    }
    REQUIRE(predicted.size() == n_vars);

    // 3. Utilities of the feasible own actions.
    const int seen = lt.observed;
    const double tension = state[static_cast<std::size_t>(s.tension)];
    Reference r;
    for (const int a : leader.menu) {
        const Action& action = s.actions[static_cast<std::size_t>(a)];
        if (!feasible(action, state, rung)) continue;
        double goal = 0.0;
        for (const Effect& e : action.effects) {
            const double before = predicted[static_cast<std::size_t>(e.variable)];
            goal += leader.value_weights[static_cast<std::size_t>(e.variable)] * (clamp01(before + e.mean) - clamp01(before));
        }
        // War(a) and the lookahead (version 2): the dense reference of tests/support.cpp;
        // without version-2 mechanisms War is the one-step expected war cost of the Ladder
        // rule at pressure e(a) + e_believed and the lookahead is 0.
        const brink::test::ReferenceWar war = brink::test::reference_war(s, static_cast<std::size_t>(i), a, lt, own_previous,
                                                                         rung, d.start_level, tension, state);
        const double recip = seen >= 0 ? -leader.traits.reciprocity *
                                             std::abs(action.escalation - s.actions[static_cast<std::size_t>(seen)].escalation)
                                       : 0.0;
        const double resolve = a == own_previous ? leader.traits.resolve : 0.0;
        r.options.push_back(a);
        r.utility.push_back(goal - war.first - action.cost + recip + resolve - war.later + version2_terms(s, i, a, lt));
    }

    // 4. Logit with the maximum subtracted.
    const double best = *std::max_element(r.utility.begin(), r.utility.end());
    double total = 0.0;
    for (const double u : r.utility) total += std::exp(leader.traits.rationality * (u - best));
    for (const double u : r.utility) r.probability.push_back(std::exp(leader.traits.rationality * (u - best)) / total);
    return r;
}

struct Agreement {
    std::size_t decisions = 0, options = 0;
    double worst_utility = 0.0, worst_probability = 0.0, worst_belief = 0.0;
};

/// Plays `runs` runs of the scenario and checks every decision against the reference.
Agreement check_scenario(const Scenario& s, std::uint64_t runs) {
    Agreement agreement;
    for (std::uint64_t run = 0; run < runs; ++run) {
        Corpus corpus(static_cast<std::size_t>(s.variable_count()), s.nuclear.present() ? s.nuclear.initial_level : 0);
        simulate(s, run, s.default_seed, &corpus);
        std::array<std::vector<double>, 2> beliefs;
        for (std::size_t i = 0; i < 2; ++i) {
            const std::size_t n = s.leaders[1 - i].menu.size();
            beliefs[i].assign(n, 1.0 / static_cast<double>(n));
        }
        for (std::size_t t = 0; t < corpus.ticks.size(); ++t) {
            const Corpus::Decision& d = corpus.ticks[t];
            for (int i = 0; i < 2; ++i) {
                const auto ui = static_cast<std::size_t>(i);
                const LeaderTick& lt = d.view.leaders[ui];
                // Beliefs recomputed from the moves seen (none at tick 1).
                if (lt.observed >= 0) {
                    const Leader& opp = s.leaders[1 - ui];
                    const double eta = s.leaders[ui].traits.memory;
                    for (std::size_t k = 0; k < opp.menu.size(); ++k)
                        beliefs[ui][k] = eta * beliefs[ui][k] + (1.0 - eta) * (opp.menu[k] == lt.observed ? 1.0 : 0.0);
                }
                REQUIRE(lt.beliefs.size() == beliefs[ui].size());
                for (std::size_t k = 0; k < beliefs[ui].size(); ++k)
                    agreement.worst_belief = std::max(agreement.worst_belief, std::abs(lt.beliefs[k] - beliefs[ui][k]));

                const int previous = t == 0 ? -1 : corpus.ticks[t - 1].view.leaders[ui].chosen;
                const Reference r = reference_decision(s, i, d, previous);
                REQUIRE(lt.options.size() == r.options.size());
                for (std::size_t k = 0; k < r.options.size(); ++k) {
                    REQUIRE(lt.options[k].action == r.options[k]);
                    const double du = std::abs(lt.options[k].utility - r.utility[k]);
                    const double dp = std::abs(lt.options[k].probability - r.probability[k]);
                    if (!(du <= kTolerance) || !(dp <= kTolerance)) {
                        INFO("scenario " << s.name << ", run " << run << ", tick " << d.view.tick << ", leader "
                                         << s.leaders[ui].id << ", action " << s.actions[static_cast<std::size_t>(r.options[k])].name
                                         << ": engine U = " << lt.options[k].utility << " P = " << lt.options[k].probability
                                         << ", reference U = " << r.utility[k] << " P = " << r.probability[k]);
                        REQUIRE(du <= kTolerance);  // stop at the first disagreement: one is enough
                        REQUIRE(dp <= kTolerance);
                    }
                    agreement.worst_utility = std::max(agreement.worst_utility, du);
                    agreement.worst_probability = std::max(agreement.worst_probability, dp);
                }
                ++agreement.decisions;
                agreement.options += r.options.size();
            }
        }
    }
    return agreement;
}

std::vector<std::string> shipped_scenarios() {
    std::vector<std::string> files;
    for (const char* folder : {"scenarios", "scenarios/classroom"})
        for (const auto& entry : std::filesystem::directory_iterator(folder))
            if (entry.path().extension() == ".yaml") files.push_back(entry.path().string());
    std::sort(files.begin(), files.end());
    return files;
}

void check(const std::string& file, const std::vector<std::string>& overrides, std::uint64_t runs) {
    const LoadedScenario loaded = load_scenario(file, overrides);
    const Agreement a = check_scenario(loaded.scenario, runs);
    std::string label = file;
    for (const auto& o : overrides) label += " --set " + o;
    INFO(label);
    // A corpus too small to mean anything would make this test vacuous.
    CHECK(a.decisions >= runs * 2);
    REQUIRE(a.worst_belief <= kTolerance);
    WARN(label << ": " << a.decisions << " decisions, " << a.options << " options; worst |ΔU| = " << a.worst_utility
               << ", worst |ΔP| = " << a.worst_probability);
}

}  // namespace

TEST_CASE("Reference decision: every option of every decision of every shipped scenario", "[reference]") {
    const std::vector<std::string> files = shipped_scenarios();
    REQUIRE(files.size() >= 15);
    for (const std::string& file : files) check(file, {}, 40);
}

TEST_CASE("Reference decision: variants at the optimised paths' edges", "[reference]") {
    const std::string baseline = "scenarios/baseline.yaml";
    // Heavy fog: perceived values near and past 0 and 1, so the goal term's clamp
    // corrections apply to most decisions.
    check(baseline, {"perception.state_noise=0.6", "world.variables.channel.initial=0"}, 40);
    // exp(-k (x - θ_up)) overflows (k = 100, θ_up = 9): the engine's factored war term
    // is not normal and it falls back to the direct formula.
    check(baseline, {"ladder.step.sensitivity=100", "ladder.step.up_threshold=9"}, 20);
    // Rationality 0 (every weight exactly 1) and a sharp 8.
    check(baseline, {"leaders.biden.traits.rationality=0", "leaders.putin.traits.rationality=8"}, 20);
    // Firebreaks into the clash and out of full-scale war, and one on a low rung.
    check(baseline, {"ladder.rungs.7.up_threshold=4.5", "ladder.rungs.6.down_threshold=-3.5",
                     "ladder.rungs.3.up_threshold=2"},
          20);
    // Strong reciprocity and resolve with full risk aversion.
    check(baseline, {"leaders.biden.traits.reciprocity=0.8", "leaders.putin.traits.resolve=0.5",
                     "leaders.putin.traits.risk_tolerance=0", "leaders.biden.traits.memory=0"},
          20);
}
