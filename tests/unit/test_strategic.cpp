// Model version 2 (docs/model.md, "Strategic leaders"): the lookahead against a direct
// dense computation, the exact equalities the mechanisms promise (neutral settings take
// the version-1 numbers; credibility 0 is no commitment), the intent draws replayed
// from their stream, and the directions theory predicts (a credible commitment deters
// the move it names; audience costs make commitments honoured), paired under common
// random numbers with a 5-sigma two-sided test and a minimum effect.
#include <catch2/catch.hpp>
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "brink/model.hpp"
#include "brink/random.hpp"
#include "brink/scenario.hpp"
#include "support.hpp"

using namespace brink;
using brink::test::Recorder;
using brink::test::ReferenceWar;
using brink::test::reference_war;

namespace {

const std::string kBaseline = "scenarios/baseline.yaml";
constexpr std::size_t kPutin = 1, kBiden = 0;

std::size_t at(int i) { return static_cast<std::size_t>(i); }

int action(const Scenario& s, const std::string& name) {
    const int a = s.action_index(name);
    REQUIRE(a >= 0);
    return a;
}

int position(const Scenario& s, std::size_t leader, const std::string& name) {
    const std::vector<int>& menu = s.leaders[leader].menu;
    const auto it = std::find(menu.begin(), menu.end(), action(s, name));
    REQUIRE(it != menu.end());
    return static_cast<int>(it - menu.begin());
}

Scenario baseline() {
    Scenario s = load_scenario(kBaseline).scenario;
    // The tests below set the version-2 fields themselves: start from none of them.
    s.commitments.clear();
    s.state_weights.clear();
    s.nuclear = NuclearTrack{};
    s.outcomes.nuclear_escalation_level = -1;
    for (Action& a : s.actions) a.jumps.clear(), a.nuclear = 0.0;
    for (Leader& l : s.leaders) l.modes.clear(), l.traits.foresight = 1;
    finalize(s);
    return s;
}

/// Biden's standing commitment: sanctions within two weeks of a full-scale offensive.
Commitment sanctions_if_offensive(const Scenario& s, double credibility, double audience_cost, double learning) {
    Commitment c;
    c.id = "sanctions_if_offensive";
    c.by = static_cast<int>(kBiden);
    c.trigger = {action(s, "full_scale_offensive")};
    c.response = action(s, "impose_sanctions");
    c.window = 2;
    c.credibility = credibility;
    c.learning = learning;
    c.audience_cost = audience_cost;
    return c;
}

bool same_run(const RunResult& a, const RunResult& b) {
    return a.outcome == b.outcome && a.end_tick == b.end_tick && a.max_rung == b.max_rung &&
           a.final_rung == b.final_rung && a.final_state == b.final_state && a.action_counts == b.action_counts &&
           a.first_tick_at_rung == b.first_tick_at_rung;
}

void require_identical_runs(const Scenario& a, const Scenario& b, std::uint64_t runs) {
    WorkspaceHandle wa, wb;
    RunResult ra, rb;
    for (std::uint64_t id = 0; id < runs; ++id) {
        simulate(a, id, 7, ra, wa);
        simulate(b, id, 7, rb, wb);
        INFO("run " << id);
        REQUIRE(same_run(ra, rb));
    }
}

/// Paired difference of a per-run indicator between two arms (common random numbers):
/// mean and standard error.
struct Paired {
    double mean = 0.0, se = 0.0;
    double z() const { return se > 0.0 ? mean / se : 0.0; }
};

template <class F>
Paired paired(const Scenario& a, const Scenario& b, std::uint64_t runs, F indicator) {
    WorkspaceHandle wa, wb;
    RunResult ra, rb;
    double sum = 0.0, sum2 = 0.0;
    for (std::uint64_t id = 0; id < runs; ++id) {
        simulate(a, id, 11, ra, wa);
        simulate(b, id, 11, rb, wb);
        const double d = indicator(rb) - indicator(ra);
        sum += d;
        sum2 += d * d;
    }
    const double n = static_cast<double>(runs);
    Paired p;
    p.mean = sum / n;
    p.se = std::sqrt(std::max(0.0, sum2 / n - p.mean * p.mean) / (n - 1.0));
    return p;
}

double logistic(double z) { return 1.0 / (1.0 + std::exp(-z)); }

/// Every version-2 mechanism at once on the baseline.
Scenario strategic_variant(int foresight) {
    Scenario s = baseline();
    for (Leader& l : s.leaders) l.traits.foresight = foresight, l.traits.discount = 0.85;
    s.commitments.push_back(sanctions_if_offensive(s, 0.7, 0.05, 0.3));
    Commitment warn = sanctions_if_offensive(s, 0.4, 0.02, 0.5);
    warn.id = "flank_if_incursion";
    warn.trigger = {action(s, "limited_incursion")};
    warn.response = action(s, "reinforce_eastern_flank");
    warn.declared_by = action(s, "public_warning");
    s.commitments.push_back(warn);
    s.actions[at(action(s, "full_scale_offensive"))].jumps = {Jump{7, 0.05}};
    s.actions[at(action(s, "limited_incursion"))].jumps = {Jump{6, 0.2}};
    s.actions[at(action(s, "nuclear_signalling"))].nuclear = 1.5;
    s.nuclear.levels = {Rung{"none", "none", 0.0, false, {}, {}}, Rung{"alert", "alert", 0.4, false, {}, {}},
                        Rung{"threats", "threats", 1.0, false, {}, {}}, Rung{"use", "use", 40.0, true, {}, {}}};
    s.nuclear.step = LadderStep{1.5, 2.5, -1.0, 0.5};
    s.nuclear.rung_pressure.assign(s.ladder.size(), 0.0);
    s.nuclear.rung_pressure[6] = 1.0;
    s.nuclear.rung_pressure[7] = 2.5;
    s.outcomes.nuclear_escalation_level = 2;  // threats end the run; "use" is terminal anyway
    s.state_weights = {StateWeight{s.variable_index("russia_economy"), -0.8}};
    Mode coerce, decided;
    coerce.id = "coerce";
    coerce.propensity.assign(s.leaders[kPutin].menu.size(), 0.0);
    coerce.prior = 0.7;
    decided.id = "decided";
    decided.propensity.assign(s.leaders[kPutin].menu.size(), 0.0);
    decided.propensity[at(position(s, kPutin, "full_scale_offensive"))] = 0.05;
    decided.propensity[at(position(s, kPutin, "military_buildup"))] = 0.02;
    decided.enterable = true;
    decided.intercept = -5.0;
    decided.slopes = {StateWeight{s.variable_index("russia_mobilization"), 3.0}};
    decided.prior = 0.3;
    s.leaders[kPutin].modes = {coerce, decided};
    finalize(s);
    return s;
}

}  // namespace

