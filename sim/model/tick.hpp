// Internal to the model room: the phases of one tick (MODEL.md section 5), shared by
// simulate() and the benchmarks (benchmarks/), so that what is measured is exactly
// the code that runs. Not part of the public API: only sim/model and benchmarks/
// include it.
#pragma once

#include <Eigen/Core>
#include <array>
#include <cstdint>
#include <vector>

#include "brink/model.hpp"
#include "brink/random.hpp"

namespace brink {

/// Scratch memory of one run, reused from run to run (one per thread). After the
/// first run of a scenario nothing in the tick loop allocates.
struct Workspace {
    std::vector<double> state;
    std::vector<double> perceived;        // one leader's perceived state
    std::vector<double> predicted;        // perceived + believed opponent effect (details only)
    std::array<std::vector<double>, 2> beliefs;  // over the opponent's menu
    std::vector<char> feasible;           // by action index, on the start-of-tick state
    // Logit weights of the feasible options, aligned to Eigen's widest packet: the
    // vectorised exp then never peels a scalar prefix whose length would depend on where
    // the heap put the buffer (and so on the thread), which would change the bits.
    std::vector<double, Eigen::aligned_allocator<double>> weights;
    std::vector<double> utilities;        // their utilities (details only)
    std::vector<int> options;             // their positions in the leader's menu
    std::vector<double> correction;       // goal-term corrections by menu position, this decision
    // Each leader's menu, flattened at the start of every run (the scenario may change
    // between runs): action, escalation and cost by menu position, and the effects'
    // means listed by the variable they change.
    struct Menu {
        std::vector<int> action;
        std::vector<double> escalation, cost;
        // The goal term is linear in the effects wherever nothing is clamped at 0 or 1:
        // the weighted sum of position k's effect means. A decision corrects it only on
        // the variables where some move could reach a bound (MODEL.md's clamp).
        std::vector<double> goal_linear;  // by menu position
        std::vector<int> touched;         // the variables the menu's effects change
        std::vector<double> touched_low, touched_high;  // least and greatest effect mean on each
        std::vector<int> touch_begin;     // touched[t]'s effects are [touch_begin[t], touch_begin[t + 1])
        std::vector<int> touch_position;  // the menu position of each
        std::vector<double> touch_mean;
        std::vector<int> touch_of;        // by variable: its index in `touched`, or -1
        // By variable: min(0, least mean) and max(0, greatest mean) of the menu's effects,
        // bounds on any belief-weighted mean of its moves' effects.
        std::vector<double> envelope_low, envelope_high;
        // The war term depends on an action only through its escalation, and a menu has
        // few distinct escalations (8 of Biden's 17 moves, 10 of Putin's 18 in the
        // baseline): one class per distinct value, its war term computed once per decision.
        std::vector<int> escalation_class;     // by menu position
        std::vector<double> class_escalation;  // by class
        // exp(-k e) and exp(k e) of each class's escalation e (k: the ladder's step
        // sensitivity), so that a decision's step logistics need two exp() calls, not
        // two per class; `factored` is false when one of them is not a normal number
        // (extreme sensitivities), and the decision then uses the direct formula.
        std::vector<double> class_up_factor, class_down_factor;
        bool factored = false;
        // Version 2. Classes are keyed by escalation, nuclear pressure and jumps (a move
        // with jumps is a class of its own).
        std::vector<double> nuclear;                      // by menu position
        std::vector<double> class_nuclear;                // by class
        std::vector<const std::vector<Jump>*> class_jumps;  // by class; nullptr: none
        // The opponent's commitments each position triggers: trigger_list[trigger_begin[k] ..
        // trigger_begin[k + 1]) are commitment indices.
        std::vector<int> trigger_begin, trigger_list;
    };
    /// A track's step law (the ladder or the nuclear track) in the form the lookahead
    /// uses: per rung its thresholds, exp(k theta_up) and exp(-k theta_down) (so a
    /// step probability is one multiply and one divide), war cost and absorption.
    struct TrackLaw {
        double sensitivity = 0.0;
        std::vector<double> up_theta, down_theta, up_exp, down_exp, war_cost;
        std::vector<char> absorbing;
        bool factored = false;
        int count() const { return static_cast<int>(war_cost.size()); }
    };
    std::array<Menu, 2> menus;
    std::vector<double> class_war;    // the war term of each class, this decision
    std::vector<double> class_recip;  // the reciprocity term of each class, this decision
    Stream decisions, world, ladder, events;
    std::vector<char> event_fires;  // by event index, decided on the start-of-tick state

