// Statistics of experiments: paired differences (Newcombe, McNemar), Sobol and Morris indices.
#include <algorithm>
#include <cmath>

#include "brink/experiment.hpp"
#include "brink/random.hpp"

namespace brink {

double mcnemar_exact_p(std::uint64_t only_a, std::uint64_t only_b) {
    const std::uint64_t n = only_a + only_b;
    if (n == 0) return 1.0;
    const std::uint64_t m = std::min(only_a, only_b);
    // P(X <= m), X ~ Binomial(n, 1/2), summed in log space so large n does not underflow.
    double log_term = -static_cast<double>(n) * std::log(2.0);  // i = 0
    double log_sum = log_term;
    for (std::uint64_t i = 0; i < m; ++i) {
        log_term += std::log(static_cast<double>(n - i)) - std::log(static_cast<double>(i + 1));
        const double hi = std::max(log_sum, log_term), lo = std::min(log_sum, log_term);
        log_sum = hi + std::log1p(std::exp(lo - hi));
    }
    return std::min(1.0, 2.0 * std::exp(log_sum));
}

PairedDifference paired_difference(std::uint64_t both, std::uint64_t only_a, std::uint64_t only_b, std::uint64_t neither) {
    PairedDifference d;
    d.both = both;
    d.only_a = only_a;
    d.only_b = only_b;
    d.neither = neither;
    d.n = both + only_a + only_b + neither;
    d.a = wilson(both + only_a, d.n);
    d.b = wilson(both + only_b, d.n);
    // Newcombe (1998), Stat Med 17:2635, method 10: Wilson intervals of the two marginals
    // combined with the phi correlation of the paired table.
    const double r1 = static_cast<double>(both + only_b), r2 = static_cast<double>(only_a + neither);  // B yes / B no
    const double c1 = static_cast<double>(both + only_a), c2 = static_cast<double>(only_b + neither);  // A yes / A no
    const double denominator = r1 * r2 * c1 * c2;
    const double phi = denominator > 0.0 ? (static_cast<double>(both) * static_cast<double>(neither) -
                                             static_cast<double>(only_a) * static_cast<double>(only_b)) / std::sqrt(denominator)
                                         : 0.0;
    const double pb = d.b.estimate, pa = d.a.estimate;
    const double theta = pb - pa;
    const double dl = std::sqrt(std::max(0.0, (pb - d.b.low) * (pb - d.b.low) - 2.0 * phi * (pb - d.b.low) * (d.a.high - pa) +
                                                  (d.a.high - pa) * (d.a.high - pa)));
    const double du = std::sqrt(std::max(0.0, (d.b.high - pb) * (d.b.high - pb) - 2.0 * phi * (d.b.high - pb) * (pa - d.a.low) +
                                                  (pa - d.a.low) * (pa - d.a.low)));
    d.difference = Interval{theta, std::max(-1.0, theta - dl), std::min(1.0, theta + du)};
    d.p_value = mcnemar_exact_p(only_a, only_b);
    return d;
}

PairedDifference paired_difference(const std::vector<std::uint8_t>& a, const std::vector<std::uint8_t>& b, std::uint8_t outcome) {
    if (a.size() != b.size()) throw ExperimentError("paired samples differ in size");
    std::uint64_t both = 0, only_a = 0, only_b = 0, neither = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const bool in_a = a[i] == outcome, in_b = b[i] == outcome;
        both += in_a && in_b;
        only_a += in_a && !in_b;
        only_b += !in_a && in_b;
        neither += !in_a && !in_b;
    }
    return paired_difference(both, only_a, only_b, neither);
}

