// The calibration room (docs/calibration.md): priors read, normalised and inverted;
// the SMC sampler against posteriors known in closed form, with the exact likelihood
// and with a noisy unbiased estimate of it (pseudo-marginal); simulation-based
// calibration (Talts et al. 2018) of the whole sampler; thread counts and resumes.
#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <vector>
#include <boost/random/beta_distribution.hpp>
#include <boost/random/binomial_distribution.hpp>
#include <boost/random/mersenne_twister.hpp>

#include "brink/calibration.hpp"
#include "brink/random.hpp"
#include "brink/stats.hpp"

using namespace brink;

namespace {

/// Trapezoid integral of the prior's density over its support.
double prior_mass(const Prior& p) {
    const int n = 200000;
    double sum = 0.0;
    const double h = (p.high - p.low) / n;
    for (int i = 0; i <= n; ++i) {
        const double x = p.low + h * i;
        const double f = std::exp(p.log_density(x));
        sum += (i == 0 || i == n) ? 0.5 * f : f;
    }
    return sum * h;
}

/// The prior's distribution function by the same integral, up to x.
double prior_cdf(const Prior& p, double x) {
    const int n = 20000;
    double sum = 0.0;
    const double h = (x - p.low) / n;
    for (int i = 0; i <= n; ++i) sum += ((i == 0 || i == n) ? 0.5 : 1.0) * std::exp(p.log_density(p.low + h * i));
    return sum * h;
}

/// k successes in n trials: the binomial likelihood without its coefficient, so that with a
/// uniform prior on [0, 1] the posterior is Beta(k + 1, n - k + 1) and the evidence B(k + 1, n - k + 1).
LogLikelihood exact_binomial(int k, int n) {
    return [k, n](const std::vector<double>& theta, std::uint64_t) {
        const double p = theta[0];
        return k * std::log(p) + (n - k) * std::log1p(-p);
    };
}

/// An unbiased estimate of the binomial likelihood C(n,k) p^k (1-p)^(n-k): the share of
/// `m` simulated samples of n trials with exactly k successes, on the streams of `key`.
LogLikelihood simulated_binomial(int k, int n, int m) {
    return [k, n, m](const std::vector<double>& theta, std::uint64_t key) {
        int hits = 0;
        Stream s(key, 0, StreamPurpose::world);
        for (int r = 0; r < m; ++r) {
            int successes = 0;
            for (int t = 0; t < n; ++t) successes += s.uniform() < theta[0] ? 1 : 0;
            hits += successes == k ? 1 : 0;
        }
        return hits ? std::log(static_cast<double>(hits) / m) : -std::numeric_limits<double>::infinity();
    };
}

struct Moments {
    double mean = 0.0, sd = 0.0;
};

Moments posterior_moments(const CalibrationState& state, std::size_t k = 0) {
    const Generation& g = state.generations.back();
    Moments m;
    for (std::size_t i = 0; i < g.population.size(); ++i) m.mean += g.weights[i] * g.population[i].theta[k];
    for (std::size_t i = 0; i < g.population.size(); ++i) m.sd += g.weights[i] * std::pow(g.population[i].theta[k] - m.mean, 2);
    m.sd = std::sqrt(m.sd);
    return m;
}

/// The state's text with the wall seconds zeroed (the only thing that may differ).
std::string text_without_seconds(CalibrationState s) {
    for (Generation& g : s.generations) g.seconds = 0.0;
    return calibration_state_text(s);
}

CalibrationState run(const std::vector<Prior>& priors, const CalibrationPlan& plan, const LogLikelihood& l) {
    CalibrationState state;
    calibrate(priors, plan, l, state);
    return state;
}

}  // namespace