TEST_CASE("Neutral version-2 settings reproduce the version-1 numbers run for run", "[strategic]") {
    // A commitment that nobody anticipates (foresight 1) and that costs nothing to break
    // sends both leaders through the version-2 decision code with every version-2 term 0:
    // the runs must be the version-1 runs, bit for bit.
    const Scenario v1 = baseline();
    Scenario neutral = v1;
    neutral.commitments.push_back(sanctions_if_offensive(neutral, 0.9, 0.0, 0.5));
    finalize(neutral);
    require_identical_runs(v1, neutral, 400);
}

TEST_CASE("Credibility 0 gives the same runs as no commitment, with foresight", "[strategic]") {
    Scenario plain = baseline();
    for (Leader& l : plain.leaders) l.traits.foresight = 4;
    finalize(plain);
    Scenario zero = plain;
    zero.commitments.push_back(sanctions_if_offensive(zero, 0.0, 0.0, 0.0));
    finalize(zero);
    require_identical_runs(plain, zero, 300);
}

TEST_CASE("The engine's war terms and lookahead match the direct dense computation on every option", "[strategic]") {
    for (const int foresight : {2, 4}) {
        const Scenario s = strategic_variant(foresight);
        double worst = 0.0, worst_sum = 0.0;
        std::size_t checked = 0, committed_options = 0;
        for (std::uint64_t id = 0; id < 40; ++id) {
            // Replay each run and keep the start-of-tick rung, level, tension and state.
            Recorder rec(true, s.variable_count());
            const RunResult r = simulate(s, id, 3, &rec);
            (void)r;
            int rung = s.initial_rung, level = s.nuclear.initial_level;
            std::array<int, 2> last{-1, -1};
            std::vector<double> state = s.initial;
            for (const TickView& view : rec.ticks) {
                for (std::size_t i = 0; i < 2; ++i) {
                    const LeaderTick& d = view.leaders[i];
                    for (const Option& o : d.options) {
                        const ReferenceWar expected = reference_war(s, i, o.action, d, last[i], rung, level,
                                                                    state[at(s.tension)], state);
                        worst = std::max(worst, std::abs(o.lookahead - expected.later));
                        worst = std::max(worst, std::abs(o.war_cost - expected.first));
                        // The utility is the sum of its terms (the goal term by goal, from
                        // the predicted state, equals the engine's regrouped one to rounding).
                        double goals = 0.0;
                        for (const double g : o.by_goal) goals += g;
                        const double sum = goals - o.war_cost - o.action_cost + o.reciprocity + o.resolve - o.lookahead +
                                           o.committed + o.propensity + o.audience;
                        worst_sum = std::max(worst_sum, std::abs(o.utility - sum));
                        ++checked;
                        committed_options += o.committed != 0.0;
                    }
                }
                rung = view.rung;
                level = view.level;
                last = {view.leaders[0].chosen, view.leaders[1].chosen};
                state = rec.states[&view - rec.ticks.data()];
            }
        }
        std::printf("war terms, foresight %d: %zu options (%zu with committed responses), worst |difference| %.3g; "
                    "utility vs the sum of its terms %.3g\n", foresight, checked, committed_options, worst, worst_sum);
        CHECK(checked > 10000);
        CHECK(committed_options > 0);
        CHECK(worst < 1e-12);
        CHECK(worst_sum < 1e-12);
    }
}

