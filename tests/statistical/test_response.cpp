// Response tests on the default scenario (scenarios/baseline.yaml): the model moves
// the way its mechanisms say when one parameter is pushed (docs/validation.md).
//
// Every comparison uses common random numbers: both arms run the same run ids with
// the same seed, so each run id gives a pair (outcome in arm A, outcome in arm B)
// and the test is on the paired difference D = 1[outcome in B] − 1[outcome in A],
// with se(D) the sample standard deviation of the per-run D over sqrt(n).
//
// Each test is two-sided with a minimum effect: the difference must lie in the stated
// direction by more than 5 se (a model where the parameter moves the odds the other
// way, or not at all, fails: an ignored parameter gives D = 0 in every pair, se = 0
// and z = 0) and its size must reach a stated minimum, about a third of the size
// measured when the test was written (in each test's comment; printed when run), so
// that a mechanism weakened to a trace fails too while a recalibration of the baseline
// does not. A correct model fails the 5-sigma part with probability below 3e-7 per
// test (normal tail at 5 sigma; n = 10,000 pairs).
#include <catch2/catch.hpp>
#include <boost/math/distributions/chi_squared.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "brink/engine.hpp"
#include "brink/scenario.hpp"
#include "support.hpp"

using namespace brink;

namespace {

constexpr std::uint64_t kPairs = 10000;
// Model version 2 made escalation rarer (the Article 5 firebreak and commitment, leaders
// who look ahead), so the responses on escalation odds are smaller: those are measured
// on 40,000 pairs.
constexpr std::uint64_t kLargePairs = 40000;
// The two smallest responses (Biden's risk tolerance and the channel, on escalation) need
// 160,000 pairs for a z that a correct model reaches with margin: at 40,000 their expected
// z is about 5 and 2, which passed or failed with the draws (found when the stream scheme
// changed, issue 16).
constexpr std::uint64_t kHugePairs = 160000;
const std::string kBaseline = "scenarios/baseline.yaml";

/// Keeps each run's outcome, by run id.
class OutcomeSink final : public RunSink {
public:
    explicit OutcomeSink(std::uint64_t runs) : outcomes(runs, Outcome::frozen_conflict), failed(runs, 0) {}
    void on_block(std::uint64_t first, const std::vector<RunSlot>& slots, std::size_t count, const Aggregates&) override {
        for (std::size_t k = 0; k < count; ++k) {
            outcomes[first + k] = slots[k].result.outcome;
            failed[first + k] = slots[k].failed ? 1 : 0;
        }
    }
    std::vector<Outcome> outcomes;
    std::vector<char> failed;
};

std::vector<Outcome> outcomes_of(const std::vector<std::string>& overrides, std::uint64_t pairs = kPairs) {
    const LoadedScenario loaded = load_scenario(kBaseline, overrides);
    Aggregates totals;
    totals.reset(loaded.scenario);
    OutcomeSink sink(pairs);
    BatchPlan plan;
    plan.runs = pairs;
    plan.seed = loaded.scenario.default_seed;  // the same seed in both arms: common random numbers
    run_batch(loaded.scenario, plan, 0, totals, sink);
    REQUIRE(totals.failed == 0);
    return sink.outcomes;
}

struct Paired {
    double p_a = 0.0, p_b = 0.0;
    double mean = 0.0;  ///< mean of D = 1[outcome in B] − 1[outcome in A]
    double se = 0.0;    ///< sd(D) / sqrt(n)
};

Paired paired_difference(const std::vector<Outcome>& a, const std::vector<Outcome>& b, Outcome outcome) {
    const auto n = static_cast<double>(a.size());
    double sum = 0.0, sum_sq = 0.0, hits_a = 0.0, hits_b = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const double x = a[i] == outcome ? 1.0 : 0.0;
        const double y = b[i] == outcome ? 1.0 : 0.0;
        hits_a += x;
        hits_b += y;
        sum += y - x;
        sum_sq += (y - x) * (y - x);
    }
    Paired p;
    p.p_a = hits_a / n;
    p.p_b = hits_b / n;
    p.mean = sum / n;
    const double variance = std::max(0.0, (sum_sq - n * p.mean * p.mean) / (n - 1.0));
    p.se = std::sqrt(variance / n);
    return p;
}

