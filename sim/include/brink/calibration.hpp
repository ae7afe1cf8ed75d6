// The calibration room: Bayesian inference of a scenario's uncertain numbers from a
// likelihood the caller supplies (docs/calibration.md). A sequential Monte Carlo
// sampler (Del Moral, Doucet & Jasra 2006) tempers from the prior to the posterior
// (adaptive temperatures, Jasra et al. 2011), resamples, and moves the particles with
// random-walk Metropolis-Hastings steps that use the likelihood's noisy but unbiased
// estimate in place of its value (pseudo-marginal moves, Andrieu & Roberts 2009).
// Knows nothing of scenarios, timelines or files: the CLI composes it with the
// scenario loader and the history room's evidence estimate.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace brink {

/// A calibration's inputs are wrong (a prior that cannot be read, impossible bounds, ...).
class CalibrationError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// A prior with bounded support [low, high]:
///   uniform(low, high)           flat
///   loguniform(low, high)        flat in ln x (0 < low)
///   beta(alpha, beta)            on [0, 1]; beta(alpha, beta, low, high) scaled to [low, high]
///   normal(mean, sd, low, high)  truncated to [low, high]
struct Prior {
    enum class Kind { uniform, log_uniform, beta, normal };
    Kind kind = Kind::uniform;
    double low = 0.0, high = 1.0;
    double a = 0.0, b = 0.0;  ///< beta: alpha, beta; normal: mean, sd
    std::string text;         ///< as written

    const char* distribution() const;  ///< "uniform", "loguniform", "beta", "normal"
    /// Normalised log density on [low, high]; -infinity outside.
    double log_density(double x) const;
    /// The inverse distribution function, u in (0, 1).
    double quantile(double u) const;
    /// The sampler moves in an unbounded coordinate z: x = low + (high - low) s(z) with s
    /// the logistic function (of ln x for loguniform); log_jacobian(z) is ln |dx/dz|.
    double to_free(double x) const;
    double from_free(double z) const;
    double log_jacobian(double z) const;
    /// ln of the prior's density in z: log_density(from_free(z)) + log_jacobian(z),
    /// computed so that it stays finite where either term alone would not.
    double log_free_density(double z) const;
};

/// Reads a prior; throws CalibrationError saying what was expected and what was found.
Prior parse_prior(const std::string& text);

struct CalibrationPlan {
    std::uint64_t particles = 400;  ///< parameter sets carried from generation to generation
    std::uint64_t seed = 1;
    int threads = 0;                ///< 0: OpenMP's default
    double ess_target = 0.5;        ///< each new temperature keeps this share of the particles effective
    int max_moves = 8;              ///< Metropolis-Hastings steps per generation, at most
    int max_generations = 100;
};

/// ln of an unbiased estimate of the likelihood of `theta` (the parameters' values in
/// the calibration's order); -infinity for zero. `key` names the random streams: every
/// evaluation of one sampler step gets the same key (common random numbers), each step
/// another. Called from several threads at once.
using LogLikelihood = std::function<double(const std::vector<double>& theta, std::uint64_t key)>;

struct CalibrationParticle {
    std::vector<double> theta;
    double log_likelihood = 0.0;  ///< the estimate the particle carries (pseudo-marginal)
};

/// One generation: its temperature, how the reweighting and the moves went, and the
/// population after its moves (generation 0: the prior draws).
struct Generation {
    int index = 0;
    double temperature = 0.0;   ///< the likelihood's exponent the population targets
    double ess = 0.0;           ///< effective sample size after reweighting, before resampling
    int move_steps = 0;
    double acceptance = 0.0;    ///< mean over the move steps
    std::uint64_t evaluations = 0;
    double log_evidence = 0.0;  ///< running SMC estimate of ln p(data), the prior's mass under the likelihood
    double seconds = 0.0;
    std::vector<CalibrationParticle> population;
    std::vector<double> weights;  ///< normalised
};

/// Everything a resumed calibration needs: the generations so far and the step count
/// that keys the next streams.
struct CalibrationState {
    std::vector<Generation> generations;
    std::uint64_t steps = 0;  ///< likelihood evaluation steps taken
    bool complete() const { return !generations.empty() && generations.back().temperature >= 1.0; }
};

struct CalibrationProgress {
    int generation = 0;
    double temperature = 0.0;
    int step = 0, steps = 0;            ///< the move step within the generation and how many are planned
    std::uint64_t done = 0, total = 0;  ///< evaluations of the current step
};

/// Runs (or continues) a calibration until the temperature reaches 1, `stop` is set, or
/// max_generations is reached. `on_generation` is called after each finished generation
/// (write a checkpoint there); `progress` from one thread at a time. The result depends
/// on the plan and the likelihood only, never on the thread count, and a calibration
/// continued from any of its checkpoints ends where an uninterrupted one does.
/// Throws CalibrationError when no prior draw has a likelihood above zero.
void calibrate(const std::vector<Prior>& priors, const CalibrationPlan& plan, const LogLikelihood& log_likelihood,
               CalibrationState& state, const std::atomic<bool>* stop = nullptr,
               const std::function<void(const CalibrationState&)>& on_generation = {},
               const std::function<void(const CalibrationProgress&)>& progress = {});

/// Weighted quantile of one parameter in a population (weights normalised).
double weighted_quantile(const std::vector<CalibrationParticle>& population, const std::vector<double>& weights, std::size_t parameter,
                         double q);

/// The state as text (exact: doubles in hexadecimal) and back; read_calibration_state
/// throws CalibrationError on text that is not a whole checkpoint of `parameters` values.
std::string calibration_state_text(const CalibrationState& state);
CalibrationState read_calibration_state(const std::string& text, std::size_t parameters);

}  // namespace brink