TEST_CASE("Hidden modes switch exactly when the intent stream says", "[strategic]") {
    const Scenario s = strategic_variant(2);
    const Mode& decided = s.leaders[kPutin].modes[1];
    WorkspaceHandle ws;
    RunResult r;
    int entered = 0;
    for (std::uint64_t id = 0; id < 300; ++id) {
        Recorder rec(false, s.variable_count());
        simulate(s, id, 5, r, ws, &rec);
        // Replay: one intent uniform per tick while in coerce; the hazard on the
        // start-of-tick state (mobilisation, rung 0 slope).
        Stream intent(5, id, StreamPurpose::intent);
        int expected = -1;
        std::vector<double> state = s.initial;
        for (int t = 1; t <= r.end_tick; ++t) {
            const double u = intent.uniform();
            const double h = logistic(decided.intercept + 3.0 * state[at(s.variable_index("russia_mobilization"))]);
            if (u < h) {
                expected = t;
                break;
            }
            state = rec.states[at(t - 1)];
        }
        INFO("run " << id);
        REQUIRE(r.first_tick_in_mode[kPutin][1] == expected);
        entered += expected > 0;
    }
    CHECK(entered > 30);
}

TEST_CASE("A credible commitment deters the move it names", "[strategic]") {
    // Putin looks three weeks ahead. Against the same scenario with the commitment at
    // credibility 0 (which changes nothing, above), credibility 0.9 must lower the share
    // of runs with a full-scale offensive, beyond 5 se and by at least 1 point.
    Scenario none = baseline();
    for (Leader& l : none.leaders) l.traits.foresight = 3;
    Scenario zero = none, credible = none;
    zero.commitments.push_back(sanctions_if_offensive(zero, 0.0, 0.0, 0.0));
    credible.commitments.push_back(sanctions_if_offensive(credible, 0.9, 0.0, 0.0));
    finalize(zero);
    finalize(credible);
    const auto offensive = static_cast<std::size_t>(position(none, kPutin, "full_scale_offensive"));
    const Paired p = paired(zero, credible, 4000, [&](const RunResult& r) { return r.action_counts[kPutin][offensive] > 0 ? 1.0 : 0.0; });
    std::printf("credible commitment: change in P(offensive) %.4f (se %.4f, z %.1f)\n", p.mean, p.se, p.z());
    CHECK(p.z() < -5.0);
    CHECK(p.mean < -0.01);
}

