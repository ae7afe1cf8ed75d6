// Interval estimates used in summaries and comparisons.
#pragma once

#include <cstdint>

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

}  // namespace brink
