// The SMC sampler of a calibration (docs/calibration.md, "The method").
//
// Generation 0 draws the particles from the prior and estimates each likelihood. Each
// later generation raises the likelihood's exponent (the temperature) as far as keeps
// `ess_target` of the particles effective, reweights, resamples (systematic), and moves
// every particle with random-walk Metropolis-Hastings steps in the unbounded
// coordinates, scaled by the population's covariance. A particle keeps the likelihood
// estimate it was accepted with (pseudo-marginal), so at temperature 1 the population
// targets the exact posterior however noisy the estimates are; the noise costs mixing.
// Every evaluation of one step shares its random streams (common random numbers).
// Every draw is keyed by (seed, purpose, generation or step, particle): the result is
// the same on any thread count and after any resume.
#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <limits>
#include <mutex>
#include <omp.h>

#include "brink/calibration.hpp"
#include "brink/random.hpp"

namespace brink {

namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

enum class Purpose : std::uint64_t { prior = 0xca1b0001, likelihood = 0xca1b0002, resample = 0xca1b0003, move = 0xca1b0004 };

/// The master seed of one family of draws (`purpose`, `index`): distinct for each.
std::uint64_t family_seed(std::uint64_t seed, Purpose purpose, std::uint64_t index) {
    return splitmix64(seed ^ splitmix64(static_cast<std::uint64_t>(purpose) + splitmix64(index)));
}

/// The draws of particle `i` in a family.
Stream stream_of(std::uint64_t seed, Purpose purpose, std::uint64_t index, std::size_t i) {
    return Stream(family_seed(seed, purpose, index), static_cast<std::uint64_t>(i), StreamPurpose::decisions);
}

/// u in (0, 1): a quantile argument that never lands on a bound.
double open_uniform(Stream& s) { return (static_cast<double>(s.bits() >> 11) + 0.5) * 0x1.0p-53; }

/// ESS of normalised weights w after multiplying by exp(delta * loglik), and the log of
/// the mean factor (the evidence increment).
struct Reweighting {
    double ess = 0.0;
    double log_mean = kNegInf;
    std::vector<double> weights;
};

Reweighting reweight(const std::vector<CalibrationParticle>& pop, const std::vector<double>& w, double delta) {
    double top = kNegInf;
    for (std::size_t i = 0; i < pop.size(); ++i)
        if (w[i] > 0.0 && pop[i].log_likelihood > kNegInf) top = std::max(top, delta * pop[i].log_likelihood);
    Reweighting r;
    r.weights.assign(pop.size(), 0.0);
    if (top == kNegInf) return r;
    double sum = 0.0, sum2 = 0.0;
    for (std::size_t i = 0; i < pop.size(); ++i) {
        if (w[i] <= 0.0 || pop[i].log_likelihood == kNegInf) continue;
        r.weights[i] = w[i] * std::exp(delta * pop[i].log_likelihood - top);
        sum += r.weights[i];
        sum2 += r.weights[i] * r.weights[i];
    }
    r.ess = sum * sum / sum2;
    r.log_mean = top + std::log(sum);
    for (double& x : r.weights) x /= sum;
    return r;
}

/// The largest temperature in (from, 1] whose reweighting keeps `target` effective particles.
double next_temperature(const std::vector<CalibrationParticle>& pop, const std::vector<double>& w, double from, double target) {
    if (reweight(pop, w, 1.0 - from).ess >= target) return 1.0;
    double lo = from, hi = 1.0;
    for (int k = 0; k < 60; ++k) {
        const double mid = 0.5 * (lo + hi);
        (reweight(pop, w, mid - from).ess >= target ? lo : hi) = mid;
    }
    return hi;  // just past the target: strictly above `from`
}

void systematic_resample(std::vector<CalibrationParticle>& pop, std::vector<double>& w, double u) {
    std::vector<CalibrationParticle> out;
    out.reserve(pop.size());
    const double n = static_cast<double>(pop.size());
    double cumulative = w[0];
    std::size_t j = 0;
    for (std::size_t i = 0; i < pop.size(); ++i) {
        const double point = (static_cast<double>(i) + u) / n;
        while (point > cumulative && j + 1 < pop.size()) cumulative += w[++j];
        out.push_back(pop[j]);
    }
    pop = std::move(out);
    w.assign(pop.size(), 1.0 / n);
}

class Sampler {
public:
    Sampler(const std::vector<Prior>& priors, const CalibrationPlan& plan, const LogLikelihood& log_likelihood, const std::atomic<bool>* stop,
            const std::function<void(const CalibrationProgress&)>& progress)
        : priors_(priors), plan_(plan), log_likelihood_(log_likelihood), stop_(stop), progress_(progress),
          n_(static_cast<std::size_t>(std::max<std::uint64_t>(2, plan.particles))), d_(priors.size()),
          threads_(plan.threads > 0 ? plan.threads : omp_get_max_threads()) {}