    // Version 2 (sized in start(); empty or unused when the scenario has no such mechanism).
    Stream intent, track;
    bool uses_intent = false, uses_track = false;
    std::array<bool, 2> strategic{};  // the leader's decision has version-2 terms
    TrackLaw ladder_law, nuclear_law;
    std::vector<double> class_look;              // lookahead of each class, this decision
    std::vector<double> bonus;                   // version-2 terms by menu position, this decision
    std::vector<double> position_look, position_committed;  // lookahead and committed terms by menu position
    std::vector<double> chain, levels;           // first-step distributions (kept all zero between uses)
    std::vector<double> step_up, step_down;      // lookahead step probabilities by rung or level
    std::vector<double> value, value_rest;       // the lookahead's value functions W_{H-1}, W_{H-2} by rung, then level
    std::array<std::vector<double>, 2> type_beliefs;  // over the opponent's modes
    std::vector<char> active, pending;           // by commitment
    std::vector<int> deadline;                   // by commitment
    std::vector<double> credibility;             // by commitment
    std::vector<int> response_position;          // by commitment: its response's position in the committer's menu
    std::vector<double> response_value;          // by commitment: the opponent's value of the response's mean effects
    RunResult spare;  // continue_run(): start()'s fresh result, before the snapshot's replaces it
};

namespace tick {

/// What a run carries from one tick to the next besides the variables.
struct RunState {
    int tick = 0;  ///< the tick being played (1-based)
    int rung = 0;
    int settled_ticks = 0;
    std::array<int, 2> last{-1, -1};  ///< each leader's action of the previous tick
    std::array<int, 2> last_position{-1, -1};  ///< ... and its menu position
    int level = 0;                    ///< nuclear-track level
    std::array<int, 2> mode{0, 0};    ///< each leader's hidden mode
    double state_pressure = 0.0;      ///< sum_v beta_v s_v on the start-of-tick state
};

/// The two moves of a tick: action indices and their positions in the menus.
struct Moves {
    std::array<int, 2> action{};
    std::array<int, 2> position{};
};

/// Resets the workspace, the result and the run state for run `run_id`, and keys the
/// streams on (seed, run_id, purpose, branch); branch 0 is the run itself.
void start(const Scenario& s, std::uint64_t run_id, std::uint64_t seed, Workspace& ws, RunResult& result,
           RunState& rs, std::uint64_t branch = 0);

/// Start of a tick: the state-dependent ladder pressure and the hidden modes' switches.
void begin(const Scenario& s, Workspace& ws, RunState& rs, RunResult& result);

/// Decision phase: perception (beliefs), feasibility, both leaders' logit choices.
/// `details` (optional) receives what each leader saw and weighed.
Moves decide(const Scenario& s, Workspace& ws, const RunState& rs, TickView* details);

/// State-update phase: event draws, effects with noise, NaN check and clamp.
/// Returns the tick's ladder pressure (and its nuclear pressure in `nuclear_pressure`).
/// Throws RunError on a NaN.
double update_state(const Scenario& s, Workspace& ws, const RunState& rs, const Moves& moves, TickView* details,
                    double& nuclear_pressure);

/// Ladder step on the pressure and the start-of-tick tension, tension update and
/// the result's bookkeeping (highest rung, first ticks, action counts, last moves).
void step_ladder(const Scenario& s, Workspace& ws, RunState& rs, const Moves& moves, double pressure,
                 double nuclear_pressure, double tension_before, RunResult& result, TickView* details);

/// Commitments at the end of the tick: resolution, triggers, declarations.
void update_commitments(const Scenario& s, Workspace& ws, const RunState& rs, const Moves& moves, RunResult& result,
                        TickView* details);

/// Outcome check at the end of the tick; true when the run ends (result.outcome set).
bool check_outcome(const Scenario& s, const Workspace& ws, RunState& rs, const Moves& moves, RunResult& result);

}  // namespace tick
}  // namespace brink
