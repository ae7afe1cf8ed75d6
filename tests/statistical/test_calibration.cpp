// Calibration of the real model (docs/calibration.md, "How it is tested"): simulation-
// based calibration (Talts et al. 2018) of the tension's gain per unit of pressure
// (ladder.tension.gain) in the small scenario. Each replication draws the truth from
// the prior, plays one run with it, states that run's tension at a few dates as
// observations (a value within +-0.04), calibrates against them with the likelihood
// brink calibrate uses (the particle filter's estimate, pseudo-marginal), and notes
// where the truth falls in the posterior. About 2.5 minutes on 2 cores.
#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "brink/calendar.hpp"
#include "brink/calibration.hpp"
#include "brink/history.hpp"
#include "brink/random.hpp"
#include "brink/scenario.hpp"

using namespace brink;

namespace {

constexpr int kStart = 18978;  // 2021-12-17
const char* kPath = "ladder.tension.gain";

Scenario world(double risk_tolerance) {
    return load_scenario("tests/data/scenarios/small.yaml", {"run.start_date=2021-12-17", std::string(kPath) + "=" + std::to_string(risk_tolerance)}).scenario;
}

/// One run of the truth, stated as observations: the tension (within +-0.04) at ticks 2,
/// 4, 6 and 8 (a run that has ended keeps its last state). The run is played in pieces (a valid draw of the
/// process: each piece on fresh streams), read between them.
Timeline history_of(const Scenario& s, std::uint64_t seed) {
    Timeline t;
    WorkspaceHandle ws;
    RunSnapshot run;
    start_snapshot(s, run, ws);
    const int tension = s.variable_index("tension");
    for (const int tick : {2, 4, 6, 8}) {
        continue_run(s, run, tick, seed, static_cast<std::uint64_t>(tick), ws);
        // an ended run keeps its last state: the claim reads it, as the tracker does
        Observation o;
        o.id = "tension_at_" + std::to_string(tick);
        o.claim.kind = Claim::Kind::variable;
        o.claim.index = tension;
        const double v = run.state[static_cast<std::size_t>(tension)];
        o.claim.min = v - 0.04;
        o.claim.max = v + 0.04;
        o.claim.first_tick = o.claim.last_tick = tick;
        o.claim.first_day = o.claim.last_day = tick_date(kStart, s.tick_days, tick);
        t.observations.push_back(o);
    }
    return t;
}

}  // namespace

TEST_CASE("calibrating the model: the truth's rank among posterior draws is uniform", "[calibration][sbc][model]") {
    const int replications = 100, bins = 5;
    const Prior prior = parse_prior("uniform(0, 0.15)");
    std::vector<int> counts(bins, 0);
    int covered = 0;
    double prior_sd = (prior.high - prior.low) / std::sqrt(12.0), posterior_sd = 0.0;
    for (int r = 0; r < replications; ++r) {
        Stream truth_stream(2018, static_cast<std::uint64_t>(r), StreamPurpose::events);
        const double truth = prior.quantile(truth_stream.uniform());
        const Scenario truth_world = world(truth);
        const Timeline history = history_of(truth_world, 9900 + static_cast<std::uint64_t>(r));
        const int until = history.observations.back().claim.last_day;
        CalibrationPlan plan;
        plan.particles = 100;
        plan.seed = 500 + static_cast<std::uint64_t>(r);
        plan.max_moves = 4;
        CalibrationState state;
        calibrate({prior}, plan, [&](const std::vector<double>& theta, std::uint64_t key) {
            return log_evidence(world(theta[0]), history, until, 100, key);
        }, state);
        REQUIRE(state.complete());
        const Generation& g = state.generations.back();
        double below = 0.0, mean = 0.0, var = 0.0;
        for (std::size_t i = 0; i < g.population.size(); ++i) {
            below += g.population[i].theta[0] < truth ? g.weights[i] : 0.0;
            mean += g.weights[i] * g.population[i].theta[0];
        }
        for (std::size_t i = 0; i < g.population.size(); ++i) var += g.weights[i] * std::pow(g.population[i].theta[0] - mean, 2);
        posterior_sd += std::sqrt(var) / replications;
        counts[std::min(bins - 1, static_cast<int>(below * bins))]++;
        covered += (truth >= weighted_quantile(g.population, g.weights, 0, 0.05) && truth <= weighted_quantile(g.population, g.weights, 0, 0.95)) ? 1 : 0;
    }
    double chi2 = 0.0;
    const double expected = static_cast<double>(replications) / bins;
    for (const int c : counts) chi2 += (c - expected) * (c - expected) / expected;
    INFO("rank counts " << counts[0] << " " << counts[1] << " " << counts[2] << " " << counts[3] << " " << counts[4] << "; chi2 " << chi2
                        << "; covered " << covered << "; mean posterior sd " << posterior_sd << " (prior " << prior_sd << ")");
    CHECK(chi2 < 13.28);   // chi-square, 4 degrees of freedom, alpha = 0.01
    CHECK(covered >= 81);  // 90% of 100: binomial sd 3, within 3 sd
    CHECK(covered <= 99);
    // the observations inform: the posterior is narrower than the prior (fails if the
    // likelihood ignored the parameter, when the posterior is the prior)
    CHECK(posterior_sd < 0.9 * prior_sd);
    WARN("model SBC: rank counts " << counts[0] << " " << counts[1] << " " << counts[2] << " " << counts[3] << " " << counts[4] << ", chi2 " << chi2
                                   << ", 90% intervals covered " << covered << " of 100, mean posterior sd " << posterior_sd << " vs prior " << prior_sd);
}