    /// Generation 0: prior draws. False when stopped.
    bool start(CalibrationState& state) {
        Generation g;
        std::vector<CalibrationParticle>& pop = g.population;
        pop.resize(n_);
        for (std::size_t i = 0; i < n_; ++i) {
            Stream s = stream_of(plan_.seed, Purpose::prior, 0, i);
            for (const Prior& p : priors_) pop[i].theta.push_back(p.quantile(open_uniform(s)));
        }
        progress_state_ = {0, 0.0, 0, 1, 0, n_};
        if (!evaluate(pop, state.steps)) return false;
        ++state.steps;
        g.evaluations = n_;
        g.weights.assign(n_, 1.0 / static_cast<double>(n_));
        if (std::none_of(pop.begin(), pop.end(), [](const CalibrationParticle& p) { return p.log_likelihood > kNegInf; }))
            throw CalibrationError("none of the " + std::to_string(n_) +
                                   " parameter sets drawn from the prior reproduced the observations in any of its runs: "
                                   "give each set more runs (--runs-per-particle), or widen the priors");
        state.generations.push_back(std::move(g));
        return true;
    }

    /// One tempering generation. False when stopped (the state is left as it was).
    bool advance(CalibrationState& state) {
        const Generation& last = state.generations.back();
        Generation g;
        g.index = last.index + 1;
        g.population = last.population;
        std::vector<double> w = last.weights;
        const double target = plan_.ess_target * static_cast<double>(n_);
        g.temperature = next_temperature(g.population, w, last.temperature, target);
        const Reweighting r = reweight(g.population, w, g.temperature - last.temperature);
        g.ess = r.ess;
        g.log_evidence = last.log_evidence + r.log_mean;
        w = r.weights;
        Stream resampling = stream_of(plan_.seed, Purpose::resample, static_cast<std::uint64_t>(g.index), 0);
        systematic_resample(g.population, w, resampling.uniform());
        g.weights = w;

        std::uint64_t steps = state.steps;
        double accepted = 0.0;
        int planned = plan_.max_moves;
        for (int step = 0; step < planned; ++step) {
            progress_state_ = {g.index, g.temperature, step + 1, planned, 0, n_};
            const double rate = move(g.population, g.temperature, steps);
            if (rate < 0.0) return false;
            ++steps;
            accepted += rate;
            ++g.move_steps;
            g.evaluations += n_;
            // enough steps that a particle has probably moved (90%) at this acceptance rate
            if (step == 0) planned = rate >= 1.0 ? 1 : rate <= 0.0 ? plan_.max_moves
                                                 : std::clamp(static_cast<int>(std::ceil(std::log(0.1) / std::log(1.0 - rate))), 1, plan_.max_moves);
        }
        g.acceptance = g.move_steps ? accepted / g.move_steps : 0.0;
        state.steps = steps;
        state.generations.push_back(std::move(g));
        return true;
    }

private:
    const std::vector<Prior>& priors_;
    const CalibrationPlan& plan_;
    const LogLikelihood& log_likelihood_;
    const std::atomic<bool>* stop_;
    const std::function<void(const CalibrationProgress&)>& progress_;
    std::size_t n_, d_;
    int threads_;
    CalibrationProgress progress_state_;

    bool stopped() const { return stop_ && stop_->load(); }

    /// Estimates the likelihood of every particle with the streams of `step`; false when stopped.
    bool evaluate(std::vector<CalibrationParticle>& pop, std::uint64_t step) {
        std::vector<double> out(pop.size());
        std::vector<std::vector<double>> thetas(pop.size());
        for (std::size_t i = 0; i < pop.size(); ++i) thetas[i] = pop[i].theta;
        if (!evaluate_all(thetas, step, out)) return false;
        for (std::size_t i = 0; i < pop.size(); ++i) pop[i].log_likelihood = out[i];
        return true;
    }