TEST_CASE("priors: read, refused with the reason, normalised", "[calibration][priors]") {
    const Prior u = parse_prior("uniform(0.2, 0.9)");
    CHECK(u.kind == Prior::Kind::uniform);
    CHECK(u.low == 0.2);
    CHECK(u.high == 0.9);
    const Prior b = parse_prior("beta(2, 5, 0, 2)");
    CHECK(b.a == 2.0);
    CHECK(b.high == 2.0);

    const auto refused = [](const std::string& text, const std::string& why) {
        try {
            parse_prior(text);
            FAIL("accepted " << text);
        } catch (const CalibrationError& e) {
            INFO(e.what());
            CHECK(std::string(e.what()).find(why) != std::string::npos);
        }
    };
    refused("uniform(0.9, 0.2)", "must be below");
    refused("uniform(0.5, 0.5)", "must be below");
    refused("loguniform(0, 1)", "above 0");
    refused("beta(0, 1)", "above 0");
    refused("normal(0.5, 0, 0, 1)", "sd must be above 0");
    refused("normal(50, 0.01, 0, 1)", "no mass");
    refused("gamma(1, 2)", "unknown distribution 'gamma'");
    refused("uniform(0.2)", "expected uniform(LOW, HIGH)");
    refused("uniform(0.2, x)", "expected a finite number, found ' x'");
    refused("uniform 0.2 0.9", "expected NAME(NUMBERS)");

    for (const char* text : {"uniform(0.2, 0.9)", "loguniform(0.5, 40)", "beta(2, 5)", "beta(1.5, 3, 1, 4)", "normal(0.6, 0.2, 0, 1)"}) {
        INFO(text);
        const Prior p = parse_prior(text);
        CHECK(prior_mass(p) == Approx(1.0).margin(2e-3));
        for (const double q : {0.1, 0.5, 0.9}) CHECK(prior_cdf(p, p.quantile(q)) == Approx(q).margin(3e-3));
        for (const double x : {0.3, 0.5, 0.7}) {
            const double v = p.low + x * (p.high - p.low);
            CHECK(p.from_free(p.to_free(v)) == Approx(v).epsilon(1e-12));
            const double z = p.to_free(v);
            CHECK(p.log_free_density(z) == Approx(p.log_density(v) + p.log_jacobian(z)).epsilon(1e-9));
        }
    }
    CHECK(parse_prior("beta(2, 5)").quantile(0.5) == Approx(0.26445).epsilon(1e-4));      // the median of Beta(2, 5)
    CHECK(parse_prior("loguniform(1, 100)").quantile(0.5) == Approx(10.0).epsilon(1e-12));  // the geometric midpoint
}

TEST_CASE("the sampler finds a posterior known in closed form", "[calibration]") {
    // uniform prior, 7 of 20: the posterior is Beta(8, 14): mean 8/22, sd sqrt(8*14/(22^2*23))
    const double mean = 8.0 / 22.0, sd = std::sqrt(8.0 * 14.0 / (22.0 * 22.0 * 23.0));
    CalibrationPlan plan;
    plan.particles = 2000;
    plan.seed = 11;
    const CalibrationState exact = run({parse_prior("uniform(0, 1)")}, plan, exact_binomial(7, 20));
    REQUIRE(exact.complete());
    const Moments m = posterior_moments(exact);
    CHECK(m.mean == Approx(mean).margin(0.01));  // ~4 standard errors of the mean with ~500 effective draws
    CHECK(m.sd == Approx(sd).margin(0.01));
    // the SMC estimate of the evidence: ln B(8, 14)
    const double log_beta = std::lgamma(8.0) + std::lgamma(14.0) - std::lgamma(22.0);
    CHECK(exact.generations.back().log_evidence == Approx(log_beta).margin(0.1));
    CHECK(exact.generations.size() >= 3);  // it tempered: 20 observations are too sharp for one step

    SECTION("with a noisy unbiased estimate of the likelihood (pseudo-marginal)") {
        plan.particles = 1000;
        const CalibrationState noisy = run({parse_prior("uniform(0, 1)")}, plan, simulated_binomial(7, 20, 200));
        const Moments n = posterior_moments(noisy);
        CHECK(n.mean == Approx(mean).margin(0.015));
        CHECK(n.sd == Approx(sd).margin(0.015));
    }
    SECTION("a likelihood that ignores the parameter leaves the prior") {
        const CalibrationState flat = run({parse_prior("uniform(0, 1)")}, plan, [](const std::vector<double>&, std::uint64_t) { return -1.0; });
        CHECK(posterior_moments(flat).mean == Approx(0.5).margin(0.02));
        CHECK(posterior_moments(flat).sd == Approx(std::sqrt(1.0 / 12.0)).margin(0.02));
    }
}

