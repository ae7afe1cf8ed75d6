// Experiments over scenarios: parameter sweeps, paired comparisons and global
// sensitivity analysis. All use common random numbers: every point of an
// experiment plays the same run ids with the same seed, so differences between
// points are differences of the model, not of the dice.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "brink/model.hpp"
#include "brink/stats.hpp"

namespace brink {

/// A usage error in an experiment's definition (bad --vary, bad --params, ...).
class ExperimentError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Thrown when an experiment stops on SIGINT/SIGTERM before it has anything to report.
class Interrupted : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// ---------------------------------------------------------------- sweeps

/// One varied parameter: a scenario field path and the values it takes (as YAML text).
struct Axis {
    std::string path;
    std::vector<std::string> values;  ///< grid values; empty for a sampled range
    double low = 0.0, high = 0.0;     ///< the range, for Latin hypercube sampling
    bool is_range = false;
};

/// Parses "path=0.1,0.5,0.9" (a list) or "path=0:1:11" (11 evenly spaced values from 0 to 1).
/// With `for_sampling`, "path=lo:hi" (two numbers) is a range to sample. Throws ExperimentError.
Axis parse_axis(const std::string& text, bool for_sampling = false);

/// The most points an experiment may have: each point is a loaded scenario (and, in a
/// sweep, a result folder), so the limit also bounds the memory a design takes.
inline constexpr std::uint64_t kMaxExperimentPoints = 100000;

/// Points of the full grid over `axes`, the product of their value counts, computed
/// without building the grid; 2^64 - 1 when the product overflows.
std::uint64_t grid_point_count(const std::vector<Axis>& axes);

/// Points of a sensitivity design: N (k + 2) for Sobol (Saltelli), r (k + 1) for Morris;
/// 2^64 - 1 on overflow.
std::uint64_t sensitivity_point_count(int parameters, int base_samples, int trajectories, bool sobol, bool morris);

/// Throws ExperimentError when `points` exceeds kMaxExperimentPoints; `what` names the
/// design and how its size arises, e.g. "the sweep (11 x 10000 values)".
void check_point_count(std::uint64_t points, const std::string& what);

/// The points of a sweep: each a list of "path=value" overrides, in a stable order.
/// Grid: the Cartesian product, last axis fastest. Latin hypercube: `samples` points,
/// one per stratum of each range, shuffled by `seed`. Throws ExperimentError, before
/// building anything, when the grid has more than kMaxExperimentPoints points.
std::vector<std::vector<std::string>> grid_points(const std::vector<Axis>& axes);
std::vector<std::vector<std::string>> latin_hypercube_points(const std::vector<Axis>& axes, int samples, std::uint64_t seed);
/// The unit-cube Latin hypercube design itself: samples x dimensions, each column a permutation of strata.
std::vector<std::vector<double>> latin_hypercube(int samples, int dimensions, std::uint64_t seed);

// ---------------------------------------------------------------- paired comparison

/// Difference pB - pA of one outcome between two paired samples (same run ids).
struct PairedDifference {
    std::uint64_t n = 0;
    std::uint64_t both = 0, only_a = 0, only_b = 0, neither = 0;  ///< the 2x2 table of the outcome
    Interval a, b;           ///< Wilson 95% intervals of each proportion
    Interval difference;     ///< Newcombe's hybrid score interval (method 10) for pB - pA
    double p_value = 1.0;    ///< exact McNemar test (two-sided binomial on the discordant pairs)
    bool significant() const { return p_value < 0.05; }
};

/// Compares outcome codes run by run: `a[i]` and `b[i]` are the outcomes of run i under A and B.
PairedDifference paired_difference(const std::vector<std::uint8_t>& a, const std::vector<std::uint8_t>& b, std::uint8_t outcome);
/// From a 2x2 table directly.
PairedDifference paired_difference(std::uint64_t both, std::uint64_t only_a, std::uint64_t only_b, std::uint64_t neither);
/// Two-sided exact binomial test of k successes in n trials at p = 1/2.
double mcnemar_exact_p(std::uint64_t only_a, std::uint64_t only_b);

// ---------------------------------------------------------------- sensitivity

/// Saltelli's design for k parameters and N base samples, in the unit cube:
/// rows [0, N) are A, [N, 2N) are B, and [(2 + i) N, (3 + i) N) are A with column i from B.
std::vector<std::vector<double>> saltelli_design(int parameters, int base_samples, std::uint64_t seed);

struct IndexEstimate {
    double value = 0.0, low = 0.0, high = 0.0;  ///< estimate and 95% bootstrap percentile interval
};

struct SobolIndices {
    std::vector<IndexEstimate> first_order;  ///< S1 (Saltelli 2010 estimator)
    std::vector<IndexEstimate> total;        ///< ST (Jansen estimator)
};

/// Sobol indices from model outputs `y` evaluated on saltelli_design(k, N, ...) rows, with
/// `resamples` bootstrap resamples of the N base rows for the intervals.
SobolIndices sobol_indices(const std::vector<double>& y, int parameters, int base_samples, int resamples,
                           std::uint64_t seed);

/// Morris' one-at-a-time design: `trajectories` trajectories of k + 1 points on a `levels`-level grid.
std::vector<std::vector<double>> morris_design(int parameters, int trajectories, int levels, std::uint64_t seed);

struct MorrisEffects {
    std::vector<double> mu_star;  ///< mean absolute elementary effect (in units of output per unit range)
    std::vector<double> sigma;    ///< standard deviation of the elementary effects
    std::vector<double> mu;       ///< mean elementary effect
};

MorrisEffects morris_effects(const std::vector<std::vector<double>>& design, const std::vector<double>& y, int parameters);

}  // namespace brink
