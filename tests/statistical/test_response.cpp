// Response tests on the default scenario (scenarios/baseline.yaml): the model moves
// the way its mechanisms say when one parameter is pushed (docs/validation.md).
//
// Every comparison uses common random numbers: both arms run the same run ids with
// the same seed, so each run id gives a pair (outcome in arm A, outcome in arm B)
// and the test is on the paired difference D = 1[escalation in B] − 1[escalation in A].
// "B does not lower escalation odds" is the one-sided test mean(D) > −5 se(D), with
// se(D) the sample standard deviation of the per-run D over sqrt(n): a correct model
// fails it with probability below 3e-7 (normal tail at 5 sigma; n = 10,000 pairs).
// The tests assert directions only, not sizes, so recalibrating the baseline does
// not break them; the sizes are printed.
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
const std::string kBaseline = "scenarios/baseline.yaml";

/// Keeps each run's outcome, by run id.
class OutcomeSink final : public RunSink {
public:
    explicit OutcomeSink(std::uint64_t runs) : outcomes(runs, Outcome::stalemate), failed(runs, 0) {}
    void on_block(std::uint64_t first, const std::vector<RunSlot>& slots, std::size_t count, const Aggregates&) override {
        for (std::size_t k = 0; k < count; ++k) {
            outcomes[first + k] = slots[k].result.outcome;
            failed[first + k] = slots[k].failed ? 1 : 0;
        }
    }
    std::vector<Outcome> outcomes;
    std::vector<char> failed;
};

std::vector<Outcome> outcomes_of(const std::vector<std::string>& overrides) {
    const LoadedScenario loaded = load_scenario(kBaseline, overrides);
    Aggregates totals;
    totals.reset(loaded.scenario);
    OutcomeSink sink(kPairs);
    BatchPlan plan;
    plan.runs = kPairs;
    plan.seed = loaded.scenario.default_seed;  // the same seed in both arms: common random numbers
    run_batch(loaded.scenario, plan, 0, totals, sink);
    REQUIRE(totals.failed == 0);
    return sink.outcomes;
}

struct Paired {
    double p_a = 0.0, p_b = 0.0;
    double mean = 0.0;  ///< mean of D = 1[escalation in B] − 1[escalation in A]
    double se = 0.0;    ///< sd(D) / sqrt(n)
};

Paired paired_escalation(const std::vector<Outcome>& a, const std::vector<Outcome>& b) {
    const auto n = static_cast<double>(a.size());
    double sum = 0.0, sum_sq = 0.0, esc_a = 0.0, esc_b = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const double x = a[i] == Outcome::escalation ? 1.0 : 0.0;
        const double y = b[i] == Outcome::escalation ? 1.0 : 0.0;
        esc_a += x;
        esc_b += y;
        sum += y - x;
        sum_sq += (y - x) * (y - x);
    }
    Paired p;
    p.p_a = esc_a / n;
    p.p_b = esc_b / n;
    p.mean = sum / n;
    const double variance = std::max(0.0, (sum_sq - n * p.mean * p.mean) / (n - 1.0));
    p.se = std::sqrt(variance / n);
    return p;
}

/// Asserts that arm B's escalation odds are not lower than arm A's (direction +1) or not
/// higher (direction −1), with a 5-sigma margin on the paired difference.
void check_direction(const char* what, const std::vector<std::string>& a, const std::vector<std::string>& b, int direction) {
    const Paired p = paired_escalation(outcomes_of(a), outcomes_of(b));
    std::printf("%s: P(escalation) %.4f -> %.4f, paired difference %+.4f, se %.4f (z %+.1f)\n", what, p.p_a, p.p_b, p.mean,
                p.se, p.se > 0 ? p.mean / p.se : 0.0);
    INFO(what << ": " << p.p_a << " -> " << p.p_b << ", paired difference " << p.mean << " +/- " << p.se);
    CHECK(direction * p.mean >= -5.0 * p.se);
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

TEST_CASE("response: raising a leader's risk tolerance does not lower escalation odds", "[statistical][response]") {
    check_direction("putin risk tolerance 0.7 -> 0.95", {}, {"leaders.putin.traits.risk_tolerance=0.95"}, +1);
    check_direction("biden risk tolerance 0.35 -> 0.9", {}, {"leaders.biden.traits.risk_tolerance=0.9"}, +1);
}

TEST_CASE("response: closing the channel does not lower escalation odds", "[statistical][response]") {
    // Channel 0: misreads at their full rate m, full state noise, no joint agreement
    // (it needs channel 0.6) until the leaders reopen the channel.
    check_direction("channel 0.4 -> 0", {}, {"world.variables.channel.initial=0"}, +1);
}

TEST_CASE("response: raising both leaders' priority on stability does not raise escalation odds", "[statistical][response]") {
    check_direction("stability priority -> 1 for both", {},
                    {"leaders.biden.priorities.stability=1", "leaders.putin.priorities.stability=1"}, -1);
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