TEST_CASE("Audience costs make a triggered commitment likelier to be honoured", "[strategic]") {
    // Share of resolved triggers that were honoured, with audience cost 0 and 0.06, the
    // same runs (common random numbers): it must rise beyond 5 se and by 5 points.
    Scenario cheap = baseline();
    Commitment c = sanctions_if_offensive(cheap, 0.5, 0.0, 0.3);
    c.trigger = {action(cheap, "military_buildup")};  // frequent, so many runs resolve one
    c.window = 1;
    cheap.commitments.push_back(c);
    Scenario costly = cheap;
    costly.commitments[0].audience_cost = 0.06;
    finalize(cheap);
    finalize(costly);
    double honoured[2] = {0, 0}, resolved[2] = {0, 0};
    const Paired p = paired(cheap, costly, 3000, [&](const RunResult& r) {
        const int total = r.honoured[0] + r.bluffed[0];
        return total > 0 ? static_cast<double>(r.honoured[0]) / total : 0.0;
    });
    WorkspaceHandle ws;
    RunResult r;
    for (std::uint64_t id = 0; id < 500; ++id) {
        for (int arm = 0; arm < 2; ++arm) {
            simulate(arm == 0 ? cheap : costly, id, 11, r, ws);
            honoured[arm] += r.honoured[0];
            resolved[arm] += r.honoured[0] + r.bluffed[0];
        }
    }
    std::printf("audience cost: honoured share %.3f -> %.3f (runs 0-499); paired change %.4f (se %.4f, z %.1f)\n",
                honoured[0] / resolved[0], honoured[1] / resolved[1], p.mean, p.se, p.z());
    CHECK(resolved[0] > 200);
    CHECK(p.z() > 5.0);
    CHECK(p.mean > 0.05);
}

TEST_CASE("The ladder with state pressure, jumps and the nuclear track replays from its streams", "[strategic]") {
    // Every tick's rung and level recomputed from the ladder and track streams in the
    // documented order: the ladder's one-step move on x = P + sum beta s + tau T0, then
    // leader 0's jumps and leader 1's (a track draw each where the rung is below the
    // target), then the nuclear step on N + rho(r0) + tau_N T0 (one track draw).
    const Scenario s = strategic_variant(2);
    std::size_t jumps = 0, level_moves = 0, ticks = 0, nuclear_ends = 0;
    for (std::uint64_t id = 0; id < 200; ++id) {
        Recorder rec(true, s.variable_count());
        const RunResult r = simulate(s, id, 9, &rec);
        Stream ladder(9, id, StreamPurpose::ladder), track(9, id, StreamPurpose::track);
        int rung = s.initial_rung, level = s.nuclear.initial_level;
        std::vector<double> state = s.initial;
        for (std::size_t k = 0; k < rec.ticks.size(); ++k) {
            const TickView& v = rec.ticks[k];
            const double tension = state[at(s.tension)];
            double sp = 0.0;
            for (const StateWeight& w : s.state_weights) sp += w.weight * state[at(w.variable)];
            const double x = v.pressure + sp + s.step.tension_weight * tension;
            const double up = rung + 1 < s.rung_count() ? logistic(s.step.sensitivity * (x - s.up_threshold_at[at(rung)])) : 0.0;
            const double down = rung > 0 ? logistic(s.step.sensitivity * (s.down_threshold_at[at(rung)] - x)) : 0.0;
            const double u = ladder.uniform();
            const int rung_before = rung;
            if (u < up) ++rung;
            else if (u < up + down) --rung;
            for (std::size_t i = 0; i < 2; ++i)
                for (const Jump& j : s.actions[at(v.leaders[i].chosen)].jumps)
                    if (rung < j.to && track.uniform() < j.probability) rung = j.to, ++jumps;
            double n = s.actions[at(v.leaders[0].chosen)].nuclear + s.actions[at(v.leaders[1].chosen)].nuclear;
            for (const int e : v.events_fired) n += s.events[at(e)].nuclear;
            const double y = n + s.nuclear.rung_pressure[at(rung_before)] + s.nuclear.step.tension_weight * tension;
            const double nup = level + 1 < s.nuclear.level_count() ? logistic(s.nuclear.step.sensitivity * (y - s.nuclear.up_threshold_at[at(level)])) : 0.0;
            const double ndown = level > 0 ? logistic(s.nuclear.step.sensitivity * (s.nuclear.down_threshold_at[at(level)] - y)) : 0.0;
            const double w = track.uniform();
            if (w < nup) ++level, ++level_moves;
            else if (w < nup + ndown) --level, ++level_moves;
            INFO("run " << id << " tick " << v.tick);
            REQUIRE(v.rung_before == rung_before);
            REQUIRE(v.rung == rung);
            REQUIRE(v.level == level);
            // The run ends at the first tick at the escalation rung or the nuclear track's
            // escalation level.
            const bool ends = rung >= s.outcomes.escalation_rung || level >= s.outcomes.nuclear_escalation_level;
            REQUIRE(ends == (k + 1 == rec.ticks.size() && r.outcome == Outcome::escalation));
            nuclear_ends += level >= s.outcomes.nuclear_escalation_level;
            state = rec.states[k];
            ++ticks;
        }
        REQUIRE(r.final_level == level);
    }
    std::printf("replayed %zu ticks: %zu jumps, %zu nuclear level changes, %zu runs ended by the track\n", ticks, jumps,
                level_moves, nuclear_ends);
    CHECK(jumps > 20);
    CHECK(level_moves > 20);
    CHECK(nuclear_ends > 5);
}

