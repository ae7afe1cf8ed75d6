// Agreement between the exact solver and Monte Carlo (docs/validation.md).
//
// For scenarios that reduce to a Markov chain on the ladder, the Monte Carlo
// estimates of brink::run_batch must lie within bounds of the exact values:
// outcome probabilities, cumulative incidence of escalation and de-escalation by
// tick, the rung distribution of every tick (all runs, an ended run held at its
// final rung) and the mean end tick. And the comparison must have the power to
// see a deliberate mistake: an exact solution with the ladder one tick late, or
// with the up-step landing one rung too high, must be rejected.
//
// False alarms. The family is every comparison in this file: at most
// kComparisonBudget (5 scenarios x 800; each test case checks it stays within its
// share). Bonferroni: each comparison gets alpha = 1e-6 / 4000 = 2.5e-10, so a
// correct implementation fails this file with probability below 1e-6 for a seed
// drawn at random (the seeds below are fixed, so a given build passes or fails
// deterministically; set BRINK_VALIDATION_SEED to draw others).
//   - Proportions (k of n): the Chernoff bound P(|p̂ − p| ≥ ε) ≤ 2 exp(−n KL(p̂ ‖ p))
//     holds for every p and n, including p near 0 or 1 where a normal z-test is
//     wrong in the tails. We reject when n KL(p̂ ‖ p) > log(2 / alpha) = 22.8,
//     i.e. |z| > 6.75 where the normal approximation holds. When p = 0 exactly,
//     any occurrence rejects.
//   - Mean end tick: Bernstein's inequality with the exact variance,
//     |X̄ − μ| ≤ sqrt(2 σ² L / n) + 2 H L / (3 n), L = log(2 / alpha).
// Runs: 200,000 per scenario, so a probability near 0.5 is held to about
// ±0.0075 and the mutants (which move some cell by 0.02 or more) are rejected
// with statistics far beyond the threshold (printed).
#include <catch2/catch.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "brink/engine.hpp"
#include "brink/exact.hpp"
#include "brink/scenario.hpp"
#include "support.hpp"

using namespace brink;

