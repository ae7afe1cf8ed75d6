// The exact solver: when a scenario's dynamics reduce to a finite Markov chain on
// the ladder, its outcome odds, end-tick mean and per-tick rung distribution are
// computed exactly (to rounding) instead of estimated by Monte Carlo. The
// validation tests compare the two; docs/validation.md explains the reduction.
//
// A scenario reduces when
//   - both leaders have rationality 0, so each chooses uniformly among its actions
//     feasible at the start of the tick (misperception, state noise, beliefs,
//     goals, costs, war costs, reciprocity and resolve then change nothing);
//   - every state variable that the chain reads stays constant during a run: the
//     variables named in `requires` of menu actions and of events with
//     escalation, `tension` when it feeds the ladder (tension_weight != 0) or the
//     settlement test, `channel` when a joint agreement is possible, and those with
//     a non-zero ladder.step.state_weights (their constant pressure joins each step);
//   - there is no nuclear track (the chain would be on rung and level).
// Jumps are part of the one-tick law. Foresight, hidden modes and commitments only
// change utilities (commitments also a credibility that no step reads), so at
// rationality 0 they change nothing.
// The chain's state is then (rung, settlement counter), with two absorbing
// outcomes (escalation, de-escalation) recorded together with the final rung; the
// mass still transient at the horizon splits by its rung into frozen conflicts and
// ongoing wars (Outcomes::war_rung).
#pragma once

#include <Eigen/Dense>
#include <array>
#include <exception>
#include <string>
#include <vector>

#include "brink/model.hpp"

namespace brink {

/// Thrown by build_chain / solve_exact when the scenario does not reduce to a
/// Markov chain on the ladder; reasons() names each mechanism in the way.
class NotReducible : public std::exception {
public:
    explicit NotReducible(std::vector<std::string> reasons);
    const std::vector<std::string>& reasons() const { return reasons_; }
    const char* what() const noexcept override { return text_.c_str(); }

private:
    std::vector<std::string> reasons_;
    std::string text_;
};

/// Every reason the scenario does not reduce (empty when it does).
std::vector<std::string> reducibility_problems(const Scenario& scenario);

/// The one-tick transition law of a reducible scenario.
///
/// Transient states are (rung, counter): rung < escalation_rung, counter = the
/// settlement counter n after the tick (0 … settlement_ticks − 1; only 0 where a
/// settlement cannot count). Absorbing columns are (outcome, final rung): column
/// `absorbing_column(k, r)` for k = 0 (escalation) or 1 (de-escalation).
/// Each row of [transient | absorbing] sums to 1.
struct ExactChain {
    int rungs = 0;
    std::vector<int> rung_of;     ///< per transient state
    std::vector<int> counter_of;  ///< per transient state
    int initial = 0;              ///< the state at tick 0
    Eigen::MatrixXd transient;    ///< Q: transient -> transient
    Eigen::MatrixXd absorbing;    ///< R: transient -> (outcome, rung)

    /// What was read from the scenario to build the law (for reports).
    double tension = 0.0;           ///< the constant tension
    double channel = 0.0;           ///< the constant channel
    int war_rung = 0;               ///< at the horizon, a run at this rung or above is an ongoing war
    bool settlement_possible = false;
    bool agreement_possible = false;

    int states() const { return static_cast<int>(rung_of.size()); }
    int state_index(int rung, int counter) const;  ///< -1 when no such state
    int absorbing_column(int outcome, int rung) const { return outcome * rungs + rung; }
};

/// Builds the chain from the scenario. Throws NotReducible.
ExactChain build_chain(const Scenario& scenario);

struct ExactResult {
    int horizon = 0;
    int rungs = 0;
    int states = 0;  ///< transient states of the chain

    /// P(outcome) for a run of `horizon` ticks, indexed by Outcome: escalation and
    /// de-escalation reached at the end of some tick 1 … H; neither: a frozen conflict
    /// (rung at H below ExactChain::war_rung) or an ongoing war (at or above it).
    std::array<double, kOutcomeCount> outcome_probability{};
    /// E[end_tick], end_tick = the tick at whose end the outcome was reached, or H
    /// for a run that reaches the horizon: E[min(τ, H)] = Σ_{t=0}^{H−1} still_going[t].
    double expected_end_tick = 0.0;
    /// Var[end_tick], from E[end_tick²] = Σ_{t=0}^{H−1} (2t + 1) still_going[t].
    double end_tick_variance = 0.0;
    /// E[end_tick | outcome] (NaN when the outcome has probability 0; H for frozen conflict and ongoing war).
    std::array<double, kOutcomeCount> expected_end_tick_given{};
    /// [k][t], t = 0 … H: P(outcome k reached at or before the end of tick t). For the
    /// frozen-conflict and ongoing-war entries: 0 before H and their probability at H.
    std::array<std::vector<double>, kOutcomeCount> cumulative_incidence;
    /// [t][r], t = 0 … H: P(rung r at the end of tick t) over all runs, a run that
    /// ended earlier held at its final rung. Rows sum to 1.
    std::vector<std::vector<double>> rung_distribution;
    /// [t], t = 0 … H: P(no outcome by the end of tick t) = P(τ > t). still_going[0] = 1;
    /// still_going[H] = P(frozen conflict) + P(ongoing war). The runs active at tick t (they play it) are still_going[t−1].
    std::vector<double> still_going;

    /// Without a horizon (H = ∞): τ = the first tick that ends in an outcome.
    /// E[τ], +inf when a state reachable from the start can never end.
    double expected_absorption_time = 0.0;
    /// P(escalation), P(de-escalation) eventually; their sum is < 1 exactly when
    /// some runs never end. Without a horizon there is no frozen/ongoing split: the rest,
    /// 1 - their sum, is the share of runs that never end (at whatever rungs they wander).
    std::array<double, 2> eventual_probability{};
};

/// Propagates the chain for `horizon` ticks (and solves the unbounded problem).
ExactResult solve_chain(const ExactChain& chain, int horizon);

/// solve_chain(build_chain(scenario), scenario.horizon). Throws NotReducible.
ExactResult solve_exact(const Scenario& scenario);

}  // namespace brink