TEST_CASE("Type beliefs follow Bayes' rule with forgetting, from the moves seen", "[strategic]") {
    const Scenario s = strategic_variant(2);
    const Leader& biden = s.leaders[kBiden];
    const Leader& putin = s.leaders[kPutin];
    double moved = 0.0;
    for (std::uint64_t id = 0; id < 100; ++id) {
        Recorder rec(true, s.variable_count());
        simulate(s, id, 13, &rec);
        std::vector<double> mu{putin.modes[0].prior, putin.modes[1].prior};
        for (const TickView& v : rec.ticks) {
            const LeaderTick& d = v.leaders[kBiden];
            if (d.observed >= 0) {
                const auto k = at(position(s, kPutin, s.actions[at(d.observed)].name));
                double total = 0.0;
                for (std::size_t m = 0; m < 2; ++m) {
                    mu[m] = (biden.traits.memory * mu[m] + (1.0 - biden.traits.memory) * putin.modes[m].prior) * putin.modes[m].likelihood[k];
                    total += mu[m];
                }
                for (double& x : mu) x /= total;
            }
            INFO("run " << id << " tick " << v.tick);
            REQUIRE(d.type_beliefs.size() == 2);
            REQUIRE(std::abs(d.type_beliefs[0] - mu[0]) < 1e-14);
            REQUIRE(std::abs(d.type_beliefs[1] - mu[1]) < 1e-14);
            moved = std::max(moved, std::abs(mu[1] - putin.modes[1].prior));
        }
    }
    // The likelihoods: a logit of the propensities at Putin's rationality.
    const auto offensive = at(position(s, kPutin, "full_scale_offensive"));
    double total = 0.0;
    for (const double p : putin.modes[1].propensity) total += std::exp(putin.traits.rationality * (p - 0.05));
    CHECK(putin.modes[1].likelihood[offensive] == Approx(1.0 / total).epsilon(1e-12));
    CHECK(moved > 0.2);
}