namespace {

constexpr double kFamilyAlpha = 1e-6;
constexpr int kComparisonBudget = 4000;
constexpr int kComparisonsPerScenario = 800;
constexpr double kAlpha = kFamilyAlpha / kComparisonBudget;  // 2.5e-10 per comparison
const double kLogBound = std::log(2.0 / kAlpha);             // 22.8: reject when n KL > this
constexpr std::uint64_t kRuns = 200000;

/// KL divergence of Bernoulli(q) from Bernoulli(p).
double bernoulli_kl(double q, double p) {
    const auto term = [](double a, double b) { return a > 0.0 ? a * std::log(a / b) : 0.0; };
    if ((p <= 0.0 && q > 0.0) || (p >= 1.0 && q < 1.0)) return std::numeric_limits<double>::infinity();
    return term(q, p) + term(1.0 - q, 1.0 - p);
}

class NullSink final : public RunSink {
public:
    void on_block(std::uint64_t, const std::vector<RunSlot>&, std::size_t, const Aggregates&) override {}
};

/// Monte Carlo counts in the exact solver's terms.
struct MonteCarlo {
    std::uint64_t n = 0;
    std::array<std::uint64_t, kOutcomeCount> outcomes{};
    std::array<std::vector<std::uint64_t>, 2> cumulative;  ///< [k][t]: ended in outcome k at or before tick t
    std::vector<std::vector<std::uint64_t>> rung;          ///< [t][r]: all runs, ended runs at their final rung
    double mean_end_tick = 0.0;
};

std::uint64_t seed_for(std::uint64_t fixed) {
    if (const char* env = std::getenv("BRINK_VALIDATION_SEED")) return std::strtoull(env, nullptr, 10) ^ fixed;
    return fixed;
}

MonteCarlo monte_carlo(const Scenario& s, std::uint64_t runs, std::uint64_t seed) {
    Aggregates a;
    a.reset(s);
    NullSink sink;
    BatchPlan plan;
    plan.runs = runs;
    plan.seed = seed;
    run_batch(s, plan, 0, a, sink);
    REQUIRE(a.failed == 0);
    MonteCarlo mc;
    mc.n = a.completed;
    mc.outcomes = a.outcomes;
    const int H = s.horizon, R = s.rung_count();
    for (std::size_t k = 0; k < 2; ++k) {
        mc.cumulative[k].assign(static_cast<std::size_t>(H + 1), 0);
        std::uint64_t sum = 0;
        for (int t = 0; t <= H; ++t) {
            sum += a.end_tick[k][static_cast<std::size_t>(t)];
            mc.cumulative[k][static_cast<std::size_t>(t)] = sum;
        }
    }
    // All runs at tick t = runs that played tick t (at their rung after it) + runs
    // that ended before t (at their final rung).
    mc.rung.assign(static_cast<std::size_t>(H + 1), std::vector<std::uint64_t>(static_cast<std::size_t>(R), 0));
    std::vector<std::uint64_t> ended(static_cast<std::size_t>(R), 0);
    for (int t = 0; t <= H; ++t) {
        for (int r = 0; r < R; ++r)
            mc.rung[static_cast<std::size_t>(t)][static_cast<std::size_t>(r)] = a.active_rung[a.tick_rung(t, r)] + ended[static_cast<std::size_t>(r)];
        for (int r = 0; r < R; ++r) ended[static_cast<std::size_t>(r)] += a.ended_rung[a.tick_rung(t, r)];
    }
    double total = 0.0;
    for (std::size_t k = 0; k < kOutcomeCount; ++k)
        for (int t = 0; t <= H; ++t) total += static_cast<double>(t) * static_cast<double>(a.end_tick[k][static_cast<std::size_t>(t)]);
    mc.mean_end_tick = total / static_cast<double>(mc.n);
    return mc;
}

/// Collects comparisons of Monte Carlo counts with claimed exact values.
struct Verdict {
    int comparisons = 0;
    int rejections = 0;
    int finite_rejections = 0;  ///< rejections where the claimed p is inside (0, 1), not a structural zero
    double worst_stat = 0.0;  ///< largest n KL
    std::string worst;
    double max_abs_z = 0.0;   ///< largest |p̂ − p| / sqrt(p (1 − p) / n) over cells with 0 < p < 1
    std::string max_z_at;