TEST_CASE("two parameters: a correlated posterior in closed form", "[calibration]") {
    // y ~ N(a + b, 0.1) observed y = 1, a and b uniform on [-2, 2]: the posterior of a + b
    // is N(1, 0.1) (truncation negligible), of a - b flat-ish: E[a + b] = 1, sd(a + b) = 0.1.
    CalibrationPlan plan;
    plan.particles = 1500;
    plan.seed = 5;
    const LogLikelihood l = [](const std::vector<double>& t, std::uint64_t) { return -0.5 * std::pow((t[0] + t[1] - 1.0) / 0.1, 2); };
    const CalibrationState s = run({parse_prior("uniform(-2, 2)"), parse_prior("uniform(-2, 2)")}, plan, l);
    const Generation& g = s.generations.back();
    double mean = 0.0, var = 0.0;
    for (std::size_t i = 0; i < g.population.size(); ++i) mean += g.weights[i] * (g.population[i].theta[0] + g.population[i].theta[1]);
    for (std::size_t i = 0; i < g.population.size(); ++i)
        var += g.weights[i] * std::pow(g.population[i].theta[0] + g.population[i].theta[1] - mean, 2);
    CHECK(mean == Approx(1.0).margin(0.02));
    CHECK(std::sqrt(var) == Approx(0.1).margin(0.02));
}

TEST_CASE("simulation-based calibration: the truth's rank among posterior draws is uniform", "[calibration][sbc]") {
    // Talts et al. (2018): draw the truth from the prior, data from the truth, calibrate,
    // and note where the truth falls among the posterior's draws (its posterior
    // distribution function). Over replications that is uniform, and the 90% credible
    // interval covers the truth 90% of the time, exactly when the sampler is right.
    // Pseudo-marginal, with a simulated likelihood, 10 trials per data set.
    const int replications = 200, bins = 10, trials = 10;
    std::vector<int> counts(bins, 0);
    int covered = 0;
    const Prior prior = parse_prior("uniform(0, 1)");
    for (int r = 0; r < replications; ++r) {
        Stream truth_stream(777, static_cast<std::uint64_t>(r), StreamPurpose::events);
        const double truth = truth_stream.uniform();
        int k = 0;
        for (int t = 0; t < trials; ++t) k += truth_stream.uniform() < truth ? 1 : 0;
        CalibrationPlan plan;
        plan.particles = 300;
        plan.seed = 1000 + static_cast<std::uint64_t>(r);
        const CalibrationState s = run({prior}, plan, simulated_binomial(k, trials, 60));
        const Generation& g = s.generations.back();
        double below = 0.0;
        for (std::size_t i = 0; i < g.population.size(); ++i) below += g.population[i].theta[0] < truth ? g.weights[i] : 0.0;
        counts[std::min(bins - 1, static_cast<int>(below * bins))]++;
        covered += (truth >= weighted_quantile(g.population, g.weights, 0, 0.05) && truth <= weighted_quantile(g.population, g.weights, 0, 0.95)) ? 1 : 0;
    }
    double chi2 = 0.0;
    const double expected = static_cast<double>(replications) / bins;
    for (const int c : counts) chi2 += (c - expected) * (c - expected) / expected;
    INFO("rank counts: " << counts[0] << " " << counts[1] << " " << counts[2] << " " << counts[3] << " " << counts[4] << " " << counts[5]
                         << " " << counts[6] << " " << counts[7] << " " << counts[8] << " " << counts[9] << "; chi2 " << chi2 << "; covered " << covered);
    CHECK(chi2 < 21.67);  // chi-square, 9 degrees of freedom, alpha = 0.01
    // 90% coverage: 180 of 200 expected, binomial sd 4.2: within 3 sd
    CHECK(covered >= 167);
    CHECK(covered <= 193);
}