    bool evaluate_all(const std::vector<std::vector<double>>& thetas, std::uint64_t step, std::vector<double>& out) {
        const std::uint64_t key = family_seed(plan_.seed, Purpose::likelihood, step);
        std::exception_ptr failure;
        std::mutex lock;
        std::atomic<std::uint64_t> done{0};
        const auto n = static_cast<std::int64_t>(thetas.size());
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads_)
        for (std::int64_t i = 0; i < n; ++i) {
            if (stopped() || failure) continue;
            try {
                out[static_cast<std::size_t>(i)] = log_likelihood_(thetas[static_cast<std::size_t>(i)], key);
            } catch (...) {
                const std::lock_guard<std::mutex> guard(lock);
                if (!failure) failure = std::current_exception();
            }
            const std::uint64_t k = ++done;
            if (progress_ && omp_get_thread_num() == 0) {
                CalibrationProgress p = progress_state_;
                p.done = k;
                progress_(p);
            }
        }
        if (failure) std::rethrow_exception(failure);
        return !stopped();
    }

    /// One Metropolis-Hastings step for every particle; the acceptance rate, or -1 when stopped.
    double move(std::vector<CalibrationParticle>& pop, double temperature, std::uint64_t step) {
        const Eigen::MatrixXd chol = proposal_factor(pop);
        std::vector<std::vector<double>> proposals(n_);
        std::vector<double> log_u(n_), log_prior_ratio(n_);
        for (std::size_t i = 0; i < n_; ++i) {
            Stream s = stream_of(plan_.seed, Purpose::move, step, i);
            Eigen::VectorXd e(static_cast<Eigen::Index>(d_));
            for (std::size_t k = 0; k < d_; ++k) e[static_cast<Eigen::Index>(k)] = s.normal();
            const Eigen::VectorXd shift = chol * e;
            double ratio = 0.0;
            for (std::size_t k = 0; k < d_; ++k) {
                const Prior& p = priors_[k];
                const double z = p.to_free(pop[i].theta[k]);
                const double z_new = z + shift[static_cast<Eigen::Index>(k)];
                proposals[i].push_back(p.from_free(z_new));
                ratio += p.log_free_density(z_new) - p.log_free_density(z);
            }
            log_prior_ratio[i] = ratio;
            log_u[i] = std::log(open_uniform(s));
        }
        std::vector<double> log_l(n_);
        if (!evaluate_all(proposals, step, log_l)) return -1.0;
        std::size_t accepted = 0;
        for (std::size_t i = 0; i < n_; ++i) {
            if (log_l[i] == kNegInf) continue;
            const double current = pop[i].log_likelihood;
            const double log_ratio = log_prior_ratio[i] + (current == kNegInf ? std::numeric_limits<double>::infinity()
                                                                               : temperature * (log_l[i] - current));
            if (!(log_u[i] < log_ratio)) continue;
            pop[i].theta = std::move(proposals[i]);
            pop[i].log_likelihood = log_l[i];
            ++accepted;
        }
        return static_cast<double>(accepted) / static_cast<double>(n_);
    }

    /// Cholesky factor of the random walk's covariance: (2.38^2 / d) times the
    /// population's covariance in the free coordinates (Roberts & Rosenthal 2001),
    /// with a small ridge so that a collapsed population still moves.
    Eigen::MatrixXd proposal_factor(const std::vector<CalibrationParticle>& pop) const {
        const auto d = static_cast<Eigen::Index>(d_);
        Eigen::MatrixXd z(static_cast<Eigen::Index>(n_), d);
        for (std::size_t i = 0; i < n_; ++i)
            for (std::size_t k = 0; k < d_; ++k) z(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(k)) = priors_[k].to_free(pop[i].theta[k]);
        const Eigen::RowVectorXd mean = z.colwise().mean();
        const Eigen::MatrixXd centred = z.rowwise() - mean;
        Eigen::MatrixXd cov = centred.transpose() * centred / static_cast<double>(n_ - 1);
        cov *= 2.38 * 2.38 / static_cast<double>(d_);
        cov += 1e-4 * Eigen::MatrixXd::Identity(d, d);
        return Eigen::LLT<Eigen::MatrixXd>(cov).matrixL();
    }
};

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