    void proportion(const std::string& what, double p, std::uint64_t k, std::uint64_t n) {
        ++comparisons;
        const double q = static_cast<double>(k) / static_cast<double>(n);
        p = std::min(1.0, std::max(0.0, p));
        const double stat = static_cast<double>(n) * bernoulli_kl(q, p);
        if (stat > worst_stat || worst.empty()) {
            worst_stat = stat;
            worst = what + ": exact " + std::to_string(p) + ", Monte Carlo " + std::to_string(q);
        }
        if (stat > kLogBound) {
            ++rejections;
            if (p > 0.0 && p < 1.0) ++finite_rejections;
        }
        if (p > 0.0 && p < 1.0) {
            const double z = (q - p) / std::sqrt(p * (1.0 - p) / static_cast<double>(n));
            if (std::abs(z) > max_abs_z) {
                max_abs_z = std::abs(z);
                max_z_at = what;
            }
        }
    }
    void mean(const std::string& what, double mu, double variance, double horizon, double xbar, std::uint64_t n) {
        ++comparisons;
        const double nn = static_cast<double>(n);
        const double bound = std::sqrt(2.0 * variance * kLogBound / nn) + 2.0 * horizon * kLogBound / (3.0 * nn);
        if (std::abs(xbar - mu) > bound) ++rejections;
        const double z = (xbar - mu) / std::sqrt(variance / nn);
        if (std::abs(z) > max_abs_z) {
            max_abs_z = std::abs(z);
            max_z_at = what;
        }
    }
    /// sqrt(2 n KL): the signed-root deviance, a z-like size of the worst deviation.
    double worst_as_z() const { return std::sqrt(2.0 * worst_stat); }
};

/// Every comparison of `mc` with `x`, with the exact ticks shifted by `lag` (0: the real comparison).
Verdict compare(const ExactResult& x, const MonteCarlo& mc, int lag = 0) {
    Verdict v;
    const int H = x.horizon;
    const auto names = [](std::size_t k) { return std::string(outcome_label(static_cast<Outcome>(k))); };
    if (lag == 0) {
        for (std::size_t k = 0; k < kOutcomeCount; ++k)
            v.proportion("P(" + names(k) + ")", x.outcome_probability[k], mc.outcomes[k], mc.n);
        v.mean("mean end tick", x.expected_end_tick, x.end_tick_variance, H, mc.mean_end_tick, mc.n);
    }
    for (int t = 1 + lag; t <= H; ++t) {
        const auto te = static_cast<std::size_t>(t - lag), tm = static_cast<std::size_t>(t);
        for (std::size_t k = 0; k < 2; ++k)
            v.proportion("cumulative " + names(k) + " at tick " + std::to_string(t), x.cumulative_incidence[k][te],
                         mc.cumulative[k][tm], mc.n);
        for (int r = 0; r < x.rungs; ++r)
            v.proportion("rung " + std::to_string(r) + " at tick " + std::to_string(t),
                         x.rung_distribution[te][static_cast<std::size_t>(r)], mc.rung[tm][static_cast<std::size_t>(r)], mc.n);
    }
    return v;
}

/// A deliberate off-by-one in the ladder: an up-step lands two rungs up instead of one.
ExactChain up_step_one_rung_too_high(ExactChain chain, const Scenario& s) {
    const int S = chain.states();
    for (int from = 0; from < S; ++from) {
        const int r = chain.rung_of[static_cast<std::size_t>(from)];
        for (int to = 0; to < S; ++to) {
            const double p = chain.transient(from, to);
            if (p == 0.0 || chain.rung_of[static_cast<std::size_t>(to)] != r + 1) continue;
            chain.transient(from, to) = 0.0;
            const int c = chain.counter_of[static_cast<std::size_t>(to)];
            int target = chain.state_index(r + 2, c);
            if (target < 0) target = chain.state_index(r + 2, 0);
            if (target >= 0) chain.transient(from, target) += p;
            else chain.absorbing(from, chain.absorbing_column(0, std::min(r + 2, s.outcomes.escalation_rung))) += p;
        }
    }
    return chain;
}

void print_row(const char* scenario, const ExactResult& x, const MonteCarlo& mc) {
    for (std::size_t k = 0; k < kOutcomeCount; ++k) {
        const char* name = outcome_label(static_cast<Outcome>(k));
        const double p = x.outcome_probability[k];
        const double q = static_cast<double>(mc.outcomes[k]) / static_cast<double>(mc.n);
        if (p <= 0.0 || p >= 1.0) std::printf("| %s | %s | %.6f | %.6f | - |\n", scenario, name, p, q);  // no z for a certain cell
        else std::printf("| %s | %s | %.6f | %.6f | %+.2f |\n", scenario, name, p, q, (q - p) / std::sqrt(p * (1.0 - p) / static_cast<double>(mc.n)));
    }
    std::printf("| %s | mean end tick | %.4f | %.4f | %+.2f |\n", scenario, x.expected_end_tick, mc.mean_end_tick,
                (mc.mean_end_tick - x.expected_end_tick) / std::sqrt(x.end_tick_variance / static_cast<double>(mc.n)));
}

/// The whole check for one scenario: agreement, and rejection of the two mutants.
/// Returns the Monte Carlo counts for checks of a case's own mutants.
MonteCarlo check_agreement(const char* label, const Scenario& s, std::uint64_t seed) {
    const ExactChain chain = build_chain(s);
    const ExactResult exact = solve_chain(chain, s.horizon);
    const MonteCarlo mc = monte_carlo(s, kRuns, seed_for(seed));
    REQUIRE(mc.n == kRuns);

    const Verdict v = compare(exact, mc);
    print_row(label, exact, mc);
    std::printf("%s: %d comparisons, largest |z| %.2f (%s), largest n*KL %.2f (signed-root %.2f) at %s; reject above %.1f\n",
                label, v.comparisons, v.max_abs_z, v.max_z_at.c_str(), v.worst_stat, v.worst_as_z(), v.worst.c_str(), kLogBound);
    REQUIRE(v.comparisons <= kComparisonsPerScenario);
    INFO("worst: " << v.worst << " (n KL = " << v.worst_stat << ", bound " << kLogBound << ")");
    CHECK(v.rejections == 0);

    // Power: the same Monte Carlo must reject an exact solution that is one tick late...
    const Verdict late = compare(exact, mc, 1);
    std::printf("%s: ladder one tick late: %d of %d comparisons reject (%d where 0 < p < 1), largest n*KL %.1f (%s)\n", label,
                late.rejections, late.comparisons, late.finite_rejections, late.worst_stat, late.worst.c_str());
    CHECK(late.finite_rejections > 0);
    // ...and one whose up-step lands a rung too high.
    const ExactResult high = solve_chain(up_step_one_rung_too_high(chain, s), s.horizon);
    const Verdict wrong = compare(high, mc);
    std::printf("%s: up-step one rung too high: %d of %d comparisons reject (%d where 0 < p < 1), largest n*KL %.1f (%s)\n",
                label, wrong.rejections, wrong.comparisons, wrong.finite_rejections, wrong.worst_stat, wrong.worst.c_str());
    CHECK(wrong.finite_rejections > 0);
    return mc;
}

Scenario load(const std::string& file) { return load_scenario("tests/data/exact/" + file).scenario; }

}  // namespace