TEST_CASE("the same calibration on any thread count, and after a resume", "[calibration]") {
    CalibrationPlan plan;
    plan.particles = 300;
    plan.seed = 3;
    const std::vector<Prior> priors{parse_prior("beta(2, 2)"), parse_prior("loguniform(0.1, 10)")};
    const LogLikelihood l = [](const std::vector<double>& t, std::uint64_t key) {
        Stream s(key, 0, StreamPurpose::world);  // common random numbers: the same noise for every particle of a step
        return -0.5 * std::pow((t[0] - 0.3) / 0.05, 2) - 0.5 * std::pow(std::log(t[1]) / 0.5, 2) + 0.1 * s.normal();
    };
    plan.threads = 1;
    const CalibrationState one = run(priors, plan, l);
    plan.threads = 2;
    const CalibrationState two = run(priors, plan, l);
    REQUIRE(one.complete());
    CHECK(text_without_seconds(one) == text_without_seconds(two));

    // interrupted after every generation: each checkpoint, read back, continues to the same end
    std::vector<std::string> checkpoints;
    CalibrationState whole;
    calibrate(priors, plan, l, whole, nullptr, [&](const CalibrationState& s) { checkpoints.push_back(calibration_state_text(s)); });
    REQUIRE(checkpoints.size() >= 3);
    for (std::size_t k = 0; k + 1 < checkpoints.size(); ++k) {
        CalibrationState resumed = read_calibration_state(checkpoints[k], priors.size());
        CHECK(calibration_state_text(resumed) == checkpoints[k]);
        calibrate(priors, plan, l, resumed);
        CHECK(text_without_seconds(resumed) == text_without_seconds(whole));
    }
    CHECK_THROWS_AS(read_calibration_state(checkpoints[0].substr(0, checkpoints[0].size() / 2), priors.size()), CalibrationError);
    CHECK_THROWS_AS(read_calibration_state("BRINKCAL0 1 1\n", priors.size()), CalibrationError);
}

TEST_CASE("a likelihood that is zero for every prior draw is refused with the remedy", "[calibration]") {
    CalibrationPlan plan;
    plan.particles = 50;
    CalibrationState s;
    try {
        calibrate({parse_prior("uniform(0, 1)")}, plan, [](const std::vector<double>&, std::uint64_t) { return -std::numeric_limits<double>::infinity(); }, s);
        FAIL("accepted");
    } catch (const CalibrationError& e) {
        CHECK(std::string(e.what()).find("--runs-per-particle") != std::string::npos);
    }
}

TEST_CASE("parameter_spread: the between-set sd of a probability, from each set's runs", "[calibration][ensemble]") {
    // 400 sets whose true probabilities follow Beta(2, 5) (sd sqrt(10 / (49 * 8)) = 0.1597),
    // 25 runs each: the one-way ANOVA estimate recovers the sd; with one shared
    // probability it is near 0; the predictive probability is the pooled share.
    const double truth_sd = std::sqrt(10.0 / (49.0 * 8.0));
    boost::random::mt19937_64 engine(42);
    boost::random::beta_distribution<double> beta(2.0, 5.0);
    double mean_sd = 0.0, mean_flat = 0.0;
    const int replications = 20;
    for (int rep = 0; rep < replications; ++rep) {
        std::vector<std::uint64_t> runs(400, 25), hits(400), flat(400);
        std::uint64_t total = 0;
        for (std::size_t j = 0; j < runs.size(); ++j) {
            boost::random::binomial_distribution<int> draw(25, beta(engine));
            boost::random::binomial_distribution<int> same(25, 2.0 / 7.0);
            hits[j] = static_cast<std::uint64_t>(draw(engine));
            flat[j] = static_cast<std::uint64_t>(same(engine));
            total += hits[j];
        }
        const ParameterSpread s = parameter_spread(runs, hits);
        CHECK(s.probability == Approx(static_cast<double>(total) / 10000.0));
        CHECK(s.sets == 400);
        CHECK(s.parameter.low < s.probability);
        CHECK(s.parameter.high > s.probability);
        mean_sd += s.parameter_sd / replications;
        mean_flat += parameter_spread(runs, flat).parameter_sd / replications;
    }
    CHECK(mean_sd == Approx(truth_sd).epsilon(0.1));
    CHECK(mean_flat < 0.03);  // binomial noise alone: the floor at 0 leaves a small positive bias
    // one set: no spread, the interval collapses to the probability
    const ParameterSpread one = parameter_spread({100}, {30});
    CHECK(one.parameter_sd == 0.0);
    CHECK(one.parameter.low == Approx(0.3));
    CHECK(one.monte_carlo.low < 0.3);
}