void calibrate(const std::vector<Prior>& priors, const CalibrationPlan& plan, const LogLikelihood& log_likelihood, CalibrationState& state,
               const std::atomic<bool>* stop, const std::function<void(const CalibrationState&)>& on_generation,
               const std::function<void(const CalibrationProgress&)>& progress) {
    if (priors.empty()) throw CalibrationError("nothing to calibrate: give at least one --param PATH=PRIOR");
    Sampler sampler(priors, plan, log_likelihood, stop, progress);
    while (!state.complete() && static_cast<int>(state.generations.size()) <= plan.max_generations) {
        const auto t0 = std::chrono::steady_clock::now();
        const bool done = state.generations.empty() ? sampler.start(state) : sampler.advance(state);
        if (!done) return;
        state.generations.back().seconds = seconds_since(t0);
        if (on_generation) on_generation(state);
    }
}

double weighted_quantile(const std::vector<CalibrationParticle>& pop, const std::vector<double>& w, std::size_t k, double q) {
    std::vector<std::size_t> order(pop.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return pop[a].theta[k] < pop[b].theta[k]; });
    double cumulative = 0.0;
    for (const std::size_t i : order) {
        cumulative += w[i];
        if (cumulative >= q - 1e-12) return pop[i].theta[k];
    }
    return pop[order.back()].theta[k];
}

// ---------------------------------------------------------------- checkpoint text

namespace {

std::string hex(double x) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%a", x);
    return buffer;
}

}  // namespace

std::string calibration_state_text(const CalibrationState& state) {
    // appended piece by piece: GCC 12 warns falsely (-Wrestrict) on long + chains
    std::string out = "BRINKCAL1 ";
    const auto put = [&out](const std::string& field, char after) { out.append(field).push_back(after); };
    put(std::to_string(state.generations.size()), ' ');
    put(std::to_string(state.steps), '\n');
    for (const Generation& g : state.generations) {
        out.append("generation ");
        put(std::to_string(g.index), ' ');
        put(hex(g.temperature), ' ');
        put(hex(g.ess), ' ');
        put(std::to_string(g.move_steps), ' ');
        put(hex(g.acceptance), ' ');
        put(std::to_string(g.evaluations), ' ');
        put(hex(g.log_evidence), ' ');
        put(hex(g.seconds), ' ');
        put(std::to_string(g.population.size()), '\n');
        for (std::size_t i = 0; i < g.population.size(); ++i) {
            put(hex(g.weights[i]), ' ');
            out.append(hex(g.population[i].log_likelihood));
            for (const double x : g.population[i].theta) out.append(" ").append(hex(x));
            out.push_back('\n');
        }
    }
    return out.append("end\n");
}

CalibrationState read_calibration_state(const std::string& text, std::size_t parameters) {
    const auto damaged = [](const std::string& why) { return CalibrationError("the calibration checkpoint is damaged: " + why); };
    const char* p = text.c_str();
    const auto number = [&]() {
        char* end = nullptr;
        const double v = std::strtod(p, &end);
        if (end == p) throw damaged("expected a number at byte " + std::to_string(p - text.c_str()));
        p = end;
        return v;
    };
    const auto word = [&](const char* w) {
        while (*p == ' ' || *p == '\n') ++p;
        const std::size_t n = std::char_traits<char>::length(w);
        if (text.compare(static_cast<std::size_t>(p - text.c_str()), n, w) != 0) throw damaged(std::string("expected '") + w + "'");
        p += n;
    };
    const auto count = [&]() {
        const double v = number();
        if (!(v >= 0.0 && v < 1e15) || v != std::floor(v)) throw damaged("expected a count");
        return static_cast<std::uint64_t>(v);
    };
    CalibrationState state;
    word("BRINKCAL1");
    const std::uint64_t generations = count();
    state.steps = count();
    for (std::uint64_t k = 0; k < generations; ++k) {
        Generation g;
        word("generation");
        g.index = static_cast<int>(count());
        g.temperature = number(), g.ess = number();
        g.move_steps = static_cast<int>(count());
        g.acceptance = number();
        g.evaluations = count();
        g.log_evidence = number(), g.seconds = number();
        const std::uint64_t n = count();
        if (n > 100000000) throw damaged("implausible particle count");
        for (std::uint64_t i = 0; i < n; ++i) {
            g.weights.push_back(number());
            CalibrationParticle particle;
            particle.log_likelihood = number();
            for (std::size_t j = 0; j < parameters; ++j) particle.theta.push_back(number());
            g.population.push_back(std::move(particle));
        }
        state.generations.push_back(std::move(g));
    }
    word("end");
    return state;
}

}  // namespace brink
