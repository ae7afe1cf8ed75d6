// The history room: runs read against a timeline (timeline.hpp). It conditions the
// Monte Carlo on what was observed up to a date (sequential Monte Carlo: runs that
// contradict an observation are dropped, the survivors resampled and branched), gives
// the odds of the outcomes and of the timeline's questions as of that date, and scores
// them against the questions' resolutions (back-tests). Depends on the model and the
// engine's statistics; knows nothing of files.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "brink/engine.hpp"
#include "brink/model.hpp"
#include "brink/stats.hpp"
#include "brink/timeline.hpp"

namespace brink {

/// Where a claim stands in one run.
enum class Verdict : std::uint8_t { open = 0, holds = 1, fails = 2 };

/// Follows claims through a run, tick by tick: give it each piece of the run it plays
/// (as the run's observer), then settle() after the piece.
class ClaimTracker : public TickObserver {
public:
    ClaimTracker(const Scenario& scenario, std::vector<const Claim*> claims);

    /// Points the tracker at a run's verdicts (one per claim); at tick 0 it sizes them
    /// and decides what tick 0 decides (a rung already reached at the start).
    void attach(const RunSnapshot& run, std::vector<Verdict>& verdicts);
    void on_tick(const TickView& view) override;
    /// After a piece of the run: decides the claims the run's end (or its tick) decides.
    void settle(const RunSnapshot& run);

    std::size_t size() const { return claims_.size(); }

private:
    const Scenario& s_;
    std::vector<const Claim*> claims_;
    std::vector<Verdict>* verdicts_ = nullptr;
};

struct ConditionPlan {
    std::uint64_t particles = 10000;  ///< runs carried from stage to stage
    std::uint64_t seed = 1;
    int threads = 0;                  ///< 0: OpenMP's default
    std::uint64_t ess_floor = 0;      ///< survivors a stage must keep (0: a quarter of the particles)
    int max_rounds = 200;             ///< attempts per parent and stage before giving up
    /// A calibration's posterior (brink run --ensemble): each particle plays the member its
    /// index draws and keeps it through resampling, so the observations weigh the parameter
    /// sets too. nullptr: the scenario alone.
    const Ensemble* ensemble = nullptr;
};

/// One stage of the conditioning: the observations decided at its tick.
struct Stage {
    int tick = 0;
    int day = 0;
    std::vector<std::string> observations;  ///< ids
    std::uint64_t attempts = 0;   ///< continuations tried (particles x rounds)
    std::uint64_t survivors = 0;  ///< those consistent with every observation so far
    int rounds = 0;
    /// The effective sample size of the stage: survivors carry equal weight, so it is
    /// their number (capped at the particle count that the next stage resamples).
    double ess = 0.0;
    double acceptance() const { return attempts ? static_cast<double>(survivors) / static_cast<double>(attempts) : 0.0; }
};

/// A probability from the conditioned runs. Its interval is Wilson's at the smallest
/// ESS of the stages (resampled runs share ancestors, so the particle count overstates
/// what is known): conservative, and exactly Wilson's on the particle count when
/// nothing is observed.
struct Odds {
    double probability = 0.0;
    Interval interval;
};

struct OddsAsOf {
    int day = 0;        ///< the as-of date
    int tick = 0;       ///< the tick covering it (the runs are conditioned up to its end)
    std::uint64_t particles = 0;
    double ess = 0.0;   ///< smallest ESS of the stages (the particle count if none)
    /// ln of the estimated probability of the observations used: the sum over stages of
    /// ln(survivors / attempts), the SMC estimate of the evidence (0 with no stage). It is
    /// what a calibration would weigh parameter sets by (a pseudo-marginal likelihood).
    double log_evidence = 0.0;
    std::vector<Stage> stages;
    std::array<Odds, kOutcomeCount> outcomes;
    std::vector<Odds> questions;  ///< by timeline question
    std::vector<Odds> rung_by_horizon;  ///< by rung: P(the ladder reaches it by the horizon)
};

/// Thrown when no run satisfies an observation (after every round): names it.
class ConditionError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The odds as of `as_of_day`, given every observation of `timeline` decided by then
/// (its last day on or before the date). The same plan gives the same odds on any
/// number of threads. Throws ConditionError, RunError.
OddsAsOf odds_as_of(const Scenario& scenario, const Timeline& timeline, int as_of_day, const ConditionPlan& plan);

/// ln of the particle filter's estimate of P(every observation of `timeline` decided on
/// or before `until_day`) under `scenario`, from `particles` runs (each stage continues
/// every particle once, keeps the consistent ones and resamples them): an unbiased
/// estimate of the probability itself, -infinity when a stage keeps no run. The runs
/// stop at the last observation's tick. The streams are keyed by (seed, stage, index)
/// alone, so parameter sets estimated with one seed share their dice (common random
/// numbers). Single-threaded: calibrations parallelise over parameter sets.
double log_evidence(const Scenario& scenario, const Timeline& timeline, int until_day, std::uint64_t particles, std::uint64_t seed);

// ---------------------------------------------------------------- scores

/// Brier score (p - y)^2 of probability p for outcome y.
double brier_score(double p, bool outcome);
/// Log score: -ln of the probability given to what happened (p clipped to [eps, 1 - eps]).
double log_score(double p, bool outcome, double eps = 1e-4);

/// One scored forecast of one question.
struct ScoredForecast {
    std::string question;
    std::string who;     ///< "Brink" or the forecaster
    int day = 0;         ///< when it was made (Brink: the as-of date)
    double probability = 0.0;
    Interval interval;   ///< Brink's only (the forecasters': estimate = low = high)
    bool resolution = false;
    double brier = 0.0, log = 0.0;
    double brink_probability = -1.0;  ///< forecasters: Brink's as of the same date (the pairing)
};

struct ReliabilityBin {
    double low = 0.0, high = 0.0;
    std::uint64_t count = 0;
    double mean_probability = 0.0;
    double frequency = 0.0;  ///< share that resolved yes
};

/// Ten equal bins of probability, over the given forecasts.
std::vector<ReliabilityBin> reliability(const std::vector<ScoredForecast>& forecasts, int bins = 10);

/// Mean scores of one forecaster over a set of forecasts, and of Brink on the same
/// questions as of the same dates (the paired comparison).
struct MeanScores {
    std::string who;
    std::uint64_t count = 0;
    double brier = 0.0, log = 0.0;
    double brink_brier = 0.0, brink_log = 0.0;  ///< Brink as of the same dates (for Brink itself: equal)
};

struct Backtest {
    std::vector<OddsAsOf> as_of;         ///< one per distinct date used, in date order
    std::vector<ScoredForecast> scored;  ///< Brink's (one per question, as asked), then each published forecast
    std::vector<MeanScores> means;       ///< Brink first, then each forecaster in order of appearance
    std::vector<std::string> left_out;   ///< questions not scored (resolved on or before --until)
};

/// Scores Brink against the timeline's questions: its probability as of each question's
/// `asked` date and, for each published forecast, as of the forecast's date (the start
/// date for a forecast made before it), each conditioned on the observations decided by
/// then. With `until_day`, only questions that resolve after it are scored.
Backtest backtest(const Scenario& scenario, const Timeline& timeline, const ConditionPlan& plan, std::optional<int> until_day);

}  // namespace brink