TEST_CASE("exact and Monte Carlo agree: four rungs, settlement and joint agreement", "[statistical][exact]") {
    check_agreement("four-rungs.yaml", load("four-rungs.yaml"), 101);
}

TEST_CASE("exact and Monte Carlo agree: tall ladder, rung-gated actions and events, tension term", "[statistical][exact]") {
    check_agreement("tall-ladder.yaml", load("tall-ladder.yaml"), 202);
}

TEST_CASE("exact and Monte Carlo agree: short horizon, terminal rung, closed agreement gate", "[statistical][exact]") {
    check_agreement("short-horizon.yaml", load("short-horizon.yaml"), 303);
}

TEST_CASE("exact and Monte Carlo agree: scenario built in code, pinned tension and channel", "[statistical][exact]") {
    using brink::test::pressure_action;
    Action calm = pressure_action("calm", -0.6);
    calm.effects = {Effect{0, -0.05, 0.0}};  // tension: pinned at 0 by the clamp
    Action open = pressure_action("open", -0.2, true);
    open.effects = {Effect{1, 0.1, 0.0}};    // channel: pinned at 1 by the clamp
    Action noisy = pressure_action("noisy", 0.7);
    noisy.effects = {Effect{2, 0.0, 0.2}};   // x: read by nothing
    Scenario s = brink::test::make_world(5, {pressure_action("wait", 0.0), pressure_action("press", 1.1), calm, open, noisy},
                                         {0, 1, 2, 3, 4});
    s.leaders[1].menu = {0, 1, 3, 4};
    s.horizon = 25;
    s.initial_rung = 2;
    s.initial = {0.0, 1.0, 0.5};
    s.step = LadderStep{0.8, 1.4, -1.2, 0.3};
    s.tension_rule = TensionRule{0.3, 0.0};  // decay of a tension that stays at 0
    s.outcomes = Outcomes{4, 1, 0.2, 4, true, 0.5};
    s.outcomes.war_rung = 3;  // runs at the horizon split: rung 3 an ongoing war, rungs 0-2 frozen conflicts
    finalize(s);
    check_agreement("built in code", s, 404);
}