/// The baseline arm, run once (per sample size) for every comparison against it.
const std::vector<Outcome>& baseline_outcomes(std::uint64_t pairs = kPairs) {
    static std::map<std::uint64_t, std::vector<Outcome>> arms;
    auto it = arms.find(pairs);
    if (it == arms.end()) it = arms.emplace(pairs, outcomes_of({}, pairs)).first;
    return it->second;
}

/// Asserts that arm B (the baseline with `overrides`) moves P(outcome) in `direction`
/// (+1 up, −1 down) by more than 5 se and by at least `min_effect` (a probability).
void check_effect(const char* what, const std::vector<std::string>& overrides, Outcome outcome, int direction,
                  double min_effect, std::uint64_t pairs = kPairs, double z_needed = 5.0) {
    const Paired p = paired_difference(baseline_outcomes(pairs), outcomes_of(overrides, pairs), outcome);
    const double z = p.se > 0 ? p.mean / p.se : 0.0;
    std::printf("%s: P(%s) %.4f -> %.4f, paired difference %+.4f, se %.4f (z %+.1f; needs z %s%.1f and |d| >= %.3f)\n", what,
                outcome_name(outcome), p.p_a, p.p_b, p.mean, p.se, z, direction > 0 ? ">= +" : "<= -", z_needed, min_effect);
    INFO(what << ": P(" << outcome_name(outcome) << ") " << p.p_a << " -> " << p.p_b << ", paired difference " << p.mean
              << " +/- " << p.se);
    CHECK(direction * p.mean > z_needed * p.se);
    CHECK(direction * p.mean >= min_effect);
}

/// First-tick choices of both leaders in `runs` runs of one tick.
struct FirstTicks {
    std::array<std::vector<std::vector<Option>>, 2> options;  ///< [leader][run]
    std::array<std::vector<int>, 2> chosen;                   ///< [leader][run] action index
};

FirstTicks first_ticks(const std::vector<std::string>& overrides, int runs) {
    std::vector<std::string> all = overrides;
    all.push_back("run.horizon=1");
    const LoadedScenario loaded = load_scenario(kBaseline, all);
    FirstTicks f;
    WorkspaceHandle ws;
    RunResult result;
    for (int run = 0; run < runs; ++run) {
        brink::test::Recorder rec(true);
        simulate(loaded.scenario, static_cast<std::uint64_t>(run), loaded.scenario.default_seed, result, ws, &rec);
        REQUIRE(rec.ticks.size() == 1);
        for (std::size_t i = 0; i < 2; ++i) {
            f.options[i].push_back(rec.ticks[0].leaders[i].options);
            f.chosen[i].push_back(rec.ticks[0].leaders[i].chosen);
        }
    }
    return f;
}

}  // namespace

TEST_CASE("response: raising a leader's risk tolerance raises escalation odds", "[statistical][response]") {
    // Risk tolerance only scales the war term (and the lookahead). Measured at +0.0210
    // (z 8.6) and, for Biden, whose Article 5 line holds most wars below the clash,
    // +0.0050 (z 11, 160,000 pairs; stream scheme 2). Model version 1: +0.095 and +0.047.
    check_effect("putin risk tolerance 0.7 -> 0.95", {"leaders.putin.traits.risk_tolerance=0.95"}, Outcome::escalation, +1, 0.007);
    check_effect("biden risk tolerance 0.35 -> 1", {"leaders.biden.traits.risk_tolerance=1"}, Outcome::escalation, +1, 0.002,
                 kHugePairs);
}

TEST_CASE("response: closing the channel raises escalation odds", "[statistical][response]") {
    // Channel 0: misreads at their full rate m, full state noise, no joint agreement
    // (it needs channel 0.6) until the leaders reopen the channel. Settlements fall
    // sharply (measured at -0.133, z -60). Escalation rises, but little in model version
    // 2 (+0.0020, z 4.4 at 160,000 pairs; version 1: +0.023), because the clash is behind
    // the Article 5 firebreak and commitment: MODEL.md asks only that it must not fall, so
    // that check is z >= 2.5 (an ignored channel gives z = 0) and at least +0.001.
    check_effect("channel 0.4 -> 0", {"world.variables.channel.initial=0"}, Outcome::escalation, +1, 0.001, kHugePairs, 2.5);
    check_effect("channel 0.4 -> 0 (settlements)", {"world.variables.channel.initial=0"}, Outcome::deescalation, -1, 0.04,
                 kLargePairs);
}

