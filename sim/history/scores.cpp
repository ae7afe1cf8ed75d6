// Proper scores of probability forecasts of yes/no questions, and the reliability table.
#include <algorithm>
#include <cmath>

#include "brink/history.hpp"

namespace brink {

double brier_score(double p, bool outcome) {
    const double y = outcome ? 1.0 : 0.0;
    return (p - y) * (p - y);
}

double log_score(double p, bool outcome, double eps) {
    const double q = std::clamp(outcome ? p : 1.0 - p, eps, 1.0 - eps);
    return -std::log(q);
}

std::vector<ReliabilityBin> reliability(const std::vector<ScoredForecast>& forecasts, int bins) {
    std::vector<ReliabilityBin> table(static_cast<std::size_t>(std::max(1, bins)));
    std::vector<double> yes(table.size(), 0.0);
    for (std::size_t b = 0; b < table.size(); ++b) {
        table[b].low = static_cast<double>(b) / static_cast<double>(table.size());
        table[b].high = static_cast<double>(b + 1) / static_cast<double>(table.size());
    }
    for (const ScoredForecast& f : forecasts) {
        // The last bin is closed: a probability of exactly 1 belongs to it.
        const auto b = std::min(table.size() - 1, static_cast<std::size_t>(f.probability * static_cast<double>(table.size())));
        ++table[b].count;
        table[b].mean_probability += f.probability;
        yes[b] += f.resolution ? 1.0 : 0.0;
    }
    for (std::size_t b = 0; b < table.size(); ++b) {
        if (table[b].count == 0) continue;
        table[b].mean_probability /= static_cast<double>(table[b].count);
        table[b].frequency = yes[b] / static_cast<double>(table[b].count);
    }
    return table;
}

}  // namespace brink
