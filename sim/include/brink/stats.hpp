// Interval estimates used in summaries and comparisons.
#pragma once

#include <cstdint>
#include <vector>

namespace brink {

inline constexpr double kZ95 = 1.959963984540054;  ///< two-sided 95% normal quantile

struct Interval {
    double estimate = 0.0;
    double low = 0.0;
    double high = 0.0;
    double half_width() const { return (high - low) / 2.0; }
};

/// Wilson score interval for k successes in n trials (n > 0), at normal quantile z.
Interval wilson(std::uint64_t k, std::uint64_t n, double z = kZ95);

/// Wilson's interval for an observed share at an effective sample size n (> 0) that
/// need not be whole (weighted or resampled runs); wilson(k, n) when share = k / n.
Interval wilson_share(double share, double n, double z = kZ95);

/// A probability estimated from ensemble runs (each run plays one parameter set drawn
/// from a posterior), its uncertainty split in two: how much the probability varies
/// over the parameter sets (parameter uncertainty) and how well the runs pin down the
/// ensemble's probability (Monte Carlo error).
struct ParameterSpread {
    double probability = 0.0;   ///< the posterior predictive probability: hits / runs
    Interval monte_carlo;       ///< Wilson 95% for it (the runs are independent draws of the predictive)
    double parameter_sd = 0.0;  ///< sd over the posterior of P(outcome | parameters), method of moments
    Interval parameter;         ///< 5% and 95% quantiles of a beta with that mean and sd (a 90% band)
    std::size_t sets = 0;       ///< parameter sets that played at least one run
};

/// From runs and hits per parameter set: the between-set variance by the one-way
/// random-effects analysis of variance (Searle, Casella & McCulloch 1992, ch. 3):
/// (MSB - MSW) / n0 with n0 = (N - sum n_j^2 / N) / (J - 1), floored at 0.
ParameterSpread parameter_spread(const std::vector<std::uint64_t>& runs, const std::vector<std::uint64_t>& hits);

}  // namespace brink