TEST_CASE("response: raising both leaders' priority on stability lowers escalation odds", "[statistical][response]") {
    // Written at -0.0118 (z -13, 40,000 pairs; version 1: -0.040).
    check_effect("stability priority -> 1 for both", {"leaders.biden.priorities.stability=1", "leaders.putin.priorities.stability=1"},
                 Outcome::escalation, -1, 0.004, kLargePairs);
}

TEST_CASE("response: slower tension decay and faster tension gain raise escalation odds", "[statistical][response]") {
    // Tension adds to the ladder's pressure (tension_weight): kept longer or built
    // faster, it steps the ladder up more often. Written at +0.0378 and +0.0126 (40,000
    // pairs); version 1: +0.063 and +0.017.
    check_effect("tension decay 0.07 -> 0.02", {"ladder.tension.decay=0.02"}, Outcome::escalation, +1, 0.012);
    check_effect("tension gain 0.035 -> 0.07", {"ladder.tension.gain=0.07"}, Outcome::escalation, +1, 0.004, kLargePairs);
}

TEST_CASE("response: reciprocity raises escalation odds, resolve raises settlement odds", "[statistical][response]") {
    // Reciprocity pulls Biden toward matching Putin's (mostly escalatory) moves; resolve
    // keeps Putin on a repeated course, which ends more crises in an agreement or a
    // settlement. Written at +0.085 and +0.096 (version 1: +0.103 and +0.106).
    check_effect("biden reciprocity 0.01 -> 0.5", {"leaders.biden.traits.reciprocity=0.5"}, Outcome::escalation, +1, 0.03);
    check_effect("putin resolve 0.02 -> 0.3", {"leaders.putin.traits.resolve=0.3"}, Outcome::deescalation, +1, 0.03);
}

TEST_CASE("response: misperception and an escalatory misread bias lower settlement odds", "[statistical][response]") {
    // More misread moves (at the baseline's channel), and misreads skewed toward the
    // escalatory moves, pull the leaders' replies away from agreement. Measured at
    // -0.0159 (z -4.3 at 10,000 pairs, so now run on 40,000) and -0.0126 (z -7.2, 40,000
    // pairs; stream scheme 2); version 1: -0.043 and -0.024.
    check_effect("putin misperception 0.25 -> 0.6", {"leaders.putin.traits.misperception=0.6"}, Outcome::deescalation, -1, 0.006,
                 kLargePairs);
    check_effect("escalation bias 1 -> 3", {"perception.escalation_bias=3"}, Outcome::deescalation, -1, 0.003, kLargePairs);
}