namespace {

struct SobolPoint {
    std::vector<double> s1, st;
};

/// Saltelli (2010) S1 and Jansen ST from rows `pick` (indices into the N base rows).
SobolPoint sobol_from(const std::vector<double>& y, int k, int n, const std::vector<std::size_t>& pick) {
    const auto N = static_cast<std::size_t>(n);
    double mean = 0.0;
    for (const std::size_t j : pick) mean += y[j] + y[N + j];
    mean /= 2.0 * static_cast<double>(pick.size());
    double variance = 0.0;
    for (const std::size_t j : pick) variance += (y[j] - mean) * (y[j] - mean) + (y[N + j] - mean) * (y[N + j] - mean);
    variance /= 2.0 * static_cast<double>(pick.size());
    SobolPoint p;
    for (int i = 0; i < k; ++i) {
        const std::size_t base = (2 + static_cast<std::size_t>(i)) * N;
        double first = 0.0, total = 0.0;
        for (const std::size_t j : pick) {
            const double fa = y[j], fb = y[N + j], fab = y[base + j];
            first += fb * (fab - fa);
            total += (fa - fab) * (fa - fab);
        }
        const double m = static_cast<double>(pick.size());
        p.s1.push_back(variance > 0.0 ? first / m / variance : 0.0);
        p.st.push_back(variance > 0.0 ? total / (2.0 * m) / variance : 0.0);
    }
    return p;
}

IndexEstimate percentile_interval(double estimate, std::vector<double> samples) {
    std::sort(samples.begin(), samples.end());
    const auto at = [&](double q) {
        const double pos = q * static_cast<double>(samples.size() - 1);
        const auto lo = static_cast<std::size_t>(std::floor(pos));
        const auto hi = std::min(lo + 1, samples.size() - 1);
        return samples[lo] + (pos - static_cast<double>(lo)) * (samples[hi] - samples[lo]);
    };
    return IndexEstimate{estimate, at(0.025), at(0.975)};
}

}  // namespace

SobolIndices sobol_indices(const std::vector<double>& y, int k, int n, int resamples, std::uint64_t seed) {
    const auto N = static_cast<std::size_t>(n);
    if (y.size() != (static_cast<std::size_t>(k) + 2) * N) throw ExperimentError("Sobol outputs do not match the design size");
    std::vector<std::size_t> all(N);
    for (std::size_t j = 0; j < N; ++j) all[j] = j;
    const SobolPoint point = sobol_from(y, k, n, all);
    std::vector<std::vector<double>> s1(static_cast<std::size_t>(k)), st(static_cast<std::size_t>(k));
    Stream stream(seed, 3, static_cast<StreamPurpose>(100));
    std::vector<std::size_t> pick(N);
    for (int r = 0; r < resamples; ++r) {
        for (std::size_t& j : pick) j = std::min(N - 1, static_cast<std::size_t>(stream.uniform() * static_cast<double>(N)));
        const SobolPoint b = sobol_from(y, k, n, pick);
        for (std::size_t i = 0; i < static_cast<std::size_t>(k); ++i) {
            s1[i].push_back(b.s1[i]);
            st[i].push_back(b.st[i]);
        }
    }
    SobolIndices out;
    for (std::size_t i = 0; i < static_cast<std::size_t>(k); ++i) {
        out.first_order.push_back(resamples > 1 ? percentile_interval(point.s1[i], s1[i]) : IndexEstimate{point.s1[i], point.s1[i], point.s1[i]});
        out.total.push_back(resamples > 1 ? percentile_interval(point.st[i], st[i]) : IndexEstimate{point.st[i], point.st[i], point.st[i]});
    }
    return out;
}

MorrisEffects morris_effects(const std::vector<std::vector<double>>& design, const std::vector<double>& y, int k) {
    const auto K = static_cast<std::size_t>(k);
    if (design.size() != y.size() || design.size() % (K + 1) != 0) throw ExperimentError("Morris outputs do not match the design");
    std::vector<std::vector<double>> effects(K);
    for (std::size_t start = 0; start < design.size(); start += K + 1)
        for (std::size_t m = 1; m <= K; ++m) {
            const auto& before = design[start + m - 1];
            const auto& after = design[start + m];
            for (std::size_t d = 0; d < K; ++d) {
                const double step = after[d] - before[d];
                if (step != 0.0) effects[d].push_back((y[start + m] - y[start + m - 1]) / step);
            }
        }
    MorrisEffects out;
    for (std::size_t d = 0; d < K; ++d) {
        const auto& e = effects[d];
        double mean = 0.0, mean_abs = 0.0;
        for (const double v : e) { mean += v; mean_abs += std::abs(v); }
        mean /= static_cast<double>(e.size());
        mean_abs /= static_cast<double>(e.size());
        double var = 0.0;
        for (const double v : e) var += (v - mean) * (v - mean);
        var = e.size() > 1 ? var / static_cast<double>(e.size() - 1) : 0.0;
        out.mu.push_back(mean);
        out.mu_star.push_back(mean_abs);
        out.sigma.push_back(std::sqrt(var));
    }
    return out;
}

}  // namespace brink