TEST_CASE("Commitments trigger, resolve on time, and credibility learns from honour and bluff", "[strategic]") {
    const Scenario s = strategic_variant(2);
    std::size_t honoured = 0, bluffed = 0, declared = 0;
    for (std::uint64_t id = 0; id < 300; ++id) {
        Recorder rec(true, s.variable_count());
        const RunResult r = simulate(s, id, 17, &rec);
        const std::size_t n = s.commitments.size();
        std::vector<double> kappa(n);
        std::vector<char> active(n), pending(n, 0);
        std::vector<int> deadline(n, 0);
        for (std::size_t c = 0; c < n; ++c) kappa[c] = s.commitments[c].credibility, active[c] = s.commitments[c].declared_by < 0;
        for (std::size_t k = 0; k < rec.ticks.size(); ++k) {
            const TickView& v = rec.ticks[k];
            INFO("run " << id << " tick " << v.tick);
            for (std::size_t c = 0; c < n; ++c) {  // the state as the tick began
                const CommitmentView& seen = v.leaders[0].commitments[c];
                REQUIRE(seen.credibility == kappa[c]);
                REQUIRE(seen.active == (active[c] != 0));
                REQUIRE(seen.pending == (pending[c] != 0));
            }
            for (std::size_t c = 0; c < n; ++c) {
                const Commitment& cm = s.commitments[c];
                const int by = v.leaders[at(cm.by)].chosen, other = v.leaders[at(1 - cm.by)].chosen;
                if (pending[c] && (by == cm.response || v.tick >= deadline[c])) {
                    const bool h = by == cm.response;
                    kappa[c] = h ? kappa[c] + cm.learning * (1.0 - kappa[c]) : kappa[c] * (1.0 - cm.learning);
                    (h ? honoured : bluffed) += 1;
                    pending[c] = 0;
                    active[c] = cm.declared_by < 0;
                }
                if (active[c] && !pending[c] && std::find(cm.trigger.begin(), cm.trigger.end(), other) != cm.trigger.end())
                    pending[c] = 1, deadline[c] = v.tick + cm.window;
                if (!active[c] && !pending[c] && cm.declared_by >= 0 && by == cm.declared_by) active[c] = 1, ++declared;
            }
        }
        for (std::size_t c = 0; c < n; ++c) REQUIRE(r.final_credibility[c] == kappa[c]);
    }
    std::printf("commitments: %zu honoured, %zu bluffed, %zu declarations\n", honoured, bluffed, declared);
    CHECK(honoured > 10);
    CHECK(bluffed > 10);
    CHECK(declared > 10);
}

TEST_CASE("A leader in a decided mode reaches the offensive within its readiness window", "[strategic]") {
    // Putin enters `decided` with hazard sig(-5 + 3 mobilisation) a week; there he
    // prepares and acts: propensities 0.03 for a build-up, 0.06 for an incursion and
    // 0.1 for the offensive (utility per week; at rationality 40 a factor e^4 ~ 55 for
    // the offensive). Against the same runs with the decided mode's propensities zeroed
    // (common random numbers: the same switches), the share of runs with an offensive
    // within 12 weeks of the switch must rise beyond 5 se and by at least 5 points.
    Scenario decided = strategic_variant(1);
    std::vector<double>& ready = decided.leaders[kPutin].modes[1].propensity;
    ready[at(position(decided, kPutin, "military_buildup"))] = 0.03;
    ready[at(position(decided, kPutin, "limited_incursion"))] = 0.06;
    ready[at(position(decided, kPutin, "full_scale_offensive"))] = 0.1;
    finalize(decided);
    Scenario flat = decided;
    for (double& p : flat.leaders[kPutin].modes[1].propensity) p = 0.0;
    finalize(flat);
    const auto offensive = action(decided, "full_scale_offensive");
    const auto within = [&](const Scenario& s, std::uint64_t id) {
        Recorder rec(false, s.variable_count());
        RunResult r = simulate(s, id, 21, &rec);
        const int entered = r.first_tick_in_mode[kPutin][1];
        if (entered < 0) return 0.0;
        for (const TickView& v : rec.ticks)
            if (v.tick >= entered && v.tick < entered + 12 && v.leaders[kPutin].chosen == offensive) return 1.0;
        return 0.0;
    };
    double sum = 0.0, sum2 = 0.0, a_total = 0.0, b_total = 0.0;
    const std::uint64_t runs = 3000;
    for (std::uint64_t id = 0; id < runs; ++id) {
        const double a = within(flat, id), b = within(decided, id);
        sum += b - a;
        sum2 += (b - a) * (b - a);
        a_total += a;
        b_total += b;
    }
    const double n = static_cast<double>(runs), mean = sum / n;
    const double se = std::sqrt((sum2 / n - mean * mean) / (n - 1.0));
    std::printf("decided mode: offensive within 12 weeks of the switch %.4f -> %.4f of runs (z %.1f)\n", a_total / n, b_total / n,
                se > 0.0 ? mean / se : 0.0);
    CHECK(se > 0.0);
    CHECK(mean / se > 5.0);
    CHECK(mean > 0.05);
}
