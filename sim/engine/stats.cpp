#include "brink/stats.hpp"

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

}  // namespace brink