TEST_CASE("exact and Monte Carlo agree: jumps, a constant state weight, and the strategic mechanisms at rationality 0",
          "[statistical][exact][version2]") {
    // Model version 2 on a ladder that stays a Markov chain: jumps (one to a middle rung,
    // one onto the escalation rung, one gated on the rung), a state weight on a variable
    // that no move changes (a constant pressure), a firebreak out of the war rung and the
    // frozen/ongoing split at the horizon. Foresight, hidden modes with switches, a standing
    // and a declared commitment, misperception and state noise are on too: at rationality
    // 0 they must leave the law of the choices uniform, so the chain ignores them.
    using brink::test::pressure_action;
    Action surge = pressure_action("surge", 0.3);
    surge.jumps = {Jump{3, 0.15}, Jump{5, 0.03}};
    Action offensive = pressure_action("offensive", 1.0);
    offensive.requires_ = {Condition{kRung, 2.0, 5.0}};
    offensive.jumps = {Jump{4, 0.35}};
    brink::test::WorldSettings settings;
    settings.war_costs = {0.0, 0.1, 0.3, 1.0, 2.0, 5.0};
    for (Traits& t : settings.traits) t = Traits{0.0, 0.4, 0.3, 0.5, 0.2, 0.5, 3, 0.8};
    Scenario s = brink::test::make_world(6,
                                         {pressure_action("wait", 0.0), pressure_action("press", 0.7), surge, offensive,
                                          pressure_action("calm", -0.6, true), pressure_action("warn", 0.1)},
                                         {0, 1, 2, 3, 4}, settings);
    s.leaders[1].menu = {0, 1, 4, 5};
    s.horizon = 30;
    s.initial_rung = 1;
    s.initial = {0.0, 1.0, 0.5};
    s.step = LadderStep{0.9, 1.3, -1.0, 0.0};
    s.ladder[4].down_threshold = -3.0;                 // the war rung holds
    s.state_weights = {StateWeight{2, -0.8}};          // x stays 0.5: a constant -0.4
    s.perception = Perception{0.2, 0.5};
    s.outcomes = Outcomes{5, 0, 0.2, 6, true, 0.5};
    s.outcomes.war_rung = 3;
    Commitment standing;
    standing.id = "answer_surges";
    standing.by = 1;
    standing.trigger = {2};
    standing.response = 1;
    standing.window = 2;
    standing.audience_cost = 0.3;
    Commitment declared = standing;
    declared.id = "answer_offensives";
    declared.trigger = {3};
    declared.declared_by = 5;
    s.commitments = {standing, declared};
    Mode coerce, decided;
    coerce.id = "coerce";
    coerce.propensity.assign(s.leaders[0].menu.size(), 0.0);
    coerce.prior = 0.7;
    decided.id = "decided";
    decided.propensity = {0.0, 0.0, 0.5, 3.0, -1.0};
    decided.enterable = true;
    decided.intercept = -2.0;
    decided.rung_slope = 0.5;
    decided.prior = 0.3;
    s.leaders[0].modes = {coerce, decided};
    finalize(s);
    REQUIRE(reducibility_problems(s).empty());
    const MonteCarlo mc = check_agreement("jumps", s, 505);

    // Power for the jumps: the chain of the same scenario without them must be rejected.
    Scenario without = s;
    for (Action& a : without.actions) a.jumps.clear();
    finalize(without);
    const Verdict no_jumps = compare(solve_exact(without), mc);
    std::printf("jumps: jumps left out of the chain: %d of %d comparisons reject (%d where 0 < p < 1), largest n*KL %.1f (%s)\n",
                no_jumps.rejections, no_jumps.comparisons, no_jumps.finite_rejections, no_jumps.worst_stat, no_jumps.worst.c_str());
    CHECK(no_jumps.finite_rejections > 0);
}