TEST_CASE("response: rationality 0 chooses uniformly, high rationality chooses the best option", "[statistical][response]") {
    constexpr int kRuns = 20000;
    SECTION("rationality 0: first-tick choices are uniform over the feasible actions") {
        const FirstTicks f = first_ticks({"leaders.biden.traits.rationality=0", "leaders.putin.traits.rationality=0"}, kRuns);
        for (std::size_t i = 0; i < 2; ++i) {
            // The feasible set at tick 1 is read from the true initial state: the same in every run.
            const std::vector<Option>& options = f.options[i][0];
            std::map<int, int> counts;
            for (const Option& o : options) {
                counts[o.action] = 0;
                CHECK(o.probability == Approx(1.0 / static_cast<double>(options.size())).epsilon(1e-12));
            }
            for (const int a : f.chosen[i]) {
                REQUIRE(counts.count(a) == 1);  // never an infeasible action
                ++counts[a];
            }
            // Pearson chi-square against uniform; critical value at alpha = 1e-6 (Boost's exact quantile).
            const double expected = static_cast<double>(kRuns) / static_cast<double>(counts.size());
            double chi2 = 0.0;
            for (const auto& [a, c] : counts) chi2 += (c - expected) * (c - expected) / expected;
            const auto df = static_cast<double>(counts.size() - 1);
            const double critical = boost::math::quantile(boost::math::complement(boost::math::chi_squared(df), 1e-6));
            std::printf("leader %zu at rationality 0: %zu feasible actions, chi-square %.1f on %g df (critical %.1f at 1e-6)\n", i,
                        counts.size(), chi2, df, critical);
            CHECK(counts.size() >= 2);
            CHECK(chi2 < critical);
        }
    }
    SECTION("rationality 10000: the first-tick choice concentrates on the option of highest utility") {
        const FirstTicks f = first_ticks({"leaders.biden.traits.rationality=10000", "leaders.putin.traits.rationality=10000"}, kRuns);
        const double lambda = 10000.0;
        for (std::size_t i = 0; i < 2; ++i) {
            // Per run, the logit rule's probability of the best option, from the reported utilities:
            // P(best) = 1 / sum_k exp(lambda (U_k - U*)). The count of runs choosing it is a sum of
            // independent Bernoullis with these means.
            double expected = 0.0, variance = 0.0;
            int best_chosen = 0;
            for (std::size_t run = 0; run < f.chosen[i].size(); ++run) {
                const std::vector<Option>& o = f.options[i][run];
                REQUIRE(o.size() >= 2);
                std::size_t best = 0;
                for (std::size_t k = 1; k < o.size(); ++k)
                    if (o[k].utility > o[best].utility) best = k;
                double z = 0.0;
                for (const Option& x : o) z += std::exp(lambda * (x.utility - o[best].utility));
                const double p = 1.0 / z;
                expected += p;
                variance += p * (1.0 - p);
                best_chosen += f.chosen[i][run] == o[best].action ? 1 : 0;
            }
            const double share = expected / kRuns;
            std::printf("leader %zu at rationality 10000: best option chosen in %d of %d runs (logit rule: %.2f expected)\n", i,
                        best_chosen, kRuns, expected);
            CHECK(share > 0.999);  // concentration: the rule puts almost all weight on the best option
            CHECK(std::abs(best_chosen - expected) <= 5.0 * std::sqrt(variance) + 1.0);
        }
    }
}

TEST_CASE("response: raising the firebreak into the NATO-Russia clash lowers P(clash), monotonically", "[statistical][response][firebreak]") {
    // ladder.rungs[7] (nato_russia_clash, the escalation rung) given an up_threshold of
    // 3.5, 4.5, 5.5 (the baseline's own firebreak, so that arm is the baseline) and 6.5,
    // 40,000 runs each. Each step of the sweep must lower P(escalation) by more than 5 se
    // (paired, common random numbers) and by at least 0.003; the whole sweep by at least
    // 0.015. Model version 1 (no firebreak in the baseline) was written at 3.2, 4.2, 5.2,
    // 6.2: 0.0454 -> 0.0336 -> 0.0176 -> 0.0079.
    constexpr std::uint64_t kSweepPairs = kLargePairs;
    const std::vector<double> thresholds{3.5, 4.5, 5.5, 6.5};
    std::vector<std::vector<Outcome>> arms;
    for (const double t : thresholds) {
        char set[64];
        std::snprintf(set, sizeof set, "ladder.rungs.7.up_threshold=%g", t);
        arms.push_back(outcomes_of({set}, kSweepPairs));
    }
    // The baseline's own firebreak given again changes nothing.
    CHECK(std::equal(baseline_outcomes(kSweepPairs).begin(), baseline_outcomes(kSweepPairs).end(), arms[2].begin()));
    for (std::size_t k = 1; k < arms.size(); ++k) {
        const Paired p = paired_difference(arms[k - 1], arms[k], Outcome::escalation);
        std::printf("clash firebreak %.1f -> %.1f: P(escalation) %.4f -> %.4f, paired difference %+.4f, se %.4f\n",
                    thresholds[k - 1], thresholds[k], p.p_a, p.p_b, p.mean, p.se);
        INFO("firebreak " << thresholds[k - 1] << " -> " << thresholds[k] << ": " << p.p_a << " -> " << p.p_b << " (se " << p.se << ")");
        CHECK(-p.mean > 5.0 * p.se);
        CHECK(-p.mean >= 0.003);
    }
    const Paired whole = paired_difference(arms.front(), arms.back(), Outcome::escalation);
    CHECK(-whole.mean >= 0.015);
}
