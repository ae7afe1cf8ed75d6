#include "brink/stats.hpp"

#include <boost/math/distributions/beta.hpp>
#include <cmath>

namespace brink {

Interval wilson(std::uint64_t k, std::uint64_t n, double z) {
    if (n == 0) return Interval{0.0, 0.0, 1.0};
    const double nn = static_cast<double>(n);
    const double p = static_cast<double>(k) / nn;
    return wilson_share(p, nn, z);
}

Interval wilson_share(double p, double nn, double z) {
    if (!(nn > 0.0)) return Interval{p, 0.0, 1.0};
    const double z2 = z * z;
    const double denominator = 1.0 + z2 / nn;
    const double center = (p + z2 / (2.0 * nn)) / denominator;
    const double half = z / denominator * std::sqrt(p * (1.0 - p) / nn + z2 / (4.0 * nn * nn));
    // At k = 0 or k = n one bound is exactly 0 or 1; say so rather than print 1e-17.
    const double low = p <= 0.0 ? 0.0 : std::max(0.0, center - half);
    const double high = p >= 1.0 ? 1.0 : std::min(1.0, center + half);
    return Interval{p, low, high};
}

ParameterSpread parameter_spread(const std::vector<std::uint64_t>& runs, const std::vector<std::uint64_t>& hits) {
    ParameterSpread out;
    double n = 0.0, k = 0.0, sum_n2 = 0.0;
    for (std::size_t j = 0; j < runs.size(); ++j) {
        if (runs[j] == 0) continue;
        ++out.sets;
        n += static_cast<double>(runs[j]);
        k += static_cast<double>(hits[j]);
        sum_n2 += static_cast<double>(runs[j]) * static_cast<double>(runs[j]);
    }
    if (n == 0.0) return out;
    out.probability = k / n;
    out.monte_carlo = wilson(static_cast<std::uint64_t>(k), static_cast<std::uint64_t>(n));
    out.parameter = {out.probability, out.probability, out.probability};
    const double sets = static_cast<double>(out.sets);
    if (out.sets < 2 || n <= sets) return out;
    double between = 0.0, within = 0.0;
    for (std::size_t j = 0; j < runs.size(); ++j) {
        if (runs[j] == 0) continue;
        const double nj = static_cast<double>(runs[j]), pj = static_cast<double>(hits[j]) / nj;
        between += nj * (pj - out.probability) * (pj - out.probability);
        within += nj * pj * (1.0 - pj);
    }
    const double msb = between / (sets - 1.0), msw = within / (n - sets);
    const double n0 = (n - sum_n2 / n) / (sets - 1.0);
    const double variance = std::max(0.0, (msb - msw) / n0);
    out.parameter_sd = std::sqrt(variance);
    const double p = out.probability, spread = p * (1.0 - p);
    if (variance <= 0.0 || spread <= 0.0) return out;
    // a beta with the same mean and variance (capped just below the largest a beta allows)
    const double common = spread / std::min(variance, 0.999 * spread) - 1.0;
    const boost::math::beta_distribution<double> beta(p * common, (1.0 - p) * common);
    out.parameter.low = boost::math::quantile(beta, 0.05);
    out.parameter.high = boost::math::quantile(beta, 0.95);
    return out;
}

}  // namespace brink
